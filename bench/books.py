"""Books benchmark on PostgreSQL: prints one JSON object, everything measured in this run.

    .venv/bin/python bench/books.py [--pg postgres://postgres@127.0.0.1:5432] [--threads 8] [--seconds 10]

Creates a throw-away database `books_bench` (dropped and re-created), migrates it, then measures:
- spread_tx_per_s: 2-line transactions by N threads, each thread on its own pair of accounts
  (no lock contention: the cost of one post_transaction with its audit row and balance updates).
- hot_tx_per_s, hot_p50_ms, hot_p99_ms: N threads paying out of ONE pool account (every
  transaction serialises on that row's lock), until the pool is empty or time runs out.
- hot_overdrawn / hot_lost_updates: after the hot run, the pool's balance below zero, and the
  difference between the cached balance and the sum of its postings (both must be 0).
- refused_insufficient: payouts refused with insufficient_funds once the pool ran dry.
- reconcile_s and reconcile_breaks: `reconcile()` over the whole book afterwards.
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS books_bench")
        conn.execute("CREATE DATABASE books_bench")
    os.environ["DATABASE_URL"] = f"{args.pg}/books_bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from innoreform.books import services
    from innoreform.books.models import AccountPurpose, Posting
    from innoreform.books.reconciliation import reconcile
    from innoreform.core.actor import Actor
    from innoreform.core.errors import Conflict
    from innoreform.core.models import Organisation, OrgKind

    actor = Actor.system()
    city = Organisation.objects.create(name="Bench city", kind=OrgKind.DEPARTMENT, region="440100")
    source = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.FUNDING_SOURCE)
    expense = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.EXPENSE, key="hot")

    def run(n_threads: int, seconds: float, work) -> tuple[list[float], list]:
        barrier = threading.Barrier(n_threads)
        latencies: list[list[float]] = [[] for _ in range(n_threads)]
        outcomes: list[list] = [[] for _ in range(n_threads)]

        def target(i: int) -> None:
            try:
                barrier.wait()
                deadline = time.perf_counter() + seconds
                k = 0
                while time.perf_counter() < deadline:
                    t = time.perf_counter()
                    outcome = work(i, k)
                    latencies[i].append(time.perf_counter() - t)
                    outcomes[i].append(outcome)
                    k += 1
                    if outcome == "stop":
                        break
            finally:
                connection.close()

        threads = [threading.Thread(target=target, args=(i,)) for i in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [x for lst in latencies for x in lst], [x for lst in outcomes for x in lst]

    # Spread: each thread its own pool and expense account, funded generously.
    pairs = []
    for i in range(args.threads):
        pool = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.POOL, key=f"spread{i}")
        exp = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.EXPENSE, key=f"spread{i}")
        services.post_transaction(actor=actor, kind="bench.fund", reference=f"fund:spread{i}",
                                  lines=[(pool, 10**12), (source, -(10**12))])
        pairs.append((pool, exp))

    def spread(i: int, k: int):
        pool, exp = pairs[i]
        services.post_transaction(actor=actor, kind="bench.pay", reference=f"spread:{i}:{k}",
                                  lines=[(exp, 100), (pool, -100)])
        return "ok"

    t0 = time.perf_counter()
    _lat, outcomes = run(args.threads, args.seconds, spread)
    spread_tx_per_s = len(outcomes) / (time.perf_counter() - t0)

    # Hot: one pool, funded for about as many payouts as the spread run managed.
    hot_pool = services.account_for(actor=actor, owner=city, purpose=AccountPurpose.POOL, key="hot")
    budget_payouts = max(100, int(len(outcomes) * 0.8))
    services.post_transaction(actor=actor, kind="bench.fund", reference="fund:hot",
                              lines=[(hot_pool, budget_payouts * 100), (source, -budget_payouts * 100)])
    refused = 0
    refused_lock = threading.Lock()

    def hot(i: int, k: int):
        nonlocal refused
        try:
            services.post_transaction(actor=actor, kind="bench.pay", reference=f"hot:{i}:{k}",
                                      lines=[(expense, 100), (hot_pool, -100)])
            return "ok"
        except Conflict as exc:
            if exc.code == "insufficient_funds":
                with refused_lock:
                    refused += 1
                return "stop"
            raise

    t0 = time.perf_counter()
    latencies, outcomes = run(args.threads, args.seconds, hot)
    elapsed = time.perf_counter() - t0
    ok = sum(1 for o in outcomes if o == "ok")
    latencies.sort()
    hot_pool.refresh_from_db()
    derived = sum(Posting.objects.filter(account=hot_pool).values_list("amount_fen", flat=True))

    t0 = time.perf_counter()
    report = reconcile()
    reconcile_s = time.perf_counter() - t0

    print(json.dumps({
        "database": "postgresql " + connection.cursor().connection.info.parameter_status("server_version"),
        "threads": args.threads,
        "seconds_per_run": args.seconds,
        "spread_tx_per_s": round(spread_tx_per_s, 1),
        "hot_tx_per_s": round(ok / elapsed, 1),
        "hot_payouts": ok,
        "hot_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else None,
        "hot_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2) if latencies else None,
        "hot_overdrawn": int(hot_pool.balance_fen < 0),
        "hot_lost_updates": abs(hot_pool.balance_fen - derived),
        "refused_insufficient": refused,
        "transactions_in_book": report.transactions,
        "reconcile_s": round(reconcile_s, 3),
        "reconcile_breaks": len(report.breaks),
    }))


if __name__ == "__main__":
    main()
