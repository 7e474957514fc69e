"""Discrimination and stability measures: AUC, KS, Gini, PSI, calibration and lift tables.

Higher scores mean lower risk in a scorecard; these functions take a *risk* (higher = worse,
e.g. a probability of default) so that AUC > 0.5 means the model ranks bads above goods.
"""

from __future__ import annotations

import numpy as np


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1-based) with ties sharing their mean rank."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    ranks = np.empty(len(x), dtype=float)
    # boundaries of tie groups
    diff = np.concatenate([[True], xs[1:] != xs[:-1], [True]])
    starts = np.flatnonzero(diff[:-1])
    ends = np.flatnonzero(diff[1:]) + 1
    avg = (starts + ends + 1) / 2.0
    group = np.repeat(np.arange(len(starts)), ends - starts)
    ranks[order] = avg[group]
    return ranks


def auc(y: np.ndarray, risk: np.ndarray) -> float:
    y = np.asarray(y).astype(bool)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = _ranks(np.asarray(risk, dtype=float))
    return float((r[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def ks(y: np.ndarray, risk: np.ndarray) -> float:
    """Largest gap between the cumulative shares of bads and goods over score thresholds."""
    y = np.asarray(y).astype(bool)
    risk = np.asarray(risk, dtype=float)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    order = np.argsort(-risk, kind="mergesort")
    rs = risk[order]
    ys = y[order]
    cb = np.cumsum(ys) / n1
    cg = np.cumsum(~ys) / n0
    last_of_tie = np.concatenate([rs[1:] != rs[:-1], [True]])
    return float(np.max(np.abs(cb - cg)[last_of_tie]))


def gini(y: np.ndarray, risk: np.ndarray) -> float:
    return 2 * auc(y, risk) - 1


def psi_from_counts(expected: np.ndarray, actual: np.ndarray, eps: float = 1e-4) -> float:
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if e.sum() == 0 or a.sum() == 0:
        return 0.0
    pe = np.clip(e / e.sum(), eps, None)
    pa = np.clip(a / a.sum(), eps, None)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


def score_edges(reference: np.ndarray, n_bins: int = 10) -> list[float]:
    """Decile cut points of a reference (training) score distribution, for PSI."""
    qs = np.quantile(np.asarray(reference, dtype=float), np.linspace(0, 1, n_bins + 1)[1:-1])
    return sorted({float(q) for q in qs})


def psi(reference: np.ndarray, live: np.ndarray, edges: list[float] | None = None) -> float:
    edges = edges if edges is not None else score_edges(reference)
    e = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1)
    a = np.bincount(np.searchsorted(edges, live, side="right"), minlength=len(edges) + 1)
    return psi_from_counts(e, a)


def calibration(y: np.ndarray, pd: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Mean predicted PD against observed bad rate per PD decile."""
    y = np.asarray(y, dtype=float)
    pd = np.asarray(pd, dtype=float)
    order = np.argsort(pd, kind="mergesort")
    out = []
    for k, part in enumerate(np.array_split(order, n_bins)):
        if len(part) == 0:
            continue
        out.append({"bucket": k + 1, "count": len(part), "mean_pd": float(pd[part].mean()),
                    "bad_rate": float(y[part].mean())})
    return out


def lift(y: np.ndarray, risk: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Bad rate and cumulative capture of bads per risk decile, riskiest first."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(-np.asarray(risk, dtype=float), kind="mergesort")
    base = y.mean() if len(y) else 0.0
    total_bad = y.sum() or 1.0
    out = []
    captured = 0.0
    for k, part in enumerate(np.array_split(order, n_bins)):
        if len(part) == 0:
            continue
        rate = float(y[part].mean())
        captured += float(y[part].sum())
        out.append({"decile": k + 1, "count": len(part), "bad_rate": rate,
                    "lift": rate / base if base else None, "cum_capture": captured / total_bad})
    return out


def summary(y: np.ndarray, risk: np.ndarray) -> dict:
    a = auc(y, risk)
    return {"auc": a, "ks": ks(y, risk), "gini": 2 * a - 1, "n": len(y), "bad_rate": float(np.mean(y))}


def stratified_folds(y: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Test-index arrays of k stratified folds (same class balance in each), reproducible by seed."""
    rng = np.random.default_rng(seed)
    folds: list[list[np.ndarray]] = [[] for _ in range(k)]
    for cls in (0, 1):
        idx = np.flatnonzero(np.asarray(y) == cls)
        rng.shuffle(idx)
        for f, part in enumerate(np.array_split(idx, k)):
            folds[f].append(part)
    return [np.sort(np.concatenate(f)) for f in folds]


def holdout_split(y: np.ndarray, test_frac: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/test indices."""
    rng = np.random.default_rng(seed)
    test = []
    for cls in (0, 1):
        idx = np.flatnonzero(np.asarray(y) == cls)
        rng.shuffle(idx)
        test.append(idx[: max(1, round(len(idx) * test_frac))])
    test_idx = np.sort(np.concatenate(test))
    train_mask = np.ones(len(y), dtype=bool)
    train_mask[test_idx] = False
    return np.flatnonzero(train_mask), test_idx
