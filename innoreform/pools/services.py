"""Writes of the pools app. Each service: keyword-only, a required actor, one transaction, an audit
record in it; money moves through money.py (books + trust ledger) in the same transaction.

Claim flow: an institution files a claim for a defaulted loan (the platform computes each layer
with the rule lines and the policy version) → a department reviewer reviews (maker) → another
department user with the approver role approves (checker) → one payout item per layer is queued
and paid in FIFO order as each pool's funds allow (payouts.py) → recoveries received later flow back
to the payers pro rata (payouts.flow_back_claim)."""

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from innoreform.books import selectors as book_selectors
from innoreform.books import services as books
from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, field_error
from innoreform.core.models import Jurisdiction, Organisation, OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.regions import Region
from innoreform.financing import selectors as financing_selectors
from innoreform.financing.schemas import LoanKind

from . import facts, investor_rules, money, payouts, rules
from .models import (
    LIVE_STATUSES,
    Claim,
    ClaimDocument,
    ClaimStatus,
    Contribution,
    KeyListEntry,
    Level,
    LossRatioReport,
    Mode,
    PayoutItem,
    Pool,
    StakeRecovery,
)
from .permissions import require

MAX_AMOUNT_FEN = 10**15
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _amount(field: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_AMOUNT_FEN:
        raise field_error(field, _("Give a positive whole number of fen."))
    return value


def _text(field: str, value: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise field_error(field, _("This text contains a NUL character."))
    if required and not value:
        raise field_error(field, _("This field is required."))
    if len(value) > max_length:
        raise field_error(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


# --- pools ------------------------------------------------------------------------------------------


def _managed_pool(actor: Actor, pool_id: int, *, lock: bool = False) -> Pool:
    qs = Pool.objects.select_for_update() if lock else Pool.objects
    pool = qs.filter(pk=pool_id).first()
    if pool is None or not (actor.is_system or pool.owner_id == actor.organisation_id
                            or _province(actor)):
        raise NotFound()
    return pool


def _province(actor: Actor) -> bool:
    org = actor.organisation
    return org is not None and org.kind == OrgKind.DEPARTMENT and org.jurisdiction == Jurisdiction.PROVINCE


def _coverage(institution_ids, programme_ids) -> tuple[list[int], list[int]]:
    inst = sorted(set(institution_ids or []))
    progs = sorted(set(programme_ids or []))
    if len(inst) > 500 or len(progs) > 500:
        raise field_error("institution_ids", _("At most 500 institutions and 500 programmes."))
    found = set(Organisation.objects.filter(pk__in=inst, kind__in=[OrgKind.BANK, OrgKind.GUARANTOR,
                                                                  OrgKind.INVESTOR]).values_list("id", flat=True))
    if found != set(inst):
        raise field_error("institution_ids", _("Give banks, guarantors or investors."))
    if financing_selectors.programme_ids_existing(progs) != set(progs):
        raise field_error("programme_ids", _("Unknown programme."))
    return inst, progs


def _leverage(value) -> Decimal:
    try:
        lev = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise field_error("leverage_target", _("Give a number.")) from exc
    if not lev.is_finite() or not Decimal(1) <= lev <= Decimal(100):
        raise field_error("leverage_target", _("Give a leverage between 1 and 100."))
    return lev.quantize(Decimal("0.01"))


def pool_create(*, actor: Actor, name: str, level: str, region: str = "", district: str = "",
                leverage_target=10, institution_ids: list[int] | None = None,
                programme_ids: list[int] | None = None) -> Pool:
    require(actor, "pools.manage")
    name = _text("name", name, 200, required=True)
    if level not in Level.values:
        raise field_error("level", _("Choose a level."))
    if level in (Level.CITY, Level.DISTRICT) and region not in Region.values:
        raise field_error("region", _("A city or district pool needs its city."))
    if level == Level.DISTRICT and not (district or "").strip():
        raise field_error("district", _("A district pool needs its district."))
    if level == Level.PROVINCE:
        region, district = "", ""
    district = _text("district", district, 64)
    lev = _leverage(leverage_target)
    inst, progs = _coverage(institution_ids, programme_ids)
    with transaction.atomic():
        pool = Pool.objects.create(name=name, level=level, owner=actor.organisation, region=region or "",
                                   district=district, leverage_target=lev)
        pool.institutions.set(inst)
        pool.programmes.set(progs)
        account = money.pool_account(actor, pool)
        pool.books_account_id = account.pk
        pool.save(update_fields=["books_account_id"])
        audit.record(actor=actor, action="pools.pool_created", obj=pool,
                     changes={"name": name, "level": level, "region": region, "district": district,
                              "leverage_target": str(lev), "institutions": inst, "programmes": progs})
    return pool


def pool_set_coverage(*, actor: Actor, pool_id: int, institution_ids: list[int], programme_ids: list[int],
                      leverage_target=None) -> Pool:
    require(actor, "pools.manage")
    inst, progs = _coverage(institution_ids, programme_ids)
    with transaction.atomic():
        pool = _managed_pool(actor, pool_id, lock=True)
        pool.institutions.set(inst)
        pool.programmes.set(progs)
        changes = {"institutions": inst, "programmes": progs}
        if leverage_target is not None:
            pool.leverage_target = _leverage(leverage_target)
            pool.save(update_fields=["leverage_target"])
            changes["leverage_target"] = str(pool.leverage_target)
        audit.record(actor=actor, action="pools.coverage_set", obj=pool, changes=changes)
    return pool


def contribution_record(*, actor: Actor, pool_id: int, amount_fen: int, received_on: date,
                        contributor_id: int | None = None, note: str = "") -> Contribution:
    """Money received into a pool. Claims waiting for this pool are paid right after, in order."""
    require(actor, "pools.contribute")
    _amount("amount_fen", amount_fen)
    note = _text("note", note, 300)
    contributor_id = contributor_id or actor.organisation_id
    if not Organisation.objects.filter(pk=contributor_id).exists():
        raise field_error("contributor_id", _("Unknown organisation."))
    with transaction.atomic():
        pool = _managed_pool(actor, pool_id)
        if pool.status != Pool.Status.ACTIVE:
            raise Conflict(_("The pool is closed."), code="pool_closed")
        c = Contribution.objects.create(pool=pool, contributor_id=contributor_id, amount_fen=amount_fen,
                                        received_on=received_on, note=note, created_by=actor.user)
        c.books_reference = money.post_contribution(actor, c).reference
        c.save(update_fields=["books_reference"])
        audit.record(actor=actor, action="pools.contribution_recorded", obj=c,
                     changes={"pool": pool.pk, "contributor": contributor_id, "amount_fen": amount_fen,
                              "received_on": received_on.isoformat()})
        payouts.pay_pool(actor=Actor.system(pool.owner), pool_id=pool.pk)
    return c


def contribution_reverse(*, actor: Actor, contribution_id: int, reason: str) -> Contribution:
    """A contribution recorded in error is reversed (never edited). Refused when the pool no longer
    holds the money (Conflict insufficient_funds)."""
    require(actor, "pools.reverse")
    reason = _text("reason", reason, 300, required=True)
    with transaction.atomic():
        c = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
        if c is None:
            raise NotFound()
        _managed_pool(actor, c.pool_id)
        if c.reversed_at is not None:
            raise Conflict(_("This contribution has already been reversed."), code="already_reversed")
        txn = book_selectors.transaction_by_reference(c.books_reference)
        books.reverse_transaction(actor=actor, transaction=txn, reason=reason)
        c.reversed_at, c.reverse_reason = timezone.now(), reason
        c.save(update_fields=["reversed_at", "reverse_reason"])
        audit.record(actor=actor, action="pools.contribution_reversed", obj=c, changes={"reason": reason})
    return c


def keylist_add(*, actor: Actor, credit_code: str, name: str, list_name: str) -> KeyListEntry:
    require(actor, "pools.manage")
    code = _text("credit_code", credit_code, 18, required=True).upper()
    name = _text("name", name, 200, required=True)
    list_name = _text("list_name", list_name, 200, required=True)
    with transaction.atomic():
        if KeyListEntry.objects.filter(credit_code=code).exists():
            raise Conflict(_("This enterprise is already on a key list."), code="duplicate")
        entry = KeyListEntry.objects.create(credit_code=code, name=name, list_name=list_name,
                                            added_by=actor.organisation)
        audit.record(actor=actor, action="pools.keylist_added", obj=entry,
                     changes={"credit_code": code, "list_name": list_name})
    return entry


def loss_ratio_record(*, actor: Actor, institution_id: int, ratio, as_of: date, source: str = "") -> LossRatioReport:
    require(actor, "pools.manage")
    try:
        value = Decimal(str(ratio))
    except (InvalidOperation, ValueError) as exc:
        raise field_error("ratio", _("Give a ratio between 0 and 1.")) from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise field_error("ratio", _("Give a ratio between 0 and 1."))
    if value.as_tuple().exponent < -6:  # rounding it would move a ratio just above 3% to 3%
        raise field_error("ratio", _("Give the ratio to at most six decimal places."))
    if not Organisation.objects.filter(pk=institution_id, kind__in=[OrgKind.BANK, OrgKind.GUARANTOR,
                                                                    OrgKind.INVESTOR]).exists():
        raise field_error("institution_id", _("Give a bank, guarantor or investor."))
    with transaction.atomic():
        report = LossRatioReport.objects.create(institution_id=institution_id,
                                                ratio=value.quantize(Decimal("0.000001")),
                                                as_of=as_of, source=_text("source", source, 200),
                                                recorded_by=actor.organisation)
        audit.record(actor=actor, action="pools.loss_ratio_recorded", obj=report,
                     changes={"institution": institution_id, "ratio": str(report.ratio), "as_of": as_of.isoformat()})
    return report


# --- claims -----------------------------------------------------------------------------------------


def covering_pool(*, level: str, facts_: dict, claimant_id: int) -> Pool | None:
    """The oldest active pool of `level` that covers this loan and claimant."""
    qs = Pool.objects.filter(level=level, status=Pool.Status.ACTIVE)
    if level in (Level.CITY, Level.DISTRICT):
        qs = qs.filter(region=facts_["region"])
    if level == Level.DISTRICT:
        if not facts_.get("borrower_district"):
            return None  # a borrower without a district has no district pool
        qs = qs.filter(district=facts_["borrower_district"])
    for pool in qs.order_by("id"):
        if pool.institutions.filter(pk=claimant_id).exists():
            return pool
        if facts_.get("programme_id") and pool.programmes.filter(pk=facts_["programme_id"]).exists():
            return pool
    return None


def _paid_or_promised(**filters) -> int:
    return Claim.objects.filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID], **filters).aggregate(
        s=Sum("total_fen"))["s"] or 0


def _ratio_line(detail: dict) -> dict:
    """Which loss ratio the pause rule used: computed from the platform's loans, or the
    department's reported figure overriding it."""
    pct = rules.pct
    report = detail["report"]
    if report is None:
        text = (_("Institution loss ratio %(ratio)s, computed from its loans on the platform.") % {
            "ratio": pct(detail["ratio"])} if detail["ratio"] is not None else
            _("Institution loss ratio: none computed (no disbursed loans on the platform)."))
    else:
        text = _("Institution loss ratio %(ratio)s as reported to %(by)s on %(on)s (%(source)s), overriding the "
                 "%(computed)s computed from its loans on the platform.") % {
            "ratio": pct(report.ratio), "by": report.recorded_by.name, "on": report.as_of.isoformat(),
            "source": report.source or "—", "computed": pct(detail["computed"])}
    return {"rule": f"loss_ratio.{detail['source']}", "text": text,
            "rate": None if detail["ratio"] is None else str(detail["ratio"]), "amount_fen": None}


def _sharing_vector(facts_: dict) -> tuple[dict | None, str]:
    """An IP-pledge loan shares its loss by its programme's vector (the fund's part is the
    programme's "public" part); without a programme, by the policy's default vector."""
    if facts_.get("loss_sharing"):
        return ({k: str(v) for k, v in facts_["loss_sharing"].items()},
                _("vector of the programme %(programme)s") % {"programme": facts_["programme"]})
    return None, _("policy default")


def _compute(claim: Claim, facts_: dict) -> None:
    """Compute the claim once per portal language, so every reader gets the rule lines in their own
    language (each line keeps `text` in the filing language and `texts` by language code)."""
    filing = translation.get_language() or settings.LANGUAGE_CODE
    texts: dict[str, list[str]] = {}
    for code in [c for c, _name in settings.LANGUAGES if c != filing] + [filing]:
        with translation.override(code):
            _compute_in_language(claim, facts_)
        texts[code] = [line["text"] for line in claim.lines]
    for i, line in enumerate(claim.lines):
        line["texts"] = {code: texts[code][i] for code in texts}


def _compute_in_language(claim: Claim, facts_: dict) -> None:
    """Run the rule engine with the policy in force and store each layer, its pool and the lines."""
    used = set(Claim.objects.filter(loan_id=claim.loan_id, status__in=LIVE_STATUSES).exclude(pk=claim.pk)
               .exclude(mode=Mode.INVESTOR_PRINCIPAL).values_list("mode", flat=True))
    detail = facts.loss_ratio_detail(claim.institution_id)
    # Stored rounded; the rules below get the exact ratio (3.000001% pauses).
    claim.loss_ratio, claim.loss_ratio_source = facts.stored_ratio(detail["ratio"]), detail["source"]
    year = timezone.localdate().year
    if claim.mode == Mode.INVESTOR_PRINCIPAL:
        result, _layering_version = investor_rules.investor_cover_in_force(
            invested_fen=claim.principal_fen, loss_fen=claim.loss_fen, institution_loss_ratio=detail["ratio"])
    else:
        vector, source = _sharing_vector(facts_) if claim.ip_pledge_sharing else (None, "")
        if claim.ip_pledge_sharing:
            claim.sharing_vector = {"vector": vector, "source": source}
        result = rules.compensation_in_force(claim=rules.Claim(
            principal_fen=claim.principal_fen, loss_fen=claim.loss_fen, mode=claim.mode,
            key_list_firm=claim.key_list_firm, ip_pledge=claim.ip_pledge,
            central_bank_relending=claim.central_bank_relending, ip_pledge_sharing=claim.ip_pledge_sharing,
            sharing_vector=vector, sharing_source=source,
            modes_already_used=frozenset(used), institution_loss_ratio=detail["ratio"],
            firm_compensated_fen=_paid_or_promised(loan__borrower_credit_code=facts_["borrower_credit_code"]),
            institution_year_compensated_fen=_paid_or_promised(institution_id=claim.institution_id,
                                                               decided_at__year=year),
        ))
    lines = [_ratio_line(detail)] + [
        {"rule": x.rule, "text": x.text, "rate": str(x.rate) if x.rate is not None else None,
         "amount_fen": x.amount_fen} for x in result.lines]
    layers = []
    for layer in result.layers:
        pool = covering_pool(level=layer.level, facts_=facts_, claimant_id=claim.institution_id)
        amount = layer.amount_fen
        if pool is None and amount:
            lines.insert(len(lines) - 1, {"rule": "pool.none", "rate": None, "amount_fen": 0, "text": _(
                "No active %(level)s pool covers this loan and institution: that layer pays nothing.") % {
                "level": Level(layer.level).label}})
            amount = 0
        elif pool is not None and amount:
            lines.insert(len(lines) - 1, {"rule": f"pool.{layer.level}", "rate": None, "amount_fen": amount,
                                          "text": _pool_match_text(pool, facts_)})
        layers.append({"level": layer.level, "amount_fen": amount, "pool_id": pool.pk if pool else None,
                       "pool": pool.name if pool else ""})
    claim.policy_version = result.policy_version
    claim.eligible = result.eligible
    claim.rate = result.rate
    claim.total_fen = sum(x["amount_fen"] for x in layers)
    if claim.total_fen != result.total_fen:
        lines[-1] = {"rule": "total", "rate": None, "amount_fen": claim.total_fen, "text": _(
            "Total compensation: %(total)s yuan of a loss of %(loss)s yuan.") % {
            "total": fen_to_yuan(claim.total_fen), "loss": fen_to_yuan(claim.loss_fen)}}
    claim.layers = layers
    claim.lines = lines
    if not result.eligible:
        claim.status = ClaimStatus.INELIGIBLE


def _pool_match_text(pool: Pool, facts_: dict) -> str:
    if pool.level == Level.DISTRICT:
        return _("%(pool)s pays the district layer: the borrower is in %(district)s.") % {
            "pool": pool.name, "district": pool.district}
    if pool.level == Level.CITY:
        return _("%(pool)s pays the city layer: the loan is in %(city)s.") % {
            "pool": pool.name, "city": Region(pool.region).label if pool.region in Region.values else pool.region}
    return _("%(pool)s pays the %(level)s layer.") % {"pool": pool.name, "level": Level(pool.level).label}


def claim_file(*, actor: Actor, loan_id: int, mode: str = Mode.BANK_LOSS, loss_fen: int | None = None,
               statement: str = "") -> Claim:
    """File a claim for a defaulted loan. Bank-loss mode: the lender claims the unrecovered exposure.
    Guarantor mode: the programme's guarantor claims what it paid out (loss_fen, at most the
    exposure). The platform computes the compensation at once; a claim the rules refuse (paused
    institution, other mode already used, loan above the tiers) is stored as not eligible. An IP-pledge
    loan shares its loss by its programme's vector (by the policy's default vector without a
    programme). Investors claim through investor_claim_file."""
    require(actor, "pools.claim_file")
    if mode not in (Mode.BANK_LOSS, Mode.GUARANTOR_PAYOUT):
        raise field_error("mode", _("Choose a mode."))
    statement = _text("statement", statement, 4000)
    with transaction.atomic():
        facts_ = facts.loan_facts(actor=actor, loan_id=loan_id)
        loan = financing_selectors.loan_lock(loan_id=loan_id)  # serialises claims on one loan
        default = facts_["default"]
        if default is None:
            raise Conflict(_("Only a defaulted loan can be claimed for."), code="not_defaulted")
        outstanding = default["amount_fen"] - default["recovered_fen"]
        if mode == Mode.BANK_LOSS:
            if facts_["institution_id"] != actor.organisation_id:
                raise NotFound()
            loss = outstanding
        else:
            if facts_["guarantor_id"] != actor.organisation_id:
                raise NotFound()
            loss = _amount("loss_fen", loss_fen)
            if loss > outstanding:
                raise field_error("loss_fen", _("The payout claimed is more than the unrecovered exposure."))
        if loss <= 0:
            raise Conflict(_("Nothing is left to claim: the exposure has been recovered."), code="nothing_to_claim")
        if Claim.objects.filter(loan=loan, mode=mode, status__in=LIVE_STATUSES).exists():
            raise Conflict(_("This loan already has a claim in this mode."), code="duplicate_claim")
        claim = Claim(
            institution=actor.organisation, loan=loan, default_id=default["id"], mode=mode,
            principal_fen=facts_["principal_fen"], loss_fen=loss, key_list_firm=facts_["key_list"],
            ip_pledge=facts_["kind"] == LoanKind.IP_PLEDGE,
            central_bank_relending=facts_["central_bank_relending"],
            ip_pledge_sharing=facts_["kind"] == LoanKind.IP_PLEDGE,
            last_recovery_id=facts.last_recovery_id(default["id"]), statement=statement, filed_by=actor.user,
        )
        _store_filed(actor=actor, claim=claim, facts_=facts_,
                     duplicate=_("This loan already has a claim in this mode."),
                     changes={"loan": loan.pk, "default": default["id"], "mode": mode, "loss_fen": loss})
    return claim


def _store_filed(*, actor: Actor, claim: Claim, facts_: dict, duplicate: str, changes: dict) -> None:
    """Compute a new claim, save it (the unique index refuses a second live claim: `duplicate`)
    and audit the filing with the computation's outcome."""
    _compute(claim, facts_)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        raise Conflict(duplicate, code="duplicate_claim") from exc
    audit.record(actor=actor, action="pools.claim_filed", obj=claim,
                 changes={**changes, "policy_version": claim.policy_version, "eligible": claim.eligible,
                          "total_fen": claim.total_fen, "layers": claim.layers})


def investor_claim_file(*, actor: Actor, stake_id: int, loss_fen: int, statement: str = "") -> Claim:
    """投贷联动: an investor claims for its principal loss on an equity stake linked to an
    investment-linked loan that has defaulted. The loss is at most the amount invested; the cover
    is the versioned policy "pools.investor_cover", layered like the bank-loss rules."""
    require(actor, "pools.claim_file")
    if actor.kind != OrgKind.INVESTOR:
        raise NotFound()
    statement = _text("statement", statement, 4000)
    _amount("loss_fen", loss_fen)
    with transaction.atomic():
        stake = facts.investor_stake(actor=actor, stake_id=stake_id)
        facts_ = facts.loan_facts(actor=actor, loan_id=stake.loan_id)
        loan = financing_selectors.loan_lock(loan_id=stake.loan_id)  # serialises claims on one loan
        if facts_["default"] is None:
            raise Conflict(_("The investment-linked loan of this stake has not defaulted."), code="not_defaulted")
        if loss_fen > stake.amount_fen:
            raise field_error("loss_fen", _("The principal loss claimed is more than the amount invested."))
        if Claim.objects.filter(stake_id=stake.pk, status__in=LIVE_STATUSES).exists():
            raise Conflict(_("This stake already has a claim."), code="duplicate_claim")
        claim = Claim(
            institution=actor.organisation, loan=loan, default_id=facts_["default"]["id"],
            mode=Mode.INVESTOR_PRINCIPAL, stake_id=stake.pk, principal_fen=stake.amount_fen, loss_fen=loss_fen,
            key_list_firm=facts_["key_list"], central_bank_relending=False,
            last_recovery_id=facts.last_recovery_id(facts_["default"]["id"]), statement=statement,
            filed_by=actor.user,
        )
        _store_filed(actor=actor, claim=claim, facts_=facts_, duplicate=_("This stake already has a claim."),
                     changes={"loan": loan.pk, "stake": stake.pk, "default": facts_["default"]["id"],
                              "mode": claim.mode, "loss_fen": loss_fen})
    return claim


def stake_recovery_record(*, actor: Actor, claim_id: int, amount_fen: int, received_on: date,
                          note: str = "") -> StakeRecovery:
    """The investor records money recovered on its stake after claiming (liquidation proceeds, a
    sale of the shares). Once the claim is paid, the pools' part flows back pro rata right away
    (and, if anything crashed in between, on the next payout job)."""
    require(actor, "pools.claim_file")
    _amount("amount_fen", amount_fen)
    note = _text("note", note, 300)
    if received_on > timezone.localdate():
        raise field_error("received_on", _("The date cannot be in the future."))
    with transaction.atomic():
        claim = _own_claim(actor, claim_id)
        if claim.mode != Mode.INVESTOR_PRINCIPAL:
            raise Conflict(_("Recoveries on a loan are recorded on the loan by the lender."), code="not_investor")
        if claim.status not in LIVE_STATUSES:
            raise Conflict(_("This claim is closed."), code="closed")
        before = claim.stake_recoveries.aggregate(s=Sum("amount_fen"))["s"] or 0
        if before + amount_fen > claim.loss_fen:
            raise field_error("amount_fen", _("Recoveries on the stake cannot exceed the principal loss claimed."))
        rec = StakeRecovery.objects.create(claim=claim, amount_fen=amount_fen, received_on=received_on, note=note,
                                           recorded_by=actor.user)
        audit.record(actor=actor, action="pools.stake_recovery_recorded", obj=claim,
                     changes={"stake_recovery": rec.pk, "amount_fen": amount_fen,
                              "received_on": received_on.isoformat()})
    system = Actor.system(claim.institution)
    if payouts.flow_back_claim(actor=system, claim_id=claim.pk):
        for pool_id in sorted(set(claim.payouts.values_list("pool_id", flat=True))):
            payouts.pay_pool(actor=system, pool_id=pool_id)  # returned money pays what waits there
    return rec


def _own_claim(actor: Actor, claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=claim_id, institution_id=actor.organisation_id).first()
    if claim is None:
        raise NotFound()
    return claim


def claim_document_add(*, actor: Actor, claim_id: int, title: str, filename: str, content: bytes) -> ClaimDocument:
    require(actor, "pools.claim_file")
    title = _text("title", title, 200, required=True)
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise field_error("file", _("Attach a file of at most 10 MB."))
    with transaction.atomic():
        claim = _own_claim(actor, claim_id)
        if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED):
            raise Conflict(_("Documents are added before the decision."), code="decided")
        digest = hashlib.sha256(content).hexdigest()
        safe = "".join(ch for ch in (filename or "document")[-80:] if ch.isalnum() or ch in "._-") or "document"
        doc = ClaimDocument(claim=claim, title=title, sha256=digest, size=len(content))
        doc.file.save(f"{claim.pk}-{digest[:12]}-{safe}", ContentFile(content), save=False)
        doc.save()
        audit.record(actor=actor, action="pools.claim_document_added", obj=claim,
                     changes={"document": doc.pk, "title": title, "sha256": digest})
    return doc


def claim_withdraw(*, actor: Actor, claim_id: int) -> Claim:
    require(actor, "pools.claim_file")
    with transaction.atomic():
        claim = _own_claim(actor, claim_id)
        if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED):
            raise Conflict(_("Only an undecided claim can be withdrawn."), code="decided")
        claim.status = ClaimStatus.WITHDRAWN
        claim.save(update_fields=["status"])
        audit.record(actor=actor, action="pools.claim_withdrawn", obj=claim)
    return claim


def _department_claim(actor: Actor, claim_id: int) -> Claim:
    from .selectors import claim_list

    claim = claim_list(actor=actor).select_for_update(of=("self",)).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def claim_review(*, actor: Actor, claim_id: int, recommend: bool, note: str = "") -> Claim:
    """The maker: checks the claim and its documents and recommends a decision."""
    require(actor, "pools.claim_review")
    note = _text("note", note, 500, required=not recommend)
    with transaction.atomic():
        claim = _department_claim(actor, claim_id)
        if claim.status != ClaimStatus.SUBMITTED:
            raise Conflict(_("Only a submitted claim can be reviewed."), code="not_submitted")
        claim.status = ClaimStatus.REVIEWED
        claim.reviewed_by, claim.reviewed_at = actor.user, timezone.now()
        claim.review_note = note if recommend else f"[{_('recommend rejection')}] {note}"
        claim.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(actor=actor, action="pools.claim_reviewed", obj=claim,
                     changes={"recommend": bool(recommend), "note": note})
    return claim


def claim_decide(*, actor: Actor, claim_id: int, approve: bool, note: str = "") -> Claim:
    """The checker: another person than the reviewer approves or rejects. Approval queues one
    payout per layer that has an amount and a pool, and pays what the pools can fund now."""
    require(actor, "pools.claim_approve")
    note = _text("note", note, 500, required=not approve)
    with transaction.atomic():
        claim = _department_claim(actor, claim_id)
        if claim.status != ClaimStatus.REVIEWED:
            raise Conflict(_("Only a reviewed claim can be decided."), code="not_reviewed")
        if actor.user is None or claim.reviewed_by_id == actor.user.pk:
            raise PermissionDenied(_("The reviewer cannot also approve (maker-checker)."), code="maker_checker")
        claim.decided_by, claim.decided_at, claim.decision_note = actor.user, timezone.now(), note
        if not approve:
            claim.status = ClaimStatus.REJECTED
            claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
            audit.record(actor=actor, action="pools.claim_rejected", obj=claim, changes={"note": note})
            return claim
        items = [PayoutItem(claim=claim, pool_id=x["pool_id"], level=x["level"], amount_fen=x["amount_fen"])
                 for x in claim.layers if x["amount_fen"] > 0 and x["pool_id"]]
        claim.status = ClaimStatus.APPROVED if items else ClaimStatus.PAID
        if not items:
            claim.paid_at = timezone.now()
        claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "paid_at"])
        for item in items:
            item.save()
        audit.record(actor=actor, action="pools.claim_approved", obj=claim,
                     changes={"note": note, "total_fen": claim.total_fen,
                              "payouts": [[i.pk, i.pool_id, i.level, i.amount_fen] for i in items]})
        for pool_id in sorted({i.pool_id for i in items}):
            payouts.pay_pool(actor=actor, pool_id=pool_id)
    claim.refresh_from_db()
    return claim
