"""Values as a person reads them, in the active language: money with its unit, ratios as
percentages, counts with thousands separators, one date format. Templates use these through the
`display` template library; code that builds labelled fields (for example the consented data a
bank reads) calls them directly, so a page never shows fen, raw ratios or Python values."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext, gettext_lazy

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


# Names some services build in code for records they create (book accounts: "Cash outside the
# platform", "financing.interest", "创新券预算 2026 city 440600"). The stored name stays as it is;
# pages show it through `code_name`, which puts these parts in the reader's language.
CODE_NAMES = {
    "Cash outside the platform": gettext_lazy("Cash outside the platform"),
    "Cash outside the platform (compensation)": gettext_lazy("Cash outside the platform (compensation)"),
    "financing.interest": gettext_lazy("Interest income"),
    "financing.cash": gettext_lazy("Cash outside the platform"),
    "pools.cash": gettext_lazy("Cash outside the platform (compensation)"),
    "notice period ended": gettext_lazy("The public notice period ended without a valid objection"),
}
_LEVEL = re.compile(r"\b(province|city)(?: (\d{6}|[A-Z]{2,3}))?\b")


def code_name(name) -> str:
    if is_blank(name):
        return DASH
    name = str(name)
    known = CODE_NAMES.get(name)
    if known is not None:
        return str(known)

    def level(match: re.Match) -> str:
        from .regions import Region

        if match.group(2):
            return str(dict(Region.choices).get(match.group(2), match.group(2)))
        return gettext("provincial") if match.group(1) == "province" else gettext("municipal")

    return _LEVEL.sub(level, name)
