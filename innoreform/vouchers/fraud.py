"""Fraud controls run on every claim. Each rule returns flags with the facts that triggered it;
a flagged claim goes to manual review, with the explanation shown next to it.

Rules:
- related_party: enterprise and institution share a shareholder, legal representative, actual
  controller, address or phone (registry facts, the voucher application and the listing). The
  first three make them related parties, which the scheme bans outright (refuse_related): such an
  order cannot be placed, and a claim on one cannot be cleared or approved, so no reviewer can wave
  it through. A shared address or phone only hints at a relation and stays a flag for review.
- group_cap: vouchers used this year across the actual controller's group exceed the group cap.
- duplicate_invoice: the same invoice number appears on another claim, anywhere.
- price_anomaly: the fee is far above the catalogue price or the category median.
- double_funding: the project is already funded by a science programme.
"""

import re
from decimal import Decimal
from statistics import median

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from innoreform.core.errors import Conflict
from innoreform.core.money import fen_to_yuan

from . import models as m
from . import registry_adapter
from .policies import SchemeParams

MESSAGES = {
    "related_party": _("Enterprise and institution are related: %(links)s."),
    "group_cap": _("The actual controller's group has used %(used)s yuan this year, above the group cap of "
                   "%(cap)s yuan."),
    "duplicate_invoice": _("Invoice number %(invoice)s is also on claim(s) %(claims)s."),
    "price_anomaly": _("Unit fee %(fee)s yuan is more than %(factor)s× the %(basis)s (%(reference)s yuan)."),
    "double_funding": _("Project %(project)s is already funded by %(programmes)s."),
}
LINK_LABELS = {
    "shareholder": _("shared shareholder"),
    "legal_representative": _("same legal representative"),
    "actual_controller": _("same actual controller"),
    "address": _("same address"),
    "phone": _("same phone"),
}


def explain(flag: dict) -> str:
    params = dict(flag.get("params", {}))
    if flag.get("rule") == "related_party":
        params["links"] = "; ".join(f"{LINK_LABELS.get(k, k)} ({v})" for k, v in params.get("links", []))
    if flag.get("rule") == "price_anomaly":
        params["basis"] = _("catalogue price") if params.get("basis") == "catalogue" else _("category median")
    template = MESSAGES.get(flag.get("rule", ""))
    try:
        return str(template) % params if template else str(flag.get("rule"))
    except (KeyError, TypeError, ValueError):
        return str(template)


def normalise_invoice(number: str) -> str:
    return re.sub(r"[\s\-_/]", "", number or "").upper()


def _norm(text: str) -> str:
    return re.sub(r"[\s,，。.()（）\-]", "", text or "").lower()


BANNED_LINKS = ("shareholder", "legal_representative", "actual_controller")


def banned_links(*, enterprise, institution: m.Institution) -> list[tuple[str, str]]:
    """The links that make enterprise and institution related parties: a shared shareholder,
    legal representative or actual controller (by name, or the registry's controller key)."""
    inst = institution
    facts = registry_adapter.enterprise_facts(enterprise)
    links: list[tuple[str, str]] = []
    inst_people = {_norm(s): s for s in inst.shareholders}
    if facts is not None:
        for name in sorted(facts.shareholders):
            if _norm(name) in inst_people:
                links.append(("shareholder", name))
        if facts.legal_representative and _norm(facts.legal_representative) == _norm(inst.legal_representative):
            links.append(("legal_representative", facts.legal_representative))
        controller = facts.actual_controller_name
        if controller and inst.actual_controller and _norm(controller) == _norm(inst.actual_controller):
            links.append(("actual_controller", controller))
        inst_facts = registry_adapter.institution_registry_facts(inst.organisation)
        if inst_facts is not None and facts.actual_controller_key and \
                inst_facts.actual_controller_key == facts.actual_controller_key and \
                not any(k == "actual_controller" for k, _v in links):
            links.append(("actual_controller", facts.actual_controller_name))
    return links


def refuse_related(*, enterprise, institution: m.Institution) -> None:
    """Raise Conflict (related_party) when the two are related parties: the scheme pays nothing
    for a service an enterprise buys from its own side."""
    links = banned_links(enterprise=enterprise, institution=institution)
    if links:
        raise Conflict(explain({"rule": "related_party", "params": {"links": links}}), code="related_party",
                       details={"links": [kind for kind, _value in links]})


def related_links(*, order: m.Order) -> list[tuple[str, str]]:
    inst = order.institution
    application = order.voucher.application
    links = banned_links(enterprise=order.enterprise, institution=inst)
    if application.contact_address and _norm(application.contact_address) == _norm(inst.address):
        links.append(("address", inst.address))
    if application.contact_phone and re.sub(r"\D", "", application.contact_phone) == re.sub(r"\D", "", inst.phone):
        links.append(("phone", inst.phone))
    return links


def evaluate(*, claim: m.Claim, params: SchemeParams) -> list[dict]:
    order = claim.redemption.order
    flags: list[dict] = []
    links = related_links(order=order)
    if links:
        flags.append({"rule": "related_party", "params": {"links": links}})
    group = registry_adapter.group_organisation_ids(order.enterprise)
    used = (m.Redemption.objects.filter(voucher__enterprise_id__in=group, voucher__year=order.voucher.year,
                                        status=m.RedemptionStatus.ACTIVE)
            .aggregate(s=Sum("amount_fen"))["s"] or 0)
    if len(group) > 1 and used > params.group_cap_fen:
        flags.append({"rule": "group_cap",
                      "params": {"used": fen_to_yuan(used), "cap": fen_to_yuan(params.group_cap_fen)}})
    twins = list(m.Claim.objects.filter(invoice_no_normalised=claim.invoice_no_normalised)
                 .exclude(pk=claim.pk).order_by("pk").values_list("pk", flat=True)[:10])
    if twins:
        flags.append({"rule": "duplicate_invoice", "params": {"invoice": claim.invoice_no,
                                                              "claims": ", ".join(f"#{t}" for t in twins)}})
    unit_fee = order.fee_fen // max(order.quantity, 1)
    factor = params.price_anomaly_factor
    if unit_fee > order.service.price_fen * factor:
        flags.append({"rule": "price_anomaly", "params": {"fee": fen_to_yuan(unit_fee), "factor": str(factor),
                                                          "basis": "catalogue",
                                                          "reference": fen_to_yuan(order.service.price_fen)}})
    else:
        prices = list(m.ServiceItem.objects.filter(category=order.service.category, is_active=True,
                                                   institution__status=m.ListingStatus.LISTED)
                      .values_list("price_fen", flat=True)[:5000])
        if len(prices) >= 3:
            mid = Decimal(str(median(prices)))
            if unit_fee > mid * factor:
                flags.append({"rule": "price_anomaly", "params": {
                    "fee": fen_to_yuan(unit_fee), "factor": str(factor), "basis": "median",
                    "reference": fen_to_yuan(int(mid))}})
    if order.project_code:
        programmes = list(m.ProgrammeFunding.objects.filter(
            enterprise_id=order.enterprise_id, project_code=order.project_code.strip().upper())
            .values_list("programme", flat=True))
        if programmes:
            flags.append({"rule": "double_funding", "params": {"project": order.project_code,
                                                               "programmes": "; ".join(programmes)}})
    return flags
