"""Values as a person reads them, in the active language: money with its unit, ratios as
percentages, counts with thousands separators, one date format. Templates use these through the
`display` template library; code that builds labelled fields (for example the consented data a
bank reads) calls them directly, so a page never shows fen, raw ratios or Python values."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from .money import fen_to_yuan

DASH = "—"  # an empty or unknown value


def is_blank(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def amount(fen) -> str:
    """Fen as yuan with two decimals, separators and the unit: "4,200,000.00 元"."""
    if is_blank(fen):
        return DASH
    return gettext("%(amount)s yuan") % {"amount": fen_to_yuan(int(fen))}


def number(value, places: int | None = None) -> str:
    """A count or measure with thousands separators; `places` fixes the decimals."""
    if is_blank(value):
        return DASH
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is None:
        places = 0 if value == value.to_integral_value() else 2
    return f"{value:,.{places}f}"


def percent(ratio, places: int = 2) -> str:
    """A ratio (0.630285) as a percentage ("63.03%")."""
    if is_blank(ratio):
        return DASH
    return f"{number(Decimal(str(ratio)) * 100, places)}%"


def points_percent(value, places: int = 2) -> str:
    """A value that is already in percent (a share of 35.5) with its sign ("35.50%")."""
    if is_blank(value):
        return DASH
    return f"{number(value, places)}%"


def day(value) -> str:
    """One date format in both languages (ISO, which Chinese and English readers both read)."""
    if is_blank(value):
        return DASH
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def yes_no(value) -> str:
    if value is None:
        return DASH
    return gettext("Yes") if value else gettext("No")
