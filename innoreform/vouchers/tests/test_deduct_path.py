"""The deduction: one durable transaction holds the Idempotency-Key's record, the use, its audit
event and its queued trust-ledger entry, on SQLite and PostgreSQL alike; a refusal leaves none of
them; the ledger entry is integrated by a background task, throttled per process when the backend
can defer."""

import pytest
from django.test import Client

from innoreform.core import services as core_services
from innoreform.core.models import AuditEvent, IdempotencyRecord
from innoreform.ledger.models import LedgerEntry, LedgerPending
from innoreform.vouchers import models as m
from innoreform.vouchers import tasks, use

BANK = "/api/bank/v1/vouchers"


def _deduct(client, order_id, key):
    return client.post(f"{BANK}/orders/{order_id}/deduct", content_type="application/json",
                       headers={"Idempotency-Key": key})


def test_deduction_reaches_the_trust_ledger_through_the_task(voucher, institution, enterprise,
                                                               django_capture_on_commit_callbacks):
    inst_actor, service = institution
    _key, header = core_services.api_key_create(actor=inst_actor, name="lab")
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _deduct(Client(headers={"X-API-Key": header}), order.pk, "k-ledger")
    assert response.status_code == 201, response.content
    assert response.json()["voucher_remaining_fen"] == voucher.face_fen - order.voucher_fen
    redemption = m.Redemption.objects.get(order=order)
    assert not LedgerPending.objects.exists()  # the immediate test backend ran the task
    assert LedgerEntry.objects.filter(entry_type="vouchers.voucher_used").count() == 1
    assert IdempotencyRecord.objects.get(key="k-ledger").response_body["id"] == redemption.pk


def test_refused_deduction_leaves_no_use_audit_or_ledger_entry(enterprise, reviewer, budgets, registry):
    from .conftest import issue_voucher, listed_institution

    inst_actor, service = listed_institution(reviewer, price_fen=1_000_000)
    voucher = issue_voucher(enterprise, reviewer, requested_fen=1_000_000)  # covers two 5,000-yuan shares
    orders = [use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk) for _ in range(3)]
    _key, header = core_services.api_key_create(actor=inst_actor, name="lab")
    client = Client(headers={"X-API-Key": header})
    assert [_deduct(client, o.pk, f"k-{o.pk}").status_code for o in orders[:2]] == [201, 201]
    ledger_before = LedgerPending.objects.count() + LedgerEntry.objects.count()
    refused = _deduct(client, orders[2].pk, "k-over")
    assert (refused.status_code, refused.json()["code"]) == (409, "voucher_insufficient")
    assert _deduct(client, orders[2].pk, "k-over").json() == refused.json()  # stored and replayed
    orders[2].refresh_from_db()
    voucher.refresh_from_db()
    assert orders[2].status == m.OrderStatus.OPEN and not m.Redemption.objects.filter(order=orders[2]).exists()
    assert voucher.used_fen == voucher.face_fen
    assert AuditEvent.objects.filter(action="vouchers.voucher_used").count() == 2
    assert LedgerPending.objects.count() + LedgerEntry.objects.count() == ledger_before


def test_stale_read_is_still_refused_by_the_conditional_update(enterprise, reviewer, budgets, registry):
    """The early refusal uses the value read before the transaction; a deduction committed after
    that read is caught by the UPDATE's own condition, and the whole use rolls back."""
    from innoreform.core.errors import Conflict

    from .conftest import issue_voucher, listed_institution

    inst_actor, service = listed_institution(reviewer, price_fen=1_000_000)
    voucher = issue_voucher(enterprise, reviewer, requested_fen=500_000)  # covers one 5,000-yuan share
    first, second = (use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk) for _ in range(2))
    stale = use.deductible_order(actor=inst_actor, order_id=second.pk)  # reads the voucher unused
    use.deduct(actor=inst_actor, order_id=first.pk)
    with pytest.raises(Conflict) as refused:
        use.deduct(actor=inst_actor, order_id=second.pk, order=stale)
    assert refused.value.code == "voucher_insufficient"
    second.refresh_from_db()
    assert second.status == m.OrderStatus.OPEN and not m.Redemption.objects.filter(order=second).exists()
    assert AuditEvent.objects.filter(action="vouchers.voucher_used").count() == 1


class _Deferring:
    """A task backend that can defer: records what was enqueued."""

    supports_defer = True

    def __init__(self):
        self.enqueued = []

    def get_backend(self):
        return self

    def using(self, *, run_after):
        outer = self

        class _Job:
            def enqueue(self):
                outer.enqueued.append(run_after)

        return _Job()


def test_sequencing_is_enqueued_once_per_interval_and_deferred(monkeypatch):
    fake = _Deferring()
    monkeypatch.setattr(tasks, "sequence_ledger", fake)
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)
    for _ in range(20):
        tasks.schedule_sequencing()
    assert len(fake.enqueued) == 1 and fake.enqueued[0] is not None  # one deferred task for the burst
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)  # the interval has passed
    tasks.schedule_sequencing()
    assert len(fake.enqueued) == 2


def test_deductible_order_reads_the_right_columns(voucher, institution, enterprise, reviewer):
    from innoreform.core.errors import NotFound

    from .conftest import listed_institution

    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    got = use.deductible_order(actor=inst_actor, order_id=order.pk)
    assert (got.pk, got.enterprise_id, got.institution_id, got.voucher_id, got.voucher_fen) == (
        order.pk, order.enterprise_id, order.institution_id, order.voucher_id, order.voucher_fen)
    assert (got.voucher.flow, got.voucher.face_fen, got.voucher.used_fen) == (voucher.flow, voucher.face_fen, 0)
    assert (got.institution.status, got.institution.organisation_id) == (
        m.ListingStatus.LISTED, inst_actor.organisation_id)
    other_actor, _service = listed_institution(reviewer)
    with pytest.raises(NotFound):
        use.deductible_order(actor=other_actor, order_id=order.pk)


def test_deduction_writes_the_use_and_closes_the_order_once(voucher, institution, enterprise):
    """The order is closed exactly once, and the use keeps what was deducted, by whom and when."""
    from django.utils import timezone

    inst_actor, _service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=_service.pk)
    before = timezone.now()
    redemption = use.deduct(actor=inst_actor, order_id=order.pk)
    stored = m.Redemption.objects.get(pk=redemption.pk)
    assert (stored.voucher_id, stored.order_id, stored.flow, stored.amount_fen, stored.payee_id) == (
        voucher.pk, order.pk, voucher.flow, order.voucher_fen, inst_actor.organisation_id)
    assert (stored.status, stored.proof.name, stored.proof_sha256) == (m.RedemptionStatus.ACTIVE, "", "")
    assert stored.created_by_label == inst_actor.label[:150]
    assert before <= stored.created_at <= timezone.now() and stored.created_at == redemption.created_at
    order.refresh_from_db()
    assert order.status == m.OrderStatus.USED
    with pytest.raises(use.Conflict) as again:
        use.deduct(actor=inst_actor, order_id=order.pk)  # the order is used once
    assert again.value.code == "order_not_open"
    assert m.Redemption.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_sequencing_is_not_enqueued_while_another_process_task_is_due_later(monkeypatch, settings):
    """Web workers are processes, each with its own throttle: before enqueuing, a worker looks for
    a sequencing task queued to start later; everything it commits before then is that task's
    work, so it looks again only at that time. A task already due may have read the queue (or
    do so at any moment): the worker then enqueues its own, so no entry is left behind."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    queued = DBTaskResult.objects.filter(task_path=tasks.sequence_ledger.module_path)
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)
    tasks.schedule_sequencing()  # worker 1
    assert queued.filter(status="READY").count() == 1
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)  # worker 2: its own throttle lets it through
    before = tasks.time.monotonic()
    tasks.schedule_sequencing()
    assert queued.count() == 1  # worker 1's task will do
    # worker 2 looks again just before that task may start, not a full interval later
    assert before + 0.5 < tasks._next_sequencing < before + tasks.SEQUENCE_DELAY - tasks.CLOCK_MARGIN + 0.05
    queued.update(run_after=timezone.now())  # the task is due: the worker may take it at any moment
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)
    tasks.schedule_sequencing()
    assert queued.count() == 2
    queued.update(status="RUNNING")  # started: it may have read the queue before this worker's entries
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)
    tasks.schedule_sequencing()
    assert queued.filter(status="READY").count() == 1 and queued.count() == 3
    queued.filter(status="READY").update(run_after=timezone.now() + timedelta(days=1))  # not within the delay
    monkeypatch.setattr(tasks, "_next_sequencing", 0.0)
    tasks.schedule_sequencing()
    assert queued.count() == 4


@pytest.mark.parametrize("covered", [True, False])
def test_another_deduction_between_the_read_and_the_transaction(monkeypatch, enterprise, reviewer, budgets, registry,
                                                              covered):
    """Another deduction of the voucher commits between the API's order read and the deduction's
    transaction: the answer, and its stored replay, show the remaining value the deduction left,
    not the one read; refused, it wrote nothing."""
    from .conftest import issue_voucher, listed_institution

    inst_actor, service = listed_institution(reviewer, price_fen=1_000_000)
    voucher = issue_voucher(enterprise, reviewer, requested_fen=1_500_000 if covered else 500_000)
    first, second = (use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk) for _ in range(2))
    read = use.deductible_order

    def read_then_another_deduction(**kwargs):
        order = read(**kwargs)
        use.deduct(actor=inst_actor, order_id=first.pk, order=read(actor=inst_actor, order_id=first.pk))
        return order

    monkeypatch.setattr(use, "deductible_order", read_then_another_deduction)
    _key, header = core_services.api_key_create(actor=inst_actor, name="lab")
    client = Client(headers={"X-API-Key": header})
    answer = _deduct(client, second.pk, "k-stale")
    monkeypatch.setattr(use, "deductible_order", read)
    replay = _deduct(client, second.pk, "k-stale")
    assert (replay.status_code, replay.json()) == (answer.status_code, answer.json())
    second.refresh_from_db()
    voucher.refresh_from_db()
    if covered:
        assert answer.status_code == 201, answer.content
        assert answer.json()["voucher_remaining_fen"] == voucher.face_fen - voucher.used_fen == 500_000
        assert second.status == m.OrderStatus.USED and m.Redemption.objects.get(order=second).pk == answer.json()["id"]
    else:
        assert (answer.status_code, answer.json()["code"]) == (409, "voucher_insufficient")
        assert second.status == m.OrderStatus.OPEN and not m.Redemption.objects.filter(order=second).exists()
    assert AuditEvent.objects.filter(action="vouchers.voucher_used").count() == 1 + covered
    assert IdempotencyRecord.objects.get(key="k-stale").response_status == answer.status_code


# The statements of one deduction through the bank API once its API key is cached, besides the
# transaction's own (BEGIN/COMMIT; a savepoint in a test): the key probe, the order read, then in
# one transaction the key's claim, the order closed, the use, its audit event and its queued
# ledger entry, the voucher's conditional UPDATE (returning the remaining value) and the key's
# answer. A change here is a change to the hot path: say why.
DEDUCTION_STATEMENTS = 9


def test_statements_per_deduction(voucher, institution, enterprise):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inst_actor, service = institution
    orders = [use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk) for _ in range(2)]
    _key, header = core_services.api_key_create(actor=inst_actor, name="lab")
    client = Client(headers={"X-API-Key": header})
    assert _deduct(client, orders[0].pk, "k-warm").status_code == 201  # caches the key
    with CaptureQueriesContext(connection) as captured:
        assert _deduct(client, orders[1].pk, "k-counted").status_code == 201
    sent = [q["sql"] for q in captured.captured_queries
            if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(sent) == DEDUCTION_STATEMENTS, sent
    written = [" ".join(sql.split()[:3:2] if sql.startswith("INSERT") else sql.split()[:2])
               for sql in sent if not sql.startswith("SELECT")]
    assert written == ['INSERT "core_idempotencyrecord"', 'UPDATE "vouchers_order"', 'INSERT "vouchers_redemption"',
                       'INSERT "core_auditevent"', 'INSERT "ledger_ledgerpending"', 'UPDATE "vouchers_voucher"',
                       'UPDATE "core_idempotencyrecord"']


@pytest.mark.parametrize("step", ["fraud", "expiry"])
def test_cancelling_a_voucher_cancels_its_open_orders_before_locking_it(step, voucher, institution, enterprise,
                                                                        reviewer, approver, budgets):
    """A deduction locks its order, then the voucher: a step that cancels a voucher must not hold
    the voucher while it waits for one of its orders, or the two deadlock."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from innoreform.core.actor import Actor
    from innoreform.vouchers import services

    from .conftest import approve_claim, use_and_claim

    inst_actor, service = institution
    claim = approve_claim(use_and_claim(enterprise, inst_actor, service, voucher), reviewer, approver)
    waiting = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    with CaptureQueriesContext(connection) as captured:
        if step == "fraud":
            use.claim_confirm_fraud(actor=approver, claim_id=claim.pk, reason="虚开发票")
        else:
            services.vouchers_expire_due(actor=Actor.system(), on=voucher.expires_on + timedelta(days=1))
    waiting.refresh_from_db()
    assert waiting.status == m.OrderStatus.CANCELLED
    sent = [q["sql"] for q in captured.captured_queries]
    cancelled = next(n for n, sql in enumerate(sent) if sql.startswith('UPDATE "vouchers_order"'))
    if connection.vendor == "postgresql":  # SQLite has no row locks to order
        locked = next(n for n, sql in enumerate(sent) if '"vouchers_voucher"' in sql and "FOR UPDATE" in sql)
        assert cancelled < locked


@pytest.mark.parametrize("point", ["order", "use", "audit", "ledger", "voucher", "answer"])
def test_crash_at_each_write_leaves_nothing_and_the_key_runs_again(monkeypatch, point, voucher, institution,
                                                                   enterprise):
    """A failure at any write of the deduction's transaction rolls back all of it, the key's claim
    included: the order stays open and the same key then deducts once."""
    from django.db.models import QuerySet

    from innoreform.core import audit, idempotency
    from innoreform.ledger import services as ledger

    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    _key, header = core_services.api_key_create(actor=inst_actor, name="lab")
    client = Client(headers={"X-API-Key": header}, raise_request_exception=False)
    queued = LedgerPending.objects.count()

    def crash(*_args, **_kwargs):
        raise RuntimeError(f"crash at {point}")

    update = QuerySet.update

    def crashing_update(qs, **kwargs):
        if qs.model is m.Order:
            crash()
        return update(qs, **kwargs)

    with monkeypatch.context() as patch:
        if point == "order":
            patch.setattr(QuerySet, "update", crashing_update)
        else:
            target = {"use": (m.Redemption, "save"), "audit": (audit, "record"),
                      "ledger": (ledger, "append_commitment"),
                      "voucher": (use, "_take_share"), "answer": (idempotency.KeyClaim, "store")}[point]
            patch.setattr(*target, crash)
        assert _deduct(client, order.pk, "k-crash").status_code == 500
    order.refresh_from_db()
    voucher.refresh_from_db()
    assert order.status == m.OrderStatus.OPEN and voucher.used_fen == 0
    assert not m.Redemption.objects.exists() and not IdempotencyRecord.objects.filter(key="k-crash").exists()
    assert not AuditEvent.objects.filter(action="vouchers.voucher_used").exists()
    assert LedgerPending.objects.count() == queued
    again = _deduct(client, order.pk, "k-crash")
    assert again.status_code == 201, again.content
    assert _deduct(client, order.pk, "k-crash").json() == again.json()
    assert m.Redemption.objects.filter(order=order).count() == 1
