"""The indicator SQL is portable: sqlglot transpiles every statement from DuckDB to SQLite, PostgreSQL
and Spark SQL; run on SQLite (always) and PostgreSQL (when DATABASE_URL points at it) over the same
sample, every query returns exactly what DuckDB returns."""

# ruff: noqa: S608  (SQL text is built from constants, table names and integers; user values are bound parameters)
import datetime as dt
import decimal
import sqlite3
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from innoreform.patents.engine import indicators as ind_sql
from innoreform.patents.engine.industries import STARTER_RULES, rule_tables
from innoreform.patents.engine.ingest import ingest
from innoreform.patents.engine.landscape import last_complete_year

from .fixtures import RULES, write_fixture

DATA = Path(__file__).parent / "data"
CASES = [("fixture", RULES, "x"), ("drones", STARTER_RULES, "uav")]
ALIASES = [("ACME CORP", "艾克米", "enterprise", "440300")]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("port")
    ingest([write_fixture(tmp)], tmp / "fixture", today=dt.date(2025, 1, 1))
    ingest([DATA / "lens_drones_sample.csv", DATA / "cnipa_sample_utf8.csv"], tmp / "drones")
    return tmp


def _canon(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | decimal.Decimal):
        return round(float(value), 9)
    return value


def _rows(result: list[dict]) -> list[tuple]:
    return [tuple(_canon(v) for v in row.values()) for row in result]


def _duckdb_results(path: Path, rules, industry, window):
    con = ind_sql.connect(path)
    out = ind_sql.run(ind_sql.DuckDBBackend(con), rule_rows=rule_tables(rules, industry), alias_rows=ALIASES,
                      window=window)
    tables = {}
    for name in ind_sql.BASE_TABLES:
        cur = con.execute(f"SELECT * FROM {name}")
        tables[name] = ([(d[0], str(d[1])) for d in cur.description], cur.fetchall())
    con.close()
    return out, tables


class TranspilingBackend:
    """Runs the DuckDB-dialect statements on another engine after sqlglot transpilation."""

    def __init__(self, dialect, execute, fetch, type_map):
        self.dialect, self.execute, self.fetch, self.type_map = dialect, execute, fetch, type_map

    def sql(self, text: str) -> str:
        return sqlglot.transpile(text, read="duckdb", write=self.dialect, unsupported_level=ErrorLevel.RAISE)[0]

    def load(self, name, columns, rows):
        cols = ", ".join(f"{c} {self.type_map(t)}" for c, t in columns)
        self.execute(f"CREATE TEMP TABLE {name} ({cols})")
        for row in rows:
            marks = ", ".join(self.mark for _ in columns)
            self.execute(f"INSERT INTO {name} VALUES ({marks})", tuple(row))

    def create(self, name, sql):
        self.execute(f"CREATE TEMP TABLE {name} AS {self.sql(sql)}")

    def query(self, sql):
        return self.fetch(self.sql(sql))


def _load_base(backend, tables):
    for name, (columns, rows) in tables.items():
        backend.load(name, columns, rows)


def _window(path):
    con = ind_sql.connect(path)
    cutoff = con.execute("SELECT MAX(COALESCE(pub_date, app_date)) FROM patents").fetchone()[0]
    con.close()
    return ind_sql.Window(last_complete_year(cutoff))


@pytest.mark.parametrize(("case", "rules", "industry"), CASES)
def test_sqlite_gets_identical_results(datasets, case, rules, industry):
    path = datasets / case
    window = _window(path)
    expected, tables = _duckdb_results(path, rules, industry, window)
    con = sqlite3.connect(":memory:")

    def execute(sql, params=()):
        con.execute(sql, [v.isoformat() if isinstance(v, dt.date) else v for v in params])

    def fetch(sql):
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    backend = TranspilingBackend("sqlite", execute, fetch, lambda t: "TEXT" if "VARCHAR" in t or "DATE" in t
                                 else ("REAL" if "DOUBLE" in t else "INTEGER"))
    backend.mark = "?"
    _load_base(backend, tables)
    got = ind_sql.run(backend, rule_rows=rule_tables(rules, industry), alias_rows=ALIASES, window=window)
    assert sum(len(v) for v in expected.values()) > 20
    for name in expected:
        assert _rows(got[name]) == _rows(expected[name]), name


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("case", "rules", "industry"), CASES)
def test_postgresql_gets_identical_results(datasets, case, rules, industry):
    from django.db import connection

    path = datasets / case
    window = _window(path)
    expected, tables = _duckdb_results(path, rules, industry, window)
    types = {"VARCHAR": 'TEXT COLLATE "C"', "DATE": "DATE", "BOOLEAN": "BOOLEAN", "DOUBLE": "DOUBLE PRECISION",
             "BIGINT": "BIGINT", "INTEGER": "INTEGER"}
    with connection.cursor() as cur:
        def execute(sql, params=()):
            cur.execute(sql, params)

        def fetch(sql):
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        backend = TranspilingBackend("postgres", execute, fetch, lambda t: types.get(t, t))
        backend.mark = "%s"
        _load_base(backend, tables)
        got = ind_sql.run(backend, rule_rows=rule_tables(rules, industry), alias_rows=ALIASES, window=window)
    for name in expected:
        assert _rows(got[name]) == _rows(expected[name]), name


@pytest.mark.parametrize("dialect", ["spark", "postgres", "sqlite"], ids=["to-spark", "to-pg", "to-sqlite"])
def test_every_statement_transpiles_without_unsupported_features(dialect):
    statements = [sql for _n, sql in ind_sql.temp_steps()] + list(ind_sql.queries(ind_sql.Window(2020)).values())
    for sql in statements:
        out = sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE)[0]
        assert out.strip()
    assert isinstance(duckdb.__version__, str)
