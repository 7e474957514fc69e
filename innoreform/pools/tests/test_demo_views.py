"""The demo loads end to end and every page renders for the role it is for (with Excel export);
the claim flow works through the pages; the bank API files a claim with an Idempotency-Key."""

import json

import pytest
from django.test import Client

from innoreform.books import reconciliation
from innoreform.books import selectors as book_selectors
from innoreform.core import demo as core_demo
from innoreform.core.actor import Actor
from innoreform.core.models import User
from innoreform.core.services import api_key_create
from innoreform.pools import demo, services
from innoreform.pools.models import Claim, ClaimStatus, Pool, RecoveryShare


def _client(user) -> Client:
    client = Client()
    client.force_login(user if isinstance(user, User) else User.objects.get(username=user))
    return client


@pytest.mark.django_db
def test_demo_story_and_pages():
    core_demo.load()
    demo.load(operator=core_demo.operator_actor())
    demo.load(operator=core_demo.operator_actor())  # idempotent
    assert Pool.objects.count() == 2
    claim = Claim.objects.get(mode="bank_loss")
    investor_claim = Claim.objects.get(mode="investor_principal")
    assert investor_claim.status == ClaimStatus.SUBMITTED and investor_claim.total_fen == 1_800_000_00  # 30% of 6 M
    # the fund's 54% of the IP-pledge vector (issue 19 item 8), of 4 M yuan
    assert claim.status == ClaimStatus.PAID and claim.total_fen == 2_160_000_00
    assert [x["amount_fen"] for x in claim.layers] == [1_080_000_00, 1_080_000_00]
    assert sorted(RecoveryShare.objects.values_list("amount_fen", flat=True)) == [27_000_000, 27_000_000]
    assert book_selectors.trial_balance(actor=Actor.system()).balanced
    assert reconciliation.reconcile(include_sources=True).clean

    bank = _client("bank-gz")
    assert bank.get("/pools/").status_code == 200
    page = bank.get(f"/pools/claims/{claim.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="rule-lines"' in html and "vector.ip_pledge" in html
    assert bank.get("/pools/claims/new/").status_code == 200
    assert bank.get("/pools/pools/").status_code == 404  # departments only
    assert bank.get("/pools/reports/").status_code == 404

    dept = _client("dept-reviewer")
    for url in ("/pools/", "/pools/pools/", f"/pools/pools/{claim.layers[0]['pool_id']}/", "/pools/reports/",
                f"/pools/claims/{claim.pk}/", f"/pools/claims/{claim.pk}/trail/"):
        assert dept.get(url).status_code == 200, url
    trail = dept.get(f"/pools/claims/{claim.pk}/trail/").content.decode()
    assert "financing.loan_defaulted" in trail and "pools.payout_paid" in trail
    for url in ("/pools/reports/?format=xlsx&table=city", "/pools/reports/?format=xlsx&table=pools",
                "/pools/pools/?format=xlsx", f"/pools/claims/{claim.pk}/trail/?format=xlsx", "/pools/?format=xlsx"):
        export = dept.get(url)
        assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats"), url

    investor = _client("investor-sz")
    assert investor.get(f"/pools/claims/{investor_claim.pk}/").status_code == 200
    assert investor.get(f"/pools/claims/{claim.pk}/").status_code == 404
    assert investor.get("/pools/claims/new/").status_code == 200
    for url in ("/pools/key-list/", "/pools/loss-ratios/"):
        assert dept.get(url).status_code == 200, url

    guest = _client("ent-foshan")
    assert guest.get(f"/pools/claims/{claim.pk}/").status_code == 404


def test_claim_flow_through_pages(world):
    world.pools(province_fen=10**9, city_fen=10**9)
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.01",
                               as_of=world.today)
    loan = world.loan(kind="standard")
    bank = _client(world.bank.user)
    page = bank.get("/pools/claims/new/")
    assert loan.contract_no in page.content.decode()
    response = bank.post("/pools/claims/new/", {"loan": loan.pk, "mode": "bank_loss", "statement": "违约",
                                                "document_title": "", "ip_pledge_sharing": ""})
    assert response.status_code == 302, response.content.decode()[-2000:]
    claim = Claim.objects.get(loan=loan)
    reviewer, approver = _client(world.reviewer.user), _client(world.approver.user)
    assert reviewer.post(f"/pools/claims/{claim.pk}/", {"action": "review", "recommend": "yes", "note": "ok"}
                         ).status_code == 302
    # The reviewer is not offered the decision, and a forced post is refused.
    reviewer.post(f"/pools/claims/{claim.pk}/", {"action": "decide", "approve": "yes", "note": ""})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED
    assert approver.post(f"/pools/claims/{claim.pk}/", {"action": "decide", "approve": "yes", "note": ""}
                         ).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID


def test_bank_api_files_a_claim_idempotently(world):
    world.pools(province_fen=10**9, city_fen=10**9)
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.01",
                               as_of=world.today)
    loan = world.loan(kind="standard")
    _key, secret = api_key_create(actor=world.bank, name="core banking")
    client = Client(headers={"X-API-Key": secret})
    body = json.dumps({"loan_id": loan.pk})
    first = client.post("/api/bank/v1/pools/claims", body, content_type="application/json",
                        headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.content
    again = client.post("/api/bank/v1/pools/claims", body, content_type="application/json",
                        headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Claim.objects.count() == 1
    data = first.json()
    assert data["total_fen"] == 160_000_000 and data["policy_version"] == 1
    assert [x["rule"] for x in data["lines"][:2]] == ["loss_ratio.reported", "tier"]
    assert data["loss_ratio_source"] == "reported"
    doc = client.post(f"/api/bank/v1/pools/claims/{data['id']}/documents", {"title": "判决书",
                                                                             "file": _upload()})
    assert doc.status_code == 201, doc.content
    assert client.get(f"/api/bank/v1/pools/claims/{data['id']}").json()["documents"][0]["title"] == "判决书"
    assert client.get("/api/bank/v1/pools/claims/999999").status_code == 404
    portal = _client(world.reviewer.user)
    report = portal.get("/api/v1/pools/reports")
    assert report.status_code == 200 and len(report.json()["pools"]) == 2


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("judgment.pdf", b"%PDF-1.4 test", content_type="application/pdf")


def test_portal_contribution_needs_and_honours_an_idempotency_key(world):
    world.pools()
    client = _client(world.city.user)
    url = f"/api/v1/pools/pools/{world.city_pool.pk}/contributions"
    body = json.dumps({"amount_fen": 123_45, "received_on": str(world.today), "note": "市财政拨款"})
    assert client.post(url, body, content_type="application/json").status_code == 400  # no key
    first = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "c1"})
    again = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "c1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    pool = client.get(f"/api/v1/pools/pools/{world.city_pool.pk}").json()
    assert pool["balance_fen"] == 123_45 and pool["contributed_fen"] == 123_45
    # The province's pool is not the city bureau's to fund.
    other = client.post(f"/api/v1/pools/pools/{world.province_pool.pk}/contributions", body,
                        content_type="application/json", headers={"Idempotency-Key": "c2"})
    assert other.status_code == 404


def test_pages_render_in_chinese(world):
    from django.utils import translation

    world.pools(province_fen=10**9, city_fen=10**9)
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.01",
                               as_of=world.today)
    loan = world.loan(kind="ip_pledge")
    with translation.override("zh-hans"):
        claim = services.claim_file(actor=world.bank, loan_id=loan.pk)
    client = _client(world.reviewer.user)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/pools/claims/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "补偿金额计算过程" in html and "知识产权质押损失分担路径" in html and "54:26:16:4" in html
    report = client.get("/pools/reports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "风险补偿报表" in report and "分组" in report
