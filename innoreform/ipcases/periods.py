"""The deadline engine: civil-procedure periods counted over the official holiday calendar.

Pure functions over dates and two versioned policy records (core.policies_registry):

* `ipcases.periods` — the periods themselves (Civil Procedure Law; SPC online litigation and online
  mediation rules; notarisation rules), so a change is a new approved version and every deadline
  stores the version it applied;
* `ipcases.calendar` — the State Council's holidays and adjusted working days, year by year.

Counting (Civil Procedure Law art. 85): the day of the triggering event is not counted; a period
whose last day falls on a rest day (weekend or official holiday) ends on the next working day; an
adjusted working day (调休上班) is a working day. "Working days" periods (mediation, notarial
certificate) count working days only.
"""

import calendar as _pycal
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, Field, field_validator

from innoreform.core import policies_registry
from innoreform.core.errors import ValidationFailed
from innoreform.core.selectors import policy_in_force

PERIODS_KEY = "ipcases.periods"
CALENDAR_KEY = "ipcases.calendar"


class PeriodParams(BaseModel):
    filing_decision_days: int = Field(7, ge=1, le=60)
    answer_days: int = Field(15, ge=1, le=90)
    evidence_days: int = Field(15, ge=15, le=90, description="At least 15 days in ordinary procedure.")
    appeal_judgment_days: int = Field(15, ge=1, le=60)
    appeal_ruling_days: int = Field(10, ge=1, le=60)
    no_domicile_days: int = Field(30, ge=1, le=90, description="Answer and appeal for a party with no domicile.")
    trial_limit_first_months: int = Field(6, ge=1, le=24)
    trial_limit_extension_months: int = Field(6, ge=0, le=24)
    trial_limit_second_months: int = Field(3, ge=1, le=24)
    mediation_select_working_days: int = Field(2, ge=1, le=10)
    mediation_assign_working_days: int = Field(3, ge=1, le=10)
    mediation_accept_working_days: int = Field(3, ge=1, le=10)
    mediation_pre_filing_days: int = Field(30, ge=1, le=90)
    mediation_post_ordinary_days: int = Field(15, ge=1, le=90)
    mediation_post_simplified_days: int = Field(7, ge=1, le=90)
    consenting_defendant_link_days: int = Field(3, ge=1, le=10)
    notarial_certificate_working_days: int = Field(15, ge=1, le=60)
    reminder_days_before: list[int] = Field(default_factory=lambda: [3, 1])


PERIOD_DEFAULTS = PeriodParams().model_dump()
PERIOD_SOURCE = ("《民事诉讼法》第85、126、128、171、183条"
                 "（立案7日、答辩15日、上诉15/10日、无住所30日、审限6+6个月、二审3个月）；"
                 "最高法《人民法院在线诉讼规则》（2021）；《人民法院在线调解规则》（2022）（选定2个工作日、指定3个工作日、"
                 "接受3个工作日、诉前30日、诉中15/7日）；《公证程序规则》第35条（15个工作日出具公证书）")


class CalendarParams(BaseModel):
    """Official rest days and adjusted working days, ISO dates, for the years listed."""

    years: list[int] = Field(min_length=1)
    holidays: list[date]
    working_weekends: list[date]

    @field_validator("holidays", "working_weekends")
    @classmethod
    def _sorted_unique(cls, v: list[date]) -> list[date]:
        return sorted(set(v))


def _span(start: str, end: str) -> list[str]:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


# 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）. Check against the published notice
# when it is revised: a correction is a new approved version of this policy, never an edit.
CALENDAR_DEFAULTS = {
    "years": [2026],
    "holidays": (_span("2026-01-01", "2026-01-03") + _span("2026-02-15", "2026-02-23")
                 + _span("2026-04-04", "2026-04-06") + _span("2026-05-01", "2026-05-05")
                 + _span("2026-06-19", "2026-06-21") + _span("2026-09-25", "2026-09-27")
                 + _span("2026-10-01", "2026-10-07")),
    "working_weekends": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
}
CALENDAR_SOURCE = "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"


def register_policies() -> None:
    policies_registry.register(key=PERIODS_KEY, schema=PeriodParams, defaults=PERIOD_DEFAULTS,
                               title="知识产权诉讼与调解期间", source=PERIOD_SOURCE)
    policies_registry.register(key=CALENDAR_KEY, schema=CalendarParams, defaults=CALENDAR_DEFAULTS,
                               title="法定节假日与调休安排", source=CALENDAR_SOURCE)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    working_weekends: frozenset[date]
    years: frozenset[int]
    version: int = 0

    def is_rest_day(self, day: date) -> bool:
        if day in self.working_weekends:
            return False
        return day in self.holidays or day.weekday() >= 5

    @classmethod
    def of(cls, params: CalendarParams, version: int = 0) -> "Calendar":
        return cls(frozenset(params.holidays), frozenset(params.working_weekends), frozenset(params.years), version)


def periods(on: date | None = None) -> tuple[int, PeriodParams]:
    v = policy_in_force(PERIODS_KEY, on)
    return v.version, PeriodParams(**v.parameters)


def official_calendar(on: date | None = None) -> Calendar:
    v = policy_in_force(CALENDAR_KEY, on)
    return Calendar.of(CalendarParams(**v.parameters), v.version)


def next_working_day(day: date, cal: Calendar) -> date:
    while cal.is_rest_day(day):
        day += timedelta(days=1)
    return day


def add_days(start: date, days: int, cal: Calendar) -> date:
    """A period of `days` calendar days from an event on `start`: the start day is not counted;
    a last day on a rest day moves to the next working day."""
    if days < 0:
        raise ValueError("days must not be negative")
    return next_working_day(start + timedelta(days=days), cal)


def add_working_days(start: date, days: int, cal: Calendar) -> date:
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if not cal.is_rest_day(day):
            left -= 1
    return day


def add_months(start: date, months: int) -> date:
    """Same day of the month `months` later, or that month's last day when it is shorter."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, _pycal.monthrange(year, month)[1]))


def excluded_days(periods_: list[tuple[date, date | None]], *, until: date) -> int:
    """Days inside excluded periods (both ends inclusive); an open period runs up to `until`.
    Overlapping periods count once."""
    days: set[date] = set()
    for start, end in periods_:
        end = end or until
        days.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    return len(days)


def trial_limit_due(docketed: date, months: int, excluded: list[tuple[date, date | None]], cal: Calendar,
                    *, today: date | None = None) -> date:
    """The trial limit: `months` from docketing, pushed back by every excluded day (publication,
    appraisal, settlement, jurisdiction disputes), last day off rest days."""
    today = today or timezone.localdate()
    base = add_months(docketed, months)
    return next_working_day(base + timedelta(days=excluded_days(excluded, until=max(today, base))), cal)


def check_not_past(due: date, *, today: date | None = None, field: str = "starts_on") -> date:
    """A deadline that has already passed when it is set is a mistake in its start date: refuse it."""
    today = today or timezone.localdate()
    if due < today:
        raise ValidationFailed(_("This deadline would already have passed (due %(due)s); check the date it is "
                                 "counted from.") % {"due": due.isoformat()},
                               code="deadline_in_past", details={field: [str(_("The date is too far in the past."))]})
    return due
