"""Field checks shared by the services: each returns the cleaned value or adds a message."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from innoreform.core.money import MAX_FEN, quantize_rate

from .schedule import MAX_ANNUAL_RATE, MAX_TERM_MONTHS


class Errors(dict):
    def add(self, field: str, message) -> None:
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            from innoreform.core.errors import ValidationFailed

            raise ValidationFailed(details=dict(self))


def amount(errors: Errors, field: str, value, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, _("Give a whole number of fen."))
        return 0
    if value < 0 or (value == 0 and not allow_zero):
        errors.add(field, _("The amount must be positive."))
    elif value > MAX_FEN:
        errors.add(field, _("The amount is implausibly large."))
    return value


def term(errors: Errors, field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TERM_MONTHS:
        errors.add(field, _("The term must be 1 to 360 months."))
        return 1
    return value


def rate(errors: Errors, field: str, value) -> Decimal:
    try:
        r = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors.add(field, _("The rate is not a number."))
        return Decimal(0)
    if not r.is_finite() or r < 0 or r > MAX_ANNUAL_RATE:
        errors.add(field, _("Give the annual rate as a fraction between 0 and 0.36 (0.0435 is 4.35 %)."))
        return Decimal(0)
    return quantize_rate(r)


def choice(errors: Errors, field: str, value, choices) -> str:
    if value not in choices:
        errors.add(field, _("Choose one of the listed values."))
    return value


def choices(errors: Errors, field: str, values, allowed) -> list[str]:
    if not isinstance(values, list | tuple) or any(v not in allowed for v in values):
        errors.add(field, _("Choose only listed values."))
        return []
    return sorted(set(values), key=list(values).index)


def text(errors: Errors, field: str, value, *, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    if len(value) > max_length:
        errors.add(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


# The schedule module is pure Python; its messages are translated where they are shown. Listed
# here so that makemessages extracts them.
SCHEDULE_MESSAGES = [
    gettext_noop("The principal must be a positive whole number of fen."),
    gettext_noop("The principal is implausibly large."),
    gettext_noop("The annual rate cannot be negative."),
    gettext_noop("The annual rate is above 36 %; give it as a fraction (0.0435 for 4.35 %)."),
    gettext_noop("The annual rate is not a number."),
    gettext_noop("Unknown repayment method."),
    gettext_noop("Instalments are monthly, quarterly, half-yearly or yearly."),
    gettext_noop("The term must be at least one month."),
    gettext_noop("The term is longer than 30 years."),
    gettext_noop("The term must be a whole number of instalment periods."),
    gettext_noop("The principal is smaller than one fen per instalment."),
    gettext_noop("A repayment must be positive."),
    gettext_noop("The repayment is more than the outstanding balance."),
]
