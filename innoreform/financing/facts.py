"""The one gateway from financing to the registry and credit apps.

`enterprise_facts` turns a registry enterprise into the facts dict that eligibility rules read;
matching takes facts dicts only, so the benchmark can feed synthetic ones. `credit_score` is the
one place a credit score is looked up (None when the enterprise has no score: the rule is then
"unknown", explained to the user)."""

from datetime import date

from django.utils import timezone

from innoreform.core.models import Organisation, OrgKind
from innoreform.credit import selectors as credit_selectors


def registry_enterprise(*, credit_code: str | None = None, organisation: Organisation | None = None):
    """The registry record (by credit code or platform account), or None."""
    from innoreform.registry import selectors as registry_selectors

    return registry_selectors.enterprise_lookup(credit_code=credit_code, organisation=organisation)


def credit_score(credit_code: str) -> float | None:
    """The enterprise's latest credit score from the credit app (None: not scored)."""
    return credit_selectors.latest_score_value(credit_code=credit_code)


def enterprise_facts(enterprise, *, on: date | None = None) -> dict:
    """Facts of a registry enterprise as of `on` (today)."""
    from innoreform.registry import selectors as registry_selectors

    on = on or timezone.localdate()
    enterprise = registry_selectors.enterprise_with_flags(enterprise, on=on)  # one query instead of three
    qualifications = registry_selectors.qualification_kinds_valid_on(enterprise, on)
    index = registry_selectors.latest_index(enterprise)
    latest = registry_selectors.latest_indicator(enterprise)
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
        "invention_patents": enterprise.valid_invention_patents,
        "staff": latest.staff_total if latest else None,
        "sales_fen": latest.sales_fen if latest else None,
        "dishonest": enterprise.on_dishonest_list,
        "abnormal_operation": enterprise.on_abnormal_list,
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
    from innoreform.registry import selectors as registry_selectors

    return registry_selectors.ip_rights_numbered(enterprise, numbers)


def is_enterprise(org: Organisation | None) -> bool:
    return org is not None and org.kind == OrgKind.ENTERPRISE
