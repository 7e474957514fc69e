# ruff: noqa: S608  (SQL text is built from constants, table names and integers; user values are bound parameters)
import datetime as dt

import duckdb

from innoreform.patents.engine import industries as ind
from innoreform.patents.engine.indicators import connect
from innoreform.patents.engine.ingest import ingest

from .fixtures import RULES, write_fixture


def _members(tmp_path, rules, industry):
    ingest([write_fixture(tmp_path)], tmp_path / "ds", today=dt.date(2025, 1, 1))
    con = connect(tmp_path / "ds")
    for name, cols in ind.RULE_TABLE_COLUMNS.items():
        con.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
        rows = ind.rule_tables(rules, industry)[name]
        if rows:
            con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in cols)})", rows)
    out = con.execute(f"SELECT p.app_id, m.segment FROM ({ind.MEMBERSHIP_SQL}) m JOIN patents p USING (pid) "
                      "ORDER BY 1, 2").fetchall()
    con.close()
    return out


def test_include_exclude_and_keyword_rules(tmp_path):
    members = _members(tmp_path, RULES, "x")
    assert members == [
        ("CN201910000001", "frame"),  # B64U
        ("CN201910000002", "nav"),  # G05D1/10 and 无人机 in the title
        ("CN202010000008", "kw"),  # keyword-only rule
        ("CN202110000007", "frame"),
        ("CN202120000005", "body"),  # B64C27/08: B64C minus B64C39/02
    ]
    # P3 has G05D1/02 without the keyword; P4 is B64C39/02, excluded from "body".


def test_rules_of_another_industry_are_not_applied(tmp_path):
    assert _members(tmp_path, RULES, "y") == [("CN202010000008", "all")]


def test_starter_set_is_valid_and_covers_the_uav_chain():
    assert ind.validate(ind.STARTER_RULES).errors == {}
    codes = [c for c, _zh, _en in ind.industries(ind.STARTER_RULES)]
    assert codes[0] == "uav" and len(codes) == len(set(codes)) >= 9
    positions = {s[3] for s in ind.segments(ind.STARTER_RULES, "uav")}
    assert positions == {"upstream", "midstream", "downstream"}


def test_validation_reports_bad_rules():
    bad = [ind.Rule("a", "", "", "s", "", "", "sideways", include=("NOTIPC",)),
           ind.Rule("", "", "", "", "", "", "upstream")]
    errors = ind.validate(bad).errors
    assert any("position" in m for m in errors["rule 1 (a/s)"])
    assert any("malformed IPC prefix" in m for m in errors["rule 1 (a/s)"])
    assert any("IPC prefixes or keywords" in m for m in errors["rule 2 (/)"])


def test_starter_rules_find_drones_in_the_real_lens_sample(tmp_path):
    from pathlib import Path

    data = Path(__file__).parent / "data" / "lens_drones_sample.csv"
    ingest([data], tmp_path / "ds")
    con = connect(tmp_path / "ds")
    for name, cols in ind.RULE_TABLE_COLUMNS.items():
        con.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
        rows = ind.rule_tables(ind.STARTER_RULES, "uav")[name]
        if rows:
            con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in cols)})", rows)
    n = con.execute(f"SELECT COUNT(DISTINCT pid) FROM ({ind.MEMBERSHIP_SQL}) m").fetchone()[0]
    assert n > 10
    assert isinstance(duckdb.__version__, str)
