"""Investment-linked deals (投贷联动, 贷款+认股权): investors' equity stakes linked to loans,
warrants attached to loans, and screening notes shared between a bank and an investor."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import Organisation, OrgKind

from .. import facts
from .. import models as m
from .. import validation as v
from ..permissions import FINANCIAL
from . import loans
from .access import require


def _percent(errors: v.Errors, field: str, value) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Give a percentage."))
        return Decimal(0)
    if not d.is_finite() or d <= 0 or d > 100:
        errors.add(field, _("Give a percentage above 0 and at most 100."))
        return Decimal(0)
    return d.quantize(Decimal("0.0001"))


def stake_record(*, actor: Actor, credit_code: str, amount_fen: int, share_percent, invested_on: date,
                 partner_bank_id: int | None = None) -> m.EquityStake:
    require(actor, "financing.invest")
    errors = v.Errors()
    v.amount(errors, "amount_fen", amount_fen)
    share = _percent(errors, "share_percent", share_percent)
    if invested_on > timezone.localdate():
        errors.add("invested_on", _("The date cannot be in the future."))
    code = (credit_code or "").strip().upper()
    enterprise = facts.registry_enterprise(credit_code=code) if code else None
    org = Organisation.objects.filter(credit_code=code, kind=OrgKind.ENTERPRISE).first() if code else None
    if enterprise is None and org is None:
        errors.add("credit_code", _("This enterprise is not on the platform."))
    bank = None
    if partner_bank_id is not None:
        bank = Organisation.objects.filter(pk=partner_bank_id, kind=OrgKind.BANK, is_active=True).first()
        if bank is None:
            errors.add("partner_bank_id", _("Choose a bank."))
    errors.raise_if_any()
    with transaction.atomic():
        stake = m.EquityStake.objects.create(investor=actor.organisation, credit_code=code,
                                             enterprise_name=enterprise.name if enterprise else org.name,
                                             amount_fen=amount_fen, share_percent=share, invested_on=invested_on,
                                             partner_bank=bank)
        audit.record(actor=actor, action="financing.stake_recorded", obj=stake,
                     changes={"credit_code": code, "amount_fen": amount_fen, "share_percent": str(share),
                              "partner_bank": partner_bank_id})
    return stake


def loan_link_stake(*, actor: Actor, loan_id: int, stake_id: int) -> m.EquityStake:
    """The bank links its investment-linked loan to the partner investor's stake in the same firm."""
    with transaction.atomic():
        loan = loans.locked_loan(actor, loan_id)
        stake = m.EquityStake.objects.select_for_update().filter(pk=stake_id,
                                                                 partner_bank_id=actor.organisation_id).first()
        if stake is None:
            raise NotFound()
        if loan.kind != m.LoanKind.INVESTMENT_LINKED:
            raise Conflict(_("Only an investment-linked loan is linked to a stake."), code="wrong_kind")
        if stake.credit_code != loan.borrower_credit_code:
            raise Conflict(_("The stake and the loan are in different enterprises."), code="different_firm")
        if stake.loan_id is not None:
            raise Conflict(_("This stake is already linked to a loan."), code="already_linked")
        stake.loan = loan
        stake.save(update_fields=["loan"])
        audit.record(actor=actor, action="financing.stake_linked", obj=stake, changes={"loan": loan.pk})
    return stake


def warrant_attach(*, actor: Actor, loan_id: int, share_percent, strike_fen: int, expires_on: date) -> m.Warrant:
    errors = v.Errors()
    share = _percent(errors, "share_percent", share_percent)
    v.amount(errors, "strike_fen", strike_fen)
    errors.raise_if_any()
    with transaction.atomic():
        loan = loans.locked_loan(actor, loan_id)
        if loan.kind != m.LoanKind.WITH_WARRANTS:
            raise Conflict(_("Warrants are attached to a loan with warrants."), code="wrong_kind")
        if expires_on <= loan.contract_on:
            raise ValidationFailed(details={"expires_on": [_("The warrant must expire after the contract date.")]})
        warrant = m.Warrant.objects.create(loan=loan, share_percent=share, strike_fen=strike_fen,
                                           expires_on=expires_on)
        audit.record(actor=actor, action="financing.warrant_attached", obj=warrant,
                     changes={"loan": loan.pk, "share_percent": str(share), "strike_fen": strike_fen,
                              "expires_on": expires_on.isoformat()})
    return warrant


def warrant_exercise(*, actor: Actor, warrant_id: int, on: date) -> m.Warrant:
    require(actor, "financing.loan_manage")
    with transaction.atomic():
        warrant = m.Warrant.objects.select_for_update().filter(
            pk=warrant_id, loan__institution_id=actor.organisation_id).first()
        if warrant is None:
            raise NotFound()
        if warrant.status != m.Warrant.Status.OPEN:
            raise Conflict(_("This warrant is no longer open."), code="not_open")
        if on > timezone.localdate() or on < warrant.loan.contract_on:
            raise ValidationFailed(details={"on": [_("Give a date between the contract and today.")]})
        if on > warrant.expires_on:
            raise Conflict(_("The warrant expired on %(d)s.") % {"d": warrant.expires_on.isoformat()}, code="expired")
        warrant.status, warrant.exercised_on = m.Warrant.Status.EXERCISED, on
        warrant.save(update_fields=["status", "exercised_on"])
        audit.record(actor=actor, action="financing.warrant_exercised", obj=warrant, changes={"on": on.isoformat()})
    return warrant


def warrants_expire(*, actor: Actor, on: date | None = None) -> int:
    on = on or timezone.localdate()
    with transaction.atomic():
        ids = list(m.Warrant.objects.select_for_update().filter(status=m.Warrant.Status.OPEN, expires_on__lt=on)
                   .values_list("pk", flat=True))
        m.Warrant.objects.filter(pk__in=ids).update(status=m.Warrant.Status.EXPIRED)
        if ids:
            audit.record(actor=actor, action="financing.warrants_expired", object_type="financing.warrant",
                         changes={"ids": ids, "on": on.isoformat()})
    return len(ids)


def screening_note_add(*, actor: Actor, credit_code: str, shared_with_id: int, text: str) -> m.ScreeningNote:
    require(actor, "financing.application_handle")
    errors = v.Errors()
    text = v.text(errors, "text", text, max_length=4000, required=True)
    partner = Organisation.objects.filter(pk=shared_with_id, kind__in=FINANCIAL, is_active=True).first()
    if partner is None or partner.pk == actor.organisation_id:
        errors.add("shared_with_id", _("Choose a partner bank or investor."))
    errors.raise_if_any()
    with transaction.atomic():
        note = m.ScreeningNote.objects.create(credit_code=credit_code.strip().upper()[:18], author=actor.organisation,
                                              shared_with=partner, text=text)
        audit.record(actor=actor, action="financing.screening_note_added", obj=note,
                     changes={"credit_code": note.credit_code, "shared_with": partner.pk})
    return note


def screening_notes(*, actor: Actor, credit_code: str | None = None):
    qs = m.ScreeningNote.objects.select_related("author", "shared_with").filter(
        Q(author_id=actor.organisation_id) | Q(shared_with_id=actor.organisation_id))
    if credit_code:
        qs = qs.filter(credit_code=credit_code.strip().upper())
    return qs.order_by("-id")
