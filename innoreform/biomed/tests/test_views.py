"""Pages per role, in both languages: home, apply with uploads, assessment and decision, the
approval's ledger with a refused batch, lists with CSV and Excel, statistics, white list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from innoreform.biomed import models as m
from innoreform.biomed import services
from innoreform.core.models import OrgKind
from innoreform.core.testing import english_client, make_actor

from .conftest import CELL_LINE, TOXIN, attachments_for

LISTS = ["biomed:applications", "biomed:approvals", "biomed:ledger", "biomed:items", "biomed:follow_ups"]


def signed_in(actor, english=False) -> Client:
    client = english_client() if english else Client()
    client.force_login(actor.user)
    return client


def test_enterprise_applies_on_the_page_and_sees_the_rule_that_decided(enterprise):
    client = signed_in(enterprise, english=True)
    assert client.get("/biomed/").status_code == 200
    response = client.post("/biomed/items/new/", data=CELL_LINE)
    assert response.status_code == 302
    item = m.Item.objects.get()
    files = {f"file_{kind}": SimpleUploadedFile(name, content) for kind, name, content in attachments_for("C")}
    response = client.post("/biomed/apply/", data={"item": item.pk, "quantity": 30, "unit": "vial",
                                                   "ports": ["baiyun_airport"], "origin": "USA", "purpose": "R&D",
                                                   **files}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "approved automatically" in page and "Commercial cell lines" in page
    approval = m.Approval.objects.get()
    # Three batches, then a fourth over the balance is refused with its reason on the page.
    for i, q in enumerate((10, 10, 8), start=1):
        client.post(f"/biomed/approvals/{approval.pk}/declare/",
                    data={"declaration_no": f"51412026000000{i}", "quantity": q, "unit": "vial",
                          "port": "baiyun_airport"})
    page = client.post(f"/biomed/approvals/{approval.pk}/declare/",
                       data={"declaration_no": "514120260000004", "quantity": 5, "unit": "vial",
                             "port": "baiyun_airport"}, follow=True).content.decode()
    assert "more than the 2 vials left" in page and "514120260000003" in page
    assert m.Batch.objects.count() == 3
    csv = client.get(f"/biomed/approvals/{approval.pk}/?format=csv")
    assert csv.status_code == 200 and b"514120260000001" in b"".join(csv.streaming_content)


def test_customs_assesses_and_another_decides_on_the_pages(enterprise, reviewer, approver):
    item = services.item_register(actor=enterprise, **TOXIN)
    application = services.application_submit(actor=enterprise, item_id=item.pk, quantity=5, unit=m.Unit.MG,
                                              ports=[m.Port.BAIYUN], origin="德国", purpose="研发",
                                              attachments=attachments_for("B"))
    home = signed_in(reviewer).get("/biomed/").content.decode()
    assert f"/biomed/applications/{application.pk}/" in home
    page = signed_in(reviewer).get(f"/biomed/applications/{application.pk}/").content.decode()
    assert 'data-testid="assess"' in page and 'data-testid="approve"' not in page
    signed_in(reviewer).post(f"/biomed/applications/{application.pk}/act/",
                             data={"action": "assess", "findings": "合格"})
    signed_in(approver).post(f"/biomed/applications/{application.pk}/act/", data={"action": "approve"})
    application.refresh_from_db()
    assert application.status == m.ApplicationStatus.APPROVED and application.decided_by == approver.user


@pytest.mark.parametrize("url_name", LISTS)
def test_lists_export_csv_and_excel_and_hide_others_rows(enterprise, c_approval, reviewer, url_name):
    from django.urls import reverse

    url = reverse(url_name)
    assert signed_in(reviewer).get(url).status_code == 200
    assert signed_in(enterprise, english=True).get(url).status_code == 200
    for fmt in ("csv", "xlsx"):
        response = signed_in(reviewer).get(url, {"format": fmt})
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    stranger = signed_in(make_actor(kind=OrgKind.ENTERPRISE))
    assert c_approval.number not in stranger.get(url).content.decode()


def test_statistics_page_for_customs_and_department_only(enterprise, c_approval, reviewer):
    services.batch_declare(actor=enterprise, approval_id=c_approval.pk, declaration_no="514120260000001",
                           quantity=3, unit=m.Unit.VIAL, port=m.Port.BAIYUN)
    page = signed_in(reviewer, english=True).get("/biomed/statistics/").content.decode()
    assert "biomed-chart-data" in page and "Guangzhou Baiyun Airport" in page
    assert signed_in(make_actor(kind=OrgKind.DEPARTMENT)).get("/biomed/statistics/").status_code == 200
    assert signed_in(enterprise).get("/biomed/statistics/").status_code == 404
    assert signed_in(reviewer).get("/biomed/statistics/", {"format": "xlsx"}).status_code == 200
    assert signed_in(reviewer).get("/biomed/statistics/", {"year": "99999"}).status_code == 200


def test_objects_of_others_are_404_and_the_white_list_is_kept(enterprise, c_approval, approver):
    stranger = signed_in(make_actor(kind=OrgKind.ENTERPRISE))
    assert stranger.get(f"/biomed/approvals/{c_approval.pk}/").status_code == 404
    assert stranger.get(f"/biomed/applications/{c_approval.application_id}/").status_code == 404
    assert signed_in(make_actor(kind=OrgKind.BANK)).get("/biomed/").status_code == 404
    client = signed_in(approver)
    client.post("/biomed/white-list/", data={"enterprise": enterprise.organisation_id, "reason": "信用良好"})
    entry = m.WhitelistEntry.objects.get()
    client.post(f"/biomed/white-list/{entry.pk}/remove/", data={"reason": "记录缺失"})
    entry.refresh_from_db()
    assert entry.removal_reason == "记录缺失"
    assert "记录缺失" in signed_in(enterprise).get("/biomed/white-list/").content.decode()
    assert signed_in(enterprise).post(f"/biomed/white-list/{entry.pk}/remove/",
                                      data={"reason": "x"}).status_code == 404


@pytest.mark.parametrize("url_name", LISTS)
def test_list_pages_do_not_query_per_row(enterprise, c_approval, reviewer, url_name, django_assert_max_num_queries):
    from django.urls import reverse

    for i in range(1, 6):
        services.batch_declare(actor=enterprise, approval_id=c_approval.pk, declaration_no=f"51412026000000{i}",
                               quantity=1, unit=m.Unit.VIAL, port=m.Port.BAIYUN)
    client = signed_in(reviewer)
    client.get(reverse(url_name))  # warm the session and policy caches
    with django_assert_max_num_queries(20):
        assert client.get(reverse(url_name)).status_code == 200
