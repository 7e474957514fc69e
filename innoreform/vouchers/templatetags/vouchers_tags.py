from django import template

from innoreform.core.templatetags.portal import yuan

from .. import fraud, services

register = template.Library()
register.filter("yuan", yuan)


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


@register.filter
def credit_event_kind(kind: str) -> str:
    """A credit-file event's kind (a listing status, or "fraud") in the reader's language."""
    from django.utils.translation import gettext

    from .. import models as m

    if kind == "fraud":
        return gettext("Fraud confirmed")
    return str(dict(m.ListingStatus.choices).get(kind, kind))
