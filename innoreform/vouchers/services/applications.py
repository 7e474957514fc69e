"""Enterprise applications: the eligibility rules with their reasons, the decision, and the
voucher issued against the budgets on approval."""

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, field_error
from innoreform.core.money import fen_to_yuan
from innoreform.core.regions import is_guangdong

from .. import models as m
from .. import money, registry_adapter
from ..policies import SchemeParams
from .access import check_amount, require, scheme

CHECKS = {
    "guangdong": _("The enterprise is registered in a Guangdong city (%(region)s)."),
    "in_registry": _("The enterprise is in the tech-SME registry."),
    "tech_sme": _("The enterprise is a listed tech SME (科技型中小企业) %(registration)s."),
    "staff": _("Staff %(value)s, at most %(limit)s."),
    "sales": _("Sales %(value)s yuan, at most %(limit)s yuan."),
    "industry": _("Not in a prohibited, restricted or obsolete industry."),
    "annual_cap": _("Vouchers issued this year %(used)s yuan of the per-enterprise cap %(cap)s yuan."),
    "group_cap": _("Vouchers issued this year to the actual controller's group (%(members)s enterprises) "
                   "%(used)s yuan of the group cap %(cap)s yuan."),
    "no_fraud": _("No voucher of the enterprise was cancelled for fraud."),
}


def explain(check: dict) -> str:
    template = CHECKS.get(check.get("rule", ""))
    if template is None:
        return check.get("rule", "")
    try:
        return str(template) % check.get("params", {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def _issued_fen(org_ids: set[int], year: int) -> int:
    """Face value committed this year: active and expired vouchers count in full, released money
    of expired or cancelled ones does not."""
    agg = m.Voucher.objects.filter(enterprise_id__in=org_ids, year=year).aggregate(
        face=Sum("face_fen"), released=Sum("released_fen"))
    return (agg["face"] or 0) - (agg["released"] or 0)


def eligibility(*, organisation, requested_fen: int, year: int, params: SchemeParams) -> tuple[list[dict], int]:
    """Each rule with its outcome and the figures it used; and the amount that can be granted."""
    checks: list[dict] = []

    def add(rule: str, ok: bool, **params) -> None:
        checks.append({"rule": rule, "ok": bool(ok), "params": params})

    add("guangdong", is_guangdong(organisation.region), region=organisation.get_region_display())
    facts = registry_adapter.enterprise_facts(organisation)
    add("in_registry", facts is not None)
    if facts is not None:
        if params.require_tech_sme:
            add("tech_sme", facts.tech_sme_listed, registration=facts.tech_sme_registration)
        add("staff", facts.staff_total is not None and facts.staff_total <= params.max_staff,
            value=facts.staff_total if facts.staff_total is not None else "—", limit=params.max_staff)
        add("sales", facts.sales_fen is not None and facts.sales_fen <= params.max_sales_fen,
            value=fen_to_yuan(facts.sales_fen) or "—", limit=fen_to_yuan(params.max_sales_fen))
        add("industry", not facts.restricted)
    own_used = _issued_fen({organisation.pk}, year)
    add("annual_cap", own_used < params.annual_cap_fen, used=fen_to_yuan(own_used),
        cap=fen_to_yuan(params.annual_cap_fen))
    group = registry_adapter.group_organisation_ids(organisation)
    group_used = _issued_fen(group, year)
    add("group_cap", group_used < params.group_cap_fen, used=fen_to_yuan(group_used),
        cap=fen_to_yuan(params.group_cap_fen), members=len(group))
    fraud = m.Voucher.objects.filter(enterprise=organisation, status=m.VoucherStatus.CANCELLED,
                                     closed_reason__startswith="fraud").exists()
    add("no_fraud", not fraud)
    if not all(c["ok"] for c in checks):
        return checks, 0
    grantable = min(requested_fen, params.annual_cap_fen - own_used, params.group_cap_fen - group_used)
    return checks, max(grantable, 0)


def application_submit(*, actor: Actor, requested_fen: int, purpose: str, contact_address: str = "",
                       contact_phone: str = "", on: date | None = None) -> m.Application:
    require(actor, "vouchers.apply")
    check_amount("requested_fen", requested_fen)
    if not purpose or not purpose.strip():
        raise field_error("purpose", _("Say what the voucher is for."))
    today = on or timezone.localdate()
    version, params = scheme(today)
    org = actor.organisation
    with transaction.atomic():
        if m.Application.objects.filter(enterprise=org, status=m.ApplicationStatus.SUBMITTED).exists():
            raise Conflict(_("An application of your enterprise is already awaiting review."),
                           code="application_pending")
        checks, grantable = eligibility(organisation=org, requested_fen=requested_fen, year=today.year,
                                        params=params)
        application = m.Application.objects.create(
            enterprise=org, year=today.year, requested_fen=requested_fen, purpose=purpose.strip()[:500],
            contact_address=contact_address.strip()[:300], contact_phone=contact_phone.strip()[:40],
            status=m.ApplicationStatus.SUBMITTED if grantable > 0 else m.ApplicationStatus.INELIGIBLE,
            eligibility=checks, grantable_fen=grantable, policy_version=version, submitted_by=actor.user,
        )
        audit.record(actor=actor, action="vouchers.application_submitted", obj=application,
                     changes={"requested_fen": requested_fen, "grantable_fen": grantable,
                              "failed": [c["rule"] for c in checks if not c["ok"]]})
    return application


def _serial(year: int, city: str) -> str:
    return f"CXQ{year}{city}{secrets.token_hex(4).upper()}"


def application_decide(*, actor: Actor, application_id: int, approve: bool, note: str = "",
                       on: date | None = None) -> m.Application:
    """Approve (issue the voucher, reserving province and city money) or reject."""
    require(actor, "vouchers.review")
    today = on or timezone.localdate()
    with transaction.atomic():
        application = m.Application.objects.select_for_update().filter(pk=application_id).first()
        if application is None:
            raise NotFound()
        if application.status != m.ApplicationStatus.SUBMITTED:
            raise Conflict(_("Only a submitted application can be decided."), code="not_submitted")
        if not approve:
            if not note.strip():
                raise field_error("note", _("Give the reason for the rejection."))
            application.status = m.ApplicationStatus.REJECTED
        else:
            _issue(actor=actor, application=application, today=today)
            application.status = m.ApplicationStatus.APPROVED
        application.decided_by, application.decided_at = actor.user, timezone.now()
        application.decision_note = note.strip()[:500]
        application.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "eligibility",
                                        "grantable_fen"])
        audit.record(actor=actor, action="vouchers.application_" + ("approved" if approve else "rejected"),
                     obj=application, changes={"note": note[:200]})
    return application


def _issue(*, actor: Actor, application: m.Application, today: date) -> m.Voucher:
    version, params = scheme(today)
    year = application.year
    org = application.enterprise
    province = m.Budget.objects.select_for_update().filter(year=year, level=m.BudgetLevel.PROVINCE).first()
    if province is None:
        raise Conflict(_("There is no provincial voucher budget for %(year)s.") % {"year": year}, code="no_budget")
    # Caps are re-checked under the provincial budget's lock: two approvals cannot both use the room.
    checks, grantable = eligibility(organisation=org, requested_fen=application.requested_fen, year=year,
                                    params=params)
    application.eligibility, application.grantable_fen = checks, grantable
    if grantable <= 0:
        raise Conflict(_("The enterprise is no longer eligible."), code="not_eligible",
                       details={"failed": [c["rule"] for c in checks if not c["ok"]]})
    face = grantable
    city_fen = money.share_of(face, params.city_share)
    city_budget = None
    if city_fen:
        city_budget = m.Budget.objects.select_for_update().filter(year=year, level=m.BudgetLevel.CITY,
                                                                   city=org.region).first()
        if city_budget is None:
            raise Conflict(_("The city has no voucher budget for %(year)s.") % {"year": year}, code="no_city_budget")
    voucher = m.Voucher.objects.create(
        serial=_serial(year, org.region), enterprise=org, application=application, year=year, city=org.region,
        flow=params.flow, share=params.voucher_share, policy_version=version, face_fen=face,
        city_reserved_fen=city_fen, expires_on=today + timedelta(days=params.validity_days),
    )
    money.post(actor=actor, kind=money.KIND_ISSUE, reference=f"vouchers:issue:{voucher.pk}",
               lines=money.issue_lines(province=province, city=city_budget, province_fen=face - city_fen,
                                       city_fen=city_fen),
               subject_type=money.SUBJECT_VOUCHER, subject_id=voucher.pk, memo=voucher.serial,
               entry_type="vouchers.voucher_issued", subject_organisation=org)
    audit.record(actor=actor, action="vouchers.voucher_issued", obj=voucher,
                 changes={"serial": voucher.serial, "face_fen": face, "city_reserved_fen": city_fen,
                          "expires_on": voucher.expires_on.isoformat(), "policy_version": version})
    return voucher
