"""Patent navigation benchmark: prints one JSON object.

    .venv/bin/python bench/patents.py [--scale 1.0] [--ingest-rows 200000] [--threads 2]

1. ingest: a synthetic CNIPA-style CSV (Chinese headers, GBK) of --ingest-rows rows goes through the
   real import pipeline (encoding detection, per-row normalisation, DuckDB merge, Parquet).
2. landscape: a synthetic dataset of 10 M patents x scale (30 M IPC rows, about 15 M applicant rows,
   20 M inventor rows) is written straight to Parquet in the schema the importer produces; then every
   indicator for one industry (uav) and all 21 Guangdong cities runs, in a fresh process limited to
   --threads threads and a 3.5 GB DuckDB memory limit, whose peak RSS is reported.
"""

# ruff: noqa: S608  (SQL text is built from constants and integers)

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GD = ["440100", "440200", "440300", "440400", "440500", "440600", "440700", "440800", "440900", "441200",
      "441300", "441400", "441500", "441600", "441700", "441800", "441900", "442000", "445100", "445200", "445300"]
UAV_CODES = ["B64U10/13", "B64U20/80", "B64C39/024", "G05D1/10", "B64D47/08", "B64C27/08", "G01C21/20", "H04N7/18"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def code_pool(n: int, seed: int = 7) -> list[str]:
    from innoreform.patents.engine import ipc

    rng = random.Random(seed)
    keys = [k for k in ipc.scheme() if len(k) == 14]
    picked = rng.sample(keys, min(n, len(keys)))
    return sorted({ipc.parse(k).code for k in picked} | set(UAV_CODES))


def phase_ingest(rows: int, workdir: Path, threads: int) -> dict:
    from innoreform.patents.engine.ingest import ingest

    rng = random.Random(1)
    codes = code_pool(3000)
    path = workdir / "cnipa_synthetic.csv"
    cities = [("广东(44)", "518000广东省深圳市南山区"), ("广东(44)", "510000广东省广州市天河区"),
              ("北京(11)", "100000北京市海淀区"), ("", "")]
    with open(path, "w", encoding="gbk", newline="") as handle:
        w = csv.writer(handle, lineterminator="\r\n")
        w.writerow(["申请号", "申请日", "公开号", "公开日", "申请人", "发明人", "专利名称", "分类号", "国省代码",
                    "申请人地址", "法律状态", "专利类型", "被引证次数"])
        for i in range(rows):
            year = rng.randint(2005, 2023)
            prov, addr = cities[i % 4]
            ipcs = ";".join(rng.sample(codes, 3))
            w.writerow([f"CN{year}1{i:07d}.{i % 10}", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        f"CN1{i:08d}A", f"{year + 1}0601", f"测试公司{rng.randint(1, 20000)}有限公司;李{i % 97}",
                        f"张{i % 1000};王{i % 777}", "一种无人机" if i % 20 == 0 else "一种装置", ipcs, prov, addr,
                        "有权" if i % 3 else "审中", "发明公开" if i % 2 else "实用新型", str(i % 7)])
    started, cpu = time.perf_counter(), _cpu()
    result = ingest([path], workdir / "ingested", threads=threads)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    return {"ingest_rows": rows, "ingest_seconds": round(seconds, 2),
            "ingest_rows_per_s": round(rows / seconds), "ingest_cpu_seconds": round(cpu, 2),
            "ingest_patents": result.patents,
            "ingest_peak_rss_mb": round(_peak_mb())}


def phase_generate(n: int, out: Path, threads: int) -> dict:
    import duckdb

    from innoreform.patents.engine import ipc

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    codes = code_pool(20000)
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    con.execute("SET memory_limit='6GB'")
    con.execute(f"SET temp_directory='{out / 'spill'}'")
    con.execute("CREATE TABLE pool (k INTEGER, code VARCHAR, main_group VARCHAR, subclass VARCHAR, field_id INTEGER)")
    pool_csv = out / "pool.csv"
    with open(pool_csv, "w", newline="") as handle:
        csv.writer(handle).writerows((k, c, ipc.parse(c).main_group, ipc.parse(c).subclass, ipc.wipo_field(c))
                                     for k, c in enumerate(codes))
    con.execute(f"INSERT INTO pool SELECT * FROM read_csv('{pool_csv}', header=false, "
                "columns={'k': 'INTEGER', 'code': 'VARCHAR', 'main_group': 'VARCHAR', 'subclass': 'VARCHAR', "
                "'field_id': 'INTEGER'})")
    uav_keys = [codes.index(c) for c in UAV_CODES]
    npool = len(codes)
    con.execute(f"""COPY (
        SELECT i AS pid, 'CN' || CAST(i AS VARCHAR) AS app_id, 'CN' || CAST(i AS VARCHAR) AS app_no,
               'CN' || CAST(i AS VARCHAR) || 'A' AS pub_no, NULL::VARCHAR AS pub_keys, 'A' AS kind,
               CASE WHEN hash(i) % 3 = 0 THEN 'B' ELSE 'A' END AS kind_class,
               CASE WHEN hash(i) % 4 = 0 THEN 'utility' ELSE 'invention' END AS patent_type,
               hash(i) % 3 = 0 AS granted, CASE WHEN hash(i) % 5 = 0 THEN 'US' ELSE 'CN' END AS country,
               CASE WHEN hash(i * 7) % 25 = 0 THEN '一种无人机控制方法' ELSE '一种装置' END AS title,
               NULL::VARCHAR AS abstract,
               make_date(y, 1 + CAST(hash(i * 3) % 12 AS INTEGER), 1) AS app_date,
               make_date(y + 1, 6, 1) AS pub_date, NULL::DATE AS grant_date,
               make_date(y, 1, 1) AS priority_date, y AS app_year, y AS priority_year,
               NULL::VARCHAR AS legal_status,
               CASE WHEN hash(i) % 4 = 0 THEN NULL ELSE hash(i) % 4 <> 1 END AS in_force,
               CAST(hash(i * 11) % 20 AS INTEGER) AS cited_count,
               'CN' || CAST(i - i % 3 AS VARCHAR) AS family_id, 1 AS family_members_here,
               CAST(1 + hash(i) % 6 AS INTEGER) AS family_size, NULL::INTEGER AS extended_family_size,
               1 AS source_rows
        FROM (SELECT i, 2000 + CAST(floor(sqrt(CAST(hash(i * 5) % 625 AS DOUBLE))) AS INTEGER) AS y
              FROM range(1, {n} + 1) t(i))
    ) TO '{out}/patents.parquet' (FORMAT parquet, COMPRESSION zstd)""")
    # Applicants: a pool of n/50 names; one in five is in Guangdong (a fixed city per name).
    con.execute(f"""COPY (
        SELECT pid, seq, 'APPLICANT ' || CAST(k AS VARCHAR) AS name, 'APPLICANT ' || CAST(k AS VARCHAR) AS name_key,
               'APPLICANT ' || CAST(k AS VARCHAR) AS name_std,
               CASE k % 7 WHEN 0 THEN 'university' WHEN 1 THEN 'institute' WHEN 2 THEN 'individual'
                    ELSE 'enterprise' END AS kind,
               CASE WHEN k % 10 < 8 THEN 'CN' ELSE NULL END AS country,
               CASE WHEN k % 5 = 0 THEN '44' WHEN k % 10 < 8 THEN '11' ELSE NULL END AS province,
               CASE WHEN k % 5 = 0 THEN ({GD!r})[1 + CAST(k % 21 AS INTEGER)] ELSE NULL END AS city,
               'bench' AS located_by
        FROM (SELECT i AS pid, 0 AS seq, CAST(hash(i * 13) % {max(n // 50, 10)} AS BIGINT) AS k
              FROM range(1, {n} + 1) t(i)
              UNION ALL
              SELECT i, 1, CAST(hash(i * 17) % {max(n // 50, 10)} AS BIGINT)
              FROM range(1, {n} + 1) t(i) WHERE i % 2 = 0)
    ) TO '{out}/applicants.parquet' (FORMAT parquet, COMPRESSION zstd)""")
    con.execute(f"""COPY (
        SELECT i AS pid, s AS seq, 'INVENTOR ' || CAST(hash(i * 19 + s) % {max(n // 10, 10)} AS VARCHAR) AS name
        FROM range(1, {n} + 1) t(i), range(0, 2) u(s)
    ) TO '{out}/inventors.parquet' (FORMAT parquet, COMPRESSION zstd)""")
    uav_list = "[" + ", ".join(str(k) for k in uav_keys) + "]"
    con.execute(f"""COPY (
        SELECT x.pid, x.seq, p.code, p.main_group, p.subclass, p.field_id, x.seq = 0 AS is_main
        FROM (SELECT i AS pid, s AS seq,
                     CASE WHEN hash(i * 23) % 20 = 0 AND s = 0
                          THEN {uav_list}[1 + CAST(hash(i) % {len(uav_keys)} AS INTEGER)]
                          ELSE CAST(hash(i * 29 + s * 31) % {npool} AS INTEGER) END AS k
              FROM range(1, {n} + 1) t(i), range(0, 3) u(s)) x
        JOIN pool p ON p.k = x.k
    ) TO '{out}/ipc.parquet' (FORMAT parquet, COMPRESSION zstd)""")
    counts = {t: con.execute(f"SELECT COUNT(*) FROM '{out}/{t}.parquet'").fetchone()[0]
              for t in ("patents", "applicants", "inventors", "ipc")}
    con.close()
    return {"generate_seconds": round(time.perf_counter() - started, 1), **{f"rows_{k}": v for k, v in counts.items()}}


def phase_landscape(out: Path, threads: int) -> dict:
    from innoreform.patents.engine.industries import STARTER_RULES
    from innoreform.patents.engine.landscape import landscape

    started, cpu = time.perf_counter(), _cpu()
    result = landscape(out, rules=STARTER_RULES, industry="uav", threads=threads, memory_limit="3500MB")
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    return {"full_landscape_seconds": round(seconds, 2), "landscape_cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(_peak_mb()), "load_average_1m": round(os.getloadavg()[0], 2),
            "industry_patents": result["regions"]["world"]["n"],
            "guangdong_cities_with_patents": sum(1 for c in result["scorecard"] if c["n"]),
            "indicator_queries": len(result["raw"])}


def _run_phase(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"phase {args[1]} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10 M patents, 30 M IPC rows")
    parser.add_argument("--ingest-rows", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workdir", default="")
    parser.add_argument("--phase", choices=["ingest", "generate", "landscape"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-patents-"))
    workdir.mkdir(parents=True, exist_ok=True)
    n = int(10_000_000 * args.scale)
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args.ingest_rows, workdir, args.threads)))
        return
    if args.phase == "generate":
        print(json.dumps(phase_generate(n, workdir / "synthetic", args.threads)))
        return
    if args.phase == "landscape":
        print(json.dumps(phase_landscape(workdir / "synthetic", args.threads)))
        return
    common = ["--workdir", str(workdir), "--threads", str(args.threads), "--scale", str(args.scale)]
    out = {"scale": args.scale, "patents": n, "threads": args.threads}
    out.update(_run_phase(["--phase", "ingest", "--ingest-rows", str(args.ingest_rows), *common]))
    out.update(_run_phase(["--phase", "generate", *common]))
    out.update(_run_phase(["--phase", "landscape", *common]))
    import shutil

    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
