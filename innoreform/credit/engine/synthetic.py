"""Seeded synthetic credit data with a known structure, to check that the engine finds what is there.

`structured(n, seed)` returns a frame and the truth it was drawn from. The log-odds of bad are

    base + 0.9 * mono                      monotone (ascending)
         + 0.45 * (u ** 2 - 3)             U-shaped: risky at both ends (a "valley" of bad rates)
         + 1.1 * [step >= 60]              a step at 60
         + 0.9 * inter_a * inter_b         an interaction (neither column matters alone)
         + 1.3 * [income missing]          informative missingness (income itself carries nothing)
         + effect[branch]                  a categorical of 150 branches, each with its own effect

plus two noise columns, and `leak_dpd`, days past due at the loan's close, which is known only after
the outcome (a model must not use it; the engine must warn about it).
"""

from __future__ import annotations

import numpy as np

from .frame import Frame

STEP_AT = 60.0
BRANCHES = 150


def structured(n: int = 4000, seed: int = 0, *, leak: bool = True, base: float = -1.9) -> tuple[Frame, dict]:
    rng = np.random.default_rng(seed)
    mono = rng.normal(size=n)
    u = rng.uniform(-3, 3, size=n)
    step = rng.uniform(0, 100, size=n)
    inter_a = rng.normal(size=n)
    inter_b = rng.normal(size=n)
    income = np.round(rng.lognormal(8.5, 0.6, size=n), 0)
    missing = rng.random(n) < 0.15
    income[missing] = np.nan
    # branch sizes fall off like a power law (a few large, many small), effects drawn at random
    weights = 1.0 / np.arange(1, BRANCHES + 1) ** 0.7
    branch_idx = rng.choice(BRANCHES, size=n, p=weights / weights.sum())
    effects = rng.normal(0, 0.8, size=BRANCHES)
    logit = (base + 0.9 * mono + 0.45 * (u**2 - 3) + 1.1 * (step >= STEP_AT) + 0.9 * inter_a * inter_b
             + 1.3 * missing + effects[branch_idx])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    cols: dict[str, np.ndarray] = {
        "mono": np.round(mono, 4), "u": np.round(u, 4), "step": np.round(step, 3),
        "inter_a": np.round(inter_a, 4), "inter_b": np.round(inter_b, 4), "income": income,
        "branch": np.array([f"B{i:03d}" for i in branch_idx], dtype=object),
        "noise_num": np.round(rng.normal(size=n), 4),
        "noise_cat": np.array([f"c{i}" for i in rng.integers(0, 6, size=n)], dtype=object),
    }
    if leak:
        # days past due when the loan closed: large for bads, small for goods, some overlap
        cols["leak_dpd"] = np.where(y == 1, rng.integers(25, 200, size=n), rng.integers(0, 35, size=n)).astype(float)
    cols["bad"] = y
    truth = {
        "target": "bad", "monotone": "mono", "u_shaped": "u", "step": ("step", STEP_AT),
        "interaction": ("inter_a", "inter_b"), "informative_missing": "income", "high_cardinality": "branch",
        "noise": ["noise_num", "noise_cat"], "leak": "leak_dpd" if leak else None, "bad_rate": float(y.mean()),
    }
    return Frame(cols), truth


def check_scorecard(model, truth: dict) -> dict[str, bool]:
    """Which parts of the known structure a fitted scorecard recovered (by its bins)."""
    by = {b.name: b for b in model.variables}
    out: dict[str, bool] = {}
    b = by.get(truth["monotone"])
    out["monotone"] = b is not None and b.trend == "ascending"
    b = by.get(truth["u_shaped"])
    out["u_shaped"] = b is not None and b.trend == "valley"
    name, at = truth["step"]
    b = by.get(name)
    out["step"] = b is not None and any(abs(s - at) <= 5 for s in b.splits)
    b = by.get(truth["informative_missing"])
    out["informative_missing"] = b is not None and b.woe[b.missing_index] > 0.5
    b = by.get(truth["high_cardinality"])
    out["high_cardinality"] = b is not None and len(b.groups) >= 3
    out["noise_left_out"] = not any(n in by for n in truth["noise"])
    return out
