"""Matching benchmark: prints one JSON object, everything measured in this run.

    .venv/bin/python bench/matching.py [--enterprises 100000] [--products 5000] [--requests 200]

- batch_seconds: top 10 eligible products for each of N synthetic enterprises (facts + one need
  each) against P synthetic products (random eligibility rules over region, industry,
  qualifications, tech-SME status, innovation index, credit score, staff, dishonest list; amount,
  term, kind and collateral fit), with the same numpy path the platform uses
  (innoreform.financing.matching.compile_products + batch_top). Includes compiling the products.
- single_p95_ms (and p50): GET /api/v1/financing/needs/{id}/matches through Django's test client
  (session auth, middleware, selectors, explanations), with the same P products stored in a
  throw-away SQLite database; the first call (which compiles the product catalogue) is excluded.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = ["440100", "440300", "440600", "441900", "441300", "442000", "440400", "445100"]
INDUSTRIES = ["C39", "C40", "C35", "C26", "I65", "I64", "M73", "M75"]
QUALS = ["high_tech", "specialised", "little_giant", "innovative_sme"]


def random_rules(rng: random.Random) -> list[dict]:
    pool = [
        lambda: {"field": "region", "op": "in", "value": sorted(rng.sample(CITIES, rng.randint(2, 6)))},
        lambda: {"field": "industry", "op": "prefix_in", "value": sorted(rng.sample(["C", "I", "M", "C39", "I65"], 2))},
        lambda: {"field": "tech_sme", "op": "is_true", "value": None},
        lambda: {"field": "dishonest", "op": "is_false", "value": None},
        lambda: {"field": "innovation_index", "op": "gte", "value": rng.choice([30, 45, 60, 70])},
        lambda: {"field": "credit_score", "op": "gte", "value": rng.choice([550, 600, 650])},
        lambda: {"field": "qualifications", "op": "contains_any", "value": sorted(rng.sample(QUALS, 2))},
        lambda: {"field": "staff", "op": "lte", "value": rng.choice([200, 500])},
        lambda: {"field": "years_registered", "op": "gte", "value": rng.choice([1, 2, 3])},
    ]
    return [make() for make in rng.sample(pool, rng.randint(1, 5))]


def product_rows(rng: random.Random, n: int, kinds: tuple[str, ...]) -> list[dict]:
    rows = []
    for _ in range(n):
        lo = rng.choice([10**6, 5 * 10**6, 10**7, 5 * 10**7])
        rate = round(rng.uniform(0.028, 0.09), 4)
        rows.append({"kind": rng.choice(kinds), "min_amount_fen": lo, "max_amount_fen": lo * rng.choice([10, 50, 100]),
                     "min_term_months": rng.choice([1, 3, 6, 12]), "max_term_months": rng.choice([12, 24, 36, 60]),
                     "min_rate": rate, "rules": random_rules(rng)})
    return rows


def enterprise(rng: random.Random, matching) -> tuple:
    facts = {"region": rng.choice(CITIES), "industry": rng.choice(INDUSTRIES),
             "qualifications": rng.sample(QUALS, rng.randint(0, 2)), "tech_sme": rng.random() < 0.5,
             "innovation_index": rng.choice([None, round(rng.uniform(10, 95), 2)]),
             "credit_score": rng.choice([None, float(rng.randint(450, 800))]), "dishonest": rng.random() < 0.03,
             "staff": rng.randint(5, 600), "years_registered": round(rng.uniform(0, 20), 2)}
    need = matching.NeedSpec(amount_fen=rng.choice([2 * 10**6, 10**7, 5 * 10**7, 2 * 10**8]),
                             term_months=rng.choice([6, 12, 24, 36]),
                             purpose=rng.choice(["working_capital", "equipment", "research"]),
                             collateral=tuple(rng.sample(["ip", "equity", "receivables"], rng.randint(0, 2))),
                             preferred_kinds=tuple(rng.sample(matching.KINDS, rng.choice([0, 0, 1, 2, 3]))))
    return need, facts


def setup_django() -> str:
    tmp = tempfile.mkdtemp(prefix="matching-bench-")
    os.environ["INNOREFORM_VAR_DIR"] = tmp
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp


def bench_batch(args, matching) -> dict:
    rng = random.Random(args.seed)
    rows = product_rows(rng, args.products, matching.KINDS)
    specs = [matching.ProductSpec(id=i + 1, name=f"P{i + 1}", institution_id=1 + i % 40,
                                  speed_days=rng.choice([None, 1.0, 3.5, 12.0]), **row) for i, row in enumerate(rows)]
    pairs = [enterprise(rng, matching) for _ in range(args.enterprises)]
    needs, facts = [p[0] for p in pairs], [p[1] for p in pairs]
    w = matching.Weights()
    t0 = time.perf_counter()
    compiled = matching.compile_products(specs, w)
    top = matching.batch_top(needs, facts, compiled, w, k=10, chunk=args.chunk)
    seconds = time.perf_counter() - t0
    sizes = [len(t) for t in top]
    return {"batch_seconds": round(seconds, 2), "batch_enterprises": len(needs), "batch_products": len(specs),
            "batch_mean_matches_returned": round(statistics.mean(sizes), 2),
            "batch_share_with_10": round(sum(s == 10 for s in sizes) / len(sizes), 3)}


def bench_single(args) -> dict:
    from django.test import Client
    from django.utils import timezone

    from innoreform.core.models import OrgKind, Role
    from innoreform.core.regions import Region
    from innoreform.core.testing import make_actor
    from innoreform.financing import matching, services
    from innoreform.financing import models as m
    from innoreform.registry import models as rm

    rng = random.Random(args.seed + 1)
    banks = [make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR).organisation for _ in range(40)]
    m.Product.objects.bulk_create([
        m.Product(institution=banks[i % 40], name=f"产品 {i}", rules=row.pop("rules"), max_rate=row["min_rate"] + 0.01,
                  **row) for i, row in enumerate(product_rows(rng, args.products, matching.KINDS))])
    sme = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.DONGGUAN)
    e = rm.Enterprise.objects.create(credit_code=sme.organisation.credit_code, name=sme.organisation.name,
                                     organisation=sme.organisation, region=Region.DONGGUAN, industry_code="C39",
                                     registered_on=timezone.localdate().replace(year=2015))
    rm.IndexScore.objects.create(enterprise=e, year=2025, score="66.00", percentile_industry=50, percentile_city=50,
                                 policy_version=1)
    need = services.need_publish(actor=sme, amount_fen=5 * 10**7, term_months=12, purpose="working_capital",
                                 collateral=["ip"])
    client = Client()
    client.force_login(sme.user)
    url = f"/api/v1/financing/needs/{need.pk}/matches"
    first = client.get(url)
    assert first.status_code == 200, first.content[:300]
    times = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    times.sort()
    body = first.json()
    return {"single_p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "single_p50_ms": round(statistics.median(times), 2), "single_requests": len(times),
            "single_products_in_db": args.products,
            "single_returned": len(body), "single_eligible": sum(x["eligible"] for x in body)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    setup_django()
    from innoreform.financing import matching

    result = {"database": "sqlite", "cpus": os.cpu_count(), "load_average_1m_start": round(os.getloadavg()[0], 2)}
    result.update(bench_batch(args, matching))
    result.update(bench_single(args))
    result["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    result["targets"] = {"batch_seconds": 60, "single_p95_ms": 50}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
