"""The portal API (session) and the customs API (X-API-Key, Idempotency-Key on declarations);
100 concurrent declarations against one approval on PostgreSQL."""

import base64
import threading
import time

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils import timezone

from innoreform.biomed import models as m
from innoreform.biomed import services
from innoreform.core import services as core_services
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor

from .conftest import CELL_LINE, TOXIN, attachments_for

PORTAL = "/api/v1/biomed"
BANK = "/api/bank/v1/biomed"


def portal(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def customs_client(customs_admin) -> Client:
    _key, header = core_services.api_key_create(actor=customs_admin, name="H2018 gateway")
    client = Client(headers={"X-API-Key": header})
    client.api_key = header
    return client


def declare(client, approval_id, key, *, no, quantity, unit="vial", port="baiyun_airport"):
    return client.post(f"{BANK}/approvals/{approval_id}/batches", content_type="application/json",
                       data={"declaration_no": no, "quantity": quantity, "unit": unit, "port": port},
                       headers={"Idempotency-Key": key} if key else {})


def approval_today(enterprise, quantity=30, data=CELL_LINE):
    item = services.item_register(actor=enterprise, **data)
    application = services.application_submit(actor=enterprise, item_id=item.pk, quantity=quantity,
                                              unit=m.Unit.VIAL, ports=[m.Port.BAIYUN], origin="美国", purpose="研发",
                                              attachments=attachments_for("C"))
    return application.approval


def test_enterprise_registers_applies_and_is_decided_automatically(enterprise):
    client = portal(enterprise)
    item = client.post(f"{PORTAL}/items", data=CELL_LINE, content_type="application/json")
    assert item.status_code == 201, item.content
    body = {"item_id": item.json()["id"], "quantity": 30, "unit": "vial", "ports": ["baiyun_airport"],
            "origin": "美国", "purpose": "细胞实验",
            "attachments": [{"kind": k, "filename": f, "content_base64": base64.b64encode(c).decode()}
                            for k, f, c in attachments_for("C")]}
    answer = client.post(f"{PORTAL}/applications", data=body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    out = answer.json()
    assert (out["level"], out["status"], out["automatic"], out["policy_version"]) == ("C", "approved", True, 1)
    assert [c["rule"] for c in out["checks"]] == ["levelled", "attachments", "direct"]
    approval = client.get(f"{PORTAL}/approvals/{out['approval_id']}").json()
    assert (approval["quantity"], approval["balance"], approval["single_use"]) == (30, 30, False)
    # A float quantity or a missing attachment is refused with the envelope.
    bad = client.post(f"{PORTAL}/applications", data={**body, "quantity": 30.0}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    missing = client.post(f"{PORTAL}/applications", data={**body, "attachments": body["attachments"][:1]},
                          content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (422, "attachments_missing")


def test_declarations_need_a_key_replay_and_refuse_with_reasons(enterprise):
    approval = approval_today(enterprise)
    customs = customs_client(make_actor(kind=OrgKind.CUSTOMS, role=Role.ADMINISTRATOR))
    assert declare(customs, approval.pk, None, no="514120260000001", quantity=10).json()["code"] == \
        "idempotency_key_missing"
    first = declare(customs, approval.pk, "d-1", no="514120260000001", quantity=10)
    assert first.status_code == 201, first.content
    assert first.json()["balance_after"] == 20
    for _ in range(5):
        again = declare(customs, approval.pk, "d-1", no="514120260000001", quantity=10)
        assert (again.status_code, again.json()) == (201, first.json())
    assert declare(customs, approval.pk, "d-1", no="514120260000002", quantity=1).status_code == 422
    over = declare(customs, approval.pk, "d-2", no="514120260000002", quantity=21)
    assert (over.status_code, over.json()["code"]) == (409, "over_quantity")
    assert over.json()["details"] == {"balance": 20, "requested": 21}
    port = declare(customs, approval.pk, "d-3", no="514120260000003", quantity=1, port="nansha_port")
    assert (port.status_code, port.json()["code"]) == (422, "port_not_approved")
    unit = declare(customs, approval.pk, "d-4", no="514120260000004", quantity=1, unit="ml")
    assert (unit.status_code, unit.json()["code"]) == (422, "unit_mismatch")
    fractional = declare(customs, approval.pk, "d-5", no="514120260000005", quantity=1.5)
    assert fractional.status_code == 422
    ledger = customs.get(f"{BANK}/approvals/{approval.pk}/batches").json()
    assert [(b["declaration_no"], b["balance_after"]) for b in ledger] == [("514120260000001", 20)]
    approval.refresh_from_db()
    assert approval.written_off == 10


def test_the_enterprise_declares_on_its_own_approval_only(enterprise):
    approval = approval_today(enterprise)
    client = portal(enterprise)
    answer = client.post(f"{PORTAL}/approvals/{approval.pk}/batches", content_type="application/json",
                         data={"declaration_no": "514120260000001", "quantity": 3, "unit": "vial",
                               "port": "baiyun_airport"}, headers={"Idempotency-Key": "e-1"})
    assert answer.status_code == 201, answer.content
    stranger = portal(make_actor(kind=OrgKind.ENTERPRISE))
    assert stranger.get(f"{PORTAL}/approvals/{approval.pk}").status_code == 404
    hidden = stranger.post(f"{PORTAL}/approvals/{approval.pk}/batches", content_type="application/json",
                           data={"declaration_no": "514120260000002", "quantity": 3, "unit": "vial",
                                 "port": "baiyun_airport"}, headers={"Idempotency-Key": "e-1"})
    assert hidden.status_code == 404
    # A bank's key sees no approvals.
    bank = customs_client(make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR))
    assert bank.get(f"{BANK}/approvals").json() == []
    assert bank.get(f"{BANK}/approvals/{approval.pk}").status_code == 404


def test_assessment_and_decision_over_the_portal_api(enterprise, reviewer, approver):
    item = services.item_register(actor=enterprise, **TOXIN)
    application = services.application_submit(actor=enterprise, item_id=item.pk, quantity=5, unit=m.Unit.MG,
                                              ports=[m.Port.BAIYUN], origin="德国", purpose="研发",
                                              attachments=attachments_for("B"))
    url = f"{PORTAL}/applications/{application.pk}"
    assert portal(enterprise).post(f"{url}/assessment", data={"findings": "x"},
                                   content_type="application/json").status_code == 403
    assessed = portal(reviewer).post(f"{url}/assessment", data={"findings": "合格"}, content_type="application/json")
    assert assessed.json()["status"] == "awaiting_decision"
    decided = portal(approver).post(f"{url}/decision", data={"approve": True}, content_type="application/json")
    assert decided.status_code == 200 and decided.json()["approval_id"]
    stats = portal(reviewer).get(f"{PORTAL}/statistics")
    assert stats.status_code == 200 and stats.json()["by_level"][1]["approved"] == 1
    assert portal(enterprise).get(f"{PORTAL}/statistics").status_code == 404


# --- PostgreSQL: concurrent declarations against one approval ------------------------------------------------


def _retrying(target, i):
    """The shared server may refuse a connection when 100 clients arrive at once: retry, as a
    client after a timeout would, with the same Idempotency-Key."""
    for attempt in range(50):
        try:
            return target(i)
        except (OperationalError, InterfaceError):
            connection.close()
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("the database kept refusing connections")


def _run_threads(n, target):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        free = cursor.fetchone()[0]
    barrier, lock, results = threading.Barrier(n), threading.Lock(), []
    slots = threading.BoundedSemaphore(max(10, min(n, free - 15)))

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
def test_hundred_concurrent_declarations_never_write_off_more_than_the_quantity():
    enterprise = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    approval = approval_today(enterprise, quantity=250)  # 100 batches of 3 offered: 83 fit
    header = customs_client(make_actor(kind=OrgKind.CUSTOMS, role=Role.ADMINISTRATOR)).api_key

    def call(i):
        response = declare(Client(headers={"X-API-Key": header}), approval.pk, f"race-{i}",
                           no=f"5141{timezone.localdate():%Y}{i:08d}", quantity=3)
        return response.status_code, response.json()

    results = _run_threads(100, call)
    statuses = sorted(status for status, _body in results)
    assert len(results) == 100 and not [s for s in statuses if s >= 500], statuses
    assert statuses.count(201) == 83 and statuses.count(409) == 17, statuses
    assert {body["code"] for status, body in results if status == 409} == {"over_quantity"}
    approval.refresh_from_db()
    batches = list(m.Batch.objects.filter(approval=approval).order_by("id"))
    assert approval.written_off == sum(b.quantity for b in batches) == 249 <= approval.quantity
    # The ledger's balances step down by each batch in order: no two batches saw the same balance.
    assert [b.balance_after for b in batches] == list(range(247, -2, -3))[:83]


def test_statistics_year_is_bounded(reviewer):
    client = portal(reviewer)
    assert client.get(f"{PORTAL}/statistics", {"year": 2026}).status_code == 200
    assert client.get(f"{PORTAL}/statistics", {"year": 99999}).status_code == 422
