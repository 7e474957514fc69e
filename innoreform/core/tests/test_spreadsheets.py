"""The one spreadsheet reader: values, and every cap refusing a hostile file quickly."""

import io
import time
import zipfile
from datetime import datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from innoreform.core import spreadsheets
from innoreform.core.spreadsheets import SpreadsheetRefused
from innoreform.core.testing import xlsx_bomb


def workbook(rows, *, write_only=False) -> bytes:
    wb = Workbook(write_only=write_only)
    sheet = wb.create_sheet("data") if write_only else wb.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def refused(content, filename="x.xlsx", **caps) -> SpreadsheetRefused:
    with pytest.raises(SpreadsheetRefused) as caught:
        for _row in spreadsheets.read_rows(content, filename=filename, **caps):
            pass
    return caught.value


@pytest.mark.parametrize("write_only", [False, True])
def test_values_blank_rows_and_dates(write_only):
    rows = [["a", "中文", None, 3], [1, 2.5, True, datetime(2024, 3, 31)], [], [None, None, "z"]]
    got = list(spreadsheets.read_rows(workbook(rows, write_only=write_only), filename="a.xlsx"))
    assert got == [("a", "中文", None, 3), (1, 2.5, True, datetime(2024, 3, 31)), (), (None, None, "z")]


def test_csv_in_utf8_and_gb18030():
    text = "名称,金额\n甲,1\n\n乙,2\n"
    for encoding in ("utf-8-sig", "gb18030"):
        got = list(spreadsheets.read_rows(text.encode(encoding), filename="a.csv"))
        assert got == [("名称", "金额"), ("甲", "1"), (), ("乙", "2")]


def test_row_bomb_is_refused_while_streaming():
    """3 M empty rows (30 KB packed, 18 MB of XML): refused at the cap without reading them all."""
    bomb = xlsx_bomb(empty_rows=3_000_000)
    assert len(bomb) < 200_000
    started = time.perf_counter()
    error = refused(bomb, max_rows=5000, max_uncompressed_bytes=10**9)
    assert error.code == "spreadsheet_too_many_rows"
    assert time.perf_counter() - started < 2  # all rows take ~15 s through openpyxl's own read-only mode


def test_row_far_below_is_refused_without_walking_the_gap():
    error = refused(xlsx_bomb(empty_rows=0, last_cell="XFD1048576"), max_rows=300_000)
    assert error.code == "spreadsheet_too_many_rows"


def test_cells_beyond_the_column_cap_are_dropped():
    rows = list(spreadsheets.read_rows(xlsx_bomb(empty_rows=2, last_cell="XFD4"), filename="x.xlsx"))
    assert rows == [("a", "b"), (), (), ()]


def test_unpacked_size_is_refused_before_parsing():
    bomb = xlsx_bomb(empty_rows=3_000_000)
    assert spreadsheets.unpacked_size(bomb, filename="x.xlsx") > 18_000_000
    error = refused(bomb, max_uncompressed_bytes=16 * 1024 * 1024)
    assert error.code == "spreadsheet_too_large"
    assert error.details == {"file": [str(error.message)]}
    assert refused(b"a,b\n" * 100, filename="x.csv", max_uncompressed_bytes=100).code == "spreadsheet_too_large"


def test_time_budget():
    assert refused(workbook([["a"], [1], [2]]), seconds=0).code == "spreadsheet_too_slow"


def test_entity_expansion_is_refused():
    content = workbook([["a"], [1]])
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
    assert refused(out.getvalue()).code == "spreadsheet_unreadable"


@pytest.mark.parametrize(("content", "filename", "code"), [
    (b"PK\x03\x04 not really", "x.xlsx", "spreadsheet_unreadable"),
    (b"\x00\x01garbage", "x.xlsx", "spreadsheet_unreadable"),
    (b"", "x.xlsx", "spreadsheet_empty"),
    (b"hello", "x.pdf", "spreadsheet_unsupported"),
    (b"a\x00b", "x.csv", "spreadsheet_unreadable"),
])
def test_unreadable_files(content, filename, code):
    assert refused(content, filename).code == code


def test_messages_are_translated():
    with translation.override("zh-hans"):
        assert "行" in str(refused(xlsx_bomb(empty_rows=20), max_rows=10).message)
    with translation.override("en"):
        assert str(refused(xlsx_bomb(empty_rows=20), max_rows=10).message) == \
            "The file has more than 10 rows; split it."
