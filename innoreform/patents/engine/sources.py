"""Reading exports: encoding detection, delimiter and header detection, header mapping for CNIPA
(Chinese headers), Lens, PatentsView and WIPO PATENTSCOPE exports, CSV/TSV and Excel."""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .normalize import nfkc

csv.field_size_limit(sys.maxsize)

# Canonical field -> header spellings (compared after `header_key`).
HEADERS: dict[str, list[str]] = {
    "app_no": ["申请号", "申请号码", "专利申请号", "application number", "application no", "app number",
               "application id", "app no", "appln nr", "application_number"],
    "pub_no": ["公开号", "公开(公告)号", "公开公告号", "公告号", "publication number", "pub number",
               "publication no", "patent number", "patent id", "document number", "公开号码"],
    "grant_no": ["授权公告号", "授权号", "grant number"],
    "kind": ["kind", "kind code", "kindcode", "文献类型", "文献种类", "patent kind", "wipo kind"],
    "jurisdiction": ["jurisdiction", "受理局", "country", "publication country code", "office", "authority"],
    "patent_type": ["专利类型", "申请类型", "type", "patent type", "application type", "patent application type",
                    "grant or application type families"],
    "title": ["专利名称", "发明名称", "名称", "标题", "title", "patent title", "invention title"],
    "abstract": ["申请摘要", "摘要", "abstract", "patent abstract"],
    "app_date": ["申请日", "申请日期", "application date", "app date", "filing date", "date filed"],
    "pub_date": ["公开日", "公开(公告)日", "公开公告日", "公开日期", "publication date", "pub date",
                 "patent date", "date published"],
    "grant_date": ["授权公告日", "授权日", "授权日期", "grant date", "颁证日"],
    "priority_date": ["优先权日", "最早优先权日", "earliest priority date", "priority date"],
    "priority_numbers": ["优先权", "优先权号", "priority numbers", "priority number", "priority document",
                         "priority data", "priority"],
    "applicants": ["申请人", "申请(专利权)人", "专利权人", "当前权利人", "applicants", "applicant", "assignee",
                   "assignees", "assignee organization", "disambig assignee organization", "owners",
                   "applicants use me", "applicant name"],
    "inventors": ["发明人", "发明人姓名", "inventors", "inventor", "inventors use me", "inventor name"],
    "inventor_first": ["inventor first name", "disambig inventor name first", "inventor name first"],
    "inventor_last": ["inventor last name", "disambig inventor name last", "inventor name last"],
    "ipc": ["分类号", "ipc分类号", "ipc", "ipc classifications", "ipcr classifications", "ipc codes",
            "ipc classes", "international classification", "ipcr", "ipc code"],
    "ipc_main": ["主分类号", "ipc主分类号", "main ipc", "main classification", "ipc main"],
    "ipc_section": ["ipc section", "section"],
    "ipc_class": ["ipc class"],
    "ipc_subclass": ["ipc subclass", "subclass"],
    "ipc_main_group": ["ipc main group", "main group"],
    "ipc_subgroup": ["ipc subgroup", "subgroup"],
    "cpc": ["cpc分类号", "cpc classifications", "cpc codes use me", "cpc", "cpc codes"],
    "applicant_address": ["申请人地址", "地址", "专利权人地址", "applicant address", "address",
                          "当前著录项联系人通讯地址"],
    "province_code": ["国省代码", "省市代码", "申请人省市代码", "province code"],
    "applicant_type": ["申请人类型", "applicant type", "assignee type"],
    "applicant_country": ["applicant country", "assignee country", "申请人国别", "country code of applicant",
                          "disambig assignee country"],
    "applicant_city": ["assignee city", "applicant city", "申请人城市"],
    "legal_status": ["法律状态", "当前法律状态", "legal status", "status", "legal status simple"],
    "cited_count": ["被引证次数", "被引次数", "被引用次数", "cited count", "cited by count", "forward citations",
                    "times cited", "patent num times cited by us patents", "num times cited"],
    "family_size": ["简单同族数量", "同族数量", "simple family size", "family size", "docdb family size"],
    "extended_family_size": ["extended family size", "inpadoc family size", "扩展同族数量"],
    "family_members": ["同族专利", "family members", "simple family members"],
    "family_id": ["family id", "docdb family id", "simple family id", "同族id"],
}

_NORMALISED = {}
for _field, _names in HEADERS.items():
    for _name in _names:
        _NORMALISED.setdefault(re.sub(r"[\s_\-\.:/()（）#]+", "", nfkc(_name).lower()), _field)


def header_key(name: object) -> str:
    return re.sub(r"[\s_\-\.:/()（）#]+", "", nfkc(name).lower())


def map_headers(headers: list[object]) -> dict[int, str]:
    """Column index -> canonical field, first column wins when two map to the same field."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, name in enumerate(headers):
        fld = _NORMALISED.get(header_key(name))
        if fld and fld not in taken:
            mapping[index] = fld
            taken.add(fld)
    return mapping


ID_FIELDS = {"app_no", "pub_no"}


def detect_source(fields: set[str], headers: list[object]) -> str:
    text = " ".join(str(h) for h in headers)
    if re.search(r"[\u4e00-\u9fff]", text):
        return "cnipa"
    lowered = text.lower()
    if "lens id" in lowered or "ipcr classifications" in lowered or "jurisdiction" in lowered:
        return "lens"
    if "patent_id" in lowered or "patent_number" in lowered or "assignee_organization" in lowered:
        return "patentsview"
    if "fp image" in lowered or "priority data" in lowered:
        return "patentscope"
    return "generic"


# --- encodings ----------------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> str:
    """'utf-8' (with or without BOM), 'utf-16', 'gb18030' (GBK and GB2312 are subsets) or 'latin-1'.

    GBK is accepted only when the bytes decode and most double-byte characters fall in the GB2312
    block (0xA1-0xF7 lead, 0xA1-0xFE trail): latin-1 text with accents followed by ASCII letters also
    decodes as GBK, but into rare characters outside that block.
    """
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and exc.reason in ("unexpected end of data",):
            return "utf-8"  # a multi-byte character cut by the sample's end
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError as exc:
        text = sample[: exc.start].decode("gb18030") if exc.start >= len(sample) - 1 else ""
    if text:
        wide = common = 0
        for ch in text:
            if ord(ch) < 0x80:
                continue
            encoded = ch.encode("gb18030")
            if len(encoded) == 2:
                wide += 1
                if 0xA1 <= encoded[0] <= 0xF7 and 0xA1 <= encoded[1] <= 0xFE:
                    common += 1
        if wide and common / wide >= 0.8:
            return "gb18030"
    return "latin-1"


def encoding_label(codec: str) -> str:
    return {"utf-8-sig": "utf-8", "gb18030": "gbk"}.get(codec, codec)


# --- reading ------------------------------------------------------------------------------------

@dataclass
class Table:
    """Rows of one file, with what was detected about it."""

    path: str
    format: str
    encoding: str = ""
    delimiter: str = ""
    line_endings: str = ""
    header_row: int = 0  # 1-based line number of the header
    headers: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    source: str = "generic"
    rows: Iterator[tuple[int, list[object]]] = field(default_factory=lambda: iter(()))  # (row number, values)

    @property
    def fields(self) -> set[str]:
        return set(self.mapping.values())

    @property
    def unmapped(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.mapping and str(h).strip()]


SAMPLE_BYTES = 1 << 20
HEADER_SCAN_ROWS = 30


def _line_endings(sample: bytes) -> str:
    crlf = sample.count(b"\r\n")
    cr = sample.count(b"\r") - crlf
    lf = sample.count(b"\n") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    return "+".join(kinds) or "none"


def _pick_header(rows: list[list[object]]) -> tuple[int, dict[int, str]]:
    best = (-1, {}, 0)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = map_headers(row)
        score = len(mapping)
        if score > best[2] and ID_FIELDS & set(mapping.values()):
            best = (index, mapping, score)
    return best[0], best[1]


def open_table(path: str | Path, *, filename: str | None = None) -> Table:
    """Open a CSV/TSV/TXT or XLSX export and find its header row. Raises ValueError when no header
    with an application or publication number column is found."""
    path = Path(path)
    name = (filename or path.name).lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _open_excel(path, name)
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    codec = detect_encoding(sample)
    text_sample = sample.decode(codec, errors="replace")
    lines = text_sample.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:HEADER_SCAN_ROWS]
    best: tuple[int, str, int, dict[int, str], list[str]] = (-1, ",", -1, {}, [])
    for delim in (",", "\t", ";", "|"):
        parsed = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        index, mapping = _pick_header(parsed)
        if index >= 0 and len(mapping) > best[0]:
            best = (len(mapping), delim, index, mapping, [str(h) for h in parsed[index]])
    if best[2] < 0:
        raise ValueError("no header row with an application or publication number column was found")
    _score, delim, header_index, mapping, headers = best
    table = Table(path=str(path), format="csv", encoding=encoding_label(codec), delimiter=delim,
                  line_endings=_line_endings(sample), header_row=header_index + 1, headers=headers,
                  mapping=mapping)
    table.source = detect_source(table.fields, headers)
    table.rows = _csv_rows(path, codec, delim, header_index)
    return table


def _csv_rows(path: Path, codec: str, delim: str, header_index: int) -> Iterator[tuple[int, list[object]]]:
    # newline="" lets the csv module take CRLF, LF and lone CR as row ends, also inside quotes.
    with open(path, encoding=codec, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delim)
        for index, row in enumerate(reader):
            if index <= header_index:
                continue
            yield index + 1, row


# Imports run as background jobs: up to Excel's own sheet limit, within a job's time budget.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_SECONDS = 900.0


def _open_excel(path: Path, name: str) -> Table:
    """The first sheet through the platform's one spreadsheet reader (core.spreadsheets), whose
    caps refuse zip bombs and row bombs; its refusals become ValueError like every other
    unreadable file here."""
    from innoreform.core.spreadsheets import SpreadsheetRefused, read_rows

    try:
        source = read_rows(path, filename=name, max_rows=EXCEL_MAX_ROWS, seconds=EXCEL_SECONDS)
        head = []
        for row in source:
            head.append(["" if v is None else v for v in row])
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except SpreadsheetRefused as exc:
        raise ValueError(str(exc.message)) from exc
    index, mapping = _pick_header(head)
    if index < 0:
        source.close()
        raise ValueError("no header row with an application or publication number column was found")
    headers = [str(h) for h in head[index]]
    table = Table(path=str(path), format="xlsx", encoding="xlsx", header_row=index + 1, headers=headers,
                  mapping=mapping)
    table.source = detect_source(table.fields, headers)
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[object]]]:
        # The reader drops trailing empty cells; a row is as wide as the header, as in the CSV path.
        try:
            for number, row in enumerate(itertools.chain(head[index + 1:], source), start=index + 2):
                yield number, ["" if v is None else v for v in row] + [""] * (width - len(row))
        except SpreadsheetRefused as exc:
            raise ValueError(str(exc.message)) from exc
        finally:
            source.close()

    table.rows = rows()
    return table
