"""From score to a calibrated probability of default (PD).

A model ranks; a bank also needs the PD a score stands for to match the bad rate it will see.
The map is fitted on out-of-fold scores (scores of rows the model producing them never saw), so it
corrects the over-confidence of an in-sample fit:

- "platt": PD = 1 / (1 + exp((score - offset) / factor)), a logistic fit of the outcome on the
  score. It keeps the scorecard's own form (a new offset and factor), so SQL scoring is unchanged.
- "isotonic": a non-increasing step function of the score (pool-adjacent-violators), each step's
  PD the smoothed bad rate of its rows; for when the score-to-odds relation is not straight.
- "none": the model's own mapping.

`choose` compares the three by cross-fitted Brier score on the out-of-fold scores (each fold's map
is fitted on the other folds) and keeps the simplest within a small tolerance of the best.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .logistic import fit_logistic

METHODS = ("none", "platt", "isotonic")
PD_FLOOR = 1e-4  # no PD of exactly 0 or 1: a bank prices every loan
MAX_STEPS = 40  # isotonic steps are merged down to at most this many (readable, cheap in SQL)


@dataclass
class Calibration:
    method: str = "none"
    offset: float | None = None  # platt
    factor: float | None = None
    upper: list[float] = field(default_factory=list)  # isotonic: highest score of each step, ascending
    pd: list[float] = field(default_factory=list)  # isotonic: PD of each step

    def apply(self, score: np.ndarray, offset: float, factor: float) -> np.ndarray:
        """PD of each score; `offset` and `factor` are the model's own (used by "none")."""
        s = np.asarray(score, dtype=float)
        if self.method == "isotonic" and self.upper:
            k = np.minimum(np.searchsorted(np.asarray(self.upper), s, side="left"), len(self.pd) - 1)
            return np.asarray(self.pd)[k]
        if self.method == "platt" and self.offset is not None and self.factor:
            offset, factor = self.offset, self.factor
        z = np.clip((s - offset) / factor, -700, 700)
        return 1.0 / (1.0 + np.exp(z))

    def to_dict(self) -> dict:
        return {"method": self.method, "offset": self.offset, "factor": self.factor, "upper": self.upper,
                "pd": self.pd}

    @classmethod
    def from_dict(cls, d: dict | None) -> Calibration:
        if not d:
            return cls()
        return cls(method=d.get("method", "none"), offset=d.get("offset"), factor=d.get("factor"),
                   upper=list(d.get("upper") or []), pd=list(d.get("pd") or []))


def brier(y: np.ndarray, pd: np.ndarray) -> float:
    y = np.asarray(y, dtype=float)
    return float(np.mean((np.asarray(pd, dtype=float) - y) ** 2)) if len(y) else float("nan")


def fit_platt(score: np.ndarray, y: np.ndarray, offset: float, factor: float) -> Calibration:
    """Logistic regression of bad on the model's log-odds of bad, rewritten as a new offset/factor."""
    x = (offset - np.asarray(score, dtype=float)) / factor  # the model's logit of bad
    a, b = fit_logistic(x[:, None], np.asarray(y, dtype=float), l2=1e-6)
    slope = float(b[0])
    if not math.isfinite(slope) or slope <= 1e-6:
        return Calibration()  # the scores carry no usable order: keep the model's own map
    # sigmoid(a + slope * (offset - s) / factor) = 1 / (1 + exp((s - c) / f))
    return Calibration(method="platt", offset=offset + a * factor / slope, factor=factor / slope)


def pav_decreasing(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pool adjacent violators for a fit non-increasing in x. Returns each block's highest x,
    row count, bad count and mean (blocks ascending in x)."""
    order = np.argsort(x, kind="mergesort")
    xs = np.asarray(x, dtype=float)[order]
    ys = np.asarray(y, dtype=float)[order]
    # tied x values form one starting block
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    n = np.diff(np.r_[starts, len(xs)]).astype(float)
    s = np.add.reduceat(ys, starts)
    top = xs[np.r_[starts[1:], len(xs)] - 1]
    bn, bs, bt = [], [], []
    for i in range(len(n)):
        bn.append(n[i])
        bs.append(s[i])
        bt.append(top[i])
        # non-increasing: merge while the new block's mean exceeds the previous one's
        while len(bn) > 1 and bs[-1] / bn[-1] > bs[-2] / bn[-2]:
            last_n, last_s, last_t = bn.pop(), bs.pop(), bt.pop()
            bn[-1] += last_n
            bs[-1] += last_s
            bt[-1] = last_t
    bn_a, bs_a = np.array(bn), np.array(bs)
    return np.array(bt), bn_a, bs_a, bs_a / bn_a


def fit_isotonic(score: np.ndarray, y: np.ndarray, max_steps: int = MAX_STEPS) -> Calibration:
    top, n, bads, _ = pav_decreasing(np.asarray(score, dtype=float), np.asarray(y, dtype=float))
    top, n, bads = list(top), list(n), list(bads)
    # merge the smallest step into its neighbour with the closer rate until few enough remain
    while len(n) > max_steps:
        i = int(np.argmin(n))
        rate = [b / c for b, c in zip(bads, n, strict=True)]
        if i == 0:
            j = 1
        elif i == len(n) - 1:
            j = i - 1
        else:
            j = i - 1 if abs(rate[i - 1] - rate[i]) <= abs(rate[i + 1] - rate[i]) else i + 1
        lo, hi = min(i, j), max(i, j)
        hi_n, hi_b, hi_t = n.pop(hi), bads.pop(hi), top.pop(hi)
        n[lo] += hi_n
        bads[lo] += hi_b
        top[lo] = hi_t
    # smoothed rates (half a pseudo-bad and half a pseudo-good per step), kept non-increasing
    pd = [(b + 0.5) / (c + 1.0) for b, c in zip(bads, n, strict=True)]
    for k in range(1, len(pd)):
        pd[k] = min(pd[k], pd[k - 1])
    pd = [float(np.clip(p, PD_FLOOR, 1 - PD_FLOOR)) for p in pd]
    return Calibration(method="isotonic", upper=[float(t) for t in top], pd=pd)


def fit(method: str, score: np.ndarray, y: np.ndarray, offset: float, factor: float) -> Calibration:
    if method == "platt":
        return fit_platt(score, y, offset, factor)
    if method == "isotonic":
        return fit_isotonic(score, y)
    return Calibration()


def choose(score: np.ndarray, y: np.ndarray, offset: float, factor: float, *, folds: list[np.ndarray],
           tolerance: float = 0.002) -> tuple[Calibration, dict]:
    """The calibration with the best cross-fitted Brier score on out-of-fold scores (the simplest
    within `tolerance`, relative, of the best), fitted on all of them; with the cross-fitted PDs of
    each method for the report's reliability table."""
    score = np.asarray(score, dtype=float)
    y = np.asarray(y, dtype=float)
    crossed: dict[str, np.ndarray] = {}
    for method in METHODS:
        pd = np.empty(len(y))
        for te in folds:
            mask = np.ones(len(y), dtype=bool)
            mask[te] = False
            cal = fit(method, score[mask], y[mask], offset, factor)
            pd[te] = cal.apply(score[te], offset, factor)
        crossed[method] = pd
    scores = {m: brier(y, crossed[m]) for m in METHODS}
    best = min(scores.values())
    method = next(m for m in METHODS if scores[m] <= best * (1 + tolerance))
    final = fit(method, score, y, offset, factor)
    return final, {"method": final.method, "brier": scores, "cross_fitted_pd": crossed[final.method],
                   "uncalibrated_pd": crossed["none"]}
