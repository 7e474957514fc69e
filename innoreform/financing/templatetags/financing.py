from django import template

from innoreform.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    return fen_to_yuan(value) if value not in (None, "") else ""


@register.filter
def percent(value) -> str:
    if value in (None, ""):
        return ""
    return f"{float(value) * 100:.2f} %"
