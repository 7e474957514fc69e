"""Template filters for values as people read them (see innoreform.core.display)."""

from django import template

from .. import display, events
from ..industries import industry_label

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


@register.filter
def industry(code) -> str:
    """GB/T 4754 code as its name with the code beside it: "仪器仪表制造业 (C40)"."""
    return industry_label(code)


@register.filter
def region_name(code) -> str:
    """A region code ("HK", "440600") as its name; "—" for none."""
    from ..regions import Region

    if not code:
        return display.DASH
    return str(dict(Region.choices).get(code, code))
