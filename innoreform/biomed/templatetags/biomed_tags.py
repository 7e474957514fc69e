from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def cells(row, columns) -> list:
    """(label, value) of the row for each export column: the page shows what the export holds."""
    return [(c.label, c.value(row)) for c in columns]


@register.simple_tag
def row_url(link: str | None, row) -> str:
    """The detail page of a list row; a batch opens its approval (where its ledger is)."""
    if not link:
        return ""
    return reverse(link, args=[row.approval_id if link == "biomed:approval" and hasattr(row, "approval_id")
                               else row.pk])
