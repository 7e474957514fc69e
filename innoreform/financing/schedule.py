"""Repayment schedules in integer fen (pure functions, no database).

Three methods, each over `periods = term_months / period_months` instalments:
- equal_instalment (等额本息): the same payment each period (the last absorbs rounding);
- equal_principal (等额本金): the same principal each period, interest on the balance;
- interest_only (先息后本): interest each period, the whole principal with the last one.

Interest of a period is the opening balance times the period rate (annual rate x months / 12),
rounded half up to a fen once per line. The principal column always sums exactly to the
principal, and the schedule's interest total is by definition the sum of its interest column.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from innoreform.core.money import MAX_FEN, round_fen


class Method:
    EQUAL_INSTALMENT = "equal_instalment"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"
    ALL = (EQUAL_INSTALMENT, EQUAL_PRINCIPAL, INTEREST_ONLY)


MAX_ANNUAL_RATE = Decimal("0.36")
MAX_TERM_MONTHS = 360
PERIOD_MONTHS = (1, 3, 6, 12)


class ScheduleError(ValueError):
    """Impossible terms; `errors` maps a field to its problems (English source strings)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))


@dataclass(frozen=True)
class Line:
    number: int
    due_on: date
    opening_fen: int
    principal_fen: int
    interest_fen: int

    @property
    def payment_fen(self) -> int:
        return self.principal_fen + self.interest_fen

    @property
    def closing_fen(self) -> int:
        return self.opening_fen - self.principal_fen


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def validate(*, principal_fen: int, annual_rate: Decimal, term_months: int, method: str,
             period_months: int = 1) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(principal_fen, int) or principal_fen <= 0:
        errors["principal_fen"] = ["The principal must be a positive whole number of fen."]
    elif principal_fen > MAX_FEN:
        errors["principal_fen"] = ["The principal is implausibly large."]
    try:
        rate = Decimal(annual_rate)
        if not rate.is_finite() or rate < 0:
            errors["annual_rate"] = ["The annual rate cannot be negative."]
        elif rate > MAX_ANNUAL_RATE:
            errors["annual_rate"] = ["The annual rate is above 36 %; give it as a fraction (0.0435 for 4.35 %)."]
    except (TypeError, ValueError, ArithmeticError):
        errors["annual_rate"] = ["The annual rate is not a number."]
    if method not in Method.ALL:
        errors["method"] = ["Unknown repayment method."]
    if period_months not in PERIOD_MONTHS:
        errors["period_months"] = ["Instalments are monthly, quarterly, half-yearly or yearly."]
    if not isinstance(term_months, int) or term_months <= 0:
        errors["term_months"] = ["The term must be at least one month."]
    elif term_months > MAX_TERM_MONTHS:
        errors["term_months"] = ["The term is longer than 30 years."]
    elif period_months in PERIOD_MONTHS and term_months % period_months:
        errors["term_months"] = ["The term must be a whole number of instalment periods."]
    elif isinstance(principal_fen, int) and 0 < principal_fen < term_months // max(period_months, 1):
        errors["principal_fen"] = ["The principal is smaller than one fen per instalment."]
    if errors:
        raise ScheduleError(errors)


def level_payment(principal_fen: int, period_rate: Decimal, periods: int) -> int:
    if period_rate == 0:
        return -(-principal_fen // periods)
    with localcontext() as ctx:
        ctx.prec = 50
        growth = (1 + period_rate) ** periods
        return round_fen(Decimal(principal_fen) * period_rate * growth / (growth - 1))


def build(*, principal_fen: int, annual_rate: Decimal, term_months: int, method: str, start_on: date,
          period_months: int = 1) -> list[Line]:
    """The schedule of a loan drawn on `start_on`; raises ScheduleError on impossible terms."""
    validate(principal_fen=principal_fen, annual_rate=annual_rate, term_months=term_months, method=method,
             period_months=period_months)
    periods = term_months // period_months
    with localcontext() as ctx:
        ctx.prec = 50
        period_rate = Decimal(annual_rate) * period_months / 12
    payment = level_payment(principal_fen, period_rate, periods) if method == Method.EQUAL_INSTALMENT else 0
    base, extra = divmod(principal_fen, periods)
    lines: list[Line] = []
    balance = principal_fen
    for n in range(1, periods + 1):
        interest = round_fen(Decimal(balance) * period_rate)
        last = n == periods
        if last:
            principal = balance
        elif method == Method.EQUAL_INSTALMENT:
            principal = min(max(payment - interest, 0), balance)
        elif method == Method.EQUAL_PRINCIPAL:
            # The first `extra` instalments carry one more fen so the column sums exactly.
            principal = base + (1 if n <= extra else 0)
        else:
            principal = 0
        lines.append(Line(number=n, due_on=add_months(start_on, n * period_months), opening_fen=balance,
                          principal_fen=principal, interest_fen=interest))
        balance -= principal
    assert balance == 0
    assert sum(line.principal_fen for line in lines) == principal_fen
    return lines


def totals(lines: list[Line]) -> tuple[int, int]:
    return sum(x.principal_fen for x in lines), sum(x.interest_fen for x in lines)


# --- repayments against a schedule ------------------------------------------------------------------


@dataclass
class Due:
    """An instalment's remaining amounts (mutable while allocating)."""

    number: int
    due_on: date
    principal_fen: int
    interest_fen: int


def allocate(amount_fen: int, dues: list[Due]) -> list[tuple[int, int, int]]:
    """Apply a repayment to instalments in due-date order, interest before principal within each.

    Returns [(instalment number, principal fen, interest fen)]. Raises ScheduleError when the
    amount is not positive or exceeds everything still owed (nothing is allocated then)."""
    owed = sum(d.principal_fen + d.interest_fen for d in dues)
    if amount_fen <= 0:
        raise ScheduleError({"amount_fen": ["A repayment must be positive."]})
    if amount_fen > owed:
        raise ScheduleError({"amount_fen": ["The repayment is more than the outstanding balance."]})
    left = amount_fen
    result = []
    # Oldest due first; a loan drawn in tranches interleaves the tranches' instalments by date.
    for due in sorted(dues, key=lambda d: (d.due_on, d.number)):
        if left == 0:
            break
        interest = min(left, due.interest_fen)
        left -= interest
        principal = min(left, due.principal_fen)
        left -= principal
        if interest or principal:
            due.interest_fen -= interest
            due.principal_fen -= principal
            result.append((due.number, principal, interest))
    return result


def overdue_days(dues: list[Due], on: date) -> int:
    """Days since the earliest instalment that fell due before `on` and is not fully paid."""
    late = [d.due_on for d in dues if d.due_on < on and (d.principal_fen or d.interest_fen)]
    return (on - min(late)).days if late else 0
