"""Template filters for values as people read them (see innoreform.core.display)."""

from django import template

from .. import display, events

register = template.Library()

register.filter("amount", display.amount)
register.filter("number", display.number)
register.filter("percent_of", display.percent)
register.filter("day", display.day)
register.filter("yes_no", display.yes_no)
register.filter("event_label", events.event_label)
register.filter("purpose_label", events.purpose_label)
register.filter("code_name", display.code_name)


@register.filter
def lookup(mapping, key):
    """A dict's value in a template: {{ titles|lookup:code }}."""
    return mapping.get(key) if mapping else None
