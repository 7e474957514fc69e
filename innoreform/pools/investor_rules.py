"""Investment-linked principal cover (投贷联动风险补偿) for investors, as a pure function over the
versioned policy "pools.investor_cover".

BRIEF §1.3 says pools compensate investors for part of their principal loss on investment-linked
deals but gives no ratio or cap. The shipped default (30% of the principal loss, at most 3 M yuan per
stake) is a PLATFORM DEFAULT, labelled as such in the policy's source: staff set the real figures by
approving a new policy version. The layers split the compensation like the bank-loss rules
(province:city shares of "pools.compensation"), under the same overall cap of the loss.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from pydantic import BaseModel, Field

from innoreform.core import policies_registry
from innoreform.core.money import fen_to_yuan, round_fen

from . import rules as pool_rules
from .rules import Compensation, ExplanationLine, LayerAmount, level_label, pct

POLICY_KEY = "pools.investor_cover"
POLICY_SOURCE = ("平台默认值（简报 §1.3 仅规定对投贷联动投资机构本金损失给予补偿，未给比例与上限）："
                 "本金损失 30%、单笔最高 300 万元，待主管部门以新版本确认")


class InvestorCoverParams(BaseModel):
    rate: Decimal = Field(gt=0, le=1, description="Share of the investor's principal loss compensated.")
    cap_fen: int | None = Field(None, gt=0, description="Most paid for one stake, in fen.")


DEFAULTS = {"rate": "0.30", "cap_fen": 3_000_000_00}

policies_registry.register(key=POLICY_KEY, schema=InvestorCoverParams, defaults=DEFAULTS,
                           title="投贷联动投资本金损失补偿（风险补偿资金池）", source=POLICY_SOURCE)


def compute_investor_cover(*, params: InvestorCoverParams | dict, layering: pool_rules.CompensationParams | dict,
                           invested_fen: int, loss_fen: int, institution_loss_ratio: Decimal | None = None,
                           policy_version: int | None = None) -> Compensation:
    """Compensation for an investor's principal loss on one stake. Pure; amounts in fen."""
    p = params if isinstance(params, InvestorCoverParams) else InvestorCoverParams(**params)
    lay = layering if isinstance(layering, pool_rules.CompensationParams) else pool_rules.CompensationParams(**layering)
    if invested_fen <= 0 or not 0 <= loss_fen <= invested_fen:
        raise ValueError("the loss must be between 0 and the amount invested")
    lines: list[ExplanationLine] = []
    if institution_loss_ratio is not None and institution_loss_ratio > lay.loss_ratio_pause:
        lines.append(ExplanationLine("pause.loss_ratio", _(
            "Paused: the institution's loss ratio %(ratio)s exceeds %(limit)s.") % {
            "ratio": pct(institution_loss_ratio), "limit": pct(lay.loss_ratio_pause)}))
        return Compensation(eligible=False, rate=Decimal(0), total_fen=0, layers=[], lines=lines,
                            policy_version=policy_version)
    lines.append(ExplanationLine("investor.rate", _(
        "Investment-linked principal cover: %(rate)s of the principal loss of %(loss)s yuan "
        "(%(invested)s yuan invested).") % {"rate": pct(p.rate), "loss": fen_to_yuan(loss_fen),
                                           "invested": fen_to_yuan(invested_fen)}, rate=p.rate))
    total = round_fen(Decimal(loss_fen) * p.rate)
    overall = round_fen(Decimal(loss_fen) * lay.overall_cap)
    if p.cap_fen is not None and total > p.cap_fen:
        lines.append(ExplanationLine("investor.cap", _(
            "Capped at %(cap)s yuan per stake.") % {"cap": fen_to_yuan(p.cap_fen)}, amount_fen=p.cap_fen))
        total = p.cap_fen
    if total > overall:
        lines.append(ExplanationLine("cap.overall", _(
            "Cut to %(amount)s yuan: all layers together pay at most %(cap)s of the loss.") % {
            "amount": fen_to_yuan(overall), "cap": pct(lay.overall_cap)}, amount_fen=overall))
        total = overall
    share_layers = [x for x in lay.layers if x.share is not None]
    layers: list[LayerAmount] = []
    given = 0
    for i, layer in enumerate(share_layers):
        amount = total - given if i == len(share_layers) - 1 else round_fen(Decimal(total) * layer.share)
        given += amount
        layers.append(LayerAmount(layer.level, amount))
        lines.append(ExplanationLine(f"layer.{layer.level}", _(
            "%(level)s layer pays %(amount)s yuan (%(basis)s).") % {
            "level": level_label(layer.level), "amount": fen_to_yuan(amount),
            "basis": _("%(share)s of the pool amount") % {"share": pct(layer.share)}},
            amount_fen=amount))
    lines.append(ExplanationLine("total", _(
        "Total compensation: %(total)s yuan of a loss of %(loss)s yuan.") % {
        "total": fen_to_yuan(total), "loss": fen_to_yuan(loss_fen)}, amount_fen=total))
    rate = (Decimal(total) / Decimal(loss_fen)).quantize(Decimal("0.000001")) if loss_fen else Decimal(0)
    return Compensation(eligible=True, rate=rate, total_fen=total, layers=layers, lines=lines,
                        policy_version=policy_version)


def investor_cover_in_force(*, invested_fen: int, loss_fen: int, institution_loss_ratio: Decimal | None = None,
                            on=None) -> tuple[Compensation, int]:
    """With the versions in force: returns the result (carrying the investor-cover version) and the
    version of "pools.compensation" whose layering and caps applied."""
    from innoreform.core.selectors import policy_in_force

    cover = policy_in_force(POLICY_KEY, on)
    layering = policy_in_force(pool_rules.POLICY_KEY, on)
    return compute_investor_cover(params=cover.parameters, layering=layering.parameters, invested_fen=invested_fen,
                                  loss_fen=loss_fen, institution_loss_ratio=institution_loss_ratio,
                                  policy_version=cover.version), layering.version
