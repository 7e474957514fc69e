"""The deadline engine: pure functions over the versioned calendar."""

from datetime import date

import pytest

from innoreform.core.errors import ValidationFailed
from innoreform.ipcases import periods as p

CAL = p.Calendar.of(p.CalendarParams(**p.CALENDAR_DEFAULTS))


def test_plain_period_counts_calendar_days_from_the_next_day():
    # Tuesday 10 March + 7 days = Tuesday 17 March.
    assert p.add_days(date(2026, 3, 10), 7, CAL) == date(2026, 3, 17)


def test_last_day_on_a_weekend_moves_to_monday():
    # Wednesday 11 March + 10 = Saturday 21 March -> Monday 23 March.
    assert p.add_days(date(2026, 3, 11), 10, CAL) == date(2026, 3, 23)


def test_last_day_in_the_national_day_holiday_moves_past_it():
    # 24 September + 7 = 1 October (holiday until 7 October) -> Thursday 8 October.
    assert p.add_days(date(2026, 9, 24), 7, CAL) == date(2026, 10, 8)


def test_adjusted_working_saturday_is_a_working_day():
    # 3 October + 7 = Saturday 10 October, an adjusted working day: it stays.
    assert p.add_days(date(2026, 10, 3), 7, CAL) == date(2026, 10, 10)


def test_spring_festival_rolls_over():
    # 8 February + 7 = 15 February (festival 15-23 February) -> Tuesday 24 February.
    assert p.add_days(date(2026, 2, 8), 7, CAL) == date(2026, 2, 24)


def test_working_days_skip_weekends_and_holidays_but_count_adjusted_saturdays():
    # Thursday 30 April + 2 working days: 1-5 May holiday, so 6 and 7 May.
    assert p.add_working_days(date(2026, 4, 30), 2, CAL) == date(2026, 5, 7)
    # Friday 8 May + 1 working day = Saturday 9 May (adjusted working day).
    assert p.add_working_days(date(2026, 5, 8), 1, CAL) == date(2026, 5, 9)
    # 15 working days for a notarial certificate from Monday 9 March: Monday 30 March.
    assert p.add_working_days(date(2026, 3, 9), 15, CAL) == date(2026, 3, 30)


def test_months_end_on_the_last_day_of_a_shorter_month():
    assert p.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_excluded_periods_suspend_the_trial_limit():
    docketed = date(2026, 3, 10)
    base = p.trial_limit_due(docketed, 6, [], CAL, today=docketed)
    assert base == date(2026, 9, 10)
    # 20 days of appraisal plus an overlapping 5 counted once, and 10 of a jurisdiction dispute.
    excluded = [(date(2026, 4, 1), date(2026, 4, 20)), (date(2026, 4, 16), date(2026, 4, 20)),
                (date(2026, 5, 11), date(2026, 5, 20))]
    assert p.excluded_days(excluded, until=base) == 30
    # 10 September + 30 days = Saturday 10 October, an adjusted working day: it stands.
    assert p.trial_limit_due(docketed, 6, excluded, CAL, today=docketed) == date(2026, 10, 10)
    # One more excluded day lands on Sunday 11 October, which moves to Monday 12 October.
    excluded.append((date(2026, 6, 1), date(2026, 6, 1)))
    assert p.trial_limit_due(docketed, 6, excluded, CAL, today=docketed) == date(2026, 10, 12)


def test_an_open_excluded_period_runs_until_today():
    docketed = date(2026, 3, 10)
    due = p.trial_limit_due(docketed, 6, [(date(2026, 9, 1), None)], CAL, today=date(2026, 9, 30))
    assert due == date(2026, 10, 10)  # 30 days excluded so far; the limit keeps moving while it is open
    later = p.trial_limit_due(docketed, 6, [(date(2026, 9, 1), None)], CAL, today=date(2026, 10, 20))
    assert later == date(2026, 10, 30)


def test_a_deadline_already_past_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        p.check_not_past(date(2026, 3, 1), today=date(2026, 3, 10))
    assert exc.value.code == "deadline_in_past"
    assert p.check_not_past(date(2026, 3, 10), today=date(2026, 3, 10)) == date(2026, 3, 10)


def test_shipped_defaults_are_the_briefs_figures():
    d = p.PeriodParams()
    assert (d.filing_decision_days, d.answer_days, d.evidence_days, d.appeal_judgment_days, d.appeal_ruling_days,
            d.no_domicile_days, d.trial_limit_first_months, d.trial_limit_second_months) == (
        7, 15, 15, 15, 10, 30, 6, 3)
    assert (d.mediation_select_working_days, d.mediation_assign_working_days, d.mediation_accept_working_days,
            d.mediation_pre_filing_days, d.mediation_post_ordinary_days, d.mediation_post_simplified_days,
            d.notarial_certificate_working_days) == (2, 3, 3, 30, 15, 7, 15)
