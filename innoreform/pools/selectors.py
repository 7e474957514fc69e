"""Reads of the pools app, scoped to the actor; invisible objects raise NotFound.

Scopes: a claimant (bank, guarantor, investor) sees its own claims; a province department and the
platform operator see every pool and claim; a city department sees the pools it manages or of its
city and the claims on loans of its city."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from innoreform.books import selectors as book_selectors
from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import AuditEvent, Jurisdiction, OrgKind

from . import facts
from .models import (
    Claim,
    ClaimStatus,
    Contribution,
    KeyListEntry,
    LossRatioReport,
    PayoutItem,
    Pool,
    RecoveryShare,
)
from .permissions import can


def sees_all(actor: Actor) -> bool:
    return actor.is_system or can(actor, "pools.view_all")


def _city_department(actor: Actor) -> bool:
    org = actor.organisation
    return org is not None and org.kind == OrgKind.DEPARTMENT and org.jurisdiction != Jurisdiction.PROVINCE


def pool_list(*, actor: Actor, level: str | None = None) -> QuerySet[Pool]:
    if not sees_all(actor):
        return Pool.objects.none()
    qs = Pool.objects.select_related("owner")
    if _city_department(actor):
        qs = qs.filter(Q(owner_id=actor.organisation_id) | Q(region=actor.organisation.region))
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("id")


def pool_get(*, actor: Actor, pool_id: int) -> Pool:
    pool = pool_list(actor=actor).filter(pk=pool_id).first()
    if pool is None:
        raise NotFound()
    return pool


@dataclass
class PoolSummary:
    pool: Pool
    balance_fen: int
    contributed_fen: int
    paid_fen: int
    returned_fen: int
    waiting_fen: int
    waiting_items: int
    covered_outstanding_fen: int

    @property
    def leverage(self) -> Decimal | None:
        """Covered loans outstanding per yuan in the pool."""
        if self.balance_fen <= 0:
            return None
        return (Decimal(self.covered_outstanding_fen) / Decimal(self.balance_fen)).quantize(Decimal("0.01"))

    @property
    def leverage_capacity_fen(self) -> int:
        """Loans the pool can back at its leverage target."""
        return int(self.balance_fen * self.pool.leverage_target)


def pool_summaries(*, actor: Actor, pools=None) -> list[PoolSummary]:
    pools = list(pools if pools is not None else pool_list(actor=actor).prefetch_related("institutions",
                                                                                         "programmes"))
    ids = [p.pk for p in pools]
    balances = book_selectors.balances_by_id(p.books_account_id for p in pools if p.books_account_id)
    contributed = dict(Contribution.objects.filter(pool_id__in=ids, reversed_at__isnull=True).values("pool_id")
                       .annotate(s=Sum("amount_fen")).values_list("pool_id", "s"))
    paid = dict(PayoutItem.objects.filter(pool_id__in=ids, status=PayoutItem.Status.PAID).values("pool_id")
                .annotate(s=Sum("amount_fen")).values_list("pool_id", "s"))
    waiting = defaultdict(lambda: [0, 0])
    for pool_id, amount in PayoutItem.objects.filter(pool_id__in=ids, status=PayoutItem.Status.WAITING).values_list(
            "pool_id", "amount_fen"):
        waiting[pool_id][0] += amount
        waiting[pool_id][1] += 1
    returned = dict(RecoveryShare.objects.filter(payout__pool_id__in=ids).values("payout__pool_id")
                    .annotate(s=Sum("amount_fen")).values_list("payout__pool_id", "s"))
    return [PoolSummary(pool=p, balance_fen=balances.get(p.books_account_id, 0),
                        contributed_fen=contributed.get(p.pk, 0),
                        paid_fen=paid.get(p.pk, 0), returned_fen=returned.get(p.pk, 0),
                        waiting_fen=waiting[p.pk][0], waiting_items=waiting[p.pk][1],
                        covered_outstanding_fen=facts.covered_outstanding_fen(p)) for p in pools]


def contributions_of(*, actor: Actor, pool_id: int) -> QuerySet[Contribution]:
    pool = pool_get(actor=actor, pool_id=pool_id)
    return pool.contributions.select_related("contributor").order_by("-id")


def keylist(*, actor: Actor) -> QuerySet[KeyListEntry]:
    if not sees_all(actor):
        return KeyListEntry.objects.none()
    return KeyListEntry.objects.order_by("id")


def loss_ratio_reports(*, actor: Actor) -> QuerySet[LossRatioReport]:
    """Reported loss ratios (overrides of the computed ratio), newest first."""
    if not sees_all(actor):
        return LossRatioReport.objects.none()
    return LossRatioReport.objects.select_related("institution", "recorded_by").order_by("-as_of", "-id")


def claim_list(*, actor: Actor, status: str | None = None) -> QuerySet[Claim]:
    qs = Claim.objects.select_related("institution", "loan", "loan__programme", "stake")
    if sees_all(actor):
        if _city_department(actor):
            qs = qs.filter(loan__region=actor.organisation.region)
    elif actor.organisation_id is not None and can(actor, "pools.claim_file"):
        qs = qs.filter(institution_id=actor.organisation_id)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def claim_get(*, actor: Actor, claim_id: int) -> Claim:
    claim = claim_list(actor=actor).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def waiting_position(item: PayoutItem) -> int:
    """1 = next to be paid from its pool."""
    return PayoutItem.objects.filter(pool_id=item.pool_id, status=PayoutItem.Status.WAITING, id__lte=item.pk).count()


@dataclass
class TrailEvent:
    at: object
    action: str
    actor: str
    object_type: str
    object_id: str
    changes: dict


def claim_trail(*, actor: Actor, claim_id: int) -> list[TrailEvent]:
    """Every audit event of one claim from the loan's default to the payout and flow-backs: the
    default, recoveries, the claim, its payouts and their books transactions, in time order."""
    claim = claim_get(actor=actor, claim_id=claim_id)
    items = list(claim.payouts.values_list("id", flat=True))
    txns = book_selectors.transaction_ids_for(subject_type="pools.claim", subject_id=claim.pk)
    recoveries = [r.pk for r in facts.recoveries_after(default_id=claim.default_id, after_id=0)]
    wanted = Q(object_type="pools.claim", object_id=str(claim.pk))
    wanted |= Q(object_type="financing.loandefault", object_id=str(claim.default_id))
    wanted |= Q(object_type="financing.loan", object_id=str(claim.loan_id), action__in=[
        "financing.loan_contracted", "financing.loan_disbursed", "financing.loan_classified"])
    if items:
        wanted |= Q(object_type="pools.payoutitem", object_id__in=[str(i) for i in items])
    if txns:
        wanted |= Q(object_type="books.transaction", object_id__in=[str(t) for t in txns])
    if recoveries:
        wanted |= Q(object_type="financing.recovery", object_id__in=[str(r) for r in recoveries])
    events = AuditEvent.objects.filter(wanted).order_by("created_at", "id")
    return [TrailEvent(at=e.created_at, action=e.action, actor=e.actor_label, object_type=e.object_type,
                       object_id=e.object_id, changes=e.changes) for e in events]


# --- reports ----------------------------------------------------------------------------------------


def _group(rows: list[dict], key: str) -> list[dict]:
    out: dict[str, dict] = {}
    for r in rows:
        g = out.setdefault(r[key], {"name": r[key], "claims": 0, "claimed_fen": 0, "approved_fen": 0, "paid_fen": 0,
                                    "returned_fen": 0})
        g["claims"] += 1
        g["claimed_fen"] += r["loss_fen"]
        g["approved_fen"] += r["approved_fen"]
        g["paid_fen"] += r["paid_fen"]
        g["returned_fen"] += r["returned_fen"]
    return sorted(out.values(), key=lambda g: (-g["paid_fen"], g["name"]))


def report(*, actor: Actor) -> dict:
    """Pool balances and leverage; claims and payouts by city, institution and programme; loss
    ratios of the claimant institutions."""
    from innoreform.core.regions import Region

    if not sees_all(actor):
        raise NotFound()
    summaries = pool_summaries(actor=actor)
    claims = list(claim_list(actor=actor))
    paid = defaultdict(int)
    for claim_id, amount in PayoutItem.objects.filter(claim__in=[c.pk for c in claims],
                                                      status=PayoutItem.Status.PAID).values_list("claim_id",
                                                                                                 "amount_fen"):
        paid[claim_id] += amount
    returned = defaultdict(int)
    for claim_id, amount in RecoveryShare.objects.filter(claim__in=[c.pk for c in claims]).values_list(
            "claim_id", "amount_fen"):
        returned[claim_id] += amount
    rows = []
    for c in claims:
        approved = c.total_fen if c.status in (ClaimStatus.APPROVED, ClaimStatus.PAID) else 0
        rows.append({"city": str(Region(c.loan.region).label) if c.loan.region in Region.values else c.loan.region,
                     "institution": c.institution.name,
                     "programme": c.loan.programme.name if c.loan.programme_id else "—",
                     "loss_fen": c.loss_fen, "approved_fen": approved, "paid_fen": paid[c.pk],
                     "returned_fen": returned[c.pk]})
    institutions = sorted({c.institution_id: c.institution for c in claims}.values(), key=lambda o: o.pk)
    for s in summaries:
        for org in s.pool.institutions.all():
            if org not in institutions:
                institutions.append(org)
    ratios = []
    for org in institutions:
        ratio, source = facts.loss_ratio(org.pk)
        ratios.append({"institution": org.name, "ratio": facts.stored_ratio(ratio), "source": source,
                       "computed": facts.stored_ratio(facts.computed_loss_ratio(org.pk))})
    return {"pools": summaries, "by_city": _group(rows, "city"), "by_institution": _group(rows, "institution"),
            "by_programme": _group(rows, "programme"), "loss_ratios": ratios,
            "totals": {"balance_fen": sum(s.balance_fen for s in summaries),
                       "paid_fen": sum(r["paid_fen"] for r in rows),
                       "waiting_fen": sum(s.waiting_fen for s in summaries),
                       "claims": len(rows)}}
