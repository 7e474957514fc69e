"""Reads scoped to the actor; what the actor may not see is NotFound.

An enterprise sees its own items, applications, approvals, batches and follow-ups; customs, the
science department and the platform operator (biomed.view_all) see everyone's. Anyone else sees
nothing.
"""

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import OrgKind

from . import models as m
from .permissions import can


def sees_all(actor: Actor) -> bool:
    return can(actor, "biomed.view_all")


def _scoped(actor: Actor, qs: QuerySet, enterprise_field: str = "enterprise_id") -> QuerySet:
    if sees_all(actor):
        return qs
    if actor.kind == OrgKind.ENTERPRISE:
        return qs.filter(**{enterprise_field: actor.organisation_id})
    return qs.none()


def _get(qs: QuerySet, pk: int):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def item_list(*, actor: Actor, category: str | None = None, q: str | None = None) -> QuerySet[m.Item]:
    qs = _scoped(actor, m.Item.objects.select_related("enterprise"))
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(hs_code__startswith=q) | Q(enterprise__name__icontains=q))
    return qs.order_by("-id")


def item_get(*, actor: Actor, item_id: int) -> m.Item:
    return _get(item_list(actor=actor), item_id)


def application_list(*, actor: Actor, status: str | None = None, level: str | None = None,
                     q: str | None = None) -> QuerySet[m.Application]:
    qs = _scoped(actor, m.Application.objects.select_related("enterprise", "item"))
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(item__name__icontains=q) | Q(enterprise__name__icontains=q))
    return qs.order_by("-id")


def application_get(*, actor: Actor, application_id: int) -> m.Application:
    return _get(application_list(actor=actor), application_id)


def approval_list(*, actor: Actor, status: str | None = None, level: str | None = None,
                  q: str | None = None) -> QuerySet[m.Approval]:
    qs = _scoped(actor, m.Approval.objects.select_related("enterprise", "item"))
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(item__name__icontains=q) | Q(enterprise__name__icontains=q))
    return qs.order_by("-id")


def approval_get(*, actor: Actor, approval_id: int) -> m.Approval:
    return _get(approval_list(actor=actor), approval_id)


def batch_list(*, actor: Actor, approval_id: int | None = None, port: str | None = None,
               q: str | None = None) -> QuerySet[m.Batch]:
    """The write-off ledger: every batch, oldest first, with its declaration number and balance."""
    qs = _scoped(actor, m.Batch.objects.select_related("approval__item", "approval__enterprise"),
                 "approval__enterprise_id")
    if approval_id:
        qs = qs.filter(approval_id=approval_id)
    if port:
        qs = qs.filter(port=port)
    if q:
        qs = qs.filter(Q(declaration_no__icontains=q) | Q(approval__number__icontains=q))
    return qs.order_by("id")


def follow_up_list(*, actor: Actor, status: str | None = None, kind: str | None = None) -> QuerySet[m.FollowUp]:
    qs = _scoped(actor, m.FollowUp.objects.select_related("approval__item", "approval__enterprise"),
                 "approval__enterprise_id")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("due_on", "id")


def follow_up_get(*, actor: Actor, follow_up_id: int) -> m.FollowUp:
    return _get(follow_up_list(actor=actor), follow_up_id)


def follow_ups_due(*, actor: Actor, within_days: int = 30, on: date | None = None) -> QuerySet[m.FollowUp]:
    today = on or timezone.localdate()
    return follow_up_list(actor=actor).filter(
        status__in=[m.FollowUpStatus.OPEN, m.FollowUpStatus.ESCALATED],
        due_on__lte=today + timezone.timedelta(days=within_days))


def follow_ups_overdue(*, actor: Actor, on: date | None = None) -> QuerySet[m.FollowUp]:
    today = on or timezone.localdate()
    return follow_up_list(actor=actor).filter(
        Q(status=m.FollowUpStatus.ESCALATED) | Q(status=m.FollowUpStatus.OPEN, due_on__lt=today))


def whitelist(*, actor: Actor, active: bool | None = None) -> QuerySet[m.WhitelistEntry]:
    """Everyone concerned sees the white list (an enterprise, its own entries, removals included)."""
    qs = _scoped(actor, m.WhitelistEntry.objects.select_related("enterprise", "item", "added_by", "removed_by"))
    if active is True:
        qs = qs.filter(removed_at__isnull=True)
    elif active is False:
        qs = qs.filter(removed_at__isnull=False)
    return qs.order_by("-id")


# --- statistics ----------------------------------------------------------------------------------------


def statistics(*, actor: Actor, year: int | None = None) -> dict:
    """Time to approval by level; batches and volumes by category and by port. Volumes are summed
    per unit (vials and millilitres do not add up)."""
    if not can(actor, "biomed.statistics"):
        raise NotFound()
    applications = m.Application.objects.filter(status=m.ApplicationStatus.APPROVED, decided_at__isnull=False)
    batches = m.Batch.objects.all()
    if year:
        applications = applications.filter(submitted_at__year=year)
        batches = batches.filter(declared_at__year=year)
    # Averaged here rather than in SQL: datetime differences are not portable between SQLite and
    # PostgreSQL, and a year's approvals are a few thousand rows.
    waits: dict[str, list[float]] = {level: [] for level in m.Level.values}
    automatic: dict[str, int] = dict.fromkeys(m.Level.values, 0)
    for level, submitted, decided, auto in applications.values_list("level", "submitted_at", "decided_at",
                                                                     "automatic").iterator():
        waits[level].append((decided - submitted).total_seconds() / 3600)
        automatic[level] += int(auto)
    by_level = [{"level": level, "label": m.Level(level).label, "approved": len(waits[level]),
                 "automatic": automatic[level],
                 "hours": round(sum(waits[level]) / len(waits[level]), 1) if waits[level] else None}
                for level in m.Level.values]
    by_category = []
    for r in (batches.values("approval__item__category", "unit").annotate(n=Count("id"), volume=Sum("quantity"))
              .order_by("approval__item__category", "unit")):
        by_category.append({"key": r["approval__item__category"],
                            "label": m.Category(r["approval__item__category"]).label, "unit": r["unit"],
                            "unit_label": m.Unit(r["unit"]).label, "batches": r["n"], "volume": r["volume"]})
    by_port = []
    for r in batches.values("port", "unit").annotate(n=Count("id"), volume=Sum("quantity")).order_by("port", "unit"):
        by_port.append({"key": r["port"], "label": m.Port(r["port"]).label, "unit": r["unit"],
                        "unit_label": m.Unit(r["unit"]).label, "batches": r["n"], "volume": r["volume"]})
    return {"by_level": by_level, "by_category": by_category, "by_port": by_port,
            "applications": m.Application.objects.count() if not year else
            m.Application.objects.filter(submitted_at__year=year).count(),
            "batches": batches.count()}
