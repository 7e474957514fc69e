from django import template

from .. import fraud, services

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Integer fen as yuan with two decimals and thousands separators."""
    try:
        fen = int(value)
    except (TypeError, ValueError):
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


@register.filter
def check_text(check: dict) -> str:
    return services.explain(check)


@register.filter
def flag_text(flag: dict) -> str:
    return fraud.explain(flag)


@register.filter
def percent(value) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return ""
