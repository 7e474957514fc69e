"""The key list and the reported loss ratios through the API and the pages; the investor's claim
through the bank API and the claim page."""

import json

from django.test import Client

from innoreform.core.actor import Actor
from innoreform.core.models import AuditEvent, User
from innoreform.core.services import api_key_create
from innoreform.pools import payouts
from innoreform.pools.models import Claim, KeyListEntry, LossRatioReport, RecoveryShare


def _client(user) -> Client:
    client = Client()
    client.force_login(user if isinstance(user, User) else User.objects.get(username=user))
    return client


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_keylist_and_loss_ratio_api(world):
    dept = _client(world.reviewer.user)
    firm = world.borrower()
    created = _post(dept, "/api/v1/pools/key-list", {"credit_code": firm.credit_code, "name": firm.name,
                                                     "list_name": "省重点企业名单"})
    assert created.status_code == 201, created.content
    assert created.json()["credit_code"] == firm.credit_code
    dup = _post(dept, "/api/v1/pools/key-list", {"credit_code": firm.credit_code, "name": firm.name,
                                                 "list_name": "x"})
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"
    assert [e["credit_code"] for e in dept.get("/api/v1/pools/key-list").json()] == [firm.credit_code]

    recorded = _post(dept, "/api/v1/pools/loss-ratios", {"institution_id": world.bank.organisation_id,
                                                         "ratio": "0.0125", "as_of": str(world.today),
                                                         "source": "监管报表"})
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["ratio"] in ("0.012500", 0.0125, "0.0125")
    bad = _post(dept, "/api/v1/pools/loss-ratios", {"institution_id": world.city_org.pk, "ratio": "0.01",
                                                    "as_of": str(world.today)})
    assert bad.status_code == 422  # a department is not a lending institution
    assert len(dept.get("/api/v1/pools/loss-ratios").json()) == 1

    bank = _client(world.bank.user)
    assert bank.get("/api/v1/pools/key-list").json() == []  # oversight only
    assert bank.get("/api/v1/pools/loss-ratios").json() == []
    refused = _post(bank, "/api/v1/pools/key-list", {"credit_code": "X", "name": "x", "list_name": "x"})
    assert refused.status_code == 403
    assert KeyListEntry.objects.count() == 1 and LossRatioReport.objects.count() == 1


def test_keylist_and_loss_ratio_pages(world):
    world.pools()
    dept = _client(world.reviewer.user)
    firm = world.borrower()
    assert dept.post("/pools/key-list/", {"credit_code": firm.credit_code, "name": firm.name,
                                          "list_name": "重点名单"}).status_code == 302
    page = dept.get("/pools/key-list/").content.decode()
    assert firm.credit_code in page
    assert dept.get("/pools/key-list/?format=xlsx").status_code == 200
    assert dept.post("/pools/loss-ratios/", {"institution": world.bank.organisation_id, "percent": "1.25",
                                             "as_of": str(world.today), "source": "报表"}).status_code == 302
    assert str(LossRatioReport.objects.get().ratio) == "0.012500"
    page = dept.get("/pools/loss-ratios/").content.decode()
    assert "1.25%" in page and 'data-testid="ratios-used"' in page
    assert dept.get("/pools/loss-ratios/?format=csv").status_code == 200
    bank = _client(world.bank.user)
    assert bank.get("/pools/key-list/").status_code == 404
    assert bank.get("/pools/loss-ratios/").status_code == 404


def test_investor_claims_through_the_api_and_the_page(world):
    from innoreform.core.models import Membership

    stake = world.investor_stake(amount_fen=1_000_000_000)
    world.pools(province_fen=10**9, city_fen=10**9)
    membership = Membership.objects.get(user=world.investor.user)
    _key, secret = api_key_create(actor=world.investor, name="投资系统")
    api = Client(headers={"X-API-Key": secret})
    body = json.dumps({"stake_id": stake.pk, "loss_fen": 400_000_000})
    first = api.post("/api/bank/v1/pools/investor-claims", body, content_type="application/json",
                     headers={"Idempotency-Key": "i1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["mode"] == "investor_principal" and data["stake_id"] == stake.pk
    assert data["total_fen"] == 120_000_000  # 30% of 4 M yuan
    again = api.post("/api/bank/v1/pools/investor-claims", body, content_type="application/json",
                     headers={"Idempotency-Key": "i1"})
    assert again.json()["id"] == data["id"] and Claim.objects.count() == 1
    Claim.objects.filter(pk=data["id"]).update(status="withdrawn")

    page = _client(membership.user)
    form = page.get("/pools/claims/new/").content.decode()
    assert stake.enterprise_name in form
    response = page.post("/pools/claims/new/", {"stake": stake.pk, "loss": "4000000", "statement": "清算",
                                                "document_title": ""})
    assert response.status_code == 302, response.content.decode()[-1500:]
    claim = Claim.objects.get(status="submitted")
    assert claim.total_fen == 120_000_000
    html = page.get(f"/pools/claims/{claim.pk}/").content.decode()
    assert "investor.rate" in html and 'data-testid="stake-recovery-submit"' in html
    # Recorded through the page before payment: nothing flows back yet; through the API it is idempotent.
    assert page.post(f"/pools/claims/{claim.pk}/", {"action": "stake_recovery", "amount": "1000000",
                                                    "received_on": str(world.today), "note": "分配"}
                     ).status_code == 302
    assert claim.stake_recoveries.count() == 1
    body = json.dumps({"amount_fen": 100_000_000, "received_on": str(world.today)})
    url = f"/api/bank/v1/pools/claims/{claim.pk}/stake-recoveries"
    r1 = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "s1"})
    r2 = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "s1"})
    assert r1.status_code == 201 and r2.json()["id"] == r1.json()["id"] and claim.stake_recoveries.count() == 2
    world.approve(claim)
    # Paid: 2 M of the 4 M loss was recovered, so half of the 1.2 M paid flows back (job).
    payouts.run_payouts(actor=Actor.system())
    assert sum(RecoveryShare.objects.filter(claim=claim).values_list("amount_fen", flat=True)) == 60_000_000


def test_a_denied_api_call_is_audited_once(world):
    """The denial is recorded by permissions.require, and the API's error handler does not record
    it again."""
    bank = _client(world.bank.user)
    response = bank.post("/api/v1/pools/payouts/run")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    denials = AuditEvent.objects.filter(actor=world.bank.user, outcome="denied")
    assert list(denials.values_list("action", flat=True)) == ["pools.run_payouts"]


def test_a_denial_inside_the_idempotent_transaction_is_still_audited_once(world):
    """The service runs inside idempotent()'s transaction, which the refusal rolls back: the
    denial is written after it, by the API's error handler."""
    pool, _city_pool = world.pools()
    bank = _client(world.bank.user)
    response = bank.post(f"/api/v1/pools/pools/{pool.pk}/contributions",
                         json.dumps({"amount_fen": 100, "received_on": str(world.today)}),
                         content_type="application/json", headers={"Idempotency-Key": "denied-1"})
    assert response.status_code == 403, response.content
    denials = AuditEvent.objects.filter(actor=world.bank.user, outcome="denied")
    assert list(denials.values_list("action", flat=True)) == ["pools.contribute"]
