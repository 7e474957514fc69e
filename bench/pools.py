"""Pools benchmark on PostgreSQL: prints one JSON object, everything measured in this run.

    .venv/bin/python bench/pools.py [--pg postgres://postgres@127.0.0.1:5432] [--claims 200]

Creates a throw-away database `pools_bench` (dropped and re-created), migrates it, opens a
province and a Guangzhou pool (the city pool empty), and N defaulted loans (setup, not timed). Then:
- file_per_s: claims filed (rules computed with the policy in force, pools chosen), one thread;
- approve_per_s: review + approval (maker-checker) of each claim; the city layers queue (FIFO);
- drain_s / drain_items_per_s: one contribution that funds every waiting city layer, paid in
  order inside the contribution's transaction;
- flow_back_s: a recovery on every loan, then the payout job passing them back pro rata;
- reconcile_s / reconcile_breaks: books reconciliation with the pools' expectations afterwards.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--claims", type=int, default=200)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS pools_bench")
        conn.execute("CREATE DATABASE pools_bench")
    os.environ["DATABASE_URL"] = f"{args.pg}/pools_bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from innoreform.books.reconciliation import reconcile
    from innoreform.core.actor import Actor
    from innoreform.core.credit_code import make as make_credit_code
    from innoreform.core.models import Jurisdiction, OrgKind, Role
    from innoreform.core.testing import make_actor, make_org
    from innoreform.financing.services import loans
    from innoreform.pools import payouts, services

    n = args.claims
    province = make_org(kind=OrgKind.DEPARTMENT, region="440100", jurisdiction=Jurisdiction.PROVINCE)
    reviewer, approver = make_actor(org=province, role=Role.REVIEWER), make_actor(org=province, role=Role.APPROVER)
    city = make_actor(org=make_org(kind=OrgKind.DEPARTMENT, region="440100", jurisdiction=Jurisdiction.CITY),
                      role=Role.APPROVER)
    bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR, region="440100")
    p_pool = services.pool_create(actor=reviewer, name="省级池", level="province",
                                  institution_ids=[bank.organisation_id])
    c_pool = services.pool_create(actor=city, name="广州池", level="city", region="440100",
                                  institution_ids=[bank.organisation_id])
    services.contribution_record(actor=reviewer, pool_id=p_pool.pk, amount_fen=10**13, received_on=timezone.localdate())
    services.loss_ratio_record(actor=reviewer, institution_id=bank.organisation_id, ratio="0.01",
                               as_of=timezone.localdate())
    start = timezone.localdate() - timedelta(days=30)
    loan_ids = []
    for i in range(n):
        borrower = make_org(kind=OrgKind.ENTERPRISE, region="440100",
                            credit_code=make_credit_code("91", "440100", f"BN{i:06d}"))
        loan = loans.loan_contract(actor=bank, contract_no=f"B-{i}", contract_on=start,
                                   borrower_credit_code=borrower.credit_code, principal_fen=100_000_000 + i,
                                   annual_rate="0.04", term_months=12)
        loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start)
        loans.loan_default_declare(actor=bank, loan_id=loan.pk, on=start, reason="bench")
        loan_ids.append(loan.pk)

    t0 = time.perf_counter()
    claims = [services.claim_file(actor=bank, loan_id=i) for i in loan_ids]
    t_file = time.perf_counter() - t0
    t0 = time.perf_counter()
    for c in claims:
        services.claim_review(actor=reviewer, claim_id=c.pk, recommend=True)
        services.claim_decide(actor=approver, claim_id=c.pk, approve=True)
    t_approve = time.perf_counter() - t0
    waiting_city = sum(x["amount_fen"] for c in claims for x in c.layers if x["level"] == "city")
    t0 = time.perf_counter()
    services.contribution_record(actor=city, pool_id=c_pool.pk, amount_fen=waiting_city,
                                 received_on=timezone.localdate())
    t_drain = time.perf_counter() - t0
    for i in loan_ids:
        loans.recovery_record(actor=bank, loan_id=i, amount_fen=10_000_001, received_on=timezone.localdate(),
                              source="borrower")
    t0 = time.perf_counter()
    result = payouts.run_payouts(actor=Actor.system())
    t_flow = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = reconcile(include_sources=True)
    t_rec = time.perf_counter() - t0
    print(json.dumps({
        "claims": n, "file_per_s": round(n / t_file, 1), "approve_per_s": round(n / t_approve, 1),
        "drain_items": n, "drain_s": round(t_drain, 3), "drain_items_per_s": round(n / t_drain, 1),
        "flow_back_s": round(t_flow, 3), "returned_fen": result["returned_fen"], "waiting_after": result["waiting"],
        "reconcile_s": round(t_rec, 3), "reconcile_breaks": len(report.breaks),
    }))


if __name__ == "__main__":
    main()
