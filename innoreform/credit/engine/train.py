"""Training and scoring end to end. Used by the command line, the Django services and the benchmark.

`train` chooses the model's settings by cross-validation on the rows it is given (within a time
budget), reports quality from the out-of-fold predictions of that cross-validation (and from a
holdout when one is asked for), calibrates the score-to-PD map on the out-of-fold scores, and
deploys a model refitted on every row with the chosen settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import calibration as calib
from . import metrics
from . import search as search_mod
from .binning import fit_binning
from .errors import CreditDataError
from .frame import Frame, frame_fingerprint, target_vector
from .gbm import DEFAULT_PARAMS as GBM_DEFAULTS
from .gbm import GbmModel, encode, fit_gbm
from .scorecard import Scorecard, ScorecardParams, cv_auc, fit_scorecard, usable_features, with_platt

MODEL_KINDS = ("scorecard", "gbm")
REPORT_VERSION = 2  # 1: holdout-only report of a model fitted on 70% of the rows (still readable)
LEAK_IV = 1.0  # a column separating good from bad this well alone is probably known only afterwards
TUNING_GRID = [
    {"trend": "auto", "min_bin_frac": 0.05, "selection": "stepwise"},
    {"trend": "auto", "min_bin_frac": 0.02, "selection": "stepwise"},
    {"trend": "auto", "min_bin_frac": 0.05, "selection": "all"},
    {"trend": "none", "min_bin_frac": 0.05, "selection": "stepwise"},
    {"trend": "none", "min_bin_frac": 0.02, "selection": "stepwise"},
]


@dataclass
class TrainResult:
    model: Scorecard | GbmModel
    meta: dict
    report: dict
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        r = self.report
        h = r.get("holdout") or {}
        cv = r.get("cv") or {}
        return {
            "model": self.meta["kind"],
            "rows": self.meta["rows"],
            "fitted_on_rows": self.meta["fitted_on_rows"],
            "cv_rows": cv.get("rows"),
            "test_rows": self.meta["test_rows"],
            "bad_rate": self.meta["bad_rate"],
            "features_used": r["features_used"],
            "cv_auc": cv.get("auc_mean"),
            "cv_auc_std": cv.get("auc_std"),
            "cv_ks": cv.get("ks_mean"),
            "cv_gini": cv.get("gini_mean"),
            "holdout_auc": h.get("auc"),
            "holdout_ks": h.get("ks"),
            "holdout_gini": h.get("gini"),
            "calibration": (r.get("pd_calibration") or {}).get("method"),
            "brier": (r.get("pd_calibration") or {}).get("brier_calibrated"),
            "settings": (r.get("search") or {}).get("chosen"),
            "search_seconds": (r.get("search") or {}).get("seconds"),
            "fit_seconds": self.meta["fit_seconds"],
            "fingerprint": self.meta["fingerprint"],
            "warnings": self.warnings,
        }


def params_with(base: ScorecardParams, overrides: dict) -> ScorecardParams:
    d = base.to_dict()
    for k, v in overrides.items():
        if k in d["binning"]:
            d["binning"][k] = v
        else:
            d[k] = v
    return ScorecardParams.from_dict(d)


def tune_scorecard(frame: Frame, y: np.ndarray, features: list[str], base: ScorecardParams, *,
                   seed: int = 0, folds: int = 5) -> tuple[ScorecardParams, list[dict]]:
    """Pick binning and selection settings by cross-validated AUC on the training rows only."""
    trials = []
    best = None
    for overrides in TUNING_GRID:
        p = params_with(base, overrides)
        a = cv_auc(frame, y, features, p, k=folds, seed=seed)
        trials.append({**overrides, "cv_auc": a})
        if best is None or a > best[0] + 1e-9:
            best = (a, p)
    assert best is not None
    return best[1], trials


def fit_model(frame: Frame, y: np.ndarray, features: list[str], *, kind: str, seed: int,
              params: ScorecardParams | None = None, tune: bool = False) -> tuple[Scorecard | GbmModel, dict]:
    info: dict = {}
    if kind == "scorecard":
        p = params or ScorecardParams()
        if tune:
            p, trials = tune_scorecard(frame, y, features, p, seed=seed)
            info["tuning"] = trials
        return fit_scorecard(frame, y, features, p), info
    if kind == "gbm":
        p = params or ScorecardParams()
        return fit_gbm(frame, y, features, seed=seed, base_score=p.base_score, base_odds=p.base_odds,
                       pdo=p.pdo), info
    raise CreditDataError(f"unknown model kind {kind!r}; use one of {', '.join(MODEL_KINDS)}", code="bad_model")


def model_features(model: Scorecard | GbmModel) -> dict[str, str]:
    """The columns a model reads, with their kind (numeric or categorical)."""
    if isinstance(model, Scorecard):
        return {b.name: b.kind for b in model.variables}
    return {f: ("categorical" if f in model.categories else "numeric") for f in model.features}


def score_frame(model: Scorecard | GbmModel, frame: Frame, top: int = 3, *, absent_as_missing: bool = False) -> dict:
    """Scores, PDs and reasons for every row, in input order.

    With `absent_as_missing`, model columns the data lacks are scored as missing values (their
    names are returned under "absent"); otherwise a lacking column is an error."""
    absent = [f for f in model_features(model) if f not in frame]
    if absent and absent_as_missing:
        cols = dict(frame.columns)
        for f in absent:
            kind = model_features(model)[f]
            cols[f] = np.full(len(frame), np.nan) if kind == "numeric" else np.full(len(frame), None, dtype=object)
        frame = Frame(cols, set(frame.nominal), list(frame.warnings))
    if len(frame) == 0:
        return {"score": np.zeros(0, dtype=np.int64), "pd": np.zeros(0), "reasons": [], "unseen": {},
                "absent": absent}
    if isinstance(model, Scorecard):
        s, pd, pts = model.score(frame)
        reasons = model.reasons(pts, model.bin_indices(frame), top=top)
        unseen = model.unseen_counts(frame)
    else:
        s, pd, contrib = model.score(frame)
        reasons = model.reasons(contrib, frame, top=top)
        unseen = {}
        for f, cats in model.categories.items():
            known = set(cats)
            n = sum(1 for v in frame[f] if v is not None and str(v) not in known)
            if n:
                unseen[f] = n
    return {"score": s, "pd": pd, "reasons": reasons, "unseen": unseen, "absent": absent if absent_as_missing else []}


def feature_psi(model: Scorecard, reference: Frame, live: Frame) -> dict[str, float]:
    """PSI of each scorecard variable's bin distribution between two populations."""
    out = {}
    for b in model.variables:
        size = b.unseen_index + 1
        e = np.bincount(b.index(reference[b.name]), minlength=size)
        a = np.bincount(b.index(live[b.name]), minlength=size)
        out[b.name] = metrics.psi_from_counts(e, a)
    return out


def _histogram(s_tr: np.ndarray, s_te: np.ndarray, bins: int = 20) -> dict:
    lo = float(min(s_tr.min(), s_te.min()))
    hi = float(max(s_tr.max(), s_te.max()))
    if hi <= lo:
        hi = lo + 1
    edges = np.linspace(lo, hi, bins + 1)
    return {"edges": edges.tolist(), "train": np.histogram(s_tr, edges)[0].tolist(),
            "test": np.histogram(s_te, edges)[0].tolist()}


def _calibrated(model: Scorecard | GbmModel, cal: calib.Calibration) -> Scorecard | GbmModel:
    """A scorecard takes a Platt map into its points (the scale keeps its meaning); otherwise the
    map is stored with the model and applied to its score."""
    if isinstance(model, Scorecard) and cal.method == "platt":
        return with_platt(model, cal)
    model.calibration = cal
    return model


def _fit_with(frame: Frame, y: np.ndarray, features: list[str], kind: str, seed: int, base: ScorecardParams,
              chosen: dict | None) -> Scorecard | GbmModel:
    """Fit on these rows with the settings a search chose (the defaults without one)."""
    if kind == "scorecard":
        p = search_mod.apply_settings(base, chosen.get("binning", {}), {k: v for k, v in chosen.items()
                                                                         if k != "binning"}) if chosen else base
        return fit_scorecard(frame, y, features, p)
    if chosen:
        gp = {k: v for k, v in chosen.items() if k != "rounds"}
        return fit_gbm(frame, y, features, seed=seed, params=gp, rounds=chosen["rounds"], base_score=base.base_score,
                       base_odds=base.base_odds, pdo=base.pdo)
    return fit_gbm(frame, y, features, seed=seed, base_score=base.base_score, base_odds=base.base_odds,
                   pdo=base.pdo)


def _model_scale(kind: str, base: ScorecardParams) -> tuple[float, float]:
    factor = base.pdo / np.log(2)
    return float(base.base_score - factor * np.log(base.base_odds)), float(factor)


def leak_warnings(frame: Frame, y: np.ndarray, features: list[str], params: ScorecardParams) -> list[str]:
    """Columns whose information value alone exceeds LEAK_IV (for the challenger, which has no
    binning of its own to warn from)."""
    out = []
    for f in features:
        b = fit_binning(f, frame[f], y, params.binning)
        if b.iv > LEAK_IV:
            out.append(f"column {f!r} has information value {b.iv:.2f}: check that it is known before the loan "
                       "decision (possible leakage)")
    return out


def _fold_stats(y: np.ndarray, risk: np.ndarray, folds: list[np.ndarray]) -> dict:
    per = [metrics.summary(y[te], risk[te]) for te in folds]
    out: dict = {"folds": len(folds), "rows": len(y)}
    for key in ("auc", "ks", "gini"):
        vals = [p[key] for p in per]
        out[f"{key}_mean"] = float(np.mean(vals))
        out[f"{key}_std"] = float(np.std(vals))
        out[key] = [float(v) for v in vals]
    out["pooled"] = metrics.summary(y, risk)
    return out


def train(frame: Frame, *, target: str, bad: str | None = None, id_column: str | None = None,
          kind: str = "scorecard", seed: int = 0, cv_folds: int = 5, holdout: float = 0.0,
          params: ScorecardParams | None = None, tune: bool = True,
          budget_seconds: float = search_mod.DEFAULT_BUDGET_SECONDS, candidates: int | None = None,
          calibrate: bool = True,
          exclude: tuple[str, ...] = (), fingerprint: str | None = None, source: str = "",
          test_frac: float | None = None) -> TrainResult:
    """Fit a deployable model on every row of `frame`.

    With `cv_folds` >= 2, settings are chosen by `cv_folds`-fold cross-validation (`tune`, bounded by
    `candidates` of the search space, at most `budget_seconds`) and the report's figures come from
    that cross-validation's out-of-fold predictions; with `holdout` > 0 that share of rows is first
    kept out of the search and the calibration and scored by a model fitted on the rest, before the
    final refit on every row.
    `test_frac` is the former name of `holdout`."""
    if test_frac is not None:
        holdout = test_frac
    if kind not in MODEL_KINDS:
        raise CreditDataError(f"unknown model kind {kind!r}; use one of {', '.join(MODEL_KINDS)}", code="bad_model")
    if len(frame) == 0:
        raise CreditDataError("the data has no rows", code="empty")
    if id_column and id_column not in frame:
        raise CreditDataError(f"id column {id_column!r} not found", code="no_id")
    for col in exclude:
        if col not in frame:
            raise CreditDataError(f"--exclude column {col!r} not found", code="no_column")
    if not 0.0 <= holdout < 1.0:
        raise CreditDataError("the holdout share must be at least 0 and below 1", code="bad_holdout")
    y = target_vector(frame, target, bad)
    features, warnings = usable_features(frame, {target, *([id_column] if id_column else []), *exclude})
    warnings = list(frame.warnings) + warnings
    if not features:
        raise CreditDataError("no usable feature columns (all constant, empty or identifiers)", code="no_features")
    n_bad = int(y.sum())
    if min(n_bad, len(y) - n_bad) < 10:
        raise CreditDataError(
            f"too few rows of one class to validate a model: {n_bad} bad and {len(y) - n_bad} good (need 10 of each)",
            code="too_few_rows",
        )
    base = params or ScorecardParams()
    offset, factor = _model_scale(kind, base)
    t0 = time.perf_counter()
    all_idx = np.arange(len(y))
    if holdout > 0:
        dev_idx, test_idx = metrics.holdout_split(y, holdout, seed)
    else:
        dev_idx, test_idx = all_idx, np.zeros(0, dtype=np.int64)
    dev = frame.take(dev_idx) if holdout > 0 else frame
    y_dev = y[dev_idx]
    report: dict = {"report_version": REPORT_VERSION}
    sources: dict[str, str] = {}
    chosen: dict | None = None
    cal = calib.Calibration()
    oof_scores = None
    validate = cv_folds >= 2
    if validate:
        folds = metrics.stratified_folds(y_dev, cv_folds, seed)
        budget = budget_seconds if tune else 0.0
        if kind == "scorecard":
            grid = search_mod.scorecard_candidates(candidates or search_mod.DEFAULT_SCORECARD_CANDIDATES) \
                if tune else [({}, {})]
            res = search_mod.search_scorecard(dev, y_dev, features, base, folds=folds, budget_seconds=budget,
                                              grid=grid)
        else:
            categories = {f: sorted({str(v) for v in dev[f] if v is not None}) for f in features
                          if dev[f].dtype.kind != "f"}
            X = encode(dev, features, categories)
            cat_idx = [j for j, f in enumerate(features) if f in categories]
            space = search_mod.gbm_candidates(candidates or search_mod.DEFAULT_GBM_CANDIDATES) if tune \
                else search_mod.gbm_candidates(1)
            res = search_mod.search_gbm(X, y_dev, cat_idx, dict(GBM_DEFAULTS), folds=folds, seed=seed,
                                        budget_seconds=budget, space=space, offset=offset, factor=factor)
        chosen = res.chosen
        report["search"] = res.record()
        if res.stopped:
            warnings.append(f"the settings search stopped at its time budget ({budget:g} s) after {res.tried} of "
                            f"{res.total} candidates: a rerun on a faster or slower machine may choose differently")
        report["cv"] = _fold_stats(y_dev, res.oof, folds)
        oof_scores = res.oof_score
        sources["cv"] = (f"out-of-fold predictions of {cv_folds}-fold cross-validation on {len(y_dev)} rows"
                         + (" (the rows outside the holdout)" if holdout > 0 else " (every row)")
                         + "; the same cross-validation chose the settings")
        if calibrate:
            cal, info = calib.choose(oof_scores, y_dev, offset, factor, folds=folds)
            cal_pd = info["cross_fitted_pd"]
            report["pd_calibration"] = {
                "method": cal.method, "brier": info["brier"], "brier_calibrated": info["brier"][info["method"]],
                "brier_uncalibrated": info["brier"]["none"],
                "reliability_uncalibrated": metrics.calibration(y_dev, info["uncalibrated_pd"]),
            }
            sources["calibration"] = ("out-of-fold scores, each fold's score-to-PD map fitted on the other folds "
                                      "(the deployed map is fitted on all of them)")
        else:
            cal_pd = cal.apply(oof_scores, offset, factor)
        report["calibration"] = metrics.calibration(y_dev, cal_pd)
        report["lift"] = metrics.lift(y_dev, res.oof)
        sources["lift"] = sources["cv"]
    # the holdout: scored by a model fitted on the other rows with the same settings and map
    if holdout > 0:
        m_dev = _calibrated(_fit_with(dev, y_dev, features, kind, seed, base, chosen), cal)
        test = frame.take(test_idx)
        s_dev = score_frame(m_dev, dev)["score"].astype(float)
        out_te = score_frame(m_dev, test)
        s_te = out_te["score"].astype(float)
        report["holdout"] = metrics.summary(y[test_idx], -s_te)
        report["holdout"]["brier"] = calib.brier(y[test_idx], out_te["pd"])
        report["holdout_calibration"] = metrics.calibration(y[test_idx], out_te["pd"])
        report["psi_train_test"] = metrics.psi(s_dev, s_te)
        if isinstance(m_dev, Scorecard):
            report["feature_psi"] = feature_psi(m_dev, dev, test)
        if not validate:
            report["calibration"] = report["holdout_calibration"]
            report["lift"] = metrics.lift(y[test_idx], -s_te)
            sources["lift"] = sources["calibration"] = "holdout rows"
        sources["holdout"] = (f"{len(test_idx)} holdout rows ({holdout:.0%}, stratified, seed {seed}) scored by a "
                              f"model fitted on the other {len(dev_idx)} rows with the chosen settings")
    # the deployed model: every row, the chosen settings
    model = _calibrated(_fit_with(frame, y, features, kind, seed, base, chosen), cal)
    if "pd_calibration" in report:
        report["pd_calibration"]["applied"] = (
            "points" if isinstance(model, Scorecard) and cal.method == "platt" else "score-to-PD map")
    fit_seconds = time.perf_counter() - t0
    warnings += list(getattr(model, "warnings", []))
    if kind == "gbm":
        warnings += leak_warnings(frame, y, features, base)
    s_all = score_frame(model, frame)["score"].astype(float)
    report["train"] = metrics.summary(y, -s_all)
    sources["train"] = f"the deployed model on the {len(y)} rows it was fitted on (in-sample, optimistic)"
    report["score_edges"] = metrics.score_edges(s_all)
    edges = report["score_edges"]
    report["train_score_counts"] = np.bincount(np.searchsorted(edges, s_all, side="right"),
                                               minlength=len(edges) + 1).tolist()
    second = oof_scores.astype(float) if oof_scores is not None else s_all
    if oof_scores is not None and isinstance(model, Scorecard) and cal.method == "platt":
        # out-of-fold scores on the calibrated scale of the deployed points, for the histogram
        second = np.floor(cal.offset * (1 - factor / cal.factor) + factor / cal.factor * second + 0.5)
    report["score_distribution"] = _histogram(s_all, second)
    report["score_distribution"]["labels"] = ["deployed, all rows", "out-of-fold" if oof_scores is not None
                                              else "deployed, all rows"]
    report.setdefault("psi_train_test", None)
    report.setdefault("calibration", [])
    report.setdefault("lift", [])
    report["sources"] = sources
    report["settings"] = chosen
    if isinstance(model, Scorecard):
        report["features_used"] = model.names
        report["variables"] = [
            {"name": b.name, "kind": b.kind, "iv": b.iv, "trend": b.trend, "coef": c,
             "bins": [{**t, "points": p} for t, p in zip(b.table(), pts, strict=False)]}
            for b, c, pts in zip(model.variables, model.coef, model.points, strict=True)
        ]
        report["screening"] = model.screened
        report["base_points"] = model.base_points
    else:
        report["features_used"] = model.features
        report["importance"] = model.importance()
        report["num_trees"] = model.num_trees
    meta = {
        "kind": kind, "target": target, "bad": bad, "id_column": id_column, "seed": seed,
        "holdout": holdout, "cv_folds": cv_folds if validate else 0, "rows": len(frame), "fitted_on_rows": len(frame),
        "train_rows": len(frame), "test_rows": len(test_idx), "bad_rate": float(y.mean()), "features": features,
        "fit_seconds": fit_seconds, "budget_seconds": budget_seconds,
        "fingerprint": fingerprint or frame_fingerprint(frame), "source": source,
        "column_types": {f: ("numeric" if frame.is_numeric(f) else "categorical") for f in features},
    }
    report["warnings"] = warnings
    report["meta"] = {k: meta[k] for k in ("kind", "rows", "fitted_on_rows", "test_rows", "cv_folds", "bad_rate",
                                           "seed", "fit_seconds")}
    return TrainResult(model=model, meta=meta, report=report, warnings=warnings)
