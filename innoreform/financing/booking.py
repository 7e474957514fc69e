"""Money movements of loans and subsidies: double-entry postings in the books (which write each
posting's trust-ledger entry), inside the caller's transaction.

Accounts (opened on first use):
- the lender's loan receivable, one per loan (debit-normal, guarded: it never goes below zero,
  so a repayment above the principal outstanding is refused by the books as well);
- the lender's cash outside the platform (EXTERNAL: the real bank transfer);
- the lender's interest income and recoveries income;
- the paying department's subsidy expense and the enterprise's subsidy payable.
"""

from innoreform.books import services as books
from innoreform.books.schemas import AccountPurpose
from innoreform.core.actor import Actor


def _receivable(actor: Actor, loan):
    return books.account_for(actor=actor, owner=loan.institution_id, purpose=AccountPurpose.ENTERPRISE_RECEIVABLE,
                             key=f"financing.loan:{loan.pk}", name=f"贷款 {loan.contract_no}"[:200])


def _cash(actor: Actor, org_id: int):
    return books.account_for(actor=actor, owner=org_id, purpose=AccountPurpose.EXTERNAL, key="financing.cash",
                             name="Cash outside the platform")


def _income(actor: Actor, org_id: int, key: str):
    return books.account_for(actor=actor, owner=org_id, purpose=AccountPurpose.INCOME, key=key, name=key)


def disbursement(actor: Actor, loan, d) -> str:
    reference = f"financing:disbursement:{d.pk}"
    books.post_transaction(actor=actor, kind="financing.disbursement", reference=reference,
                           lines=[(_receivable(actor, loan), d.amount_fen), (_cash(actor, loan.institution_id),
                                                                              -d.amount_fen)],
                           subject_type="financing.loan", subject_id=loan.pk, correlation=f"financing.loan:{loan.pk}",
                           entry_type="financing.loan_disbursed", subject_organisation=loan.borrower_id)
    return reference


def repayment(actor: Actor, loan, rep) -> str:
    reference = f"financing:repayment:{rep.pk}"
    lines = [(_cash(actor, loan.institution_id), rep.amount_fen)]
    if rep.principal_fen:
        lines.append((_receivable(actor, loan), -rep.principal_fen))
    if rep.interest_fen:
        lines.append((_income(actor, loan.institution_id, "financing.interest"), -rep.interest_fen))
    books.post_transaction(actor=actor, kind="financing.repayment", reference=reference, lines=lines,
                           subject_type="financing.loan", subject_id=loan.pk, correlation=f"financing.loan:{loan.pk}",
                           entry_type="financing.loan_repaid", subject_organisation=loan.borrower_id)
    return reference


def recovery(actor: Actor, loan, rec, *, principal_part: int) -> str:
    reference = f"financing:recovery:{rec.pk}"
    lines = [(_cash(actor, loan.institution_id), rec.amount_fen)]
    if principal_part:
        lines.append((_receivable(actor, loan), -principal_part))
    if rec.amount_fen - principal_part:
        lines.append((_income(actor, loan.institution_id, "financing.recoveries"), -(rec.amount_fen - principal_part)))
    books.post_transaction(actor=actor, kind="financing.recovery", reference=reference, lines=lines,
                           subject_type="financing.loan", subject_id=loan.pk, correlation=f"financing.loan:{loan.pk}",
                           entry_type="financing.recovery_recorded", subject_organisation=loan.borrower_id)
    return reference


def subsidy(actor: Actor, s) -> str:
    reference = f"financing:subsidy:{s.pk}"
    loan = s.loan
    expense = books.account_for(actor=actor, owner=s.department_id, purpose=AccountPurpose.EXPENSE,
                                key="financing.interest_subsidy", name="科技信贷贴息")
    payable = books.account_for(actor=actor, owner=loan.borrower_id, purpose=AccountPurpose.ENTERPRISE_PAYABLE,
                                key=f"financing.subsidy:{loan.borrower_credit_code}",
                                name=f"贴息应付 {loan.borrower_name}"[:200])
    books.post_transaction(actor=actor, kind="financing.interest_subsidy", reference=reference,
                           lines=[(expense, s.amount_fen), (payable, -s.amount_fen)],
                           subject_type="financing.subsidy", subject_id=s.pk, correlation=f"financing.loan:{loan.pk}",
                           entry_type="financing.subsidy_approved", subject_organisation=loan.borrower_id)
    return reference


def receivable_balance(actor: Actor, loan) -> int:
    return _receivable(actor, loan).balance_fen
