"""Applications of a need to a product: submitted with a data authorisation, accepted, the
authorised data read, decided, the outcome reported, withdrawn."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound

from .. import models as m
from .. import rules as rules_mod
from .. import selectors
from .. import validation as v
from .access import require

PURPOSE_BY_KIND = {"loan": "loan_application", "loan_with_warrants": "loan_application",
                   "ip_pledge_loan": "loan_application", "equipment_loan": "loan_application",
                   "guarantee": "guarantee", "insurance": "insurance", "equity": "investment"}


LIVE = (m.Application.Status.SUBMITTED, m.Application.Status.ACCEPTED, m.Application.Status.APPROVED)


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
