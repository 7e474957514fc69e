"""The consented data an institution reads (registry.sharing.payload), as labelled sections in the
reader's language: names for codes (city, industry, kinds, statuses), money in yuan with its unit,
dates in one format, yes/no for flags, and a dash for what is unknown. The payload itself stays
as the bank API returns it (machine keys, fen); only the page is for people."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from innoreform.core import display
from innoreform.core.industries import industry_label
from innoreform.core.regions import Region

from . import models as m

INDEX_LABELS = [
    ("invention_patents", _("Invention patents")),
    ("citations", _("Citations")),
    ("family_size", _("Patent family size")),
    ("ipc_breadth", _("Breadth of IPC classes")),
    ("other_ip", _("Other IP")),
    ("rd_intensity", _("R&D intensity")),
    ("rd_growth", _("R&D growth")),
    ("tech_staff_share", _("Technical staff share")),
    ("awards", _("Awards")),
    ("qualifications", _("Qualifications")),
    ("standards", _("Standards")),
]

# Every key the payload carries, with its label; a key missing here is a test failure, not an
# English key on a Chinese page.
LABELS = {
    "name": _("Name"), "credit_code": _("Unified social credit code"), "region": _("City"),
    "district": _("District"), "industry_code": _("Industry"), "registered_on": _("Registered on"),
    "registered_capital_fen": _("Registered capital"), "legal_representative": _("Legal representative"),
    "shareholders": _("Shareholders"), "kind": _("Kind"), "share_percent": _("Shareholding"),
    "actual_controller": _("Actual controller"), "controller_group": _("Other enterprises of the same controller"),
    "year": _("Year"), "staff_total": _("Staff"), "insured_staff": _("Staff with social insurance"),
    "tech_staff": _("Technical staff"), "sales_fen": _("Sales"), "total_assets_fen": _("Total assets"),
    "rd_expense_fen": _("R&D expense"), "total_cost_fen": _("Total cost"), "import_fen": _("Imports"),
    "export_fen": _("Exports"), "certificate_no": _("Certificate number"), "valid_from": _("Valid from"),
    "valid_to": _("Valid to"), "number": _("Number"), "title": _("Title"), "status": _("Status"),
    "filed_on": _("Filed on"), "granted_on": _("Granted on"), "citations": _("Citations"),
    "family_size": _("Patent family size"), "ipc": _("IPC codes"), "awards": _("Awards"),
    "rd_institutions": _("R&D institutions"), "standards": _("Standards"), "level": _("Level"),
    "rank": _("Rank among the units"), "recognised_year": _("Recognised in"), "code": _("Standard number"),
    "led": _("Led the drafting"), "judgments": _("Court judgments"), "case_number": _("Case number"),
    "court": _("Court"), "judged_on": _("Judged on"), "role": _("Role"), "cause": _("Cause of action"),
    "amount_fen": _("Amount"), "dishonest_debtor": _("Dishonest-debtor records"), "listed_on": _("Listed on"),
    "removed_on": _("Removed on"), "abnormal_operation": _("Abnormal-operation records"), "reason": _("Reason"),
    "currently_dishonest": _("Currently a dishonest debtor"), "currently_abnormal": _("Currently listed as abnormal"),
    "listed": _("Listed as a tech SME"), "registration_number": _("Registration number"),
    "listed_year": _("Listed in"), "latest": _("Latest declaration"), "score": _("Score"),
    "passed": _("Passed"), "route": _("Route"), "rule_version": _("Rule version"), "lines": _("Evaluation"),
    "percentile_industry": _("Percentile in industry"), "percentile_city": _("Percentile in city"),
    "contributions": _("Contribution of each factor"), "formula_version": _("Formula version"),
}

# Which choices name a coded value, by the list or section it appears in.
CHOICES = {
    ("shareholders", "kind"): m.Shareholder.Kind,
    (m.DataCategory.QUALIFICATIONS, "kind"): m.QualificationKind,
    (m.DataCategory.IP, "kind"): m.IpKind,
    (m.DataCategory.IP, "status"): m.IpStatus,
    ("awards", "level"): m.Level,
    ("rd_institutions", "level"): m.Level,
    ("standards", "level"): m.Level,
    ("judgments", "role"): m.CourtJudgment.Role,
    ("latest", "status"): m.DeclarationStatus,
}
NUMERIC = {"year", "listed_year", "recognised_year", "rank", "rule_version", "formula_version"}


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)

    def head(self) -> list[tuple[str, bool]]:
        return list(zip(self.columns, self._numeric(), strict=True))

    def body(self) -> list[list[tuple[str, str, bool]]]:
        """Each cell with its column (the phone layout labels cells) and whether it is a figure."""
        return [list(zip(self.columns, row, self._numeric(), strict=True)) for row in self.rows]

    def _numeric(self) -> list[bool]:
        return self.numeric or [False] * len(self.columns)


@dataclass
class Section:
    key: str
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def label(key: str) -> str:
    return str(LABELS[key])


def value(where: str, key: str, raw) -> str:
    if isinstance(raw, bool):
        return display.yes_no(raw)
    if display.is_blank(raw):
        return display.DASH
    choices = CHOICES.get((where, key))
    if choices is not None:
        return str(dict(choices.choices).get(raw, raw))
    if key == "region":
        return str(dict(Region.choices).get(raw, raw))
    if key == "industry_code":
        return industry_label(raw)
    if key.endswith("_fen"):
        return display.amount(raw)
    if key.endswith("_on") or key in ("valid_from", "valid_to"):
        return display.day(raw)
    if key in ("share_percent", "percentile_industry", "percentile_city"):
        return display.points_percent(raw)
    if key == "score":
        return display.number(raw, 2)
    if key in NUMERIC:
        return str(raw)
    if key == "ipc":
        return raw.replace(";", "; ")
    if isinstance(raw, int | float):
        return display.number(raw)
    if isinstance(raw, list):
        return "、".join(str(x) for x in raw)
    return str(raw)


def _table(where: str, title: str, rows: list[dict]) -> Table:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return Table(title=title, columns=[label(k) for k in keys],
                 rows=[[value(where, k, row.get(k)) for k in keys] for row in rows],
                 numeric=[k.endswith("_fen") or k in ("staff_total", "insured_staff", "tech_staff", "citations",
                                                       "family_size") for k in keys])


def _lines(lines: list[dict]) -> Table:
    """Evaluation lines as the declaration page shows them: rule, result, points, explanation."""
    result = {True: display.yes_no(True), False: display.yes_no(False), None: display.DASH}
    return Table(title=label("lines"), columns=[str(_("Rule")), str(_("Met")), str(_("Points")), str(_("Explanation"))],
                 rows=[[str(x.get("label", "")), result[x.get("ok")],
                        "" if x.get("points") is None else f"{x['points']} / {x.get('max_points', '')}",
                        str(x.get("detail", ""))] for x in lines])


def _contributions(contributions: dict) -> Table:
    names = dict(INDEX_LABELS)
    return Table(title=label("contributions"), columns=[str(_("Factor")), str(_("Points"))],
                 rows=[[str(names.get(k, k)), display.number(contributions[k], 2)] for k in contributions],
                 numeric=[False, True])


def _fill(section: Section, where: str, data: dict) -> None:
    for key, raw in data.items():
        if key == "lines":
            if raw:
                section.tables.append(_lines(raw))
        elif key == "contributions":
            section.tables.append(_contributions(raw or {}))
        elif isinstance(raw, dict):
            sub = Section(key=key, title=label(key))
            _fill(sub, key, raw)
            section.fields.extend((f"{sub.title} · {name}", text) for name, text in sub.fields)
            section.tables.extend(sub.tables)
        elif isinstance(raw, list) and (not raw or isinstance(raw[0], dict)):
            if raw:
                section.tables.append(_table(key, label(key), raw))
            else:
                section.fields.append((label(key), str(_("Nothing recorded"))))
        else:
            section.fields.append((label(key), value(where, key, raw)))


def sections(payload: dict) -> list[Section]:
    """One section per granted category, in the order the categories are defined."""
    out = []
    for category, title in m.DataCategory.choices:
        if category not in payload:
            continue
        data = payload[category]
        section = Section(key=category, title=str(title))
        if data is None:
            section.fields.append((str(_("Data")), str(_("Nothing recorded"))))
        elif isinstance(data, list):
            if data:
                section.tables.append(_table(category, str(title), data))
            else:
                section.fields.append((str(_("Data")), str(_("Nothing recorded"))))
        else:
            _fill(section, category, data)
        out.append(section)
    return out
