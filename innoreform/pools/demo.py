"""Demo data for the pools (fictional, labelled): the province's science department and
Guangzhou's financial administration each open and fund a risk-compensation pool covering the demo
bank and guarantor; the bank's reported loss ratio is recorded; a Guangzhou enterprise on the
province's key list (in the registry with a valid invention patent) takes an IP-pledge loan from
the demo bank, which defaults; the bank files a claim (54% by the
IP-pledge loss-sharing vector, split province:city), the
department reviews and another person approves, the pools pay, and a later recovery flows back.
An investment-linked deal (投贷联动) with a second firm also fails: the Shenzhen Bay investor's
principal-loss claim on its stake is filed and waits for the department's review.
Idempotent: nothing is added once the province pool exists."""

from datetime import date, timedelta

from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.credit_code import make as make_credit_code
from innoreform.core.demo import demo_actor, demo_org
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.regions import Region

from . import payouts, services
from .models import Pool

PROVINCE_POOL = "广东省科技信贷风险准备金（演示）"
CITY_POOL = "广州市科技信贷风险补偿资金池（演示）"
FIRM_NAME = "广州知芯微电子有限公司（演示）"
LINKED_FIRM_NAME = "广州澜海生物科技有限公司（演示）"


def _firm(name: str = FIRM_NAME, name_en: str = "Guangzhou Zhixin Microelectronics (demo)",
          serial: str = "MAPL0001", district: str = "黄埔区") -> Organisation:
    firm = Organisation.objects.filter(name=name, is_demo=True).first()
    if firm is None:
        firm = Organisation.objects.create(name=name, name_en=name_en, kind=OrgKind.ENTERPRISE,
                                           region=Region.GUANGZHOU, district=district,
                                           credit_code=make_credit_code("91", "440100", serial), is_demo=True)
    return firm


def _registry(operator: Actor, firm: Organisation) -> str:
    """The firm in the registry with one valid invention patent (through the registry's service)."""
    from innoreform.registry import services as registry_services

    return registry_services.demo_enterprise_ensure(
        actor=operator, organisation=firm, district="黄埔区", industry_code="C39", registered_on=date(2016, 8, 8),
        patent_number="ZL202210998877.1", patent_title="一种低功耗射频前端芯片（示例）")


def load(*, operator: Actor) -> None:
    from innoreform.financing import services as financing

    science, gz = demo_actor("dept-science"), demo_actor("dept-gz-finreg")
    reviewer, approver = demo_actor("dept-reviewer"), demo_actor("dept-approver")
    bank, bank_org, guarantor = demo_actor("bank-gz"), demo_org("bank_gz"), demo_org("guarantor_gz")
    investor, investor_org = demo_actor("investor-sz"), demo_org("investor_sz")
    if None in (science, gz, reviewer, approver, bank, bank_org, guarantor, investor, investor_org):
        return
    if Pool.objects.filter(name=PROVINCE_POOL).exists():
        return
    today = timezone.localdate()
    covered = [bank_org.pk, guarantor.pk, investor_org.pk]
    province = services.pool_create(actor=science, name=PROVINCE_POOL, level="province", leverage_target=10,
                                    institution_ids=covered)
    city = services.pool_create(actor=gz, name=CITY_POOL, level="city", region=Region.GUANGZHOU,
                                leverage_target=10, institution_ids=covered)
    services.contribution_record(actor=science, pool_id=province.pk, amount_fen=20_000_000_00,
                                 received_on=today - timedelta(days=120), note="省级财政科技信贷风险准备金（演示）")
    services.contribution_record(actor=gz, pool_id=city.pk, amount_fen=10_000_000_00,
                                 received_on=today - timedelta(days=110), note="广州市财政出资（演示）")
    services.loss_ratio_record(actor=science, institution_id=bank_org.pk, ratio="0.0120", as_of=today,
                               source="银行科技贷款不良率报送（演示）")

    firm = _firm()
    number = _registry(operator, firm)
    services.keylist_add(actor=science, credit_code=firm.credit_code, name=firm.name,
                         list_name="广东省科技型中小企业重点名单（演示）")
    start = today - timedelta(days=100)
    loan = financing.loan_contract(actor=bank, contract_no="YK-IP-2026-DEMO1", contract_on=start,
                               borrower_credit_code=firm.credit_code, principal_fen=4_000_000_00,
                               annual_rate="0.0385", term_months=12, kind="ip_pledge",
                               purpose_text="射频芯片流片（演示）")
    financing.ip_pledge(actor=bank, loan_id=loan.pk, pledges=[{"number": number, "appraised_value_fen": 6_000_000_00}])
    financing.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start)
    financing.loan_default_declare(actor=bank, loan_id=loan.pk, on=start + timedelta(days=5),
                               reason="企业经营困难，停止还款（演示）")
    claim = services.claim_file(actor=bank, loan_id=loan.pk, statement="知识产权质押贷款违约，申请风险补偿（演示）")
    services.claim_document_add(actor=bank, claim_id=claim.pk, title="违约认定及催收记录（演示）",
                                filename="collection-record.txt", content="演示文件：催收记录".encode())
    services.claim_review(actor=reviewer, claim_id=claim.pk, recommend=True, note="材料齐全，规则计算无误（演示）")
    services.claim_decide(actor=approver, claim_id=claim.pk, approve=True, note="同意补偿（演示）")
    financing.recovery_record(actor=bank, loan_id=loan.pk, amount_fen=1_000_000_00, received_on=today,
                          source="collateral", note="质押专利处置回款（演示）")
    payouts.run_payouts(actor=operator)
    _investment_linked(bank=bank, bank_org=bank_org, investor=investor, today=today)


def _investment_linked(*, bank: Actor, bank_org: Organisation, investor: Actor, today) -> None:
    """投贷联动: the investor's stake and the bank's linked loan in one firm; the loan defaults and
    the investor files its principal-loss claim (left for the department to review)."""
    from innoreform.financing import services as financing

    firm = _firm(LINKED_FIRM_NAME, "Guangzhou Lanhai Biotech (demo)", "MAPL0002", "天河区")
    start = today - timedelta(days=200)
    stake = financing.stake_record(actor=investor, credit_code=firm.credit_code, amount_fen=8_000_000_00,
                                 share_percent="12.5", invested_on=start - timedelta(days=30),
                                 partner_bank_id=bank_org.pk)
    loan = financing.loan_contract(actor=bank, contract_no="YK-TD-2026-DEMO2", contract_on=start,
                               borrower_credit_code=firm.credit_code, principal_fen=3_000_000_00,
                               annual_rate="0.0420", term_months=24, kind="investment_linked",
                               purpose_text="临床前研究（演示）")
    financing.loan_link_stake(actor=bank, loan_id=loan.pk, stake_id=stake.pk)
    financing.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=start)
    financing.loan_default_declare(actor=bank, loan_id=loan.pk, on=today - timedelta(days=20),
                               reason="临床试验失败，企业停止还款（演示）")
    services.investor_claim_file(actor=investor, stake_id=stake.pk, loss_fen=6_000_000_00,
                                 statement="被投企业进入清算，估值归零部分为本金损失（演示）")
