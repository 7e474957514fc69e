"""Logistic scorecard in integer points, with reason codes.

score = base_points + sum of each variable's points for the row's bin
      = offset + factor * ln(odds of good), factor = PDO / ln 2,
        offset = base_score - factor * ln(base_odds)
so `base_score` points mean good:bad odds of `base_odds`, and every `pdo` points double them.
Points are integers, so the score is the same wherever it is summed (Python or SQL).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from . import metrics
from .binning import Binning, BinningParams, fit_binning
from .calibration import Calibration
from .errors import CreditDataError
from .frame import Frame
from .logistic import fit_logistic

MIN_CLASS_ROWS = 5


@dataclass
class ScorecardParams:
    binning: BinningParams = field(default_factory=BinningParams)
    min_iv: float = 0.02
    max_corr: float = 0.9
    max_features: int = 100
    l2: float = 1.0
    selection: str = "all"  # "all" (every screened variable) or "stepwise" (forward, score test)
    entry_chi2: float = 1.0  # a variable enters while its score statistic exceeds this
    # keep only variables with a positive coefficient (each WOE points to risk on its own); off,
    # a variable may also correct others it is collinear with, at the cost of a less intuitive card
    positive_coef: bool = False
    min_abs_coef: float = 0.2  # drop variables whose |coefficient| is below this (and refit)
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ScorecardParams:
        d = dict(d)
        b = d.pop("binning", {}) or {}
        if "special_codes" in b:
            b["special_codes"] = tuple(b["special_codes"])
        return cls(binning=BinningParams(**b), **d)


@dataclass
class Scorecard:
    variables: list[Binning]
    coef: list[float]
    intercept: float
    points: list[list[int]]  # per variable: points per bin (regular, special, missing, unseen)
    base_points: int
    params: ScorecardParams
    screened: list[dict] = field(default_factory=list)  # every candidate with IV and why it was kept/dropped
    warnings: list[str] = field(default_factory=list)
    calibration: Calibration = field(default_factory=Calibration)  # score -> PD (see calibration.py)

    @property
    def factor(self) -> float:
        return self.params.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.params.base_score - self.factor * math.log(self.params.base_odds)

    @property
    def names(self) -> list[str]:
        return [b.name for b in self.variables]

    # -- scoring ------------------------------------------------------------------------------
    def point_matrix(self, frame: Frame) -> np.ndarray:
        """Points of each row (rows) for each variable (columns)."""
        missing = [b.name for b in self.variables if b.name not in frame]
        if missing:
            raise CreditDataError(f"the data lacks the model's column(s): {', '.join(missing)}", code="missing_columns")
        out = np.zeros((len(frame), len(self.variables)), dtype=np.int64)
        for j, b in enumerate(self.variables):
            out[:, j] = np.asarray(self.points[j], dtype=np.int64)[b.index(frame[b.name])]
        return out

    def score_points(self, pts: np.ndarray) -> np.ndarray:
        return self.base_points + pts.sum(axis=1)

    def pd_from_score(self, score: np.ndarray) -> np.ndarray:
        return self.calibration.apply(score, self.offset, self.factor)

    def score(self, frame: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pts = self.point_matrix(frame)
        s = self.score_points(pts)
        return s, self.pd_from_score(s), pts

    def unseen_counts(self, frame: Frame) -> dict[str, int]:
        """Per categorical variable, how many rows carry a category never seen in training."""
        out = {}
        for b in self.variables:
            if b.kind == "categorical" and b.name in frame:
                n = int(np.sum(b.index(frame[b.name]) == b.unseen_index))
                if n:
                    out[b.name] = n
        return out

    def reasons(self, pts: np.ndarray, bin_idx: np.ndarray | None = None, top: int = 3) -> list[list[dict]]:
        """Top adverse factors per row: the variables whose bin scored furthest below that
        variable's best bin, largest loss first; variables at their best bin are never reasons."""
        if not self.variables:
            return [[] for _ in range(pts.shape[0])]
        best = np.array([max(p) for p in self.points], dtype=np.int64)
        lost = best[None, :] - pts
        order = np.argsort(-lost, axis=1, kind="stable")[:, :top]
        labels = [[*b.labels(), "unseen"] for b in self.variables]
        out: list[list[dict]] = []
        for i in range(pts.shape[0]):
            row = []
            for j in order[i]:
                if lost[i, j] <= 0:
                    break
                r = {"variable": self.variables[j].name, "points_lost": int(lost[i, j])}
                if bin_idx is not None:
                    r["bin"] = labels[j][int(bin_idx[i, j])]
                row.append(r)
            out.append(row)
        return out

    def bin_indices(self, frame: Frame) -> np.ndarray:
        return np.column_stack([b.index(frame[b.name]) for b in self.variables])

    # -- persistence --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "kind": "scorecard",
            "variables": [b.to_dict() for b in self.variables],
            "coef": self.coef,
            "intercept": self.intercept,
            "points": self.points,
            "base_points": self.base_points,
            "params": self.params.to_dict(),
            "screened": self.screened,
            "warnings": self.warnings,
            "calibration": self.calibration.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Scorecard:
        return cls(
            variables=[Binning.from_dict(v) for v in d["variables"]],
            coef=list(d["coef"]),
            intercept=float(d["intercept"]),
            points=[list(p) for p in d["points"]],
            base_points=int(d["base_points"]),
            params=ScorecardParams.from_dict(d["params"]),
            screened=list(d.get("screened", [])),
            warnings=list(d.get("warnings", [])),
            calibration=Calibration.from_dict(d.get("calibration")),
        )

    def table(self) -> list[dict]:
        """The scorecard as a person reads it: variable, bin, count, bad rate, WOE, points."""
        rows = []
        for b, pts in zip(self.variables, self.points, strict=True):
            for t, p in zip(b.table(), pts, strict=False):
                rows.append({"variable": b.name, **t, "points": p})
        return rows


def with_platt(sc: Scorecard, cal: Calibration) -> Scorecard:
    """The scorecard with a Platt calibration folded into its coefficients and points, so that the
    scale keeps its stated meaning (base score at base odds, PDO points to double them) for the
    calibrated PD: logit' = a + b * logit, with a and b read from the map's offset and factor."""
    if cal.method != "platt" or not cal.factor:
        return sc
    b = sc.factor / cal.factor
    a = (cal.offset - sc.offset) / cal.factor
    coef = np.asarray(sc.coef, dtype=float) * b
    intercept = a + b * sc.intercept
    pts, base = _points(coef, sc.variables, intercept, sc.params)
    return Scorecard(variables=sc.variables, coef=[float(c) for c in coef], intercept=float(intercept), points=pts,
                     base_points=base, params=sc.params, screened=sc.screened, warnings=sc.warnings,
                     calibration=Calibration())


def check_training_data(frame: Frame, y: np.ndarray) -> None:
    n_bad = int(y.sum())
    n_good = len(y) - n_bad
    if n_bad < MIN_CLASS_ROWS or n_good < MIN_CLASS_ROWS:
        raise CreditDataError(
            f"too few rows of one class to fit a model: {n_bad} bad and {n_good} good (need {MIN_CLASS_ROWS} of each)",
            code="too_few_rows",
        )


def usable_features(frame: Frame, exclude: set[str], max_categories: int = 200) -> tuple[list[str], list[str]]:
    """Feature columns and warnings for the columns left out (constant, empty, id-like)."""
    features: list[str] = []
    warnings: list[str] = []
    n = len(frame)
    for name in frame.names:
        if name in exclude:
            continue
        col = frame[name]
        if col.dtype.kind == "f":
            present = col[~np.isnan(col)]
            distinct = len(np.unique(present))
            has_missing = len(present) < n
        else:
            present = [v for v in col if v is not None]
            distinct = len(set(present))
            has_missing = len(present) < n
            if distinct > max_categories or (n >= 50 and distinct > 0.9 * n):
                warnings.append(f"column {name!r} left out: {distinct} distinct text values look like an identifier")
                continue
        if distinct == 0:
            warnings.append(f"column {name!r} left out: no values")
            continue
        if distinct == 1 and not has_missing:
            warnings.append(f"column {name!r} left out: constant")
            continue
        features.append(name)
    return features, warnings


def _points(coef: np.ndarray, binnings: list[Binning], intercept: float,
            params: ScorecardParams) -> tuple[list[list[int]], int]:
    factor = params.pdo / math.log(2)
    offset = params.base_score - factor * math.log(params.base_odds)
    pts = []
    for c, b in zip(coef, binnings, strict=True):
        table = b.woe_table()
        pts.append([math.floor(-factor * c * w + 0.5) for w in table])
    base = math.floor(offset - factor * intercept + 0.5)
    return pts, base


def fit_scorecard(frame: Frame, y: np.ndarray, features: list[str], params: ScorecardParams | None = None,
                  binnings: dict[str, Binning] | None = None, woe: dict[str, np.ndarray] | None = None) -> Scorecard:
    """Bin, screen by IV, prune correlated WOE columns, fit the logistic model, convert to points.
    `woe` may hold the columns' WOE under `binnings` already (a search reuses them across settings)."""
    params = params or ScorecardParams()
    check_training_data(frame, y)
    if not features:
        raise CreditDataError("no usable feature columns", code="no_features")
    if binnings is None:
        binnings = {f: fit_binning(f, frame[f], y, params.binning) for f in features}
    screened: list[dict] = []
    ranked = sorted(features, key=lambda f: -binnings[f].iv)
    woe_cols: dict[str, np.ndarray] = {}
    kept: list[str] = []
    for f in ranked:
        b = binnings[f]
        entry = {"variable": f, "iv": b.iv, "status": "kept"}
        screened.append(entry)
        if b.iv < params.min_iv:
            entry["status"] = "low_iv"
            continue
        if len(kept) >= params.max_features:
            entry["status"] = "max_features"
            continue
        w = woe[f] if woe is not None and f in woe else b.transform(frame[f])
        if np.std(w) == 0:
            entry["status"] = "constant_woe"
            continue
        if kept:
            K = np.column_stack([woe_cols[k] for k in kept])
            wc = (w - w.mean()) / w.std()
            Kc = (K - K.mean(axis=0)) / K.std(axis=0)
            corr = np.abs(wc @ Kc) / len(w)
            j = int(np.argmax(corr))
            if corr[j] > params.max_corr:
                entry["status"] = "correlated"
                entry["with"] = kept[j]
                continue
        woe_cols[f] = w
        kept.append(f)
    if not kept:
        # fall back to the single strongest variable rather than an empty model
        if ranked and binnings[ranked[0]].iv > 0:
            kept = [ranked[0]]
            woe_cols[kept[0]] = binnings[kept[0]].transform(frame[kept[0]])
            screened[0]["status"] = "kept"
        else:
            raise CreditDataError("no column separates good from bad rows (all information values are 0)",
                                  code="no_signal")
    if params.selection == "stepwise":
        chosen, intercept, coef = forward_select(woe_cols, kept, y, l2=params.l2, entry_chi2=params.entry_chi2,
                                                 max_features=params.max_features,
                                                 positive_coef=params.positive_coef)
        if chosen:
            for e in screened:
                if e["status"] == "kept" and e["variable"] not in chosen:
                    e["status"] = "not_selected"
            kept = chosen
    # fit; drop variables whose coefficient has the wrong sign (WOE already points to risk)
    while True:
        X = np.column_stack([woe_cols[k] for k in kept])
        intercept, coef = fit_logistic(X, y.astype(float), l2=params.l2)
        wrong = [k for k, c in zip(kept, coef, strict=True) if c <= 0] if params.positive_coef else []
        if wrong and len(kept) > 1:
            worst = kept[int(np.argmin(coef))]
            kept.remove(worst)
            next(e for e in screened if e["variable"] == worst)["status"] = "wrong_sign"
            continue
        # variables that move the log-odds by little are dropped together, then the rest refitted:
        # a shorter card scores faster (in SQL too) at next to no loss of discrimination
        weak = [k for k, c in zip(kept, coef, strict=True) if abs(c) < params.min_abs_coef]
        if not weak or len(weak) == len(kept):
            break
        for k in weak:
            next(e for e in screened if e["variable"] == k)["status"] = "weak"
            kept.remove(k)
    variables = [binnings[k] for k in kept]
    pts, base = _points(coef, variables, intercept, params)
    warnings = [
        f"column {e['variable']!r} has information value {e['iv']:.2f}: check that it is known before the loan "
        "decision (possible leakage)"
        for e in screened if e["status"] == "kept" and e["iv"] > 1.0
    ]
    return Scorecard(variables=variables, coef=[float(c) for c in coef], intercept=intercept, points=pts,
                     base_points=base, params=params, screened=screened, warnings=warnings)


def cv_auc(frame: Frame, y: np.ndarray, features: list[str], params: ScorecardParams, *, k: int = 5,
           seed: int = 0) -> float:
    folds = metrics.stratified_folds(y, k, seed)
    aucs = []
    for test in folds:
        mask = np.ones(len(y), dtype=bool)
        mask[test] = False
        train = np.flatnonzero(mask)
        sc = fit_scorecard(frame.take(train), y[train], features, params)
        s, _, _ = sc.score(frame.take(test))
        aucs.append(metrics.auc(y[test], -s))
    return float(np.mean(aucs))


def forward_select(woe: dict[str, np.ndarray], order: list[str], y: np.ndarray, *, l2: float,
                   entry_chi2: float, max_features: int,
                   positive_coef: bool = True) -> tuple[list[str], float, np.ndarray]:
    """Forward stepwise selection: add the candidate with the largest score statistic while it
    exceeds `entry_chi2` and every coefficient stays positive (WOE already points to risk)."""
    from .logistic import score_statistics

    yf = y.astype(float)
    n = len(y)
    kept: list[str] = []
    pool = list(order)
    intercept, coef = fit_logistic(np.zeros((n, 0)), yf, l2=l2)
    while pool and len(kept) < max_features:
        A = np.column_stack([np.ones(n), *[woe[k] for k in kept]])
        mu = 1.0 / (1.0 + np.exp(-np.clip(A @ np.r_[intercept, coef], -35, 35)))
        C = np.column_stack([woe[k] for k in pool])
        stats = score_statistics(A, mu, yf, C, l2)
        if not positive_coef:
            stats = np.abs(stats)  # the statistic is signed by the direction the variable would enter
        ranked = np.argsort(-stats, kind="stable")
        names = [pool[r] for r in ranked]
        added = False
        for r, cand in zip(ranked, names, strict=True):
            if stats[r] < entry_chi2:
                break
            X = np.column_stack([woe[k] for k in [*kept, cand]])
            i2, c2 = fit_logistic(X, yf, l2=l2)
            if np.all(c2 > 0) or not positive_coef:
                kept.append(cand)
                pool.remove(cand)
                intercept, coef = i2, c2
                added = True
                break
            pool.remove(cand)  # it only enters with a wrong sign: redundant with what is in
        if not added:
            break
    return kept, intercept, coef
