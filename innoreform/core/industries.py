"""Names for GB/T 4754-2017 industry codes (国民经济行业分类), so pages show "仪器仪表制造业 (C40)"
rather than "C40". Sections (门类) are complete; divisions (大类) cover the ones tech SMEs in the
measures declare (manufacturing, ICT, science and technology services). An unknown division
falls back to its section's name."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SECTIONS = {
    "A": _("Agriculture, forestry, animal husbandry and fishery"),
    "B": _("Mining"),
    "C": _("Manufacturing"),
    "D": _("Electricity, heat, gas and water supply"),
    "E": _("Construction"),
    "F": _("Wholesale and retail"),
    "G": _("Transport, storage and post"),
    "H": _("Accommodation and catering"),
    "I": _("Information transmission, software and IT services"),
    "J": _("Finance"),
    "K": pgettext_lazy("industry", "Real estate"),
    "L": _("Leasing and business services"),
    "M": _("Scientific research and technical services"),
    "N": _("Water, environment and public facilities management"),
    "O": _("Resident, repair and other services"),
    "P": _("Education"),
    "Q": _("Health and social work"),
    "R": _("Culture, sports and entertainment"),
    "S": _("Public administration and social organisations"),
    "T": _("International organisations"),
}

DIVISIONS = {
    "C26": _("Chemical raw materials and products"),
    "C27": _("Pharmaceuticals"),
    "C29": _("Rubber and plastic products"),
    "C30": _("Non-metallic mineral products"),
    "C33": _("Metal products"),
    "C34": _("General-purpose machinery"),
    "C35": _("Special-purpose machinery"),
    "C36": _("Automobiles"),
    "C37": _("Railway, ship, aerospace and other transport equipment"),
    "C38": _("Electrical machinery and equipment"),
    "C39": _("Computers, communication and other electronic equipment"),
    "C40": _("Instruments and meters"),
    "F51": _("Wholesale"),
    "F52": _("Retail"),
    "I63": _("Telecommunications, broadcasting and satellite transmission"),
    "I64": _("Internet and related services"),
    "I65": _("Software and information technology services"),
    "M73": _("Research and experimental development"),
    "M74": _("Professional technical services"),
    "M75": _("Technology promotion and application services"),
}


def industry_name(code: str | None) -> str:
    """The name of a section ("C") or division ("C40", "C401"); "" for none."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    name = DIVISIONS.get(code[:3]) if len(code) >= 3 else None
    if name is None:
        name = SECTIONS.get(code[:1])
    return str(name) if name is not None else code


def industry_label(code: str | None) -> str:
    """Name with the code beside it, for readers who work with the codes: "仪器仪表 (C40)"."""
    name = industry_name(code)
    if not name or name == (code or "").strip().upper():
        return name
    return f"{name} ({code.strip().upper()})"
