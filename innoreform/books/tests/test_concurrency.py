"""Concurrent payouts from one account on PostgreSQL: never overdrawn, no update lost.

Each thread has its own database connection and commits its own transaction, as concurrent
requests would (django_db(transaction=True))."""

import threading

import pytest
from django.db import connection, transaction

from innoreform.books import services
from innoreform.books.models import Account, AccountPurpose, Posting
from innoreform.books.reconciliation import reconcile
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict
from innoreform.core.models import OrgKind
from innoreform.core.testing import make_org

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_threads(n, work):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # recorded and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _setup(balance_fen):
    actor = Actor.system()
    city = make_org(kind=OrgKind.DEPARTMENT)
    banks = [make_org(kind=OrgKind.BANK) for _ in range(3)]
    pool = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.POOL)
    source = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.FUNDING_SOURCE)
    # Payables of several banks, so threads also lock different second accounts in varying order.
    payables = [services.account_for(actor=actor, owner=b, purpose=AccountPurpose.INSTITUTION_PAYABLE,
                                     may_go_negative=True) for b in banks]
    services.post_transaction(actor=actor, kind="contribution", reference="fund", lines=[(pool, balance_fen),
                                                                                         (source, -balance_fen)])
    return actor, pool, payables


@pytest.mark.parametrize("immediate_fk_checks", [False, True], ids=["deferred-fk", "immediate-fk"])
def test_concurrent_payouts_never_overdraw(immediate_fk_checks):
    actor, pool, payables = _setup(balance_fen=10 * 1_000)
    n = 30

    def pay(i):
        with transaction.atomic():  # as a domain service would
            if immediate_fk_checks:
                # Foreign-key checks then take key-share locks on the accounts before the books
                # lock them: the lock mode must not deadlock with those.
                with connection.cursor() as cur:
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            return services.post_transaction(
                actor=actor, kind="payout", reference=f"payout:{i}",
                lines=[(payables[i % 3], 1_000), (pool, -1_000)],
            ).pk

    results = _run_threads(n, pay)
    successes = [r for r in results if isinstance(r, int)]
    refusals = [r for r in results if isinstance(r, Conflict)]
    others = [r for r in results if not isinstance(r, int | Conflict)]
    assert others == []
    assert len(successes) == 10
    assert len(refusals) == 20 and {r.code for r in refusals} == {"insufficient_funds"}
    pool.refresh_from_db()
    assert pool.balance_fen == 0
    assert Posting.objects.filter(account=pool).count() == 11
    assert reconcile().clean


def test_concurrent_contributions_lose_no_update():
    actor, pool, _payables = _setup(balance_fen=1)
    source = Account.objects.get(purpose=AccountPurpose.FUNDING_SOURCE)
    n = 24

    def contribute(i):
        return services.post_transaction(actor=actor, kind="contribution", reference=f"c:{i}",
                                         lines=[(pool, i + 1), (source, -(i + 1))]).pk

    results = _run_threads(n, contribute)
    assert all(isinstance(r, int) for r in results), results
    pool.refresh_from_db()
    assert pool.balance_fen == 1 + sum(range(1, n + 1))
    assert reconcile().clean


def test_concurrent_replays_of_one_reference_post_once():
    actor, pool, payables = _setup(balance_fen=100_000)
    n = 16

    def replay(i):
        return services.post_transaction(actor=actor, kind="payout", reference="same-event",
                                         lines=[(payables[0], 500), (pool, -500)]).pk

    results = _run_threads(n, replay)
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert all(r.code == "duplicate_reference" for r in results if not isinstance(r, int)), results
    pool.refresh_from_db()
    assert pool.balance_fen == 100_000 - 500
    assert reconcile().clean
