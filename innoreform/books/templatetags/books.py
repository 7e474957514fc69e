"""Money display for the books pages: integer fen shown as yuan with two decimals."""

from django import template

from innoreform.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    return fen_to_yuan(value)


@register.filter
def yuan_or_blank(value) -> str:
    return fen_to_yuan(value) if value else ""
