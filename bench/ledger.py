"""Trust ledger benchmark: prints one JSON object, everything measured in this run.

    .venv/bin/python bench/ledger.py                 # default: 1M-leaf memory tree, 200k-entry databases
    .venv/bin/python bench/ledger.py --size 1000000  # databases at 1M entries too (several minutes)

- hashlib_ceiling_appends_per_s: leaf hashes plus all interior nodes of an N-leaf tree with plain
  hashlib in one tight loop (no log structure): the ceiling for pure-Python hashing.
  Wall-clock rates suffer when the machine is shared; *_per_cpu_s (process CPU time) and the
  load_average_1m_* fields say how much. Database rates are wall-clock only.
- memory_appends_per_s: innoreform.ledger.merkle.MemoryLog.append (stores every node).
- sqlite_/postgres_batched_appends_per_s: services.append_entries(integrate_now=True), 256 entries
  per transaction straight into the tree (canonical JSON built, head locked, border read, entries
  and subtree hashes written with COPY on PostgreSQL / multi-row INSERT on SQLite, head updated).
- sqlite_/postgres_queued_appends_per_s: the path of concurrent small appends: append_entries
  queues 256 entries in one transaction, then services.sequence_pending integrates them in a
  second one (and deletes the queue rows); measured on the first min(N/4, 50,000) entries, the
  bulk path on the rest, so the database holds N entries for the proof and verify figures.
  PostgreSQL with its default fsync/synchronous_commit settings, if reachable.
- inclusion_proof_ms_at_1m / consistency_proof_ms_at_1m: mean over random indices/sizes of building
  a proof from the stored hashes in the SQLite database (indexed reads + hashing), at the database
  size given in `db_size` (only called "at_1m" when db_size is 1,000,000; otherwise null and the
  measured figure is in *_at_db_size); memory_*_proof_ms_at_1m: the same from the in-memory tree.
- verify_s_at_1m: `ledger verify` (recompute every leaf, node and checkpoint) over the SQLite database.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from hashlib import sha256
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def hashlib_ceiling(n: int) -> tuple[float, float]:
    """(appends per wall second, appends per CPU second)."""
    entries = [b"entry %d" % i for i in range(n)]
    t, c = time.perf_counter(), time.process_time()
    level = [sha256(b"\x00" + e).digest() for e in entries]
    while len(level) > 1:
        nxt = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            nxt.append(level[-1])
        level = nxt
    return n / (time.perf_counter() - t), n / (time.process_time() - c)


def memory(n: int) -> dict:
    from innoreform.ledger import merkle

    entries = [b"entry %d" % i for i in range(n)]
    log = merkle.MemoryLog()
    t, c = time.perf_counter(), time.process_time()
    for e in entries:
        log.append(e)
    rate = n / (time.perf_counter() - t)
    cpu_rate = n / (time.process_time() - c)
    rnd = random.Random(1)
    samples = 2000
    idx = [rnd.randrange(n) for _ in range(samples)]
    t = time.perf_counter()
    for i in idx:
        log.inclusion_proof(i, n)
    incl = (time.perf_counter() - t) / samples * 1000
    olds = [rnd.randrange(1, n) for _ in range(samples)]
    t = time.perf_counter()
    for m in olds:
        log.consistency_proof(m, n)
    cons = (time.perf_counter() - t) / samples * 1000
    root = log.root()
    for i in idx[:50]:
        merkle.verify_inclusion(i, n, log.levels[0][i], log.inclusion_proof(i, n), root)
    return {"memory_appends_per_s": rate, "memory_appends_per_cpu_s": cpu_rate, "memory_inclusion_proof_ms": incl,
            "memory_consistency_proof_ms": cons}


# --------------------------------------------------------------------------- database worker


def db_worker(kind: str, n: int, measure_proofs: bool) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from django.db import transaction

    from innoreform.core.actor import Actor
    from innoreform.ledger import merkle, selectors, services
    from innoreform.ledger.verify import verify_log

    actor = Actor.system()
    batch = services.BATCH_SIZE
    queued_n = min(n // 4, 50_000)  # the queue path on the first entries, the bulk path on the rest
    t_total = 0.0
    done = 0
    while done < queued_n:
        k = min(batch, queued_n - done)
        items = [{"entry_type": "bench.appended", "object_ref": f"bench.thing:{i}", "purpose": "benchmark"}
                 for i in range(done, done + k)]
        t = time.perf_counter()
        with transaction.atomic():
            services.append_entries(actor=actor, items=items, sequence_on_commit=False)
        services.sequence_pending(batch_size=batch)
        t_total += time.perf_counter() - t
        done += k
    out = {f"{kind}_queued_appends_per_s": queued_n / t_total, f"{kind}_entries": n}
    # the bulk path: 256 entries per transaction straight into the tree (no queue)
    t_total, done = 0.0, queued_n
    while done < n:
        k = min(batch, n - done)
        items = [{"entry_type": "bench.appended", "object_ref": f"bench.thing:{i}", "purpose": "benchmark"}
                 for i in range(done, done + k)]
        t = time.perf_counter()
        with transaction.atomic():
            services.append_entries(actor=actor, items=items, integrate_now=True)
        t_total += time.perf_counter() - t
        done += k
    out[f"{kind}_batched_appends_per_s"] = (n - queued_n) / t_total
    if measure_proofs:
        services.publish_checkpoint(actor=Actor.system(), push=False)
        rnd = random.Random(2)
        samples = 500
        size = selectors.head()[0]
        root = selectors.root_at(size)
        idx = [rnd.randrange(size) for _ in range(samples)]
        t = time.perf_counter()
        proofs = [selectors.inclusion_proof(i, size) for i in idx]
        out["db_inclusion_proof_ms"] = (time.perf_counter() - t) / samples * 1000
        leaves = selectors.read_nodes([(0, i) for i in idx[:50]])
        for i, p in zip(idx[:50], proofs[:50], strict=True):
            merkle.verify_inclusion(i, size, leaves[(0, i)], p, root)
        olds = [rnd.randrange(1, size) for _ in range(samples)]
        t = time.perf_counter()
        for m in olds:
            selectors.consistency_proof(m, size)
        out["db_consistency_proof_ms"] = (time.perf_counter() - t) / samples * 1000
        t = time.perf_counter()
        rep = verify_log()
        out["verify_s"] = time.perf_counter() - t
        out["verify_ok"] = rep.ok
    out["database"] = connection.vendor
    return out


def run_worker(kind: str, n: int, measure_proofs: bool, database_url: str, var_dir: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, INNOREFORM_VAR_DIR=var_dir,
               DJANGO_SETTINGS_MODULE="config.settings", LEDGER_KEY_FILE=os.path.join(var_dir, "ledger.key"))
    env.pop("LEDGER_KEY", None)
    cmd = [sys.executable, __file__, "--worker", kind, "--size", str(n)] + (["--proofs"] if measure_proofs else [])
    res = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
    if res.returncode != 0:
        return {f"{kind}_error": res.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def postgres_url() -> str | None:
    base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        with psycopg.connect(base.replace("postgres://", "postgresql://"), autocommit=True, connect_timeout=3) as c:
            c.execute("DROP DATABASE IF EXISTS ledger_bench")
            c.execute("CREATE DATABASE ledger_bench")
    except Exception:
        return None
    return base.rsplit("/", 1)[0] + "/ledger_bench"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=None, help="database entries (default 200000; 1000000 for *_at_1m)")
    ap.add_argument("--memory-size", type=int, default=1_000_000)
    ap.add_argument("--pg-size", type=int, default=None, help="PostgreSQL entries (default: min(size, 100000))")
    ap.add_argument("--worker", choices=["sqlite", "postgres"])
    ap.add_argument("--proofs", action="store_true")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(db_worker(args.worker, args.size, args.proofs)))
        return

    db_size = args.size or 200_000
    started = time.perf_counter()
    out: dict = {"db_size": db_size, "memory_size": args.memory_size, "cpu_count": os.cpu_count(),
                 "load_average_1m_start": os.getloadavg()[0]}
    out["hashlib_ceiling_appends_per_s"], out["hashlib_ceiling_appends_per_cpu_s"] = hashlib_ceiling(args.memory_size)
    mem = memory(args.memory_size)
    out.update({k: v for k, v in mem.items() if k in ("memory_appends_per_s", "memory_appends_per_cpu_s")})
    out["memory_vs_ceiling"] = out["memory_appends_per_s"] / out["hashlib_ceiling_appends_per_s"]
    out["memory_vs_ceiling_cpu"] = out["memory_appends_per_cpu_s"] / out["hashlib_ceiling_appends_per_cpu_s"]
    at_1m = args.memory_size == 1_000_000
    out["memory_inclusion_proof_ms_at_1m" if at_1m else "memory_inclusion_proof_ms"] = mem["memory_inclusion_proof_ms"]
    out["memory_consistency_proof_ms_at_1m" if at_1m else "memory_consistency_proof_ms"] = \
        mem["memory_consistency_proof_ms"]

    with tempfile.TemporaryDirectory() as tmp:
        sq = run_worker("sqlite", db_size, True, f"sqlite:///{tmp}/bench.sqlite3", tmp)
    out["sqlite_batched_appends_per_s"] = sq.get("sqlite_batched_appends_per_s")
    out["sqlite_queued_appends_per_s"] = sq.get("sqlite_queued_appends_per_s")
    db_at_1m = db_size == 1_000_000
    out["inclusion_proof_ms_at_1m"] = sq.get("db_inclusion_proof_ms") if db_at_1m else None
    out["consistency_proof_ms_at_1m"] = sq.get("db_consistency_proof_ms") if db_at_1m else None
    out["verify_s_at_1m"] = sq.get("verify_s") if db_at_1m else None
    out["inclusion_proof_ms_at_db_size"] = sq.get("db_inclusion_proof_ms")
    out["consistency_proof_ms_at_db_size"] = sq.get("db_consistency_proof_ms")
    out["verify_s_at_db_size"] = sq.get("verify_s")
    out["verify_ok"] = sq.get("verify_ok")
    if "sqlite_error" in sq:
        out["sqlite_error"] = sq["sqlite_error"]

    url = postgres_url()
    if url:
        pg_size = args.pg_size or min(db_size, 100_000)
        with tempfile.TemporaryDirectory() as tmp:
            pg = run_worker("postgres", pg_size, False, url, tmp)
        out["postgres_batched_appends_per_s"] = pg.get("postgres_batched_appends_per_s")
        out["postgres_queued_appends_per_s"] = pg.get("postgres_queued_appends_per_s")
        out["postgres_entries"] = pg_size
        if "postgres_error" in pg:
            out["postgres_error"] = pg["postgres_error"]
    else:
        out["postgres_batched_appends_per_s"] = None
    out["targets_met"] = {
        "memory_ge_half_ceiling": out["memory_vs_ceiling"] >= 0.5,
        "postgres_ge_20000_per_s": (out["postgres_batched_appends_per_s"] or 0) >= 20000,
        "db_proofs_under_1ms": max(out["inclusion_proof_ms_at_db_size"] or 9,
                                   out["consistency_proof_ms_at_db_size"] or 9)
        < 1.0,
    }
    out["load_average_1m_end"] = os.getloadavg()[0]
    out["elapsed_s"] = time.perf_counter() - started
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}))


if __name__ == "__main__":
    main()
