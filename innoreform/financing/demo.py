"""Demo data for financing (fictional, labelled): an SME in Dongguan in the registry, products from
the demo bank, guarantor and insurer, the SME's need and its application (consented, approved,
reported, disbursed), and a Dongguan collective credit programme with an older loan whose
repayments and later default show on the department's programme dashboard. Idempotent."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.demo import demo_actor, demo_org
from innoreform.core.models import Organisation

from . import facts, selectors, services
from . import models as m
from .services import loans

GD_CITIES = ["440100", "440300", "440600", "441900", "441300", "442000"]


def _csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _registry(dept: Actor, sme: Organisation) -> None:
    """Put the Dongguan SME into the registry through the registry's own import service."""
    from innoreform.registry import services as registry_services

    # The registry demo may already hold this firm (without its patents and qualification): then only
    # the firm's row is skipped, so the IP-pledge product still has patents to match on.
    existing = facts.registry_enterprise(organisation=sme)
    if existing is not None and facts.enterprise_facts(existing)["invention_patents"]:
        return
    year = timezone.localdate().year - 1
    code = sme.credit_code
    files = {
        "market_regulation.enterprises": (
            ["credit_code", "name", "region", "district", "industry_code", "industry_restricted", "registered_on",
             "registered_capital_fen", "legal_representative", "actual_controller", "actual_controller_id"],
            [[code, sme.name, "441900", "松山湖", "C40", "否", "2017-03-15", 500000000, "示例庚", "示例庚", ""]]),
        "social_security.staff": (["credit_code", "year", "staff_total", "insured_staff", "tech_staff"],
                                  [[code, year, 86, 84, 31]]),
        # Amounts in yuan (the import converts to fen): 42 million of sales keeps the firm an SME.
        "tax.indicators": (["credit_code", "year", "sales_fen", "total_cost_fen", "rd_expense_fen", "total_assets_fen"],
                           [[code, year, 42000000, 36000000, 3100000, 51000000]]),
        "ip_office.rights": (
            ["credit_code", "kind", "number", "title", "status", "filed_on", "granted_on", "citations", "family_size",
             "ipc"],
            [[code, "invention_patent", "ZL202110000123.4", "一种光学精密测量装置（示例）", "valid", "2021-02-01",
              "2023-03-10", 6, 2, "G01B 11/00"],
             [code, "invention_patent", "ZL202210000456.7", "光谱检测校准方法（示例）", "valid", "2022-04-01",
              "2024-01-20", 2, 1, "G01J 3/28"]]),
        "science.qualifications": (["credit_code", "kind", "certificate_no", "valid_from", "valid_to"],
                                   [[code, "high_tech", "GR2024449DEMO1", f"{year}-12-01", f"{year + 3}-11-30"]]),
    }
    if existing is not None:
        del files["market_regulation.enterprises"]
    for template, (header, rows) in files.items():
        registry_services.import_upload(actor=dept, template=template, filename=f"financing-demo-{template}.csv",
                                        content=_csv(header, rows))
    registry_services.index_recompute(actor=dept, year=year)


def load(*, operator: Actor) -> None:
    from innoreform.registry import services as registry_services

    sme_org, bank_org = demo_org("ent_dongguan"), demo_org("bank_gz")
    guarantor, insurer = demo_org("guarantor_gz"), demo_org("insurer_sz")
    sme, bank, dept = demo_actor("ent-dongguan"), demo_actor("bank-gz"), demo_actor("dept-science")
    finance = demo_actor("dept-finance")
    guarantor_actor, insurer_actor = demo_actor("guarantor-gz"), demo_actor("insurer-sz")
    if None in (sme_org, bank_org, guarantor, insurer, sme, bank, dept, finance, guarantor_actor, insurer_actor):
        return
    if m.Product.objects.filter(institution=bank_org).exists():
        return  # loaded before
    _registry(dept, sme_org)

    region = {"field": "region", "op": "in", "value": GD_CITIES}
    credit = services.product_create(
        actor=bank, kind="loan", name="粤科科技信用贷（演示）", description="纯信用，最快3个工作日审批",
        min_amount_fen=50_000_000, max_amount_fen=1_000_000_000, min_term_months=6, max_term_months=36,
        min_rate="0.0345", max_rate="0.0480",
        rules=[region, {"field": "innovation_index", "op": "gte", "value": 20},
               {"field": "dishonest", "op": "is_false", "value": None}])
    services.product_create(
        actor=bank, kind="ip_pledge_loan", name="粤科知识产权质押贷（演示）", min_amount_fen=100_000_000,
        max_amount_fen=3_000_000_000, min_term_months=12, max_term_months=36, min_rate="0.0330", max_rate="0.0450",
        rules=[region, {"field": "invention_patents", "op": "gte", "value": 1}])
    services.product_create(
        actor=bank, kind="equipment_loan", name="粤科仪器设备信用贷（演示）", min_amount_fen=20_000_000,
        max_amount_fen=500_000_000, min_term_months=12, max_term_months=60, min_rate="0.0300", max_rate="0.0400",
        rules=[region])
    services.product_create(
        actor=bank, kind="loan", name="科技型中小企业专享贷（演示）", min_amount_fen=50_000_000,
        max_amount_fen=500_000_000, min_term_months=6, max_term_months=24, min_rate="0.0310", max_rate="0.0400",
        rules=[region, {"field": "tech_sme", "op": "is_true", "value": None},
               {"field": "credit_score", "op": "gte", "value": 600}])
    services.product_create(
        actor=guarantor_actor, kind="guarantee", name="科技融资担保（演示）", min_amount_fen=50_000_000,
        max_amount_fen=2_000_000_000, min_term_months=6, max_term_months=36, min_rate="0.0080", max_rate="0.0150",
        rules=[region])
    services.product_create(
        actor=insurer_actor, kind="insurance", name="贷款保证保险（演示）", min_amount_fen=50_000_000,
        max_amount_fen=1_000_000_000, min_term_months=6, max_term_months=24, min_rate="0.0100", max_rate="0.0200",
        rules=[region, {"field": "years_registered", "op": "gte", "value": 2}])

    need = services.need_publish(actor=sme, amount_fen=300_000_000, term_months=12, purpose="working_capital",
                                 purpose_detail="扩大光学检测模组产能", collateral=["ip"], urgency="high",
                                 preferred_kinds=["loan", "ip_pledge_loan"])
    # The collective credit programme of the province's science department for Dongguan.
    programme = services.programme_create(
        actor=dept, code="ZYB-DG-2026-DEMO", name="东莞科技信贷政银保集合授信（演示）", guarantor_id=guarantor.pk,
        insurer_id=insurer.pk, selection_rules=[{"field": "region", "op": "in", "value": ["441900"]},
                                                {"field": "innovation_index", "op": "gte", "value": 10}])
    services.programme_select(actor=dept, programme_id=programme.pk)
    services.programme_member_set(actor=dept, programme_id=programme.pk, credit_code=sme_org.credit_code,
                                  included=True, note="演示")
    services.programme_credit_line_set(actor=dept, programme_id=programme.pk, bank_id=bank_org.pk,
                                       line_fen=2_000_000_000)
    services.programme_activate(actor=dept, programme_id=programme.pk)

    # An older programme loan: two instalments repaid, then arrears long enough to default.
    start = timezone.localdate() - timedelta(days=200)
    old = loans.loan_contract(actor=bank, programme_id=programme.pk, borrower_credit_code=sme_org.credit_code,
                              contract_no="YK-ZYB-2026-0001", contract_on=start, principal_fen=120_000_000,
                              annual_rate="0.0385", term_months=12, method="equal_principal",
                              purpose_text="流动资金（演示）")
    loans.loan_disburse(actor=bank, loan_id=old.pk, disbursed_on=start)
    for inst in old.instalments.order_by("number")[:2]:
        loans.loan_repay(actor=bank, loan_id=old.pk, amount_fen=inst.principal_fen + inst.interest_fen,
                         paid_on=inst.due_on)
    loans.loan_refresh(actor=bank, loan_id=old.pk)

    # Today's application: consent, accept, read, approve, report, contract, disburse.
    version, _notice = registry_services.consent_notice()
    match = selectors.match_one(need=need, product=credit)
    if not match.eligible:
        return
    application = services.application_submit(
        actor=sme, need_id=need.pk, product_id=credit.pk,
        categories=["basic", "indicators", "qualifications", "ip", "innovation_index"],
        valid_until=timezone.localdate() + timedelta(days=90), notice_version=version)
    services.application_accept(actor=bank, application_id=application.pk)
    services.application_read_data(actor=bank, application_id=application.pk)
    services.application_decide(actor=bank, application_id=application.pk, approve=True, amount_fen=300_000_000,
                                annual_rate="0.0365", term_months=12)
    services.application_report(actor=bank, application_id=application.pk, reference="YK-SX-2026-0001")
    loan = loans.loan_contract(actor=bank, application_id=application.pk, programme_id=programme.pk,
                               contract_no="YK-ZYB-2026-0002", contract_on=timezone.localdate(),
                               method="equal_instalment")
    loans.loan_disburse(actor=bank, loan_id=loan.pk, disbursed_on=timezone.localdate())


def finish(*, operator: Actor) -> None:
    """Work for the institutions' homes: the Foshan SME asks for an equipment loan (the bank has
    accepted it; its officer has to decide) and a guarantee (the guarantor has to accept it); the
    Dongguan SME asks for loan insurance (the insurer has to accept it). Run after every app has
    loaded, when the registry holds both firms."""
    from innoreform.registry import services as registry_services

    notice_version, _notice = registry_services.consent_notice()
    bank = demo_actor("bank-gz")
    for username, amount, purpose, kinds, accepted in (
            ("ent-foshan", 80_000_000, "equipment", ["equipment_loan", "guarantee"], {"equipment_loan"}),
            ("ent-dongguan", 100_000_000, "expansion", ["insurance"], set())):
        sme = demo_actor(username)
        if bank is None or sme is None or facts.registry_enterprise(organisation=sme.organisation) is None:
            continue
        need = m.FinancingNeed.objects.filter(enterprise_id=sme.organisation_id, purpose=purpose).first()
        if need is None:
            need = services.need_publish(actor=sme, amount_fen=amount, term_months=24, purpose=purpose,
                                         purpose_detail="购置检测设备、扩大产能（演示）", collateral=["equipment"],
                                         urgency="normal", preferred_kinds=kinds)
        for kind in kinds:
            product = m.Product.objects.filter(kind=kind, name__endswith="（演示）").first()
            if product is None or m.Application.objects.filter(need=need, product=product).exists():
                continue
            if not selectors.match_one(need=need, product=product).eligible:
                continue
            application = services.application_submit(
                actor=sme, need_id=need.pk, product_id=product.pk,
                categories=["basic", "indicators", "qualifications"],
                valid_until=timezone.localdate() + timedelta(days=90), notice_version=notice_version)
            if kind in accepted:
                services.application_accept(actor=bank, application_id=application.pk)
