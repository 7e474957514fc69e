"""Pages and portal API: each role's pages render, exports work, invisible objects are 404, the
API answers with the error envelope."""

import base64
import json

import pytest
from django.test import Client

from innoreform.core.testing import english_client
from innoreform.ipcases import models as m
from innoreform.ipcases import services

from .conftest import ID, TODAY, file


def _client(actor, en=False):
    c = english_client() if en else Client()
    c.force_login(actor.user)
    return c


def test_each_role_sees_its_home(world):
    f = file(world)
    assert "GDIP" in _client(world.party).get("/ipcases/").content.decode()
    body = _client(world.clerk, en=True).get("/ipcases/").content.decode()
    assert f.dispute.platform_id in body and "Filings awaiting decision" in body
    assert _client(world.mediator).get("/ipcases/").status_code == 200
    assert _client(world.notary).get("/ipcases/").status_code == 302
    assert _client(world.notary).get("/ipcases/notarial/").status_code == 200
    assert _client(world.clerk).get("/ipcases/dashboard/").status_code == 200
    assert _client(world.party).get("/ipcases/dashboard/").status_code == 404


def test_dispute_page_and_stranger_404(world):
    f = file(world)
    assert _client(world.party).get(f"/ipcases/disputes/{f.dispute_id}/").status_code == 200
    assert _client(world.clerk).get(f"/ipcases/disputes/{f.dispute_id}/").status_code == 200
    assert _client(world.other).get(f"/ipcases/disputes/{f.dispute_id}/").status_code == 404


def test_docket_from_the_page(world):
    f = file(world)
    c = _client(world.clerk)
    r = c.post(f"/ipcases/disputes/{f.dispute_id}/act/", {"action": "docket", "procedure": "ordinary"})
    assert r.status_code == 302
    assert m.Case.objects.get().number.startswith("(")


@pytest.mark.parametrize("path", ["/ipcases/deadlines/", "/ipcases/cases/", "/ipcases/disputes/",
                                  "/ipcases/notarial/", "/ipcases/roster/"])
def test_every_list_exports(world, path):
    file(world)
    c = _client(world.clerk)
    for fmt, ctype in (("csv", "text/csv"), ("xlsx", "spreadsheetml")):
        r = c.get(path, {"format": fmt})
        assert r.status_code == 200 and ctype in r["Content-Type"]


def test_file_page_refuses_without_consent_and_says_why(world):
    c = _client(world.party, en=True)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post("/ipcases/file/", {"site_id": world.site.pk, "subject": "x", "claims": "y", "respondent_name": "z",
                                  "complaint": SimpleUploadedFile("c.pdf", b"pdf"), **ID}, follow=True)
    assert "Consent to online litigation" in r.content.decode()
    assert not m.Dispute.objects.exists()


def test_api_filing_decision_and_envelope(world):
    c = _client(world.party)
    payload = {"site_id": world.site.pk, "subject": "s", "claims": "c", "respondent_name": "r",
               "complaint": {"filename": "c.pdf", "content_base64": base64.b64encode(b"pdf").decode()},
               "consent": False, **ID}
    r = c.post("/api/v1/ipcases/filings", json.dumps(payload), content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "consent_required"
    payload["consent"] = True
    r = c.post("/api/v1/ipcases/filings", json.dumps(payload), content_type="application/json")
    assert r.status_code == 201, r.content
    filing_id = r.json()["id"]
    r = _client(world.clerk).post(f"/api/v1/ipcases/filings/{filing_id}/decision",
                                  json.dumps({"decision": "docket"}), content_type="application/json")
    assert r.status_code == 200 and r.json()["case"]["number"].endswith("民初1号")
    r = _client(world.clerk).post(f"/api/v1/ipcases/filings/{filing_id}/decision",
                                  json.dumps({"decision": "docket"}), content_type="application/json")
    assert r.status_code == 409 and set(r.json()) == {"code", "message", "details"}
    assert _client(world.other).get(f"/api/v1/ipcases/disputes/{r.json() and 1}").status_code in (404,)
    deadlines = _client(world.party).get("/api/v1/ipcases/deadlines").json()
    assert {d["kind"] for d in deadlines} >= {"filing_decision", "evidence"}


def test_api_verification(world, django_capture_on_commit_callbacks):
    r = services.notarial_request(actor=world.party, notary_id=world.notary.organisation.pk, title="t", purpose="p",
                                  today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.notarial_capture(actor=world.notary, request_id=r.pk, filename="a.html", data=b"<html>",
                                  time_source="NTSC", checklist=dict.fromkeys(services.CHECKLIST, True), metadata={})
    services.notarial_certify(actor=world.notary, request_id=r.pk)
    body = _client(world.party).get(f"/api/v1/ipcases/notarial/{r.pk}/verification").json()
    assert body["ok"] is True and body["proven"] and body["not_proven"]
    page = _client(world.party, en=True).get(f"/ipcases/notarial/{r.pk}/verify/").content.decode()
    assert "What this does not prove" in page
    assert _client(world.other).get(f"/ipcases/notarial/{r.pk}/verify/").status_code == 404
