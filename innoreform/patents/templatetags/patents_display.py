"""The evidence behind a landscape recommendation as a labelled sentence in the reader's language
("专利 12 · 近三年 5 · 增长 40.00%"), not the engine's dict."""

from django import template
from django.utils.translation import gettext_lazy as _

from innoreform.core import display

register = template.Library()

# key: (label, how the value reads): "n" a count, "ratio" a share shown in percent, "x" two decimals.
EVIDENCE = {
    "patents": (_("patents"), "n"),
    "recent": (_("in the last three years"), "n"),
    "prior": (_("in the three years before"), "n"),
    "growth": (_("growth"), "ratio"),
    "cites_norm": (_("citations per patent (normalised)"), "x"),
    "grant_rate": (_("grant rate"), "ratio"),
    "first_year": (_("first filing"), "year"),
    "white_space_patents": (_("patents in white spaces"), "n"),
    "guangdong_share": (_("Guangdong's share here"), "ratio"),
    "guangdong_share_of_industry": (_("Guangdong's share of the industry"), "ratio"),
    "median_growth": (_("median growth"), "ratio"),
}
WHERE = {"guangdong": _("in Guangdong"), "outside": _("outside Guangdong")}


def _value(kind: str, raw) -> str:
    if display.is_blank(raw):
        return display.DASH
    if kind == "ratio":
        return display.percent(raw)
    if kind == "x":
        return display.number(raw, 2)
    if kind == "year":
        return str(raw)
    return display.number(raw, 0)


@register.filter
def evidence(data) -> str:
    if not isinstance(data, dict):
        return "" if data is None else str(data)
    parts = [f"{EVIDENCE[k][0]} {_value(EVIDENCE[k][1], v)}" for k, v in data.items() if k in EVIDENCE]
    return " · ".join(parts)


@register.filter
def where(code: str) -> str:
    return str(WHERE.get(code, code))


@register.filter
def localized_name(obj) -> str:
    """An industry, segment or city by its name in the reader's language (name_zh / name_en)."""
    from django.utils.translation import get_language

    get = obj.get if isinstance(obj, dict) else lambda key, default="": getattr(obj, key, default)
    zh, en = get("name_zh", ""), get("name_en", "")
    return (zh or en) if (get_language() or "zh").startswith("zh") else (en or zh)
