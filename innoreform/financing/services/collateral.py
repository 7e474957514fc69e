"""Collateral of special loan kinds: IP pledges linked to the registry's IP rights; equipment
credit loans with the purchase-invoice purpose check, the equipment registry and disposal by the
platform."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.money import fen_to_yuan
from innoreform.core.selectors import policy_in_force

from .. import facts
from .. import models as m
from .. import validation as v
from ..policies import EQUIPMENT_KEY
from . import loans
from .access import require


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
        loan = loans.locked_loan(actor, loan_id)
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
        loan = loans.locked_loan(actor, loan_id)
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
