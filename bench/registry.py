"""Registry benchmark: prints one JSON object, everything measured in this run.

    .venv/bin/python bench/registry.py [--n 100000] [--pg postgres://postgres@127.0.0.1:5432]

Uses a throw-away database: an SQLite file in a temporary directory by default, or
`registry_bench` on the given PostgreSQL server (dropped and re-created). Measures:
- evaluations_per_s: the 科技型中小企业 batch evaluation (evaluate_many) over N synthetic enterprises.
- explained_evaluations_per_s: the line-by-line explained evaluation (evaluate) over 20,000 of them.
- import_rows_per_s: a N-row Excel file (market-regulation registration template) uploaded,
  parsed, validated row by row and applied in one transaction (import_upload, inline).
- reimport_unchanged_s: the same rows again as a different file (every row compared, none written).
- index_recomputations_per_s: index_recompute over the N enterprises (database reads of
  indicators, IP, awards, qualifications, standards; scoring; percentiles; upsert of N scores).
- index_scoring_per_s: the pure scoring part alone.
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(pg: str | None) -> str:
    tmp = tempfile.mkdtemp(prefix="registry-bench-")
    os.environ["INNOREFORM_VAR_DIR"] = tmp
    if pg:
        import psycopg

        with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS registry_bench")
            conn.execute("CREATE DATABASE registry_bench")
        os.environ["DATABASE_URL"] = f"{pg}/registry_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    n = args.n
    setup_database(args.pg)

    from django.db import connection
    from openpyxl import Workbook

    from innoreform.core.actor import Actor
    from innoreform.core.credit_code import make
    from innoreform.core.models import Jurisdiction, Membership, Organisation, OrgKind, Role, User
    from innoreform.registry import evaluation as ev
    from innoreform.registry import index as ix
    from innoreform.registry import models as m
    from innoreform.registry import services
    from innoreform.registry.policies import INDEX_FACTORS

    rng = random.Random(20250331)
    out: dict = {"n": n, "database": connection.vendor}

    # --- evaluation ------------------------------------------------------------------------
    rules = services.evaluation_rules()
    rows = []
    for _ in range(n):
        staff = rng.randint(1, 600)
        sales = rng.randint(0, 3 * 10**10)
        rows.append(ev.BatchRow(staff, rng.randint(0, staff), sales, rng.randint(0, 3 * 10**10),
                                rng.randint(0, sales // 8 + 1), rng.randint(1, 3 * 10**10),
                                rng.randint(0, 2) if rng.random() < 0.3 else 0, rng.randint(0, 6),
                                rng.random() > 0.03, rng.random() < 0.1))
    started = time.perf_counter()
    results = ev.evaluate_many(rows, rules)
    elapsed = time.perf_counter() - started
    out["evaluations_per_s"] = round(n / elapsed)
    out["evaluation_pass_share"] = round(sum(1 for p, _s in results if p) / n, 4)
    sample = rows[:20_000]
    facts = [ev.Facts(evaluation_year=2025, on_date=__import__("datetime").date(2025, 3, 1), staff_total=r[0],
                      tech_staff=r[1], sales_fen=r[2], total_assets_fen=r[3], rd_expense_fen=r[4],
                      total_cost_fen=r[5], ip_counts={"invention_patent": r[6], "utility_model": r[7]})
             for r in sample]
    started = time.perf_counter()
    for f in facts:
        ev.evaluate(f, rules)
    out["explained_evaluations_per_s"] = round(len(facts) / (time.perf_counter() - started))

    # --- import of an N-row Excel file ---------------------------------------------------------
    dept = Organisation.objects.create(name="Bench department", kind=OrgKind.DEPARTMENT, region="440100",
                                       jurisdiction=Jurisdiction.PROVINCE, line="science",
                                       credit_code=make("11", "440000", "BENCH001"))
    user = User.objects.create(username="bench-clerk")
    actor = Actor.for_membership(Membership.objects.create(user=user, organisation=dept, role=Role.APPROVER))
    cities = ["440100", "440300", "440600", "441900", "442000", "440400"]
    industries = ["C34", "C39", "I65", "C26", "M73", "C35", "I64", "C40"]
    codes = [make("91", "440106", f"{i:08d}") for i in range(n)]

    def workbook(rows_iter) -> bytes:
        wb = Workbook(write_only=True)
        sheet = wb.create_sheet("data")
        sheet.append(["credit_code", "name", "region", "district", "industry_code", "registered_on",
                      "registered_capital_fen", "legal_representative"])
        for row in rows_iter:
            sheet.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    enterprise_rows = [[code, f"基准企业{i}", cities[i % len(cities)], "", industries[i % len(industries)],
                        "2015-06-01", 1000000 + i, f"代表{i}"] for i, code in enumerate(codes)]
    content = workbook(enterprise_rows)
    out["import_file_mb"] = round(len(content) / 1e6, 2)
    services.BACKGROUND_BYTES = 10**12  # measure the pipeline inline
    from django.conf import settings

    settings.SPREADSHEET_FOREGROUND_BYTES = 10**12  # and for files that unpack large
    started = time.perf_counter()
    batch = services.import_upload(actor=actor, template="market_regulation.enterprises", filename="bench.xlsx",
                                   content=content)
    elapsed = time.perf_counter() - started
    assert batch.status == "applied", batch.errors[:3]
    out["import_rows_per_s"] = round(n / elapsed)
    out["import_s"] = round(elapsed, 2)
    enterprise_rows[0][7] = "代表-改"  # a different file with the same rows but one
    started = time.perf_counter()
    again = services.import_upload(actor=actor, template="market_regulation.enterprises", filename="bench2.xlsx",
                                   content=workbook(enterprise_rows))
    out["reimport_unchanged_s"] = round(time.perf_counter() - started, 2)
    out["reimport_summary"] = again.summary

    # --- index recomputation over N enterprises ------------------------------------------------
    ids = dict(m.Enterprise.objects.values_list("credit_code", "id"))
    indicators, ip_rows = [], []
    for i, code in enumerate(codes):
        eid = ids[code]
        staff = rng.randint(5, 500)
        sales = rng.randint(10**8, 2 * 10**10)
        for year in (2023, 2024):
            indicators.append(m.YearlyIndicator(enterprise_id=eid, year=year, staff_total=staff,
                                                tech_staff=rng.randint(0, staff), sales_fen=sales,
                                                rd_expense_fen=rng.randint(0, sales // 10),
                                                total_cost_fen=sales, total_assets_fen=sales))
        for k in range(rng.randint(0, 3)):
            ip_rows.append(m.IntellectualProperty(
                enterprise_id=eid, kind=rng.choice(["invention_patent", "utility_model", "software_copyright"]),
                number=f"B{i:07d}-{k}", status="valid", citations=rng.randint(0, 20), family_size=rng.randint(1, 4),
                ipc=rng.choice(["G06F 16/00", "H04L 9/32", "A61K 31/00;C07D 1/00", ""])))
    m.YearlyIndicator.objects.bulk_create(indicators, batch_size=5000)
    m.IntellectualProperty.objects.bulk_create(ip_rows, batch_size=5000)
    started = time.perf_counter()
    count = services.index_recompute(actor=actor, year=2024)
    elapsed = time.perf_counter() - started
    out["index_recomputations_per_s"] = round(count / elapsed)
    out["index_recompute_s"] = round(elapsed, 2)
    index_rules = services.index_rules()
    inputs = [ix.IndexInputs(invention_patents=rng.randint(0, 5), citations=rng.randint(0, 40),
                             rd_intensity=rng.random() * 12, tech_staff_share=rng.random() * 60) for _ in range(n)]
    started = time.perf_counter()
    ix.score_many(inputs, index_rules)
    out["index_scoring_per_s"] = round(n / (time.perf_counter() - started))
    out["index_factors"] = len(INDEX_FACTORS)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
