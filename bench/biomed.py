"""Special-goods declaration benchmark: prints one JSON object, everything measured in this run,
against one PostgreSQL server (issue #25: over_written_off 0, p99 < 100 ms with 16 clients,
throughput beside pgbench).

    .venv/bin/python bench/biomed.py                    # 16 clients, 2,400 declarations of 1 vial
    .venv/bin/python bench/biomed.py --clients 32 --quantity 5000

What it does (the server, the HTTP client, the CPU accounting and pgbench are bench/vouchers.py's):
1. Recreates a database `biomed_bench` (BENCH_DB_PREFIX changes the prefix), migrates it and loads
   the demo (core + biomed); registers a C-level item for the Guangzhou biotech, approved
   automatically for `--quantity` vials at Baiyun Airport; creates a customs API key.
2. Starts gunicorn as `innoreform serve` would; `--clients` threads POST
   /api/bank/v1/biomed/approvals/<id>/batches (one vial, a fresh declaration number and
   Idempotency-Key each), all against that ONE approval; `--declarations` offered overflow the
   quantity by default by 20%, so the refusals (409 over_quantity) race with the last write-offs.
3. Runs pgbench's TPC-B-like script with as many clients on the same server.

Output: written_off_per_s (201 answers / wall time of the timed phase), attempts_per_s,
pgbench_tps, ratio, p50_ms / p99_ms, written_off / refused_409, over_written_off (written off
beyond the approved quantity, plus any disagreement between the approval's counter, the batch rows
and the 201 answers: must be 0), errors_5xx, web/db CPU per attempt.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

os.environ.setdefault("BENCH_DB_PREFIX", "biomed")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import vouchers as shared  # bench/vouchers.py's server, client and pgbench helpers

ROOT, DB = shared.ROOT, shared.DB


def setup(quantity: int, env: dict) -> dict:
    shared.psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    shared.psql(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
import json
from innoreform.core import demo as core_demo, services as core_services
from innoreform.core.actor import Actor
from innoreform.core.models import Membership, Role, User
from innoreform.biomed import demo, models as m, services
core_demo.load()
demo.load(operator=core_demo.operator_actor())
enterprise = core_demo.demo_actor("ent-biotech")
item = services.item_register(actor=enterprise, **{{**demo.CELL_LINE, "specification": "bench"}})
approval = services.application_submit(actor=enterprise, item_id=item.pk, quantity={quantity}, unit=m.Unit.VIAL,
    ports=[m.Port.BAIYUN], origin="US", purpose="bench", attachments=demo._attachments("C")).approval
# The demo's customs users are a reviewer and an approver; API keys are an administrator's.
admin, _ = User.objects.get_or_create(username="bench-customs-admin")
membership, _ = Membership.objects.get_or_create(user=admin, organisation=enterprise.organisation.__class__.objects.get(
    name__startswith="广州海关生物医药"), defaults={{"role": Role.ADMINISTRATOR}})
_key, header = core_services.api_key_create(actor=Actor.for_membership(membership), name="bench")
print("BENCH" + json.dumps({{"approval": approval.pk, "key": header}}))
"""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out[out.index("BENCH") + 5:].splitlines()[0])


def hammer(port: int, key: str, approval: int, offered: int, clients: int, warmup: int) -> dict:
    """Each client makes `warmup` untimed calls, then, from a common start, declares until the
    offered declarations are used up. Returns the timed phase's wall time, latencies, statuses."""
    remaining = [offered]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1, timeout=600)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    warm: dict[int, int] = {}
    path = f"/api/bank/v1/biomed/approvals/{approval}/batches"

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def call(client) -> int:
        body = json.dumps({"declaration_no": uuid.uuid4().hex[:18], "quantity": 1, "unit": "vial",
                           "port": "baiyun_airport"}).encode()
        headers = {"X-API-Key": key, "Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"}
        try:
            return client.post(path, headers, body)[0]
        except (OSError, ValueError, IndexError):
            client.close()
            return 0

    def worker():
        client = shared.Client(port)
        for _ in range(warmup):
            if not take():
                break
            status = call(client)
            with lock:
                warm[status] = warm.get(status, 0) + 1
        start.wait()
        while take():
            t = time.perf_counter()
            status = call(client)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for t in threads:
        t.join()
    latencies.sort()
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - cpu0, "latencies": latencies,
            "statuses": statuses, "warm": warm}


def check(approval: int, created: int) -> dict:
    sql = ("SELECT a.quantity, a.written_off, (SELECT coalesce(sum(quantity), 0) FROM biomed_batch b "
           "WHERE b.approval_id = a.id), (SELECT count(*) FROM biomed_batch b WHERE b.approval_id = a.id) "
           "FROM biomed_approval a WHERE a.id = %d")
    row = shared.psql_value(sql % int(approval), DB).split("|")
    quantity, written_off, batch_sum, batches = map(int, row)
    over = max(0, written_off - quantity) + abs(written_off - batch_sum) + abs(batches - created)
    return {"quantity": quantity, "written_off": written_off, "batches": batches, "over_written_off": over}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--quantity", type=int, default=2000, help="vials on the one approval")
    parser.add_argument("--declarations", type=int, default=0, help="offered (default: quantity + 20%%)")
    parser.add_argument("--workers", type=int, default=shared.webserver.default_workers())
    parser.add_argument("--threads", type=int, default=shared.webserver.default_threads())
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10, help="pgbench duration")
    parser.add_argument("--port", type=int, default=18825)
    args = parser.parse_args()
    offered = args.declarations or args.quantity * 6 // 5
    env = {**shared.bench_env(), "INNOREFORM_VAR_DIR": str(ROOT / "var" / "bench-biomed")}
    data = setup(args.quantity, env)
    server = shared.start_server(args.port, args.workers, args.threads, env)
    try:
        shared.wait_idle(server[0])
        web_cpu0 = shared.cpu_seconds(shared.web_pids(server[0]))
        result = hammer(args.port, data["key"], data["approval"], offered, args.clients, args.warmup)
        web_cpu = shared.cpu_seconds(shared.web_pids(server[0])) - web_cpu0
        db_cpu = shared.cpu_seconds(shared.db_pids())
    finally:
        shared.stop(server)
    tps = shared.pgbench(args.clients, args.seconds)
    warm, timed = result["warm"], result["statuses"]
    created = warm.get(201, 0) + timed.get(201, 0)
    checked = check(data["approval"], created)
    lat = result["latencies"]
    ok, refused = timed.get(201, 0), timed.get(409, 0)
    rate = ok / result["wall"]
    attempts = sum(warm.values()) + ok + refused

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else 0.0

    print(json.dumps({
        "clients": args.clients, "server_workers": args.workers, "server_threads": args.threads,
        "server_python": f"{platform.python_version()} {sys.executable}",
        "approved_quantity": checked["quantity"], "declarations_offered": offered,
        "written_off": checked["written_off"], "batches": checked["batches"],
        "refused_409": warm.get(409, 0) + refused, "timed_written_off": ok, "timed_refused_409": refused,
        "written_off_per_s": round(rate, 1), "attempts_per_s": round((ok + refused) / result["wall"], 1),
        "pgbench_tps": round(tps, 1), "ratio": round(rate / tps, 3) if tps else None,
        "p50_ms": pct(0.50), "p99_ms": pct(0.99), "over_written_off": checked["over_written_off"],
        "errors_5xx": sum(n for d in (warm, timed) for s, n in d.items() if s >= 500),
        "other_errors": sum(n for d in (warm, timed) for s, n in d.items() if s not in (201, 409) and s < 500),
        "wall_s": round(result["wall"], 2), "client_cpu_s": round(result["cpu"], 2),
        "web_cpu_ms_per_attempt": round(web_cpu * 1000 / max(1, attempts), 2),
        "db_cpu_ms_per_attempt": round(db_cpu * 1000 / max(1, attempts), 2),
    }))


if __name__ == "__main__":
    main()
