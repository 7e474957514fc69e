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


def case_expression(b: Binning, points: list[int], dialect: str, ref: str | None = None,
                    lookup: str | None = None) -> str:
    """CASE expression of one variable's points. `ref` names the column as read by an inner SELECT
    (text columns already CAST to text there); by default the raw column. `lookup` names the
    points column of a joined category table (see `_lookup_table`) that replaces the IN lists."""
    col = ref or quote_ident(b.name)
    parts = []
    if b.kind == "numeric":
        parts.append(f"WHEN {col} IS NULL THEN {points[b.missing_index]}")
        for k, code in enumerate(b.special_codes):
            parts.append(f"WHEN {col} = {_num(code)} THEN {points[b.n_regular + k]}")
        for i, s in enumerate(b.splits):
            # a split between two bins of equal points changes nothing: the row meets the next test
            if points[i] != points[i + 1]:
                parts.append(f"WHEN {col} < {_num(s)} THEN {points[i]}")
        return "CASE " + " ".join(parts) + f" ELSE {points[b.n_regular - 1]} END"
    # Training categories never include a missing marker (the reader turns those into None), so
    # matching the groups first is equivalent and leaves the costlier checks to the rare rest:
    # NULL, then the raw text, then the same on the trimmed text, then missing markers, else unseen.
    raw = col if ref else f"CAST({quote_ident(b.name)} AS {_TEXT[dialect]})"
    text = f"TRIM({raw})"
    null = f"WHEN {raw} IS NULL THEN {points[b.missing_index]}"
    if lookup:
        fast = [f"WHEN {lookup} IS NOT NULL THEN {lookup}"]
    else:
        fast = [w for i, g in enumerate(b.groups) for w in _in_whens(raw, g, points[i])]
    slow = [w for i, g in enumerate(b.groups) for w in _in_whens(text, g, points[i])]
    missing = _in_whens(f"LOWER({text})", sorted(MISSING_TOKENS), points[b.missing_index])
    inner = "CASE " + " ".join([*slow, *missing]) + f" ELSE {points[b.unseen_index]} END"
    return "CASE " + " ".join([null, *fast]) + f" ELSE {inner} END"


# A categorical variable with more categories than this is matched through a joined table of
# (category, points) instead of a chain of IN lists that every row would walk (a bank name among
# 150 costs one hash probe instead of up to 40 list tests).
LOOKUP_MIN_CATEGORIES = 16


def _lookup_table(b: Binning, points: list[int], dialect: str, alias: str) -> str:
    rows = ", ".join(f"({quote_text(c)}, {points[i]})" for i, g in enumerate(b.groups) for c in g)
    if dialect == "sqlite":  # SQLite names VALUES columns column1, column2 and takes no column list
        return f"(SELECT column1 AS k, column2 AS pts FROM (VALUES {rows})) AS {alias}"  # noqa: S608 (quote_text)
    return f"(VALUES {rows}) AS {alias}(k, pts)"


# DuckDB turns an IN list of five or more constants into a hash (mark) join that evaluates its
# left side on every row, outside the CASE's lazy evaluation: the trimmed and lower-cased
# fallback then ran on all rows and cut throughput twentyfold. Lists of four stay inline
# comparisons in every engine.
_IN_CHUNK = 4


def _in_whens(expr: str, values: list[str], points: int) -> list[str]:
    return [f"WHEN {expr} IN ({', '.join(quote_text(v) for v in values[k:k + _IN_CHUNK])}) THEN {points}"
            for k in range(0, len(values), _IN_CHUNK)]


def scorecard_sql(sc: Scorecard, *, dialect: str = "duckdb", table: str = "applicants",
                  id_column: str | None = None, with_points: bool = False,
                  lookup_min_categories: int = LOOKUP_MIN_CATEGORIES) -> str:
    """SELECT id, score, pd [, points per variable] FROM table — one statement.

    The innermost SELECT reads each model column once (text columns as text), the middle one
    turns values into points, the outer one sums them and converts the score to a PD."""
    if dialect not in DIALECTS:
        raise CreditDataError(f"unknown SQL dialect {dialect!r}; use one of {', '.join(DIALECTS)}", code="bad_dialect")
    id_expr = quote_ident(id_column) if id_column else "NULL"
    reads = [f"{id_expr} AS id"]
    cases = ["normalised.id"]
    terms = [str(sc.base_points)]
    joins = []
    for k, (b, pts) in enumerate(zip(sc.variables, sc.points, strict=True), start=1):
        source = quote_ident(b.name) if b.kind == "numeric" else f"CAST({quote_ident(b.name)} AS {_TEXT[dialect]})"
        reads.append(f"{source} AS v{k}")
        lookup = None
        if b.kind == "categorical" and sum(len(g) for g in b.groups) > lookup_min_categories:
            # category keys are unique across groups, so the LEFT JOIN keeps every row once
            joins.append(f"\n  LEFT JOIN {_lookup_table(b, pts, dialect, f'm{k}')} ON m{k}.k = normalised.v{k}")
            lookup = f"m{k}.pts"
        cases.append(f"{case_expression(b, pts, dialect, ref=f'normalised.v{k}', lookup=lookup)} AS p{k}")
        terms.append(f"p{k}")
    total = " + ".join(terms)
    cal = sc.calibration
    offset, factor = (cal.offset, cal.factor) if cal.method == "platt" and cal.factor else (sc.offset, sc.factor)
    isotonic = cal.method == "isotonic" and bool(cal.upper)
    outer = ["id", f"{total} AS score"]
    if not isotonic:
        outer.append(f"1.0 / (1.0 + EXP((CAST({total} AS DOUBLE PRECISION) - {_num(offset)}) / {_num(factor)})) AS pd")
    if with_points:
        outer += [f"p{k} AS {quote_ident('points_' + b.name)}" for k, b in enumerate(sc.variables, start=1)]
    header = (f"-- scorecard: {len(sc.variables)} variables, base score {sc.params.base_score:g} at odds "
              f"{sc.params.base_odds:g}:1, {sc.params.pdo:g} points to double the odds; dialect {dialect}\n")
    sep = ",\n       "
    # identifiers are quoted by quote_ident and text literals by quote_text
    sql = (f"SELECT {sep.join(outer)}\nFROM (\n  SELECT {sep.join(cases)}\n  FROM (\n    SELECT {sep.join(reads)}"  # noqa: S608
           f"\n    FROM {quote_ident(table)}\n  ) AS normalised{''.join(joins)}\n) AS scored")
    if isotonic:
        # the calibrated PD is a step function of the score: one more SELECT around the sum
        steps = " ".join(f"WHEN score <= {_num(u)} THEN {_num(p)}"
                         for u, p in zip(cal.upper[:-1], cal.pd, strict=False))
        # a double in every engine (DuckDB would read bare decimal literals as DECIMAL)
        last = f"CAST({_num(cal.pd[-1])} AS DOUBLE PRECISION)"
        rest = ["id", "score", f"CASE {steps} ELSE {last} END AS pd"] if steps else ["id", "score", f"{last} AS pd"]
        if with_points:
            rest += [quote_ident("points_" + b.name) for b in sc.variables]
        sql = f"SELECT {sep.join(rest)}\nFROM (\n{sql}\n) AS calibrated"
    return header + sql
