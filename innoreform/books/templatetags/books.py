"""Money display for the books pages: integer fen shown as yuan with two decimals."""

from django import template

from innoreform.core.templatetags.portal import yuan

register = template.Library()
register.filter("yuan", yuan)


@register.filter
def yuan_or_blank(value) -> str:
    """Blank for zero too: a statement line shows only its debit or its credit."""
    return yuan(value) if value else ""
