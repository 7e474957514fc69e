"""Where a bank deduction's CPU goes, without a web server or other clients: prints one JSON object.

    .venv/bin/python bench/vouchers_profile.py                 # 1,500 deductions, one after another
    .venv/bin/python bench/vouchers_profile.py --calls 300 --profile 40   # and the 40 costliest functions
    .venv/bin/python bench/vouchers_profile.py --sql           # and the statements of one deduction

It recreates the `vouchers_bench` database as bench/vouchers.py does, then calls the WSGI
application (config.wsgi's, which gunicorn serves) in this process, minus HTTP parsing, with the
lab's API key and a fresh Idempotency-Key per call. Output: app_cpu_ms_per_call (this process), db_cpu_ms_per_call
(its PostgreSQL backend, from /proc), wall_ms_per_call, statements_per_call (round trips of one more
deduction, BEGIN and COMMIT included) and the statuses.
Use it to compare two versions of the deduction path: bench/vouchers.py's figures include the
server's thread contention and move more with the machine's load.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vouchers as bench  # the benchmark next to this file


def deduct_in_process(app, order: int, api_key: str, idempotency_key: str) -> str:
    """POST the order's deduction to the WSGI application `app` as gunicorn would, minus HTTP
    parsing; returns the status line."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/api/bank/v1/vouchers/orders/{order}/deduct",
               "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
               "wsgi.errors": sys.stderr, "CONTENT_LENGTH": "0", "CONTENT_TYPE": "application/json",
               "HTTP_X_API_KEY": api_key, "HTTP_IDEMPOTENCY_KEY": idempotency_key}
    status = []
    b"".join(app(environ, lambda s, _headers, *_: status.append(s)))
    return status[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--profile", type=int, default=0, help="print this many functions by cumulative CPU")
    parser.add_argument("--sql", action="store_true", help="print the statements of one deduction")
    args = parser.parse_args()
    env = bench.bench_env()
    warm = 50
    data = bench.setup(args.calls + warm + 1, env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.wsgi import application as app

    def deduct(order: int) -> str:
        return deduct_in_process(app, order, data["key"], uuid.uuid4().hex)

    orders = data["orders"]
    for order in orders[:warm]:  # URLconf, prepared statements, caches
        deduct(order)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    statuses: dict[str, int] = {}
    db0, cpu0, wall0 = bench.cpu_seconds([backend]), time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for order in orders[warm:warm + args.calls]:
        status = deduct(order)
        statuses[status] = statuses.get(status, 0) + 1
    if profiler:
        profiler.disable()
    cpu, wall, db = time.process_time() - cpu0, time.perf_counter() - wall0, bench.cpu_seconds([backend]) - db0
    with CaptureQueriesContext(connection) as one:  # after the timing: capturing slows every statement
        deduct(orders[-1])
    if args.sql:
        for query in one.captured_queries:
            print(query["sql"][:300], file=sys.stderr)
    if profiler:
        out = io.StringIO()
        sort = os.environ.get("PROFILE_SORT", "cumulative")
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.profile)
        print(out.getvalue(), file=sys.stderr)
    print(json.dumps({
        "calls": args.calls, "statuses": statuses, "profiled": bool(profiler),
        "app_cpu_ms_per_call": round(cpu * 1000 / args.calls, 3),
        "db_cpu_ms_per_call": round(db * 1000 / args.calls, 3),
        "wall_ms_per_call": round(wall * 1000 / args.calls, 3),
        "statements_per_call": len(one.captured_queries),  # round trips, BEGIN and COMMIT included
    }))


if __name__ == "__main__":
    main()
