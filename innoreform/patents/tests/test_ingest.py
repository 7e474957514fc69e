# ruff: noqa: S608  (SQL text is built from constants, table names and integers; user values are bound parameters)
import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from innoreform.patents.engine.ingest import ingest
from innoreform.patents.engine.sources import detect_encoding, open_table

from .fixtures import write_fixture

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "encoding", "endings", "source"),
    [
        ("lens_drones_sample.csv", "utf-8", "CRLF", "lens"),
        ("lens_pizza_latin1_cr.csv", "latin-1", "CR", "lens"),
        ("patentscope_pizza_latin1_cr.csv", "latin-1", "CR", "patentscope"),
        ("ritonavir_sample.csv", "utf-8", "LF", "generic"),
        ("cnipa_sample_utf8.csv", "utf-8", "CRLF", "cnipa"),
        ("cnipa_sample_gbk.csv", "gbk", "CRLF", "cnipa"),
    ],
)
def test_encoding_line_endings_and_source_are_detected_on_real_samples(name, encoding, endings, source):
    table = open_table(DATA / name)
    assert (table.encoding, table.line_endings, table.source) == (encoding, endings, source)
    assert {"pub_no"} <= table.fields


def test_gbk_file_reads_the_same_chinese_text_as_utf8():
    utf8 = [row for _n, row in open_table(DATA / "cnipa_sample_utf8.csv").rows]
    gbk = [row for _n, row in open_table(DATA / "cnipa_sample_gbk.csv").rows]
    title = open_table(DATA / "cnipa_sample_utf8.csv").headers.index("专利名称")
    assert [r[title] for r in gbk] == [r[title] for r in utf8]
    assert utf8[0][title] == "一种无人机机载多功能盒"


def test_latin1_bytes_are_not_mistaken_for_gbk():
    assert detect_encoding("Café, Zürich, Øster".encode("latin-1")) == "latin-1"
    assert detect_encoding("一种无人机,深圳".encode("gbk")) == "gb18030"
    assert detect_encoding("一种无人机".encode()) == "utf-8"


def _q(out: Path, sql: str):
    con = duckdb.connect()
    for name in ("patents", "applicants", "inventors", "ipc", "errors"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out / (name + '.parquet')}')")
    return con.execute(sql).fetchall()


def test_real_lens_sample_ingests_with_every_row_accounted_for(tmp_path):
    result = ingest([DATA / "lens_drones_sample.csv"], tmp_path / "ds")
    assert result.rows_read == 200
    assert result.rows_read == result.patents + result.duplicates_merged + result.rows_rejected
    out = tmp_path / "ds"
    assert _q(out, "SELECT COUNT(*) FROM patents WHERE country = 'CN'")[0][0] == 90
    # Lens has no addresses: Guangdong applicants are located from their names.
    located = dict(_q(out, "SELECT name_std, city FROM applicants WHERE city IS NOT NULL"))
    assert located["UNIV SUN YAT SEN"] == "440100"
    assert located["ZHUHAI XINGYU MODEL IND CO LTD"] == "440400"
    # Every warning is shown with its row number.
    assert _q(out, "SELECT COUNT(*) FROM errors WHERE row_no IS NULL")[0][0] == 0


def test_all_sample_formats_ingest_together(tmp_path):
    files = sorted(DATA.glob("*.csv"))
    result = ingest(files, tmp_path / "ds")
    assert len(result.files) == len(files)
    assert all(f.rows_read > 0 for f in result.files)
    # The GBK and UTF-8 copies of the CNIPA sample hold the same 10 applications: merged, not doubled.
    assert _q(tmp_path / "ds", "SELECT COUNT(*) FROM patents WHERE app_id LIKE 'CN2021216%'")[0][0] >= 1
    assert _q(tmp_path / "ds", "SELECT MAX(source_rows) FROM patents WHERE country = 'CN'")[0][0] == 2


def test_deduplication_merges_publications_of_one_application(tmp_path):
    result = ingest([write_fixture(tmp_path)], tmp_path / "ds", today=dt.date(2025, 1, 1))
    assert (result.rows_read, result.patents, result.duplicates_merged) == (8, 7, 1)
    row = _q(tmp_path / "ds", "SELECT kind_class, granted, pub_no, grant_date, source_rows, legal_status, in_force "
                              "FROM patents WHERE app_id = 'CN201910000001'")[0]
    assert row == ("B", True, "CN110000001A", dt.date(2020, 5, 1), 2, "有权-审定授权", True)
    # the trailing space in the second spelling of 甲 does not make a new applicant
    names = _q(tmp_path / "ds", "SELECT COUNT(DISTINCT name_key) FROM applicants WHERE name LIKE '%甲%'")
    assert names[0][0] == 1


def _lens(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "lens.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Jurisdiction", "Kind", "Publication Number", "Publication Date", "Application Number",
                         "Application Date", "Priority Numbers", "Title", "Applicants", "IPCR Classifications"])
        writer.writerows(rows)
    return path


def test_families_group_applications_sharing_priorities(tmp_path):
    path = _lens(tmp_path, [
        ["US", "A1", "US 2015/0000001 A1", "2015-07-01", "US 201514000001 A", "2015-01-01",
         "US 201462000001 P 20140101", "A", "ACME CORP", "B64U10/00"],
        ["EP", "A1", "EP 3000001 A1", "2016-07-01", "EP 15000001 A", "2015-06-01",
         "US 201462000001 P 20140101;;US 201514000001 A 20150101", "B", "ACME CORP", "B64U10/00"],
        ["CN", "A", "CN 105000001 A", "2016-01-01", "CN 201580000001 A", "2015-06-30",
         "US 201514000001 A 20150101", "C", "ACME CORP", "B64U10/00"],
        ["US", "A1", "US 2017/0000009 A1", "2017-07-01", "US 201614999999 A", "2016-01-01",
         "US 201614999999 A 20160101", "D", "OTHER INC", "B64U10/00"],
    ])
    result = ingest([path], tmp_path / "ds")
    assert result.families == 2
    rows = _q(tmp_path / "ds", "SELECT app_id, family_id, family_members_here, priority_date FROM patents ORDER BY pid")
    assert {r[1] for r in rows[:3]} == {"US201514000001"}
    assert [r[2] for r in rows] == [3, 3, 3, 1]
    assert rows[0][3] == dt.date(2014, 1, 1)  # earliest priority, not the filing date
    assert rows[3][1] == "US201614999999"


def test_bad_rows_are_counted_and_reported_never_silently_dropped(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "申请号,申请日,申请人,分类号,专利名称\n"
        "CN202010000001.1,2020-13-45,甲公司,H04L29/06;BADCODE,好\n"
        ",,乙公司,H04L29/06,没有号码\n"
        "\n"
        "CN202010000002.2,2020-01-01,丙公司,,空分类\n",
        encoding="gbk",
    )
    result = ingest([path], tmp_path / "ds")
    report = result.files[0]
    assert report.encoding == "gbk"
    assert (report.rows_read, report.rows_rejected, report.rows_blank) == (3, 1, 1)
    assert result.patents == 2
    errors = _q(tmp_path / "ds", "SELECT row_no, severity, field, value FROM errors ORDER BY row_no, field")
    assert (2, "warning", "app_date", "2020-13-45") in errors
    assert (2, "warning", "ipc", "BADCODE") in errors
    assert (3, "error", "app_no", None) in errors
    assert (5, "warning", "ipc", None) in errors


def test_a_file_without_a_number_column_is_reported(tmp_path):
    path = tmp_path / "nonumbers.csv"
    path.write_text("title,applicant\nx,y\n", encoding="utf-8")
    result = ingest([path], tmp_path / "ds")
    assert result.patents == 0
    errors = _q(tmp_path / "ds", "SELECT severity, field, message FROM errors")
    assert errors[0][:2] == ("error", "file")
