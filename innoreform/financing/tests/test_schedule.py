"""Schedule arithmetic in integer fen: the principal column sums exactly to the principal, the
interest column to the schedule's interest, every payment is principal + interest, balances run
down to zero; impossible terms are refused with field-level reasons."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoreform.financing import schedule as s

METHODS = list(s.Method.ALL)


@settings(max_examples=150, deadline=None)
@given(principal=st.integers(min_value=360, max_value=10**12),
       rate=st.decimals(min_value=0, max_value=Decimal("0.36"), places=6),
       periods=st.integers(min_value=1, max_value=120), period_months=st.sampled_from(s.PERIOD_MONTHS),
       method=st.sampled_from(METHODS))
def test_columns_sum_exactly(principal, rate, periods, period_months, method):
    term = periods * period_months
    if term > s.MAX_TERM_MONTHS:
        return
    lines = s.build(principal_fen=principal, annual_rate=rate, term_months=term, method=method,
                    start_on=date(2026, 1, 31), period_months=period_months)
    assert len(lines) == periods
    assert sum(x.principal_fen for x in lines) == principal
    total_p, total_i = s.totals(lines)
    assert (total_p, total_i) == (principal, sum(x.interest_fen for x in lines))
    assert sum(x.payment_fen for x in lines) == principal + total_i
    assert all(isinstance(x.principal_fen, int) and x.principal_fen >= 0 and x.interest_fen >= 0 for x in lines)
    assert lines[-1].closing_fen == 0
    assert all(a.closing_fen == b.opening_fen for a, b in itertools.pairwise(lines))
    assert [x.due_on for x in lines] == sorted(x.due_on for x in lines)


def test_equal_instalment_known_values():
    # 1,000,000.00 yuan, 4.35 % a year, 12 months: the level payment is 85,309.90 yuan.
    lines = s.build(principal_fen=100_000_000, annual_rate=Decimal("0.0435"), term_months=12,
                    method=s.Method.EQUAL_INSTALMENT, start_on=date(2026, 1, 15))
    assert {x.payment_fen for x in lines[:-1]} == {8_530_990}
    assert lines[0].interest_fen == 362_500  # 1,000,000 x 4.35 % / 12 = 3,625.00 yuan
    assert abs(lines[-1].payment_fen - 8_530_990) <= 12
    assert sum(x.principal_fen for x in lines) == 100_000_000
    assert lines[0].due_on == date(2026, 2, 15) and lines[-1].due_on == date(2027, 1, 15)


def test_equal_principal_spreads_the_remainder():
    lines = s.build(principal_fen=1_000, annual_rate=Decimal("0.12"), term_months=3, method=s.Method.EQUAL_PRINCIPAL,
                    start_on=date(2026, 1, 1))
    assert [x.principal_fen for x in lines] == [334, 333, 333]
    assert [x.interest_fen for x in lines] == [10, 7, 3]  # 1% of 1000, 666, 333 (half up)


def test_interest_only_bullet():
    lines = s.build(principal_fen=50_000_000, annual_rate=Decimal("0.048"), term_months=12,
                    method=s.Method.INTEREST_ONLY, start_on=date(2026, 3, 31), period_months=3)
    assert [x.principal_fen for x in lines] == [0, 0, 0, 50_000_000]
    assert {x.interest_fen for x in lines} == {600_000}
    assert lines[0].due_on == date(2026, 6, 30)


def test_month_end_clipping():
    assert s.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert s.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"principal_fen": 0}, "principal_fen"),
    ({"principal_fen": -5}, "principal_fen"),
    ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
    ({"annual_rate": Decimal("4.35")}, "annual_rate"),
    ({"term_months": 0}, "term_months"),
    ({"term_months": 10, "period_months": 3}, "term_months"),
    ({"period_months": 2}, "period_months"),
    ({"method": "balloon"}, "method"),
    ({"principal_fen": 5, "term_months": 12}, "principal_fen"),
])
def test_impossible_schedules(kwargs, field):
    args = {"principal_fen": 100_000, "annual_rate": Decimal("0.05"), "term_months": 12,
            "method": s.Method.EQUAL_INSTALMENT, "start_on": date(2026, 1, 1), **kwargs}
    with pytest.raises(s.ScheduleError) as exc:
        s.build(**args)
    assert field in exc.value.errors


def test_allocation_interest_first_and_in_order():
    dues = [s.Due(1, date(2026, 2, 1), 100, 10), s.Due(2, date(2026, 3, 1), 100, 9)]
    assert s.allocate(115, dues) == [(1, 100, 10), (2, 0, 5)]
    assert (dues[1].principal_fen, dues[1].interest_fen) == (100, 4)
    assert s.overdue_days(dues, date(2026, 3, 11)) == 10
    with pytest.raises(s.ScheduleError):
        s.allocate(105, dues)  # more than the 104 still owed
    assert (dues[1].principal_fen, dues[1].interest_fen) == (100, 4)  # nothing allocated


def test_overdue_days_none_when_paid():
    dues = [s.Due(1, date(2026, 2, 1), 0, 0), s.Due(2, date(2026, 3, 1), 5, 0)]
    assert s.overdue_days(dues, date(2026, 3, 1)) == 0
    assert s.overdue_days(dues, date(2026, 3, 2)) == 1
