"""The one gateway from financing to the registry and credit apps.

`enterprise_facts` turns a registry enterprise into the facts dict that eligibility rules read;
matching takes facts dicts only, so the benchmark can feed synthetic ones. `credit_score` is the
one place a credit score is looked up (None when the credit app has none: the rule is then
"unknown", explained to the user)."""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from innoreform.core.models import Organisation, OrgKind


def registry_enterprise(*, credit_code: str | None = None, organisation: Organisation | None = None):
    """The registry record (by credit code or platform account), or None."""
    from innoreform.registry.models import Enterprise

    if organisation is not None:
        return Enterprise.objects.filter(Q(organisation=organisation)
                                         | Q(credit_code=organisation.credit_code or "-")).first()
    if credit_code:
        return Enterprise.objects.filter(credit_code=credit_code.strip().upper()).first()
    return None


def credit_score(credit_code: str) -> float | None:
    """The enterprise's latest credit score from the credit app, if it offers one."""
    try:
        from innoreform.credit import selectors as credit_selectors
    except ImportError:
        return None
    lookup = getattr(credit_selectors, "latest_score_value", None)
    if lookup is None:
        return None
    try:
        value = lookup(credit_code=credit_code)
    except Exception:
        return None
    return float(value) if value is not None else None


def _with_flags(enterprise, on: date):
    """The enterprise again with its IP count and list flags annotated (one query instead of three)."""
    from innoreform.registry import models as rm

    live = Q(removed_on__isnull=True) | Q(removed_on__gt=on)
    return rm.Enterprise.objects.filter(pk=enterprise.pk).annotate(
        _patents=Count("ip_rights", filter=Q(ip_rights__kind="invention_patent", ip_rights__status="valid"),
                       distinct=True),
        _dishonest=Exists(rm.DishonestDebtorEntry.objects.filter(live, enterprise=OuterRef("pk"))),
        _abnormal=Exists(rm.AbnormalOperationEntry.objects.filter(live, enterprise=OuterRef("pk"))),
    ).get()


def enterprise_facts(enterprise, *, on: date | None = None) -> dict:
    """Facts of a registry enterprise as of `on` (today)."""
    from innoreform.registry import selectors as registry_selectors

    on = on or timezone.localdate()
    enterprise = _with_flags(enterprise, on)
    qualifications = sorted(set(enterprise.qualifications.filter(valid_from__lte=on, valid_to__gte=on)
                                .values_list("kind", flat=True)))
    index = registry_selectors.latest_index(enterprise)
    latest = enterprise.indicators.order_by("-year").first()
    years = None
    if enterprise.registered_on:
        years = round((on - enterprise.registered_on).days / 365.25, 2)
    return {
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "region": enterprise.region,
        "industry": enterprise.industry_code or None,
        "qualifications": qualifications,
        "tech_sme": registry_selectors.current_listing(enterprise) is not None,
        "innovation_index": float(index.score) if index is not None else None,
        "credit_score": credit_score(enterprise.credit_code),
        "years_registered": years,
        "invention_patents": enterprise._patents,
        "staff": latest.staff_total if latest else None,
        "sales_fen": latest.sales_fen if latest else None,
        "dishonest": enterprise._dishonest,
        "abnormal_operation": enterprise._abnormal,
    }


def facts_for_organisation(organisation: Organisation) -> dict:
    """Facts of an enterprise account: from the registry when it has a record, otherwise only
    what the account itself says (city), so rules on the rest are "unknown"."""
    enterprise = registry_enterprise(organisation=organisation)
    if enterprise is not None:
        return enterprise_facts(enterprise)
    return {"credit_code": organisation.credit_code, "name": organisation.name, "region": organisation.region,
            "qualifications": None, "tech_sme": None}


def enterprise_ip(*, organisation: Organisation | None, credit_code: str, numbers: list[str]) -> list:
    """The borrower's IP rights with these numbers (for IP pledges)."""
    enterprise = registry_enterprise(credit_code=credit_code) or (
        registry_enterprise(organisation=organisation) if organisation else None)
    if enterprise is None:
        return []
    return list(enterprise.ip_rights.filter(number__in=numbers))


def is_enterprise(org: Organisation | None) -> bool:
    return org is not None and org.kind == OrgKind.ENTERPRISE
