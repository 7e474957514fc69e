"""The registry reads .xlsx through core.spreadsheets: files written by openpyxl, and hostile input."""

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from innoreform.core import spreadsheets
from innoreform.registry import imports


def workbook_bytes(rows, write_only=False) -> bytes:
    wb = Workbook(write_only=write_only)
    sheet = wb.create_sheet("data") if write_only else wb.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("write_only", [False, True])
def test_values_round_trip(write_only):
    rows = [["a", "中文", None, 3], [1, 2.5, True, "x"], [], [None, None, "z"]]
    got = list(spreadsheets.read_rows(workbook_bytes(rows, write_only), filename="a.xlsx"))
    assert got[0] == ("a", "中文", None, 3)
    assert got[1] == (1, 2.5, True, "x")
    assert got[2] == ()  # an empty row keeps its place, so row numbers stay right
    assert got[3] == (None, None, "z")


def test_dates_arrive_as_datetimes_and_parse():
    content = workbook_bytes([["d"], [datetime(2024, 3, 31)]])
    _header, value = list(spreadsheets.read_rows(content, filename="a.xlsx"))
    col = imports.Col("d", "d", "date")
    assert imports.parse_cell(col, value[0]) == date(2024, 3, 31)


def test_entity_expansion_is_refused():
    content = workbook_bytes([["a"], [1]])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                        + body)
            target.writestr(item, data)
    with pytest.raises(imports.FileUnreadable):
        _header, rows = imports.read_table(out.getvalue(), "x.xlsx")
        list(rows)


def test_not_a_zip():
    with pytest.raises(spreadsheets.SpreadsheetRefused):
        spreadsheets.read_rows(b"PK\x03\x04 not really", filename="a.xlsx")
