"""Money display for the books pages: integer fen shown as yuan with two decimals."""

from django import template

register = template.Library()


def fen_to_yuan(value) -> str:
    """12345678 -> "123,456.78"; negative amounts keep their sign. Exact (integer arithmetic)."""
    if value is None or value == "":
        return ""
    fen = int(value)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


@register.filter
def yuan(value) -> str:
    return fen_to_yuan(value)


@register.filter
def yuan_or_blank(value) -> str:
    return fen_to_yuan(value) if value else ""
