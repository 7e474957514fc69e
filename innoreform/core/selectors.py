"""Reads for the core domain, scoped to the actor. Invisible objects raise NotFound."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from .actor import Actor
from .errors import NotFound
from .models import (
    ApiKey,
    AuditEvent,
    Job,
    Jurisdiction,
    Membership,
    Notification,
    Organisation,
    OrgKind,
    PolicyStatus,
    PolicyVersion,
)
from .permissions import can


def organisation_list(*, actor: Actor, kind: str | None = None, region: str | None = None,
                      q: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if not can(actor, "organisation.view_all"):
        qs = qs.filter(pk=actor.organisation_id) if actor.organisation_id else qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region=region)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(credit_code__iexact=q))
    return qs.order_by("id")


def organisation_get(*, actor: Actor, organisation_id: int) -> Organisation:
    org = organisation_list(actor=actor).filter(pk=organisation_id).first()
    if org is None:
        raise NotFound()
    return org


def membership_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    if actor.organisation_id != organisation.pk and not can(actor, "organisation.view_all"):
        raise NotFound()
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("id")


def memberships_of_user(*, actor: Actor) -> QuerySet[Membership]:
    return Membership.objects.filter(user=actor.user, is_active=True, organisation__is_active=True).select_related(
        "organisation").order_by("id")


def api_key_list(*, actor: Actor) -> QuerySet[ApiKey]:
    if not can(actor, "apikey.manage"):
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organisation_id=actor.organisation_id).order_by("-id")


def api_key_get(*, actor: Actor, key_id: int) -> ApiKey:
    key = api_key_list(actor=actor).filter(pk=key_id).first()
    if key is None:
        raise NotFound()
    return key


def audit_search(*, actor: Actor, action: str | None = None, outcome: str | None = None,
                 organisation_id: int | None = None, object_type: str | None = None,
                 since: date | None = None, until: date | None = None, q: str | None = None) -> QuerySet[AuditEvent]:
    """Province departments and the platform operator see everything; a city department sees
    events of organisations in its city; an organisation's administrators see their own."""
    qs = AuditEvent.objects.select_related("organisation", "actor")
    if can(actor, "audit.search_all"):
        org = actor.organisation
        if org.kind == OrgKind.DEPARTMENT and org.jurisdiction != Jurisdiction.PROVINCE:
            qs = qs.filter(organisation__region=org.region)
    elif can(actor, "audit.search_own"):
        qs = qs.filter(organisation_id=actor.organisation_id)
    else:
        return qs.none()
    if action:
        qs = qs.filter(action__startswith=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    if q:
        qs = qs.filter(Q(actor_label__icontains=q) | Q(object_id=q) | Q(request_id=q))
    return qs.order_by("-id")


def policy_in_force(key: str, on: date | None = None) -> PolicyVersion:
    """The approved version effective on `on` (today by default): the highest version whose
    period covers the date. A read only: the shipped defaults are version 1, stored by a data
    migration (policies_registry.seed_defaults)."""
    on = on or timezone.localdate()
    found = (
        PolicyVersion.objects.filter(key=key, status=PolicyStatus.APPROVED, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-version")
        .first()
    )
    if found is None:
        raise NotFound(code="no_policy_in_force")
    return found


def policy_list(*, actor: Actor, key: str | None = None) -> QuerySet[PolicyVersion]:
    qs = PolicyVersion.objects.select_related("created_by", "approved_by")
    if not can(actor, "policy.view"):
        return qs.none()
    if key:
        qs = qs.filter(key=key)
    return qs.order_by("key", "-version")


def policy_get(*, actor: Actor, policy_id: int) -> PolicyVersion:
    policy = policy_list(actor=actor).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound()
    return policy


def notification_list(*, actor: Actor) -> QuerySet[Notification]:
    if actor.user is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=actor.user).order_by("-id")


def job_list(*, actor: Actor) -> QuerySet[Job]:
    if actor.user is None:
        return Job.objects.none()
    return Job.objects.filter(owner=actor.user).order_by("-created_at")


def job_get(*, actor: Actor, job_id) -> Job:
    job = job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job
