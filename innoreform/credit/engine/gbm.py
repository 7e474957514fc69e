"""Gradient-boosting challenger (LightGBM) with reasons from feature contributions (SHAP values
that LightGBM computes exactly for trees, `pred_contrib=True`).

The number of trees is chosen by stratified cross-validation with early stopping on the training
data only; the model is then refitted on all training rows. Categorical columns are coded by
their sorted training categories; unseen categories and text in numeric columns become missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .calibration import Calibration
from .errors import CreditDataError
from .frame import Frame
from .scorecard import check_training_data

# Candidate shapes compared by cross-validated AUC on the training rows (the best one is refitted).
CANDIDATES = ({"num_leaves": 15, "min_data_in_leaf": 20}, {"num_leaves": 31, "min_data_in_leaf": 10})
DEFAULT_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 10.0,
    "min_data_per_group": 20,
    "verbose": -1,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
}


@dataclass
class GbmModel:
    features: list[str]
    categories: dict[str, list[str]]
    booster_text: str
    params: dict
    num_trees: int
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0
    warnings: list[str] = field(default_factory=list)
    calibration: Calibration = field(default_factory=Calibration)  # score -> PD (see calibration.py)
    _booster: object = field(default=None, repr=False, compare=False)

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    @property
    def booster(self):
        if self._booster is None:
            import lightgbm as lgb

            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    def matrix(self, frame: Frame) -> np.ndarray:
        missing = [f for f in self.features if f not in frame]
        if missing:
            raise CreditDataError(f"the data lacks the model's column(s): {', '.join(missing)}", code="missing_columns")
        return encode(frame, self.features, self.categories)

    def predict(self, frame: Frame) -> np.ndarray:
        return np.asarray(self.booster.predict(self.matrix(frame), num_iteration=self.num_trees))

    def score(self, frame: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Integer score on the scorecard's scale, PD, and per-feature contributions (log-odds of bad)."""
        X = self.matrix(frame)
        contrib = np.asarray(self.booster.predict(X, num_iteration=self.num_trees, pred_contrib=True))
        logit = contrib.sum(axis=1)
        score = np.floor(self.offset - self.factor * logit + 0.5).astype(np.int64)
        if self.calibration.method == "none":
            pd = 1.0 / (1.0 + np.exp(-logit))
        else:
            pd = self.calibration.apply(score, self.offset, self.factor)
        return score, pd, contrib[:, :-1]

    def reasons(self, contrib: np.ndarray, frame: Frame | None = None, top: int = 3) -> list[list[dict]]:
        """Features pushing the risk up most (positive contribution), in points lost."""
        order = np.argsort(-contrib, axis=1, kind="stable")[:, :top]
        out = []
        for i in range(contrib.shape[0]):
            row = []
            for j in order[i]:
                c = contrib[i, j]
                if c <= 0:
                    break
                r = {"variable": self.features[j], "points_lost": math.floor(self.factor * c + 0.5)}
                if frame is not None:
                    v = frame[self.features[j]][i]
                    r["bin"] = "missing" if v is None or (isinstance(v, float) and np.isnan(v)) else f"= {v}"
                row.append(r)
            out.append(row)
        return out

    def importance(self) -> list[dict]:
        gains = self.booster.feature_importance(importance_type="gain", iteration=self.num_trees)
        total = float(np.sum(gains)) or 1.0
        return sorted(({"variable": f, "gain_share": float(g) / total}
                       for f, g in zip(self.features, gains, strict=True)),
                      key=lambda d: -d["gain_share"])

    def to_dict(self) -> dict:
        return {"kind": "gbm", "features": self.features, "categories": self.categories, "params": self.params,
                "num_trees": self.num_trees, "base_score": self.base_score, "base_odds": self.base_odds,
                "pdo": self.pdo, "warnings": self.warnings, "calibration": self.calibration.to_dict()}

    @classmethod
    def from_dict(cls, d: dict, booster_text: str) -> GbmModel:
        return cls(features=d["features"], categories=d["categories"], booster_text=booster_text,
                   params=d["params"], num_trees=int(d["num_trees"]), base_score=d["base_score"],
                   base_odds=d["base_odds"], pdo=d["pdo"], warnings=d.get("warnings", []),
                   calibration=Calibration.from_dict(d.get("calibration")))


def small_data(params: dict, rows: int) -> dict:
    """Leaves of at most an eighth of the rows: on a few dozen rows a minimum of 20 per leaf would
    allow no split at all."""
    cap = max(3, rows // 8)
    if params.get("min_data_in_leaf", 20) > cap:
        params = {**params, "min_data_in_leaf": cap,
                  "min_data_per_group": min(params.get("min_data_per_group", 20), cap)}
    return params


def encode(frame: Frame, features: list[str], categories: dict[str, list[str]]) -> np.ndarray:
    from .binning import as_float

    X = np.empty((len(frame), len(features)), dtype=float)
    for j, f in enumerate(features):
        col = frame[f]
        if f in categories:
            lookup = {c: float(i) for i, c in enumerate(categories[f])}
            X[:, j] = [np.nan if v is None else lookup.get(str(v), np.nan) for v in col]
        else:
            X[:, j] = as_float(col) if col.dtype.kind != "f" else col
    return X


def fit_gbm(frame: Frame, y: np.ndarray, features: list[str], *, seed: int = 0, params: dict | None = None,
            cv_folds: int = 5, max_rounds: int = 3000, base_score: float = 600.0, base_odds: float = 50.0,
            pdo: float = 20.0, rounds: int | None = None) -> GbmModel:
    """With `rounds`, one booster of `params` and that many trees; otherwise the number of trees
    (and, without `params`, the shape among CANDIDATES) by cross-validated early stopping."""
    import lightgbm as lgb

    from .metrics import stratified_folds

    check_training_data(frame, y)
    if not features:
        raise CreditDataError("no usable feature columns", code="no_features")
    categories = {f: sorted({str(v) for v in frame[f] if v is not None})
                  for f in features if frame[f].dtype.kind != "f"}
    X = encode(frame, features, categories)
    cat_idx = [j for j, f in enumerate(features) if f in categories]
    base = small_data({**DEFAULT_PARAMS, **(params or {}), "seed": seed}, len(y))
    yf = y.astype(float)
    folds = stratified_folds(y, cv_folds, seed)
    all_idx = np.arange(len(y))
    splits = [(np.setdiff1d(all_idx, te), te) for te in folds]
    ds = lgb.Dataset(X, label=yf, categorical_feature=cat_idx, free_raw_data=False,
                     params={"verbose": -1, "min_data_in_bin": 3, "feature_pre_filter": False})
    best: tuple[float, dict, int] | None = None
    if rounds is not None:
        best = (0.0, base, int(rounds))
    for cand in ([] if rounds is not None else [{}] if params else CANDIDATES):
        p = {**base, **cand}
        res = lgb.cv(p, ds, num_boost_round=max_rounds, folds=splits, metrics="auc", seed=seed,
                     callbacks=[lgb.early_stopping(60, verbose=False)])
        key = next(k for k in res if k.endswith("auc-mean"))
        r = int(np.argmax(res[key]))
        if best is None or res[key][r] > best[0]:
            best = (float(res[key][r]), p, r + 1)
    assert best is not None
    _, p, rounds = best
    booster = lgb.train(p, ds, num_boost_round=rounds)
    model = GbmModel(features=features, categories=categories, booster_text=booster.model_to_string(),
                     params=p, num_trees=rounds, base_score=base_score, base_odds=base_odds, pdo=pdo)
    model._booster = booster
    return model
