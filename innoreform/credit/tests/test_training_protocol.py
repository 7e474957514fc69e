"""The training protocol: settings searched by cross-validation within a budget, figures from
out-of-fold predictions, calibrated PDs, the deployed model fitted on every row; and the seeded
synthetic set with a known structure that the engine must find (and a leak it must warn about)."""

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from innoreform.credit.engine import calibration as calib
from innoreform.credit.engine import model_io, synthetic
from innoreform.credit.engine.frame import read_table
from innoreform.credit.engine.sql import scorecard_sql
from innoreform.credit.engine.train import score_frame, train

from .test_sql import _ddl, _rows

GERMAN = Path(__file__).parent / "data" / "germancredit.csv"


@pytest.fixture(scope="module")
def german():
    return read_table(GERMAN)


@pytest.fixture(scope="module")
def structured():
    return synthetic.structured(3000, seed=1)


@pytest.fixture(scope="module")
def structured_model(structured):
    frame, _truth = structured
    return train(frame, target="bad", seed=0)  # the leak left in, as a careless user would


# -- calibration ------------------------------------------------------------------------------
def test_pav_is_non_increasing_and_keeps_counts():
    rng = np.random.default_rng(0)
    x = rng.integers(400, 700, 2000).astype(float)
    y = (rng.random(2000) < 1 / (1 + np.exp((x - 550) / 30))).astype(float)
    top, n, bads, mean = calib.pav_decreasing(x, y)
    assert np.all(np.diff(top) > 0) and np.all(np.diff(mean) <= 1e-12)
    assert n.sum() == 2000 and bads.sum() == y.sum()
    cal = calib.fit_isotonic(x, y)
    pd = cal.apply(x, 0.0, 1.0)
    assert len(cal.pd) <= calib.MAX_STEPS and np.all(np.diff(pd[np.argsort(x)]) <= 1e-12)
    assert 0 < pd.min() and pd.max() < 1
    assert abs(pd.mean() - y.mean()) < 0.02


def test_platt_corrects_an_overconfident_score():
    rng = np.random.default_rng(1)
    s = rng.normal(600, 40, 5000)
    true_pd = 1 / (1 + np.exp((s - 520) / 60))  # the model claims factor 20 / ln 2 and offset 600
    y = (rng.random(5000) < true_pd).astype(float)
    cal = calib.fit_platt(s, y, offset=600.0, factor=28.85)
    assert cal.method == "platt"
    assert calib.brier(y, cal.apply(s, 600.0, 28.85)) < calib.brier(y, calib.Calibration().apply(s, 600.0, 28.85))
    assert abs(cal.offset - 520) < 15 and abs(cal.factor - 60) < 8


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibrated_pd_is_the_same_in_sql(german, method, tmp_path):
    r = train(german, target="creditability", bad="bad", seed=0, cv_folds=3, candidates=1)
    model = r.model
    s, _, _ = model.score(german)
    model.calibration = calib.fit(method, s, (german["creditability"] == "bad").astype(float), model.offset,
                                  model.factor)
    model_io.save(tmp_path / "m", model, r.meta, r.report)
    loaded, _ = model_io.load(tmp_path / "m")
    assert loaded.calibration == model.calibration
    expected = score_frame(loaded, german)
    con = sqlite3.connect(":memory:")
    con.execute(_ddl(german, "applicants", "REAL", "TEXT"))
    rows = _rows(german)
    con.executemany(f"INSERT INTO applicants VALUES ({', '.join(['?'] * len(rows[0]))})", rows)  # noqa: S608 (placeholders only)
    got = con.execute(scorecard_sql(loaded, dialect="sqlite", id_column="row_id") + " ORDER BY id").fetchall()
    np.testing.assert_array_equal([g[1] for g in got], expected["score"])
    np.testing.assert_allclose([g[2] for g in got], expected["pd"], rtol=1e-9, atol=1e-12)
    import duckdb

    duck = duckdb.connect()
    duck.execute(_ddl(german, "applicants", "DOUBLE", "VARCHAR"))
    duck.executemany(f"INSERT INTO applicants VALUES ({', '.join(['?'] * len(rows[0]))})", rows)  # noqa: S608
    got = duck.execute(scorecard_sql(loaded, dialect="duckdb", id_column="row_id") + " ORDER BY id").fetchall()
    assert all(isinstance(g[2], float) for g in got)  # a double, not DECIMAL
    np.testing.assert_allclose([g[2] for g in got], expected["pd"], rtol=1e-9, atol=1e-12)


# -- protocol -----------------------------------------------------------------------------------
def test_deployed_model_uses_every_row_and_report_says_where_figures_come_from(german):
    r = train(german, target="creditability", bad="bad", seed=0, holdout=0.25, budget_seconds=60)
    # the deployed scorecard's bins count all 1000 rows, not the 750 outside the holdout
    assert all(sum(b.n) == 1000 for b in r.model.variables)
    assert r.meta["fitted_on_rows"] == 1000 and r.meta["test_rows"] == 250
    rep = r.report
    assert rep["cv"]["rows"] == 750 and len(rep["cv"]["auc"]) == 5 and rep["cv"]["auc_std"] > 0
    assert rep["holdout"]["n"] == 250 and 0.7 < rep["holdout"]["auc"] < 0.9
    assert set(rep["sources"]) >= {"cv", "holdout", "train", "calibration"}
    assert "holdout" in rep["sources"]["holdout"] and "out-of-fold" in rep["sources"]["cv"]
    # the search is recorded: what was tried, what won, within which budget
    search = rep["search"]
    assert search["tried"] >= 1 and search["chosen"] == rep["settings"] and search["budget_seconds"] == 60
    assert all("cv_auc" in t for t in search["trials"])
    assert rep["pd_calibration"]["method"] in calib.METHODS
    assert rep["pd_calibration"]["brier_calibrated"] <= rep["pd_calibration"]["brier_uncalibrated"] * 1.002
    assert sum(c["count"] for c in rep["calibration"]) == 750


def test_budget_stops_the_search_and_says_so(german):
    r = train(german, target="creditability", bad="bad", seed=0, budget_seconds=0.0, candidates=4)
    assert r.report["search"]["tried"] == 1 and r.report["search"]["stopped_by_budget"]
    assert any("time budget" in w for w in r.warnings)


# -- synthetic structure ------------------------------------------------------------------------
def test_synthetic_data_is_seeded():
    a, _ = synthetic.structured(500, seed=3)
    b, _ = synthetic.structured(500, seed=3)
    c, _ = synthetic.structured(500, seed=4)
    assert all(np.array_equal(a[n], b[n], equal_nan=a[n].dtype.kind == "f") for n in a.names)
    assert not np.array_equal(a["bad"], c["bad"])


def test_scorecard_finds_the_structure(structured, structured_model):
    _frame, truth = structured
    found = synthetic.check_scorecard(structured_model.model, truth)
    assert found == {k: True for k in found}, found


def test_leaking_column_is_warned(structured, structured_model):
    _frame, truth = structured
    assert any(truth["leak"] in w and "leakage" in w for w in structured_model.warnings)


def test_challenger_warns_of_the_leak_and_finds_the_interaction():
    frame, truth = synthetic.structured(1200, seed=2)
    g = train(frame, target="bad", seed=0, kind="gbm", cv_folds=2, candidates=1)
    assert any(truth["leak"] in w and "leakage" in w for w in g.warnings)
    clean = train(frame, target="bad", seed=0, kind="gbm", cv_folds=2, candidates=1, exclude=(truth["leak"],))
    gain = {i["variable"]: i["gain_share"] for i in clean.report["importance"]}
    a, b = truth["interaction"]
    # neither column matters alone, together they do: the trees use both more than pure noise
    assert min(gain[a], gain[b]) > gain["noise_num"], gain
