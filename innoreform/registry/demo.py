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


def load(*, operator: Actor) -> None:
    for template in ROWS:
        name = file_name(template, "xlsx")
        services.import_upload(actor=operator, template=template, filename=name,
                               content=(FIXTURES / name).read_bytes())
    for template, (header, rows) in _core_enterprise_rows().items():
        if rows:
            services.import_upload(actor=operator, template=template, filename=f"demo-core-{template}.csv",
                                   content=csv_bytes(header, rows))
    services.index_recompute(actor=operator, year=YEAR)
