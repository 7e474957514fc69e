"""Reads scoped to the actor. What the actor may not see is NotFound.

Scopes: provincial departments and the platform operator see everything; a city department sees
its city's enterprises (vouchers, applications, orders, claims); an enterprise sees its own; an
institution sees its listing, its orders and its claims; everyone signed in sees listed
institutions, institutions in public notice, and the catalogue.
"""

from django.db.models import Q, QuerySet

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import Jurisdiction, OrgKind

from . import models as m
from .permissions import can


def city_scope(actor: Actor) -> str | None:
    """The city a city-level department is limited to (None: no limit)."""
    org = actor.organisation
    if actor.is_system or org is None:
        return None
    if org.kind == OrgKind.DEPARTMENT and org.jurisdiction != Jurisdiction.PROVINCE:
        return org.region
    return None


def sees_all(actor: Actor) -> bool:
    return can(actor, "vouchers.view_all")


def _get(qs: QuerySet, pk: int):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def voucher_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.Voucher]:
    qs = m.Voucher.objects.select_related("enterprise")
    if sees_all(actor):
        city = city_scope(actor)
        qs = qs.filter(city=city) if city else qs
    elif actor.kind == OrgKind.ENTERPRISE:
        qs = qs.filter(enterprise_id=actor.organisation_id)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def voucher_get(*, actor: Actor, voucher_id: int) -> m.Voucher:
    return _get(voucher_list(actor=actor), voucher_id)


def application_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.Application]:
    qs = m.Application.objects.select_related("enterprise")
    if sees_all(actor):
        city = city_scope(actor)
        qs = qs.filter(enterprise__region=city) if city else qs
    elif actor.kind == OrgKind.ENTERPRISE:
        qs = qs.filter(enterprise_id=actor.organisation_id)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def application_get(*, actor: Actor, application_id: int) -> m.Application:
    return _get(application_list(actor=actor), application_id)


PUBLIC_LISTING = (m.ListingStatus.IN_NOTICE, m.ListingStatus.LISTED)


def institution_list(*, actor: Actor, status: str | None = None, region: str | None = None,
                     category: str | None = None) -> QuerySet[m.Institution]:
    qs = m.Institution.objects.select_related("organisation")
    if not sees_all(actor):
        qs = qs.filter(Q(status__in=PUBLIC_LISTING) | Q(organisation_id=actor.organisation_id))
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region=region)
    if category:
        qs = qs.filter(categories__contains=[category]) if _json_contains() else qs.filter(
            categories__icontains=f'"{category}"')
    return qs.order_by("-id")


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def institution_get(*, actor: Actor, institution_id: int) -> m.Institution:
    return _get(institution_list(actor=actor), institution_id)


def own_institution(*, actor: Actor) -> m.Institution | None:
    if actor.kind != OrgKind.SERVICE_INSTITUTION:
        return None
    return m.Institution.objects.filter(organisation_id=actor.organisation_id).first()


def service_list(*, actor: Actor, category: str | None = None, institution_id: int | None = None,
                 q: str | None = None) -> QuerySet[m.ServiceItem]:
    qs = m.ServiceItem.objects.select_related("institution__organisation").filter(is_active=True)
    own = Q(institution__organisation_id=actor.organisation_id)
    qs = qs.filter(Q(institution__status=m.ListingStatus.LISTED) | own)
    if category:
        qs = qs.filter(category=category)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(institution__organisation__name__icontains=q))
    return qs.order_by("category", "price_fen", "id")


def order_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.Order]:
    qs = m.Order.objects.select_related("enterprise", "institution__organisation", "voucher", "service")
    if sees_all(actor):
        city = city_scope(actor)
        qs = qs.filter(voucher__city=city) if city else qs
    elif actor.kind == OrgKind.ENTERPRISE:
        qs = qs.filter(enterprise_id=actor.organisation_id)
    elif actor.kind == OrgKind.SERVICE_INSTITUTION:
        qs = qs.filter(institution__organisation_id=actor.organisation_id)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def order_get(*, actor: Actor, order_id: int) -> m.Order:
    return _get(order_list(actor=actor), order_id)


def redemption_list(*, actor: Actor) -> QuerySet[m.Redemption]:
    orders = order_list(actor=actor)
    return m.Redemption.objects.filter(order__in=orders.values("pk")).select_related(
        "order__service", "order__institution__organisation", "voucher", "payee").order_by("-id")


def redemption_get(*, actor: Actor, redemption_id: int) -> m.Redemption:
    return _get(redemption_list(actor=actor), redemption_id)


def claim_list(*, actor: Actor, status: str | None = None) -> QuerySet[m.Claim]:
    qs = m.Claim.objects.select_related("redemption__order__service", "redemption__voucher", "payee",
                                        "redemption__order__institution__organisation")
    if sees_all(actor):
        city = city_scope(actor)
        qs = qs.filter(redemption__voucher__city=city) if city else qs
    elif actor.kind in (OrgKind.ENTERPRISE, OrgKind.SERVICE_INSTITUTION):
        qs = qs.filter(Q(payee_id=actor.organisation_id) | Q(redemption__order__enterprise_id=actor.organisation_id))
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def claim_get(*, actor: Actor, claim_id: int) -> m.Claim:
    return _get(claim_list(actor=actor), claim_id)


def review_queue(*, actor: Actor) -> QuerySet[m.Claim]:
    if not can(actor, "vouchers.review"):
        return m.Claim.objects.none()
    statuses = [m.ClaimStatus.SUBMITTED, m.ClaimStatus.FLAGGED]
    if can(actor, "vouchers.approve"):
        statuses.append(m.ClaimStatus.REVIEWED)
    return claim_list(actor=actor).filter(status__in=statuses).order_by("submitted_at", "id")


def batch_list(*, actor: Actor) -> QuerySet[m.SettlementBatch]:
    if not can(actor, "vouchers.settle") or city_scope(actor):
        return m.SettlementBatch.objects.none()
    return m.SettlementBatch.objects.order_by("-id")


def batch_get(*, actor: Actor, batch_id: int) -> m.SettlementBatch:
    return _get(batch_list(actor=actor), batch_id)


def budget_list(*, actor: Actor) -> QuerySet[m.Budget]:
    if not sees_all(actor):
        return m.Budget.objects.none()
    qs = m.Budget.objects.select_related("available_account", "reserved_account", "source_account")
    city = city_scope(actor)
    if city:
        qs = qs.filter(Q(city=city) | Q(level=m.BudgetLevel.PROVINCE))
    return qs.order_by("-year", "level", "city")


def credit_file(*, actor: Actor, institution_id: int) -> QuerySet[m.CreditEvent]:
    inst = institution_get(actor=actor, institution_id=institution_id)
    return inst.credit_events.order_by("-id")
