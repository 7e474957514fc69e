"""The risk-compensation rules of the pools (BRIEF §1.3) as pure functions over versioned policy
parameters. services.claim_file calls `compensation_in_force` with the claim's facts, keeps the
result, its policy version and its explanation lines, and posts each layer's payout to the books.

The rules (the shipped defaults):
1. Eligibility: an institution whose loss ratio exceeds 3% is paused (no payout), the exact ratio
   compared, never a rounded one; one loan uses one mode only (bank loss or guarantor payout).
2. Bank-loss mode, one of two routes:
   - by loan size: 40% up to 5 M yuan, 30% up to 15 M, 20% up to 30 M (none above), plus 15
     points for a key-list firm or an IP-pledge loan (once, not twice), plus 5 for central-bank
     relending, capped at 50%;
   - IP-pledge loans under the four-party sharing arrangement instead split the loss
     fund:bank:insurer:appraiser = 54:26:16:4 (or their programme's vector): the fund bears its
     whole share (the 50% cap belongs to the size route, not to the vector) and the four shares add
     up to the loss, the last party taking the rounding remainder.
3. Guarantor mode: 20% of the amount the guarantor paid out.
4. The pool rate is paid by the layers that co-fund the pool (default province:city = 1:1, an
   assumption of this platform: the brief gives no split); layers with a fixed rate of their own
   stack on top in order; all layers together pay at most 80% of the loss.
5. Optional per-firm and per-institution-per-year limits cut the total.

Amounts are integer fen; rates are Decimal; rounding happens in one place (`_fen`, ROUND_HALF_UP)
and the split across layers gives the last share layer the remainder, so layers add up exactly.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pydantic import BaseModel, Field, model_validator

from innoreform.core import policies_registry
from innoreform.core.money import fen_to_yuan, round_fen

POLICY_KEY = "pools.compensation"
POLICY_SOURCE = ("BRIEF §1.3 (广东科技信贷风险补偿: 分档 40%/30%/20%, 重点名单或知识产权质押 +15, "
                 "央行再贷款 +5, 上限 50%; 融资担保 20%; 知识产权质押 54:26:16:4; 省市叠加上限 80%; "
                 "不良率超 3% 暂停); 省市分担比例 1:1 为平台假设")

MODE_BANK_LOSS = "bank_loss"
MODE_GUARANTOR = "guarantor_payout"
Mode = Literal["bank_loss", "guarantor_payout"]
MILLION_YUAN_FEN = 1_000_000 * 100


class Tier(BaseModel):
    up_to_fen: int = Field(gt=0, description="Largest loan principal (inclusive) this rate applies to, in fen.")
    rate: Decimal = Field(ge=0, le=1)


class Layer(BaseModel):
    level: Literal["province", "city", "district", "social_capital"]
    # Either a share of the pool rate (shares of the share layers sum to 1) or a rate of its own.
    share: Decimal | None = Field(None, gt=0, le=1)
    own_rate: Decimal | None = Field(None, gt=0, le=1)

    @model_validator(mode="after")
    def _one_basis(self):
        if (self.share is None) == (self.own_rate is None):
            raise ValueError("give a layer either a share of the pool rate or its own rate")
        return self


class CompensationParams(BaseModel):
    tiers: list[Tier] = Field(min_length=1)
    key_list_or_ip_pledge_bonus: Decimal = Field(ge=0, le=1)
    relending_bonus: Decimal = Field(ge=0, le=1)
    bank_mode_cap: Decimal = Field(gt=0, le=1)
    guarantor_mode_rate: Decimal = Field(ge=0, le=1)
    ip_pledge_vector: dict[Literal["fund", "bank", "insurer", "appraiser"], int]
    layers: list[Layer] = Field(min_length=1)
    overall_cap: Decimal = Field(gt=0, le=1)
    loss_ratio_pause: Decimal = Field(gt=0, le=1)
    per_firm_cap_fen: int | None = Field(None, ge=0)
    per_institution_year_cap_fen: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _consistent(self):
        bounds = [t.up_to_fen for t in self.tiers]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError("tiers must rise strictly by up_to_fen")
        if set(self.ip_pledge_vector) != {"fund", "bank", "insurer", "appraiser"} or any(
                v < 0 for v in self.ip_pledge_vector.values()) or sum(self.ip_pledge_vector.values()) <= 0:
            raise ValueError("the IP-pledge vector needs non-negative fund, bank, insurer and appraiser parts")
        shares = [layer.share for layer in self.layers if layer.share is not None]
        if not shares or sum(shares) != Decimal(1):
            raise ValueError("the shares of the share layers must sum to 1")
        if len({layer.level for layer in self.layers}) != len(self.layers):
            raise ValueError("each level appears once")
        return self


DEFAULTS = {
    "tiers": [
        {"up_to_fen": 5 * MILLION_YUAN_FEN, "rate": "0.40"},
        {"up_to_fen": 15 * MILLION_YUAN_FEN, "rate": "0.30"},
        {"up_to_fen": 30 * MILLION_YUAN_FEN, "rate": "0.20"},
    ],
    "key_list_or_ip_pledge_bonus": "0.15",
    "relending_bonus": "0.05",
    "bank_mode_cap": "0.50",
    "guarantor_mode_rate": "0.20",
    "ip_pledge_vector": {"fund": 54, "bank": 26, "insurer": 16, "appraiser": 4},
    "layers": [{"level": "province", "share": "0.5"}, {"level": "city", "share": "0.5"}],
    "overall_cap": "0.80",
    "loss_ratio_pause": "0.03",
    "per_firm_cap_fen": None,
    "per_institution_year_cap_fen": None,
}


def register_policy() -> None:
    policies_registry.register(key=POLICY_KEY, schema=CompensationParams, defaults=DEFAULTS,
                               title="风险补偿规则（科技信贷风险补偿资金池）", source=POLICY_SOURCE)


register_policy()


# --- the calculation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    principal_fen: int  # loan principal: picks the tier
    loss_fen: int  # the bank's loss (bank mode) or what the guarantor paid out (guarantor mode)
    mode: Mode = MODE_BANK_LOSS
    key_list_firm: bool = False
    ip_pledge: bool = False
    central_bank_relending: bool = False
    ip_pledge_sharing: bool = False  # the loan is under the fund:bank:insurer:appraiser arrangement
    # The vector to share by instead of the policy's (e.g. the loan's programme: parties to parts,
    # the fund's part under "fund" or "public") and where it comes from, for the explanation.
    sharing_vector: dict | None = None
    sharing_source: str = ""
    modes_already_used: frozenset[str] = frozenset()  # modes this loan has already claimed under
    institution_loss_ratio: Decimal | None = None
    firm_compensated_fen: int = 0  # already paid for this firm (per-firm cap)
    institution_year_compensated_fen: int = 0  # already paid to the institution this year


@dataclass(frozen=True)
class ExplanationLine:
    rule: str  # stable code, e.g. "tier", "bonus.key_list_or_ip_pledge", "cap.bank_mode"
    text: str  # in the active language
    rate: Decimal | None = None
    amount_fen: int | None = None


@dataclass(frozen=True)
class LayerAmount:
    level: str
    amount_fen: int


@dataclass
class Compensation:
    eligible: bool
    rate: Decimal  # the pool rate before layering (share of the loss)
    total_fen: int
    layers: list[LayerAmount]
    lines: list[ExplanationLine]
    borne_by: dict[str, int] = field(default_factory=dict)  # IP-pledge vector: what the others bear
    policy_version: int | None = None

    def layer(self, level: str) -> int:
        return sum(x.amount_fen for x in self.layers if x.level == level)


def _fen(amount: Decimal) -> int:
    """The one rounding point: Decimal fen to whole fen, half up (core.money)."""
    return round_fen(amount)


def pct(rate: Decimal | None) -> str:
    """A ratio as a percentage for people, to a millionth of a percent ("—" for none): enough to
    show that 3.000001% is above 3%."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP).normalize():f}%"


def level_label(level: str) -> str:
    """A layer's level in the active language."""
    labels = {"province": _("Provincial"), "city": pgettext("jurisdiction", "City"),
              "district": pgettext("jurisdiction", "District"),
              "social_capital": _("Social capital")}
    return labels.get(level, level)


def _party(key: str) -> str:
    labels = {"fund": pgettext("loss sharing party", "fund"), "public": pgettext("loss sharing party", "public fund"),
              "bank": pgettext("loss sharing party", "bank"), "guarantor": pgettext("loss sharing party", "guarantor"),
              "insurer": pgettext("loss sharing party", "insurer"),
              "appraiser": pgettext("loss sharing party", "appraiser")}
    return labels.get(key, key)


def _not_eligible(lines: list[ExplanationLine], version: int | None) -> Compensation:
    return Compensation(eligible=False, rate=Decimal(0), total_fen=0, layers=[], lines=lines, policy_version=version)


def compute_compensation(*, params: CompensationParams | dict, claim: Claim,
                         policy_version: int | None = None) -> Compensation:
    """Each layer's compensation for one defaulted loan, with a line per rule applied. Pure."""
    p = params if isinstance(params, CompensationParams) else CompensationParams(**params)
    lines: list[ExplanationLine] = []
    if claim.principal_fen <= 0 or claim.loss_fen < 0:
        raise ValueError("principal must be positive and loss non-negative")

    # 1. Eligibility.
    if claim.institution_loss_ratio is not None and claim.institution_loss_ratio > p.loss_ratio_pause:
        lines.append(ExplanationLine("pause.loss_ratio", _(
            "Paused: the institution's loss ratio %(ratio)s exceeds %(limit)s.") % {
            "ratio": pct(claim.institution_loss_ratio), "limit": pct(p.loss_ratio_pause)}))
        return _not_eligible(lines, policy_version)
    other_modes = set(claim.modes_already_used) - {claim.mode}
    if other_modes:
        lines.append(ExplanationLine("mode.exclusive", _(
            "Refused: this loan has already claimed in the other mode; one loan uses one mode only.")))
        return _not_eligible(lines, policy_version)

    # 2./3. The pool rate.
    borne_by: dict[str, int] = {}
    if claim.mode == MODE_GUARANTOR:
        rate = p.guarantor_mode_rate
        lines.append(ExplanationLine("mode.guarantor", _(
            "Guarantor mode: %(rate)s of the amount the guarantor paid out.") % {"rate": pct(rate)}, rate=rate))
    elif claim.ip_pledge and claim.ip_pledge_sharing:
        vector = {k: Decimal(str(v)) for k, v in (claim.sharing_vector or p.ip_pledge_vector).items()}
        fund_key = "fund" if "fund" in vector else "public"
        total = sum(vector.values())
        if fund_key not in vector or total <= 0:
            raise ValueError("a sharing vector needs a fund (or public) part and a positive sum")
        rate = vector[fund_key] / total
        parties = [fund_key, *sorted(k for k in vector if k != fund_key)]
        # The vector replaces the size route whole: its cap is not applied to the fund's share, or
        # the part cut off would be borne by none of the four parties.
        route = {"cap": pct(p.bank_mode_cap), "rate": pct(rate)}
        if claim.sharing_vector is None:
            lines.append(ExplanationLine("vector.ip_pledge", _(
                "IP-pledge loss-sharing route (instead of the loan-size tiers and their %(cap)s cap): "
                "fund:bank:insurer:appraiser = %(vector)s; the fund bears its full share of %(rate)s.") % {
                **route,
                "vector": ":".join(f"{vector[k].normalize():f}" for k in ("fund", "bank", "insurer", "appraiser"))},
                rate=rate))
        else:
            lines.append(ExplanationLine("vector.ip_pledge", _(
                "IP-pledge loss-sharing route (instead of the loan-size tiers and their %(cap)s cap): "
                "%(parties)s = %(vector)s (%(source)s); the fund bears its full share of %(rate)s.") % {
                **route, "parties": ":".join(_party(k) for k in parties),
                "vector": ":".join(f"{vector[k].normalize():f}" for k in parties), "source": claim.sharing_source},
                rate=rate))
        # The other parties bear the rest of the loss, the last one the rounding remainder, so the
        # shares add up to the loss exactly.
        rest = claim.loss_fen - _fen(Decimal(claim.loss_fen) * rate)
        for party in parties[1:-1]:
            borne_by[party] = _fen(Decimal(claim.loss_fen) * vector[party] / total)
            rest -= borne_by[party]
        if len(parties) > 1:
            borne_by[parties[-1]] = rest
    else:
        tier = next((t for t in p.tiers if claim.principal_fen <= t.up_to_fen), None)
        if tier is None:
            lines.append(ExplanationLine("tier.none", _(
                "Not covered: the loan of %(principal)s yuan is above the largest tier (%(limit)s yuan).") % {
                "principal": fen_to_yuan(claim.principal_fen), "limit": fen_to_yuan(p.tiers[-1].up_to_fen)}))
            return _not_eligible(lines, policy_version)
        rate = tier.rate
        lines.append(ExplanationLine("tier", _(
            "Loan of %(principal)s yuan is in the tier up to %(limit)s yuan: %(rate)s.") % {
            "principal": fen_to_yuan(claim.principal_fen), "limit": fen_to_yuan(tier.up_to_fen),
            "rate": pct(tier.rate)},
            rate=tier.rate))
        if claim.key_list_firm or claim.ip_pledge:
            rate += p.key_list_or_ip_pledge_bonus
            reason = (_("key-list firm and IP-pledge loan (counted once)") if claim.key_list_firm and claim.ip_pledge
                      else _("key-list firm") if claim.key_list_firm else _("IP-pledge loan"))
            lines.append(ExplanationLine("bonus.key_list_or_ip_pledge", _(
                "Plus %(points)s points: %(reason)s.") % {
                "points": pct(p.key_list_or_ip_pledge_bonus).rstrip("%"), "reason": reason},
                rate=p.key_list_or_ip_pledge_bonus))
        if claim.central_bank_relending:
            rate += p.relending_bonus
            lines.append(ExplanationLine("bonus.relending", _(
                "Plus %(points)s points: central-bank relending.") % {
                "points": pct(p.relending_bonus).rstrip("%")}, rate=p.relending_bonus))
        if rate > p.bank_mode_cap:
            lines.append(ExplanationLine("cap.bank_mode", _(
                "%(rate)s is capped at %(cap)s.") % {"rate": pct(rate), "cap": pct(p.bank_mode_cap)},
                rate=p.bank_mode_cap))
            rate = p.bank_mode_cap

    # 4. Layers: share layers split the pool amount, own-rate layers stack, all under the overall cap.
    loss = Decimal(claim.loss_fen)
    pool_fen = _fen(loss * rate)
    cap_fen = _fen(loss * p.overall_cap)
    share_layers = [layer for layer in p.layers if layer.share is not None]
    planned: dict[str, int] = {}
    given = 0
    for i, layer in enumerate(share_layers):
        amount = pool_fen - given if i == len(share_layers) - 1 else _fen(Decimal(pool_fen) * layer.share)
        planned[layer.level] = amount
        given += amount
    for layer in p.layers:
        if layer.own_rate is not None:
            planned[layer.level] = _fen(loss * layer.own_rate)
    layers: list[LayerAmount] = []
    paid = 0
    for layer in p.layers:  # stacking order
        amount = planned[layer.level]
        room = max(cap_fen - paid, 0)
        basis = (_("%(share)s of the pool amount") % {"share": pct(layer.share)} if layer.share is not None
                 else _("its own rate of %(rate)s of the loss") % {"rate": pct(layer.own_rate)})
        if amount > room:
            lines.append(ExplanationLine("cap.overall", _(
                "%(level)s layer cut from %(planned)s to %(amount)s yuan: all layers together pay at most "
                "%(cap)s of the loss.") % {"level": level_label(layer.level), "planned": fen_to_yuan(amount),
                                           "amount": fen_to_yuan(room),
                                           "cap": pct(p.overall_cap)}, amount_fen=room))
            amount = room
        lines.append(ExplanationLine(f"layer.{layer.level}", _(
            "%(level)s layer pays %(amount)s yuan (%(basis)s).") % {
            "level": level_label(layer.level), "amount": fen_to_yuan(amount), "basis": basis}, amount_fen=amount))
        layers.append(LayerAmount(layer.level, amount))
        paid += amount

    # 5. Per-firm and per-institution-year limits cut from the last layer backwards.
    for rule, limit, used, label in (
        ("limit.per_firm", p.per_firm_cap_fen, claim.firm_compensated_fen, _("per-firm limit")),
        ("limit.per_institution_year", p.per_institution_year_cap_fen, claim.institution_year_compensated_fen,
         _("per-institution yearly limit")),
    ):
        if limit is None:
            continue
        room = max(limit - used, 0)
        total = sum(x.amount_fen for x in layers)
        if total > room:
            excess = total - room
            lines.append(ExplanationLine(rule, _(
                "%(label)s of %(limit)s yuan (%(used)s already paid): cut by %(excess)s yuan.") % {
                "label": label, "limit": fen_to_yuan(limit), "used": fen_to_yuan(used), "excess": fen_to_yuan(excess)},
                amount_fen=-excess))
            for idx in range(len(layers) - 1, -1, -1):
                cut = min(excess, layers[idx].amount_fen)
                layers[idx] = LayerAmount(layers[idx].level, layers[idx].amount_fen - cut)
                excess -= cut
    total = sum(x.amount_fen for x in layers)
    lines.append(ExplanationLine("total", _(
        "Total compensation: %(total)s yuan of a loss of %(loss)s yuan.") % {
        "total": fen_to_yuan(total), "loss": fen_to_yuan(claim.loss_fen)}, amount_fen=total))
    return Compensation(eligible=True, rate=rate, total_fen=total, layers=layers, lines=lines, borne_by=borne_by,
                        policy_version=policy_version)


def compensation_in_force(*, claim: Claim, on=None) -> Compensation:
    """compute_compensation with the approved parameters in force on `on` (today by default);
    the result carries the policy version applied."""
    from innoreform.core.selectors import policy_in_force

    version = policy_in_force(POLICY_KEY, on)
    return compute_compensation(params=version.parameters, claim=claim, policy_version=version.version)
