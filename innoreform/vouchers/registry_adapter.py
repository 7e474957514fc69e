"""Everything the vouchers need from the enterprise registry, behind one small interface.

Reads go through innoreform.registry.selectors with the system actor (eligibility and fraud
checks are the platform's own, not the requesting user's view). If the registry lacks a fact
(it has no address or phone), the voucher application supplies it.
"""

from dataclasses import dataclass, field
from datetime import date

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound


@dataclass(frozen=True)
class EnterpriseFacts:
    registry_id: int
    credit_code: str
    name: str
    region: str
    registered_on: date | None
    legal_representative: str
    actual_controller_key: str
    actual_controller_name: str
    shareholders: frozenset[str] = field(default_factory=frozenset)
    staff_total: int | None = None
    sales_fen: int | None = None
    indicators_year: int | None = None
    tech_sme_listed: bool = False
    tech_sme_registration: str = ""
    restricted: bool = False


def enterprise_facts(organisation) -> EnterpriseFacts | None:
    """The registry's facts about an enterprise organisation, or None when it is not registered."""
    from innoreform.registry import selectors as registry

    if organisation is None or not organisation.credit_code:
        return None
    try:
        ent = registry.enterprise_get(actor=Actor.system(), credit_code=organisation.credit_code)
    except NotFound:
        return None
    indicator = ent.indicators.order_by("-year").first()
    listing = registry.current_listing(ent)
    controller = ent.actual_controller
    return EnterpriseFacts(
        registry_id=ent.pk, credit_code=ent.credit_code, name=ent.name, region=ent.region,
        registered_on=ent.registered_on, legal_representative=(ent.legal_representative or "").strip(),
        actual_controller_key=controller.key if controller else "",
        actual_controller_name=controller.name if controller else "",
        shareholders=frozenset(s.name.strip() for s in ent.shareholders.all() if s.name.strip()),
        staff_total=indicator.staff_total if indicator else None,
        sales_fen=indicator.sales_fen if indicator else None,
        indicators_year=indicator.year if indicator else None,
        tech_sme_listed=listing is not None,
        tech_sme_registration=(listing.registration_number or "") if listing else "",
        restricted=ent.industry_restricted,
    )


def group_organisation_ids(organisation) -> set[int]:
    """Platform organisations of every enterprise under the same actual controller (itself included)."""
    from innoreform.registry import selectors as registry

    ids = {organisation.pk}
    if not organisation.credit_code:
        return ids
    try:
        ent = registry.enterprise_get(actor=Actor.system(), credit_code=organisation.credit_code)
    except NotFound:
        return ids
    for other in registry.controller_group(actor=Actor.system(), enterprise=ent).select_related("organisation"):
        if other.organisation_id:
            ids.add(other.organisation_id)
        else:
            from innoreform.core.models import Organisation

            linked = Organisation.objects.filter(credit_code=other.credit_code).values_list("pk", flat=True).first()
            if linked:
                ids.add(linked)
    return ids


def institution_registry_facts(organisation) -> EnterpriseFacts | None:
    """A mainland institution may also be in the registry (same credit code); Hong Kong and Macao ones are not."""
    return enterprise_facts(organisation)
