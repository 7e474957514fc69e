"""Demo data for the registry (called by `innoreform demo`): imports the sample files in
fixtures/ (fictitious 示例 enterprises) and registry records for the core demo enterprises, so
their logins can declare, grant and be read. Idempotent: identical files are recognised by their
content hash and change nothing."""

from pathlib import Path

from innoreform.core.actor import Actor
from innoreform.core.models import Organisation, OrgKind

from . import services
from .demo_data import ROWS, csv_bytes, file_name

FIXTURES = Path(__file__).resolve().parent / "fixtures"
YEAR = 2024


def _core_enterprise_rows() -> dict[str, tuple[list, list]]:
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, is_demo=True).exclude(credit_code=None)
                .order_by("pk"))
    reg_header = ["credit_code", "name", "region", "district", "industry_code", "registered_on",
                  "registered_capital_fen", "legal_representative"]
    tax_header = ["credit_code", "year", "sales_fen", "total_cost_fen", "rd_expense_fen", "total_assets_fen"]
    staff_header = ["credit_code", "year", "staff_total", "insured_staff", "tech_staff"]
    reg, tax, staff = [], [], []
    for i, org in enumerate(orgs):
        reg.append([org.credit_code, org.name, org.region, org.district, ["C39", "C40", "C26"][i % 3],
                    "2017-05-10", 8000000, "演示法人"])
        sales = 20000000 + 5000000 * i
        tax.append([org.credit_code, YEAR, sales, int(sales * 0.85), int(sales * 0.055), int(sales * 1.4)])
        staff.append([org.credit_code, YEAR, 90 + 10 * i, 88 + 10 * i, 28 + 2 * i])
    return {"market_regulation.enterprises": (reg_header, reg), "tax.indicators": (tax_header, tax),
            "social_security.staff": (staff_header, staff)}


# A year of registry data for about 200 fictional firms in all 21 cities, so lists, dashboards,
# matching and scoring have something to show. Seeded: the same firms on every run.
CROWD = 200
CROWD_WORDS = ["智造", "光电", "芯联", "新材", "数科", "生物", "精密", "绿能", "智控", "云图"]
CROWD_TRADES = ["C39", "C40", "C35", "C26", "I65", "M73", "C27", "C38"]


def crowd_rows() -> dict[str, tuple[list, list]]:
    import random

    from django.utils import translation

    from innoreform.core.credit_code import make
    from innoreform.core.regions import GUANGDONG_CITIES, Region

    rng = random.Random(2026)
    cities = sorted(GUANGDONG_CITIES)
    reg_header = ["credit_code", "name", "region", "district", "industry_code", "registered_on",
                  "registered_capital_fen", "legal_representative"]
    tax_header = ["credit_code", "year", "sales_fen", "total_cost_fen", "rd_expense_fen", "total_assets_fen"]
    staff_header = ["credit_code", "year", "staff_total", "insured_staff", "tech_staff"]
    reg, tax, staff = [], [], []
    for n in range(CROWD):
        city = cities[n % len(cities)]
        code = make("91", city, f"MD{n:06d}")
        with translation.override("zh-hans"):
            label = str(Region(city).label).removesuffix("市")
        name = f"{label}{CROWD_WORDS[n % len(CROWD_WORDS)]}{n:03d}科技有限公司（演示）"
        reg.append([code, name, city, "", CROWD_TRADES[n % len(CROWD_TRADES)],
                    f"{rng.randint(2008, 2022)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    rng.choice([1_000_000, 5_000_000, 10_000_000, 30_000_000]), "演示法人"])
        sales = rng.randint(3_000_000, 150_000_000)  # yuan
        rd = int(sales * rng.uniform(0.01, 0.12))
        tax.append([code, YEAR, sales, int(sales * rng.uniform(0.7, 0.98)), rd, int(sales * rng.uniform(0.8, 2.0))])
        total = rng.randint(15, 480)
        staff.append([code, YEAR, total, total - rng.randint(0, 5), int(total * rng.uniform(0.1, 0.6))])
    return {"market_regulation.enterprises": (reg_header, reg), "tax.indicators": (tax_header, tax),
            "social_security.staff": (staff_header, staff)}


def load(*, operator: Actor) -> None:
    for template in ROWS:
        name = file_name(template, "xlsx")
        services.import_upload(actor=operator, template=template, filename=name,
                               content=(FIXTURES / name).read_bytes())
    for template, (header, rows) in _core_enterprise_rows().items():
        if rows:
            services.import_upload(actor=operator, template=template, filename=f"demo-core-{template}.csv",
                                   content=csv_bytes(header, rows))
    for template, (header, rows) in crowd_rows().items():
        services.import_upload(actor=operator, template=template, filename=f"demo-crowd-{template}.csv",
                               content=csv_bytes(header, rows))
    services.index_recompute(actor=operator, year=YEAR)
