"""The engine without Django: reading, binning, scorecard, reasons, challenger, metrics."""

import math
from pathlib import Path

import numpy as np
import pytest

from innoreform.credit.engine import metrics, model_io
from innoreform.credit.engine.binning import BinningParams, fit_binning, nice_split, optimal_partition
from innoreform.credit.engine.errors import CreditDataError
from innoreform.credit.engine.frame import read_table, target_vector
from innoreform.credit.engine.scorecard import ScorecardParams
from innoreform.credit.engine.train import score_frame, train

DATA = Path(__file__).parent / "data"
GERMAN = DATA / "germancredit.csv"
POLISH = DATA / "polish_1year_sample.arff"


@pytest.fixture(scope="module")
def german():
    return read_table(GERMAN)


@pytest.fixture(scope="module")
def german_model(german):
    return train(german, target="creditability", bad="bad", seed=0)


@pytest.fixture(scope="module")
def polish():
    return read_table(POLISH)


# -- reading ------------------------------------------------------------------------------------
def test_csv_types_and_target(german):
    assert len(german) == 1000
    assert german.is_numeric("duration_in_month")
    assert not german.is_numeric("purpose")
    y = target_vector(german, "creditability", "bad")
    assert y.sum() == 300


def test_arff_missing_and_nominal_target(polish):
    assert "bankruptcy" in polish.nominal
    assert not polish.is_numeric("bankruptcy")
    col = polish[polish.names[12]]
    assert np.isnan(col).any()  # '?' became missing
    assert target_vector(polish, "bankruptcy").sum() == 271


def test_excel_and_parquet_read_like_csv(tmp_path, german):
    import duckdb
    from openpyxl import Workbook

    rows = [german.names] + [[german[c][i] for c in german.names]
                             for i in range(50)]
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append([float(v) if isinstance(v, np.floating) else v for v in r])
    xlsx = tmp_path / "g.xlsx"
    wb.save(xlsx)
    pq = tmp_path / "g.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv_auto('{GERMAN}') LIMIT 50) TO '{pq}' (FORMAT PARQUET)")  # noqa: S608
    for path in (xlsx, pq):
        f = read_table(path)
        assert f.names == german.names
        assert len(f) == 50
        np.testing.assert_array_equal(f["credit_amount"], german["credit_amount"][:50])
        assert list(f["purpose"]) == list(german["purpose"][:50])


def test_text_in_numeric_column_is_missing_with_warning(tmp_path):
    lines = ["x,y"] + [f"{i},{i % 2}" for i in range(200)] + ["abc,1"]
    p = tmp_path / "t.csv"
    p.write_text("\n".join(lines))
    f = read_table(p)
    assert f.is_numeric("x")
    assert np.isnan(f["x"][-1])
    assert any("non-numeric" in w for w in f.warnings)


@pytest.mark.parametrize(("content", "code"), [("", "empty"), ("a,b\n", "empty"), ("a,a\n1,2\n", "duplicate_columns")])
def test_bad_files(tmp_path, content, code):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(CreditDataError) as exc:
        read_table(p)
    assert exc.value.code == code


def test_unsupported_and_missing_file(tmp_path):
    with pytest.raises(CreditDataError, match="unsupported"):
        read_table(tmp_path / "x.json")
    with pytest.raises(CreditDataError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_target_errors(german):
    with pytest.raises(CreditDataError, match="not found"):
        target_vector(german, "nope")
    with pytest.raises(CreditDataError, match="does not occur"):
        target_vector(german, "creditability", "terrible")
    with pytest.raises(CreditDataError, match="give --bad"):
        target_vector(german, "purpose")
    with pytest.raises(CreditDataError, match="single class"):
        target_vector(german.take(np.flatnonzero(german["creditability"] == "good")), "creditability")


# -- binning ------------------------------------------------------------------------------------
def test_nice_split_separates():
    for lo, hi in [(0.1, 0.2), (1.0, 1.0000001), (-3.5, 7.0), (123456.0, 123457.0), (1e-9, 2e-9)]:
        s = nice_split(lo, hi)
        assert lo < s <= hi


def test_partition_respects_trend_and_min_size():
    rng = np.random.default_rng(1)
    bad = rng.integers(1, 30, size=15).astype(float)
    good = rng.integers(20, 80, size=15).astype(float)
    for trend in ("ascending", "descending"):
        bounds, _ = optimal_partition(bad, good, min_n=100, trend=trend, total_bad=bad.sum(), total_good=good.sum())
        start = 0
        rates = []
        for end in bounds:
            n = bad[start:end].sum() + good[start:end].sum()
            assert n >= 100
            rates.append(bad[start:end].sum() / n)
            start = end
        diffs = np.diff(rates)
        assert np.all(diffs > 0) if trend == "ascending" else np.all(diffs < 0)


def test_partition_finds_brute_force_optimum():
    """On a few pre-bins, the DP equals the best of all monotonic partitions found by enumeration."""
    import itertools

    from innoreform.credit.engine.binning import _iv_parts

    bad = np.array([5, 9, 4, 12, 20, 8, 30.0])
    good = np.array([60, 50, 40, 45, 30, 20, 25.0])
    B, G = bad.sum(), good.sum()
    best = -1.0
    K = len(bad)
    for r in range(K):
        for cuts in itertools.combinations(range(1, K), r):
            bounds = [0, *cuts, K]
            groups = [(bad[a:b].sum(), good[a:b].sum()) for a, b in itertools.pairwise(bounds)]
            if any(b + g < 40 for b, g in groups):
                continue
            rates = [b / (b + g) for b, g in groups]
            if not all(x < y for x, y in itertools.pairwise(rates)):
                continue
            iv = sum(float(_iv_parts(np.array(b), np.array(g), B, G)) for b, g in groups)
            best = max(best, iv)
    _, total = optimal_partition(bad, good, min_n=40, trend="ascending", total_bad=B, total_good=G)
    assert total == pytest.approx(best)


def _loan_terms(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A term in months where one standard term (84) is far safer than its neighbours, like the
    SBA case: risk falls from short terms to the 84-month spike, then rises again."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.integers(6, 80, 700), np.full(500, 84), rng.integers(85, 300, 800)]).astype(float)
    rate = np.where(x < 60, 0.8, np.where(x < 84, 0.6, np.where(x == 84, 0.02, 0.15)))
    return x, (rng.random(len(x)) < rate).astype(int)


def test_cart_prebins_cut_around_a_safe_spike():
    x, y = _loan_terms()
    b = fit_binning("term", x, y, BinningParams(trend="valley"))
    # one bin holds exactly the 84-month loans: cuts just below and just above it
    assert any(79 < s <= 84 for s in b.splits) and any(84 < s <= 85 for s in b.splits)
    spike = b.index(np.array([84.0]))[0]
    assert b.bad[spike] / b.n[spike] < 0.05
    quantile = fit_binning("term", x, y, BinningParams(trend="valley", prebinning="quantile"))
    assert b.iv > quantile.iv


@pytest.mark.parametrize("criterion", ["aic", "bic", "iv"])
def test_auto_trend_finds_the_valley(criterion):
    x, y = _loan_terms()
    b = fit_binning("term", x, y, BinningParams(trend="auto", trend_criterion=criterion))
    assert b.trend == "valley"
    rates = [bad / n for bad, n in zip(b.bad[:b.n_regular], b.n[:b.n_regular], strict=True)]
    low = int(np.argmin(rates))
    assert 0 < low < len(rates) - 1
    assert np.all(np.diff(rates[:low + 1]) < 0) and np.all(np.diff(rates[low:]) > 0)


def test_pure_prebins_are_joined_to_a_neighbour():
    from innoreform.credit.engine.binning import _merge_pure_prebins

    x = np.array([1, 2, 3, 4, 5, 6, 7, 8.0])
    y = np.array([0, 0, 1, 0, 1, 1, 0, 0])
    # pre-bins [<1.5]=goods only, [1.5,3.5)=mixed, [3.5,6.5)=mixed, [>=6.5]=goods only
    pre, pb, pn = _merge_pure_prebins([1.5, 3.5, 6.5], x, y, True)
    assert pre == [3.5]
    assert pb.tolist() == [1, 2] and pn.tolist() == [3, 5]
    assert _merge_pure_prebins([1.5, 3.5, 6.5], x, y, False)[0] == [1.5, 3.5, 6.5]


def test_missing_bin_keeps_its_risk(polish):
    y = target_vector(polish, "bankruptcy")
    name = next(n for n in polish.names if polish.is_numeric(n) and np.isnan(polish[n]).mean() > 0.05)
    b = fit_binning(name, polish[name], y, BinningParams())
    miss = np.isnan(polish[name])
    assert b.n[b.missing_index] == miss.sum()
    rate_missing = y[miss].mean()
    # WOE sign follows the missing group's bad rate against the overall rate
    assert (b.woe[b.missing_index] > 0) == (rate_missing > y.mean())


def test_categorical_unseen_gets_zero_woe(german):
    y = target_vector(german, "creditability", "bad")
    b = fit_binning("purpose", german["purpose"], y)
    out = b.transform(np.array(["never seen", None], dtype=object))
    assert out[0] == 0.0
    assert out[1] == b.woe[b.missing_index]


# -- scorecard ----------------------------------------------------------------------------------
def test_german_scorecard_quality_and_reproducibility(german, german_model):
    s = german_model.summary()
    assert s["cv_auc"] > 0.74
    assert 0.3 < s["cv_ks"] < 0.8
    assert s["fitted_on_rows"] == 1000 and german_model.report["cv"]["rows"] == 1000
    again = train(german, target="creditability", bad="bad", seed=0)
    assert again.model.to_dict() == german_model.model.to_dict()


def test_points_arithmetic(german, german_model):
    sc = german_model.model
    score, pd, pts = sc.score(german)
    np.testing.assert_array_equal(score, sc.base_points + pts.sum(axis=1))
    # pdo points double the good:bad odds
    p1 = sc.pd_from_score(np.array([600.0]))[0]
    p2 = sc.pd_from_score(np.array([620.0]))[0]
    assert ((1 - p2) / p2) / ((1 - p1) / p1) == pytest.approx(2.0)
    assert (1 - p1) / p1 == pytest.approx(50.0)
    # higher score, lower PD
    order = np.argsort(score)
    assert np.all(np.diff(pd[order]) <= 1e-12)


def test_reasons_are_points_lost_from_best_bin(german, german_model):
    sc = german_model.model
    out = score_frame(sc, german.take(np.arange(40)))
    _, _, pts = sc.score(german.take(np.arange(40)))
    best = {b.name: max(p) for b, p in zip(sc.variables, sc.points, strict=True)}
    for i, reasons in enumerate(out["reasons"]):
        assert len(reasons) <= 3
        lost = [r["points_lost"] for r in reasons]
        assert lost == sorted(lost, reverse=True)
        for r in reasons:
            j = sc.names.index(r["variable"])
            assert r["points_lost"] == best[r["variable"]] - pts[i, j] > 0
        # a variable not listed lost no more than the last listed one
        if len(reasons) == 3:
            listed = {r["variable"] for r in reasons}
            for j, name in enumerate(sc.names):
                if name not in listed:
                    assert best[name] - pts[i, j] <= lost[-1]


def test_model_dir_round_trip(tmp_path, german, german_model):
    model_io.save(tmp_path / "m", german_model.model, german_model.meta, german_model.report)
    loaded, meta = model_io.load(tmp_path / "m")
    a = score_frame(german_model.model, german)
    b = score_frame(loaded, german)
    np.testing.assert_array_equal(a["score"], b["score"])
    assert meta["target"] == "creditability"
    assert model_io.load_report(tmp_path / "m")["cv"]["auc_mean"] == german_model.report["cv"]["auc_mean"]
    np.testing.assert_allclose(a["pd"], b["pd"])  # the calibrated score-to-PD map is stored too


def test_scoring_without_target_and_with_unseen(german, german_model):
    cols = {k: v for k, v in german.columns.items() if k != "creditability"}
    from innoreform.credit.engine.frame import Frame

    frame = Frame(cols)
    frame.columns["purpose"] = frame["purpose"].copy()
    frame.columns["purpose"][0] = "space travel"
    out = score_frame(german_model.model, frame)
    assert len(out["score"]) == 1000
    if "purpose" in german_model.model.names:
        assert out["unseen"] == {"purpose": 1}


def test_training_errors(german):
    with pytest.raises(CreditDataError, match="not found"):
        train(german, target="nope")
    small = german.take(np.arange(30))
    with pytest.raises(CreditDataError, match="too few"):
        train(small, target="creditability", bad="bad")
    from innoreform.credit.engine.frame import Frame

    const = Frame({"a": np.ones(100), "b": np.array(["x"] * 100, dtype=object),
                   "t": np.array([0.0, 1.0] * 50)})
    with pytest.raises(CreditDataError, match="no usable feature"):
        train(const, target="t")


def test_constant_and_id_columns_left_out_with_warning(german):
    from innoreform.credit.engine.frame import Frame

    cols = dict(german.columns)
    cols["const"] = np.full(1000, 3.0)
    cols["loan_no"] = np.array([f"L{i}" for i in range(1000)], dtype=object)
    r = train(Frame(cols), target="creditability", bad="bad", cv_folds=0)
    assert "const" not in r.meta["features"]
    assert "loan_no" not in r.meta["features"]
    assert any("constant" in w for w in r.warnings)
    assert any("identifier" in w for w in r.warnings)


def test_polish_sample_scorecard(polish):
    r = train(polish, target="bankruptcy", seed=0, params=ScorecardParams())
    assert r.summary()["cv_auc"] > 0.75


# -- challenger ---------------------------------------------------------------------------------
def test_gbm_challenger_scores_and_reasons(tmp_path, german):
    r = train(german, target="creditability", bad="bad", kind="gbm", seed=0, cv_folds=0, holdout=0.3)
    assert r.summary()["holdout_auc"] > 0.72
    model = r.model
    out = score_frame(model, german.take(np.arange(20)))
    _, pd, contrib = model.score(german.take(np.arange(20)))
    for i, reasons in enumerate(out["reasons"]):
        for rr in reasons:
            assert rr["points_lost"] >= 0
            assert contrib[i, model.features.index(rr["variable"])] > 0
    model_io.save(tmp_path / "g", model, r.meta, r.report)
    loaded, _ = model_io.load(tmp_path / "g")
    np.testing.assert_allclose(loaded.predict(german), model.predict(german))
    assert np.allclose(out["pd"], pd)


# -- metrics ------------------------------------------------------------------------------------
def test_auc_and_ks_against_brute_force():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    risk = np.round(rng.normal(size=300) + y, 1)  # ties on purpose
    pos, neg = risk[y == 1], risk[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert metrics.auc(y, risk) == pytest.approx(pairs)
    ks = max(abs((pos >= t).mean() - (neg >= t).mean()) for t in np.unique(risk))
    assert metrics.ks(y, risk) == pytest.approx(ks)


def test_psi():
    rng = np.random.default_rng(0)
    a = rng.normal(size=5000)
    assert metrics.psi(a, a) == pytest.approx(0.0)
    assert metrics.psi(a, a + 1.0) > 0.25
    assert not math.isnan(metrics.psi(a, np.full(10, 100.0)))


def test_stratified_folds_partition():
    y = np.array([0] * 70 + [1] * 30)
    folds = metrics.stratified_folds(y, 5, 0)
    allidx = np.sort(np.concatenate(folds))
    np.testing.assert_array_equal(allidx, np.arange(100))
    assert all(y[f].sum() == 6 for f in folds)
