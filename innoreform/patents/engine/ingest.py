"""The import pipeline: read exports, normalise each row (with a per-row report of what could not
be read), then in DuckDB merge rows of the same application, group families and write Parquet.

    result = ingest([Path("drones.csv")], out_dir, progress=lambda done, total: ...)

Rows are streamed: Python normalises one row at a time into staging files; DuckDB does the
merging, so memory stays flat whatever the file size.
"""

# ruff: noqa: S608  (SQL text is built from constants, table names and integers; user values are bound parameters)
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from . import ipc as ipc_mod
from .normalize import (
    FieldError,
    classify_applicant,
    clean_name,
    date_order,
    in_force,
    kind_info,
    locate,
    name_key,
    nfkc,
    parse_date,
    parse_number,
    patent_type,
    split_multi,
)
from .sources import Table, open_table

ENGINE_VERSION = "patents-engine/1"
SEP = "\x1f"
DATE_FIELDS = ("app_date", "pub_date", "grant_date", "priority_date")
ProgressFn = Callable[[int, int], None]


@dataclass
class FileReport:
    name: str
    format: str
    encoding: str
    delimiter: str
    line_endings: str
    source: str
    header_row: int
    mapped: dict[str, str]
    unmapped: list[str]
    missing: list[str]
    rows_read: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    rows_with_warnings: int = 0
    date_order: dict[str, str] = field(default_factory=dict)


@dataclass
class IngestResult:
    out_dir: str
    files: list[FileReport]
    rows_read: int
    rows_rejected: int
    rows_with_warnings: int
    patents: int
    duplicates_merged: int
    families: int
    applicants: int
    ipc_rows: int
    errors: int
    data_version: str
    cutoff_date: str | None
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


class _Staging:
    """Writers of the unit-separator delimited staging files DuckDB reads back."""

    NAMES = ("patents", "applicants", "inventors", "ipc", "links", "errors")

    def __init__(self, directory: Path):
        self.dir = directory
        self.handles = {name: open(directory / f"{name}.txt", "w", encoding="utf-8", newline="")
                        for name in self.NAMES}

    def write(self, name: str, values: tuple) -> None:
        line = SEP.join(["" if v is None else ("1" if v is True else "0" if v is False else str(v)) for v in values])
        if "\n" in line or "\r" in line or line.count(SEP) != len(values) - 1:
            line = SEP.join(_cell(v) for v in values)
        self.handles[name].write(line + "\n")

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    if SEP in text or "\n" in text or "\r" in text:
        text = re.sub(r"[\x1f\r\n]+", " ", text)
    return text


_MISSING_WANTED = ("app_no", "app_date", "applicants", "ipc", "title")


@lru_cache(maxsize=200_000)
def _applicant(name: str, declared: str, province_code: str, address: str, country: str) -> tuple:
    display = clean_name(name)
    loc = locate(province_code=province_code, address=address, name=display, country=country)
    return (display, name_key(display), classify_applicant(display, declared), loc.country, loc.province,
            loc.city, loc.located_by)


def _date_columns(table: Table, prescan: list[list[object]]) -> dict[str, str]:
    orders = {}
    for index, fld in table.mapping.items():
        if fld in DATE_FIELDS:
            orders[fld] = date_order([str(r[index]) for r in prescan if index < len(r)])
    return orders


class _RowContext:
    def __init__(self, staging: _Staging, file_idx: int, row_no: int, row_id: int):
        self.staging, self.file_idx, self.row_no, self.row_id = staging, file_idx, row_no, row_id
        self.warnings = 0

    def report(self, severity: str, fld: str, value: object, message: str) -> None:
        if severity == "warning":
            self.warnings += 1
        self.staging.write("errors", (self.file_idx, self.row_no, self.row_id, severity, fld,
                                      nfkc(value)[:300], message))


def _normalise_row(table: Table, values: dict[str, object], ctx: _RowContext, orders: dict[str, str],
                   today: dt.date) -> bool:
    """Write one row to staging; False when the row is rejected (its reason is in the report)."""
    st = ctx.staging
    default_country = "CN" if table.source == "cnipa" else ("US" if table.source == "patentsview" else "")
    jurisdiction = nfkc(values.get("jurisdiction", "")).upper()
    if re.fullmatch(r"[A-Z]{2}", jurisdiction):
        default_country = jurisdiction

    app = pub = None
    raw_app, raw_pub = values.get("app_no", ""), values.get("pub_no", "") or values.get("grant_no", "")
    if nfkc(raw_app):
        try:
            app = parse_number(raw_app, default_country=default_country)
        except FieldError as exc:
            ctx.report("warning" if nfkc(raw_pub) else "error", "app_no", raw_app, str(exc))
    if nfkc(raw_pub):
        try:
            pub = parse_number(raw_pub, default_country=default_country)
        except FieldError as exc:
            ctx.report("warning" if app else "error", "pub_no", raw_pub, str(exc))
    if app is None and pub is None:
        if not nfkc(raw_app) and not nfkc(raw_pub):
            ctx.report("error", "app_no", "", "no application or publication number")
        return False
    if app is None and "app_no" in table.fields:
        ctx.report("warning", "app_no", raw_app, "no application number: the publication number identifies the row")
    country = (app or pub).country or default_country
    app_key = app.key if app else f"PUB:{pub.key}"

    kind = nfkc(values.get("kind", "")).upper() or (pub.kind if pub else "")
    info = kind_info(kind, country) if kind else None
    ptype = patent_type(values.get("patent_type", "")) or (info[1] if info else "")
    granted: bool | None = info[2] if info else None
    if table.source == "patentsview" and granted is None:
        granted = True
    if nfkc(values.get("patent_type", "")).upper() in {"GRANT", "GRANTED PATENT", "发明授权"}:
        granted = True
    kind_class = info[0] if info else ""
    if kind_class == "" and ptype == "utility":
        kind_class = "U"
    elif kind_class == "" and ptype == "design":
        kind_class = "S"

    dates: dict[str, dt.date | None] = {}
    for fld in DATE_FIELDS:
        raw = values.get(fld)
        try:
            dates[fld] = parse_date(raw, order=orders.get(fld, "dmy"), today=today)
        except FieldError as exc:
            dates[fld] = None
            ctx.report("warning", fld, raw, str(exc))
    if dates["grant_date"] is not None:
        granted = True

    links: list[str] = []
    prio_dates: list[dt.date] = []
    for token in _priority_tokens(values.get("priority_numbers", "")):
        number, when, prio_country = token, None, country
        spaced = _PRIO_SPACED.match(token)  # PATENTSCOPE: "10-2006-0047937 2006-05-29T23:59:59.000Z KR"
        if spaced:
            number, when, prio_country = spaced.group(1), spaced.group(2), spaced.group(3)
        else:
            found = re.search(r"(\d{4}-\d{2}-\d{2}|\b\d{8}\b)$", token)  # Lens: "AT 33585 A 19850206"
            when = found.group(1) if found else None
        if when:
            try:
                prio_dates.append(parse_date(when[:10]))
            except FieldError:
                pass
        try:
            links.append(parse_number(number, default_country=prio_country).key)
        except FieldError:
            ctx.report("warning", "priority_numbers", token, "unreadable priority number")
    for token in split_multi(values.get("family_members", "")):
        try:
            links.append(parse_number(token).key)
        except FieldError:
            ctx.report("warning", "family_members", token, "unreadable family member number")
    family_src = nfkc(values.get("family_id", ""))
    if family_src:
        links.append(f"FAM:{family_src}")
    links.append(app_key)
    if pub:
        links.append(pub.key)
    priority = min([d for d in [dates["priority_date"], dates["app_date"], *prio_dates] if d], default=None)

    # IPC: the full list, the main code first; PatentsView gives the parts in separate columns.
    raw_ipc = values.get("ipc", "")
    if not nfkc(raw_ipc) and nfkc(values.get("ipc_subclass", "")):
        raw_ipc = "".join(nfkc(values.get(k, "")) for k in ("ipc_section", "ipc_class", "ipc_subclass"))
        if nfkc(values.get("ipc_main_group", "")):
            raw_ipc += f"{nfkc(values['ipc_main_group'])}/{nfkc(values.get('ipc_subgroup', '')) or '00'}"
    main_codes, bad_main = ipc_mod.parse_many(values.get("ipc_main", ""))
    codes, bad = ipc_mod.parse_many(raw_ipc)
    for token in bad + bad_main:
        ctx.report("warning", "ipc", token, "malformed IPC code")
    ordered = main_codes[:1] + [c for c in codes if not main_codes or c.code != main_codes[0].code]
    if not ordered and "ipc" in table.fields and not (bad or bad_main):
        ctx.report("warning", "ipc", "", "no IPC code")
    for seq, code in enumerate(ordered):
        text = code.code
        st.write("ipc", (ctx.row_id, seq, text, code.main_group, code.subclass, ipc_mod.wipo_field(text), seq == 0))

    declared = nfkc(values.get("applicant_type", ""))
    address = nfkc(values.get("applicant_address", ""))
    province_code = nfkc(values.get("province_code", ""))
    applicant_country = nfkc(values.get("applicant_country", ""))
    city_hint = nfkc(values.get("applicant_city", ""))
    applicants = split_multi(values.get("applicants", ""))
    if not applicants and "applicants" in table.fields:
        ctx.report("warning", "applicants", "", "no applicant")
    for seq, name in enumerate(applicants):
        first = seq == 0
        rec = _applicant(name, declared if first else "", province_code if first else "",
                         (address if first else "") or (city_hint if table.source == "patentsview" else ""),
                         applicant_country)
        st.write("applicants", (ctx.row_id, seq, *rec))
    inventors = split_multi(values.get("inventors", ""))
    if not inventors and nfkc(values.get("inventor_last", "")):
        inventors = [f"{nfkc(values.get('inventor_last'))} {nfkc(values.get('inventor_first', ''))}".strip()]
    for seq, name in enumerate(inventors):
        # "SOLDIN STEVEN J    US" (ritonavir): drop a trailing country code.
        st.write("inventors", (ctx.row_id, seq, re.sub(r"\s{2,}[A-Z]{2}$", "", clean_name(name))))
    for link in dict.fromkeys(links):
        st.write("links", (ctx.row_id, link))

    status = nfkc(values.get("legal_status", ""))
    st.write("patents", (
        ctx.row_id, ctx.file_idx, ctx.row_no, app_key, nfkc(raw_app), nfkc(raw_pub), pub.key if pub else "",
        kind, kind_class, ptype, granted, country, nfkc(values.get("title", ""))[:1000],
        nfkc(values.get("abstract", ""))[:4000], dates["app_date"], dates["pub_date"], dates["grant_date"],
        priority, status[:100], in_force(status), _int(values.get("cited_count"), ctx, "cited_count"),
        _int(values.get("family_size"), ctx, "family_size"),
        _int(values.get("extended_family_size"), ctx, "extended_family_size"),
    ))
    return True


_PRIO_SPACED = re.compile(r"^(.*?)\s+(\S+T\S*Z|\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2})\s+([A-Z]{2})$")


def _priority_tokens(raw: object) -> list[str]:
    tokens = []
    for part in split_multi(raw):
        for token in re.split(r",\s+", part):
            token = token.strip("[] ")
            if token and not token.lower().startswith("null"):
                tokens.append(token)
    return tokens


def _int(value: object, ctx: _RowContext, fld: str) -> int | None:
    text = nfkc(value)
    if not text or text.upper() in {"NA", "N/A", "NONE"}:
        return None
    try:
        return int(float(text))
    except ValueError:
        ctx.report("warning", fld, value, "not a number")
        return None


def _count_lines(path: Path) -> int:
    total = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            total += chunk.count(b"\n") or chunk.count(b"\r")
    return max(total, 1)


def ingest(paths: list[Path], out_dir: Path, *, names: list[str] | None = None,
           progress: ProgressFn | None = None, today: dt.date | None = None,
           threads: int | None = None) -> IngestResult:
    """Import files into `out_dir` (patents/applicants/inventors/ipc/errors .parquet + manifest)."""
    started = time.perf_counter()
    today = today or dt.date.today()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = names or [p.name for p in paths]
    work = Path(tempfile.mkdtemp(prefix="patents-stage-", dir=out_dir))
    staging = _Staging(work)
    reports: list[FileReport] = []
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    row_id = 0
    total_lines = sum(_count_lines(p) for p in paths if not str(p).lower().endswith((".xlsx", ".xlsm")))
    done_lines = 0
    try:
        for file_idx, (path, name) in enumerate(zip(paths, names, strict=True)):
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 22):
                    digest.update(chunk)
            try:
                table = open_table(path, filename=name)
            except (ValueError, OSError) as exc:
                staging.write("errors", (file_idx, 0, 0, "error", "file", name, str(exc)))
                reports.append(FileReport(name, "", "", "", "", "", 0, {}, [], ["app_no"], rows_rejected=0))
                continue
            mapped = {table.headers[i]: f for i, f in table.mapping.items()}
            missing = [f for f in _MISSING_WANTED if f not in table.fields]
            report = FileReport(name, table.format, table.encoding, table.delimiter, table.line_endings,
                                table.source, table.header_row, mapped, table.unmapped, missing)
            for fld in missing:
                staging.write("errors", (file_idx, table.header_row, 0, "warning", fld, "",
                                         f"the file has no column for {fld}"))
            prescan: list[tuple[int, list[object]]] = []
            rows = table.rows
            for item in rows:
                prescan.append(item)
                if len(prescan) >= 5000:
                    break
            report.date_order = _date_columns(table, [r for _n, r in prescan])
            width = len(table.headers)

            def all_rows(prescan=prescan, rows=rows):
                yield from prescan
                yield from rows

            for row_no, raw in all_rows():
                done_lines += 1
                if not any(str(v).strip() for v in raw):
                    report.rows_blank += 1
                    continue
                row_id += 1
                report.rows_read += 1
                ctx = _RowContext(staging, file_idx, row_no, row_id)
                if len(raw) != width:
                    ctx.report("warning", "", f"{len(raw)} cells", f"row has {len(raw)} cells, header has {width}")
                values = {fld: raw[i] if isinstance(raw[i], str) else ("" if raw[i] is None else raw[i])
                          for i, fld in table.mapping.items() if i < len(raw)}
                if any("\ufffd" in v for v in values.values() if isinstance(v, str)):
                    ctx.report("warning", "", "", "bytes that are not valid in the detected encoding were replaced")
                if not _normalise_row(table, values, ctx, report.date_order, today):
                    report.rows_rejected += 1
                elif ctx.warnings:
                    report.rows_with_warnings += 1
                if progress and row_id % 5000 == 0:
                    progress(done_lines, max(total_lines, done_lines))
            reports.append(report)
        staging.close()
        stats = _merge(work, out_dir, threads=threads)
    finally:
        staging.close()
        shutil.rmtree(work, ignore_errors=True)
    result = IngestResult(
        out_dir=str(out_dir), files=reports, rows_read=sum(r.rows_read for r in reports),
        rows_rejected=sum(r.rows_rejected for r in reports),
        rows_with_warnings=sum(r.rows_with_warnings for r in reports),
        data_version=digest.hexdigest()[:16], seconds=round(time.perf_counter() - started, 3), **stats,
    )
    (out_dir / "manifest.json").write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    if progress:
        progress(max(total_lines, done_lines), max(total_lines, done_lines))
    return result


def _read(work: Path, name: str, columns: dict[str, str]) -> str:
    cols = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
    path = str(work / f"{name}.txt").replace("'", "''")
    return (f"read_csv('{path}', delim='{SEP}', quote='', escape='', header=false, columns={{{cols}}}, "
            f"nullstr='', auto_detect=false, max_line_size=20000000)")


STAGE_COLUMNS = {
    "patents": {"row_id": "BIGINT", "file_idx": "INTEGER", "row_no": "BIGINT", "app_key": "VARCHAR",
                "app_no": "VARCHAR", "pub_no": "VARCHAR", "pub_key": "VARCHAR", "kind": "VARCHAR",
                "kind_class": "VARCHAR", "patent_type": "VARCHAR", "granted": "BOOLEAN", "country": "VARCHAR",
                "title": "VARCHAR", "abstract": "VARCHAR", "app_date": "DATE", "pub_date": "DATE",
                "grant_date": "DATE", "priority_date": "DATE", "legal_status": "VARCHAR",
                "in_force": "BOOLEAN", "cited_count": "INTEGER", "family_size": "INTEGER",
                "extended_family_size": "INTEGER"},
    "applicants": {"row_id": "BIGINT", "seq": "INTEGER", "name": "VARCHAR", "name_key": "VARCHAR",
                   "kind": "VARCHAR", "country": "VARCHAR", "province": "VARCHAR", "city": "VARCHAR",
                   "located_by": "VARCHAR"},
    "inventors": {"row_id": "BIGINT", "seq": "INTEGER", "name": "VARCHAR"},
    "ipc": {"row_id": "BIGINT", "seq": "INTEGER", "code": "VARCHAR", "main_group": "VARCHAR",
            "subclass": "VARCHAR", "field_id": "INTEGER", "is_main": "BOOLEAN"},
    "links": {"row_id": "BIGINT", "link": "VARCHAR"},
    "errors": {"file_idx": "INTEGER", "row_no": "BIGINT", "row_id": "BIGINT", "severity": "VARCHAR",
               "field": "VARCHAR", "value": "VARCHAR", "message": "VARCHAR"},
}


def _merge(work: Path, out_dir: Path, *, threads: int | None = None) -> dict:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET temp_directory='{str(work).replace(chr(39), chr(39) * 2)}'")
    for name, columns in STAGE_COLUMNS.items():
        con.execute(f"CREATE TABLE s_{name} AS SELECT * FROM {_read(work, name, columns)}")
    con.execute("""
        CREATE TABLE rowmap AS
        SELECT row_id, app_key, DENSE_RANK() OVER (ORDER BY first_row) AS pid
        FROM (SELECT row_id, app_key, MIN(row_id) OVER (PARTITION BY app_key) AS first_row FROM s_patents)
    """)
    con.execute("""
        CREATE TABLE pat AS
        SELECT m.pid,
               p.app_key AS app_id,
               arg_min(NULLIF(p.app_no, ''), p.row_id) AS app_no,
               arg_min(NULLIF(p.pub_no, ''), COALESCE(p.pub_date, DATE '9999-12-31')) AS pub_no,
               string_agg(DISTINCT NULLIF(p.pub_key, ''), ';') AS pub_keys,
               arg_max(NULLIF(p.kind, ''), COALESCE(p.pub_date, DATE '0001-01-01')) AS kind,
               CASE WHEN bool_or(p.kind_class = 'B') THEN 'B'
                    ELSE arg_max(NULLIF(p.kind_class, ''), COALESCE(p.pub_date, DATE '0001-01-01')) END AS kind_class,
               COALESCE(arg_min(NULLIF(p.patent_type, ''), p.row_id), 'unknown') AS patent_type,
               COALESCE(bool_or(p.granted), false) OR MIN(p.grant_date) IS NOT NULL AS granted,
               arg_min(p.country, p.row_id) AS country,
               arg_min(NULLIF(p.title, ''), p.row_id) AS title,
               arg_min(NULLIF(p.abstract, ''), p.row_id) AS abstract,
               MIN(p.app_date) AS app_date, MIN(p.pub_date) AS pub_date, MIN(p.grant_date) AS grant_date,
               MIN(p.priority_date) AS priority_date,
               arg_max(NULLIF(p.legal_status, ''), p.row_id) AS legal_status,
               arg_max(p.in_force, p.row_id) AS in_force,
               MAX(p.cited_count) AS cited_count,
               MAX(p.family_size) AS family_size_reported,
               MAX(p.extended_family_size) AS extended_family_size,
               COUNT(*) AS source_rows,
               MIN(p.row_id) AS first_row
        FROM s_patents p JOIN rowmap m USING (row_id, app_key)
        GROUP BY m.pid, p.app_key
    """)
    # Families: connected components over shared priority numbers, family-member lists and ids.
    con.execute("""
        CREATE TABLE edges AS SELECT DISTINCT m.pid, l.link FROM s_links l JOIN rowmap m USING (row_id)
    """)
    con.execute("CREATE TABLE lab AS SELECT pid, pid AS label FROM pat")
    for _ in range(50):
        con.execute("""
            CREATE OR REPLACE TABLE klab AS
            SELECT e.link, MIN(l.label) AS label FROM edges e JOIN lab l USING (pid) GROUP BY e.link
        """)
        con.execute("""
            CREATE OR REPLACE TABLE lab2 AS
            SELECT l.pid, LEAST(l.label, COALESCE(MIN(k.label), l.label)) AS label
            FROM lab l LEFT JOIN edges e USING (pid) LEFT JOIN klab k USING (link)
            GROUP BY l.pid, l.label
        """)
        changed = con.execute(
            "SELECT COUNT(*) FROM lab2 JOIN lab USING (pid) WHERE lab2.label <> lab.label").fetchone()[0]
        con.execute("CREATE OR REPLACE TABLE lab AS SELECT * FROM lab2")
        if not changed:
            break
    out = {name: str(out_dir / f"{name}.parquet").replace("'", "''")
           for name in ("patents", "applicants", "inventors", "ipc", "errors")}
    con.execute(f"""
        COPY (
          SELECT p.pid, p.app_id, p.app_no, p.pub_no, p.pub_keys, p.kind, p.kind_class, p.patent_type, p.granted,
                 p.country, p.title, p.abstract, p.app_date, p.pub_date, p.grant_date, p.priority_date,
                 CAST(EXTRACT(year FROM p.app_date) AS INTEGER) AS app_year,
                 CAST(EXTRACT(year FROM p.priority_date) AS INTEGER) AS priority_year,
                 p.legal_status, p.in_force, COALESCE(p.cited_count, 0) AS cited_count,
                 f.app_id AS family_id, fs.n AS family_members_here,
                 COALESCE(p.family_size_reported, fs.n) AS family_size, p.extended_family_size, p.source_rows
          FROM pat p JOIN lab l USING (pid) JOIN pat f ON f.pid = l.label
          JOIN (SELECT label, COUNT(*) AS n FROM lab GROUP BY label) fs ON fs.label = l.label
          ORDER BY p.pid
        ) TO '{out["patents"]}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (
          SELECT pid, CAST(ROW_NUMBER() OVER (PARTITION BY pid ORDER BY o) - 1 AS INTEGER) AS seq,
                 name, name_key, name_std, kind, NULLIF(country, '') AS country, NULLIF(province, '') AS province,
                 NULLIF(city, '') AS city, NULLIF(located_by, '') AS located_by
          FROM (
            SELECT m.pid, a.name_key, MIN(a.row_id * 10000 + a.seq) AS o,
                   arg_min(a.name, a.row_id * 10000 + a.seq) AS name,
                   arg_min(a.kind, a.row_id * 10000 + a.seq) AS kind,
                   MAX(a.country) AS country, MAX(a.province) AS province, MAX(a.city) AS city,
                   MAX(a.located_by) AS located_by
            FROM s_applicants a JOIN rowmap m USING (row_id)
            WHERE a.name_key <> ''
            GROUP BY m.pid, a.name_key
          ) x
          JOIN (SELECT name_key, mode(name) AS name_std FROM s_applicants GROUP BY name_key) s USING (name_key)
          ORDER BY pid, seq
        ) TO '{out["applicants"]}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (
          SELECT pid, CAST(ROW_NUMBER() OVER (PARTITION BY pid ORDER BY o) - 1 AS INTEGER) AS seq, name
          FROM (SELECT m.pid, i.name, MIN(i.row_id * 10000 + i.seq) AS o
                FROM s_inventors i JOIN rowmap m USING (row_id) WHERE i.name <> '' GROUP BY m.pid, i.name) x
          ORDER BY pid, seq
        ) TO '{out["inventors"]}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (
          SELECT pid, CAST(ROW_NUMBER() OVER (PARTITION BY pid ORDER BY main_first, o) - 1 AS INTEGER) AS seq,
                 code, main_group, subclass, field_id, main_first = 0 AND
                 ROW_NUMBER() OVER (PARTITION BY pid ORDER BY main_first, o) = 1 AS is_main
          FROM (SELECT m.pid, i.code, MIN(i.main_group) AS main_group, MIN(i.subclass) AS subclass,
                       MIN(i.field_id) AS field_id, MIN(CASE WHEN i.is_main THEN 0 ELSE 1 END) AS main_first,
                       MIN(i.row_id * 10000 + i.seq) AS o
                FROM s_ipc i JOIN rowmap m USING (row_id) GROUP BY m.pid, i.code) x
          ORDER BY pid, seq
        ) TO '{out["ipc"]}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (SELECT file_idx, row_no, severity, field, value, message FROM s_errors ORDER BY file_idx, row_no)
        TO '{out["errors"]}' (FORMAT parquet)
    """)
    stats = con.execute("""
        SELECT (SELECT COUNT(*) FROM pat), (SELECT COUNT(*) FROM s_patents) - (SELECT COUNT(*) FROM pat),
               (SELECT COUNT(DISTINCT label) FROM lab),
               (SELECT COUNT(DISTINCT name_key) FROM s_applicants),
               (SELECT COUNT(*) FROM read_parquet(?)), (SELECT COUNT(*) FROM s_errors),
               (SELECT MAX(COALESCE(pub_date, app_date)) FROM pat)
    """, [str(out_dir / "ipc.parquet")]).fetchone()
    con.close()
    return {"patents": stats[0], "duplicates_merged": stats[1], "families": stats[2], "applicants": stats[3],
            "ipc_rows": stats[4], "errors": stats[5], "cutoff_date": stats[6].isoformat() if stats[6] else None}
