"""Voucher redemption benchmark: prints one JSON object, everything measured in this run, against
one PostgreSQL server.

    .venv/bin/python bench/vouchers.py                  # 16 clients, 2,400 deduction attempts
    .venv/bin/python bench/vouchers.py --clients 32 --seconds 10
    BENCH_DB_PREFIX=me .venv/bin/python bench/vouchers.py --port 8150   # databases me_bench, me_pgbench

What it does:
1. Recreates a database `vouchers_bench`, migrates it and loads the demo (core + vouchers): a
   listed Hong Kong lab, a Foshan SME in the registry with a voucher (face 300,000 yuan, 50%).
2. Adds `--orders` orders of 300 yuan each on that ONE voucher (150 yuan voucher share each), so
   all deductions race for one row; the face value covers 2,000 of them, the default 2,400 offered
   overflow it by 20%.
3. Starts gunicorn from the Python running this script with config/gunicorn.conf.py
   (`--workers` processes × `--threads` threads, by default as `innoreform serve`: 2 × cores + 1
   single-threaded workers; DB_CONN_MAX_AGE=60) and, as `innoreform serve` does, a django-tasks
   worker (it integrates the voucher uses into the trust ledger); has `--clients` threads POST
   /api/bank/v1/vouchers/orders/<id>/deduct with the lab's API key and a fresh Idempotency-Key
   (the client keeps connections alive; the sync workers close them), first `--warmup` calls
   each, untimed, then, from a common start, until every order was tried.
4. Runs pgbench's built-in TPC-B-like script (`pgbench -i -s 1`, then `-c clients -j clients -T
   seconds`) on a database `vouchers_pgbench` of the same server.

Output: redemptions_per_s (201 answers / wall time of the timed phase), attempts_per_s (201 +
409), pgbench_tps, ratio (redemptions_per_s / pgbench_tps), p50_ms / p99_ms (the timed phase's
deduct calls), deducted / refused_409 (all calls; timed_* of the timed phase), overpaid_vouchers
(used > face or paid > face), lost_updates (201 answers without a use row, use rows without a 201, or the
voucher's used amount differing from the sum of its uses), errors_5xx, other_errors;
ledger_voucher_entries (trust-ledger entries of voucher uses made by the run: should equal
`deducted`) and ledger_unsequenced (still queued 30 s after the run: should be 0);
client_cpu_s (this script's CPU in the timed phase), web_cpu_ms_per_attempt (gunicorn, once its
workers have booted, warm-up calls included), db_cpu_ms_per_attempt (the run's PostgreSQL
backends) and tasks_worker_cpu_s (the django-tasks worker during the run), from /proc: on a
shared machine the throughput moves with the load, the CPU per attempt much less.
"""

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from innoreform.core import webserver  # noqa: E402 - the server's default shape, Django-free

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_DB_PREFIX lets parallel runs on one server use their own databases.
DB = os.environ.get("BENCH_DB_PREFIX", "vouchers") + "_bench"
PGBENCH_DB = os.environ.get("BENCH_DB_PREFIX", "vouchers") + "_pgbench"


def bench_env() -> dict:
    """The app's environment against the bench database (also bench/vouchers_profile.py's)."""
    return {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "INNOREFORM_VAR_DIR": str(ROOT / "var" / "bench-vouchers"), "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60"}  # persistent connections, as a production deployment would use


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", f"{PG}/{db}", "-qAtc", sql], check=True, capture_output=True)


def setup(orders: int, env: dict) -> dict:
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
import json
from innoreform.core import demo as core_demo, services as core_services
from innoreform.vouchers import demo, models as m
core_demo.load()
demo.load(operator=core_demo.operator_actor())
voucher = m.Voucher.objects.get(enterprise__name__startswith="佛山智感")
service = m.ServiceItem.objects.filter(institution__organisation__name__startswith="香港精准").first()
rows = [m.Order(enterprise_id=voucher.enterprise_id, institution_id=service.institution_id, voucher=voucher,
                service=service, fee_fen=30_000, voucher_fen=15_000) for _ in range({orders})]
m.Order.objects.bulk_create(rows, batch_size=2000)
ids = list(m.Order.objects.filter(voucher=voucher, fee_fen=30_000).values_list("pk", flat=True))
_key, header = core_services.api_key_create(actor=core_demo.demo_actor("inst-hk"), name="bench")
print("BENCH" + json.dumps({{"voucher": voucher.pk, "face_fen": voucher.face_fen, "orders": ids, "key": header}}))
"""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out[out.index("BENCH") + 5:].splitlines()[0])


def start_server(port: int, workers: int, threads: int, env: dict) -> list[subprocess.Popen]:
    """gunicorn and, as `innoreform serve` runs it, the django-tasks worker (it integrates the
    voucher uses into the trust ledger off the request path)."""
    # The server's log goes to a file: a pipe nobody reads fills up (64 KiB) with the refusals'
    # warnings and then blocks every worker that writes one.
    log = Path(env["INNOREFORM_VAR_DIR"]) / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:
        web = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py"), "--bind",
             f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True)
    worker = subprocess.Popen([sys.executable, "-m", "innoreform.cli", "db_worker", "--queue-name", "default"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/bank/v1/vouchers/orders")  # 401 without a key: the app is up
            if conn.getresponse().status == 401:
                return [web, worker]
        except OSError:
            time.sleep(0.5)
    web.kill()
    worker.kill()
    raise RuntimeError(f"server did not start (see {log})")


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=30)


def wait_idle(web: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until every gunicorn worker has booted (their CPU stops moving), so start-up work
    is not counted as the run's."""
    deadline = time.time() + timeout
    before = cpu_seconds(web_pids(web))
    while time.time() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(web_pids(web))
        if now - before < 0.02:
            return
        before = now


def psql_value(sql: str, db: str) -> str:
    return subprocess.run(["psql", f"{PG}/{db}", "-qAtc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc; 0 for a process gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def web_pids(web: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{web.pid}/task/{web.pid}/children")
    return [web.pid, *(int(p) for p in children.read_text().split())] if children.exists() else [web.pid]


def db_pids() -> list[int]:
    pids = psql_value("SELECT pid FROM pg_stat_activity WHERE datname = current_database()", DB)
    return [int(p) for p in pids.split()]


def wait_sequenced(timeout: float = 30.0) -> tuple[int, float]:
    """Queued trust-ledger entries left after `timeout`, and how long integrating them took."""
    t0 = time.perf_counter()
    while True:
        left = int(psql_value("SELECT count(*) FROM ledger_ledgerpending", DB))
        if left == 0 or time.perf_counter() - t0 > timeout:
            return left, time.perf_counter() - t0
        time.sleep(0.2)


class Client:
    """A minimal HTTP/1.1 keep-alive client, so the load generator (sharing the machine, as
    pgbench's does) spends little CPU: http.client parses every response's headers with the email
    package, at twice this client's cost per call."""

    def __init__(self, port: int):
        self.port = port
        self.sock = self.reader = None

    def close(self) -> None:
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
        self.sock = self.reader = None

    def post(self, path: str, headers: dict, body: bytes = b"") -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Content-Length: {len(body)}\r\n\r\n"
                          .encode() + body)
        status = int(self.reader.readline().split(b" ", 2)[1])
        length, close = 0, False
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _sep, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = self.reader.read(length)
        if close:
            self.close()
        return status, body


def hammer(port: int, key: str, orders: list[int], clients: int, warmup: int) -> dict:
    """Each client first makes `warmup` calls, untimed (the workers' first requests open their
    database connections and fill Python's and PostgreSQL's caches, as pgbench's TPS leaves out
    its connection time); then, from a common start, all of them take orders until none is left.
    Returns the timed phase's wall time, latencies and statuses, and every call's created uses."""
    queue = list(reversed(orders))
    lock = threading.Lock()
    start = threading.Barrier(clients + 1, timeout=600)  # a client that died breaks it instead of hanging the run
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    warm_statuses: dict[int, int] = {}
    created: set[int] = set()

    def call(client: Client, order: int) -> tuple[int, bytes]:
        headers = {"X-API-Key": key, "Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"}
        try:
            return client.post(f"/api/bank/v1/vouchers/orders/{order}/deduct", headers)
        except (OSError, ValueError, IndexError):
            client.close()
            return 0, b""

    def note(status: int, body: bytes, counts: dict[int, int]) -> None:
        counts[status] = counts.get(status, 0) + 1
        if status == 201:
            created.add(json.loads(body)["order_id"])

    def worker():
        client = Client(port)
        for _ in range(warmup):
            with lock:
                order = queue.pop() if queue else None
            if order is None:
                break
            status, body = call(client, order)
            with lock:
                note(status, body, warm_statuses)
        start.wait()
        while True:
            with lock:
                if not queue:
                    break
                order = queue.pop()
            t = time.perf_counter()
            status, body = call(client, order)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                note(status, body, statuses)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {"wall": wall, "cpu": time.process_time() - cpu0, "latencies": latencies, "statuses": statuses,
            "warm_statuses": warm_statuses, "created": created}


def pgbench(clients: int, seconds: int) -> float:
    psql(f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {PGBENCH_DB}")
    url = f"{PG}/{PGBENCH_DB}"
    subprocess.run(["pgbench", "-i", "-s", "1", "-q", url], check=True, capture_output=True)
    out = subprocess.run(["pgbench", "-c", str(clients), "-j", str(clients), "-T", str(seconds), "-n", url],
                         check=True, capture_output=True, text=True).stdout
    psql(f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    return float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out).group(1))


def check(env: dict, voucher: int, created: set[int]) -> dict:
    script = f"""
import json
from django.db.models import Sum
from innoreform.vouchers import models as m
v = m.Voucher.objects.get(pk={voucher})
uses = m.Redemption.objects.filter(voucher=v, status="active")
print("CHECK" + json.dumps({{"used": v.used_fen, "face": v.face_fen, "paid": v.paid_fen,
    "sum_uses": uses.aggregate(s=Sum("amount_fen"))["s"] or 0,
    "use_orders": list(uses.values_list("order_id", flat=True)),
    "overpaid": m.Voucher.objects.filter(used_fen__gt=models_F("face_fen")).count()}}))
"""
    script = script.replace("models_F", "__import__('django.db.models', fromlist=['F']).F")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(out[out.index("CHECK") + 5:].splitlines()[0])
    rows = set(data["use_orders"])
    lost = len(created - rows) + len(rows - created) + (1 if data["used"] != data["sum_uses"] else 0)
    overpaid = data["overpaid"] + (1 if data["paid"] > data["face"] else 0)
    return {"lost_updates": lost, "overpaid_vouchers": overpaid, "used_fen": data["used"], "face_fen": data["face"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--orders", type=int, default=2400)
    parser.add_argument("--workers", type=int, default=webserver.default_workers(),
                        help="gunicorn workers (as `innoreform serve`: 2 x cores + 1)")
    parser.add_argument("--threads", type=int, default=webserver.default_threads(),
                        help="threads per worker (as `innoreform serve`: 1, gunicorn's sync workers)")
    parser.add_argument("--warmup", type=int, default=4, help="untimed calls per client before the timed phase")
    parser.add_argument("--seconds", type=int, default=10, help="pgbench duration")
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    env = bench_env()
    data = setup(args.orders, env)
    count_uses = ("SELECT (SELECT count(*) FROM ledger_ledgerentry WHERE entry_type = 'vouchers.voucher_used') + "
                  "(SELECT count(*) FROM ledger_ledgerpending WHERE entry_type = 'vouchers.voucher_used')")
    uses_before = int(psql_value(count_uses, DB))
    server = start_server(args.port, args.workers, args.threads, env)
    try:
        wait_idle(server[0])
        web_cpu0, worker_cpu0 = cpu_seconds(web_pids(server[0])), cpu_seconds([server[1].pid])
        result = hammer(args.port, data["key"], data["orders"], args.clients, args.warmup)
        # The app's CPU per attempt (warm-up calls included): gunicorn after its start-up, and its
        # database backends (persistent connections opened by the run; the psql probe's is negligible).
        web_cpu = cpu_seconds(web_pids(server[0])) - web_cpu0
        worker_cpu = cpu_seconds([server[1].pid]) - worker_cpu0
        db_cpu = cpu_seconds(db_pids())
        unsequenced, sequenced_after = wait_sequenced()
        entries = int(psql_value(count_uses, DB)) - uses_before  # should equal `deducted`
    finally:
        stop(server)
    tps = pgbench(args.clients, args.seconds)
    checked = check(env, data["voucher"], result["created"])
    lat = result["latencies"]
    ok = result["statuses"].get(201, 0)
    conflicts = result["statuses"].get(409, 0)
    rate = ok / result["wall"]
    warm = result["warm_statuses"]
    attempts = ok + conflicts + sum(warm.get(s, 0) for s in (201, 409))

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else 0.0

    print(json.dumps({
        "clients": args.clients, "server_workers": args.workers, "server_threads": args.threads,
        "server_python": f"{platform.python_version()} {sys.executable}",
        "orders_offered": len(data["orders"]), "warmup_calls": sum(warm.values()),
        "deducted": ok + warm.get(201, 0), "refused_409": conflicts + warm.get(409, 0),
        "timed_deducted": ok, "timed_refused_409": conflicts,
        "redemptions_per_s": round(rate, 1), "attempts_per_s": round((ok + conflicts) / result["wall"], 1),
        "pgbench_tps": round(tps, 1), "ratio": round(rate / tps, 3) if tps else None,
        "p50_ms": pct(0.50), "p99_ms": pct(0.99),
        "overpaid_vouchers": checked["overpaid_vouchers"], "lost_updates": checked["lost_updates"],
        "voucher_used_fen": checked["used_fen"], "voucher_face_fen": checked["face_fen"],
        "errors_5xx": sum(n for d in (warm, result["statuses"]) for s, n in d.items() if s >= 500),
        "other_errors": sum(n for d in (warm, result["statuses"]) for s, n in d.items()
                            if s not in (201, 409) and s < 500),
        "ledger_voucher_entries": entries, "ledger_unsequenced": unsequenced,
        "ledger_sequenced_within_s": round(sequenced_after, 1), "client_cpu_s": round(result["cpu"], 2),
        "wall_s": round(result["wall"], 2),
        "web_cpu_ms_per_attempt": round(web_cpu * 1000 / max(1, attempts), 2),
        "db_cpu_ms_per_attempt": round(db_cpu * 1000 / max(1, attempts), 2),
        "tasks_worker_cpu_s": round(worker_cpu, 2),
    }))


if __name__ == "__main__":
    main()
