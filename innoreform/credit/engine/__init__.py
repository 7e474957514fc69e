"""Credit scoring engine: pure Python and numpy, no Django.

frame    reading CSV, Excel, Parquet and ARFF; type detection; missing values
binning  monotonic optimal binning with WOE and IV
scorecard  logistic scorecard in points with reason codes
gbm      LightGBM challenger with feature-contribution reasons
metrics  AUC, KS, Gini, PSI, calibration, lift
sql      a scorecard as one SELECT for SQLite, PostgreSQL and DuckDB
model_io saving and loading a model directory (JSON, no pickle)
"""

from .errors import CreditDataError

__all__ = ["CreditDataError"]
