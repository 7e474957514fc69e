"""Concurrent repayments of one loan on PostgreSQL: the loan row lock serialises them, so the
balance is never overpaid (one full repayment wins, the rest are refused), and the books agree."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from innoreform.books.models import Account
from innoreform.core.errors import DomainError
from innoreform.financing import models as m
from innoreform.financing.services import loans

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_full_repayments_pay_once(sme, bank):
    start = timezone.localdate() - timedelta(days=10)
    loan = loans.loan_contract(actor=bank, borrower_credit_code=sme.organisation.credit_code, contract_no="P-1",
                               contract_on=start, principal_fen=1_200_000, annual_rate="0.05", term_months=12)
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start)
    owed = sum(i.principal_fen + i.interest_fen for i in loan.instalments.all())
    results: list[str] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            loans.loan_repay(actor=bank, loan_id=loan.pk, amount_fen=owed, paid_on=timezone.localdate())
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"not_active"}
    loan.refresh_from_db()
    assert loan.status == "repaid" and loan.principal_outstanding_fen == 0
    assert m.Repayment.objects.filter(loan=loan).count() == 1
    assert Account.objects.get(key=f"financing.loan:{loan.pk}").balance_fen == 0
