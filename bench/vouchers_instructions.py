"""Instructions per bank deduction in the application's process, counted under callgrind: prints
one JSON object. On a shared machine time per call moves by a third from run to run; this count
moves by about 1%, so it shows a change of a few percent that timings cannot.

    .venv/bin/python bench/vouchers_instructions.py              # 200 deductions
    .venv/bin/python bench/vouchers_instructions.py --calls 400

Needs valgrind and a C compiler (Debian: apt-get install valgrind gcc). It recreates the
`vouchers_bench` database as bench/vouchers.py does, then runs itself under callgrind with
counting off, calls config.wsgi's application in process (as bench/vouchers_profile.py does)
30 times to warm up, and counts only the next `--calls` deductions: it switches counting on and
off around them through callgrind's client requests, made by a three-line C helper it compiles.
Output: instructions_per_call (user space of this process: not the kernel, not PostgreSQL),
calls, statuses. Time-based work (the sequencing task's enqueue, once a second) comes more often
per call under callgrind's slowdown than in a real run, so compare versions with it, not with
bench/vouchers.py's figures.
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vouchers as bench  # the benchmark next to this file
import vouchers_profile  # its in-process deduction call

HELPER = """#include <valgrind/callgrind.h>
void count_on(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void count_off(void) { CALLGRIND_DUMP_STATS_AT("deductions"); CALLGRIND_STOP_INSTRUMENTATION; }
"""
WARM = 30


def _outer(calls: int) -> None:
    for tool in ("valgrind", "gcc"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (Debian: apt-get install valgrind gcc)")
    with tempfile.TemporaryDirectory() as tmp:
        source, helper = Path(tmp) / "count.c", Path(tmp) / "count.so"
        source.write_text(HELPER)
        subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(helper), str(source)], check=True)
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict layouts, run after run
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={tmp}/cg.%p",
                        sys.executable, __file__, "--calls", str(calls), "--helper", str(helper)],
                       env=env, check=True, stderr=subprocess.DEVNULL)
        dumps = [p for p in Path(tmp).glob("cg.*") if re.search(r"\.\d+\.\d+$", p.name)]
        if len(dumps) != 1:
            sys.exit(f"expected one counted section, found {len(dumps)}")
        total = int(re.search(r"^totals: (\d+)", dumps[0].read_text(), re.M).group(1))
        statuses = json.loads((Path(tmp) / "statuses.json").read_text())
    print(json.dumps({"calls": calls, "statuses": statuses, "instructions_per_call": total // calls}))


def _inner(calls: int, helper: str) -> None:
    count = ctypes.CDLL(helper)
    env = bench.bench_env()
    data = bench.setup(calls + WARM, env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    from config.wsgi import application

    orders = iter(data["orders"])
    for _ in range(WARM):
        vouchers_profile.deduct_in_process(application, next(orders), data["key"], uuid.uuid4().hex)
    statuses: dict[str, int] = {}
    count.count_on()
    for _ in range(calls):
        status = vouchers_profile.deduct_in_process(application, next(orders), data["key"], uuid.uuid4().hex)
        statuses[status] = statuses.get(status, 0) + 1
    count.count_off()
    (Path(helper).parent / "statuses.json").write_text(json.dumps(statuses))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--helper", help=argparse.SUPPRESS)  # set when running under callgrind
    args = parser.parse_args()
    if args.helper:
        _inner(args.calls, args.helper)
    else:
        _outer(args.calls)


if __name__ == "__main__":
    main()
