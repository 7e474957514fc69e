"""Indicator SQL, written once in a portable subset of SQL and run by DuckDB (default).

Every statement below is a plain SELECT over the tables `patents`, `applicants`, `inventors`, `ipc`
(the Parquet files of a dataset), the small rule tables of `industries`, an `aliases` table, and the
temporary tables built by earlier steps. Portability rules followed throughout (so that sqlglot can
transpile them to PostgreSQL or Spark SQL with the same results, see tests/test_portability.py):

- no engine-specific functions (no arg_max, list, QUALIFY, FILTER, ::casts); CASE instead of
  boolean sums; every ratio multiplies by 1.0 first (PostgreSQL divides integers as integers);
- every query ends with a total ORDER BY so results compare row by row;
- parameters are integers formatted into the text (never user strings).

A backend runs three kinds of steps: load small Python tables, create a temporary table from a
SELECT, and run a SELECT returning rows.
"""

# ruff: noqa: S608  (SQL text is built from constants, table names and integers; user values are bound parameters)
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from .industries import MEMBERSHIP_SQL, RULE_TABLE_COLUMNS

ALIAS_COLUMNS = [("name_key", "VARCHAR"), ("canonical", "VARCHAR"), ("kind", "VARCHAR"), ("city", "VARCHAR")]
BASE_TABLES = ("patents", "applicants", "inventors", "ipc")


class Backend(Protocol):
    def load(self, name: str, columns: list[tuple[str, str]], rows: Iterable[tuple]) -> None: ...
    def create(self, name: str, sql: str) -> None: ...
    def query(self, sql: str) -> list[dict]: ...


class DuckDBBackend:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def load(self, name: str, columns: list[tuple[str, str]], rows: Iterable[tuple]) -> None:
        cols = ", ".join(f"{c} {t}" for c, t in columns)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({cols})")
        rows = list(rows)
        if rows:
            marks = ", ".join("?" for _ in columns)
            self.con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)

    def create(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def query(self, sql: str) -> list[dict]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def connect(dataset_dir: Path | str, *, threads: int | None = None, memory_limit: str | None = None
            ) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the dataset's Parquet files as views."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit='{memory_limit}'")
    for name in BASE_TABLES:
        path = str(Path(dataset_dir) / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    return con


@dataclass(frozen=True)
class Window:
    """Year windows: the last complete year (publication lag of 18 months) and 3-year windows."""

    last_complete: int
    span: int = 3

    @property
    def recent(self) -> tuple[int, int]:
        return self.last_complete - self.span + 1, self.last_complete

    @property
    def prior(self) -> tuple[int, int]:
        return self.last_complete - 2 * self.span + 1, self.last_complete - self.span


def _in(col: str, window: tuple[int, int]) -> str:
    return f"CASE WHEN {col} BETWEEN {int(window[0])} AND {int(window[1])} THEN 1 ELSE 0 END"


def by_region(select: str, source: str, *, extra_group: str = "") -> str:
    """The same aggregate for the world, China, Guangdong and each Guangdong city (first applicant)."""
    group = f", {extra_group}" if extra_group else ""
    extra = f"{extra_group}, " if extra_group else ""
    return f"""
SELECT 'world' AS region, {extra}{select} FROM {source} WHERE 1 = 1 {("GROUP BY " + extra_group) if extra_group else ""}
UNION ALL
SELECT 'CN' AS region, {extra}{select} FROM {source} WHERE country = 'CN'
    {("GROUP BY " + extra_group) if extra_group else ""}
UNION ALL
SELECT 'GD' AS region, {extra}{select} FROM {source} WHERE province = '44'
    {("GROUP BY " + extra_group) if extra_group else ""}
UNION ALL
SELECT city AS region, {extra}{select} FROM {source} WHERE city IS NOT NULL GROUP BY city{group}
"""


# --- temporary tables -----------------------------------------------------------------------------

IND = MEMBERSHIP_SQL  # (pid, industry, segment); the rule tables hold one industry's rules
INDP = "SELECT DISTINCT pid FROM ind"
IND_APP = """
SELECT a.pid, a.seq,
       COALESCE(al.canonical, a.name_std) AS name,
       COALESCE(al.kind, a.kind) AS kind,
       CASE WHEN al.city IS NOT NULL THEN 'CN' ELSE a.country END AS country,
       CASE WHEN al.city IS NOT NULL THEN '44' ELSE a.province END AS province,
       COALESCE(al.city, a.city) AS city
FROM applicants a
JOIN indp ON indp.pid = a.pid
LEFT JOIN aliases al ON al.name_key = a.name_key
"""
COHORT = """
SELECT app_year, AVG(cited_count * 1.0) AS mean_cites, COUNT(*) AS n
FROM patents WHERE app_year IS NOT NULL GROUP BY app_year
"""
IP = """
SELECT p.pid, p.app_year, p.priority_year, p.patent_type, p.granted, p.in_force, p.cited_count, p.family_size,
       CASE WHEN c.mean_cites > 0 THEN p.cited_count / c.mean_cites ELSE NULL END AS cites_norm,
       a.name AS applicant, a.kind AS applicant_kind, a.country, a.province, a.city
FROM patents p
JOIN indp ON indp.pid = p.pid
LEFT JOIN ind_app a ON a.pid = p.pid AND a.seq = 0
LEFT JOIN cohort c ON c.app_year = p.app_year
"""
# Every applicant of each industry patent with the patent's facts (whole counting).
APP_FACTS = """
SELECT a.name, a.kind, a.country, a.province, a.city, ip.pid, ip.app_year, ip.patent_type, ip.granted,
       ip.cites_norm
FROM ind_app a JOIN ip ON ip.pid = a.pid
"""


# The IPC main groups and WIPO fields of the industry's patents: one scan of the IPC table.
IP_CODES = """
SELECT DISTINCT i.pid, i.main_group, i.field_id
FROM ipc i JOIN indp ON indp.pid = i.pid
"""
# Baseline for RTA: every patent of the dataset by the region of its first applicant, one scan.
BASE_COUNTS = """
SELECT CASE WHEN al.city IS NOT NULL THEN 'CN' ELSE a.country END AS country,
       CASE WHEN al.city IS NOT NULL THEN '44' ELSE a.province END AS province,
       COALESCE(al.city, a.city) AS city, COUNT(*) AS n
FROM applicants a
LEFT JOIN aliases al ON al.name_key = a.name_key
WHERE a.seq = 0
GROUP BY CASE WHEN al.city IS NOT NULL THEN 'CN' ELSE a.country END,
         CASE WHEN al.city IS NOT NULL THEN '44' ELSE a.province END,
         COALESCE(al.city, a.city)
"""


def temp_steps() -> list[tuple[str, str]]:
    return [("ind", IND), ("indp", INDP), ("ind_app", IND_APP), ("cohort", COHORT), ("ip", IP),
            ("app_facts", APP_FACTS), ("ip_codes", IP_CODES), ("base_counts", BASE_COUNTS)]


# --- queries ----------------------------------------------------------------------------------------

def queries(w: Window) -> dict[str, str]:
    recent, prior = w.recent, w.prior
    q: dict[str, str] = {}
    for key, col in (("trend_app_year", "app_year"), ("trend_priority_year", "priority_year")):
        q[key] = f"""
SELECT {col} AS year, COUNT(*) AS world,
       SUM(CASE WHEN country = 'CN' THEN 1 ELSE 0 END) AS china,
       SUM(CASE WHEN province = '44' THEN 1 ELSE 0 END) AS guangdong
FROM ip WHERE {col} IS NOT NULL GROUP BY {col} ORDER BY year"""
    q["regions"] = "SELECT * FROM (" + by_region(f"""COUNT(*) AS n,
       SUM(CASE WHEN patent_type = 'invention' THEN 1 ELSE 0 END) AS inventions,
       SUM(CASE WHEN patent_type = 'invention' AND granted THEN 1 ELSE 0 END) AS inventions_granted,
       SUM(CASE WHEN in_force THEN 1 ELSE 0 END) AS in_force,
       SUM(CASE WHEN in_force IS NOT NULL THEN 1 ELSE 0 END) AS status_known,
       AVG(cites_norm) AS cites_norm, AVG(family_size * 1.0) AS family_size,
       COUNT(DISTINCT applicant) AS applicants,
       SUM({_in('app_year', recent)}) AS recent, SUM({_in('app_year', prior)}) AS prior""", "ip") + \
        ") r ORDER BY region"
    q["base_regions"] = """
SELECT region, n_all FROM (
  SELECT 'world' AS region, COUNT(*) AS n_all FROM patents
  UNION ALL SELECT 'CN' AS region, SUM(n) AS n_all FROM base_counts WHERE country = 'CN'
  UNION ALL SELECT 'GD' AS region, SUM(n) AS n_all FROM base_counts WHERE province = '44'
  UNION ALL SELECT city AS region, SUM(n) AS n_all FROM base_counts WHERE city IS NOT NULL GROUP BY city
) r ORDER BY region"""
    q["applicants"] = f"""
SELECT name, MIN(kind) AS kind, MIN(country) AS country, MIN(province) AS province, MIN(city) AS city,
       COUNT(DISTINCT pid) AS n,
       SUM(CASE WHEN patent_type = 'invention' THEN 1 ELSE 0 END) AS inventions,
       SUM(CASE WHEN patent_type = 'invention' AND granted THEN 1 ELSE 0 END) AS inventions_granted,
       AVG(cites_norm) AS cites_norm,
       SUM({_in('app_year', recent)}) AS recent, SUM({_in('app_year', prior)}) AS prior,
       MIN(app_year) AS first_year, MAX(app_year) AS last_year
FROM app_facts GROUP BY name ORDER BY n DESC, name LIMIT 300"""
    q["inventors"] = f"""
SELECT i.name, COUNT(DISTINCT ip.pid) AS n, AVG(ip.cites_norm) AS cites_norm,
       SUM({_in('ip.app_year', recent)}) AS recent,
       SUM(CASE WHEN ip.province = '44' THEN 1 ELSE 0 END) AS n_guangdong,
       MIN(ip.city) AS city, MIN(ip.applicant) AS applicant
FROM inventors i JOIN ip ON ip.pid = i.pid
GROUP BY i.name ORDER BY n DESC, i.name LIMIT 100"""
    q["concentration"] = """
WITH s AS (SELECT name, COUNT(DISTINCT pid) AS n FROM app_facts GROUP BY name),
r AS (SELECT name, n, ROW_NUMBER() OVER (ORDER BY n DESC, name) AS rk, SUM(n) OVER () AS total FROM s)
SELECT SUM(CASE WHEN rk <= 4 THEN n ELSE 0 END) * 1.0 / MAX(total) AS cr4,
       SUM(CASE WHEN rk <= 8 THEN n ELSE 0 END) * 1.0 / MAX(total) AS cr8,
       SUM((n * 1.0 / total) * (n * 1.0 / total)) * 10000 AS hhi,
       COUNT(*) AS applicants, MAX(total) AS applicant_links
FROM r"""
    q["entrants"] = """
SELECT first_year AS year, COUNT(*) AS new_applicants,
       SUM(CASE WHEN province = '44' THEN 1 ELSE 0 END) AS new_guangdong
FROM (SELECT name, MIN(app_year) AS first_year, MIN(province) AS province FROM app_facts
      WHERE app_year IS NOT NULL GROUP BY name) f
GROUP BY first_year ORDER BY year"""
    q["lifecycle"] = """
SELECT app_year AS year, COUNT(DISTINCT pid) AS patents, COUNT(DISTINCT name) AS applicants
FROM app_facts WHERE app_year IS NOT NULL GROUP BY app_year ORDER BY year"""
    q["network"] = """
SELECT a.name AS source, b.name AS target, COUNT(DISTINCT a.pid) AS weight
FROM ind_app a JOIN ind_app b ON a.pid = b.pid AND a.name < b.name
GROUP BY a.name, b.name ORDER BY weight DESC, source, target LIMIT 150"""
    q["ipc_nodes"] = """
SELECT main_group, COUNT(DISTINCT pid) AS n
FROM ip_codes GROUP BY main_group ORDER BY n DESC, main_group LIMIT 60"""
    q["ipc_edges"] = """
WITH g AS (SELECT DISTINCT pid, main_group FROM ip_codes),
top AS (SELECT main_group FROM (SELECT main_group, COUNT(*) AS n FROM g GROUP BY main_group
        ORDER BY n DESC, main_group LIMIT 60) t)
SELECT a.main_group AS g1, b.main_group AS g2, COUNT(*) AS weight
FROM g a JOIN g b ON a.pid = b.pid AND a.main_group < b.main_group
WHERE a.main_group IN (SELECT main_group FROM top) AND b.main_group IN (SELECT main_group FROM top)
GROUP BY a.main_group, b.main_group ORDER BY weight DESC, g1, g2"""
    q["whitespace"] = f"""
WITH g AS (SELECT DISTINCT pid, main_group FROM ip_codes)
SELECT g.main_group, COUNT(*) AS n,
       SUM({_in('ip.app_year', recent)}) AS recent, SUM({_in('ip.app_year', prior)}) AS prior,
       SUM(CASE WHEN ip.province = '44' THEN 1 ELSE 0 END) AS guangdong,
       SUM(CASE WHEN ip.country = 'CN' THEN 1 ELSE 0 END) AS china
FROM g JOIN ip ON ip.pid = g.pid
GROUP BY g.main_group HAVING COUNT(*) >= 3 ORDER BY n DESC, g.main_group LIMIT 200"""
    q["matrix"] = "SELECT * FROM (" + by_region(
        "COUNT(DISTINCT ip.pid) AS n", "(SELECT ind.segment, ip.* FROM ind JOIN ip ON ip.pid = ind.pid) ip",
        extra_group="segment") + ") r ORDER BY segment, region"
    q["heatmap"] = """
SELECT ip.city, i.field_id, COUNT(DISTINCT ip.pid) AS n
FROM ip JOIN ip_codes i ON i.pid = ip.pid
WHERE ip.city IS NOT NULL AND i.field_id IS NOT NULL
GROUP BY ip.city, i.field_id ORDER BY ip.city, i.field_id"""
    q["fields"] = "SELECT * FROM (" + by_region(
        "COUNT(DISTINCT ip.pid) AS n",
        "(SELECT DISTINCT i.field_id, ip.pid, ip.country, ip.province, ip.city FROM ip "
        "JOIN ip_codes i ON i.pid = ip.pid WHERE i.field_id IS NOT NULL) ip",
        extra_group="field_id") + ") r ORDER BY field_id, region"
    q["city_leaders"] = """
SELECT city, name, n FROM (
  SELECT city, name, COUNT(DISTINCT pid) AS n,
         ROW_NUMBER() OVER (PARTITION BY city ORDER BY COUNT(DISTINCT pid) DESC, name) AS rk
  FROM app_facts WHERE city IS NOT NULL GROUP BY city, name) t
WHERE rk <= 3 ORDER BY city, n DESC, name"""
    q["applicant_groups"] = """
WITH top AS (SELECT name FROM (SELECT name, COUNT(DISTINCT pid) AS n FROM app_facts GROUP BY name
             ORDER BY n DESC, name LIMIT 100) t)
SELECT a.name, i.main_group, COUNT(DISTINCT a.pid) AS n
FROM app_facts a JOIN ip_codes i ON i.pid = a.pid
WHERE a.name IN (SELECT name FROM top)
GROUP BY a.name, i.main_group ORDER BY a.name, n DESC, i.main_group"""
    return q


def run(backend: Backend, *, rule_rows: dict[str, list[tuple]], alias_rows: list[tuple], window: Window,
        only: set[str] | None = None) -> dict[str, list[dict]]:
    """Run every step and query for one industry; returns query name -> rows."""
    for name, columns in RULE_TABLE_COLUMNS.items():
        backend.load(name, columns, rule_rows.get(name, []))
    backend.load("aliases", ALIAS_COLUMNS, alias_rows)
    for name, sql in temp_steps():
        backend.create(name, sql)
    return {name: backend.query(sql) for name, sql in queries(window).items() if only is None or name in only}
