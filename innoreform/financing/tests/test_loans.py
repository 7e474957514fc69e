"""Loans: classification transitions (automatic floors from overdue days, manual never better than
the floor, default and recoveries); bad input (repayment above the balance, dates out of order,
impossible schedules) leaves nothing half-written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from innoreform.books.models import Account, Transaction
from innoreform.core.errors import Conflict, ValidationFailed
from innoreform.financing import models as m
from innoreform.financing.policies import CLASSIFICATION_DEFAULTS, ClassificationRules
from innoreform.financing.services import loans

pytestmark = pytest.mark.django_db
RULES = ClassificationRules(**CLASSIFICATION_DEFAULTS)


@pytest.mark.parametrize(("days", "category"), [
    (0, "normal"), (1, "special_mention"), (90, "special_mention"), (91, "substandard"), (270, "substandard"),
    (271, "doubtful"), (360, "doubtful"), (361, "loss")])
def test_category_floor_table(days, category):
    assert loans.category_floor(days, RULES) == category


def _loan(bank, sme, *, days_ago=200, principal=12_000_000, method="equal_principal", contract_no="L-1"):
    start = timezone.localdate() - timedelta(days=days_ago)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no=contract_no,
                               contract_on=start, principal_fen=principal, annual_rate="0.05", term_months=12,
                               method=method)
    return loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start)


def test_transitions_follow_overdue_days(sme, bank):
    loan = _loan(bank, sme, days_ago=100)
    first = loan.instalments.get(number=1)
    on = first.due_on + timedelta(days=1)
    loan = loans.loan_refresh(actor=bank, loan_id=loan.pk, on=on)
    assert (loan.overdue_days, loan.classification, loan.status) == (1, "special_mention", "active")
    # Manual classification may be worse, never better than the floor.
    with pytest.raises(ValidationFailed) as exc:
        loans.loan_classify(actor=bank, loan_id=loan.pk, category="normal", reason="paid soon", on=on)
    assert exc.value.code == "below_floor"
    loan = loans.loan_classify(actor=bank, loan_id=loan.pk, category="substandard", reason="weak sales", on=on)
    assert loan.classification == "substandard"
    # Paying the arrears clears the overdue days; the classification is not upgraded automatically.
    loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=first.principal_fen + first.interest_fen, paid_on=on)
    loan.refresh_from_db()
    assert loan.overdue_days == 0 and loan.classification == "substandard"
    loans.loan_classify(actor=bank, loan_id=loan.pk, category="normal", reason="arrears cleared", on=on)
    changes = list(loan.classification_changes.values_list("from_category", "to_category", "automatic"))
    assert changes == [("normal", "special_mention", True), ("special_mention", "substandard", False),
                       ("substandard", "normal", False)]


def test_default_after_threshold_then_recoveries(sme, bank):
    loan = _loan(bank, sme, days_ago=200)
    loan = loans.loan_refresh(actor=bank, loan_id=loan.pk)
    assert loan.status == "defaulted" and loan.classification == "substandard"  # 169 days: 次级
    default = loan.default_event
    assert default.principal_fen == 12_000_000 and default.automatic
    with pytest.raises(Conflict):
        loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=100, paid_on=timezone.localdate())
    with pytest.raises(ValidationFailed):
        loans.recovery_record(actor=bank, loan_id=loan.pk, amount_fen=default.amount_fen + 1,
                              received_on=timezone.localdate(), source="borrower")
    with pytest.raises(ValidationFailed):  # before the default
        loans.recovery_record(actor=bank, loan_id=loan.pk, amount_fen=100,
                              received_on=default.declared_on - timedelta(days=1), source="borrower")
    loans.recovery_record(actor=bank, loan_id=loan.pk, amount_fen=5_000_000, received_on=timezone.localdate(),
                          source="guarantor")
    default.refresh_from_db()
    loan.refresh_from_db()
    assert default.recovered_fen == 5_000_000 and loan.principal_outstanding_fen == 7_000_000
    assert Account.objects.get(key=f"financing.loan:{loan.pk}").balance_fen == 7_000_000
    # A manual default of a defaulted loan is refused.
    with pytest.raises(Conflict):
        loans.loan_default_declare(actor=bank, loan_id=loan.pk, on=timezone.localdate(), reason="again")


def test_repayment_above_balance_and_dates_out_of_order(sme, bank):
    loan = _loan(bank, sme, days_ago=40, principal=1_200_000, method="equal_instalment")
    owed = sum(i.principal_fen + i.interest_fen for i in loan.instalments.all())
    txns = Transaction.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=owed + 1, paid_on=timezone.localdate())
    assert exc.value.code == "above_balance"
    with pytest.raises(ValidationFailed) as exc:
        loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=100, paid_on=loan.disbursed_on - timedelta(days=1))
    assert "paid_on" in exc.value.details
    with pytest.raises(ValidationFailed):
        loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=100, paid_on=timezone.localdate() + timedelta(days=1))
    assert Transaction.objects.count() == txns and not m.Repayment.objects.exists()  # nothing half-written
    loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=100, paid_on=timezone.localdate())
    with pytest.raises(ValidationFailed):  # earlier than the last repayment
        loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=100, paid_on=timezone.localdate() - timedelta(days=1))
    rep = loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=owed - 100, paid_on=timezone.localdate())
    loan.refresh_from_db()
    assert loan.status == "repaid" and loan.principal_outstanding_fen == 0
    assert sum(r.principal_fen for r in loan.repayments.all()) == 1_200_000
    assert rep.interest_fen + rep.principal_fen == owed - 100


def test_impossible_contracts(sme, bank):
    today = timezone.localdate()
    base = {"actor": bank, "borrower_credit_code": sme.organisation.credit_code, "contract_no": "X",
            "contract_on": today, "principal_fen": 1_000_000, "annual_rate": "0.05", "term_months": 12}
    for bad, field in (({"term_months": 10, "period_months": 3}, "term_months"),
                       ({"annual_rate": "0.5"}, "annual_rate"),
                       ({"principal_fen": 0}, "principal_fen"),
                       ({"contract_on": today + timedelta(days=3)}, "contract_on"),
                       ({"borrower_credit_code": "91440000XXXXXXXXXX"}, "borrower_credit_code"),
                       ({"kind": "equipment", "purpose_category": "yacht"}, "purpose_category")):
        with pytest.raises(ValidationFailed) as exc:
            loans.loan_contract(**{**base, **bad})
        assert field in exc.value.details, (bad, exc.value.details)
    loan = loans.loan_contract(**base)
    with pytest.raises(ValidationFailed):  # disbursed before the contract
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=today - timedelta(days=1))
    with pytest.raises(Conflict):
        loans.loan_contract(**base)  # the same contract number again
    assert m.Loan.objects.count() == 1 and not m.Instalment.objects.exists()


def test_daily_job_moves_defaulted_loans_down(sme, bank):
    from innoreform.core.actor import Actor

    loan = _loan(bank, sme, days_ago=330, contract_no="L-9")
    assert loans.loans_refresh_all(actor=Actor.system()) == 1
    loan.refresh_from_db()
    assert loan.status == "defaulted" and loan.classification == "doubtful"  # ~300 days: 可疑 (the floor)
    later = timezone.localdate() + timedelta(days=70)
    loan = loans.loan_refresh(actor=bank, loan_id=loan.pk, on=later)
    assert loan.classification == "loss" and m.LoanDefault.objects.filter(loan=loan).count() == 1


# --- tranches ------------------------------------------------------------------------------------------


def test_tranches_are_capped_by_the_contract_and_mature_with_it(sme, bank):
    from innoreform.financing.schedule import add_months

    start = timezone.localdate() - timedelta(days=100)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="T-1",
                               contract_on=start, principal_fen=12_000_000, annual_rate="0.05", term_months=12,
                               method="equal_principal")
    loan = loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start, amount_fen=7_000_000)
    assert (loan.status, loan.disbursed_fen, loan.principal_outstanding_fen) == ("active", 7_000_000, 7_000_000)
    maturity = loan.maturity_on
    txns = Transaction.objects.count()
    with pytest.raises(ValidationFailed) as exc:  # more than the 5,000,000 fen left undrawn
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start + timedelta(days=45),
                            amount_fen=5_000_001)
    assert exc.value.code == "above_contract"
    with pytest.raises(ValidationFailed) as exc:  # before the first tranche
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start - timedelta(days=1), amount_fen=1)
    assert "disbursed_on" in exc.value.details
    assert Transaction.objects.count() == txns and loan.disbursements.count() == 1
    second_on = start + timedelta(days=45)
    loan = loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=second_on, amount_fen=5_000_000)
    second = loan.disbursements.get(number=2)
    # 45 days in: the second tranche runs the 10 whole months left, so it matures with the contract.
    assert second.instalments.count() == 10 and loan.maturity_on == maturity == add_months(start, 12)
    assert max(second.instalments.values_list("due_on", flat=True)) <= maturity
    assert sum(loan.instalments.values_list("principal_fen", flat=True)) == 12_000_000
    assert loan.disbursed_fen == loan.principal_fen and loan.principal_outstanding_fen == 12_000_000
    assert Account.objects.get(key=f"financing.loan:{loan.pk}").balance_fen == 12_000_000
    with pytest.raises(Conflict) as exc:
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=timezone.localdate(), amount_fen=1)
    assert exc.value.code == "already_disbursed"
    # A repayment goes to the instalment due first, whichever tranche it belongs to.
    first_due = loan.instalments.order_by("due_on", "number").first()
    assert first_due.disbursement.number == 1
    rep = loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=first_due.principal_fen + first_due.interest_fen,
                           paid_on=timezone.localdate())
    assert [row[0] for row in rep.allocation] == [first_due.number]


def test_a_tranche_needs_a_whole_period_left(sme, bank):
    start = timezone.localdate() - timedelta(days=80)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="T-2",
                               contract_on=start, principal_fen=3_000_000, annual_rate="0.05", term_months=3,
                               method="interest_only", period_months=3)
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start, amount_fen=1_000_000)
    with pytest.raises(ValidationFailed) as exc:
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start + timedelta(days=40), amount_fen=1_000_000)
    assert exc.value.code == "term_elapsed"
    loan.refresh_from_db()
    assert loan.disbursed_fen == 1_000_000 and loan.instalments.count() == 1


def test_tranche_through_the_bank_api(sme, bank):
    from .conftest import api_client

    start = timezone.localdate() - timedelta(days=10)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="T-3",
                               contract_on=start, principal_fen=2_000_000, annual_rate="0.04", term_months=6,
                               method="equal_instalment")
    client = api_client(bank)
    url = f"/api/bank/v1/financing/loans/{loan.pk}/disburse"
    r = client.post(url, {"disbursed_on": start.isoformat(), "amount_fen": 500_000}, content_type="application/json",
                    headers={"Idempotency-Key": "t1"})
    assert r.status_code == 200 and r.json()["disbursed_fen"] == 500_000 and r.json()["principal_fen"] == 2_000_000
    r = client.post(url, {"disbursed_on": start.isoformat(), "amount_fen": 1_500_001},
                    content_type="application/json", headers={"Idempotency-Key": "t2"})
    assert r.status_code == 422 and r.json()["code"] == "above_contract"
    r = client.post(url, {"disbursed_on": timezone.localdate().isoformat()}, content_type="application/json",
                    headers={"Idempotency-Key": "t3"})
    assert r.status_code == 200 and r.json()["disbursed_fen"] == 2_000_000
