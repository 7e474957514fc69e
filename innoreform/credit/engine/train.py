"""Training and scoring end to end: split, fit, validate, report. Used by the command line, the
Django services and the benchmark alike."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import metrics
from .errors import CreditDataError
from .frame import Frame, frame_fingerprint, target_vector
from .gbm import GbmModel, fit_gbm
from .scorecard import Scorecard, ScorecardParams, cv_auc, fit_scorecard, usable_features

MODEL_KINDS = ("scorecard", "gbm")
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
        h = self.report["holdout"]
        return {
            "model": self.meta["kind"],
            "rows": self.meta["rows"],
            "train_rows": self.meta["train_rows"],
            "test_rows": self.meta["test_rows"],
            "bad_rate": self.meta["bad_rate"],
            "features_used": self.report["features_used"],
            "holdout_auc": h["auc"],
            "holdout_ks": h["ks"],
            "holdout_gini": h["gini"],
            "cv_auc": self.report.get("cv", {}).get("auc_mean"),
            "psi_train_test": self.report["psi_train_test"],
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


def _risk(model: Scorecard | GbmModel, frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    out = score_frame(model, frame)
    return out["score"], out["pd"]


def build_report(model: Scorecard | GbmModel, train: Frame, y_train: np.ndarray, test: Frame,
                 y_test: np.ndarray, cv: dict) -> dict:
    s_tr, _ = _risk(model, train)
    s_te, pd_te = _risk(model, test)
    # risk for metrics: lower score = riskier; ties resolved the same way for both model kinds
    report = {
        "holdout": metrics.summary(y_test, -s_te.astype(float)),
        "train": metrics.summary(y_train, -s_tr.astype(float)),
        "cv": cv,
        "psi_train_test": metrics.psi(s_tr.astype(float), s_te.astype(float)),
        "score_edges": metrics.score_edges(s_tr.astype(float)),
        "train_score_counts": None,
        "calibration": metrics.calibration(y_test, pd_te),
        "lift": metrics.lift(y_test, -s_te.astype(float)),
        "score_distribution": _histogram(s_tr, s_te),
    }
    edges = report["score_edges"]
    report["train_score_counts"] = np.bincount(np.searchsorted(edges, s_tr, side="right"),
                                               minlength=len(edges) + 1).tolist()
    if isinstance(model, Scorecard):
        report["features_used"] = model.names
        report["variables"] = [
            {"name": b.name, "kind": b.kind, "iv": b.iv, "trend": b.trend, "coef": c,
             "bins": [{**t, "points": p} for t, p in zip(b.table(), pts, strict=False)]}
            for b, c, pts in zip(model.variables, model.coef, model.points, strict=True)
        ]
        report["screening"] = model.screened
        report["feature_psi"] = feature_psi(model, train, test)
        report["base_points"] = model.base_points
    else:
        report["features_used"] = model.features
        report["importance"] = model.importance()
        report["num_trees"] = model.num_trees
    return report


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


def train(frame: Frame, *, target: str, bad: str | None = None, id_column: str | None = None,
          kind: str = "scorecard", seed: int = 0, test_frac: float = 0.3, cv_folds: int = 5,
          params: ScorecardParams | None = None, tune: bool = False, exclude: tuple[str, ...] = (),
          fingerprint: str | None = None, source: str = "") -> TrainResult:
    if kind not in MODEL_KINDS:
        raise CreditDataError(f"unknown model kind {kind!r}; use one of {', '.join(MODEL_KINDS)}", code="bad_model")
    if len(frame) == 0:
        raise CreditDataError("the data has no rows", code="empty")
    if id_column and id_column not in frame:
        raise CreditDataError(f"id column {id_column!r} not found", code="no_id")
    for col in exclude:
        if col not in frame:
            raise CreditDataError(f"--exclude column {col!r} not found", code="no_column")
    y = target_vector(frame, target, bad)
    features, warnings = usable_features(frame, {target, *([id_column] if id_column else []), *exclude})
    warnings = list(frame.warnings) + warnings
    if not features:
        raise CreditDataError("no usable feature columns (all constant, empty or identifiers)", code="no_features")
    n_bad = int(y.sum())
    if min(n_bad, len(y) - n_bad) < 10:
        raise CreditDataError(
            f"too few rows of one class for a holdout test: {n_bad} bad and {len(y) - n_bad} good (need 10 of each)",
            code="too_few_rows",
        )
    train_idx, test_idx = metrics.holdout_split(y, test_frac, seed)
    tr = frame.take(train_idx)
    te = frame.take(test_idx)
    t0 = time.perf_counter()
    model, info = fit_model(tr, y[train_idx], features, kind=kind, seed=seed, params=params, tune=tune)
    fit_seconds = time.perf_counter() - t0
    warnings += list(getattr(model, "warnings", []))
    cv: dict = {}
    if kind == "scorecard" and cv_folds >= 2:
        sc_params = model.params  # type: ignore[union-attr]
        aucs = []
        for fold in metrics.stratified_folds(y[train_idx], cv_folds, seed):
            mask = np.ones(len(train_idx), dtype=bool)
            mask[fold] = False
            m = fit_scorecard(tr.take(np.flatnonzero(mask)), y[train_idx][mask], features, sc_params)
            s, _, _ = m.score(tr.take(fold))
            aucs.append(metrics.auc(y[train_idx][fold], -s))
        cv = {"folds": cv_folds, "auc_mean": float(np.mean(aucs)), "auc_std": float(np.std(aucs)), "auc": aucs}
    report = build_report(model, tr, y[train_idx], te, y[test_idx], cv)
    report.update(info)
    meta = {
        "kind": kind, "target": target, "bad": bad, "id_column": id_column, "seed": seed,
        "test_frac": test_frac, "rows": len(frame), "train_rows": len(train_idx), "test_rows": len(test_idx),
        "bad_rate": float(y.mean()), "features": features, "fit_seconds": fit_seconds,
        "fingerprint": fingerprint or frame_fingerprint(frame), "source": source,
        "column_types": {f: ("numeric" if frame.is_numeric(f) else "categorical") for f in features},
    }
    report["warnings"] = warnings
    report["meta"] = {k: meta[k] for k in ("kind", "rows", "train_rows", "test_rows", "bad_rate", "seed")}
    return TrainResult(model=model, meta=meta, report=report, warnings=warnings)
