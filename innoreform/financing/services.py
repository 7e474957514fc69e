"""Writes for needs, products, applications and collective credit programmes. Each: keyword-only,
a required actor, one transaction, an audit record inside it. Loans are in loans.py; IP pledges,
equipment and investment-linked deals in special.py; subsidies in subsidies.py."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.selectors import policy_in_force

from . import facts as facts_mod
from . import models as m
from . import rules as rules_mod
from . import selectors
from . import validation as v
from .permissions import require
from .policies import COLLECTIVE_KEY, LossSharing

# What each institution kind may publish, and the data-authorisation purpose of applying for it.
KINDS_BY_ORG = {
    OrgKind.BANK: {"loan", "loan_with_warrants", "ip_pledge_loan", "equipment_loan"},
    OrgKind.GUARANTOR: {"guarantee"},
    OrgKind.INSURER: {"insurance"},
    OrgKind.INVESTOR: {"equity"},
}
PURPOSE_BY_KIND = {"loan": "loan_application", "loan_with_warrants": "loan_application",
                   "ip_pledge_loan": "loan_application", "equipment_loan": "loan_application",
                   "guarantee": "guarantee", "insurance": "insurance", "equity": "investment"}
LIVE = (m.Application.Status.SUBMITTED, m.Application.Status.ACCEPTED, m.Application.Status.APPROVED)


# --- needs ------------------------------------------------------------------------------------------


def need_publish(*, actor: Actor, amount_fen: int, term_months: int, purpose: str, purpose_detail: str = "",
                 collateral: list[str] | None = None, urgency: str = "normal",
                 preferred_kinds: list[str] | None = None) -> m.FinancingNeed:
    require(actor, "financing.need_publish")
    errors = v.Errors()
    v.amount(errors, "amount_fen", amount_fen)
    v.term(errors, "term_months", term_months)
    v.choice(errors, "purpose", purpose, m.Purpose.values)
    detail = v.text(errors, "purpose_detail", purpose_detail, max_length=500)
    coll = v.choices(errors, "collateral", collateral or [], m.Collateral.values)
    v.choice(errors, "urgency", urgency, m.Urgency.values)
    kinds = v.choices(errors, "preferred_kinds", preferred_kinds or [], m.ProductKind.values)
    errors.raise_if_any()
    with transaction.atomic():
        need = m.FinancingNeed.objects.create(
            enterprise=actor.organisation, amount_fen=amount_fen, term_months=term_months, purpose=purpose,
            purpose_detail=detail, collateral=coll, urgency=urgency, preferred_kinds=kinds, created_by=actor.user)
        audit.record(actor=actor, action="financing.need_published", obj=need,
                     changes={"amount_fen": amount_fen, "term_months": term_months, "purpose": purpose,
                              "collateral": coll, "preferred_kinds": kinds})
    return need


def need_close(*, actor: Actor, need_id: int) -> m.FinancingNeed:
    require(actor, "financing.need_publish")
    with transaction.atomic():
        need = m.FinancingNeed.objects.select_for_update().filter(pk=need_id, enterprise=actor.organisation).first()
        if need is None:
            raise NotFound()
        if need.status == m.FinancingNeed.Status.CLOSED:
            raise Conflict(_("This need is already closed."), code="already_closed")
        need.status = m.FinancingNeed.Status.CLOSED
        need.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.need_closed", obj=need)
    return need


# --- products ---------------------------------------------------------------------------------------


def product_create(*, actor: Actor, kind: str, name: str, min_amount_fen: int, max_amount_fen: int,
                   min_term_months: int, max_term_months: int, min_rate, max_rate, rules: list | None = None,
                   description: str = "") -> m.Product:
    require(actor, "financing.product_manage")
    errors = v.Errors()
    if kind not in KINDS_BY_ORG.get(actor.kind, set()) and not actor.is_system:
        errors.add("kind", _("Your institution cannot publish this kind of product."))
    name = v.text(errors, "name", name, max_length=200, required=True)
    description = v.text(errors, "description", description, max_length=4000)
    v.amount(errors, "min_amount_fen", min_amount_fen)
    v.amount(errors, "max_amount_fen", max_amount_fen)
    v.term(errors, "min_term_months", min_term_months)
    v.term(errors, "max_term_months", max_term_months)
    lo, hi = v.rate(errors, "min_rate", min_rate), v.rate(errors, "max_rate", max_rate)
    if not errors:
        if max_amount_fen < min_amount_fen:
            errors.add("max_amount_fen", _("The maximum is below the minimum."))
        if max_term_months < min_term_months:
            errors.add("max_term_months", _("The maximum is below the minimum."))
        if hi < lo:
            errors.add("max_rate", _("The maximum is below the minimum."))
    try:
        clean_rules = rules_mod.validate(rules or [])
    except ValueError as exc:
        errors.add("rules", str(exc))
        clean_rules = []
    errors.raise_if_any()
    with transaction.atomic():
        product = m.Product.objects.create(
            institution=actor.organisation, kind=kind, name=name, description=description,
            min_amount_fen=min_amount_fen, max_amount_fen=max_amount_fen, min_term_months=min_term_months,
            max_term_months=max_term_months, min_rate=lo, max_rate=hi, rules=clean_rules)
        audit.record(actor=actor, action="financing.product_published", obj=product,
                     changes={"kind": kind, "name": name, "rules": clean_rules})
        transaction.on_commit(selectors.catalog_invalidate)
    return product


def product_withdraw(*, actor: Actor, product_id: int) -> m.Product:
    require(actor, "financing.product_manage")
    with transaction.atomic():
        product = m.Product.objects.select_for_update().filter(pk=product_id,
                                                               institution_id=actor.organisation_id).first()
        if product is None:
            raise NotFound()
        if product.status == m.Product.Status.WITHDRAWN:
            raise Conflict(_("This product is already withdrawn."), code="already_withdrawn")
        product.status = m.Product.Status.WITHDRAWN
        product.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.product_withdrawn", obj=product)
        transaction.on_commit(selectors.catalog_invalidate)
    return product


# --- applications -----------------------------------------------------------------------------------


def application_submit(*, actor: Actor, need_id: int, product_id: int, categories: list[str],
                       valid_until: date, notice_version: int) -> m.Application:
    """Apply for a product and, in the same step, authorise its institution to read the chosen
    data categories for the purpose of this application (a registry consent grant)."""
    from innoreform.registry import services as registry_services

    require(actor, "financing.apply")
    need = m.FinancingNeed.objects.filter(pk=need_id, enterprise=actor.organisation).first()
    product = m.Product.objects.select_related("institution").filter(
        pk=product_id, status=m.Product.Status.ACTIVE).first()
    if need is None or product is None:
        raise NotFound()
    if need.status != m.FinancingNeed.Status.OPEN:
        raise Conflict(_("This need is closed."), code="need_closed")
    match = selectors.match_one(need=need, product=product)
    if not match.eligible:
        failed = [c.reason for c in match.checks if c.status != rules_mod.PASS]
        raise Conflict(_("You do not meet this product's conditions."), code="not_eligible",
                       details={"reasons": failed})
    purpose = PURPOSE_BY_KIND[product.kind]
    with transaction.atomic():
        if m.Application.objects.filter(need=need, product=product, status__in=LIVE).exists():
            raise Conflict(_("You have already applied for this product with this need."), code="duplicate")
        grant = registry_services.grant_create(actor=actor, institution_id=product.institution_id,
                                               categories=categories, purpose=purpose, valid_until=valid_until,
                                               notice_version=notice_version)
        try:
            with transaction.atomic():
                application = m.Application.objects.create(
                    need=need, product=product, enterprise=actor.organisation, institution=product.institution,
                    consent_grant_id=grant.pk, consent_purpose=purpose, match_snapshot=match.as_dict())
        except IntegrityError as exc:
            raise Conflict(_("You have already applied for this product with this need."),
                           code="duplicate") from exc
        audit.record(actor=actor, action="financing.application_submitted", obj=application,
                     changes={"need": need.pk, "product": product.pk, "grant": grant.pk, "purpose": purpose,
                              "categories": list(grant.categories)})
    return application


def _institution_application(actor: Actor, application_id: int) -> m.Application:
    require(actor, "financing.application_handle")
    application = (m.Application.objects.select_for_update().filter(pk=application_id,
                                                                     institution_id=actor.organisation_id).first())
    if application is None:
        raise NotFound()
    return application


def application_accept(*, actor: Actor, application_id: int) -> m.Application:
    with transaction.atomic():
        a = _institution_application(actor, application_id)
        if a.status != m.Application.Status.SUBMITTED:
            raise Conflict(_("Only a submitted application can be accepted."), code="wrong_status")
        a.status, a.accepted_at = m.Application.Status.ACCEPTED, timezone.now()
        a.save(update_fields=["status", "accepted_at"])
        audit.record(actor=actor, action="financing.application_accepted", obj=a)
    return a


def application_read_data(*, actor: Actor, application_id: int) -> dict:
    """The enterprise's data as its grant allows (registry consent); each read is recorded there.
    A revoked or expired grant is refused on the next read."""
    from innoreform.registry import services as registry_services

    with transaction.atomic():
        a = _institution_application(actor, application_id)
        if a.status not in (m.Application.Status.ACCEPTED, m.Application.Status.APPROVED):
            raise Conflict(_("Accept the application before reading the enterprise's data."), code="not_accepted")
        code = a.enterprise.credit_code or ""
        data = registry_services.bank_read(actor=actor, credit_code=code, purpose=a.consent_purpose)
        a.data_read_at = timezone.now()
        a.save(update_fields=["data_read_at"])
        audit.record(actor=actor, action="financing.application_data_read", obj=a,
                     changes={"categories": data["categories"], "access": data["access_id"]})
    return data


def application_decide(*, actor: Actor, application_id: int, approve: bool, amount_fen: int | None = None,
                       annual_rate=None, term_months: int | None = None, reason: str = "") -> m.Application:
    errors = v.Errors()
    if approve:
        v.amount(errors, "amount_fen", amount_fen)
        rate = v.rate(errors, "annual_rate", annual_rate)
        v.term(errors, "term_months", term_months)
    else:
        reason = v.text(errors, "reason", reason, max_length=500, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        a = _institution_application(actor, application_id)
        if a.status == m.Application.Status.SUBMITTED:
            raise Conflict(_("Accept the application before deciding it."), code="not_accepted")
        if a.status != m.Application.Status.ACCEPTED:
            raise Conflict(_("This application has already been decided."), code="already_decided")
        now = timezone.now()
        a.decided_at = now
        a.decision_seconds = int((now - a.submitted_at).total_seconds())
        if approve:
            a.status = m.Application.Status.APPROVED
            a.approved_amount_fen, a.approved_rate, a.approved_term_months = amount_fen, rate, term_months
        else:
            a.status, a.decline_reason = m.Application.Status.DECLINED, reason
        a.save()
        transaction.on_commit(selectors.catalog_invalidate)  # decision speeds feed the ranking
        audit.record(actor=actor, action="financing.application_decided", obj=a,
                     changes={"approve": approve, "amount_fen": amount_fen, "annual_rate": str(annual_rate),
                              "term_months": term_months, "reason": reason,
                              "decision_seconds": a.decision_seconds})
    return a


def application_report(*, actor: Actor, application_id: int, reference: str) -> m.Application:
    """Report the outcome to the platform's financing-outcome register (registry)."""
    from innoreform.registry import services as registry_services

    errors = v.Errors()
    reference = v.text(errors, "reference", reference, max_length=64, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        a = _institution_application(actor, application_id)
        if a.status not in (m.Application.Status.APPROVED, m.Application.Status.DECLINED):
            raise Conflict(_("Decide the application before reporting its outcome."), code="not_decided")
        if a.reported_at is not None:
            raise Conflict(_("The outcome has already been reported."), code="already_reported")
        approved = a.status == m.Application.Status.APPROVED
        registry_services.financing_outcome_report(
            actor=actor, credit_code=a.enterprise.credit_code or "", purpose=a.consent_purpose, reference=reference,
            outcome="approved" if approved else "rejected", decided_on=timezone.localdate(a.decided_at),
            amount_fen=(a.approved_amount_fen or 0) if approved else 0,
            annual_rate=a.approved_rate if approved else None,
            term_months=a.approved_term_months if approved else None)
        a.reported_at, a.outcome_reference = timezone.now(), reference
        a.save(update_fields=["reported_at", "outcome_reference"])
        audit.record(actor=actor, action="financing.application_reported", obj=a, changes={"reference": reference})
    return a


def application_withdraw(*, actor: Actor, application_id: int) -> m.Application:
    require(actor, "financing.need_publish")
    with transaction.atomic():
        a = m.Application.objects.select_for_update().filter(pk=application_id,
                                                             enterprise_id=actor.organisation_id).first()
        if a is None:
            raise NotFound()
        if a.status not in (m.Application.Status.SUBMITTED, m.Application.Status.ACCEPTED):
            raise Conflict(_("Only an undecided application can be withdrawn."), code="wrong_status")
        a.status = m.Application.Status.WITHDRAWN
        a.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.application_withdrawn", obj=a)
    return a


# --- collective credit programmes ------------------------------------------------------------------------


def _loss_sharing(raw: dict | None) -> tuple[int, dict]:
    policy = policy_in_force(COLLECTIVE_KEY)
    vector = raw if raw is not None else policy.parameters["loss_sharing"]
    try:
        clean = LossSharing(**vector).model_dump(mode="json")
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(details={"loss_sharing": [
            _("Give bank, guarantor, insurer and public shares that sum to 100.")]}) from exc
    return policy.version, clean


def _own_programme(actor: Actor, programme_id: int, *, lock: bool = True) -> m.Programme:
    require(actor, "financing.programme_manage")
    qs = m.Programme.objects.select_for_update() if lock else m.Programme.objects
    programme = qs.filter(pk=programme_id, department_id=actor.organisation_id).first()
    if programme is None:
        raise NotFound()
    return programme


def _org_of_kind(org_id: int | None, kind: str, errors: v.Errors, field: str) -> Organisation | None:
    if org_id is None:
        return None
    org = Organisation.objects.filter(pk=org_id, kind=kind, is_active=True).first()
    if org is None:
        errors.add(field, _("Choose an active organisation of the right kind."))
    return org


def programme_create(*, actor: Actor, code: str, name: str, guarantor_id: int | None = None,
                     insurer_id: int | None = None, loss_sharing: dict | None = None,
                     selection_rules: list | None = None) -> m.Programme:
    require(actor, "financing.programme_manage")
    errors = v.Errors()
    code = v.text(errors, "code", code, max_length=40, required=True)
    name = v.text(errors, "name", name, max_length=200, required=True)
    guarantor = _org_of_kind(guarantor_id, OrgKind.GUARANTOR, errors, "guarantor_id")
    insurer = _org_of_kind(insurer_id, OrgKind.INSURER, errors, "insurer_id")
    try:
        clean_rules = rules_mod.validate(selection_rules or [])
    except ValueError as exc:
        errors.add("selection_rules", str(exc))
        clean_rules = []
    errors.raise_if_any()
    version, vector = _loss_sharing(loss_sharing)
    with transaction.atomic():
        if m.Programme.objects.filter(code=code).exists():
            raise Conflict(_("A programme with this code exists."), code="duplicate_code")
        programme = m.Programme.objects.create(
            department=actor.organisation, code=code, name=name, policy_version=version, guarantor=guarantor,
            insurer=insurer, loss_sharing=vector, selection_rules=clean_rules, created_by=actor.user)
        audit.record(actor=actor, action="financing.programme_created", obj=programme,
                     changes={"code": code, "loss_sharing": vector, "policy_version": version,
                              "guarantor": guarantor_id, "insurer": insurer_id, "rules": clean_rules})
    return programme


def programme_select(*, actor: Actor, programme_id: int) -> dict:
    """Add every enterprise in the department's jurisdiction that passes the selection rules."""
    from innoreform.registry import selectors as registry_selectors

    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        if programme.status == m.Programme.Status.CLOSED:
            raise Conflict(_("The programme is closed."), code="closed")
        existing = set(programme.members.values_list("credit_code", flat=True))
        added = considered = 0
        for enterprise in registry_selectors.enterprise_list(actor=actor).iterator():
            considered += 1
            if enterprise.credit_code in existing:
                continue
            if rules_mod.all_pass(rules_mod.evaluate(programme.selection_rules,
                                                     facts_mod.enterprise_facts(enterprise))):
                m.ProgrammeMember.objects.create(
                    programme=programme, credit_code=enterprise.credit_code, name=enterprise.name,
                    region=enterprise.region, organisation_id=enterprise.organisation_id,
                    source=m.ProgrammeMember.Source.RULES)
                added += 1
        audit.record(actor=actor, action="financing.programme_selected", obj=programme,
                     changes={"considered": considered, "added": added})
    return {"considered": considered, "added": added}


def programme_member_set(*, actor: Actor, programme_id: int, credit_code: str, included: bool,
                         note: str = "") -> m.ProgrammeMember:
    """Add an enterprise by hand, or include/exclude one."""
    from innoreform.registry import selectors as registry_selectors

    errors = v.Errors()
    note = v.text(errors, "note", note, max_length=300)
    errors.raise_if_any()
    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        member = programme.members.filter(credit_code=credit_code.strip().upper()).first()
        if member is None:
            enterprise = registry_selectors.enterprise_get(actor=actor, credit_code=credit_code)
            member = m.ProgrammeMember(programme=programme, credit_code=enterprise.credit_code, name=enterprise.name,
                                       region=enterprise.region, organisation_id=enterprise.organisation_id,
                                       source=m.ProgrammeMember.Source.HAND)
        member.included, member.note = included, note
        member.save()
        audit.record(actor=actor, action="financing.programme_member_set", obj=programme,
                     changes={"credit_code": member.credit_code, "included": included, "note": note})
    return member


def programme_credit_line_set(*, actor: Actor, programme_id: int, bank_id: int, line_fen: int) -> m.CreditLine:
    errors = v.Errors()
    v.amount(errors, "line_fen", line_fen)
    bank = _org_of_kind(bank_id, OrgKind.BANK, errors, "bank_id")
    errors.raise_if_any()
    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        used = selectors.programme_line_used(programme=programme, bank_id=bank.pk)
        if line_fen < used:
            raise Conflict(_("The line cannot be below the loans already granted under it."), code="below_used",
                           details={"used_fen": used})
        line, _created = m.CreditLine.objects.update_or_create(programme=programme, bank=bank,
                                                              defaults={"line_fen": line_fen})
        audit.record(actor=actor, action="financing.programme_credit_line_set", obj=programme,
                     changes={"bank": bank.pk, "line_fen": line_fen})
    return line


def programme_activate(*, actor: Actor, programme_id: int) -> m.Programme:
    with transaction.atomic():
        programme = _own_programme(actor, programme_id)
        if programme.status != m.Programme.Status.DRAFT:
            raise Conflict(_("Only a draft programme can be activated."), code="wrong_status")
        problems = []
        if programme.guarantor_id is None:
            problems.append(_("Assign the guarantor."))
        if not programme.credit_lines.exists():
            problems.append(_("Record at least one bank's unified credit line."))
        if not programme.members.filter(included=True).exists():
            problems.append(_("Select at least one enterprise."))
        if problems:
            raise Conflict(_("The programme is not ready."), code="not_ready", details={"problems": problems})
        programme.status = m.Programme.Status.ACTIVE
        programme.save(update_fields=["status"])
        audit.record(actor=actor, action="financing.programme_activated", obj=programme)
    return programme
