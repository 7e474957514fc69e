"""The 科技型中小企业 rule table at every boundary, each direct route and each basic condition.

Pure functions: no database."""

import random
from datetime import date

import pytest
from django.utils import translation

from innoreform.registry import evaluation as ev
from innoreform.registry.policies import EVALUATION_DEFAULTS, TechSmeEvaluationRules

RULES = ev.compile_rules(TechSmeEvaluationRules(**EVALUATION_DEFAULTS).model_dump(mode="json"), version=1)
YUAN = 100  # fen per yuan


def base_facts(**overrides) -> ev.Facts:
    """Qualifies by score only: 30 % tech staff (20), 6 % R&D/sales (50), no IP (0) = 70."""
    values = dict(
        evaluation_year=2024, on_date=date(2024, 3, 1), staff_total=100, tech_staff=30,
        sales_fen=10_000_000 * YUAN, total_assets_fen=50_000_000 * YUAN, rd_expense_fen=600_000 * YUAN,
        total_cost_fen=9_000_000 * YUAN, ip_counts={},
    )
    values.update(overrides)
    return ev.Facts(**values)


# --- tech staff share, 20 points -----------------------------------------------------------------

@pytest.mark.parametrize(("tech", "total", "points"), [
    (30, 100, 20),     # exactly 30 %
    (2999, 10000, 16), # 29.99 %
    (25, 100, 16),     # exactly 25 %
    (2499, 10000, 12),
    (20, 100, 12),
    (1999, 10000, 8),
    (15, 100, 8),
    (1499, 10000, 4),
    (10, 100, 4),      # exactly 10 %
    (999, 10000, 0),   # just under 10 %
    (0, 100, 0),
    (100, 100, 20),
    (3, 10, 20),       # 30 % from small numbers (no float rounding)
    (1, 3, 20),        # 33.3 %
    (0, 0, 0),         # no staff reported
])
def test_tech_staff_bands(tech, total, points):
    assert ev.ratio_points(tech, total, RULES.tech_staff_bands) == points


# --- R&D: the better of R&D/sales and R&D/total cost, 50 points --------------------------------

@pytest.mark.parametrize(("rd", "sales", "points"), [
    (6, 100, 50), (599, 10000, 40), (5, 100, 40), (499, 10000, 30), (4, 100, 30), (399, 10000, 20),
    (3, 100, 20), (299, 10000, 10), (2, 100, 10), (199, 10000, 0), (0, 100, 0), (1, 0, 0),
])
def test_rd_sales_bands(rd, sales, points):
    assert ev.ratio_points(rd, sales, RULES.rd_sales_bands) == points


@pytest.mark.parametrize(("rd", "cost", "points"), [
    (30, 100, 50), (2999, 10000, 40), (25, 100, 40), (2499, 10000, 30), (20, 100, 30), (1999, 10000, 20),
    (15, 100, 20), (1499, 10000, 10), (10, 100, 10), (999, 10000, 0), (0, 100, 0), (1, 0, 0),
])
def test_rd_cost_bands(rd, cost, points):
    assert ev.ratio_points(rd, cost, RULES.rd_cost_bands) == points


@pytest.mark.parametrize(("rd", "sales", "cost", "points", "basis"), [
    (6, 100, 1000, 50, "rd_sales"),   # sales ratio 6 % (50) beats cost ratio 0.6 % (0)
    (3, 100, 10, 50, "rd_cost"),      # cost ratio 30 % (50) beats sales ratio 3 % (20)
    (5, 100, 20, 40, "rd_sales"),     # both give 40 (5 %, 25 %): sales counted
    (2, 100, 0, 10, "rd_sales"),      # no cost reported
    (2, 0, 10, 30, "rd_cost"),        # no sales reported: cost ratio 20 %
])
def test_rd_takes_the_better_ratio(rd, sales, cost, points, basis):
    result = ev.evaluate(base_facts(rd_expense_fen=rd, sales_fen=sales, total_cost_fen=cost), RULES)
    assert result.rd_points == points
    rd_line = next(line for line in result.lines if line.key == "rd")
    assert rd_line.params["basis"] == basis


# --- results, 30 points --------------------------------------------------------------------------

@pytest.mark.parametrize(("ip", "points"), [
    ({}, 0),
    ({"utility_model": 1}, 6),
    ({"utility_model": 1, "design_patent": 1}, 12),
    ({"software_copyright": 3}, 18),
    ({"utility_model": 2, "software_copyright": 2}, 24),  # exactly 4 class-II results
    ({"utility_model": 40}, 24),
    ({"invention_patent": 1}, 30),
    ({"plant_variety": 1}, 30),
    ({"crop_variety": 1}, 30),
    ({"new_drug": 1}, 30),
    ({"protected_tcm": 1}, 30),
    ({"ic_layout": 1}, 30),
    ({"invention_patent": 1, "utility_model": 9}, 30),  # class I wins outright, no adding up
    ({"trademark": 5}, 0),  # not an eligible kind
])
def test_results_points(ip, points):
    one, two = ev.ip_classes(ip, RULES)
    assert ev.results_points(one, two, RULES) == points


# --- pass mark: score >= 60 with a non-zero staff score ---------------------------------------------

@pytest.mark.parametrize(("facts", "score", "passed"), [
    # 20 + 40 + 0 = 60: exactly the pass mark
    (dict(tech_staff=30, rd_expense_fen=500_000 * YUAN), 60, True),
    # 16 + 40 + 0 = 56
    (dict(tech_staff=29, rd_expense_fen=500_000 * YUAN), 56, False),
    # 4 + 50 + 6 = 60 with the smallest non-zero staff score
    (dict(tech_staff=10, ip_counts={"utility_model": 1}), 60, True),
    # 0 + 50 + 30 = 80 but the staff score is zero
    (dict(tech_staff=9, ip_counts={"invention_patent": 2}), 80, False),
    # 16 + 20 + 18 = 54 + ... 3 class-II: 54 fails; 4 class-II: 60 passes
    (dict(tech_staff=25, rd_expense_fen=300_000 * YUAN, ip_counts={"utility_model": 3}), 54, False),
    (dict(tech_staff=25, rd_expense_fen=300_000 * YUAN, total_cost_fen=10**12,
          ip_counts={"utility_model": 4}), 60, True),
])
def test_pass_mark(facts, score, passed):
    result = ev.evaluate(base_facts(**facts), RULES)
    assert (result.score, result.passed) == (score, passed)
    if not passed:
        assert "score_condition" in result.failed_conditions


# --- basic conditions -------------------------------------------------------------------------------

LIMIT = 200_000_000 * YUAN


@pytest.mark.parametrize(("overrides", "condition", "ok"), [
    (dict(staff_total=500, tech_staff=150), "staff_limit", True),
    (dict(staff_total=501, tech_staff=151), "staff_limit", False),
    (dict(staff_total=-1), "staff_limit", False),
    (dict(sales_fen=LIMIT, rd_expense_fen=LIMIT * 6 // 100), "sales_limit", True),
    (dict(sales_fen=LIMIT + 1), "sales_limit", False),
    (dict(total_assets_fen=LIMIT), "assets_limit", True),
    (dict(total_assets_fen=LIMIT + 1), "assets_limit", False),
    (dict(mainland_resident=False), "mainland_resident", False),
    (dict(industry_restricted=True), "industry_allowed", False),
    (dict(major_incident=True), "no_major_incident", False),
    (dict(on_abnormal_list=True), "not_abnormal_operation", False),
    (dict(on_serious_dishonest_list=True), "not_seriously_dishonest", False),
])
def test_each_basic_condition(overrides, condition, ok):
    # A direct route must not rescue a failed basic condition.
    facts = base_facts(qualifications=[ev.Qualification("high_tech", date(2023, 1, 1), date(2025, 12, 31))],
                       **overrides)
    result = ev.evaluate(facts, RULES)
    line = next(line for line in result.lines if line.key == condition)
    assert line.ok is ok
    assert result.passed is ok
    assert (condition in result.failed_conditions) is (not ok)


# --- direct routes (score would fail: 0 staff points) ---------------------------------------------

FAILING = dict(tech_staff=0, rd_expense_fen=0, ip_counts={})
ON = date(2024, 3, 1)


@pytest.mark.parametrize(("overrides", "route"), [
    (dict(qualifications=[ev.Qualification("high_tech", date(2022, 1, 1), ON)]), "route_high_tech"),
    (dict(qualifications=[ev.Qualification("high_tech", date(2021, 1, 1), date(2024, 2, 29))]), None),  # expired
    (dict(qualifications=[ev.Qualification("high_tech", date(2024, 3, 2), date(2027, 1, 1))]), None),  # not yet
    (dict(qualifications=[ev.Qualification("specialised", date(2022, 1, 1), date(2026, 1, 1))]), None),
    (dict(awards=[ev.Award("national", 3, 2020)]), "route_national_award"),  # rank 3, 5th year back
    (dict(awards=[ev.Award("national", 4, 2023)]), None),  # rank 4
    (dict(awards=[ev.Award("national", 1, 2019)]), None),  # six years back
    (dict(awards=[ev.Award("provincial", 1, 2023)]), None),
    (dict(rd_institution_levels=["provincial"]), "route_rd_institution"),
    (dict(rd_institution_levels=["national"]), "route_rd_institution"),
    (dict(rd_institution_levels=["city"]), None),
    (dict(standards=[ev.Standard("international", 2024)]), "route_standard"),
    (dict(standards=[ev.Standard("national", 2020)]), "route_standard"),
    (dict(standards=[ev.Standard("industry", 2022)]), "route_standard"),
    (dict(standards=[ev.Standard("industry", 2019)]), None),  # outside five years
    (dict(standards=[ev.Standard("group", 2023)]), None),
    (dict(standards=[ev.Standard("national", 2023, led=False)]), None),  # took part, did not lead
])
def test_direct_routes(overrides, route):
    result = ev.evaluate(base_facts(**FAILING, **overrides), RULES)
    assert result.route == route
    assert result.passed is (route is not None)
    assert result.score == 0


def test_policy_change_moves_the_threshold():
    params = TechSmeEvaluationRules(**EVALUATION_DEFAULTS).model_dump(mode="json")
    params["pass_score"] = 70
    strict = ev.compile_rules(params, version=2)
    facts = base_facts(rd_expense_fen=500_000 * YUAN)  # 60 points
    assert ev.evaluate(facts, RULES).passed
    result = ev.evaluate(facts, strict)
    assert not result.passed
    assert result.policy_version == 2


def test_schema_refuses_unordered_bands():
    params = dict(EVALUATION_DEFAULTS)
    params["tech_staff_bands"] = list(reversed(params["tech_staff_bands"]))
    with pytest.raises(ValueError, match="descending"):
        TechSmeEvaluationRules(**params)


def test_every_line_is_explained_in_both_languages():
    result = ev.evaluate(base_facts(ip_counts={"utility_model": 2}), RULES)
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            lines = ev.explain(result)
            assert {line["key"] for line in lines} >= {"tech_staff", "rd", "results", "total", "outcome"}
            assert all(line["label"] for line in lines)
            outcome = lines[-1]
            assert outcome["ok"] is True
            assert outcome["detail"]
    with translation.override("en"):
        tech = next(line for line in ev.explain(result) if line["key"] == "tech_staff")
        assert "30.00%" in tech["detail"]


def _random_facts(rng: random.Random) -> ev.Facts:
    staff = rng.choice([0, 1, 10, 100, 500, 501, rng.randint(1, 800)])
    sales = rng.choice([0, 10**9, LIMIT, LIMIT + 1, rng.randint(0, 3 * 10**10)])
    return base_facts(
        staff_total=staff, tech_staff=rng.randint(0, max(staff, 0)), sales_fen=sales,
        total_assets_fen=rng.choice([LIMIT, LIMIT + 1, rng.randint(0, 3 * 10**10)]),
        rd_expense_fen=rng.randint(0, max(sales // 5, 1)), total_cost_fen=rng.choice([0, rng.randint(1, 10**10)]),
        ip_counts={rng.choice(["invention_patent", "utility_model", "software_copyright", "trademark"]):
                   rng.randint(0, 5)},
        on_abnormal_list=rng.random() < 0.05,
        rd_institution_levels=["provincial"] if rng.random() < 0.05 else [],
    )


def test_batch_path_agrees_with_explained_path():
    rng = random.Random(20240301)
    facts = [_random_facts(rng) for _ in range(3000)]
    batch = ev.evaluate_many([ev.batch_row(f, RULES) for f in facts], RULES)
    full = [ev.evaluate(f, RULES) for f in facts]
    assert batch == [(r.passed, r.score) for r in full]
    assert any(p for p, _ in batch)
    assert not all(p for p, _ in batch)


# --- missing is not zero (issue #19 item 12) ---------------------------------------------------------

HIGH_TECH = [ev.Qualification("high_tech", date(2023, 1, 1), date(2025, 12, 31))]


@pytest.mark.parametrize(("figure", "reason"), [
    ("staff_total", "staff_missing"), ("sales_fen", "sales_missing"), ("total_assets_fen", "assets_missing"),
])
def test_a_missing_figure_fails_with_its_reason_even_on_a_direct_route(figure, reason):
    facts = base_facts(qualifications=HIGH_TECH, **{figure: None})
    result = ev.evaluate(facts, RULES)
    assert not result.passed
    assert reason in result.failed_conditions
    assert ev.evaluate_many([ev.batch_row(facts, RULES)], RULES) == [(False, result.score)]
    assert ev.missing_figures(facts.staff_total, facts.sales_fen, facts.total_assets_fen) == (reason,)
    with translation.override("en"):
        lines = {line["key"]: line for line in ev.explain(result)}
        assert "Not reported" in lines[reason.replace("_missing", "_limit")]["detail"]
        assert "missing" in lines["outcome"]["detail"]


def test_zero_is_still_a_figure():
    facts = base_facts(qualifications=HIGH_TECH, sales_fen=0, total_assets_fen=0)
    assert ev.evaluate(facts, RULES).passed
    assert ev.evaluate_many([ev.batch_row(facts, RULES)], RULES)[0][0]


def test_batch_path_agrees_with_explained_path_on_missing_figures():
    rng = random.Random(20250619)
    facts = []
    for _ in range(600):
        f = _random_facts(rng)
        facts.append(base_facts(**{**f.__dict__, **{k: None for k in ("staff_total", "sales_fen", "total_assets_fen")
                                                      if rng.random() < 0.3}}))
    batch = ev.evaluate_many([ev.batch_row(f, RULES) for f in facts], RULES)
    assert batch == [(r.passed, r.score) for r in (ev.evaluate(f, RULES) for f in facts)]


@pytest.mark.django_db
def test_whole_registry_rows_keep_missing_figures_missing():
    from innoreform.core.regions import Region
    from innoreform.registry import assemble
    from innoreform.registry import models as m

    on = date(2024, 3, 1)
    e = m.Enterprise.objects.create(credit_code="91440600MA0000001X", name="缺数据公司", region=Region.FOSHAN)
    m.Qualification.objects.create(enterprise=e, kind="high_tech", valid_from=date(2023, 1, 1),
                                   valid_to=date(2025, 12, 31))
    m.YearlyIndicator.objects.create(enterprise=e, year=2023, staff_total=None, tech_staff=10, sales_fen=None,
                                     total_assets_fen=None, rd_expense_fen=1, total_cost_fen=1)
    ids, rows = assemble.batch_rows(2024, on, RULES)
    assert ids == [e.pk]
    assert not ev.evaluate_many(rows, RULES)[0][0]
    assert ev.missing_figures(rows[0].staff_total, rows[0].sales_fen, rows[0].total_assets_fen) == (
        "staff_missing", "sales_missing", "assets_missing")
