"""Indicator values on the hand-made fixture (tests/fixtures.py), each worked out by hand.

Industry "x" holds P1 (B64U, Shenzhen, granted invention, 4 cites, 2019), P2 (G05D1 + 无人机, Shenzhen,
2019, 0 cites), P5 (B64C27, Beijing, utility model, 2021, 2 cites), P7 (B64U, ACME, no location, 2021,
6 cites) and P8 (keyword 飞行汽车, Dongguan, 2020, 3 cites). P3 (no keyword) and P4 (excluded B64C39/02)
are outside it. All seven patents form the baseline for RTA.
"""

import datetime as dt

import pytest

from innoreform.patents.engine.ingest import ingest
from innoreform.patents.engine.landscape import cagr, landscape, last_complete_year

from .fixtures import RULES, write_fixture


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ind")
    ingest([write_fixture(tmp)], tmp / "ds", today=dt.date(2025, 1, 1))
    return landscape(tmp / "ds", rules=RULES, industry="x")


def test_cutoff_and_incomplete_years(result):
    # latest publication 2023-06-30: 2021 is complete (18 months after its end), 2022-2023 are not
    assert result["cutoff_date"] == "2023-06-30"
    assert result["last_complete_year"] == 2021
    assert last_complete_year(dt.date(2023, 6, 29)) == 2020


def test_filings_by_year(result):
    trend = {r["year"]: (r["world"], r["china"], r["guangdong"], r["incomplete"]) for r in result["trend_app_year"]}
    assert trend == {2019: (2, 2, 2, False), 2020: (1, 1, 1, False), 2021: (2, 1, 0, False)}
    assert {r["year"] for r in result["trend_priority_year"]} == {2019, 2020, 2021}


def test_shares_and_rta(result):
    reg = result["regions"]
    counts = (reg["world"]["n"], reg["CN"]["n"], reg["GD"]["n"], reg["440300"]["n"], reg["441900"]["n"])
    assert counts == (5, 4, 3, 2, 1)
    assert reg["GD"]["share_world"] == pytest.approx(3 / 5)
    assert reg["440300"]["share_guangdong"] == pytest.approx(2 / 3)
    # RTA = (industry/all in region) / (industry/all in world); all: world 7, CN 6, GD 4, Shenzhen 2
    assert reg["GD"]["rta"] == pytest.approx((3 / 4) / (5 / 7))
    assert reg["CN"]["rta"] == pytest.approx((4 / 6) / (5 / 7))
    assert reg["440300"]["rta"] == pytest.approx((2 / 2) / (5 / 7))


def test_quality(result):
    world, gd = result["regions"]["world"], result["regions"]["GD"]
    # inventions P1 P2 P7 P8, of which P1 granted; P5 is a utility model
    assert world["grant_rate"] == pytest.approx(1 / 4)
    assert gd["grant_rate"] == pytest.approx(1 / 3)
    # in force: P1 yes, P2 no, P5 yes; P7 unknown, P8 pending (unknown)
    assert world["in_force_share"] == pytest.approx(2 / 3)
    # cohort means over all patents by filing year: 2019 (4+0)/2=2, 2020 (0+0+3)/3=1, 2021 (2+6)/2=4
    # normalised: P1 2, P2 0, P8 3, P5 0.5, P7 1.5
    assert world["cites_norm"] == pytest.approx((2 + 0 + 3 + 0.5 + 1.5) / 5)
    assert gd["cites_norm"] == pytest.approx((2 + 0 + 3) / 3)


def test_concentration(result):
    # applicant-patent links: 甲 2 (P1, P2), 乙 1, 丁 1, ACME 1, 戊 1 -> 6 links
    conc = result["concentration"]
    assert conc["applicants"] == 5
    assert conc["cr4"] == pytest.approx(5 / 6)
    assert conc["cr8"] == pytest.approx(1.0)
    assert conc["hhi"] == pytest.approx(((2 / 6) ** 2 + 4 * (1 / 6) ** 2) * 10000)


def test_top_lists_entrants_network_and_matrix(result):
    top = result["top_applicants"][0]
    assert (top["name"], top["n"], top["city"], top["kind"]) == ("深圳市甲科技有限公司", 2, "440300", "enterprise")
    assert result["top_inventors"][0]["name"] == "张三"
    assert result["top_inventors"][0]["n"] == 2
    assert {r["year"]: r["new_applicants"] for r in result["entrants"]} == {2019: 2, 2020: 1, 2021: 2}
    assert result["network"]["links"] == [{"source": "乙大学", "target": "深圳市甲科技有限公司", "weight": 1}] or \
        result["network"]["links"] == [{"source": "深圳市甲科技有限公司", "target": "乙大学", "weight": 1}]
    cells = {s["code"]: s["cells"] for s in result["matrix"]["segments"]}
    assert cells["frame"] == {"world": 2, "CN": 1, "GD": 1, "440300": 1}
    assert cells["nav"] == {"world": 1, "CN": 1, "GD": 1, "440300": 1}
    assert cells["kw"] == {"world": 1, "CN": 1, "GD": 1, "441900": 1}
    assert cells["body"] == {"world": 1, "CN": 1}
    card = {c["city"]: c for c in result["scorecard"]}
    assert card["440300"]["rank"] == 1
    assert card["440300"]["leaders"][0] == {"name": "深圳市甲科技有限公司", "n": 2}
    assert card["445300"]["n"] == 0


def test_aliases_merge_names_and_relocate(tmp_path):
    ingest([write_fixture(tmp_path)], tmp_path / "ds", today=dt.date(2025, 1, 1))
    aliases = [("ACME CORP", "艾克米(深圳)", "enterprise", "440300")]
    res = landscape(tmp_path / "ds", rules=RULES, industry="x", aliases=aliases)
    assert res["regions"]["440300"]["n"] == 3
    assert "艾克米(深圳)" in {a["name"] for a in res["top_applicants"]}


def test_cagr():
    assert cagr(100, 121, 2) == pytest.approx(0.1)
    assert cagr(0, 10, 3) is None
