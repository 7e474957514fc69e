"""Optimal binning with monotonic event-rate trends, WOE and information value.

Numeric columns are cut into up to `max_prebins` pre-bins of at least `min_prebin_frac` of the
rows, by a one-variable CART (or by quantiles); pre-bins holding only goods or only bads are
joined to a neighbour. Adjacent pre-bins are then merged by dynamic programming into the
partition of highest information value whose bins each hold at least `min_bin_frac` of the rows
and whose bad rates follow the trend (ascending, descending, peak, valley, or "auto": the shape
with the best likelihood-ratio statistic penalised per bin, AIC by default). Categorical columns are ordered by
smoothed bad rate and merged the same way. Missing values get their own bin and their own
(smoothed) WOE, so missingness that carries risk is kept. Unseen categories at scoring get WOE 0.

WOE here is ln(share of bads / share of goods): positive means riskier than average.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MISSING_KEY = "\x00missing"
SMOOTH = 0.5  # pseudo-count added to bads and goods of each bin before taking logs
TRENDS = ("ascending", "descending", "peak", "valley", "auto", "auto_asc_desc", "none")


@dataclass
class BinningParams:
    max_prebins: int = 20
    min_bin_frac: float = 0.05
    trend: str = "auto"
    max_categories: int = 200  # a categorical column with more distinct values is treated as an id
    min_category_frac: float = 0.01  # rarer categories are pooled before ordering
    special_codes: tuple[float, ...] = ()
    prebinning: str = "cart"  # "cart" (target-aware) or "quantile"
    min_prebin_frac: float = 0.05
    trend_criterion: str = "aic"  # how "auto" picks the shape: "aic", "bic" or "iv" (see _trend_score)
    merge_pure: bool = True  # join pre-bins without bads or without goods to a neighbour


@dataclass
class Binning:
    name: str
    kind: str  # "numeric" | "categorical"
    splits: list[float] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    special_codes: list[float] = field(default_factory=list)
    # Per bin in order: regular bins, then each special code, then missing.
    n: list[int] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    woe: list[float] = field(default_factory=list)
    iv: float = 0.0
    trend: str = ""

    # -- layout -------------------------------------------------------------------------------
    @property
    def n_regular(self) -> int:
        return len(self.splits) + 1 if self.kind == "numeric" else len(self.groups)

    @property
    def missing_index(self) -> int:
        return self.n_regular + len(self.special_codes)

    @property
    def unseen_index(self) -> int:
        """Index past the table: rows whose category was never seen in training (WOE 0)."""
        return self.missing_index + 1

    def labels(self) -> list[str]:
        out: list[str] = []
        if self.kind == "numeric":
            edges = ["-inf", *[_fmt(s) for s in self.splits], "inf"]
            out = [f"[{edges[i]}, {edges[i + 1]})" for i in range(len(edges) - 1)]
        else:
            for g in self.groups:
                shown = ", ".join(g[:4]) + (f" …(+{len(g) - 4})" if len(g) > 4 else "")
                out.append("{" + shown + "}")
        out += [f"= {_fmt(c)}" for c in self.special_codes]
        out.append("missing")
        return out

    # -- applying -----------------------------------------------------------------------------
    def index(self, values: np.ndarray) -> np.ndarray:
        """Bin index of each value (unseen categories get `unseen_index`)."""
        if self.kind == "numeric":
            x = as_float(values)
            idx = np.searchsorted(np.asarray(self.splits, dtype=float), x, side="right")
            for k, code in enumerate(self.special_codes):
                idx[x == code] = self.n_regular + k
            idx[np.isnan(x)] = self.missing_index
            return idx
        lookup = {c: i for i, g in enumerate(self.groups) for c in g}
        keys = np.array([MISSING_KEY if v is None else str(v) for v in values], dtype=object)
        uniq, inv = np.unique(keys, return_inverse=True)
        mapped = np.array(
            [self.missing_index if u == MISSING_KEY else lookup.get(u, self.unseen_index) for u in uniq], dtype=np.int64
        )
        return mapped[inv] if len(uniq) else np.zeros(0, dtype=np.int64)

    def woe_table(self) -> np.ndarray:
        return np.array([*self.woe, 0.0])  # the last entry is for unseen categories

    def transform(self, values: np.ndarray) -> np.ndarray:
        return self.woe_table()[self.index(values)]

    def to_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "splits": self.splits, "groups": self.groups,
            "special_codes": self.special_codes, "n": self.n, "bad": self.bad, "woe": self.woe,
            "iv": self.iv, "trend": self.trend,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Binning:
        return cls(**d)

    def table(self) -> list[dict]:
        total_n = sum(self.n) or 1
        return [
            {"bin": lab, "count": n, "share": n / total_n, "bads": b, "bad_rate": (b / n if n else None), "woe": w}
            for lab, n, b, w in zip(self.labels(), self.n, self.bad, self.woe, strict=True)
        ]


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def as_float(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return values.astype(float, copy=False)
    if values.dtype.kind in "iub":
        return values.astype(float)
    from .frame import parse_numeric

    return parse_numeric(values)[0]


def nice_split(lo: float, hi: float) -> float:
    """The shortest decimal s with lo < s <= hi (so x < s separates lo from hi in any SQL engine)."""
    mid = (lo + hi) / 2.0
    for digits in range(1, 18):
        s = float(f"{mid:.{digits}g}")
        if lo < s <= hi:
            return s
    return hi


def _woe(bad: np.ndarray, good: np.ndarray, total_bad: float, total_good: float) -> np.ndarray:
    k = len(bad)
    pb = (bad + SMOOTH) / (total_bad + SMOOTH * k)
    pg = (good + SMOOTH) / (total_good + SMOOTH * k)
    return np.log(pb / pg)


def _iv_parts(bad: np.ndarray, good: np.ndarray, total_bad: float, total_good: float) -> np.ndarray:
    pb = bad / total_bad
    pg = good / total_good
    woe = np.log((bad + SMOOTH) / (total_bad + SMOOTH)) - np.log((good + SMOOTH) / (total_good + SMOOTH))
    return (pb - pg) * woe


def optimal_partition(bad: np.ndarray, good: np.ndarray, *, min_n: float, trend: str,
                      total_bad: float, total_good: float) -> tuple[list[int], float]:
    """Group boundaries (indices into the pre-bins, ending with K) maximising IV under the trend.

    Dynamic programme over (start, end) of the last group: best[i, j] is the best IV of a
    partition of pre-bins [0, j) whose last group is [i, j).
    """
    K = len(bad)
    cb = np.concatenate([[0.0], np.cumsum(bad)])
    cg = np.concatenate([[0.0], np.cumsum(good)])
    B = cb[:, None]
    G = cg[:, None]
    b = cb[None, :] - B  # b[i, j] = bads in [i, j)
    g = cg[None, :] - G
    n = b + g
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, b / n, np.nan)
        iv = _iv_parts(b, g, total_bad, total_good)
    valid = (n >= min_n) & np.triu(np.ones((K + 1, K + 1), dtype=bool), 1)
    if not valid[0, K]:
        return [K], 0.0
    if trend == "descending":
        rate = -rate
    neg = -np.inf
    # phase 0: rising part (or the only part); phase 1: falling part after the peak
    up = np.full((K + 1, K + 1), neg)
    down = np.full((K + 1, K + 1), neg)
    arg_up = np.full((K + 1, K + 1, 2), -1, dtype=np.int64)  # (k, phase) of the previous group
    arg_down = np.full((K + 1, K + 1, 2), -1, dtype=np.int64)
    two_phase = trend in ("peak", "valley")
    sign = -1.0 if trend == "valley" else 1.0
    r = rate * sign if two_phase else rate
    for j in range(1, K + 1):
        if valid[0, j]:
            up[0, j] = iv[0, j]
    for i in range(1, K):
        prev_up = up[:i, i]
        prev_down = down[:i, i]
        prev_r = r[:i, i]
        js = np.arange(i + 1, K + 1)
        ok_j = valid[i, js]
        if not ok_j.any():
            continue
        cur_r = r[i, js]
        if trend == "none":
            rising = np.ones((i, len(js)), dtype=bool)
        else:
            rising = prev_r[:, None] < cur_r[None, :]
        falling = prev_r[:, None] > cur_r[None, :]
        # continue rising from a rising group
        cand = np.where(rising, prev_up[:, None], neg)
        k_best = np.argmax(cand, axis=0)
        v_best = cand[k_best, np.arange(len(js))]
        up[i, js] = np.where(ok_j & np.isfinite(v_best), v_best + iv[i, js], neg)
        arg_up[i, js, 0] = k_best
        arg_up[i, js, 1] = 0
        if two_phase:
            c1 = np.where(falling, prev_up[:, None], neg)
            c2 = np.where(falling, prev_down[:, None], neg)
            k1 = np.argmax(c1, axis=0)
            k2 = np.argmax(c2, axis=0)
            v1 = c1[k1, np.arange(len(js))]
            v2 = c2[k2, np.arange(len(js))]
            use2 = v2 > v1
            v = np.where(use2, v2, v1)
            down[i, js] = np.where(ok_j & np.isfinite(v), v + iv[i, js], neg)
            arg_down[i, js, 0] = np.where(use2, k2, k1)
            arg_down[i, js, 1] = np.where(use2, 1, 0)
    end_up = up[:, K]
    end_down = down[:, K]
    i_up = int(np.argmax(end_up))
    i_down = int(np.argmax(end_down))
    if end_down[i_down] > end_up[i_up]:
        i, phase, total = i_down, 1, end_down[i_down]
    else:
        i, phase, total = i_up, 0, end_up[i_up]
    if not np.isfinite(total):
        return [K], float(iv[0, K])
    bounds = [K]
    j = K
    while i > 0:
        bounds.append(i)
        arg = arg_down if phase == 1 else arg_up
        k, ph = arg[i, j]
        j, i, phase = i, int(k), int(ph)
    return sorted(bounds), float(total)


def _trend_score(bad: np.ndarray, good: np.ndarray, bounds: list[int], total_iv: float, trend: str,
                 criterion: str) -> float:
    """How a candidate shape is ranked against the others under `criterion`.

    "aic"/"bic": the likelihood-ratio (G) statistic of the grouping against a single bin, less 2
    (AIC) or ln(n) (BIC) per extra bin, so the extra bins a two-phase shape tends to use must pay
    their way. "iv": the information value, two-phase shapes discounted by 10%."""
    if criterion == "iv":
        return total_iv * (0.9 if trend in ("peak", "valley") else 1.0)
    edges = np.r_[0, bounds]
    gb = np.add.reduceat(bad, edges[:-1])
    gg = np.add.reduceat(good, edges[:-1])
    n = gb + gg
    N = n.sum()
    p = gb.sum() / N
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(gb > 0, gb * np.log(gb / n / p), 0.0) + np.where(gg > 0, gg * np.log(gg / n / (1 - p)), 0.0)
    pen = np.log(N) if criterion == "bic" else 2.0
    return float(2 * ll.sum() - (len(bounds) - 1) * pen)


def _fit_groups(bad: np.ndarray, good: np.ndarray, *, min_n: float, trend: str, total_bad: float,
                total_good: float, criterion: str = "aic") -> tuple[list[int], str]:
    if trend in ("auto", "auto_asc_desc"):
        options = ["ascending", "descending"] + (["peak", "valley"] if trend == "auto" else [])
        best: tuple[float, list[int], str] | None = None
        for t in options:
            bounds, total = optimal_partition(bad, good, min_n=min_n, trend=t, total_bad=total_bad,
                                              total_good=total_good)
            score = _trend_score(bad, good, bounds, total, t, criterion)
            if best is None or score > best[0] + 1e-12:
                best = (score, bounds, t)
        assert best is not None
        return best[1], best[2]
    bounds, _ = optimal_partition(bad, good, min_n=min_n, trend=trend, total_bad=total_bad, total_good=total_good)
    return bounds, trend


def _cart_prebin_splits(x: np.ndarray, y: np.ndarray, max_prebins: int, min_n: float) -> list[float]:
    """Target-aware pre-bins: a best-first CART on one variable (Gini), at most `max_prebins`
    leaves of at least `min_n` rows each. Cuts fall where the bad rate changes, which quantiles
    miss when a single value (a standard loan term, say) carries most of the signal."""
    u, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    if len(u) <= 1:
        return []
    bads = np.bincount(inv, weights=y, minlength=len(u))
    cn = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    cb = np.concatenate([[0.0], np.cumsum(bads)])

    def best_cut(a: int, b: int) -> tuple[float, int]:
        # cut c in (a, b): left [a, c), right [c, b); the weighted Gini decrease (up to a constant)
        c = np.arange(a + 1, b)
        nl = cn[c] - cn[a]
        nr = cn[b] - cn[c]
        ok = (nl >= min_n) & (nr >= min_n)
        if not ok.any():
            return 0.0, -1
        bl = cb[c] - cb[a]
        br = cb[b] - cb[c]
        n = cn[b] - cn[a]
        bt = cb[b] - cb[a]
        # n * gini = 2 * bads * goods / n; the decrease is parent minus the two children
        parent = 2 * bt * (n - bt) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            child = 2 * bl * (nl - bl) / nl + 2 * br * (nr - br) / nr
        gain = np.where(ok, parent - child, -np.inf)
        k = int(np.argmax(gain))
        return float(gain[k]), int(c[k])

    import heapq

    heap: list[tuple[float, int, int, int]] = []
    cuts: list[int] = []

    def push(a: int, b: int) -> None:
        gain, c = best_cut(a, b)
        if c > 0 and gain > 1e-12:
            heapq.heappush(heap, (-gain, a, b, c))

    push(0, len(u))
    while heap and len(cuts) + 1 < max_prebins:
        _, a, b, c = heapq.heappop(heap)
        cuts.append(c)
        push(a, c)
        push(c, b)
    return [nice_split(float(u[c - 1]), float(u[c])) for c in sorted(cuts)]


def _prebin_splits(x: np.ndarray, max_prebins: int) -> list[float]:
    u, counts = np.unique(x, return_counts=True)
    if len(u) <= 1:
        return []
    if len(u) <= max_prebins:
        cut_after = np.arange(len(u) - 1)
    else:
        cum = np.cumsum(counts)
        targets = cum[-1] * np.arange(1, max_prebins) / max_prebins
        cut_after = np.unique(np.searchsorted(cum, targets, side="left"))
        cut_after = cut_after[cut_after < len(u) - 1]
    return [nice_split(float(u[i]), float(u[i + 1])) for i in cut_after]


def _merge_pure_prebins(pre: list[float], x: np.ndarray, y: np.ndarray,
                        merge: bool) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Pre-bin splits with bad counts and row counts; with `merge`, a pre-bin holding only goods or
    only bads is joined to its right neighbour (the last to its left). A pure bin's WOE is set by
    the smoothing constant alone, so its information value is an artefact that would otherwise
    pull the optimiser towards carving out small pure tails."""
    while True:
        idx = np.searchsorted(np.asarray(pre), x, side="right")
        k = len(pre) + 1
        pb = np.bincount(idx, weights=y, minlength=k)
        pn = np.bincount(idx, minlength=k).astype(float)
        pure = (pb == 0) | (pb == pn)
        if not merge or not pre or not pure.any():
            return pre, pb, pn
        drop = np.concatenate([pure[:-2], [pure[-2] | pure[-1]]])
        pre = [s for s, d in zip(pre, drop, strict=True) if not d]


def fit_numeric(name: str, x: np.ndarray, y: np.ndarray, params: BinningParams) -> Binning:
    total_bad = float(y.sum())
    total_good = float(len(y) - total_bad)
    missing = np.isnan(x)
    special = np.zeros(len(x), dtype=bool)
    codes = [float(c) for c in params.special_codes if np.any(x == c)]
    for c in codes:
        special |= x == c
    regular = ~missing & ~special
    xr = x[regular]
    yr = y[regular]
    min_n = max(params.min_bin_frac * len(y), 1.0)
    if params.prebinning == "cart":
        pre = _cart_prebin_splits(xr, yr, params.max_prebins, max(params.min_prebin_frac * len(y), 1.0))
    else:
        pre = _prebin_splits(xr, params.max_prebins)
    pre, pb, pn = _merge_pure_prebins(pre, xr, yr, params.merge_pure)
    bounds, trend = _fit_groups(pb, pn - pb, min_n=min_n, trend=params.trend, total_bad=total_bad,
                                total_good=total_good, criterion=params.trend_criterion)
    splits = [pre[bnd - 1] for bnd in bounds[:-1]]
    binning = Binning(name=name, kind="numeric", splits=splits, special_codes=codes, trend=trend)
    return _finish(binning, x, y, total_bad, total_good)


def fit_categorical(name: str, x: np.ndarray, y: np.ndarray, params: BinningParams) -> Binning:
    total_bad = float(y.sum())
    total_good = float(len(y) - total_bad)
    keys = np.array([MISSING_KEY if v is None else str(v) for v in x], dtype=object)
    present = keys != MISSING_KEY
    cats, inv = np.unique(keys[present], return_inverse=True)
    yp = y[present]
    cn = np.bincount(inv, minlength=len(cats)).astype(float)
    cb = np.bincount(inv, weights=yp, minlength=len(cats))
    if len(cats) == 0:
        binning = Binning(name=name, kind="categorical", groups=[], trend="none")
        return _finish(binning, x, y, total_bad, total_good)
    # pool rare categories, then order the units by smoothed bad rate
    rare = cn < max(params.min_category_frac * len(y), 1)
    units: list[list[str]] = [[str(c)] for c, r in zip(cats, rare, strict=True) if not r]
    un = list(cn[~rare])
    ub = list(cb[~rare])
    if rare.any():
        units.append([str(c) for c in cats[rare]])
        un.append(float(cn[rare].sum()))
        ub.append(float(cb[rare].sum()))
    un_a = np.array(un)
    ub_a = np.array(ub)
    prior = total_bad / (total_bad + total_good)
    smoothed = (ub_a + 10 * prior) / (un_a + 10)
    order = np.argsort(smoothed, kind="stable")
    min_n = max(params.min_bin_frac * len(y), 1.0)
    bounds, _ = _fit_groups(ub_a[order], (un_a - ub_a)[order], min_n=min_n, trend="ascending",
                            total_bad=total_bad, total_good=total_good)
    groups: list[list[str]] = []
    start = 0
    for end in bounds:
        groups.append(sorted(c for u in order[start:end] for c in units[u]))
        start = end
    binning = Binning(name=name, kind="categorical", groups=groups, trend="ascending")
    return _finish(binning, x, y, total_bad, total_good)


def _finish(binning: Binning, x: np.ndarray, y: np.ndarray, total_bad: float, total_good: float) -> Binning:
    idx = binning.index(x)
    size = binning.missing_index + 1
    n = np.bincount(idx, minlength=size)[:size].astype(float)
    b = np.bincount(idx, weights=y, minlength=size)[:size]
    g = n - b
    woe = _woe(b, g, total_bad, total_good)
    # an empty bin (missing never seen, a special code absent) is neutral
    woe = np.where(n > 0, woe, 0.0)
    binning.n = [int(v) for v in n]
    binning.bad = [int(v) for v in b]
    binning.woe = [float(v) for v in woe]
    binning.iv = float(np.sum((b / total_bad - g / total_good) * woe))
    return binning


def fit_binning(name: str, x: np.ndarray, y: np.ndarray, params: BinningParams | None = None) -> Binning:
    params = params or BinningParams()
    if x.dtype.kind == "f":
        return fit_numeric(name, x, y, params)
    return fit_categorical(name, x, y, params)
