"""A scorecard as one SQL SELECT with CASE expressions, for SQLite, PostgreSQL and DuckDB.

Points are integers, so the sum is exact in every engine and equals the Python score. Missing
values are SQL NULL (and, for text columns, the same missing markers the file reader knows);
categories never seen in training get 0 points, as in Python. Numeric columns must be of a
numeric SQL type; text columns are compared after TRIM(CAST(... AS text)).
"""

from __future__ import annotations

from .binning import Binning
from .errors import CreditDataError
from .frame import MISSING_TOKENS
from .scorecard import Scorecard

DIALECTS = ("sqlite", "postgres", "duckdb")
_TEXT = {"sqlite": "TEXT", "postgres": "TEXT", "duckdb": "VARCHAR"}


def quote_ident(name: str) -> str:
    if "\x00" in name:
        raise CreditDataError("a column name contains a NUL character", code="bad_name")
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _num(v: float) -> str:
    text = repr(float(v))
    if "e" in text or "E" in text:
        # every engine reads 1e-05 style literals, but keep a mantissa with a dot for PostgreSQL's parser
        mantissa, exp = text.lower().split("e")
        if "." not in mantissa:
            mantissa += ".0"
        text = f"{mantissa}e{int(exp)}"
    return text


def _missing_tokens_sql() -> str:
    return ", ".join(quote_text(t) for t in sorted(MISSING_TOKENS))


def case_expression(b: Binning, points: list[int], dialect: str) -> str:
    col = quote_ident(b.name)
    parts = []
    if b.kind == "numeric":
        parts.append(f"WHEN {col} IS NULL THEN {points[b.missing_index]}")
        for k, code in enumerate(b.special_codes):
            parts.append(f"WHEN {col} = {_num(code)} THEN {points[b.n_regular + k]}")
        for i, s in enumerate(b.splits):
            parts.append(f"WHEN {col} < {_num(s)} THEN {points[i]}")
        return "CASE " + " ".join(parts) + f" ELSE {points[b.n_regular - 1]} END"
    text = f"TRIM(CAST({col} AS {_TEXT[dialect]}))"
    parts.append(f"WHEN {col} IS NULL OR LOWER({text}) IN ({_missing_tokens_sql()}) THEN {points[b.missing_index]}")
    for i, group in enumerate(b.groups):
        if group:
            values = ", ".join(quote_text(c) for c in group)
            parts.append(f"WHEN {text} IN ({values}) THEN {points[i]}")
    return "CASE " + " ".join(parts) + f" ELSE {points[b.unseen_index]} END"


def scorecard_sql(sc: Scorecard, *, dialect: str = "duckdb", table: str = "applicants",
                  id_column: str | None = None, with_points: bool = False) -> str:
    """SELECT id, score, pd [, points per variable] FROM table — one statement."""
    if dialect not in DIALECTS:
        raise CreditDataError(f"unknown SQL dialect {dialect!r}; use one of {', '.join(DIALECTS)}", code="bad_dialect")
    cases = [case_expression(b, pts, dialect) for b, pts in zip(sc.variables, sc.points, strict=True)]
    id_expr = quote_ident(id_column) if id_column else "NULL"
    inner = [f"{id_expr} AS id"]
    score_terms = [str(sc.base_points)]
    for k, case in enumerate(cases, start=1):
        inner.append(f"{case} AS p{k}")
        score_terms.append(f"p{k}")
    # PostgreSQL has no DOUBLE alias; "DOUBLE PRECISION" works in all three
    factor = _num(sc.factor)
    offset = _num(sc.offset)
    outer = ["id", f"{' + '.join(score_terms)} AS score"]
    pd = f"1.0 / (1.0 + EXP((CAST({' + '.join(score_terms)} AS DOUBLE PRECISION) - {offset}) / {factor})) AS pd"
    outer.append(pd)
    if with_points:
        outer += [f"p{k} AS {quote_ident('points_' + b.name)}" for k, b in enumerate(sc.variables, start=1)]
    header = (f"-- scorecard: {len(sc.variables)} variables, base score {sc.params.base_score:g} at odds "
              f"{sc.params.base_odds:g}:1, {sc.params.pdo:g} points to double the odds; dialect {dialect}\n")
    body = ",\n       ".join(inner)
    head = ",\n       ".join(outer)
    # identifiers are quoted by quote_ident and text literals by quote_text
    sql = f"SELECT {head}\nFROM (\n  SELECT {body}\n  FROM {quote_ident(table)}\n) AS scored"  # noqa: S608
    return header + sql
