from django import template

from innoreform.core.templatetags.portal import yuan

register = template.Library()
register.filter("yuan", yuan)


@register.filter
def percent(value) -> str:
    if value in (None, ""):
        return ""
    return f"{float(value) * 100:.2f} %"
