"""The one spreadsheet reader every import uses: .xlsx through openpyxl (read-only, streaming)
and CSV, behind the same caps.

Why these caps, in this order: a 190 KB .xlsx can unpack to gigabytes of XML (3 M empty rows held
a web worker for 28 s and 500 MB), so

1. the parts' uncompressed sizes from the zip directory are summed *before* any XML is parsed
   (zipfile never hands out more than a member's declared size, so the declaration binds);
2. rows are counted *while streaming*, blank rows and Excel's skipped rows included, so a file
   is refused at the first row past ``max_rows`` below the header instead of after reading all;
3. a time budget is checked between rows, for whatever the first two let through.

Entity-expansion bombs: openpyxl parses with defusedxml when it is installed (a pinned
dependency), which refuses entity declarations and external references.

Why openpyxl and not python-calamine, which is ~10x faster: calamine builds the whole sheet as a
dense grid before returning anything, so a 5 KB workbook with cells in A1 and XFD1048576 asks for
512 GB and aborts the process (measured with 0.9.1), and no row cap or time budget can run
inside that call.

Refusals are SpreadsheetRefused (a DomainError, HTTP 422) with stable codes:
``spreadsheet_unsupported``, ``spreadsheet_unreadable``, ``spreadsheet_empty``,
``spreadsheet_too_large``, ``spreadsheet_too_many_rows``, ``spreadsheet_too_slow``.

Rows are tuples, header first; an empty row is ``()`` and keeps its place so row numbers stay
those of the spreadsheet (the header is row 1). Excel dates arrive as ``datetime``.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)  # comma-separated only; credit and patents sniff their own delimiters
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

# Defaults; settings.SPREADSHEET_LIMITS overrides any of them, and each importer passes its own.
DEFAULTS = {
    "max_rows": 300_000,
    "max_uncompressed_bytes": 256 * 1024 * 1024,
    "max_columns": 200,
    "seconds": 120.0,
}
# Above this many uncompressed bytes an import runs as a background job, not in a web worker
# (about 4 s of openpyxl on this hardware; settings.SPREADSHEET_FOREGROUND_BYTES overrides).
FOREGROUND_BYTES = 2 * 1024 * 1024


class SpreadsheetRefused(DomainError):
    status = 422
    code = "spreadsheet_unreadable"
    default_message = _("The file is not a readable Excel workbook.")

    def __init__(self, message=None, *, code: str | None = None, details: dict | None = None):
        # The message also goes under details["file"], so form pages show it next to the field.
        message = message if message is not None else self.default_message
        super().__init__(message, code=code, details=details or {"file": [str(message)]})


@dataclass(frozen=True)
class Limits:
    max_rows: int  # rows below the first (the header), blank rows included
    max_uncompressed_bytes: int  # .xlsx: the sum of the zip members' sizes; CSV: the file's size
    max_columns: int  # cells to the right of this are dropped
    seconds: float  # time budget for reading the whole file


def limits(**overrides) -> Limits:
    """Defaults, then settings.SPREADSHEET_LIMITS, then the caller's overrides (None ignored)."""
    values = {**DEFAULTS, **getattr(settings, "SPREADSHEET_LIMITS", {})}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Limits(**values)


def foreground_bytes() -> int:
    return getattr(settings, "SPREADSHEET_FOREGROUND_BYTES", FOREGROUND_BYTES)


def kind_of(filename: str, head: bytes = b"") -> str:
    """'xlsx' or 'csv' by the file's name (or a zip signature); refuses anything else."""
    name = (filename or "").lower()
    if name.endswith(XLSX_SUFFIXES) or (head[:2] == b"PK" and not name.endswith(CSV_SUFFIXES)):
        return "xlsx"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise SpreadsheetRefused(_("Upload an .xlsx or .csv file."), code="spreadsheet_unsupported")


def _source(content: bytes | str | Path) -> tuple[io.BufferedIOBase, int]:
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(content), len(content)
    path = Path(content)
    return path.open("rb"), path.stat().st_size


def unpacked_size(content: bytes | str | Path, *, filename: str) -> int:
    """Bytes the file unpacks to (an .xlsx's zip members added up; a CSV's own size), read from
    the zip directory only. Importers use it to send large files to a background job."""
    fh, size = _source(content)
    with fh:
        if kind_of(filename, fh.read(2)) == "csv":
            return size
        fh.seek(0)
        return _zip_total(fh)


def _zip_total(fh) -> int:
    try:
        with zipfile.ZipFile(fh) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetRefused() from exc


def _too_large(cap: int) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _("The workbook unpacks to more than %(mb)s MB; split it into smaller files.")
        % {"mb": max(1, cap // (1024 * 1024))}, code="spreadsheet_too_large")


def _too_many_rows(cap: Limits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_("The file has more than %(n)s rows; split it.") % {"n": cap.max_rows},
                              code="spreadsheet_too_many_rows")


def read_rows(content: bytes | str | Path, *, filename: str, limit: Limits | None = None,
              delimiter: str = ",", **overrides) -> Iterator[tuple]:
    """Iterate the first worksheet's (or the CSV file's) rows as tuples, header first.

    Refusals that need no parsing (type, size) are raised here; the row cap, the time budget and
    damage found mid-file are raised by the iterator. Pass a Limits, or override single caps:
    ``read_rows(data, filename="a.xlsx", max_rows=5000, seconds=10)``."""
    cap = limit or limits()
    if overrides:
        cap = replace(cap, **{k: v for k, v in overrides.items() if v is not None})
    # The budget covers opening too (shared strings and styles are parsed before the first row).
    deadline = time.monotonic() + cap.seconds
    fh, size = _source(content)
    try:
        kind = kind_of(filename, fh.read(2))
        fh.seek(0)
        if size == 0:
            raise SpreadsheetRefused(_("The file is empty."), code="spreadsheet_empty")
        if kind == "csv":
            if size > cap.max_uncompressed_bytes:
                raise _too_large(cap.max_uncompressed_bytes)
            rows = _csv_rows(fh.read(), delimiter)
        else:
            if _zip_total(fh) > cap.max_uncompressed_bytes:
                raise _too_large(cap.max_uncompressed_bytes)
            fh.seek(0)
            rows = _xlsx_rows(fh, cap)
    except BaseException:
        fh.close()
        raise
    return _capped(rows, cap, fh, deadline)


def _capped(rows: Iterator[tuple], cap: Limits, fh, deadline: float) -> Iterator[tuple]:
    count = 0
    try:
        for row in rows:
            count += 1
            if count > cap.max_rows + 1:  # the header is not counted
                raise _too_many_rows(cap)
            if time.monotonic() > deadline:
                raise SpreadsheetRefused(
                    _("Reading the file took longer than %(s)s seconds; split it into smaller files.")
                    % {"s": int(cap.seconds)}, code="spreadsheet_too_slow")
            yield row if len(row) <= cap.max_columns else row[: cap.max_columns]
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        fh.close()


def _xlsx_rows(fh, cap: Limits) -> Iterator[tuple]:
    # openpyxl's load_workbook(read_only=True) is not used: for every sheet without a <dimension>
    # element it parses the whole sheet while opening the workbook (ReadOnlyWorksheet._get_size),
    # so a bomb that leaves it out is read completely before the first row is seen. Its reader is
    # taken apart instead: the same steps as ExcelReader.read() up to the stylesheet (which says
    # which numbers are dates), then openpyxl's streaming sheet parser on the first sheet only.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = None
    try:
        reader = ExcelReader(fh, read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        target = next((rel.target for _sheet, rel in reader.parser.find_sheets()
                       if "chartsheet" not in rel.Type and rel.target in reader.valid_files), None)
        if target is None:
            raise SpreadsheetRefused()
        source = reader.archive.open(target)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or hostile file
        if reader is not None and hasattr(reader, "archive"):
            reader.archive.close()
        if isinstance(exc, SpreadsheetRefused):
            raise
        raise SpreadsheetRefused() from exc
    wb = reader.wb
    parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=wb.epoch,
                             date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
    return _xlsx_iter(parser, source, reader.archive, cap)


def _xlsx_iter(parser, source, archive, cap: Limits) -> Iterator[tuple]:
    expected = 1
    try:
        for number, cells in parser.parse():
            if number > cap.max_rows + 1:  # a row far down (r="1048576"): refuse without walking the gap
                raise _too_many_rows(cap)
            while expected < number:  # rows the file leaves out are empty rows
                yield ()
                expected += 1
            values: list = []
            for cell in cells:
                column = cell["column"]
                if column > cap.max_columns:
                    continue
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = cell["value"]
            while values and values[-1] is None:
                values.pop()
            yield tuple(values)
            expected = max(expected, number + 1)
    except (SpreadsheetRefused, GeneratorExit):
        raise
    except Exception as exc:
        raise SpreadsheetRefused() from exc
    finally:
        source.close()
        archive.close()


def _csv_rows(data: bytes, delimiter: str) -> Iterator[tuple]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetRefused(_("The CSV file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        raise SpreadsheetRefused(_("The CSV file contains binary data."))
    return _csv_iter(text, delimiter)


def _csv_iter(text: str, delimiter: str) -> Iterator[tuple]:
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield tuple(row)
    except csv.Error as exc:
        raise SpreadsheetRefused(_("The CSV file is malformed.")) from exc
