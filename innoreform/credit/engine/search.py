"""Settings chosen per data set by cross-validation on the training rows, within a time budget.

Each candidate is scored by K-fold cross-validated AUC on the rows it is given (the same folds for
every candidate); the candidates are tried in a fixed order, the engine's defaults first, and the
search stops starting new candidates once the budget is spent (the defaults are always tried).
The search space is fixed in this module: nothing in it is adjusted per data set.

The winner's out-of-fold predictions (each row scored by the fold model that did not see it) are
returned for the report and for calibration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import metrics
from .binning import Binning, BinningParams, fit_binning
from .frame import Frame
from .gbm import small_data
from .scorecard import ScorecardParams, fit_scorecard

# By default a fixed number of candidates is tried, the first of each space (so a rerun on the same
# data chooses the same settings, which a bank needs to reproduce a model); each is a K-fold
# cross-validation, so the time follows the data's size. The budget in seconds stops the search
# early on large data (the first candidate is always tried); a search stopped by it is reported.
DEFAULT_BUDGET_SECONDS = 120.0
DEFAULT_SCORECARD_CANDIDATES = 4
DEFAULT_GBM_CANDIDATES = 3
# A candidate replaces the defaults only when its fold AUCs beat theirs, fold by fold, by more than
# the standard error of the paired differences and by at least MIN_GAIN: choosing among near-equal
# settings by cross-validation on a few hundred bads mostly picks noise (measured on German credit).
MIN_GAIN = 0.002


def beats_default(fold_auc: list[float], default_auc: list[float]) -> bool:
    d = np.asarray(fold_auc) - np.asarray(default_auc)
    se = float(np.std(d, ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
    return float(d.mean()) > max(MIN_GAIN, se)

_AUTO, _AUTO_02, _NONE = {"trend": "auto", "min_bin_frac": 0.05}, {"trend": "auto", "min_bin_frac": 0.02}, \
    {"trend": "none", "min_bin_frac": 0.05}
_ALL = {"selection": "all", "min_abs_coef": 0.2, "l2": 1.0}
# Scorecard candidates, (binning settings, model settings), in the order they are tried: the
# defaults, then variants that reuse the defaults' binnings (cheap: a logistic fit on WOE columns),
# then other binnings (non-monotone trends, finer bins, quantile pre-bins, a stricter trend test).
SCORECARD_SPACE: tuple[tuple[dict, dict], ...] = (
    (_AUTO, _ALL),
    (_AUTO, {"selection": "stepwise", "min_abs_coef": 0.2, "l2": 1.0}),
    (_AUTO, {"selection": "all", "min_abs_coef": 0.0, "l2": 10.0}),
    (_NONE, {"selection": "all", "min_abs_coef": 0.0, "l2": 10.0}),
    (_AUTO_02, {"selection": "all", "min_abs_coef": 0.2, "l2": 10.0}),
    ({**_AUTO, "prebinning": "quantile"}, _ALL),
    ({**_AUTO, "trend_criterion": "bic"}, _ALL),
    (_NONE, _ALL),
    (_AUTO_02, _ALL),
    (_AUTO, {"selection": "all", "min_abs_coef": 0.2, "l2": 1.0, "max_corr": 0.7}),
    ({"trend": "none", "min_bin_frac": 0.02}, {"selection": "stepwise", "min_abs_coef": 0.2, "l2": 10.0}),
)


# The challenger's shapes: the engine's former default, LightGBM's own defaults, smaller and more
# regularised trees (small data), then larger ones and stumps. Rounds by early stopping.
GBM_SPACE = (
    {"num_leaves": 15, "min_data_in_leaf": 20, "learning_rate": 0.05, "lambda_l2": 1.0, "feature_fraction": 0.7,
     "bagging_fraction": 0.8, "bagging_freq": 1},
    {"num_leaves": 31, "min_data_in_leaf": 20, "learning_rate": 0.1, "lambda_l2": 0.0, "feature_fraction": 1.0,
     "bagging_fraction": 1.0, "bagging_freq": 0, "min_data_per_group": 100},
    {"num_leaves": 7, "min_data_in_leaf": 40, "learning_rate": 0.05, "lambda_l2": 10.0, "feature_fraction": 0.7,
     "bagging_fraction": 0.8, "bagging_freq": 1},
    {"num_leaves": 31, "min_data_in_leaf": 10, "learning_rate": 0.05, "lambda_l2": 1.0, "feature_fraction": 0.5,
     "bagging_fraction": 0.8, "bagging_freq": 1},
    {"num_leaves": 63, "min_data_in_leaf": 20, "learning_rate": 0.1, "lambda_l2": 1.0, "feature_fraction": 0.7,
     "bagging_fraction": 0.8, "bagging_freq": 1},
    {"num_leaves": 4, "min_data_in_leaf": 20, "learning_rate": 0.1, "lambda_l2": 1.0, "feature_fraction": 0.8,
     "bagging_fraction": 1.0, "bagging_freq": 0},
)


@dataclass
class SearchResult:
    chosen: dict  # the winning settings (overrides on the defaults)
    oof: np.ndarray  # out-of-fold risk (higher = riskier): -score for the scorecard, logit for gbm
    oof_score: np.ndarray  # out-of-fold integer scores
    fold_auc: list[float]
    trials: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    budget_seconds: float = DEFAULT_BUDGET_SECONDS
    tried: int = 0
    total: int = 0
    stopped: bool = False  # by the time budget, before every candidate was tried

    def record(self) -> dict:
        return {"budget_seconds": self.budget_seconds, "seconds": round(self.seconds, 3), "tried": self.tried,
                "candidates": self.total, "stopped_by_budget": self.stopped, "chosen": self.chosen,
                "trials": self.trials}


def scorecard_candidates(limit: int | None = DEFAULT_SCORECARD_CANDIDATES) -> list[tuple[dict, dict]]:
    return list(SCORECARD_SPACE[:limit])


def gbm_candidates(limit: int | None = DEFAULT_GBM_CANDIDATES) -> list[dict]:
    return list(GBM_SPACE[:limit])


def apply_settings(base: ScorecardParams, binning: dict, model: dict) -> ScorecardParams:
    d = base.to_dict()
    d["binning"].update(binning)
    d.update(model)
    return ScorecardParams.from_dict(d)


def search_scorecard(frame: Frame, y: np.ndarray, features: list[str], base: ScorecardParams, *,
                     folds: list[np.ndarray], budget_seconds: float = DEFAULT_BUDGET_SECONDS,
                     grid: list[tuple[dict, dict]] | None = None) -> SearchResult:
    t0 = time.perf_counter()
    grid = grid if grid is not None else scorecard_candidates()
    n = len(y)
    splits = []
    for te in folds:
        mask = np.ones(n, dtype=bool)
        mask[te] = False
        tr = np.flatnonzero(mask)
        splits.append((tr, te, frame.take(tr), frame.take(te)))
    cache: dict[tuple[int, str], tuple[dict[str, Binning], dict, dict]] = {}
    trials: list[dict] = []
    stopped = False
    best: tuple[float, int, np.ndarray, list[float]] | None = None
    for i, (b_set, m_set) in enumerate(grid):
        if i > 0 and time.perf_counter() - t0 > budget_seconds:
            stopped = True
            break
        params = apply_settings(base, b_set, m_set)
        key = repr(sorted(b_set.items()))
        oof = np.zeros(n, dtype=np.int64)
        aucs = []
        try:
            for k, (tr, te, f_tr, f_te) in enumerate(splits):
                cached = cache.get((k, key))
                if cached is None:
                    binnings = {f: fit_binning(f, f_tr[f], y[tr], params.binning) for f in features}
                    woe = {f: b.transform(f_tr[f]) for f, b in binnings.items()}
                    idx = {f: b.index(f_te[f]) for f, b in binnings.items()}
                    cached = cache[(k, key)] = (binnings, woe, idx)
                binnings, woe, idx = cached
                sc = fit_scorecard(f_tr, y[tr], features, params, binnings=binnings, woe=woe)
                s = np.full(len(te), sc.base_points, dtype=np.int64)
                for b, pts in zip(sc.variables, sc.points, strict=True):
                    s += np.asarray(pts, dtype=np.int64)[idx[b.name]]
                oof[te] = s
                aucs.append(metrics.auc(y[te], -s.astype(float)))
        except Exception as exc:
            if i == 0:
                raise
            trials.append({**b_set, **m_set, "error": str(exc)[:200]})
            continue
        mean = float(np.mean(aucs))
        trials.append({**b_set, **m_set, "cv_auc": mean, "cv_auc_std": float(np.std(aucs))})
        if best is None:
            default_auc = aucs
            best = (mean, i, oof, aucs)
        elif mean > best[0] + 1e-9 and beats_default(aucs, default_auc):
            best = (mean, i, oof, aucs)
    assert best is not None
    _, i, oof, aucs = best
    b_set, m_set = grid[i]
    return SearchResult(chosen={"binning": dict(b_set), **m_set}, oof=-oof.astype(float), oof_score=oof,
                        fold_auc=aucs, trials=trials, seconds=time.perf_counter() - t0,
                        budget_seconds=budget_seconds, tried=len(trials), total=len(grid), stopped=stopped)


def search_gbm(X: np.ndarray, y: np.ndarray, cat_idx: list[int], base: dict, *, folds: list[np.ndarray],
               seed: int, budget_seconds: float = DEFAULT_BUDGET_SECONDS, max_rounds: int = 3000,
               space: tuple[dict, ...] | list[dict] = GBM_SPACE, offset: float = 0.0,
               factor: float = 1.0) -> SearchResult:
    import lightgbm as lgb

    t0 = time.perf_counter()
    n = len(y)
    all_idx = np.arange(n)
    splits = [(np.setdiff1d(all_idx, te), te) for te in folds]
    ds = lgb.Dataset(X, label=y.astype(float), categorical_feature=cat_idx, free_raw_data=False,
                     params={"verbose": -1, "min_data_in_bin": 3, "feature_pre_filter": False})
    trials: list[dict] = []
    stopped = False
    best = None
    for i, cand in enumerate(space):
        if i > 0 and time.perf_counter() - t0 > budget_seconds:
            stopped = True
            break
        p = small_data({**base, **cand, "seed": seed}, int(n * (1 - 1 / len(folds))))
        # early stopping patience in proportion to the step size
        patience = max(30, round(3.0 / p["learning_rate"]))
        res = lgb.cv(p, ds, num_boost_round=max_rounds, folds=splits, metrics="auc", seed=seed,
                     return_cvbooster=True, callbacks=[lgb.early_stopping(patience, verbose=False)])
        key = next(k for k in res if k.endswith("auc-mean"))
        r = int(np.argmax(res[key]))
        mean = float(res[key][r])
        oof = np.zeros(n)
        aucs = []
        for (_tr, te), booster in zip(splits, res["cvbooster"].boosters, strict=True):
            oof[te] = booster.predict(X[te], num_iteration=r + 1, raw_score=True)
            aucs.append(metrics.auc(y[te], oof[te]))
        trials.append({**cand, "rounds": r + 1, "cv_auc": mean,
                       "cv_auc_std": float(res[key.replace("mean", "stdv")][r])})
        if best is None:
            default_auc = aucs
            best = (mean, i, r + 1, oof, aucs)
        elif mean > best[0] + 1e-9 and beats_default(aucs, default_auc):
            best = (mean, i, r + 1, oof, aucs)
    assert best is not None
    _, i, rounds, oof, aucs = best
    score = np.floor(offset - factor * oof + 0.5).astype(np.int64)
    return SearchResult(chosen={**space[i], "rounds": rounds}, oof=oof, oof_score=score, fold_auc=aucs,
                        trials=trials, seconds=time.perf_counter() - t0, budget_seconds=budget_seconds,
                        tried=len(trials), total=len(space), stopped=stopped)


def binning_params(chosen: dict, base: BinningParams) -> BinningParams:
    return BinningParams(**{**base.__dict__, **chosen.get("binning", {})})
