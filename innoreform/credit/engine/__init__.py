"""Credit scoring engine: pure Python and numpy, no Django.

frame    reading CSV, Excel, Parquet and ARFF; type detection; missing values
binning  monotonic optimal binning with WOE and IV
scorecard  logistic scorecard in points with reason codes
gbm      LightGBM challenger with feature-contribution reasons
metrics  AUC, KS, Gini, PSI, calibration, lift
search   settings chosen by cross-validation within a time budget (fixed search space)
calibration  score-to-PD maps (Platt, isotonic) fitted on out-of-fold scores
train    search, out-of-fold report, calibration, refit on every row
synthetic  seeded data with a known structure (and a leak) for tests and the benchmark
sql      a scorecard as one SELECT for SQLite, PostgreSQL and DuckDB
model_io saving and loading a model directory (JSON, no pickle)
"""

from .errors import CreditDataError

__all__ = ["CreditDataError"]
