"""The institution API (X-API-Key, Idempotency-Key) and the portal API; T01 and T02 on PostgreSQL."""

import threading
import time

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils import timezone

from innoreform.core import services as core_services
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor
from innoreform.vouchers import models as m
from innoreform.vouchers import reconcile, use

from .conftest import approve_claim, listed_institution, settle

BANK = "/api/bank/v1/vouchers"


def bank_client(inst_actor) -> Client:
    _key, header = core_services.api_key_create(actor=inst_actor, name="lab system")
    client = Client(headers={"X-API-Key": header})
    client.api_key = header
    return client


def deduct(client, order_id, key):
    return client.post(f"{BANK}/orders/{order_id}/deduct", content_type="application/json",
                       headers={"Idempotency-Key": key} if key else {})


def test_deduct_through_the_api_with_idempotent_replays(voucher, institution, enterprise):
    inst_actor, service = institution
    client = bank_client(inst_actor)
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    assert deduct(client, order.pk, None).json()["code"] == "idempotency_key_missing"
    first = deduct(client, order.pk, "k-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["amount_fen"] == 500_000 and body["voucher_remaining_fen"] == voucher.face_fen - 500_000
    for _ in range(50):
        again = deduct(client, order.pk, "k-1")
        assert (again.status_code, again.json()) == (201, body)
    assert m.Redemption.objects.count() == 1
    # The same key on another request is refused; a new key for the same order is a clear 409.
    other = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    assert deduct(client, other.pk, "k-1").status_code == 422
    conflict = deduct(client, order.pk, "k-2")
    assert (conflict.status_code, conflict.json()["code"]) == (409, "order_not_open")
    assert deduct(client, order.pk, "k-2").json() == conflict.json()  # the refusal replays too
    voucher.refresh_from_db()
    assert voucher.used_fen == 500_000


def test_another_institution_sees_404(voucher, institution, enterprise, reviewer):
    _inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    intruder, _service = listed_institution(reviewer)
    client = bank_client(intruder)
    response = deduct(client, order.pk, "x-1")
    assert response.status_code == 404
    assert client.get(f"{BANK}/orders/{order.pk}").status_code == 404
    assert m.Redemption.objects.count() == 0


def test_claim_through_the_api_and_portal_review(voucher, institution, enterprise, reviewer, approver):
    inst_actor, service = institution
    client = bank_client(inst_actor)
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    redemption_id = deduct(client, order.pk, "d-1").json()["id"]
    payload = {"contract_no": "HT-9", "invoice_no": "44001234", "invoice_amount_fen": order.fee_fen,
               "invoice_date": timezone.localdate().isoformat(), "deliverable": "检测报告 No. 9"}
    first = client.post(f"{BANK}/redemptions/{redemption_id}/claims", payload, content_type="application/json",
                        headers={"Idempotency-Key": "c-1"})
    assert first.status_code == 201, first.content
    replay = client.post(f"{BANK}/redemptions/{redemption_id}/claims", payload, content_type="application/json",
                         headers={"Idempotency-Key": "c-1"})
    assert replay.json() == first.json() and m.Claim.objects.count() == 1
    changed = client.post(f"{BANK}/redemptions/{redemption_id}/claims", {**payload, "contract_no": "X"},
                          content_type="application/json", headers={"Idempotency-Key": "c-1"})
    assert changed.status_code == 422
    portal = Client()
    portal.force_login(reviewer.user)
    claim_id = first.json()["id"]
    assert portal.post(f"/api/v1/vouchers/claims/{claim_id}/review", {"note": "ok"},
                       content_type="application/json").status_code == 200
    portal.force_login(approver.user)
    approved = portal.post(f"/api/v1/vouchers/claims/{claim_id}/approve", content_type="application/json",
                           headers={"Idempotency-Key": "a-1"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    # The enterprise cannot see the review queue's operations on other enterprises' claims.
    stranger = make_actor(kind=OrgKind.ENTERPRISE)
    portal.force_login(stranger.user)
    assert portal.get(f"/api/v1/vouchers/claims/{claim_id}").status_code == 404


def _retrying(target, i):
    """The database may refuse a connection when 100 clients arrive at once (max_connections is
    shared with other test runs): like a client after a timeout, retry with the same key."""
    for attempt in range(50):
        try:
            return target(i)
        except (OperationalError, InterfaceError):
            connection.close()
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("the database kept refusing connections")


def _connection_slots(wanted: int) -> int:
    """How many more connections the shared server accepts now (max_connections is 100 and other
    runs use some): the threads all race, but at most this many hold a connection at once."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        free = cursor.fetchone()[0]
    return max(10, min(wanted, free - 15))


def _run_threads(n, target):
    barrier = threading.Barrier(n)
    results = []
    lock = threading.Lock()
    slots = threading.BoundedSemaphore(_connection_slots(n))

    def worker(i):
        try:
            barrier.wait()
            with slots:
                outcome = _retrying(target, i)
                connection.close()
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_t01_hundred_concurrent_deductions_of_one_order(registry, reviewer, approver, budgets, enterprise):
    from .conftest import issue_voucher

    inst_actor, service = listed_institution(reviewer)
    voucher = issue_voucher(enterprise, reviewer)
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    header = bank_client(inst_actor).api_key

    def call(i):
        response = deduct(Client(headers={"X-API-Key": header}), order.pk, f"race-{i}")
        return response.status_code, response.json()

    results = _run_threads(100, call)
    assert len(results) == 100
    statuses = sorted(status for status, _body in results)
    assert statuses.count(201) == 1, [r for r in results if r[0] != 409][:5]
    assert statuses.count(409) == 99, [r for r in results if r[0] != 409][:5]
    assert statuses.count(409) == 99
    assert not [s for s in statuses if s >= 500]
    voucher.refresh_from_db()
    assert voucher.used_fen == 500_000
    assert reconcile.reconcile().clean


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_t01_hundred_concurrent_deductions_never_exceed_face(registry, reviewer, approver, budgets, enterprise):
    from .conftest import issue_voucher

    inst_actor, service = listed_institution(reviewer, price_fen=1_000_000)
    voucher = issue_voucher(enterprise, reviewer, requested_fen=10_000_000)  # face 100,000 yuan
    orders = [use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk,
                               fee_fen=3_000_000) for _ in range(100)]  # 15,000 yuan share each: 6 fit
    header = bank_client(inst_actor).api_key

    def call(i):
        response = deduct(Client(headers={"X-API-Key": header}), orders[i].pk, f"o-{i}")
        return response.status_code, response.json()

    results = _run_threads(100, call)
    statuses = [status for status, _body in results]
    assert statuses.count(201) == 6 and statuses.count(409) == 94, sorted(statuses)
    voucher.refresh_from_db()
    assert voucher.used_fen == 9_000_000 <= voucher.face_fen
    assert m.Redemption.objects.filter(voucher=voucher).count() == 6
    # Claim, approve and settle all: the payout equals what was deducted, no more.
    for r in m.Redemption.objects.filter(voucher=voucher):
        claim = use.claim_submit(actor=inst_actor, redemption_id=r.pk, contract_no="C", invoice_no=f"I-{r.pk}",
                                 invoice_amount_fen=r.order.fee_fen, invoice_date=timezone.localdate(),
                                 deliverable="d")
        approve_claim(claim, reviewer, approver)
    settle(reviewer, approver)
    voucher.refresh_from_db()
    assert voucher.paid_fen == 9_000_000
    assert reconcile.reconcile().clean


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_t02_twenty_concurrent_replays_one_effect(registry, reviewer, approver, budgets, enterprise):
    from .conftest import issue_voucher

    inst_actor, service = listed_institution(reviewer)
    voucher = issue_voucher(enterprise, reviewer)
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    header = bank_client(inst_actor).api_key

    def call(i):
        response = deduct(Client(headers={"X-API-Key": header}), order.pk, "same-key")
        return response.status_code, response.json()

    results = _run_threads(20, call)
    # The deduction claims its key inside its own transaction, so a concurrent duplicate waits for
    # the first request to commit and replays its answer rather than answering 409 "in flight".
    ok = [body for status, body in results if status == 201]
    assert len(ok) == 20, results
    assert all(body == ok[0] for body in ok)
    assert m.Redemption.objects.count() == 1
    final = deduct(Client(headers={"X-API-Key": header}), order.pk, "same-key")
    assert (final.status_code, final.json()) == (201, ok[0])


def test_portal_flow_apply_order_report(enterprise, reviewer, budgets, registry, institution, approver):
    _inst_actor, service = institution
    portal = Client()
    portal.force_login(enterprise.user)
    applied = portal.post("/api/v1/vouchers/applications", {"requested_fen": 20_000_000, "purpose": "检测"},
                          content_type="application/json")
    assert applied.status_code == 201 and applied.json()["status"] == "submitted"
    assert all(c["explanation"] for c in applied.json()["checks"])
    portal.force_login(reviewer.user)
    decided = portal.post(f"/api/v1/vouchers/applications/{applied.json()['id']}/decision", {"approve": True},
                          content_type="application/json")
    assert decided.status_code == 200 and decided.json()["voucher_id"]
    portal.force_login(enterprise.user)
    order = portal.post("/api/v1/vouchers/orders", {"voucher_id": decided.json()["voucher_id"],
                                                    "service_id": service.pk}, content_type="application/json")
    assert order.status_code == 201 and order.json()["voucher_fen"] == 500_000
    assert portal.get("/api/v1/vouchers/reports?dimension=city").status_code == 404  # not for enterprises
    portal.force_login(approver.user)
    report = portal.get("/api/v1/vouchers/reports?dimension=city").json()
    assert report["rows"][0]["issued_fen"] == 20_000_000
    assert portal.get("/api/v1/vouchers/reconciliation").json()["clean"] is True


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMINISTRATOR])
def test_enterprise_cannot_decide_or_settle(enterprise, role, db):
    actor = make_actor(kind=OrgKind.ENTERPRISE, role=role)
    portal = Client()
    portal.force_login(actor.user)
    assert portal.post("/api/v1/vouchers/batches", content_type="application/json").status_code == 403
    assert portal.post("/api/v1/vouchers/applications/1/decision", {"approve": True},
                       content_type="application/json").status_code == 404


def test_money_moving_portal_calls_replay_with_one_effect(voucher, institution, enterprise, reviewer, approver):
    from innoreform.books.models import Transaction

    from .conftest import use_and_claim

    inst_actor, service = institution
    claim = use_and_claim(enterprise, inst_actor, service, voucher)
    use.claim_review(actor=reviewer, claim_id=claim.pk, note="ok")
    portal = Client()
    portal.force_login(approver.user)
    url = f"/api/v1/vouchers/claims/{claim.pk}/approve"
    first = portal.post(url, content_type="application/json", headers={"Idempotency-Key": "ap-1"})
    again = portal.post(url, content_type="application/json", headers={"Idempotency-Key": "ap-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert Transaction.objects.filter(reference=f"vouchers:payable:{claim.pk}").count() == 1
    assert portal.post(url, content_type="application/json").status_code == 400  # no key
    portal.force_login(reviewer.user)
    batch = portal.post("/api/v1/vouchers/batches", content_type="application/json").json()
    portal.force_login(approver.user)
    assert portal.post(f"/api/v1/vouchers/batches/{batch['id']}/approve",
                       content_type="application/json").status_code == 200
    portal.force_login(reviewer.user)
    runs = [portal.post(f"/api/v1/vouchers/batches/{batch['id']}/run", content_type="application/json",
                        headers={"Idempotency-Key": key}) for key in ("run-1", "run-1", "run-2")]
    assert [r.status_code for r in runs] == [200, 200, 200]
    assert runs[0].json() == runs[1].json() and runs[0].json()["status"] == "paid"
    assert Transaction.objects.filter(reference=f"vouchers:pay:{claim.pk}").count() == 1
    rows = portal.get(f"/api/v1/vouchers/batches/{batch['id']}/payment-file").json()
    assert [r["claim"] for r in rows] == [claim.pk] and rows[0]["paid"] is True
    assert reconcile.reconcile().clean
