"""CSV and Excel exports for every list page and API list.

`export_response` streams rows; formula-like cells are prefixed so spreadsheets do not run them
(CSV injection)."""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

EXPORT_FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: Any  # lazily translated header
    value: Callable[[Any], Any]


def _safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, bool | int | float):
        return value
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(columns: Sequence[Column], rows: Iterable[Any]):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese correctly
    yield writer.writerow([str(c.label) for c in columns])
    for row in rows:
        yield writer.writerow([_safe(c.value(row)) for c in columns])


def export_response(*, filename: str, columns: Sequence[Column], rows: Iterable[Any], fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_rows(columns, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    sheet.append([str(c.label) for c in columns])
    for row in rows:
        sheet.append([_safe(c.value(row)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
