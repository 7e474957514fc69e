"""Demo data (clearly fictitious) for the sample import files in fixtures/.

Regenerate the files with `python -m innoreform.registry.demo_data` after changing the rows.
Every enterprise name starts with 示例 (sample) and every code is synthetic but valid."""

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from innoreform.core.credit_code import make

FIXTURES = Path(__file__).resolve().parent / "fixtures"

E1 = make("91", "440106", "MA5DEM01")  # Guangzhou Tianhe: qualifies by score
E2 = make("91", "440305", "MA5DEM02")  # Shenzhen Nanshan: high-tech certificate (direct route)
E3 = make("91", "440604", "MA5DEM03")  # Foshan Chancheng: on the abnormal-operation list
E4 = make("91", "440106", "MA5DEM04")  # Guangzhou: too little R&D, fails on score
E5 = make("91", "440305", "MA5DEM05")  # Shenzhen: same actual controller as E2

ROWS = {
    "market_regulation.enterprises": (
        ["credit_code", "name", "region", "district", "industry_code", "industry_restricted", "registered_on",
         "registered_capital_fen", "legal_representative", "actual_controller", "actual_controller_id"],
        [
            [E1, "示例智能装备（广州）有限公司", "440100", "天河区", "C34", "否", "2016-04-12", 10000000, "示例甲",
             "示例甲", ""],
            [E2, "示例芯片设计（深圳）有限公司", "440300", "南山区", "I65", "否", "2014-09-01", 30000000, "示例乙",
             "示例乙", "DEMO-ID-0002"],
            [E3, "示例新材料（佛山）有限公司", "440600", "禅城区", "C26", "否", "2018-02-20", 5000000, "示例丙",
             "示例丙", ""],
            [E4, "示例贸易科技（广州）有限公司", "440100", "越秀区", "F51", "否", "2019-07-07", 2000000, "示例丁",
             "", ""],
            [E5, "示例软件（深圳）有限公司", "440300", "南山区", "I65", "否", "2020-03-15", 10000000, "示例戊",
             "示例乙", "DEMO-ID-0002"],
        ],
    ),
    "market_regulation.shareholders": (
        ["credit_code", "name", "kind", "shareholder_code", "share_percent"],
        [[E1, "示例甲", "person", "", 70], [E1, "示例投资合伙企业", "organisation", "", 30],
         [E2, "示例乙", "person", "", 100], [E5, "示例乙", "person", "", 51], [E5, "示例戊", "person", "", 49]],
    ),
    "market_regulation.abnormal_operation": (
        ["credit_code", "listed_on", "reason", "authority", "removed_on"],
        [[E3, "2024-06-30", "未按规定期限公示年度报告", "佛山市禅城区市场监督管理局", ""]],
    ),
    "tax.indicators": (
        ["credit_code", "year", "sales_fen", "total_cost_fen", "rd_expense_fen", "total_assets_fen"],
        [[E1, 2024, 30000000, 26000000, 1950000, 45000000], [E1, 2023, 26000000, 23000000, 1500000, 40000000],
         [E2, 2024, 80000000, 70000000, 9000000, 120000000], [E3, 2024, 15000000, 14000000, 900000, 20000000],
         [E4, 2024, 50000000, 48000000, 300000, 30000000], [E5, 2024, 12000000, 10000000, 2600000, 9000000]],
    ),
    "social_security.staff": (
        ["credit_code", "year", "staff_total", "insured_staff", "tech_staff"],
        [[E1, 2024, 120, 118, 40], [E2, 2024, 260, 255, 150], [E3, 2024, 80, 80, 12], [E4, 2024, 60, 58, 4],
         [E5, 2024, 45, 45, 30]],
    ),
    "ip_office.rights": (
        ["credit_code", "kind", "number", "title", "status", "filed_on", "granted_on", "citations", "family_size",
         "ipc"],
        [[E1, "utility_model", "ZL202320000001.1", "示例夹具", "valid", "2023-01-05", "2023-06-01", 1, 1, "B25J 15/00"],
         [E1, "utility_model", "ZL202320000002.X", "示例传感器支架", "valid", "2023-02-05", "2023-07-01", 0, 1,
          "G01D 11/30"],
         [E1, "software_copyright", "2023SR0000001", "示例控制软件", "valid", "2023-03-01", "2023-04-01", 0, 1, ""],
         [E2, "invention_patent", "ZL202110000003.5", "示例低功耗电路", "valid", "2021-03-01", "2023-05-01", 12, 4,
          "H03K 19/00;G06F 1/32"],
         [E2, "ic_layout", "BS.225500001", "示例芯片布图", "valid", "2022-01-01", "2022-06-01", 0, 1, ""],
         [E5, "software_copyright", "2022SR0000002", "示例管理系统", "valid", "2022-01-01", "2022-03-01", 0, 1, ""]],
    ),
    "science.qualifications": (
        ["credit_code", "kind", "certificate_no", "valid_from", "valid_to"],
        [[E2, "high_tech", "GR202344009999", "2023-12-28", "2026-12-27"],
         [E1, "innovative_sme", "CX2024440100001", "2024-05-01", "2027-04-30"]],
    ),
    "science.awards": (
        ["credit_code", "level", "name", "year", "rank"],
        [[E2, "provincial", "广东省科学技术奖（示例）", 2023, 2]],
    ),
    "science.rd_institutions": (
        ["credit_code", "level", "name", "recognised_year"],
        [[E2, "city", "深圳市示例工程技术研究中心", 2022]],
    ),
    "science.standards": (
        ["credit_code", "level", "code", "name", "year", "led"],
        [[E2, "group", "T/DEMO 001-2023", "示例团体标准", 2023, "是"]],
    ),
    "courts.judgments": (
        ["credit_code", "case_number", "court", "judged_on", "role", "cause", "amount_fen"],
        [[E4, "(2024)粤0104民初0001号", "广州市越秀区人民法院（示例）", "2024-08-01", "defendant",
          "买卖合同纠纷", 86000]],
    ),
    "courts.dishonest_debtors": (
        ["credit_code", "case_number", "court", "listed_on", "removed_on"],
        [[E4, "(2023)粤0104执0001号", "广州市越秀区人民法院（示例）", "2023-05-01", "2023-11-01"]],
    ),
    "customs.trade": (
        ["credit_code", "year", "import_fen", "export_fen", "credit_rating"],
        [[E2, 2024, 5000000, 22000000, "一般认证企业"]],
    ),
}


def file_name(template: str, ext: str) -> str:
    return f"demo-{template.replace('.', '-')}.{ext}"


def xlsx_bytes(header: list, rows: list) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: list, rows: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def write_all() -> list[Path]:
    FIXTURES.mkdir(exist_ok=True)
    written = []
    for template, (header, rows) in ROWS.items():
        path = FIXTURES / file_name(template, "xlsx")
        path.write_bytes(xlsx_bytes(header, rows))
        written.append(path)
    header, rows = ROWS["tax.indicators"]
    path = FIXTURES / file_name("tax.indicators", "csv")
    path.write_bytes(csv_bytes(header, rows))
    written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p)
