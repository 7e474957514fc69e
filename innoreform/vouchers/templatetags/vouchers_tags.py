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
