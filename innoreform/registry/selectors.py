"""Reads for the registry, scoped to the actor. Objects the actor may not see raise NotFound.

Scopes: a province department and the platform operator see the whole registry; a city
department sees enterprises of its city; an enterprise sees its own record; a financial
institution sees enterprises that granted it access (valid today)."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import Jurisdiction, OrgKind

from . import models as m
from .permissions import can


def department_scope(actor: Actor, qs: QuerySet, region_field: str) -> QuerySet:
    """Restrict an oversight actor's queryset to its jurisdiction (city departments: their city)."""
    if actor.is_system:
        return qs
    if not can(actor, "registry.view_all"):
        return qs.none()
    org = actor.organisation
    if org.kind == OrgKind.DEPARTMENT and org.jurisdiction != Jurisdiction.PROVINCE:
        return qs.filter(**{region_field: org.region})
    return qs


def own_enterprise(*, actor: Actor) -> m.Enterprise:
    """The registry record of the actor's enterprise (linked account or the same credit code)."""
    org = actor.organisation
    if org is None or org.kind != OrgKind.ENTERPRISE:
        raise NotFound()
    found = m.Enterprise.objects.filter(Q(organisation=org) | Q(credit_code=org.credit_code or "-")).first()
    if found is None:
        raise NotFound(code="not_in_registry")
    return found


def enterprise_list(*, actor: Actor, region: str | None = None, industry: str | None = None, q: str | None = None,
                    listed: bool | None = None) -> QuerySet[m.Enterprise]:
    qs = m.Enterprise.objects.all()
    if can(actor, "registry.view_all"):
        qs = department_scope(actor, qs, "region")
    elif can(actor, "registry.bank_read"):
        today = timezone.localdate()
        qs = qs.filter(grants__institution_id=actor.organisation_id, grants__revoked_at__isnull=True,
                       grants__valid_until__gte=today).distinct()
    elif actor.kind == OrgKind.ENTERPRISE:
        org = actor.organisation
        qs = qs.filter(Q(organisation=org) | Q(credit_code=org.credit_code or "-"))
    else:
        return qs.none()
    if region:
        qs = qs.filter(region=region)
    if industry:
        qs = qs.filter(industry_code__startswith=industry)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q.strip()))
    if listed is not None:
        listed_ids = m.Declaration.objects.filter(status=m.DeclarationStatus.LISTED).values("enterprise_id")
        qs = qs.filter(pk__in=listed_ids) if listed else qs.exclude(pk__in=listed_ids)
    return qs.select_related("actual_controller").order_by("id")


def enterprise_get(*, actor: Actor, credit_code: str) -> m.Enterprise:
    found = enterprise_list(actor=actor).filter(credit_code=credit_code.strip().upper()).first()
    if found is None:
        raise NotFound()
    return found


def controller_group(*, actor: Actor, enterprise: m.Enterprise) -> QuerySet[m.Enterprise]:
    """Other enterprises under the same actual controller, within what the actor may see."""
    if enterprise.actual_controller_id is None:
        return m.Enterprise.objects.none()
    return enterprise_list(actor=actor).filter(actual_controller_id=enterprise.actual_controller_id).exclude(
        pk=enterprise.pk)


def latest_index(enterprise: m.Enterprise) -> m.IndexScore | None:
    return enterprise.index_scores.order_by("-year").first()


def current_listing(enterprise: m.Enterprise) -> m.Declaration | None:
    return enterprise.declarations.filter(status=m.DeclarationStatus.LISTED).order_by("-year").first()


# --- declarations -----------------------------------------------------------------------------------------


def declaration_list(*, actor: Actor, status: str | None = None, year: int | None = None,
                     region: str | None = None) -> QuerySet[m.Declaration]:
    qs = m.Declaration.objects.select_related("enterprise", "batch")
    if can(actor, "registry.view_all"):
        qs = department_scope(actor, qs, "enterprise__region")
    elif actor.kind == OrgKind.ENTERPRISE:
        try:
            qs = qs.filter(enterprise=own_enterprise(actor=actor))
        except NotFound:
            return qs.none()
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(enterprise__region=region)
    return qs.order_by("-year", "-id")


def declaration_get(*, actor: Actor, declaration_id: int) -> m.Declaration:
    found = declaration_list(actor=actor).filter(pk=declaration_id).first()
    if found is None:
        raise NotFound()
    return found


def review_queue(*, actor: Actor) -> QuerySet[m.Declaration]:
    if not can(actor, "registry.review"):
        return m.Declaration.objects.none()
    statuses = [m.DeclarationStatus.SUBMITTED]
    if can(actor, "registry.approve"):
        statuses += [m.DeclarationStatus.RECOMMENDED, m.DeclarationStatus.APPROVED]
    return declaration_list(actor=actor).filter(status__in=statuses).order_by("submitted_at", "id")


def public_list(*, year: int | None = None, region: str | None = None, q: str | None = None
                ) -> QuerySet[m.Declaration]:
    """The published list (名单): listed enterprises with their registration numbers. Public data."""
    qs = m.Declaration.objects.filter(status=m.DeclarationStatus.LISTED).select_related("enterprise", "batch")
    if year:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(enterprise__region=region)
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(registration_number=q.strip())
                       | Q(enterprise__credit_code=q.strip().upper()))
    return qs.order_by("-year", "registration_number")


# --- imports ----------------------------------------------------------------------------------------------


def import_list(*, actor: Actor) -> QuerySet[m.ImportBatch]:
    if not can(actor, "registry.import"):
        return m.ImportBatch.objects.none()
    qs = m.ImportBatch.objects.select_related("created_by", "organisation", "job")
    if not actor.is_platform_operator and not actor.is_system:
        qs = qs.filter(organisation_id=actor.organisation_id)
    return qs.order_by("-id")


def import_get(*, actor: Actor, batch_id: int) -> m.ImportBatch:
    found = import_list(actor=actor).filter(pk=batch_id).first()
    if found is None:
        raise NotFound()
    return found


# --- sharing ----------------------------------------------------------------------------------------------


def grant_list(*, actor: Actor) -> QuerySet[m.ConsentGrant]:
    qs = m.ConsentGrant.objects.select_related("enterprise", "institution", "granted_by")
    if actor.kind == OrgKind.ENTERPRISE:
        try:
            return qs.filter(enterprise=own_enterprise(actor=actor)).order_by("-id")
        except NotFound:
            return qs.none()
    if can(actor, "registry.bank_read"):
        return qs.filter(institution_id=actor.organisation_id).order_by("-id")
    return qs.none()


def grant_is_valid(grant: m.ConsentGrant) -> bool:
    return grant.revoked_at is None and grant.valid_until >= timezone.localdate()


def access_history(*, actor: Actor) -> QuerySet[m.AccessRecord]:
    """Who read the enterprise's data, what, when and why."""
    if actor.kind != OrgKind.ENTERPRISE:
        return m.AccessRecord.objects.none()
    try:
        enterprise = own_enterprise(actor=actor)
    except NotFound:
        return m.AccessRecord.objects.none()
    return m.AccessRecord.objects.filter(enterprise=enterprise).select_related("institution", "grant").order_by("-id")


def bank_enterprises(*, actor: Actor) -> list[dict]:
    """Enterprises with a valid grant to the actor's institution, with listing and index."""
    if not can(actor, "registry.bank_read"):
        return []
    today = timezone.localdate()
    grants = (m.ConsentGrant.objects.filter(institution_id=actor.organisation_id, revoked_at__isnull=True,
                                            valid_until__gte=today).select_related("enterprise").order_by("-id"))
    rows: dict[int, dict] = {}
    for grant in grants:
        row = rows.setdefault(grant.enterprise_id, {"enterprise": grant.enterprise, "grants": []})
        row["grants"].append(grant)
    ids = list(rows)
    listings = {d.enterprise_id: d for d in m.Declaration.objects.filter(
        enterprise_id__in=ids, status=m.DeclarationStatus.LISTED).order_by("year")}
    indices = {s.enterprise_id: s for s in m.IndexScore.objects.filter(enterprise_id__in=ids).order_by("year")}
    for eid, row in rows.items():
        row["listing"] = listings.get(eid)
        row["index"] = indices.get(eid)
    return list(rows.values())


# --- dashboard --------------------------------------------------------------------------------------------


def dashboard(*, actor: Actor, year: int | None = None) -> dict:
    if not can(actor, "registry.view_all"):
        raise NotFound()
    enterprises = department_scope(actor, m.Enterprise.objects.all(), "region")
    listed = department_scope(actor, m.Declaration.objects.filter(status=m.DeclarationStatus.LISTED),
                              "enterprise__region")
    if year:
        listed = listed.filter(year=year)
    by_city = {r["region"]: r["n"] for r in enterprises.values("region").annotate(n=Count("id"))}
    listed_city = {r["enterprise__region"]: r["n"] for r in listed.values("enterprise__region").annotate(
        n=Count("id"))}
    industries = Counter()
    for code in enterprises.values_list("industry_code", flat=True):
        industries[(code or "?")[:1]] += 1
    index_city = {r["enterprise__region"]: float(r["avg"] or 0) for r in department_scope(
        actor, m.IndexScore.objects.all(), "enterprise__region").values("enterprise__region").annotate(
        avg=Avg("score"))}
    return {
        "enterprises": enterprises.count(),
        "listed": listed.count(),
        "pending": department_scope(actor, m.Declaration.objects.filter(
            status__in=[m.DeclarationStatus.SUBMITTED, m.DeclarationStatus.RECOMMENDED]), "enterprise__region").count(),
        "by_city": by_city, "listed_by_city": listed_city, "index_by_city": index_city,
        "by_industry": dict(sorted(industries.items())),
    }


# --- system reads for other apps ---------------------------------------------------------------------------
# No actor: the callers are system computations (credit scoring over the whole registry, financing's
# eligibility facts for an enterprise the caller has already scoped), not a user browsing the registry.
# Anything shown to a user must come through the actor-scoped selectors above.


def enterprise_lookup(*, credit_code: str | None = None, organisation=None) -> m.Enterprise | None:
    """System lookup: the registry record of a platform account (linked, or by its credit code) or
    of a credit code; None when there is none."""
    if organisation is not None:
        return m.Enterprise.objects.filter(Q(organisation=organisation)
                                           | Q(credit_code=organisation.credit_code or "-")).first()
    if credit_code:
        return m.Enterprise.objects.filter(credit_code=credit_code.strip().upper()).first()
    return None


def enterprises_by_credit_code(credit_codes: list[str] | None = None) -> QuerySet[m.Enterprise]:
    """System read: every enterprise (or the given ones), in credit-code order (credit scoring)."""
    qs = m.Enterprise.objects.order_by("credit_code")
    if credit_codes is not None:
        qs = qs.filter(credit_code__in=credit_codes)
    return qs


def latest_index_scores(enterprises) -> dict[int, Decimal]:
    """System read: each enterprise's latest innovation index score, by enterprise id (one query)."""
    scores = {}
    for s in m.IndexScore.objects.filter(enterprise__in=enterprises).order_by("enterprise_id", "year"):
        scores[s.enterprise_id] = s.score  # the latest year wins
    return scores


def _live_on_list(on: date) -> Q:
    return Q(removed_on__isnull=True) | Q(removed_on__gt=on)


def listed_credit_codes(*, on: date) -> dict[str, set[str]]:
    """System read: credit codes on the dishonest-debtor and the abnormal-operation lists on `on`
    (listed by then, not removed), keyed "dishonest_debtor" and "abnormal_operation"."""
    live = _live_on_list(on) & Q(listed_on__lte=on)
    return {
        "dishonest_debtor": set(m.DishonestDebtorEntry.objects.filter(live)
                                .values_list("enterprise__credit_code", flat=True)),
        "abnormal_operation": set(m.AbnormalOperationEntry.objects.filter(live)
                                  .values_list("enterprise__credit_code", flat=True)),
    }


def consent_allows(*, institution_id: int, credit_code: str, purpose: str) -> bool:
    """System check: does the enterprise hold a valid (unrevoked, unexpired) consent grant to the
    institution for the purpose?"""
    grants = m.ConsentGrant.objects.filter(institution_id=institution_id, enterprise__credit_code=credit_code,
                                           purpose=purpose, revoked_at__isnull=True)
    return any(grant_is_valid(g) for g in grants)


def enterprise_with_flags(enterprise: m.Enterprise, *, on: date) -> m.Enterprise:
    """System read: the enterprise again, annotated in one query with `valid_invention_patents`
    and whether it has a live (not removed by `on`) entry on the dishonest-debtor list
    (`on_dishonest_list`) or the abnormal-operation list (`on_abnormal_list`)."""
    live = _live_on_list(on)
    return m.Enterprise.objects.filter(pk=enterprise.pk).annotate(
        valid_invention_patents=Count("ip_rights", filter=Q(ip_rights__kind=m.IpKind.INVENTION_PATENT,
                                                            ip_rights__status=m.IpStatus.VALID), distinct=True),
        on_dishonest_list=Exists(m.DishonestDebtorEntry.objects.filter(live, enterprise=OuterRef("pk"))),
        on_abnormal_list=Exists(m.AbnormalOperationEntry.objects.filter(live, enterprise=OuterRef("pk"))),
    ).get()


def qualification_kinds_valid_on(enterprise: m.Enterprise, on: date) -> list[str]:
    """The kinds of the enterprise's qualifications valid on `on`, sorted, without repeats."""
    return sorted(set(enterprise.qualifications.filter(valid_from__lte=on, valid_to__gte=on)
                      .values_list("kind", flat=True)))


def latest_indicator(enterprise: m.Enterprise) -> m.YearlyIndicator | None:
    return enterprise.indicators.order_by("-year").first()


def ip_rights_numbered(enterprise: m.Enterprise, numbers: list[str]) -> list[m.IntellectualProperty]:
    return list(enterprise.ip_rights.filter(number__in=numbers))
