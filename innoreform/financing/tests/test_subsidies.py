"""Interest subsidies: a share of the interest actually paid in a closed quarter, capped per
enterprise per year, approved by another person, booked as postings."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from innoreform.books.models import Transaction
from innoreform.core.errors import Conflict, PermissionDenied
from innoreform.financing.services import loans, subsidies

pytestmark = pytest.mark.django_db


def test_quarterly_subsidy_with_maker_checker(sme, bank, dept_reviewer, dept_approver):
    today = timezone.localdate()
    q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    prev_end = q_start - timedelta(days=1)
    year, quarter = prev_end.year, (prev_end.month - 1) // 3 + 1
    start, _end = subsidies.quarter_bounds(year, quarter)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="S-1",
                               contract_on=start - timedelta(days=40), principal_fen=12_000_000, annual_rate="0.05",
                               term_months=12, method="interest_only")
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start - timedelta(days=40))
    paid = 0
    for inst in loan.instalments.filter(due_on__gte=start, due_on__lte=prev_end):
        loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=inst.interest_fen, paid_on=inst.due_on)
        paid += inst.interest_fen
    assert paid > 0
    with pytest.raises(Conflict):
        subsidies.subsidy_compute(actor=dept_reviewer, year=today.year, quarter=(today.month - 1) // 3 + 1)
    made = subsidies.subsidy_compute(actor=dept_reviewer, year=year, quarter=quarter)
    assert len(made) == 1 and made[0].interest_paid_fen == paid and made[0].amount_fen == (paid + 1) // 2
    assert subsidies.subsidy_compute(actor=dept_reviewer, year=year, quarter=quarter) == []  # once per quarter
    with pytest.raises(PermissionDenied):
        subsidies.subsidy_decide(actor=dept_reviewer, subsidy_id=made[0].pk, approve=True)  # reviewer cannot approve
    approved = subsidies.subsidy_decide(actor=dept_approver, subsidy_id=made[0].pk, approve=True)
    assert approved.status == "approved"
    assert Transaction.objects.get(reference=approved.books_reference).kind == "financing.interest_subsidy"
