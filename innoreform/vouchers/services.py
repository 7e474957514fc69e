"""Writes: budgets, enterprise applications and vouchers, institution listing (入库) with public
notice and objections, the service catalogue. Use, claims and settlement are in use.py and
settlement.py. Each function: keyword-only, a required actor, one transaction with its audit
record (and books postings and a trust-ledger entry when money moves)."""

import hashlib
import secrets
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from innoreform.core.models import OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.regions import is_guangdong
from innoreform.core.selectors import policy_in_force

from . import models as m
from . import money, registry_adapter
from .policies import POLICY_KEY, SchemeParams, can

MAX_FEN = 10**13  # 100 billion yuan: bounds every amount a user can type


def _require(actor: Actor, operation: str) -> None:
    if not can(actor, operation):
        raise PermissionDenied(code="permission_denied")


def scheme(on: date | None = None) -> tuple[int, SchemeParams]:
    version = policy_in_force(POLICY_KEY, on)
    return version.version, SchemeParams(**version.parameters)


def _check_amount(field: str, value: int, *, allow_zero: bool = False) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if allow_zero else 1) or value > MAX_FEN:
        raise field_error(field, _("Give a whole number of fen between 1 and 10^13."))


# --- budgets ---------------------------------------------------------------------------------------------


def budget_get(*, year: int, level: str, city: str = "") -> m.Budget | None:
    return m.Budget.objects.filter(year=year, level=level, city=city).first()


def budget_open(*, actor: Actor, year: int, level: str, city: str = "") -> m.Budget:
    _require(actor, "vouchers.budget")
    if level not in m.BudgetLevel.values:
        raise field_error("level", _("Choose province or city."))
    if level == m.BudgetLevel.CITY and not is_guangdong(city):
        raise field_error("city", _("A city budget belongs to one of Guangdong's 21 cities."))
    if level == m.BudgetLevel.PROVINCE:
        city = ""
    if not 2000 <= year <= 2100:
        raise field_error("year", _("Give a year between 2000 and 2100."))
    existing = budget_get(year=year, level=level, city=city)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            available, reserved, source = money.budget_accounts(actor=actor, level=level, year=year, city=city)
            budget = m.Budget.objects.create(year=year, level=level, city=city, available_account=available,
                                             reserved_account=reserved, source_account=source)
            audit.record(actor=actor, action="vouchers.budget_opened", obj=budget,
                         changes={"year": year, "level": level, "city": city})
            return budget
    except IntegrityError:
        return m.Budget.objects.get(year=year, level=level, city=city)


def budget_appropriate(*, actor: Actor, budget: m.Budget, amount_fen: int, note: str = "") -> m.Appropriation:
    """Put money into a budget (Dr available, Cr funding source)."""
    _require(actor, "vouchers.budget")
    _check_amount("amount_fen", amount_fen)
    with transaction.atomic():
        appropriation = m.Appropriation.objects.create(budget=budget, amount_fen=amount_fen, note=note[:300],
                                                       created_by=actor.user)
        money.post(actor=actor, kind=money.KIND_APPROPRIATION,
                   reference=f"vouchers:appropriation:{appropriation.pk}",
                   lines=[(budget.available_account, amount_fen), (budget.source_account, -amount_fen)],
                   subject_type=money.SUBJECT_BUDGET, subject_id=budget.pk, memo=note,
                   entry_type="vouchers.budget_appropriated")
        audit.record(actor=actor, action="vouchers.budget_appropriated", obj=budget,
                     changes={"amount_fen": amount_fen, "appropriation": appropriation.pk})
    return appropriation


# --- eligibility ---------------------------------------------------------------------------------------------

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


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else fen_to_yuan(fen)


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
            value=_yuan(facts.sales_fen), limit=_yuan(params.max_sales_fen))
        add("industry", not facts.restricted)
    own_used = _issued_fen({organisation.pk}, year)
    add("annual_cap", own_used < params.annual_cap_fen, used=_yuan(own_used), cap=_yuan(params.annual_cap_fen))
    group = registry_adapter.group_organisation_ids(organisation)
    group_used = _issued_fen(group, year)
    add("group_cap", group_used < params.group_cap_fen, used=_yuan(group_used), cap=_yuan(params.group_cap_fen),
        members=len(group))
    fraud = m.Voucher.objects.filter(enterprise=organisation, status=m.VoucherStatus.CANCELLED,
                                     closed_reason__startswith="fraud").exists()
    add("no_fraud", not fraud)
    if not all(c["ok"] for c in checks):
        return checks, 0
    grantable = min(requested_fen, params.annual_cap_fen - own_used, params.group_cap_fen - group_used)
    return checks, max(grantable, 0)


# --- applications and vouchers ------------------------------------------------------------------------


def application_submit(*, actor: Actor, requested_fen: int, purpose: str, contact_address: str = "",
                       contact_phone: str = "", on: date | None = None) -> m.Application:
    _require(actor, "vouchers.apply")
    _check_amount("requested_fen", requested_fen)
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
    _require(actor, "vouchers.review")
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


def budgets_for(voucher: m.Voucher) -> tuple[m.Budget, m.Budget | None]:
    province = m.Budget.objects.get(year=voucher.year, level=m.BudgetLevel.PROVINCE)
    city = m.Budget.objects.filter(year=voucher.year, level=m.BudgetLevel.CITY, city=voucher.city).first()
    return province, city


def release(*, actor: Actor, voucher: m.Voucher, amount_fen: int, tag: str) -> None:
    """Give `amount_fen` of a (locked) voucher's reservation back to the budgets."""
    if amount_fen <= 0:
        return
    province_fen, city_fen = money.split(voucher, amount_fen)
    province, city = budgets_for(voucher)
    voucher.released_fen += amount_fen
    m.Release.objects.create(voucher=voucher, tag=tag, amount_fen=amount_fen, province_fen=province_fen,
                             city_fen=city_fen)
    money.post(actor=actor, kind=money.KIND_RELEASE, reference=f"vouchers:release:{voucher.pk}:{tag}",
               lines=money.release_lines(province=province, city=city, province_fen=province_fen, city_fen=city_fen),
               subject_type=money.SUBJECT_VOUCHER, subject_id=voucher.pk, memo=tag,
               entry_type="vouchers.reservation_released", subject_organisation=voucher.enterprise_id)


def _cancel_open_orders(voucher_id: int) -> None:
    """Cancel the voucher's open orders BEFORE its row is locked: a deduction locks its order and
    then the voucher, so a transaction holding the voucher must not wait for one of its orders
    (a deadlock, which PostgreSQL would break by failing one of them). An order opened after this
    can no longer be used either: the voucher's status refuses it."""
    m.Order.objects.filter(voucher_id=voucher_id, status=m.OrderStatus.OPEN).update(status=m.OrderStatus.CANCELLED)


def vouchers_expire_due(*, actor: Actor, on: date | None = None) -> int:
    """Expire vouchers past their date and release their unused reservation (province and city)."""
    today = on or timezone.localdate()
    done = 0
    due = list(m.Voucher.objects.filter(status=m.VoucherStatus.ACTIVE, expires_on__lt=today)
               .order_by("pk").values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            _cancel_open_orders(pk)  # past its date: none of them can be used
            voucher = m.Voucher.objects.select_for_update().get(pk=pk)
            if voucher.status != m.VoucherStatus.ACTIVE:
                continue
            unused = voucher.face_fen - voucher.used_fen
            voucher.status, voucher.closed_reason = m.VoucherStatus.EXPIRED, "expired"
            release(actor=actor, voucher=voucher, amount_fen=unused, tag="expiry")
            voucher.save()
            audit.record(actor=actor, action="vouchers.voucher_expired", obj=voucher,
                         changes={"released_fen": unused})
            done += 1
    return done


# --- institutions ----------------------------------------------------------------------------------------


def _years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def institution_apply(*, actor: Actor, founded_on: date, categories: list[str], legal_representative: str,
                      address: str, phone: str, description: str = "", actual_controller: str = "",
                      shareholders: list[str] | None = None, documents: list[tuple[str, str, bytes]] = (),
                      on: date | None = None) -> m.Institution:
    """An institution from any region applies to be listed, with its documents."""
    _require(actor, "vouchers.institution_admin")
    today = on or timezone.localdate()
    version, params = scheme(today)
    errors: dict[str, list[str]] = {}
    years = _years_between(founded_on, today)
    if founded_on > today or years < params.institution_min_years:
        errors["founded_on"] = [str(_("An institution needs at least %(n)s years of operation; it has %(y)s.")
                                    % {"n": params.institution_min_years, "y": max(years, 0)})]
    cats = [c for c in dict.fromkeys(categories or []) if c in m.Category.values]
    if not cats or len(cats) != len(set(categories or [])):
        errors["categories"] = [str(_("Choose one or more known service categories."))]
    for name, value in (("legal_representative", legal_representative), ("address", address), ("phone", phone)):
        if not value or not value.strip():
            errors[name] = [str(_("This field is required."))]
    if not documents:
        errors["documents"] = [str(_("Attach at least the business licence or registration."))]
    if errors:
        raise ValidationFailed(details=errors)
    org = actor.organisation
    with transaction.atomic():
        existing = m.Institution.objects.select_for_update().filter(organisation=org).first()
        if existing is not None and existing.status != m.ListingStatus.REJECTED:
            raise Conflict(_("Your institution has already applied."), code="already_applied")
        fields = dict(
            region=org.region, founded_on=founded_on, categories=cats, description=(description or "")[:2000],
            legal_representative=legal_representative.strip()[:100],
            actual_controller=(actual_controller or "").strip()[:200],
            shareholders=[s.strip()[:200] for s in (shareholders or []) if s and s.strip()][:50],
            address=address.strip()[:300], phone=phone.strip()[:40], policy_version=version, submitted_by=actor.user,
            status=m.ListingStatus.SUBMITTED, status_reason="", notice_starts_at=None, notice_ends_at=None,
        )
        if existing is None:
            institution = m.Institution.objects.create(organisation=org, **fields)
        else:  # a rejected institution applies again
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            institution = existing
        for kind, filename, content in documents:
            if kind not in m.InstitutionDocument.Kind.values:
                raise field_error("documents", _("Unknown document kind."))
            doc = m.InstitutionDocument(institution=institution, kind=kind,
                                        sha256=hashlib.sha256(content).hexdigest())
            doc.file.save((filename or "document").replace("/", "_")[-100:], ContentFile(content), save=False)
            doc.save()
        audit.record(actor=actor, action="vouchers.institution_applied", obj=institution,
                     changes={"region": org.region, "categories": cats, "documents": len(documents)})
    return institution


def _lock_institution(institution_id: int) -> m.Institution:
    found = m.Institution.objects.select_for_update().filter(pk=institution_id).first()
    if found is None:
        raise NotFound()
    return found


def institution_review(*, actor: Actor, institution_id: int, approve: bool, note: str = "",
                       now=None) -> m.Institution:
    """Approve into the public-notice period (policy: 7 days) or reject with a reason."""
    _require(actor, "vouchers.review")
    now = now or timezone.now()
    with transaction.atomic():
        inst = _lock_institution(institution_id)
        if inst.status != m.ListingStatus.SUBMITTED:
            raise Conflict(_("Only a submitted application can be reviewed."), code="not_submitted")
        if approve:
            _version, params = scheme(now.date())
            inst.status = m.ListingStatus.IN_NOTICE
            inst.notice_starts_at, inst.notice_ends_at = now, now + timedelta(days=params.notice_days)
        else:
            if not note.strip():
                raise field_error("note", _("Give the reason for the rejection."))
            inst.status = m.ListingStatus.REJECTED
        inst.reviewed_by, inst.status_reason = actor.user, note.strip()[:500]
        inst.save()
        audit.record(actor=actor, action="vouchers.institution_reviewed", obj=inst,
                     changes={"approve": approve, "note": note[:200]})
    return inst


def objection_submit(*, actor: Actor, institution_id: int, text: str, now=None) -> m.Objection:
    """Anyone signed in may object while the notice runs."""
    _require(actor, "vouchers.object")
    now = now or timezone.now()
    if not text or not text.strip():
        raise field_error("text", _("Say what the objection is."))
    with transaction.atomic():
        inst = _lock_institution(institution_id)
        if inst.status != m.ListingStatus.IN_NOTICE or now > inst.notice_ends_at:
            raise Conflict(_("Objections are accepted only during the public notice."), code="not_in_notice")
        objection = m.Objection.objects.create(institution=inst, text=text.strip()[:2000], submitted_by=actor.user,
                                               submitted_org=actor.organisation)
        audit.record(actor=actor, action="vouchers.objection_submitted", obj=objection,
                     changes={"institution": inst.pk})
    return objection


def objection_resolve(*, actor: Actor, objection_id: int, uphold: bool, resolution: str) -> m.Objection:
    _require(actor, "vouchers.review")
    if not resolution or not resolution.strip():
        raise field_error("resolution", _("Explain the decision."))
    with transaction.atomic():
        objection = m.Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None:
            raise NotFound()
        if objection.status != m.ObjectionStatus.OPEN:
            raise Conflict(_("This objection was already resolved."), code="already_resolved")
        objection.status = m.ObjectionStatus.UPHELD if uphold else m.ObjectionStatus.DISMISSED
        objection.resolution, objection.resolved_by = resolution.strip()[:500], actor.user
        objection.save()
        if uphold:
            inst = _lock_institution(objection.institution_id)
            if inst.status == m.ListingStatus.IN_NOTICE:
                inst.status = m.ListingStatus.REJECTED
                inst.status_reason = str(_("Objection upheld: %(r)s") % {"r": resolution.strip()})[:500]
                inst.save()
        audit.record(actor=actor, action="vouchers.objection_resolved", obj=objection,
                     changes={"uphold": uphold, "resolution": resolution[:200]})
    return objection


def institutions_publish_due(*, actor: Actor, now=None) -> int:
    """List institutions whose notice has ended without an open or upheld objection."""
    now = now or timezone.now()
    done = 0
    due = (m.Institution.objects.filter(status=m.ListingStatus.IN_NOTICE, notice_ends_at__lte=now)
           .exclude(objections__status__in=[m.ObjectionStatus.OPEN, m.ObjectionStatus.UPHELD])
           .order_by("pk").values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            inst = _lock_institution(pk)
            if inst.status != m.ListingStatus.IN_NOTICE or inst.objections.filter(
                    status__in=[m.ObjectionStatus.OPEN, m.ObjectionStatus.UPHELD]).exists():
                continue
            inst.status, inst.listed_at = m.ListingStatus.LISTED, now
            inst.save()
            m.CreditEvent.objects.create(institution=inst, kind="listed", reason="notice period ended",
                                         created_by=actor.user)
            audit.record(actor=actor, action="vouchers.institution_listed", obj=inst, changes={})
            done += 1
    return done


STATUS_MOVES = {
    m.ListingStatus.SUSPENDED: {m.ListingStatus.LISTED},
    m.ListingStatus.BLACKLISTED: {m.ListingStatus.LISTED, m.ListingStatus.SUSPENDED, m.ListingStatus.IN_NOTICE},
    m.ListingStatus.LISTED: {m.ListingStatus.SUSPENDED},
}


def institution_set_status(*, actor: Actor, institution_id: int, status: str, reason: str,
                           claim: m.Claim | None = None) -> m.Institution:
    """Suspend, blacklist or reinstate, always with a reason recorded in the credit file."""
    _require(actor, "vouchers.approve")
    if status not in STATUS_MOVES:
        raise field_error("status", _("Choose suspended, blacklisted or listed."))
    if not reason or not reason.strip():
        raise field_error("reason", _("Give the reason."))
    with transaction.atomic():
        inst = _lock_institution(institution_id)
        if inst.status == status:
            return inst
        if inst.status not in STATUS_MOVES[status]:
            raise Conflict(_("This change of status is not allowed."), code="bad_transition")
        before = inst.status
        inst.status, inst.status_reason = status, reason.strip()[:500]
        inst.save()
        m.CreditEvent.objects.create(institution=inst, kind=status, reason=reason.strip()[:500], claim=claim,
                                     created_by=actor.user)
        audit.record(actor=actor, action="vouchers.institution_status_changed", obj=inst,
                     changes={"from": before, "to": status, "reason": reason[:200]})
    return inst


def _own_institution(actor: Actor, *, listed: bool = False) -> m.Institution:
    inst = m.Institution.objects.filter(organisation_id=actor.organisation_id).first()
    if inst is None:
        raise NotFound(code="not_listed")
    if listed and inst.status != m.ListingStatus.LISTED:
        raise Conflict(_("Only a listed institution can do this."), code="institution_not_listed")
    return inst


def service_publish(*, actor: Actor, category: str, name: str, price_fen: int, unit: str = "次") -> m.ServiceItem:
    _require(actor, "vouchers.institution_admin")
    _check_amount("price_fen", price_fen)
    if not name or not name.strip():
        raise field_error("name", _("Name the service."))
    with transaction.atomic():
        inst = _own_institution(actor, listed=True)
        if category not in inst.categories:
            raise field_error("category", _("The institution is not listed for this category."))
        item = m.ServiceItem.objects.create(institution=inst, category=category, name=name.strip()[:200],
                                            unit=(unit or "次").strip()[:40], price_fen=price_fen)
        audit.record(actor=actor, action="vouchers.service_published", obj=item,
                     changes={"category": category, "price_fen": price_fen})
    return item


def service_withdraw(*, actor: Actor, service_id: int) -> m.ServiceItem:
    _require(actor, "vouchers.institution_admin")
    with transaction.atomic():
        item = m.ServiceItem.objects.select_for_update().filter(
            pk=service_id, institution__organisation_id=actor.organisation_id).first()
        if item is None:
            raise NotFound()
        item.is_active = False
        item.save(update_fields=["is_active"])
        audit.record(actor=actor, action="vouchers.service_withdrawn", obj=item, changes={})
    return item


def programme_funding_record(*, actor: Actor, enterprise_id: int, project_code: str, programme: str,
                             amount_fen: int = 0) -> m.ProgrammeFunding:
    """Record that a project of an enterprise is funded by a science programme (double-funding rule)."""
    _require(actor, "vouchers.review")
    from innoreform.core.models import Organisation

    org = Organisation.objects.filter(pk=enterprise_id, kind=OrgKind.ENTERPRISE).first()
    if org is None:
        raise NotFound()
    if not project_code.strip() or not programme.strip():
        raise ValidationFailed(details={"project_code": [str(_("Give the project code and the programme."))]})
    with transaction.atomic():
        record, _created = m.ProgrammeFunding.objects.get_or_create(
            enterprise=org, project_code=project_code.strip().upper()[:64], programme=programme.strip()[:200],
            defaults={"amount_fen": max(amount_fen, 0)})
        audit.record(actor=actor, action="vouchers.programme_funding_recorded", obj=record,
                     changes={"project_code": record.project_code})
    return record

