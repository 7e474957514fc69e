"""Tabular data for the engine: read a file, detect column types, split off target and id.

A Frame is an ordered mapping of column name to a numpy array: float64 with NaN for missing
values (numeric columns) or object arrays of str / None (categorical columns). Missing markers
("", NA, NaN, ?, null, None, ...) become NaN / None when a file is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import CreditDataError

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "#n/a", "-", "nil"})
# A column is numeric when at least this share of its non-missing values parse as numbers; the
# rest are reported and treated as missing.
NUMERIC_SHARE = 0.98
SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".arff")


@dataclass
class Frame:
    columns: dict[str, np.ndarray]
    # Columns declared categorical by the source (ARFF nominal) even if their values look numeric.
    nominal: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        if not self.columns:
            return 0
        return len(next(iter(self.columns.values())))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def take(self, idx: np.ndarray) -> Frame:
        return Frame({k: v[idx] for k, v in self.columns.items()}, set(self.nominal), list(self.warnings))

    def is_numeric(self, name: str) -> bool:
        return self.columns[name].dtype.kind == "f"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_TOKENS


def to_text(values: Iterable[object]) -> np.ndarray:
    """Object array of stripped strings, None for missing. Whole floats print without '.0'."""
    out = []
    for v in values:
        if _is_missing(v):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip())
    return np.array(out, dtype=object)


def parse_numeric(values: np.ndarray | list) -> tuple[np.ndarray, int]:
    """Float array (NaN for missing) and the number of non-missing values that were not numbers."""
    arr = np.asarray(values, dtype=object)
    out = np.full(len(arr), np.nan)
    bad = 0
    for i, v in enumerate(arr):
        if v is None or _is_missing(v):
            continue
        if isinstance(v, bool):
            out[i] = float(v)
            continue
        if isinstance(v, int | float | np.integer | np.floating):
            out[i] = float(v)
            continue
        s = str(v).strip().replace(",", "")
        try:
            f = float(s)
        except ValueError:
            bad += 1
            continue
        if math.isinf(f):
            bad += 1
            continue
        out[i] = f
    return out, bad


def detect_column(name: str, raw: list | np.ndarray, *, nominal: bool = False) -> tuple[np.ndarray, str | None]:
    """Numeric float array or categorical object array, plus a warning when values were dropped."""
    if nominal:
        return to_text(raw), None
    if isinstance(raw, np.ndarray) and raw.dtype.kind in "fiub":
        return raw.astype(float), None
    nums, bad = parse_numeric(raw)
    present = int(np.sum(~np.isnan(nums))) + bad
    if present and bad <= (1 - NUMERIC_SHARE) * present and bad < present:
        warning = None
        if bad:
            warning = f"column {name!r}: {bad} non-numeric value(s) treated as missing"
        return nums, warning
    return to_text(raw), None


def from_records(header: list[str], rows: list[list], *, nominal: Iterable[str] = ()) -> Frame:
    header = [str(h).strip() if h is not None else "" for h in header]
    if not header or all(h == "" for h in header):
        raise CreditDataError("the file has no header row", code="empty")
    header = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise CreditDataError(f"duplicate column names: {', '.join(dupes)}", code="duplicate_columns")
    rows = [r for r in rows if any(not _is_missing(v) for v in r)]
    if not rows:
        raise CreditDataError("the file has a header but no data rows", code="empty")
    width = len(header)
    nominal = set(nominal)
    cols: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    for j, name in enumerate(header):
        raw = [r[j] if j < len(r) else None for r in rows]
        col, warning = detect_column(name, raw, nominal=name in nominal)
        cols[name] = col
        if warning:
            warnings.append(warning)
    long_rows = sum(1 for r in rows if len(r) > width)
    if long_rows:
        warnings.append(f"{long_rows} row(s) had more fields than the header; extra fields ignored")
    return Frame(cols, nominal, warnings)


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_csv_text(text: str, *, delimiter: str | None = None) -> Frame:
    if not text.strip():
        raise CreditDataError("the file is empty", code="empty")
    if delimiter is None:
        sample = text[:20000]
        first = sample.splitlines()[0] if sample.splitlines() else ""
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    return from_records(rows[0], rows[1:])


# Training files are larger than any import: Excel's own sheet limit, and a job's time budget.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_SECONDS = 900.0


def read_excel(path: Path) -> Frame:
    """The first sheet through the platform's one spreadsheet reader (core.spreadsheets), whose
    caps refuse zip bombs and row bombs before they are read."""
    from innoreform.core.spreadsheets import SpreadsheetRefused, read_rows

    try:
        rows = [list(r) for r in read_rows(path, filename=path.name, max_rows=EXCEL_MAX_ROWS, seconds=EXCEL_SECONDS)]
    except SpreadsheetRefused as exc:
        code = "empty" if exc.code == "spreadsheet_empty" else "unreadable"
        raise CreditDataError(f"cannot read the Excel file: {exc.message}", code=code) from exc
    if not rows:
        raise CreditDataError("the file is empty", code="empty")
    return from_records(rows[0], rows[1:])


def read_parquet(path: Path) -> Frame:
    import duckdb

    con = duckdb.connect()
    try:
        rel = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [d[0] for d in rel.description]
        data = rel.fetchnumpy()
    except duckdb.Error as exc:
        raise CreditDataError(f"cannot read the Parquet file: {exc}", code="unreadable") from exc
    finally:
        con.close()
    if not names:
        raise CreditDataError("the file is empty", code="empty")
    cols: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    for name in names:
        arr = data[name]
        if isinstance(arr, np.ma.MaskedArray):
            if arr.dtype.kind in "fiub":
                arr = arr.astype(float).filled(np.nan)
            else:
                arr = arr.astype(object).filled(None)
        col, warning = detect_column(name, arr)
        cols[name] = col
        if warning:
            warnings.append(warning)
    frame = Frame(cols, set(), warnings)
    if len(frame) == 0:
        raise CreditDataError("the file has a header but no data rows", code="empty")
    return frame


def read_arff_text(text: str) -> Frame:
    """ARFF through liac-arff. Nominal, string and date attributes are categorical columns;
    '?' is missing."""
    import arff

    try:
        data = arff.loads(text)
    except (arff.ArffException, ValueError, TypeError, IndexError) as exc:
        raise CreditDataError(f"not a readable ARFF file: {exc}", code="unreadable") from exc
    attributes = data.get("attributes") or []
    if not attributes:
        raise CreditDataError("not an ARFF file: no @attribute or @data section", code="unreadable")
    names = [name for name, _kind in attributes]
    nominal = {name for name, kind in attributes
               if isinstance(kind, list) or str(kind).upper().startswith(("STRING", "DATE"))}
    return from_records(names, data.get("data") or [], nominal=nominal)


def read_table(path: str | Path) -> Frame:
    """Read CSV/TSV, Excel (.xlsx), Parquet or ARFF by file extension."""
    path = Path(path)
    if not path.exists():
        raise CreditDataError(f"file not found: {path}", code="not_found")
    if path.is_dir():
        raise CreditDataError(f"expected a file, got a directory: {path}", code="not_found")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise CreditDataError(
            f"unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED)}", code="unsupported"
        )
    if path.stat().st_size == 0:
        raise CreditDataError("the file is empty", code="empty")
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path)
    if suffix == ".parquet":
        return read_parquet(path)
    text = _decode(path.read_bytes())
    if suffix == ".arff":
        return read_arff_text(text)
    return read_csv_text(text, delimiter="\t" if suffix == ".tsv" else None)


def fingerprint(path: str | Path) -> str:
    """SHA-256 of the file's bytes: the data fingerprint a model version records."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def frame_fingerprint(frame: Frame) -> str:
    """SHA-256 over column names and values, for data that did not come from a file."""
    h = hashlib.sha256()
    for name, col in frame.columns.items():
        h.update(name.encode() + b"\0")
        if col.dtype.kind == "f":
            h.update(np.ascontiguousarray(col).tobytes())
        else:
            h.update("\x1f".join("\x00" if v is None else str(v) for v in col).encode())
    return h.hexdigest()


def target_vector(frame: Frame, target: str, bad: str | None = None) -> np.ndarray:
    """0/1 int array (1 = bad). `bad` names the bad value; by default 1, 'bad', 'yes', 'true' or
    'default' (case-insensitive), or the minority class of a two-valued column."""
    if target not in frame:
        raise CreditDataError(
            f"target column {target!r} not found; columns are: {', '.join(frame.names[:30])}", code="no_target"
        )
    col = frame[target]
    if col.dtype.kind == "f":
        text = np.array([None if np.isnan(v) else (str(int(v)) if float(v).is_integer() else repr(v)) for v in col],
                        dtype=object)
    else:
        text = col
    present = np.array([v is not None for v in text])
    if not present.any():
        raise CreditDataError(f"target column {target!r} has no values", code="no_target")
    if (~present).any():
        raise CreditDataError(
            f"target column {target!r} has {int((~present).sum())} missing value(s); remove those rows",
            code="missing_target",
        )
    values = sorted({str(v) for v in text})
    if len(values) < 2:
        raise CreditDataError(
            f"target column {target!r} has a single class ({values[0]!r}); need both good and bad rows",
            code="one_class",
        )
    if bad is not None:
        bad_s = str(bad)
        if bad_s not in values:
            raise CreditDataError(
                f"--bad value {bad_s!r} does not occur in {target!r} (values: {', '.join(values[:10])})",
                code="bad_value",
            )
    else:
        if len(values) > 2:
            raise CreditDataError(
                f"target column {target!r} has {len(values)} values; give --bad VALUE to say which is bad",
                code="bad_value",
            )
        lowered = {v.lower(): v for v in values}
        bad_s = next((lowered[k] for k in ("1", "bad", "yes", "true", "default", "y") if k in lowered), None)
        if bad_s is None:
            counts = {v: int(sum(1 for t in text if str(t) == v)) for v in values}
            bad_s = min(values, key=lambda v: (counts[v], v))
    y = np.array([1 if str(v) == bad_s else 0 for v in text], dtype=np.int8)
    if y.sum() == 0 or y.sum() == len(y):
        raise CreditDataError(f"target column {target!r} has a single class", code="one_class")
    return y
