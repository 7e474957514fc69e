import io

import pytest
from openpyxl import load_workbook

from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor
from innoreform.patents import services
from innoreform.patents.models import Dataset, DatasetStatus, RuleSetStatus

from .test_ingest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login(client, actor):
    client.force_login(actor.user)
    return actor


def _import(client, django_capture_on_commit_callbacks, name="lens_drones_sample.csv"):
    with django_capture_on_commit_callbacks(execute=True), open(DATA / name, "rb") as handle:
        response = client.post("/patents/", {"name": "drones", "files": handle})
    assert response.status_code == 302
    return Dataset.objects.latest("id")


def test_new_user_imports_the_drone_sample_and_reads_the_landscape(client, django_capture_on_commit_callbacks):
    actor = _login(client, make_actor(kind=OrgKind.DEPARTMENT))
    dataset = _import(client, django_capture_on_commit_callbacks)
    assert dataset.status == DatasetStatus.READY
    assert dataset.rows_read == 200
    assert dataset.job.status == "succeeded"
    page = client.get(f"/patents/datasets/{dataset.pk}/")
    assert page.status_code == 200
    assert "industry-uav" in page.content.decode()
    landscape = client.get(f"/patents/datasets/{dataset.pk}/industries/uav/")
    body = landscape.content.decode()
    assert landscape.status_code == 200
    assert 'id="chart-heatmap"' in body and 'id="landscape-data"' in body and "scorecard" in body
    report = client.get(f"/patents/datasets/{dataset.pk}/industries/uav/report.html")
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    html = report.content.decode()
    assert "echarts" in html and dataset.data_version in html
    export = client.get(f"/patents/datasets/{dataset.pk}/industries/uav/patents.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)).active
    assert sheet.max_row > 5
    topic = client.get(f"/patents/datasets/{dataset.pk}/industries/uav/patents/?q=drone")
    assert topic.status_code == 200
    assert actor.organisation == dataset.organisation


def test_other_organisations_datasets_are_not_found(client, django_capture_on_commit_callbacks):
    _login(client, make_actor(kind=OrgKind.SERVICE_INSTITUTION))
    dataset = _import(client, django_capture_on_commit_callbacks, "cnipa_sample_utf8.csv")
    client.force_login(make_actor(kind=OrgKind.SERVICE_INSTITUTION).user)
    assert client.get(f"/patents/datasets/{dataset.pk}/").status_code == 404
    assert client.get(f"/api/v1/patents/datasets/{dataset.pk}").status_code == 404
    # an enterprise has no patent navigation pages at all
    client.force_login(make_actor(kind=OrgKind.ENTERPRISE).user)
    assert client.get("/patents/").status_code == 404


def test_api_landscape_and_topic(client, django_capture_on_commit_callbacks):
    _login(client, make_actor(kind=OrgKind.PLATFORM_OPERATOR))
    dataset = _import(client, django_capture_on_commit_callbacks)
    data = client.get(f"/api/v1/patents/datasets/{dataset.pk}/industries/uav/landscape").json()
    assert data["rules_version"] == 1
    assert data["landscape"]["regions"]["world"]["n"] > 0
    topic = client.get(f"/api/v1/patents/datasets/{dataset.pk}/industries/uav/patents?limit=5").json()
    assert topic["total"] == data["landscape"]["regions"]["world"]["n"]
    assert len(topic["rows"]) == 5
    assert client.get(f"/api/v1/patents/datasets/{dataset.pk}/industries/nosuch/landscape").status_code == 404


def test_rule_versions_need_a_second_person():
    author = make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER)
    draft = services.ruleset_draft_create(actor=author, note="add a keyword")
    assert draft.version == 2 and draft.rules.count() > 30
    rule = draft.rules.filter(industry="uav").first()
    services.rule_save(actor=author, ruleset=draft, rule=rule, keywords=rule.keywords + "; 航拍")
    from innoreform.core.errors import Conflict, PermissionDenied, ValidationFailed

    with pytest.raises(ValidationFailed):
        services.rule_save(actor=author, ruleset=draft, rule=rule, include="NOT-IPC")
    with pytest.raises(PermissionDenied):
        services.ruleset_approve(actor=author, ruleset=draft)
    checker = make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER)
    approved = services.ruleset_approve(actor=checker, ruleset=draft)
    assert approved.status == RuleSetStatus.APPROVED
    with pytest.raises(Conflict):
        services.rule_save(actor=author, ruleset=approved, rule=rule, note="too late")


def test_alias_changes_the_landscape(client, django_capture_on_commit_callbacks):
    actor = _login(client, make_actor(kind=OrgKind.DEPARTMENT, role=Role.REVIEWER))
    dataset = _import(client, django_capture_on_commit_callbacks)
    before = client.get(f"/api/v1/patents/datasets/{dataset.pk}/industries/uav/landscape").json()
    top = before["landscape"]["top_applicants"][0]["name"]
    services.alias_save(actor=actor, alias=top, canonical="HARMONISED NAME", kind="enterprise", city="440300")
    after = client.get(f"/api/v1/patents/datasets/{dataset.pk}/industries/uav/landscape").json()
    assert after["landscape"]["top_applicants"][0]["name"] == "HARMONISED NAME"
    assert after["landscape"]["regions"]["440300"]["n"] >= before["landscape"]["regions"].get("440300", {}).get("n", 0)


def test_rule_api_draft_edit_approve(client):
    author = make_actor(kind=OrgKind.DEPARTMENT, role=Role.REVIEWER)
    client.force_login(author.user)
    draft = client.post("/api/v1/patents/rulesets?note=drones").json()
    assert draft["status"] == "draft"
    new = {"industry": "uav", "industry_zh": "无人机", "industry_en": "UAV", "segment": "lidar",
           "segment_zh": "激光雷达", "segment_en": "Lidar", "position": "upstream", "include": "G01S 17/00",
           "keywords": "无人机; drone"}
    added = client.post(f"/api/v1/patents/rulesets/{draft['version']}/rules", new, content_type="application/json")
    assert added.status_code == 201
    bad = client.post(f"/api/v1/patents/rulesets/{draft['version']}/rules", {**new, "include": "??"},
                      content_type="application/json")
    assert bad.status_code == 422
    assert client.post(f"/api/v1/patents/rulesets/{draft['version']}/approve").status_code == 403
    client.force_login(make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER).user)
    approved = client.post(f"/api/v1/patents/rulesets/{draft['version']}/approve").json()
    assert approved["status"] == "approved"
    assert any(r["segment"] == "lidar" for r in approved["rules"])
    assert client.get("/api/v1/patents/rulesets/99").status_code == 404


def test_excel_exports_are_imported(tmp_path):
    from openpyxl import Workbook

    from innoreform.patents.engine.ingest import ingest

    from .fixtures import HEADER, ROWS

    wb = Workbook()
    ws = wb.active
    ws.append(["专利检索结果", None])  # a title line above the header
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    path = tmp_path / "export.xlsx"
    wb.save(path)
    result = ingest([path], tmp_path / "ds")
    assert (result.files[0].format, result.files[0].header_row, result.patents) == ("xlsx", 2, 7)


@pytest.mark.slow
@pytest.mark.skipif(not __import__("innoreform.patents.pdf", fromlist=["available"]).available(),
                    reason="needs Debian chromium and fonts-noto-cjk")
def test_pdf_report_with_chinese_fonts(client, django_capture_on_commit_callbacks):
    _login(client, make_actor(kind=OrgKind.DEPARTMENT))
    dataset = _import(client, django_capture_on_commit_callbacks, "cnipa_sample_utf8.csv")
    response = client.get(f"/patents/datasets/{dataset.pk}/industries/uav/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in response.content or b"NotoSerifCJK" in response.content  # the CJK font is embedded
