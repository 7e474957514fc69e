"""A model directory: model.json (the model and its metadata), report.json (validation), and for
the challenger booster.txt (LightGBM's own text format). JSON and text only: no pickle, so a model
directory from elsewhere cannot run code when loaded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import CreditDataError
from .gbm import GbmModel
from .scorecard import Scorecard

FORMAT_VERSION = 1


def _default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if np.isnan(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, set | tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(obj) -> str:
    return json.dumps(obj, default=_default, ensure_ascii=False, indent=1, allow_nan=False)


def clean_nan(obj):
    """Replace NaN/inf floats by None so JSON stays standard."""
    if isinstance(obj, dict):
        return {k: clean_nan(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean_nan(v) for v in obj]
    if isinstance(obj, float | np.floating) and not np.isfinite(obj):
        return None
    return obj


def model_to_dict(model: Scorecard | GbmModel, meta: dict) -> dict:
    return {"format": FORMAT_VERSION, "meta": meta, "model": model.to_dict()}


def model_from_dict(d: dict, booster_text: str | None = None) -> Scorecard | GbmModel:
    spec = d["model"]
    if spec["kind"] == "scorecard":
        return Scorecard.from_dict(spec)
    if spec["kind"] == "gbm":
        if booster_text is None:
            raise CreditDataError("the challenger model lacks its booster", code="bad_model")
        return GbmModel.from_dict(spec, booster_text)
    raise CreditDataError(f"unknown model kind {spec['kind']!r}", code="bad_model")


def save(directory: str | Path, model: Scorecard | GbmModel, meta: dict, report: dict) -> Path:
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise CreditDataError(f"--out must be a directory: {directory} is a file", code="bad_out")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.json").write_text(dumps(clean_nan(model_to_dict(model, meta))), encoding="utf-8")
    (directory / "report.json").write_text(dumps(clean_nan(report)), encoding="utf-8")
    if isinstance(model, GbmModel):
        (directory / "booster.txt").write_text(model.booster_text, encoding="utf-8")
    return directory


def load(directory: str | Path) -> tuple[Scorecard | GbmModel, dict]:
    directory = Path(directory)
    path = directory / "model.json"
    if not path.exists():
        raise CreditDataError(f"not a model directory (no model.json): {directory}", code="bad_model")
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CreditDataError(f"model.json is not valid JSON: {exc}", code="bad_model") from exc
    if d.get("format") != FORMAT_VERSION:
        raise CreditDataError(f"unsupported model format {d.get('format')!r}", code="bad_model")
    booster = directory / "booster.txt"
    text = booster.read_text(encoding="utf-8") if booster.exists() else None
    return model_from_dict(d, text), d.get("meta", {})


def load_report(directory: str | Path) -> dict:
    path = Path(directory) / "report.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
