"""Credit scoring benchmark: our scorecard and challenger against optbinning, toad, scorecardpy and
LightGBM with defaults, 5-fold stratified cross-validation (scikit-learn's StratifiedKFold,
shuffle, seed 0, the same folds for every method) on German credit, the SBA case and Polish
bankruptcy year 1. Prints one JSON object: AUC and KS (mean over folds), fit seconds (mean per
fold) and scoring rows/s per method and data set, and SQL scoring rows/s in DuckDB for ours.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/credit.py [--data ../shared/data/credit] [--only german,sba,polish]
                                     [--skip optbinning,...] [--sql-rows 5000000] [--tune]
                                     [--protocol cv|lodo]

--protocol lodo (leave one data set out): the engine's defaults and search space are frozen in the
code, and each data set, real or synthetic, is handled by the engine exactly as a new user's
`credit train` would (settings searched by inner cross-validation on the training rows, PD
calibrated, model refitted on all training rows) with nothing changed for it. The same outer
folds as above: every method is fitted on the same training rows and judged on the same held-out
rows. Synthetic sets (innoreform.credit.engine.synthetic, seeded) have a known structure; the
JSON says which parts of it the engine's scorecard found and whether it warned about the leaking
column (which is left out of the AUC comparison). Per data set: `checks` against the issue's
targets (scorecard AUC >= best scorecard library; challenger >= default LightGBM - 0.002; fit
time <= 2 x the fastest scorecard library's, search included).

SBA case: identifiers and columns known only after the loan ended (MIS_Status, ChgOffDate,
ChgOffPrinGr, BalanceGross) are dropped; it is run twice, with and without the term of the loan
(Term, daysterm, xx: closed loans make term leak the outcome; see the data README).
A library that is not installed is reported as such and skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SBA_DROP = ["Selected", "LoanNr_ChkDgt", "Name", "MIS_Status", "ChgOffDate", "ChgOffPrinGr", "BalanceGross"]
SBA_TERM = ["Term", "daysterm", "xx"]
DATASETS = {
    "german": ("germancredit.csv", "creditability", "bad", []),
    "sba": ("SBAcase.11.13.17.csv", "Default", "1", SBA_DROP),
    "sba_no_term": ("SBAcase.11.13.17.csv", "Default", "1", SBA_DROP + SBA_TERM),
    "polish": ("polish_bankruptcy_1year.arff", "bankruptcy", "1", []),
}


def ks(y, risk) -> float:
    from innoreform.credit.engine.metrics import ks as _ks

    return _ks(np.asarray(y), np.asarray(risk, dtype=float))


def auc(y, risk) -> float:
    from innoreform.credit.engine.metrics import auc as _auc

    return _auc(np.asarray(y), np.asarray(risk, dtype=float))


def to_pandas(frame, features):
    import pandas as pd

    return pd.DataFrame({f: (frame[f] if frame.is_numeric(f) else pd.Series(frame[f], dtype=object))
                         for f in features})


# -- methods: each returns fit(X_train_frame, y) -> predict(frame) -> risk -----------------------------
def ours_scorecard(tune=False):
    from innoreform.credit.engine.train import fit_model

    def fit(ctx, tr, y):
        model, _ = fit_model(ctx["frame"].take(tr), y, ctx["features"], kind="scorecard", seed=0, tune=tune)
        return lambda idx: -model.score(ctx["frame"].take(idx))[0].astype(float), model

    return fit


def ours_train(kind):
    """The engine as `credit train` runs it: search, calibration, refit on every training row."""
    from innoreform.credit.engine.train import train

    def fit(ctx, tr, y):
        sub = ctx["frame"].take(tr)
        res = train(sub, target=ctx["target"], bad=ctx["bad"], kind=kind, seed=0,
                    exclude=tuple(c for c in sub.names if c not in ctx["features"] and c != ctx["target"]))
        model = res.model
        ctx.setdefault("settings", {}).setdefault(kind, []).append(res.report.get("settings"))
        return lambda idx: -model.score(ctx["frame"].take(idx))[0].astype(float), model

    return fit


def ours_gbm():
    from innoreform.credit.engine.train import fit_model

    def fit(ctx, tr, y):
        model, _ = fit_model(ctx["frame"].take(tr), y, ctx["features"], kind="gbm", seed=0)
        return lambda idx: model.predict(ctx["frame"].take(idx)), model

    return fit


def optbinning_scorecard():
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    def fit(ctx, tr, y):
        X = ctx["pandas"]
        bp = BinningProcess(variable_names=list(X.columns))
        sc = Scorecard(binning_process=bp, estimator=LogisticRegression())
        sc.fit(X.iloc[tr], y)
        return lambda idx: sc.predict_proba(X.iloc[idx])[:, 1], sc

    return fit


def _toad_filled(X):
    """toad 0.1.7's chi-merge panics (Rust "user-provided comparison") on missing values, so they are
    given a value of their own first, as toad users do: -999999 for numbers, "__missing__" for text."""
    X = X.copy()
    for c in X.columns:
        X[c] = X[c].fillna(-999999.0) if X[c].dtype.kind in "fi" else X[c].fillna("__missing__")
    return X


def toad_scorecard():
    import toad
    from sklearn.linear_model import LogisticRegression

    def fit(ctx, tr, y):
        X = _toad_filled(ctx["pandas"].iloc[tr])
        X["__y"] = y
        comb = toad.transform.Combiner()
        comb.fit(X, y="__y", method="chi", min_samples=0.05)
        woe = toad.transform.WOETransformer()
        W = woe.fit_transform(comb.transform(X), X["__y"], exclude=["__y"])
        lr = LogisticRegression(max_iter=1000).fit(W.drop(columns=["__y"]), y)

        def predict(idx):
            Z = woe.transform(comb.transform(_toad_filled(ctx["pandas"].iloc[idx])))
            return lr.predict_proba(Z[W.drop(columns=["__y"]).columns])[:, 1]

        return predict, lr

    return fit


def scorecardpy_scorecard():
    import scorecardpy as sc
    from sklearn.linear_model import LogisticRegression

    def fit(ctx, tr, y):
        X = ctx["pandas"].iloc[tr].copy()
        X["__y"] = y
        # check_cate_num=False: otherwise woebin asks on stdin whether to go on with many categories
        bins = sc.woebin(X, y="__y", print_step=0, check_cate_num=False)
        W = sc.woebin_ply(X, bins, print_step=0)
        cols = [c for c in W.columns if c != "__y"]
        lr = LogisticRegression(max_iter=1000).fit(W[cols].fillna(0), y)

        def predict(idx):
            Z = sc.woebin_ply(ctx["pandas"].iloc[idx], bins, print_step=0)
            return lr.predict_proba(Z[cols].fillna(0))[:, 1]

        return predict, lr

    return fit


def lightgbm_default():
    import lightgbm as lgb

    def fit(ctx, tr, y):
        # LightGBM refuses JSON special characters in feature names (Polish ratio names): number them
        X = ctx["pandas_cat"].set_axis([f"f{i}" for i in range(ctx["pandas_cat"].shape[1])], axis=1)
        clf = lgb.LGBMClassifier(verbose=-1, random_state=0, n_jobs=1).fit(X.iloc[tr], y)
        return lambda idx: clf.predict_proba(X.iloc[idx])[:, 1], clf

    return fit


METHODS = {
    "ours_scorecard": lambda args: ours_scorecard(),
    "ours_scorecard_tuned": lambda args: ours_scorecard(tune=True),
    "ours_gbm": lambda args: ours_gbm(),
    "optbinning": lambda args: optbinning_scorecard(),
    "toad": lambda args: toad_scorecard(),
    "scorecardpy": lambda args: scorecardpy_scorecard(),
    "lightgbm": lambda args: lightgbm_default(),
}
LODO_METHODS = {
    "ours_scorecard": lambda args: ours_train("scorecard"),
    "ours_gbm": lambda args: ours_train("gbm"),
    "optbinning": lambda args: optbinning_scorecard(),
    "toad": lambda args: toad_scorecard(),
    "scorecardpy": lambda args: scorecardpy_scorecard(),
    "lightgbm": lambda args: lightgbm_default(),
}
SYNTHETIC = {"synthetic_a": (4000, 1), "synthetic_b": (6000, 2)}


def synthetic_checks(n, seed) -> dict:
    """Train on a synthetic set with its leak: is the structure found and the leak warned?"""
    from innoreform.credit.engine import synthetic
    from innoreform.credit.engine.train import train

    frame, truth = synthetic.structured(n, seed)
    sc = train(frame, target="bad", seed=0)
    clean = train(frame, target="bad", seed=0, exclude=(truth["leak"],))
    gbm = train(frame, target="bad", seed=0, kind="gbm", exclude=(truth["leak"],))
    gbm_leak = train(frame, target="bad", seed=0, kind="gbm")
    warned = any(truth["leak"] in w and "leakage" in w for w in sc.warnings)
    return {"structure_found": synthetic.check_scorecard(clean.model, truth),
            "leak_warned_scorecard": warned,
            "leak_warned_gbm": any(truth["leak"] in w and "leakage" in w for w in gbm_leak.warnings),
            "interaction_gbm_beats_scorecard": gbm.report["cv"]["auc_mean"] > clean.report["cv"]["auc_mean"],
            "cv_auc": {"scorecard": clean.report["cv"]["auc_mean"], "gbm": gbm.report["cv"]["auc_mean"]},
            "bad_rate": truth["bad_rate"]}


def lodo_checks(entry) -> dict:
    m = entry["methods"]

    def get(name, key="auc"):
        v = m.get(name, {})
        return v.get(key) if "error" not in v else None

    libs = [x for x in (get(n) for n in ("optbinning", "toad", "scorecardpy")) if x is not None]
    lib_times = [x for x in (get(n, "fit_seconds") for n in ("optbinning", "toad", "scorecardpy")) if x is not None]
    out = {}
    if libs and get("ours_scorecard") is not None:
        out["scorecard_auc_minus_best_library"] = get("ours_scorecard") - max(libs)
        out["scorecard_auc_ok"] = get("ours_scorecard") >= max(libs)
    if get("lightgbm") is not None and get("ours_gbm") is not None:
        out["gbm_auc_minus_lightgbm"] = get("ours_gbm") - get("lightgbm")
        out["gbm_auc_ok"] = get("ours_gbm") >= get("lightgbm") - 0.002
    if lib_times and get("ours_scorecard", "fit_seconds") is not None:
        out["scorecard_fit_time_ratio_to_fastest_library"] = get("ours_scorecard", "fit_seconds") / min(lib_times)
        out["scorecard_fit_time_ok"] = out["scorecard_fit_time_ratio_to_fastest_library"] <= 2.0
    if get("lightgbm", "fit_seconds") and get("ours_gbm", "fit_seconds") is not None:
        out["gbm_fit_time_ratio_to_lightgbm"] = get("ours_gbm", "fit_seconds") / get("lightgbm", "fit_seconds")
    return out


def run_method(name, factory, ctx, folds, y):
    try:
        fit = factory()
    except ImportError as exc:
        return {"error": f"not installed: {exc}"}
    aucs, kss, fit_s = [], [], []
    predict = model = None
    try:
        for tr, te in folds:
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                predict, model = fit(ctx, tr, y[tr])
            fit_s.append(time.perf_counter() - t0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                risk = predict(te)
            aucs.append(auc(y[te], risk))
            kss.append(ks(y[te], risk))
        # scoring throughput: every row of the data set with the last fold's model
        all_idx = np.arange(len(y))
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predict(all_idx)
        rows_s = len(y) / (time.perf_counter() - t0)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a library failing is a result; toad's Rust panics are BaseException
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    out = {"auc": float(np.mean(aucs)), "auc_folds": [round(a, 4) for a in aucs], "ks": float(np.mean(kss)),
           "fit_seconds": float(np.mean(fit_s)), "score_rows_per_s": rows_s}
    if name == "ours_scorecard":
        ctx["last_scorecard"] = model
    return out


def sql_rows_per_s(model, frame, rows: int) -> dict:
    import duckdb

    from innoreform.credit.engine.sql import quote_ident, scorecard_sql

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    names = [b.name for b in model.variables]
    cols = []
    for n in names:
        c = frame[n]
        cols.append((n, "DOUBLE" if frame.is_numeric(n) else "VARCHAR",
                     [None if (isinstance(v, float) and np.isnan(v)) else (float(v) if frame.is_numeric(n) else v)
                      for v in c]))
    ddl = ", ".join(f"{quote_ident(n)} {t}" for n, t, _ in cols)
    con.execute(f"CREATE TABLE base (row_id BIGINT, {ddl})")
    marks = ", ".join(["?"] * (len(cols) + 1))
    con.executemany(f"INSERT INTO base VALUES ({marks})",  # noqa: S608
                    [(i, *vals) for i, vals in enumerate(zip(*[c[2] for c in cols], strict=True))])
    reps = max(1, rows // len(frame))
    col_list = ", ".join(quote_ident(n) for n in names)
    # the data set repeated in its own row order, as a warehouse table would hold it (the bare cross
    # join stored each row `reps` times in a row, runs of equal values that flatter or hurt by chance)
    con.execute(f"CREATE TABLE applicants AS SELECT row_id + r.range * {len(frame)} AS row_id, {col_list} "  # noqa: S608
                f"FROM base, range({reps}) AS r ORDER BY 1")
    n = con.execute("SELECT count(*) FROM applicants").fetchone()[0]
    sql = scorecard_sql(model, dialect="duckdb", table="applicants", id_column="row_id")
    con.execute(f"SELECT sum(score) FROM ({sql}) AS s").fetchone()  # noqa: S608 (warm-up)
    t0 = time.perf_counter()
    total = con.execute(f"SELECT sum(score), sum(pd) FROM ({sql}) AS s").fetchone()  # noqa: S608
    dt = time.perf_counter() - t0
    # the SQL scores equal the Python scores on the original rows
    py, py_pd, _ = model.score(frame)
    query = f"SELECT id, score, pd FROM ({sql}) AS s WHERE id < {len(frame)}"  # noqa: S608
    got = {r[0]: r[1:] for r in con.execute(query).fetchall()}
    equal = all(got[i][0] == int(py[i]) for i in range(len(frame)))
    pd_equal = all(abs(float(got[i][1]) - float(py_pd[i])) <= 1e-9 for i in range(len(frame)))
    return {"rows": int(n), "seconds": dt, "rows_per_s": n / dt, "equal_to_python": equal and pd_equal,
            "scores_equal": equal, "pd_equal": pd_equal, "calibration": model.calibration.method,
            "checksum": int(total[0])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_data = ROOT.parent / "shared" / "data" / "credit"
    if not default_data.exists():  # a git worktree one level further down
        default_data = ROOT.parents[1] / "shared" / "data" / "credit"
    ap.add_argument("--data", default=str(default_data))
    ap.add_argument("--only", default=None, help="data sets (default: the real ones; with --protocol lodo also "
                                                 "synthetic_a,synthetic_b)")
    ap.add_argument("--skip", default="", help="methods to skip, comma-separated")
    ap.add_argument("--tune", action="store_true", help="also run our scorecard tuned by inner cross-validation")
    ap.add_argument("--sql-rows", type=int, default=5_000_000)
    ap.add_argument("--protocol", choices=("cv", "lodo"), default="cv",
                    help="lodo: leave one data set out, the engine untouched per data set (see the top)")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from sklearn.model_selection import StratifiedKFold

    from innoreform.credit.engine.frame import read_table, target_vector
    from innoreform.credit.engine.scorecard import usable_features

    skip = {s for s in args.skip.split(",") if s}
    table = LODO_METHODS if args.protocol == "lodo" else METHODS
    methods = [m for m in table if m not in skip and (m != "ours_scorecard_tuned" or args.tune)]
    only = args.only or ("german,sba,sba_no_term,polish" + (",synthetic_a,synthetic_b" if args.protocol == "lodo"
                                                             else ""))
    result = {"protocol": "5-fold StratifiedKFold(shuffle=True, random_state=0); AUC/KS mean over folds; "
                          "fit_seconds mean per fold; score_rows_per_s over the whole data set",
              "mode": args.protocol, "datasets": {}}
    if args.protocol == "lodo":
        result["mode_note"] = ("leave one data set out: engine defaults and search space frozen; ours = train() "
                               "as `credit train` runs it (search by inner CV, calibration, refit on all training "
                               "rows) on each outer fold's training rows; fit_seconds includes the search")
        result["cores"] = os.cpu_count()
        result["load_average_at_start"] = os.getloadavg()
    versions = {}
    for lib in ("optbinning", "toad", "scorecardpy", "lightgbm", "sklearn", "pandas", "numpy", "duckdb"):
        try:
            versions[lib] = __import__(lib).__version__
        except Exception as exc:
            versions[lib] = f"unavailable: {type(exc).__name__}"
    result["versions"] = versions
    t_start = time.perf_counter()
    for ds in [d for d in only.split(",") if d]:
        if ds in SYNTHETIC:
            from innoreform.credit.engine import synthetic

            frame, truth = synthetic.structured(*SYNTHETIC[ds])
            target, bad, drop = "bad", None, [truth["leak"]]
        else:
            file, target, bad, drop = DATASETS[ds]
            frame = read_table(Path(args.data) / file)
        y = target_vector(frame, target, bad).astype(int)
        features, _warn = usable_features(frame, {target, *drop})
        import pandas as pd

        pdf = to_pandas(frame, features)
        pcat = pdf.copy()
        for c in features:
            if not frame.is_numeric(c):
                pcat[c] = pcat[c].astype("category")
        ctx = {"frame": frame, "features": features, "pandas": pdf, "pandas_cat": pcat, "target": target,
               "bad": bad}
        folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
        entry = {"rows": len(y), "bad_rate": float(y.mean()), "features": len(features), "methods": {}}
        for name in methods:
            # libraries that print (scorecardpy) must not spoil the one JSON object on stdout
            with contextlib.redirect_stdout(sys.stderr):
                entry["methods"][name] = run_method(name, lambda n=name: table[n](args), ctx, folds, y)
            print(f"[credit bench] {ds} {name}: {json.dumps(entry['methods'][name])[:160]}", file=sys.stderr,
                  flush=True)
        if "last_scorecard" in ctx and args.sql_rows > 0:
            entry["ours_sql_duckdb"] = sql_rows_per_s(ctx["last_scorecard"], frame, args.sql_rows)
        if args.protocol == "lodo":
            entry["checks"] = lodo_checks(entry)
            entry["chosen_settings"] = ctx.get("settings", {})
            if ds in SYNTHETIC:
                with contextlib.redirect_stdout(sys.stderr):
                    entry["synthetic"] = synthetic_checks(*SYNTHETIC[ds])
            print(f"[credit bench] {ds} checks: {json.dumps(entry['checks'])}", file=sys.stderr, flush=True)
        result["datasets"][ds] = entry
        del pd
    result["total_seconds"] = time.perf_counter() - t_start
    if args.protocol == "lodo":
        checks = [e.get("checks", {}) for e in result["datasets"].values()]
        result["all_ok"] = {k: all(c.get(k, False) for c in checks)
                            for k in ("scorecard_auc_ok", "gbm_auc_ok", "scorecard_fit_time_ok")}
        sql = [e["ours_sql_duckdb"] for e in result["datasets"].values() if "ours_sql_duckdb" in e]
        result["all_ok"]["sql_equal_to_python"] = all(x["equal_to_python"] for x in sql) if sql else None
        result["all_ok"]["sql_rows_per_s_min"] = min((x["rows_per_s"] for x in sql), default=None)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
