"""Reads in IP cases, scoped by actor: a party sees its own disputes, a court its own, a mediation
body the mediations entrusted to it, a notary office its requests. Anything else is NotFound."""

from datetime import date, timedelta

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import OrgKind

from . import models as m


def dispute_list(*, actor: Actor, status: str | None = None, q: str | None = None) -> QuerySet[m.Dispute]:
    org = actor.organisation
    if org is None:
        return m.Dispute.objects.none()
    qs = m.Dispute.objects.select_related("court__organisation", "claimant", "respondent", "filing__site")
    if actor.is_system or actor.kind == OrgKind.PLATFORM_OPERATOR:
        pass
    elif actor.kind == OrgKind.COURT:
        qs = qs.filter(Q(court__organisation=org) | Q(cases__court__organisation=org)).distinct()
    elif actor.kind == OrgKind.MEDIATION_BODY:
        qs = qs.filter(mediations__organisation=org).distinct()
    else:
        qs = qs.filter(Q(claimant=org) | Q(respondent=org))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(platform_id__icontains=q) | Q(subject__icontains=q) | Q(cases__number__icontains=q)).distinct()
    return qs.order_by("-id")


def dispute_get(*, actor: Actor, dispute_id: int) -> m.Dispute:
    d = dispute_list(actor=actor).filter(pk=dispute_id).first()
    if d is None:
        raise NotFound()
    return d


def filing_queue(*, actor: Actor) -> QuerySet[m.Filing]:
    """Filings awaiting this court's decision, earliest due first."""
    if actor.kind != OrgKind.COURT:
        return m.Filing.objects.none()
    return (m.Filing.objects.filter(site__court__organisation=actor.organisation, status=m.FilingStatus.SUBMITTED)
            .select_related("dispute__claimant", "site").order_by("decision_due", "id"))


def case_list(*, actor: Actor, status: str | None = None, q: str | None = None) -> QuerySet[m.Case]:
    disputes = dispute_list(actor=actor)
    qs = m.Case.objects.filter(dispute__in=disputes).select_related("dispute__claimant", "court__organisation",
                                                                    "judge")
    if actor.kind == OrgKind.COURT:
        qs = qs.filter(court__organisation=actor.organisation)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(dispute__platform_id__icontains=q))
    return qs.order_by("-id")


def deadline_list(*, actor: Actor, status: str | None = None, kind: str | None = None,
                  due_before: date | None = None, overdue: bool = False) -> QuerySet[m.Deadline]:
    """Deadlines this actor must meet or can see on its disputes and notarial requests."""
    org = actor.organisation
    if org is None:
        return m.Deadline.objects.none()
    qs = m.Deadline.objects.select_related("case", "dispute", "owner", "notarial")
    if not (actor.is_system or actor.kind == OrgKind.PLATFORM_OPERATOR):
        qs = qs.filter(Q(owner=org) | Q(dispute__in=dispute_list(actor=actor).values("pk"))
                       | Q(notarial__requester=org) | Q(notarial__notary=org)).distinct()
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if due_before:
        qs = qs.filter(due_on__lte=due_before)
    if overdue:
        qs = qs.filter(status=m.DeadlineStatus.OPEN, due_on__lt=timezone.localdate()) | qs.filter(
            status=m.DeadlineStatus.LAPSED)
    return qs.order_by("due_on", "id")


def deadlines_due(*, actor: Actor, within_days: int = 7) -> QuerySet[m.Deadline]:
    return deadline_list(actor=actor, status=m.DeadlineStatus.OPEN).filter(
        owner=actor.organisation, due_on__lte=timezone.localdate() + timedelta(days=within_days))


def mediation_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.Mediation]:
    org = actor.organisation
    if org is None:
        return m.Mediation.objects.none()
    qs = m.Mediation.objects.select_related("dispute__claimant", "mediator", "organisation")
    if actor.kind == OrgKind.MEDIATION_BODY:
        qs = qs.filter(organisation=org)
    else:
        qs = qs.filter(dispute__in=dispute_list(actor=actor).values("pk"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def mediation_get(*, actor: Actor, mediation_id: int) -> m.Mediation:
    med = mediation_list(actor=actor).filter(pk=mediation_id).first()
    if med is None:
        raise NotFound()
    return med


def mediations_to_accept(*, actor: Actor) -> QuerySet[m.Mediation]:
    if actor.kind != OrgKind.MEDIATION_BODY:
        return m.Mediation.objects.none()
    return mediation_list(actor=actor, status=m.MediationStatus.AWAITING).order_by("accept_due")


def roster(*, organisation_id: int | None = None) -> QuerySet[m.Mediator]:
    """The mediator roster is public to parties and courts (scope, specialty, fees)."""
    qs = m.Mediator.objects.filter(is_active=True).select_related("organisation")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs


def notarial_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.NotarialRequest]:
    org = actor.organisation
    if org is None:
        return m.NotarialRequest.objects.none()
    qs = m.NotarialRequest.objects.select_related("requester", "notary", "dispute", "operator")
    if actor.kind == OrgKind.NOTARY_OFFICE:
        qs = qs.filter(notary=org)
    elif actor.kind == OrgKind.COURT:
        qs = qs.filter(dispute__in=dispute_list(actor=actor).values("pk"))
    elif not actor.is_system:
        qs = qs.filter(requester=org)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def notarial_get(*, actor: Actor, request_id: int) -> m.NotarialRequest:
    r = notarial_list(actor=actor).filter(pk=request_id).first()
    if r is None:
        raise NotFound()
    return r


def sites(*, court_id: int | None = None) -> QuerySet[m.ServicePoint]:
    qs = m.ServicePoint.objects.select_related("court__organisation")
    return qs.filter(court_id=court_id) if court_id else qs


def dashboard(*, actor: Actor, site_id: int | None = None) -> dict:
    """The court's figures: disputes by stage, deadlines due, mediation success rate, days from
    filing to decision; optionally for one service point."""
    disputes = dispute_list(actor=actor)
    if site_id:
        disputes = disputes.filter(filing__site_id=site_id)
    by_stage = {row["status"]: row["n"] for row in disputes.values("status").annotate(n=Count("id"))}
    mediations = m.Mediation.objects.filter(dispute__in=disputes.values("pk"))
    settled = mediations.filter(status=m.MediationStatus.SETTLED).count()
    failed = mediations.filter(status=m.MediationStatus.FAILED).count()
    decided = m.Filing.objects.filter(dispute__in=disputes.values("pk"), decided_at__isnull=False)
    avg = decided.aggregate(d=Avg(F("decided_at") - F("submitted_at")))["d"]
    today = timezone.localdate()
    dl = deadline_list(actor=actor, status=m.DeadlineStatus.OPEN).filter(dispute__in=disputes.values("pk"))
    by_site = list(disputes.values("filing__site__name").annotate(n=Count("id")).order_by("filing__site__name"))
    return {
        "by_stage": [(label, by_stage.get(value, 0)) for value, label in m.DisputeStatus.choices],
        "total": sum(by_stage.values()),
        "mediation_settled": settled, "mediation_failed": failed,
        "mediation_rate": round(100 * settled / (settled + failed)) if settled + failed else None,
        "decision_days": round(avg.total_seconds() / 86400, 1) if avg is not None else None,
        "due_week": dl.filter(due_on__lte=today + timedelta(days=7), due_on__gte=today).count(),
        "overdue": dl.filter(due_on__lt=today).count(),
        "by_site": [(r["filing__site__name"] or "-", r["n"]) for r in by_site],
    }
