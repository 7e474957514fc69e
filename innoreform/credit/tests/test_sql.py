"""The SQL export gives exactly the Python scores in SQLite, DuckDB and PostgreSQL."""

import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from innoreform.credit.engine.frame import Frame, read_table
from innoreform.credit.engine.sql import quote_ident, scorecard_sql
from innoreform.credit.engine.train import score_frame, train

DATA = Path(__file__).parent / "data"


def _rows(frame: Frame) -> list[tuple]:
    cols = []
    for name in frame.names:
        c = frame[name]
        if c.dtype.kind == "f":
            cols.append([None if math.isnan(v) else float(v) for v in c])
        else:
            cols.append(list(c))
    return [(i + 1, *vals) for i, vals in enumerate(zip(*cols, strict=True))]


def _ddl(frame: Frame, table: str, real: str, text: str) -> str:
    cols = ", ".join(f"{quote_ident(n)} {real if frame.is_numeric(n) else text}" for n in frame.names)
    return f"CREATE TABLE {quote_ident(table)} (row_id INTEGER, {cols})"


def _with_awkward_rows(frame: Frame, model) -> Frame:
    """Add rows with an unseen category, missing values everywhere and a value on a split."""
    cols = {}
    for name in frame.names:
        c = frame[name]
        extra = [np.nan, np.nan] if c.dtype.kind == "f" else [None, "a category never seen"]
        cols[name] = np.concatenate([c, np.array(extra, dtype=c.dtype)])
    out = Frame(cols)
    for b in model.variables:
        if b.kind == "numeric" and b.splits:
            out.columns[b.name][-2] = b.splits[0]  # exactly on a cut point: x < s is false
    return out


@pytest.fixture(scope="module", params=["germancredit.csv", "polish_1year_sample.arff"])
def case(request):
    frame = read_table(DATA / request.param)
    target = "creditability" if "german" in request.param else "bankruptcy"
    result = train(frame, target=target, bad="bad" if "german" in request.param else None, seed=0, cv_folds=0)
    frame = _with_awkward_rows(frame, result.model)
    expected = score_frame(result.model, frame)
    return frame, result.model, expected


def _check(rows, expected):
    scores = [int(r[1]) for r in sorted(rows, key=lambda r: r[0])]
    np.testing.assert_array_equal(np.array(scores), expected["score"])
    pds = np.array([float(r[2]) for r in sorted(rows, key=lambda r: r[0])])
    np.testing.assert_allclose(pds, expected["pd"], rtol=1e-12)


# None: the default (IN lists, a joined table for many categories); 0: every categorical variable
# through the joined (category, points) table
LOOKUP = pytest.mark.parametrize("lookup", [None, 0], ids=["default", "joined"])


def _sql(model, dialect, table, lookup):
    extra = {} if lookup is None else {"lookup_min_categories": lookup}
    return scorecard_sql(model, dialect=dialect, table=table, id_column="row_id", **extra)


@LOOKUP
def test_sqlite_scores_equal_python(case, lookup):
    frame, model, expected = case
    con = sqlite3.connect(":memory:")
    con.execute(_ddl(frame, "applicants", "REAL", "TEXT"))
    marks = ", ".join("?" * (len(frame.names) + 1))
    con.executemany(f"INSERT INTO applicants VALUES ({marks})", _rows(frame))  # noqa: S608
    sql = _sql(model, "sqlite", "applicants", lookup)
    _check(con.execute(sql).fetchall(), expected)


@LOOKUP
def test_duckdb_scores_equal_python(case, lookup):
    import duckdb

    frame, model, expected = case
    con = duckdb.connect()
    con.execute(_ddl(frame, "applicants", "DOUBLE", "VARCHAR"))
    marks = ", ".join("?" * (len(frame.names) + 1))
    con.executemany(f"INSERT INTO applicants VALUES ({marks})", _rows(frame))  # noqa: S608
    sql = _sql(model, "duckdb", "applicants", lookup)
    _check(con.execute(sql).fetchall(), expected)


@LOOKUP
@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_scores_equal_python(case, lookup):
    from django.db import connection

    frame, model, expected = case
    with connection.cursor() as cur:
        cur.execute(_ddl(frame, "credit_sql_applicants", "DOUBLE PRECISION", "TEXT").replace(
            "CREATE TABLE", "CREATE TEMPORARY TABLE"))
        marks = ", ".join(["%s"] * (len(frame.names) + 1))
        cur.executemany(f"INSERT INTO credit_sql_applicants VALUES ({marks})", _rows(frame))  # noqa: S608
        cur.execute(_sql(model, "postgres", "credit_sql_applicants", lookup))
        _check(cur.fetchall(), expected)
        cur.execute("DROP TABLE credit_sql_applicants")


@LOOKUP
def test_identifiers_and_literals_are_quoted(lookup):
    from innoreform.credit.engine.binning import Binning
    from innoreform.credit.engine.scorecard import Scorecard, ScorecardParams

    b = Binning(name='we"ird; DROP', kind="categorical", groups=[["it's"], ["b"]], n=[1, 1, 0], bad=[0, 1, 0],
                woe=[-1.0, 1.0, 0.0])
    sc = Scorecard(variables=[b], coef=[1.0], intercept=0.0, points=[[10, -10, 0, 0]], base_points=500,
                   params=ScorecardParams())
    sql = scorecard_sql(sc, dialect="sqlite", table="t", **({} if lookup is None else {"lookup_min_categories": 0}))
    assert '"we""ird; DROP"' in sql
    assert "'it''s'" in sql
    con = sqlite3.connect(":memory:")
    con.execute('CREATE TABLE t ("we""ird; DROP" TEXT)')
    con.executemany("INSERT INTO t VALUES (?)", [("it's",), ("b",), (None,), ("zzz",), ("  b ",), ("NA",)])
    assert [r[1] for r in con.execute(sql).fetchall()] == [510, 490, 500, 500, 490, 500]
