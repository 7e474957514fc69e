"""Loan lifecycle: contract, disbursement with its schedule, repayments, overdue days and the
five-category classification, default events and recoveries. Each write: keyword-only, an actor,
one transaction with the audit record, books postings and ledger entry; the loan row is locked
first so concurrent repayments cannot both spend the same balance."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.money import fen_to_yuan
from innoreform.core.regions import Region
from innoreform.core.selectors import policy_in_force
from innoreform.ledger import services as ledger

from .. import booking, facts
from .. import models as m
from .. import schedule as sched
from .. import validation as v
from ..policies import CLASSIFICATION_KEY, EQUIPMENT_KEY, ClassificationRules
from .access import require

RANK = {c: i for i, c in enumerate(m.CATEGORY_ORDER)}


def category_floor(overdue_days: int, rules: ClassificationRules) -> str:
    """The best category a loan may have with this many days overdue."""
    if overdue_days > rules.loss_after_days:
        return m.Category.LOSS
    if overdue_days > rules.doubtful_after_days:
        return m.Category.DOUBTFUL
    if overdue_days > rules.substandard_after_days:
        return m.Category.SUBSTANDARD
    if overdue_days > rules.special_mention_after_days:
        return m.Category.SPECIAL_MENTION
    return m.Category.NORMAL


def classification_rules(on: date | None = None) -> tuple[int, ClassificationRules]:
    policy = policy_in_force(CLASSIFICATION_KEY, on)
    return policy.version, ClassificationRules(**policy.parameters)


def _schedule_errors(exc: sched.ScheduleError) -> ValidationFailed:
    return ValidationFailed(details={k: [_(msg) for msg in msgs] for k, msgs in exc.errors.items()})


def locked_loan(actor: Actor, loan_id: int) -> m.Loan:
    """The actor's own loan, locked for a write (collateral and investment writes lock it too);
    NotFound for anyone else's."""
    require(actor, "financing.loan_manage")
    qs = m.Loan.objects.select_for_update()
    if not actor.is_system:
        qs = qs.filter(institution_id=actor.organisation_id)
    loan = qs.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound()
    return loan


def _dues(loan: m.Loan) -> list[sched.Due]:
    return [sched.Due(number=i.number, due_on=i.due_on, principal_fen=i.principal_due_fen,
                      interest_fen=i.interest_due_fen) for i in loan.instalments.order_by("number")]


def _check_date(errors: v.Errors, field: str, value: date, *, not_before: date | None = None,
                before_label: str = "") -> None:
    if value > timezone.localdate():
        errors.add(field, _("The date cannot be in the future."))
    if not_before is not None and value < not_before:
        errors.add(field, _("The date is before %(what)s (%(date)s).") % {"what": before_label,
                                                                        "date": not_before.isoformat()})


# --- contract -------------------------------------------------------------------------------------------


def loan_contract(*, actor: Actor, contract_no: str, contract_on: date, borrower_credit_code: str = "",
                  principal_fen: int | None = None, annual_rate=None, term_months: int | None = None,
                  method: str = "equal_instalment", period_months: int = 1, kind: str = "standard",
                  application_id: int | None = None, programme_id: int | None = None, purpose_category: str = "",
                  purpose_text: str = "", central_bank_relending: bool = False, borrower_name: str = "",
                  region: str = "", import_batch: m.LoanImport | None = None) -> m.Loan:
    require(actor, "financing.loan_manage")
    errors = v.Errors()
    contract_no = v.text(errors, "contract_no", contract_no, max_length=64, required=True)
    purpose_text = v.text(errors, "purpose_text", purpose_text, max_length=300)
    v.choice(errors, "kind", kind, m.LoanKind.values)
    _check_date(errors, "contract_on", contract_on)
    application = None
    if application_id is not None:
        application = m.Application.objects.select_related("enterprise", "product").filter(
            pk=application_id, institution_id=actor.organisation_id).first()
        if application is None:
            raise NotFound()
        if application.status != m.Application.Status.APPROVED:
            raise Conflict(_("Only an approved application becomes a loan."), code="not_approved")
        borrower_credit_code = application.enterprise.credit_code or ""
        principal_fen = application.approved_amount_fen if principal_fen is None else principal_fen
        annual_rate = application.approved_rate if annual_rate is None else annual_rate
        term_months = application.approved_term_months if term_months is None else term_months
        if principal_fen is not None and principal_fen > (application.approved_amount_fen or 0):
            errors.add("principal_fen", _("The principal is above the approved amount."))
        if contract_on < timezone.localdate(application.decided_at):
            errors.add("contract_on", _("The contract cannot predate the approval."))
    rate = v.rate(errors, "annual_rate", annual_rate)
    try:
        sched.validate(principal_fen=principal_fen, annual_rate=rate, term_months=term_months, method=method,
                       period_months=period_months)
    except sched.ScheduleError as exc:
        for field, msgs in exc.errors.items():
            for msg in msgs:
                errors.add(field, _(msg))
    code = (borrower_credit_code or "").strip().upper()
    enterprise = facts.registry_enterprise(credit_code=code) if code else None
    borrower = Organisation.objects.filter(credit_code=code, kind=OrgKind.ENTERPRISE).first() if code else None
    if not code:
        errors.add("borrower_credit_code", _("Give the borrower's unified social credit code."))
    elif enterprise is None and borrower is None and not (borrower_name and region in Region.values):
        errors.add("borrower_credit_code", _("This enterprise is not on the platform; give its name and city."))
    if kind == m.LoanKind.EQUIPMENT:
        allowed = policy_in_force(EQUIPMENT_KEY).parameters["categories"]
        if purpose_category not in allowed:
            errors.add("purpose_category", _("An equipment credit loan must name an instrument category: %(c)s.")
                       % {"c": ", ".join(allowed)})
    errors.raise_if_any()
    with transaction.atomic():
        programme = None
        if programme_id is not None:
            programme = _programme_for_loan(actor, programme_id, code, principal_fen)
        if m.Loan.objects.filter(institution_id=actor.organisation_id, contract_no=contract_no).exists():
            raise Conflict(_("A loan with this contract number exists."), code="duplicate_contract")
        try:
            with transaction.atomic():
                loan = m.Loan.objects.create(
                    institution=actor.organisation,
                    borrower=borrower or (enterprise.organisation if enterprise else None),
                    borrower_credit_code=code,
                    borrower_name=(enterprise.name if enterprise else (borrower.name if borrower else borrower_name)),
                    region=(enterprise.region if enterprise else (borrower.region if borrower else region)),
                    application=application, product=application.product if application else None,
                    programme=programme, contract_no=contract_no, kind=kind, principal_fen=principal_fen,
                    annual_rate=rate, term_months=term_months, method=method, period_months=period_months,
                    contract_on=contract_on, purpose_category=purpose_category, purpose_text=purpose_text,
                    central_bank_relending=central_bank_relending,
                    source=m.Loan.Source.IMPORT if import_batch else m.Loan.Source.PLATFORM,
                    import_batch=import_batch)
        except IntegrityError as exc:
            raise Conflict(_("A loan with this contract number exists."), code="duplicate_contract") from exc
        audit.record(actor=actor, action="financing.loan_contracted", obj=loan,
                     changes={"contract_no": contract_no, "borrower": code, "principal_fen": principal_fen,
                              "annual_rate": str(rate), "term_months": term_months, "method": method, "kind": kind,
                              "programme": programme_id, "application": application_id})
    return loan


def _programme_for_loan(actor: Actor, programme_id: int, code: str, principal_fen: int) -> m.Programme:
    programme = m.Programme.objects.select_for_update().filter(pk=programme_id).first()
    line = programme.credit_lines.filter(bank_id=actor.organisation_id).first() if programme else None
    if programme is None or line is None:
        raise NotFound()
    if programme.status != m.Programme.Status.ACTIVE:
        raise Conflict(_("The programme is not active."), code="programme_inactive")
    if not programme.members.filter(credit_code=code, included=True).exists():
        raise Conflict(_("The borrower is not in this programme."), code="not_a_member")
    used = m.Loan.objects.filter(programme=programme, institution_id=actor.organisation_id).aggregate(
        s=Sum("principal_fen"))["s"] or 0
    if used + principal_fen > line.line_fen:
        raise Conflict(_("The loan would exceed the bank's unified credit line."), code="line_exceeded",
                       details={"line_fen": line.line_fen, "used_fen": used})
    return programme


# --- disbursement and schedule -------------------------------------------------------------------------------


def _tranche_term(loan: m.Loan, on: date) -> int:
    """Months a later tranche may run: what is left of the term counted from the first tranche,
    in whole instalment periods, so no tranche matures after the contract does."""
    elapsed = 0
    while sched.add_months(loan.disbursed_on, elapsed) < on:
        elapsed += 1
    left = loan.term_months - elapsed
    return left - left % loan.period_months


def loan_disburse(*, actor: Actor, loan_id: int, disbursed_on: date, amount_fen: int | None = None) -> m.Loan:
    """Pay out a tranche (by default everything not yet drawn) on `disbursed_on` with its own
    schedule. The tranches never add up to more than the contract amount; the first one starts
    the term and later ones mature by the first one's maturity."""
    errors = v.Errors()
    if amount_fen is not None:
        v.amount(errors, "amount_fen", amount_fen)
    errors.raise_if_any()
    with transaction.atomic():
        loan = locked_loan(actor, loan_id)
        first = loan.status == m.LoanStatus.CONTRACTED
        last = loan.disbursements.order_by("-number").first()
        _check_date(errors, "disbursed_on", disbursed_on, not_before=last.disbursed_on if last else loan.contract_on,
                    before_label=_("the previous tranche") if last else _("the contract date"))
        errors.raise_if_any()
        left = loan.principal_fen - loan.disbursed_fen
        if left <= 0:
            raise Conflict(_("This loan has already been disbursed."), code="already_disbursed")
        if not first and loan.status != m.LoanStatus.ACTIVE:
            raise Conflict(_("Only an active loan takes a further tranche."), code="not_active")
        amount = left if amount_fen is None else amount_fen
        if amount > left:
            raise ValidationFailed(details={"amount_fen": [
                _("The tranche is more than the undrawn contract amount (%(left)s yuan).")
                % {"left": fen_to_yuan(left)}]},
                code="above_contract")
        if loan.kind == m.LoanKind.EQUIPMENT:
            invoiced = loan.invoices.aggregate(s=Sum("total_fen"))["s"] or 0
            if invoiced < loan.disbursed_fen + amount:
                raise Conflict(_("An equipment loan is paid out against purchase invoices covering the amount."),
                               code="invoice_missing", details={"invoiced_fen": invoiced})
        if loan.kind == m.LoanKind.IP_PLEDGE and not loan.pledged_ip.filter(released_on__isnull=True).exists():
            raise Conflict(_("Register the pledged IP before paying out an IP-pledge loan."), code="pledge_missing")
        term = loan.term_months if first else _tranche_term(loan, disbursed_on)
        if term <= 0:
            raise ValidationFailed(details={"disbursed_on": [
                _("Too late in the term for another tranche: less than one instalment period is left.")]},
                code="term_elapsed")
        try:
            lines = sched.build(principal_fen=amount, annual_rate=loan.annual_rate, term_months=term,
                                method=loan.method, start_on=disbursed_on, period_months=loan.period_months)
        except sched.ScheduleError as exc:
            raise _schedule_errors(exc) from exc
        d = m.Disbursement.objects.create(loan=loan, number=(last.number + 1) if last else 1, amount_fen=amount,
                                          disbursed_on=disbursed_on)
        offset = loan.instalments.aggregate(n=Max("number"))["n"] or 0
        m.Instalment.objects.bulk_create([
            m.Instalment(loan=loan, disbursement=d, number=offset + x.number, due_on=x.due_on,
                         principal_fen=x.principal_fen, interest_fen=x.interest_fen) for x in lines])
        principal, interest = sched.totals(lines)
        if first:
            loan.status, loan.disbursed_on, loan.as_of = m.LoanStatus.ACTIVE, disbursed_on, disbursed_on
        loan.maturity_on = max(loan.maturity_on or lines[-1].due_on, lines[-1].due_on)
        loan.disbursed_fen += amount
        loan.principal_outstanding_fen += principal
        loan.interest_scheduled_fen += interest
        loan.save()
        d.books_reference = booking.disbursement(actor, loan, d)
        d.save(update_fields=["books_reference"])
        audit.record(actor=actor, action="financing.loan_disbursed", obj=loan,
                     changes={"tranche": d.number, "amount_fen": amount, "on": disbursed_on.isoformat(),
                              "instalments": len(lines), "interest_fen": interest,
                              "disbursed_fen": loan.disbursed_fen})
    return loan


# --- repayments -------------------------------------------------------------------------------------------


def loan_repay(*, actor: Actor, loan_id: int, amount_fen: int, paid_on: date) -> m.Repayment:
    errors = v.Errors()
    v.amount(errors, "amount_fen", amount_fen)
    errors.raise_if_any()
    with transaction.atomic():
        loan = locked_loan(actor, loan_id)
        if loan.status != m.LoanStatus.ACTIVE:
            raise Conflict(_("Only an active loan takes repayments (a defaulted loan takes recoveries)."),
                           code="not_active")
        last = loan.repayments.order_by("-paid_on").values_list("paid_on", flat=True).first()
        _check_date(errors, "paid_on", paid_on, not_before=last or loan.disbursed_on,
                    before_label=_("the last repayment") if last else _("the disbursement"))
        errors.raise_if_any()
        instalments = {i.number: i for i in loan.instalments.select_for_update().order_by("number")}
        dues = [sched.Due(number=i.number, due_on=i.due_on, principal_fen=i.principal_due_fen,
                          interest_fen=i.interest_due_fen) for i in instalments.values()]
        try:
            allocation = sched.allocate(amount_fen, dues)
        except sched.ScheduleError as exc:
            owed = sum(d.principal_fen + d.interest_fen for d in dues)
            raise ValidationFailed(details={"amount_fen": [_(msg) for msg in exc.errors["amount_fen"]]},
                                   code="above_balance" if amount_fen > owed else "validation_failed") from exc
        principal = interest = 0
        for number, p, i in allocation:
            inst = instalments[number]
            inst.principal_paid_fen += p
            inst.interest_paid_fen += i
            inst.save(update_fields=["principal_paid_fen", "interest_paid_fen"])
            principal, interest = principal + p, interest + i
        rep = m.Repayment.objects.create(loan=loan, paid_on=paid_on, amount_fen=amount_fen, principal_fen=principal,
                                         interest_fen=interest, allocation=[list(a) for a in allocation])
        loan.principal_outstanding_fen -= principal
        if all(d.principal_fen == 0 and d.interest_fen == 0 for d in dues):
            loan.status = m.LoanStatus.REPAID
            _release_collateral(loan, paid_on)
        loan.overdue_days = sched.overdue_days(dues, max(paid_on, loan.as_of or paid_on))
        loan.save(update_fields=["principal_outstanding_fen", "status", "overdue_days"])
        rep.books_reference = booking.repayment(actor, loan, rep)
        rep.save(update_fields=["books_reference"])
        audit.record(actor=actor, action="financing.loan_repaid", obj=loan,
                     changes={"repayment": rep.pk, "amount_fen": amount_fen, "principal_fen": principal,
                              "interest_fen": interest, "paid_on": paid_on.isoformat()})
    return rep


def _release_collateral(loan: m.Loan, on: date) -> None:
    loan.pledged_ip.filter(released_on__isnull=True).update(released_on=on)
    loan.equipment.filter(status=m.Equipment.Status.PLEDGED).update(status=m.Equipment.Status.RELEASED,
                                                                    disposal_right_holder="")


# --- overdue, classification, default -------------------------------------------------------------------------


def _transition(actor: Actor, loan: m.Loan, to: str, *, on: date, automatic: bool, reason: str,
                version: int) -> None:
    if to == loan.classification:
        return
    m.ClassificationChange.objects.create(loan=loan, from_category=loan.classification, to_category=to, on=on,
                                          overdue_days=loan.overdue_days, automatic=automatic, reason=reason,
                                          policy_version=version, actor_label=actor.label)
    audit.record(actor=actor, action="financing.loan_classified", obj=loan,
                 changes={"from": loan.classification, "to": to, "automatic": automatic, "reason": reason,
                          "overdue_days": loan.overdue_days, "policy_version": version})
    loan.classification = to


def _refresh(actor: Actor, loan: m.Loan, on: date) -> m.Loan:
    version, rules = classification_rules(on)
    loan.overdue_days = sched.overdue_days(_dues(loan), on)
    loan.as_of = on
    floor = category_floor(loan.overdue_days, rules)
    if RANK[floor] > RANK[loan.classification]:
        _transition(actor, loan, floor, on=on, automatic=True, version=version,
                    reason=_("%(days)d days overdue") % {"days": loan.overdue_days})
    loan.save(update_fields=["overdue_days", "as_of", "classification"])
    if (loan.status == m.LoanStatus.ACTIVE and loan.overdue_days > rules.default_after_days
            and not hasattr(loan, "default_event")):
        _declare_default(actor, loan, on=on, reason=_("More than %(days)d days overdue.") % {
            "days": rules.default_after_days}, automatic=True, version=version)
    return loan


def loan_refresh(*, actor: Actor, loan_id: int, on: date | None = None) -> m.Loan:
    """Recompute days overdue as of `on` (today), move the classification down to the floor the
    overdue rule sets, and record a default event once the default threshold is passed."""
    on = on or timezone.localdate()
    with transaction.atomic():
        loan = locked_loan(actor, loan_id)
        if loan.status not in (m.LoanStatus.ACTIVE, m.LoanStatus.DEFAULTED):
            return loan
        return _refresh(actor, loan, on)


def loans_refresh_all(*, actor: Actor, on: date | None = None) -> int:
    """The daily job: refresh every active or defaulted loan (each in its own transaction)."""
    count = 0
    for loan_id in m.Loan.objects.filter(status__in=[m.LoanStatus.ACTIVE, m.LoanStatus.DEFAULTED]).values_list(
            "pk", flat=True):
        loan_refresh(actor=actor, loan_id=loan_id, on=on)
        count += 1
    return count


def loan_classify(*, actor: Actor, loan_id: int, category: str, reason: str, on: date | None = None) -> m.Loan:
    """The lender classifies by hand; never better than the overdue rule allows."""
    on = on or timezone.localdate()
    errors = v.Errors()
    v.choice(errors, "category", category, m.Category.values)
    reason = v.text(errors, "reason", reason, max_length=500, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        loan = locked_loan(actor, loan_id)
        if loan.status == m.LoanStatus.CONTRACTED:
            raise Conflict(_("Classify a loan once it is disbursed."), code="not_disbursed")
        version, rules = classification_rules(on)
        loan.overdue_days = sched.overdue_days(_dues(loan), on)
        floor = category_floor(loan.overdue_days, rules)
        if RANK[category] < RANK[floor]:
            raise ValidationFailed(details={"category": [
                _("With %(days)d days overdue the loan is at least %(floor)s.") % {
                    "days": loan.overdue_days, "floor": m.Category(floor).label}]}, code="below_floor")
        if category == loan.classification:
            raise Conflict(_("The loan is already in this category."), code="unchanged")
        _transition(actor, loan, category, on=on, automatic=False, reason=reason, version=version)
        loan.save(update_fields=["overdue_days", "classification"])
    return loan


def _declare_default(actor: Actor, loan: m.Loan, *, on: date, reason: str, automatic: bool,
                     version: int) -> m.LoanDefault:
    unpaid_interest = sum(i.interest_due_fen for i in loan.instalments.filter(due_on__lte=on))
    default = m.LoanDefault.objects.create(
        loan=loan, declared_on=on, overdue_days=loan.overdue_days, principal_fen=loan.principal_outstanding_fen,
        interest_fen=unpaid_interest, amount_fen=loan.principal_outstanding_fen + unpaid_interest,
        automatic=automatic, reason=reason, policy_version=version)
    loan.status = m.LoanStatus.DEFAULTED
    if RANK[loan.classification] < RANK[m.Category.SUBSTANDARD]:
        _transition(actor, loan, m.Category.SUBSTANDARD, on=on, automatic=True, version=version,
                    reason=_("Default declared"))
    loan.save(update_fields=["status", "classification", "overdue_days"])
    audit.record(actor=actor, action="financing.loan_defaulted", obj=default,
                 changes={"loan": loan.pk, "principal_fen": default.principal_fen,
                          "interest_fen": default.interest_fen, "automatic": automatic, "reason": reason})
    ledger.append_commitment(actor=actor, entry_type="financing.loan_defaulted", obj=default,
                             subject_organisation=loan.borrower_id,
                             payload={"loan": loan.pk, "amount_fen": default.amount_fen, "on": on})
    return default


def loan_default_declare(*, actor: Actor, loan_id: int, on: date, reason: str) -> m.LoanDefault:
    errors = v.Errors()
    reason = v.text(errors, "reason", reason, max_length=500, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        loan = locked_loan(actor, loan_id)
        _check_date(errors, "on", on, not_before=loan.disbursed_on or loan.contract_on,
                    before_label=_("the disbursement"))
        errors.raise_if_any()
        if loan.status != m.LoanStatus.ACTIVE:
            raise Conflict(_("Only an active loan can default."), code="not_active")
        version, _rules = classification_rules(on)
        loan.overdue_days = sched.overdue_days(_dues(loan), on)
        return _declare_default(actor, loan, on=on, reason=reason, automatic=False, version=version)


def record_recovery(actor: Actor, loan: m.Loan, *, amount_fen: int, received_on: date, source: str,
                    note: str = "") -> m.Recovery:
    """Inside the caller's transaction, with the loan locked."""
    default = m.LoanDefault.objects.select_for_update().filter(loan=loan).first()
    if default is None:
        raise Conflict(_("Recoveries are recorded against a defaulted loan."), code="not_defaulted")
    errors = v.Errors()
    v.amount(errors, "amount_fen", amount_fen)
    v.choice(errors, "source", source, m.RecoverySource.values)
    _check_date(errors, "received_on", received_on, not_before=default.declared_on,
                before_label=_("the default"))
    if not errors and amount_fen > default.outstanding_fen:
        errors.add("amount_fen", _("The recovery is more than the unrecovered exposure (%(left)s yuan).") % {
            "left": fen_to_yuan(default.outstanding_fen)})
    errors.raise_if_any()
    rec = m.Recovery.objects.create(default=default, received_on=received_on, amount_fen=amount_fen, source=source,
                                    note=note[:300])
    principal_part = min(amount_fen, loan.principal_outstanding_fen)
    loan.principal_outstanding_fen -= principal_part
    loan.save(update_fields=["principal_outstanding_fen"])
    default.recovered_fen += amount_fen
    default.save(update_fields=["recovered_fen"])
    rec.books_reference = booking.recovery(actor, loan, rec, principal_part=principal_part)
    rec.save(update_fields=["books_reference"])
    audit.record(actor=actor, action="financing.recovery_recorded", obj=rec,
                 changes={"loan": loan.pk, "amount_fen": amount_fen, "source": source,
                          "received_on": received_on.isoformat()})
    return rec


def recovery_record(*, actor: Actor, loan_id: int, amount_fen: int, received_on: date, source: str,
                    note: str = "") -> m.Recovery:
    with transaction.atomic():
        loan = locked_loan(actor, loan_id)
        return record_recovery(actor, loan, amount_fen=amount_fen, received_on=received_on, source=source, note=note)
