"""Registry codes as names on pages: consent data categories."""

from django import template
from django.utils.translation import gettext

from .. import models as m

register = template.Library()


@register.filter
def category_names(codes) -> str:
    """["basic", "ip"] -> "基本登记信息；知识产权" in the reader's language."""
    labels = dict(m.DataCategory.choices)
    return gettext("; ").join(str(labels.get(code, code)) for code in codes or [])
