"""The pages, walked as a new user would: a clerk imports the sample files, an enterprise
declares and sees the explanation, a reviewer and an approver list it, the enterprise grants a
bank access, the bank reads only what was granted, the enterprise sees the access."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from innoreform.core.models import OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.services import api_key_create
from innoreform.core.testing import make_actor
from innoreform.registry import models as m
from innoreform.registry.demo_data import E1, ROWS, file_name, xlsx_bytes

from .conftest import FIXTURES, enterprise_actor

pytestmark = pytest.mark.django_db


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_story_end_to_end(clerk, reviewer, approver):
    # 1. the clerk downloads a template and imports every sample file through the page
    desk = client_for(clerk)
    assert desk.get("/registry/imports/").status_code == 200
    template = desk.get("/registry/imports/templates/tax.indicators.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).active.max_row == 2
    for key in ROWS:
        name = file_name(key, "xlsx")
        response = desk.post("/registry/imports/", {
            "template": key, "file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes())})
        assert response.status_code == 302, response.content[:500]
    assert m.ImportBatch.objects.filter(status="applied").count() == len(ROWS)
    assert m.Enterprise.objects.count() == 5

    # 2. the enterprise declares for this year's evaluation and reads the explanation
    owner = enterprise_actor(E1)
    site = client_for(owner)
    assert site.get("/registry/me/").status_code == 200
    year = timezone.localdate().year
    figures = {"year": year, "staff_total": 120, "tech_staff": 40, "sales_fen": "30000000",
               "total_assets_fen": "45000000", "rd_expense_fen": "1950000", "total_cost_fen": "26000000"}
    preview = site.post("/registry/me/declarations/", {**figures, "preview": "1"})
    assert preview.status_code == 200 and b'data-key="outcome"' in preview.content
    assert not m.Declaration.objects.exists()
    response = site.post("/registry/me/declarations/", figures)
    assert response.status_code == 302
    decl = m.Declaration.objects.get()
    page = site.get(f"/registry/declarations/{decl.pk}/")
    assert page.status_code == 200
    assert b'data-key="tech_staff"' in page.content
    assert b"33.33%" in page.content  # 40 of 120 staff, explained

    # 3. reviewer recommends, another approver approves, then publishes the city's batch
    assert client_for(reviewer).post(f"/registry/declarations/{decl.pk}/review/",
                                      {"recommend": "approve"}).status_code == 302
    checker = client_for(approver)
    assert checker.post(f"/registry/declarations/{decl.pk}/decide/", {"approve": "yes"}).status_code == 302
    assert checker.get("/registry/review/").status_code == 200
    assert checker.post("/registry/review/publish/", {"year": year, "region": Region.GUANGZHOU}).status_code == 302
    decl.refresh_from_db()
    assert decl.status == "listed" and decl.registration_number
    public = Client().get("/registry/list/")  # the public list needs no account
    assert decl.registration_number.encode() in public.content

    # 4. the enterprise grants a bank two categories after reading the notice
    bank_admin = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    _key, secret = api_key_create(actor=bank_admin, name="loans")
    grants_page = site.get("/registry/me/grants/")
    assert b'data-testid="consent-notice"' in grants_page.content
    response = site.post("/registry/me/grants/", {
        "institution": bank_admin.organisation_id, "categories": ["basic", "evaluation"],
        "purpose": "loan_application", "valid_until": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "notice_version": 1, "read_notice": "on"})
    assert response.status_code == 302, response.content[:2000]

    # 5. the bank reads only what was granted and sees the enterprise on its page
    bank = Client(headers={"X-API-Key": secret})
    body = bank.get(f"/api/bank/v1/enterprises/{E1}", {"purpose": "loan_application"}).json()
    assert sorted(body["data"]) == ["basic", "evaluation"]
    assert body["data"]["evaluation"]["registration_number"] == decl.registration_number
    assert b"data-testid=\"bank-enterprises\"" in client_for(bank_admin).get("/registry/bank/enterprises/").content

    # 6. the enterprise sees that access in its history
    history = site.get("/registry/me/access/")
    assert bank_admin.organisation.name.encode() in history.content
    export = site.get("/registry/me/access/", {"format": "xlsx"})
    assert export.status_code == 200


def test_rejected_import_offers_an_error_report(clerk):
    desk = client_for(clerk)
    header, rows = ROWS["market_regulation.enterprises"]
    bad = [list(rows[0])]
    bad[0][0] = "91440106MA5DEM01XX"
    desk.post("/registry/imports/", {"template": "market_regulation.enterprises",
                                     "file": SimpleUploadedFile("bad.xlsx", xlsx_bytes(header, bad))})
    batch = m.ImportBatch.objects.get()
    assert batch.status == "rejected"
    report = desk.get(f"/registry/imports/{batch.pk}/errors.xlsx")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert sheet.cell(row=2, column=2).value


def test_department_pages_and_exports(demo_registry, approver):
    desk = client_for(approver)
    for url in ("/registry/enterprises/", f"/registry/enterprises/{E1}/", "/registry/dashboard/",
                "/registry/review/"):
        assert desk.get(url).status_code == 200, url
    export = desk.get("/registry/enterprises/", {"format": "xlsx", "region": Region.GUANGZHOU})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3  # header + the two Guangzhou demo enterprises
    assert desk.post("/registry/dashboard/recompute/").status_code == 302
    assert m.IndexScore.objects.count() == 5


def test_pages_are_404_for_the_wrong_kind(demo_registry):
    owner = client_for(enterprise_actor(E1))
    for url in ("/registry/enterprises/", "/registry/imports/", "/registry/review/", "/registry/dashboard/",
                "/registry/bank/enterprises/"):
        assert owner.get(url).status_code == 404, url
    bank = client_for(make_actor(kind=OrgKind.BANK))
    assert bank.get("/registry/me/").status_code == 404
    assert bank.get(f"/registry/enterprises/{E1}/").status_code == 404


def test_enterprise_cannot_open_another_enterprises_declaration(demo_registry):
    from innoreform.registry.demo_data import E2

    a = enterprise_actor(E1)
    year = timezone.localdate().year
    from innoreform.registry import services

    decl = services.declaration_submit(actor=a, year=year, staff_total=10, tech_staff=3, sales_fen=100,
                                       total_assets_fen=100, rd_expense_fen=6, total_cost_fen=50)
    assert client_for(enterprise_actor(E2)).get(f"/registry/declarations/{decl.pk}/").status_code == 404


def test_pages_render_in_chinese(demo_registry, approver):
    from django.utils import translation

    from innoreform.registry import services

    services.index_recompute(actor=approver, year=2024)
    desk = client_for(approver)
    with translation.override("zh-hans"):
        page = desk.get(f"/registry/enterprises/{E1}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "创新能力指数".encode() in page.content
        assert "研发强度".encode() in page.content  # a factor's contribution, translated
        assert "信息库看板".encode() in desk.get("/registry/dashboard/").content
        assert "数据导入".encode() in desk.get("/registry/imports/").content
