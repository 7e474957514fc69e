"""A lean streaming reader for the first worksheet of an .xlsx file (values only).

openpyxl builds an object per cell and reads about 5,000 eight-column rows a second here; the
import target is 5,000 rows a second end to end, so reading uses the C expat parser directly:
shared strings, inline strings, numbers, booleans and formula results. Dates arrive as Excel
serial numbers (the style that marks them as dates is not read); the importer's date parser
converts serials, so date columns work either way.

Hardening: an .xlsx never carries a DTD, so any part that declares one (the only way to define
entities, hence entity-expansion bombs and external references) is refused before parsing, and
parts larger than MAX_PART_BYTES uncompressed (zip bombs) too. The stdlib C parser then sees
plain markup only. Raises XlsxError for anything that is not a readable workbook.
"""

import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from xml.etree.ElementTree import ParseError, fromstring, iterparse

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]+)(\d+)")
MAX_COLUMNS = 200
MAX_PART_BYTES = 400 * 1024 * 1024


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > MAX_PART_BYTES:
        raise XlsxError("part too large")
    data = archive.read(name)
    # UTF-8 only (a UTF-16 part could hide a DTD from the byte search below)
    if b"\x00" in data[:512] or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise XlsxError("not UTF-8 XML")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XlsxError("DTDs are not allowed")
    return data


class XlsxError(ValueError):
    pass


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = fromstring(_part(archive, "xl/workbook.xml"))  # noqa: S314
    sheet = workbook.find(f"{NS_MAIN}sheets/{NS_MAIN}sheet")
    if sheet is None:
        raise XlsxError("no worksheet")
    rel_id = sheet.get(f"{NS_REL}id")
    rels = fromstring(_part(archive, "xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels.iter(f"{NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise XlsxError("worksheet not found")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with BytesIO(_part(archive, "xl/sharedStrings.xml")) as fh:
        for _event, elem in iterparse(fh):  # noqa: S314
            if elem.tag == f"{NS_MAIN}si":
                strings.append("".join(t.text or "" for t in elem.iter(f"{NS_MAIN}t")))
                elem.clear()
    return strings


def _number(text: str):
    if "." in text or "E" in text or "e" in text:
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return int(text)


def read_rows(content: bytes) -> Iterator[tuple]:
    """Yield the first sheet's rows as tuples (header first). Empty cells are None."""
    try:
        archive = zipfile.ZipFile(BytesIO(content))
        path = _first_sheet_path(archive)
        strings = _shared_strings(archive)
        fh = BytesIO(_part(archive, path))
    except (zipfile.BadZipFile, KeyError, ParseError, OSError, ValueError) as exc:
        raise XlsxError(str(exc)) from exc
    return _rows(fh, strings)


def _rows(fh, strings: list[str]) -> Iterator[tuple]:
    c_tag, v_tag, is_tag, t_tag, row_tag = (f"{NS_MAIN}c", f"{NS_MAIN}v", f"{NS_MAIN}is", f"{NS_MAIN}t",
                                            f"{NS_MAIN}row")
    expected = 1
    try:
        for _event, elem in iterparse(fh):  # noqa: S314
            if elem.tag != row_tag:
                continue
            number = int(elem.get("r") or expected)
            while expected < number:  # rows Excel skipped because they are empty
                yield ()
                expected += 1
            cells: list = []
            for position, cell in enumerate(elem.iter(c_tag)):
                ref = cell.get("r")
                index = _column_index(_REF.match(ref).group(1)) if ref else position
                if index >= MAX_COLUMNS:
                    continue
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    node = cell.find(is_tag)
                    value = "".join(t.text or "" for t in node.iter(t_tag)) if node is not None else None
                else:
                    v = cell.find(v_tag)
                    text = v.text if v is not None else None
                    if text is None:
                        value = None
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind == "n":
                        value = _number(text)
                    elif kind == "b":
                        value = text == "1"
                    elif kind == "e":
                        value = "#ERROR"
                    else:  # "str" (formula result) and anything else: text
                        value = text
                if index >= len(cells):
                    cells.extend([None] * (index - len(cells) + 1))
                cells[index] = value
            elem.clear()
            yield tuple(cells)
            expected = number + 1
    except (ParseError, ValueError, IndexError, AttributeError, KeyError, zipfile.BadZipFile) as exc:
        raise XlsxError(str(exc)) from exc
