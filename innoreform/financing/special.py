"""Special loan kinds: IP pledges linked to the registry's IP rights; equipment credit loans with
the purchase-invoice purpose check, the equipment registry and disposal by the platform; and
investment-linked deals (equity stakes, warrants, shared screening notes)."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.selectors import policy_in_force

from . import facts, loans
from . import models as m
from . import validation as v
from .permissions import FINANCIAL, require
from .policies import EQUIPMENT_KEY

# --- IP pledge ------------------------------------------------------------------------------------------


def ip_pledge(*, actor: Actor, loan_id: int, pledges: list[dict]) -> list[m.PledgedIp]:
    """Pledge the borrower's valid IP rights (by number, with an appraised value) to an IP-pledge loan."""
    errors = v.Errors()
    if not isinstance(pledges, list) or not 1 <= len(pledges) <= 50:
        errors.add("pledges", _("Give one to fifty IP rights."))
        errors.raise_if_any()
    numbers = []
    for i, p in enumerate(pledges):
        number = str(p.get("number", "")).strip()
        if not number or len(number) > 64:
            errors.add(f"pledges.{i}.number", _("Give the IP right's number."))
        v.amount(errors, f"pledges.{i}.appraised_value_fen", p.get("appraised_value_fen", 0), allow_zero=True)
        numbers.append(number)
    errors.raise_if_any()
    with transaction.atomic():
        loan = loans._locked_loan(actor, loan_id)
        if loan.kind != m.LoanKind.IP_PLEDGE:
            raise Conflict(_("Only an IP-pledge loan takes pledged IP."), code="wrong_kind")
        if loan.status not in (m.LoanStatus.CONTRACTED, m.LoanStatus.ACTIVE):
            raise Conflict(_("The loan is closed."), code="wrong_status")
        rights = {r.number: r for r in facts.enterprise_ip(organisation=loan.borrower,
                                                           credit_code=loan.borrower_credit_code, numbers=numbers)}
        for i, number in enumerate(numbers):
            right = rights.get(number)
            if right is None:
                errors.add(f"pledges.{i}.number", _("The borrower holds no IP right with this number."))
            elif right.status != "valid":
                errors.add(f"pledges.{i}.number", _("This IP right is not valid (%(status)s).") % {
                    "status": right.get_status_display()})
        errors.raise_if_any()
        today = timezone.localdate()
        created = []
        try:
            with transaction.atomic():
                for p, number in zip(pledges, numbers, strict=True):
                    right = rights[number]
                    created.append(m.PledgedIp.objects.create(
                        loan=loan, ip=right, number=number, kind=right.kind, title=right.title[:300],
                        appraised_value_fen=p.get("appraised_value_fen", 0), pledged_on=today))
        except IntegrityError as exc:
            raise Conflict(_("An IP right is already pledged to another loan."), code="already_pledged") from exc
        audit.record(actor=actor, action="financing.ip_pledged", obj=loan, changes={"numbers": numbers})
    return created


# --- equipment ------------------------------------------------------------------------------------------


def invoice_checks(loan: m.Loan, *, buyer_credit_code: str, issued_on: date, lines: list[dict], total_fen: int,
                   rules: dict) -> list[dict]:
    """The purpose check of a purchase invoice: every line is an instrument of the loan's category,
    bought by the borrower, within the window, adding up. Each check says why it passed or failed."""
    checks = []

    def add(key: str, ok: bool, passed: str, failed: str) -> None:
        checks.append({"key": key, "ok": ok, "reason": passed if ok else failed})

    add("buyer", buyer_credit_code.strip().upper() == loan.borrower_credit_code,
        _("The buyer is the borrower."), _("The buyer on the invoice is not the borrower."))
    allowed = set(rules["categories"])
    bad = [line["name"] for line in lines if line["category"] != loan.purpose_category]
    add("purpose", loan.purpose_category in allowed and not bad,
        _("Every line is equipment of the loan's purpose (%(c)s).") % {"c": loan.purpose_category},
        _("Lines outside the loan's purpose (%(c)s): %(names)s.") % {"c": loan.purpose_category,
                                                                    "names": ", ".join(bad) or "—"})
    lines_total = sum(line["amount_fen"] for line in lines)
    add("total", lines_total == total_fen,
        _("The lines add up to the invoice total."),
        _("The lines add up to %(lines)s yuan, not the invoice total %(total)s yuan.") % {
            "lines": fen_to_yuan(lines_total), "total": fen_to_yuan(total_fen)})
    start = loan.contract_on - timedelta(days=rules["invoice_days_before_contract"])
    end = min((loan.disbursed_on or timezone.localdate()) + timedelta(days=rules["invoice_days_after_disbursement"]),
              timezone.localdate())
    add("date", start <= issued_on <= end,
        _("Issued within the allowed window (%(a)s to %(b)s).") % {"a": start.isoformat(), "b": end.isoformat()},
        _("Issued on %(d)s, outside the allowed window (%(a)s to %(b)s).") % {
            "d": issued_on.isoformat(), "a": start.isoformat(), "b": end.isoformat()})
    return checks


def invoice_register(*, actor: Actor, loan_id: int, invoice_no: str, seller_name: str, buyer_credit_code: str,
                     issued_on: date, total_fen: int, lines: list[dict]) -> m.PurchaseInvoice:
    """Check a purchase invoice against the equipment loan's purpose; if every check passes, record
    it and enter each line into the equipment registry with its disposal right pledged to the
    platform. If any check fails nothing is written and the reasons are returned (422)."""
    errors = v.Errors()
    invoice_no = v.text(errors, "invoice_no", invoice_no, max_length=64, required=True)
    seller_name = v.text(errors, "seller_name", seller_name, max_length=200, required=True)
    v.amount(errors, "total_fen", total_fen)
    if not isinstance(lines, list) or not 1 <= len(lines) <= 100:
        errors.add("lines", _("Give one to a hundred invoice lines."))
        errors.raise_if_any()
    clean_lines = []
    for i, line in enumerate(lines):
        name = v.text(errors, f"lines.{i}.name", line.get("name"), max_length=200, required=True)
        category = v.text(errors, f"lines.{i}.category", line.get("category"), max_length=40, required=True)
        serial = v.text(errors, f"lines.{i}.serial_no", line.get("serial_no"), max_length=100)
        amount = v.amount(errors, f"lines.{i}.amount_fen", line.get("amount_fen"))
        clean_lines.append({"name": name, "category": category, "serial_no": serial, "amount_fen": amount})
    errors.raise_if_any()
    with transaction.atomic():
        loan = loans._locked_loan(actor, loan_id)
        if loan.kind != m.LoanKind.EQUIPMENT:
            raise Conflict(_("Only an equipment credit loan takes purchase invoices."), code="wrong_kind")
        if loan.status not in (m.LoanStatus.CONTRACTED, m.LoanStatus.ACTIVE):
            raise Conflict(_("The loan is closed."), code="wrong_status")
        rules = policy_in_force(EQUIPMENT_KEY).parameters
        checks = invoice_checks(loan, buyer_credit_code=buyer_credit_code, issued_on=issued_on, lines=clean_lines,
                                total_fen=total_fen, rules=rules)
        if not all(c["ok"] for c in checks):
            raise ValidationFailed(_("The invoice does not match the loan's purpose."), code="purpose_mismatch",
                                   details={"invoice": [c["reason"] for c in checks if not c["ok"]]})
        if m.PurchaseInvoice.objects.filter(invoice_no=invoice_no).exists():
            raise Conflict(_("This invoice has already been used for a loan."), code="invoice_reused")
        try:
            with transaction.atomic():
                invoice = m.PurchaseInvoice.objects.create(
                    loan=loan, invoice_no=invoice_no, seller_name=seller_name,
                    buyer_credit_code=buyer_credit_code.strip().upper(), issued_on=issued_on, total_fen=total_fen,
                    lines=clean_lines, checks=checks)
        except IntegrityError as exc:
            raise Conflict(_("This invoice has already been used for a loan."), code="invoice_reused") from exc
        m.Equipment.objects.bulk_create([
            m.Equipment(loan=loan, invoice=invoice, name=x["name"], category=x["category"], serial_no=x["serial_no"],
                        price_fen=x["amount_fen"]) for x in clean_lines])
        audit.record(actor=actor, action="financing.invoice_registered", obj=invoice,
                     changes={"loan": loan.pk, "invoice_no": invoice_no, "total_fen": total_fen,
                              "items": len(clean_lines)})
    return invoice


def equipment_dispose(*, actor: Actor, equipment_id: int, mode: str, on: date, proceeds_fen: int,
                      counterparty: str) -> m.Equipment:
    """The platform exercises its disposal right on a defaulted loan's equipment: it redeploys the
    item to another enterprise or sells it; any proceeds are a recovery of the default."""
    require(actor, "financing.equipment_dispose")
    errors = v.Errors()
    v.choice(errors, "mode", mode, ("redeploy", "sell"))
    v.amount(errors, "proceeds_fen", proceeds_fen, allow_zero=mode == "redeploy")
    counterparty = v.text(errors, "counterparty", counterparty, max_length=200, required=True)
    if on > timezone.localdate():
        errors.add("on", _("The date cannot be in the future."))
    errors.raise_if_any()
    with transaction.atomic():
        item = m.Equipment.objects.select_for_update().filter(pk=equipment_id).first()
        if item is None:
            raise NotFound()
        loan = m.Loan.objects.select_for_update().get(pk=item.loan_id)
        if item.status != m.Equipment.Status.PLEDGED:
            raise Conflict(_("This item is no longer pledged to the platform."), code="not_pledged")
        if loan.status != m.LoanStatus.DEFAULTED:
            raise Conflict(_("The platform disposes of equipment only after the loan defaults."), code="not_defaulted")
        if proceeds_fen:
            source = m.RecoverySource.EQUIPMENT_SALE if mode == "sell" else m.RecoverySource.EQUIPMENT_REDEPLOY
            item.recovery = loans.record_recovery(actor, loan, amount_fen=proceeds_fen, received_on=on, source=source,
                                                  note=f"{item.name} → {counterparty}")
        item.status = m.Equipment.Status.SOLD if mode == "sell" else m.Equipment.Status.REDEPLOYED
        item.disposed_on, item.proceeds_fen, item.counterparty = on, proceeds_fen, counterparty
        item.save()
        audit.record(actor=actor, action="financing.equipment_disposed", obj=item,
                     changes={"mode": mode, "proceeds_fen": proceeds_fen, "counterparty": counterparty,
                              "loan": loan.pk})
    return item


# --- investment-linked -------------------------------------------------------------------------------------


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
        loan = loans._locked_loan(actor, loan_id)
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
        loan = loans._locked_loan(actor, loan_id)
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
