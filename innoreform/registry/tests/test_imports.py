"""Imports: good, malformed and repeated files; every row validated; all or nothing."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from innoreform.core.credit_code import make
from innoreform.core.models import AuditEvent, Job
from innoreform.registry import imports, services
from innoreform.registry import models as m
from innoreform.registry.demo_data import E1, E2, E5, ROWS, csv_bytes, xlsx_bytes

from .conftest import fixture_bytes, import_demo

pytestmark = pytest.mark.django_db

ENTERPRISES = "market_regulation.enterprises"
TAX = "tax.indicators"
STAFF = "social_security.staff"


def upload(actor, template, content, name="file.xlsx"):
    return services.import_upload(actor=actor, template=template, filename=name, content=content)


def test_sample_files_import_and_build_the_registry(demo_registry):
    assert m.Enterprise.objects.count() == 5
    e2 = m.Enterprise.objects.get(credit_code=E2)
    e5 = m.Enterprise.objects.get(credit_code=E5)
    assert e2.actual_controller_id == e5.actual_controller_id is not None  # one group under 示例乙
    assert e2.customs_credit_rating == "一般认证企业"
    ind = m.YearlyIndicator.objects.get(enterprise__credit_code=E1, year=2024)
    assert (ind.sales_fen, ind.rd_expense_fen, ind.staff_total, ind.tech_staff) == (30000000_00, 1950000_00, 120, 40)
    assert m.IntellectualProperty.objects.filter(enterprise=e2, kind="invention_patent").count() == 1
    assert m.Qualification.objects.get(enterprise=e2).certificate_no == "GR202344009999"
    # audited, and the source file is kept
    batch = m.ImportBatch.objects.filter(template=TAX).first()
    assert batch.file.read() == fixture_bytes(TAX)
    assert AuditEvent.objects.filter(action="registry.import_applied", object_id=str(batch.pk)).count() == 1


def test_csv_with_the_same_rows_changes_nothing(demo_registry):
    before = list(m.YearlyIndicator.objects.order_by("pk").values())
    batch = upload(demo_registry, TAX, fixture_bytes(TAX, "csv"), "tax.csv")
    assert batch.status == "applied"
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 6}
    assert list(m.YearlyIndicator.objects.order_by("pk").values()) == before


def test_reimporting_the_same_file_changes_nothing(demo_registry):
    counts = m.Enterprise.objects.count(), m.ImportBatch.objects.filter(status="applied").count()
    events = AuditEvent.objects.count()
    batch = upload(demo_registry, ENTERPRISES, fixture_bytes(ENTERPRISES))
    assert batch.status == "duplicate"
    assert batch.duplicate_of.status == "applied"
    assert (m.Enterprise.objects.count(), m.ImportBatch.objects.filter(status="applied").count()) == counts
    assert AuditEvent.objects.filter(action="registry.import_repeated").count() == 1
    assert AuditEvent.objects.count() == events + 1


def test_changed_row_updates_only_that_row(demo_registry):
    header, rows = ROWS[TAX]
    rows = [list(r) for r in rows]
    rows[0][4] = 2000000  # E1 2024 R&D expense
    batch = upload(demo_registry, TAX, xlsx_bytes(header, rows))
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 5}
    assert m.YearlyIndicator.objects.get(enterprise__credit_code=E1, year=2024).rd_expense_fen == 2000000_00


def test_chinese_headers_from_the_downloaded_template_are_accepted(clerk):
    template = imports.TEMPLATES[ENTERPRISES]
    with translation.override("zh-hans"):
        wb = load_workbook(io.BytesIO(imports.template_workbook(template)))
    header = [c.value for c in wb.active[1]]
    assert header[0] == "统一社会信用代码"
    code = make("91", "440106", "MA5TEAM1")
    row = [code, "测试企业", "广州", "", "", "", "", "", "", "", ""]
    batch = upload(clerk, ENTERPRISES, xlsx_bytes(header, [row]))
    assert batch.status == "applied", batch.errors
    assert m.Enterprise.objects.get(credit_code=code).region == "440100"


def _bad_rows():
    good = make("91", "440106", "MA5TEAM2")
    wrong_check = good[:-1] + ("1" if good[-1] != "1" else "2")
    return good, wrong_check


def test_bad_rows_are_reported_per_row_and_nothing_is_imported(demo_registry):
    header, _rows = ROWS[STAFF]
    rows = [
        [E1, 2024, 130, 120, 45],   # row 2: fine
        [E2, 2024, -5, 0, 0],       # row 3: negative staff
        [E5, 2024, 40, 40, 41],     # row 4: tech staff above staff
        [E1, 2024, 131, 121, 46],   # row 5: duplicate of row 2
        [_bad_rows()[1], 2024, 10, 10, 1],  # row 6: wrong check character
        [E1, 1850, 10, 10, 1],      # row 7: impossible year
        [E1, 2023, "many", 10, 1],  # row 8: not a number
    ]
    before = list(m.YearlyIndicator.objects.order_by("pk").values())
    batch = upload(demo_registry, STAFF, xlsx_bytes(header, rows))
    assert batch.status == "rejected"
    by_row = {e["row"]: " ".join(e["messages"]) for e in batch.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8]
    assert "negative" in by_row[3]
    assert "technical staff cannot exceed" in by_row[4]
    assert "duplicate of row 2" in by_row[5]
    assert "check character" in by_row[6]
    assert "year" in by_row[7]
    assert "number" in by_row[8]
    assert list(m.YearlyIndicator.objects.order_by("pk").values()) == before  # row 2 was not applied either
    assert AuditEvent.objects.filter(action="registry.import_rejected", object_id=str(batch.pk)).exists()

    report = load_workbook(io.BytesIO(imports.error_report(batch.file.read(), batch.original_name, batch.errors)))
    sheet = report.active
    assert [c.value for c in sheet[1]][:3] == ["Row", "Errors", "credit_code"]
    assert sheet.cell(row=2, column=2).value in (None, "")  # the good row carries no error
    assert "negative" in sheet.cell(row=3, column=2).value


def test_rd_above_total_cost_is_refused(demo_registry):
    header, _ = ROWS[TAX]
    batch = upload(demo_registry, TAX, xlsx_bytes(header, [[E1, 2024, 100, 50, 60, 10]]))
    assert batch.status == "rejected"
    assert "R&D expense cannot exceed total cost" in batch.errors[0]["messages"][0]


def test_unknown_enterprise_is_an_error(clerk):
    header, rows = ROWS[TAX]
    batch = upload(clerk, TAX, xlsx_bytes(header, rows[:1]))
    assert batch.status == "rejected"
    assert "not in the registry" in batch.errors[0]["messages"][0]


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"\x00\x01garbage", "data.xlsx", "not a readable Excel"),
    (b"PK\x03\x04broken zip", "data.xlsx", "not a readable Excel"),
    (b"hello", "data.pdf", "Upload an .xlsx or .csv"),
    (csv_bytes(["credit_code", "name"], [["x", "y"]]), "data.csv", "Missing columns"),
    (csv_bytes(ROWS[ENTERPRISES][0], []), "data.csv", "no rows"),
    ("统一社会信用代码,企业名称\r\nx,y\r\n".encode("gb18030"), "data.csv", "Missing columns"),  # GBK CSV read
    (b"\xff\xfe\x00\x81\x30", "data.csv", "neither UTF-8 nor GB18030"),
])
def test_malformed_files_are_rejected_whole(clerk, content, name, message):
    batch = upload(clerk, ENTERPRISES, content, name)
    assert batch.status == "rejected"
    assert message in batch.errors[0]["messages"][0]
    assert m.Enterprise.objects.count() == 0


def test_shares_over_100_percent(demo_registry):
    header, _ = ROWS["market_regulation.shareholders"]
    batch = upload(demo_registry, "market_regulation.shareholders",
                   xlsx_bytes(header, [[E1, "甲", "person", "", 60], [E1, "乙", "person", "", 50]]))
    assert batch.status == "rejected"
    assert len(batch.errors) == 2


def test_only_departments_import(db):
    from innoreform.core.errors import PermissionDenied
    from innoreform.core.testing import make_actor

    with pytest.raises(PermissionDenied):
        upload(make_actor(), ENTERPRISES, fixture_bytes(ENTERPRISES))


def test_large_file_runs_as_background_job_with_progress(clerk, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "BACKGROUND_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(clerk, ENTERPRISES, fixture_bytes(ENTERPRISES))
    batch.refresh_from_db()
    assert batch.status == "applied"
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == "succeeded"
    assert job.kind == "registry.import"
    assert m.Enterprise.objects.count() == 5


def test_small_file_that_unpacks_large_runs_as_background_job(clerk, settings, django_capture_on_commit_callbacks):
    """A zip bomb is small on the wire: the unpacked size, not the upload's, keeps it out of the request."""
    from innoreform.core.testing import xlsx_bomb

    settings.SPREADSHEET_FOREGROUND_BYTES = 100_000
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        header = tuple(c.key for c in imports.TEMPLATES[ENTERPRISES].columns)
        batch = upload(clerk, ENTERPRISES, xlsx_bomb(empty_rows=400_000, header=header))
    assert batch.job_id is not None and len(callbacks) >= 1
    batch.refresh_from_db()
    assert batch.status == "rejected"
    assert "300000 rows" in batch.errors[0]["messages"][0]  # the row cap, reached while streaming


def test_import_links_existing_platform_account(clerk):
    from innoreform.core.models import OrgKind
    from innoreform.core.testing import make_org

    org = make_org(kind=OrgKind.ENTERPRISE, credit_code=E1)
    import_demo(clerk, [ENTERPRISES])
    assert m.Enterprise.objects.get(credit_code=E1).organisation_id == org.pk
