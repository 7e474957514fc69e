"""The national 科技型中小企业 evaluation (国科发政〔2017〕115号) as pure functions.

An enterprise qualifies when it meets every basic condition (resident enterprise; staff, sales
and assets within limits; an allowed industry; a clean record) and EITHER one of the four direct
routes applies (valid high-tech certificate; national science award ranked in the top three
within five years; a provincial or higher R&D institution; led an international, national or
industry standard within five years) OR it scores at least 60 of 100 points with a non-zero
tech-staff score. Points: tech-staff share 20; R&D 50 as the better of R&D/sales and R&D/total
cost; results 30 (any class-I IP, else by the count of class-II IP).

Ratios are compared with integer arithmetic (numerator * 10000 >= basis points * denominator),
so "exactly 30 %" lands in the 30 % band with no floating-point doubt. Every threshold comes
from the policy record (innoreform.registry.policies); nothing here is a constant.

`evaluate` returns a full line-by-line explanation; `evaluate_many` is the batch path (same
answers, no explanation objects) used to evaluate the whole registry.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from innoreform.core.money import fen_to_yuan

# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Qualification:
    kind: str  # high_tech | specialised | little_giant | innovative_sme
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class Award:
    level: str  # national | provincial | city
    rank: int  # position of the enterprise among the award's units (1 = first)
    year: int


@dataclass(frozen=True)
class Standard:
    level: str  # international | national | industry | local | group
    year: int
    led: bool = True


@dataclass(frozen=True)
class Facts:
    """What the evaluation needs about one enterprise for one evaluation year.

    Indicators are those of the year before `evaluation_year` (上一年度); money in fen. A staff,
    sales or assets figure of None is missing (no source reported it): the limit it belongs to is
    not met, because an unknown size cannot be shown to be within it, and 0 would be a guess.
    """

    evaluation_year: int
    on_date: date
    staff_total: int | None
    tech_staff: int
    sales_fen: int | None
    total_assets_fen: int | None
    rd_expense_fen: int
    total_cost_fen: int
    ip_counts: Mapping[str, int] = field(default_factory=dict)  # valid IP by kind
    mainland_resident: bool = True
    industry_restricted: bool = False
    major_incident: bool = False
    on_abnormal_list: bool = False
    on_serious_dishonest_list: bool = False
    qualifications: Sequence[Qualification] = ()
    awards: Sequence[Award] = ()
    rd_institution_levels: Sequence[str] = ()
    standards: Sequence[Standard] = ()


# --- rules compiled from the policy record ---------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    version: int
    max_staff: int
    max_sales_fen: int
    max_assets_fen: int
    pass_score: int
    tech_staff_bands: tuple[tuple[int, int], ...]  # (basis points, points), descending
    rd_sales_bands: tuple[tuple[int, int], ...]
    rd_cost_bands: tuple[tuple[int, int], ...]
    class_one_points: int
    class_two_bands: tuple[tuple[int, int], ...]  # (min count, points), descending
    class_one_kinds: frozenset[str]
    class_two_kinds: frozenset[str]
    recent_years: int
    national_award_max_rank: int
    rd_institution_levels: frozenset[str]
    standard_levels: frozenset[str]

    @property
    def max_tech_points(self) -> int:
        return self.tech_staff_bands[0][1]

    @property
    def max_rd_points(self) -> int:
        return max(self.rd_sales_bands[0][1], self.rd_cost_bands[0][1])

    @property
    def max_results_points(self) -> int:
        return max(self.class_one_points, self.class_two_bands[0][1])


def _bp(percent) -> int:
    return int((Decimal(str(percent)) * 100).to_integral_value())


def compile_rules(parameters: Mapping, *, version: int = 0) -> Rules:
    """Turn validated policy parameters (TechSmeEvaluationRules JSON) into fast integer tables."""

    def pct(bands):
        return tuple((_bp(b["min_percent"]), int(b["points"])) for b in bands)

    return Rules(
        version=version,
        max_staff=int(parameters["max_staff"]),
        max_sales_fen=int(parameters["max_sales_fen"]),
        max_assets_fen=int(parameters["max_assets_fen"]),
        pass_score=int(parameters["pass_score"]),
        tech_staff_bands=pct(parameters["tech_staff_bands"]),
        rd_sales_bands=pct(parameters["rd_sales_bands"]),
        rd_cost_bands=pct(parameters["rd_cost_bands"]),
        class_one_points=int(parameters["class_one_points"]),
        class_two_bands=tuple((int(b["min_count"]), int(b["points"])) for b in parameters["class_two_bands"]),
        class_one_kinds=frozenset(parameters["class_one_kinds"]),
        class_two_kinds=frozenset(parameters["class_two_kinds"]),
        recent_years=int(parameters["recent_years"]),
        national_award_max_rank=int(parameters["national_award_max_rank"]),
        rd_institution_levels=frozenset(parameters["rd_institution_levels"]),
        standard_levels=frozenset(parameters["standard_levels"]),
    )


# --- pieces ----------------------------------------------------------------------------------------


def ratio_points(numerator: int, denominator: int | None, bands: tuple[tuple[int, int], ...]) -> int:
    """Points of the first band whose lower bound the ratio reaches; 0 without a denominator."""
    if denominator is None or denominator <= 0:
        return 0
    scaled = numerator * 10000
    for bp, points in bands:
        if scaled >= bp * denominator:
            return points
    return 0


def count_points(count: int, bands: tuple[tuple[int, int], ...]) -> int:
    for minimum, points in bands:
        if count >= minimum:
            return points
    return 0


def percent(numerator: int, denominator: int | None) -> Decimal | None:
    """The ratio as a percentage with two decimals, ROUND_HALF_UP (for display only)."""
    if denominator is None or denominator <= 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ip_classes(ip_counts: Mapping[str, int], rules: Rules) -> tuple[int, int]:
    one = sum(n for kind, n in ip_counts.items() if kind in rules.class_one_kinds)
    two = sum(n for kind, n in ip_counts.items() if kind in rules.class_two_kinds)
    return one, two


def results_points(class_one: int, class_two: int, rules: Rules) -> int:
    if class_one > 0:
        return rules.class_one_points
    return count_points(class_two, rules.class_two_bands)


def _in_window(year: int, facts: Facts, rules: Rules) -> bool:
    return facts.evaluation_year - rules.recent_years < year <= facts.evaluation_year


def direct_routes(facts: Facts, rules: Rules) -> dict[str, bool]:
    """Which of the four direct qualification routes (第七条) apply."""
    return {
        "route_high_tech": any(
            q.kind == "high_tech"
            and (q.valid_from is None or q.valid_from <= facts.on_date)
            and (q.valid_to is not None and facts.on_date <= q.valid_to)
            for q in facts.qualifications
        ),
        "route_national_award": any(
            a.level == "national" and 1 <= a.rank <= rules.national_award_max_rank and _in_window(a.year, facts, rules)
            for a in facts.awards
        ),
        "route_rd_institution": any(level in rules.rd_institution_levels for level in facts.rd_institution_levels),
        "route_standard": any(
            s.led and s.level in rules.standard_levels and _in_window(s.year, facts, rules) for s in facts.standards
        ),
    }


def _within(value: int | None, limit: int) -> bool:
    return value is not None and 0 <= value <= limit


# A limit whose figure is missing fails under its own key, so the reason says "not reported"
# rather than "above the limit".
MISSING = {"staff_limit": "staff_missing", "sales_limit": "sales_missing", "assets_limit": "assets_missing"}


def missing_figures(staff_total: int | None, sales_fen: int | None, total_assets_fen: int | None) -> tuple[str, ...]:
    """The reasons (keys of LABELS) for the limits that cannot be checked because a figure is missing."""
    values = {"staff_limit": staff_total, "sales_limit": sales_fen, "assets_limit": total_assets_fen}
    return tuple(MISSING[key] for key, value in values.items() if value is None)


def basic_conditions(facts: Facts, rules: Rules) -> dict[str, bool]:
    return {
        "mainland_resident": facts.mainland_resident,
        "staff_limit": _within(facts.staff_total, rules.max_staff),
        "sales_limit": _within(facts.sales_fen, rules.max_sales_fen),
        "assets_limit": _within(facts.total_assets_fen, rules.max_assets_fen),
        "industry_allowed": not facts.industry_restricted,
        "no_major_incident": not facts.major_incident,
        "not_abnormal_operation": not facts.on_abnormal_list,
        "not_seriously_dishonest": not facts.on_serious_dishonest_list,
    }


# --- the explained evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    key: str
    group: str  # condition | route | score | outcome
    ok: bool | None = None
    points: int | None = None
    max_points: int | None = None
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    passed: bool
    score: int
    tech_staff_points: int
    rd_points: int
    results_points: int
    route: str | None  # the first direct route that applies, or None
    failed_conditions: tuple[str, ...]
    lines: tuple[Line, ...]
    policy_version: int

    def as_dict(self) -> dict:
        data = asdict(self)
        data["lines"] = [asdict(line) for line in self.lines]
        data["failed_conditions"] = list(self.failed_conditions)
        return data


def _pct_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _band_text(bands: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(f"≥{Decimal(bp) / 100:g}%:{pts}" for bp, pts in bands)


def evaluate(facts: Facts, rules: Rules) -> Evaluation:
    lines: list[Line] = []
    conditions = basic_conditions(facts, rules)
    condition_params = {
        "staff_limit": {"value": facts.staff_total, "limit": rules.max_staff},
        "sales_limit": {"value_fen": facts.sales_fen, "limit_fen": rules.max_sales_fen},
        "assets_limit": {"value_fen": facts.total_assets_fen, "limit_fen": rules.max_assets_fen},
    }
    for key, ok in conditions.items():
        lines.append(Line(key=key, group="condition", ok=ok, params=condition_params.get(key, {})))

    tech = ratio_points(facts.tech_staff, facts.staff_total, rules.tech_staff_bands)
    rd_sales = ratio_points(facts.rd_expense_fen, facts.sales_fen, rules.rd_sales_bands)
    rd_cost = ratio_points(facts.rd_expense_fen, facts.total_cost_fen, rules.rd_cost_bands)
    rd = max(rd_sales, rd_cost)
    class_one, class_two = ip_classes(facts.ip_counts, rules)
    results = results_points(class_one, class_two, rules)
    score = tech + rd + results
    lines += [
        Line(key="tech_staff", group="score", points=tech, max_points=rules.max_tech_points,
             params={"tech_staff": facts.tech_staff, "staff_total": facts.staff_total,
                     "percent": _pct_str(percent(facts.tech_staff, facts.staff_total)),
                     "bands": _band_text(rules.tech_staff_bands)}),
        Line(key="rd_sales", group="score", points=rd_sales, max_points=rules.rd_sales_bands[0][1],
             params={"percent": _pct_str(percent(facts.rd_expense_fen, facts.sales_fen)),
                     "bands": _band_text(rules.rd_sales_bands), "counted": rd_sales >= rd_cost}),
        Line(key="rd_cost", group="score", points=rd_cost, max_points=rules.rd_cost_bands[0][1],
             params={"percent": _pct_str(percent(facts.rd_expense_fen, facts.total_cost_fen)),
                     "bands": _band_text(rules.rd_cost_bands), "counted": rd_cost > rd_sales}),
        Line(key="rd", group="score", points=rd, max_points=rules.max_rd_points,
             params={"basis": "rd_sales" if rd_sales >= rd_cost else "rd_cost"}),
        Line(key="results", group="score", points=results, max_points=rules.max_results_points,
             params={"class_one": class_one, "class_two": class_two}),
        Line(key="total", group="score", points=score, max_points=100, params={"pass_score": rules.pass_score}),
    ]
    score_ok = score >= rules.pass_score and tech > 0
    lines.append(Line(key="score_condition", group="condition", ok=score_ok,
                      params={"score": score, "pass_score": rules.pass_score, "tech_staff_points": tech}))

    routes = direct_routes(facts, rules)
    for key, ok in routes.items():
        lines.append(Line(key=key, group="route", ok=ok))
    route = next((key for key, ok in routes.items() if ok), None)

    missing = missing_figures(facts.staff_total, facts.sales_fen, facts.total_assets_fen)
    failed = tuple(MISSING[key] if MISSING.get(key) in missing else key for key, ok in conditions.items() if not ok)
    passed = not failed and (route is not None or score_ok)
    if not passed and route is None and not score_ok:
        failed = (*failed, "score_condition")
    lines.append(Line(key="outcome", group="outcome", ok=passed,
                      params={"route": route, "failed": list(failed)}))
    return Evaluation(passed=passed, score=score, tech_staff_points=tech, rd_points=rd, results_points=results,
                      route=route, failed_conditions=failed, lines=tuple(lines), policy_version=rules.version)


# --- the batch path --------------------------------------------------------------------------------


class BatchRow(NamedTuple):
    """A flat row for whole-registry evaluation: routes and record flags already resolved.
    staff_total, sales_fen and total_assets_fen may be None (missing, see Facts)."""

    staff_total: int | None
    tech_staff: int
    sales_fen: int | None
    total_assets_fen: int | None
    rd_expense_fen: int
    total_cost_fen: int
    class_one_ip: int
    class_two_ip: int
    eligible_record: bool  # resident, allowed industry, clean record
    has_route: bool


def batch_row(facts: Facts, rules: Rules) -> BatchRow:
    one, two = ip_classes(facts.ip_counts, rules)
    record_ok = (facts.mainland_resident and not facts.industry_restricted and not facts.major_incident
                 and not facts.on_abnormal_list and not facts.on_serious_dishonest_list)
    return BatchRow(facts.staff_total, facts.tech_staff, facts.sales_fen, facts.total_assets_fen,
                    facts.rd_expense_fen, facts.total_cost_fen, one, two, record_ok,
                    any(direct_routes(facts, rules).values()))


def evaluate_many(rows: Iterable[BatchRow | tuple], rules: Rules) -> list[tuple[bool, int]]:
    """(passed, score) for each row; the same answers as `evaluate` (tested), without the
    explanation. Rows may be BatchRow or plain tuples in BatchRow's field order. A row with a
    missing staff, sales or assets figure never passes; `missing_figures` gives its reasons."""
    tech_bands = rules.tech_staff_bands
    sales_bands = rules.rd_sales_bands
    cost_bands = rules.rd_cost_bands
    two_bands = rules.class_two_bands
    class_one_points = rules.class_one_points
    max_staff, max_sales, max_assets, pass_score = (rules.max_staff, rules.max_sales_fen, rules.max_assets_fen,
                                                    rules.pass_score)
    out = []
    append = out.append
    for staff, tech_staff, sales, assets, rd, cost, one, two, record_ok, has_route in rows:
        tech = 0
        if staff is not None and staff > 0:
            scaled = tech_staff * 10000
            for bp, pts in tech_bands:
                if scaled >= bp * staff:
                    tech = pts
                    break
        rd_points = 0
        scaled = rd * 10000
        if sales is not None and sales > 0:
            for bp, pts in sales_bands:
                if scaled >= bp * sales:
                    rd_points = pts
                    break
        if cost > 0:
            for bp, pts in cost_bands:
                if pts <= rd_points:
                    break
                if scaled >= bp * cost:
                    rd_points = pts
                    break
        if one > 0:
            res = class_one_points
        else:
            res = 0
            for minimum, pts in two_bands:
                if two >= minimum:
                    res = pts
                    break
        score = tech + rd_points + res
        passed = (record_ok and staff is not None and sales is not None and assets is not None
                  and 0 <= staff <= max_staff and 0 <= sales <= max_sales and 0 <= assets <= max_assets
                  and (has_route or (score >= pass_score and tech > 0)))
        append((passed, score))
    return out


# --- explanation text ---------------------------------------------------------------------------------

LABELS = {
    "mainland_resident": _("Resident enterprise registered in mainland China"),
    "staff_limit": _("Staff within the limit"),
    "sales_limit": _("Annual sales within the limit"),
    "assets_limit": _("Total assets within the limit"),
    "staff_missing": _("Staff figure missing (not reported), so the staff limit cannot be met"),
    "sales_missing": _("Sales figure missing (not reported), so the sales limit cannot be met"),
    "assets_missing": _("Total assets figure missing (not reported), so the assets limit cannot be met"),
    "industry_allowed": _("Products and services not prohibited, restricted or obsolete"),
    "no_major_incident": _("No major safety or quality accident, serious environmental violation or "
                           "research misconduct"),
    "not_abnormal_operation": _("Not on the abnormal-operation list"),
    "not_seriously_dishonest": _("Not on the serious-dishonesty list"),
    "tech_staff": _("Technical staff share"),
    "rd_sales": _("R&D expense / sales"),
    "rd_cost": _("R&D expense / total cost"),
    "rd": _("R&D points (the better of the two ratios)"),
    "results": _("Technology results (intellectual property)"),
    "total": _("Total score"),
    "score_condition": _("Score reaches the pass mark with a non-zero technical-staff score"),
    "route_high_tech": _("Direct route: valid high-tech enterprise certificate"),
    "route_national_award": _("Direct route: national science award, ranked in the top three, in the last five years"),
    "route_rd_institution": _("Direct route: recognised provincial or national R&D institution"),
    "route_standard": _("Direct route: led an international, national or industry standard in the last five years"),
    "outcome": _("Result"),
}


def describe(line: Mapping) -> str:
    """A translated sentence explaining one stored line (a dict from Evaluation.as_dict())."""
    key, p = line["key"], line.get("params") or {}
    if key == "staff_limit" and p.get("value") is None:
        return str(_("Not reported; limit %(limit)s")) % p
    if key in ("sales_limit", "assets_limit") and p.get("value_fen") is None:
        return str(_("Not reported; limit %(limit)s yuan")) % {"limit": fen_to_yuan(p["limit_fen"])}
    if key == "staff_limit":
        return str(_("%(value)s staff; limit %(limit)s")) % p
    if key in ("sales_limit", "assets_limit"):
        return str(_("%(value)s yuan; limit %(limit)s yuan")) % {"value": fen_to_yuan(p["value_fen"]),
                                                                "limit": fen_to_yuan(p["limit_fen"])}
    if key == "tech_staff":
        if p.get("percent") is None:
            return str(_("No staff reported, so no points."))
        return str(_("%(tech_staff)s of %(staff_total)s staff = %(percent)s%%; bands %(bands)s")) % p
    if key in ("rd_sales", "rd_cost"):
        if p.get("percent") is None:
            return str(_("No denominator reported, so no points."))
        text = str(_("%(percent)s%%; bands %(bands)s")) % p
        return text + (" " + str(_("(counted)")) if p.get("counted") else "")
    if key == "rd":
        return str(LABELS[p["basis"]])
    if key == "results":
        if p["class_one"]:
            return str(_("%(class_one)s class-I item(s): full points")) % p
        return str(_("No class-I item; %(class_two)s class-II item(s)")) % p
    if key == "total":
        return str(_("Pass mark %(pass_score)s")) % p
    if key == "score_condition":
        return str(_("Score %(score)s, pass mark %(pass_score)s, technical-staff points %(tech_staff_points)s")) % p
    if key == "outcome":
        if line.get("ok"):
            if p.get("route"):
                return str(_("Qualifies by %(route)s")) % {"route": LABELS[p["route"]]}
            return str(_("Qualifies by score"))
        return str(_("Does not qualify: %(failed)s")) % {"failed": "; ".join(str(LABELS[k]) for k in p["failed"])}
    return ""


def explain(evaluation: Evaluation | Mapping) -> list[dict]:
    """Lines with translated label and detail, for pages and the API."""
    data = evaluation.as_dict() if isinstance(evaluation, Evaluation) else evaluation
    return [{**line, "label": str(LABELS[line["key"]]), "detail": describe(line)} for line in data["lines"]]
