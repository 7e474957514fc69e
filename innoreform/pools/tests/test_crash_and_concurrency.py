"""A payout job killed at each step and rerun pays each claim exactly once (in process: a
SimulatedCrash rolls back the open transaction like a killed process would; on PostgreSQL: the job
really SIGKILLs itself in a subprocess). Concurrent payouts from one pool never overdraw it."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from innoreform.books import reconciliation
from innoreform.books.models import Account, Transaction
from innoreform.core.actor import Actor
from innoreform.financing.services import loans
from innoreform.pools import payouts, services
from innoreform.pools.models import ClaimStatus, PayoutItem, RecoveryShare
from innoreform.pools.payouts import CRASH_ENV, CRASH_MODE_ENV, CRASH_POINTS, SimulatedCrash

ROOT = Path(__file__).resolve().parents[3]


def approved_waiting_claims(world, n: int, principal_fen=100_000_000):
    """n approved claims whose payouts wait because the city pool is empty."""
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.01",
                               as_of=world.today)
    claims = []
    for _ in range(n):
        loan = world.loan(principal_fen=principal_fen, kind="standard")
        claim = services.claim_file(actor=world.bank, loan_id=loan.pk)
        claims.append(world.approve(claim))
    return claims


def assert_paid_once(claims):
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.PAID
        for item in PayoutItem.objects.filter(claim=claim):
            assert item.status == "paid"
            assert Transaction.objects.filter(reference=f"pools:payout:{item.pk}").count() == 1
    assert Transaction.objects.filter(kind="pools.payout").count() == PayoutItem.objects.count()
    report = reconciliation.reconcile(include_sources=True)
    assert report.clean, report.as_dict()["breaks"]


@pytest.mark.parametrize("point", [p for p in CRASH_POINTS if p.startswith("pay_")])
def test_crash_at_each_payout_point_then_rerun_pays_once(point, monkeypatch, world):
    world.pools(province_fen=10**9, city_fen=0)
    claims = approved_waiting_claims(world, 2)
    # Fund the city pool without paying (the contribution service pays at once): post directly.
    from innoreform.books import services as books
    from innoreform.pools import money
    books.post_transaction(actor=Actor.system(), kind="test.funding", reference="test:fund",
                           lines=[(money.pool_account(Actor.system(), world.city_pool), 10**9),
                                  (money.source_account(Actor.system(), world.city_org.pk), -10**9)])
    monkeypatch.setenv(CRASH_ENV, point)
    with pytest.raises(SimulatedCrash):
        payouts.run_payouts(actor=Actor.system())
    monkeypatch.delenv(CRASH_ENV)
    payouts.run_payouts(actor=Actor.system())
    payouts.run_payouts(actor=Actor.system())
    assert_paid_once(claims)


@pytest.mark.parametrize("point", ["flow_back_after_posting", "flow_back_after_commit"])
def test_crash_while_flowing_back_then_rerun_returns_once(point, monkeypatch, world):
    world.pools(province_fen=10**9, city_fen=10**9)
    [claim] = approved_waiting_claims(world, 1)
    assert claim.status == ClaimStatus.PAID
    loans.recovery_record(actor=world.bank, loan_id=claim.loan_id, amount_fen=30_000_001, received_on=world.today,
                          source="borrower")
    monkeypatch.setenv(CRASH_ENV, point)
    with pytest.raises(SimulatedCrash):
        payouts.run_payouts(actor=Actor.system())
    monkeypatch.delenv(CRASH_ENV)
    payouts.run_payouts(actor=Actor.system())
    # 40% compensated: 12,000,000.4 fen rounds to 12,000,000, split 1:1.
    assert sorted(RecoveryShare.objects.values_list("amount_fen", flat=True)) == [6_000_000, 6_000_000]
    assert reconciliation.reconcile(include_sources=True).clean


def test_reconciliation_reports_seeded_breaks(world):
    from innoreform.books import services as books

    world.pools(province_fen=10**9, city_fen=10**9)
    claims = approved_waiting_claims(world, 2)
    assert reconciliation.reconcile(include_sources=True).clean
    item = PayoutItem.objects.filter(claim=claims[0]).first()
    original = Transaction.objects.get(reference=f"pools:payout:{item.pk}")
    books.post_transaction(actor=Actor.system(), kind="pools.payout", reference=original.reference + ":dup",
                           lines=[(p.account_id, p.amount_fen) for p in original.postings.all()],
                           subject_type="pools.claim", subject_id=claims[0].pk)
    other = PayoutItem.objects.filter(claim=claims[1]).first()
    books.reverse_transaction(actor=Actor.system(),
                              transaction=Transaction.objects.get(reference=f"pools:payout:{other.pk}"),
                              reason="seeded break")
    counts = reconciliation.reconcile(include_sources=True).counts()
    assert counts["duplicate_transaction"] == 1
    assert counts["missing_transaction"] == 1


def _url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_kill9_at_each_point_then_rerun_pays_once(world):
    from innoreform.books import services as books
    from innoreform.pools import money

    world.pools(province_fen=10**10, city_fen=0)
    every = []
    for n, point in enumerate(p for p in CRASH_POINTS if p.startswith("pay_")):
        every += approved_waiting_claims(world, 2)
        # Exactly what the two claims' city layers need (2 x 20 M fen): nothing is left for the next round.
        books.post_transaction(actor=Actor.system(), kind="test.funding", reference=f"test:fund:{n}",
                               lines=[(money.pool_account(Actor.system(), world.city_pool), 40_000_000),
                                      (money.source_account(Actor.system(), world.city_org.pk), -40_000_000)])
        env = {**os.environ, "DATABASE_URL": _url()}
        killed = subprocess.run([sys.executable, "manage.py", "pools_payouts"], cwd=ROOT, capture_output=True,
                                env={**env, CRASH_ENV: point, CRASH_MODE_ENV: "kill"}, timeout=120)
        assert killed.returncode == -9, killed.stderr[-2000:]
        rerun = subprocess.run([sys.executable, "manage.py", "pools_payouts"], cwd=ROOT, capture_output=True,
                               env=env, timeout=120)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert_paid_once(every)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_payouts_never_overdraw_one_pool(world):
    """Eight claims of 20 M fen each on the city layer, a pool of 100 M: eight threads pay them at
    once. Five are paid, three wait; the pool ends at exactly zero, never below."""
    world.pools(province_fen=10**10, city_fen=0)
    claims = approved_waiting_claims(world, 8)  # 40% of 100 M fen = 40 M: 20 M per layer
    from innoreform.books import services as books
    from innoreform.pools import money

    books.post_transaction(actor=Actor.system(), kind="test.funding", reference="test:fund",
                           lines=[(money.pool_account(Actor.system(), world.city_pool), 100_000_000),
                                  (money.source_account(Actor.system(), world.city_org.pk), -100_000_000)])
    items = list(PayoutItem.objects.filter(pool=world.city_pool).order_by("id").values_list("id", flat=True))
    # Each thread pays its own item regardless of queue order (the worst case for the guard).
    barrier = threading.Barrier(len(items))
    results, errors = [], []

    def worker(item_id):
        try:
            barrier.wait()
            results.append(_pay_ignoring_order(item_id))
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results.count("paid") == 5 and results.count("waiting") == 3
    pool = Account.objects.get(pk=world.city_pool.books_account_id)
    assert pool.balance_fen == 0
    assert reconciliation.reconcile(include_sources=True).clean
    assert len(claims) == 8


def _pay_ignoring_order(item_id: int) -> str:
    """pay_item's money path without the FIFO check: the books alone must stop an overdraw."""
    from django.db import transaction

    from innoreform.core.errors import Conflict
    from innoreform.pools import money

    with transaction.atomic():
        item = PayoutItem.objects.select_for_update().select_related("claim", "pool").get(pk=item_id)
        try:
            with transaction.atomic():
                reference = money.post_payout(Actor.system(), item).reference
        except Conflict as exc:
            if exc.code != "insufficient_funds":
                raise
            return "waiting"
        PayoutItem.objects.filter(pk=item.pk).update(status="paid", books_reference=reference)
    return "paid"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_job_runs_pay_each_item_once(world):
    """Four runners of the job at once over one pool's queue: every item paid once, in order."""
    from innoreform.books import services as books
    from innoreform.pools import money

    world.pools(province_fen=10**10, city_fen=0)
    claims = approved_waiting_claims(world, 6)
    books.post_transaction(actor=Actor.system(), kind="test.funding", reference="test:fund",
                           lines=[(money.pool_account(Actor.system(), world.city_pool), 10**9),
                                  (money.source_account(Actor.system(), world.city_org.pk), -10**9)])
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            payouts.run_payouts(actor=Actor.system())
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert_paid_once(claims)
