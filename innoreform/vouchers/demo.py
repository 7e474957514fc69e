"""Demo data for vouchers (idempotent), on top of innoreform.core.demo's organisations:

- 2026-style budgets: the province and Foshan, funded;
- the Hong Kong lab applied, was reviewed, ran its public notice (backdated 8 days) and is listed,
  with a testing catalogue; the Shanghai design firm is in its notice period;
- the Foshan SME is in the registry as a listed tech SME (through the registry's own import,
  declaration and publication services) and holds a voucher; an order for an EMC test is open,
  ready for the lab to deduct through the API.
"""

import logging
from datetime import date, timedelta

from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.demo import demo_actor
from innoreform.core.models import Organisation
from innoreform.core.regions import Region

from . import models as m
from . import services, use
from .models import BudgetLevel

log = logging.getLogger("innoreform.vouchers")


def _org(name_prefix: str) -> Organisation | None:
    return Organisation.objects.filter(is_demo=True, name__startswith=name_prefix).first()


def _csv(header: list[str], rows: list[list]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _register_foshan_sme(operator: Actor, sme: Organisation, year: int) -> None:
    """Put the Foshan SME into the registry and list it as a tech SME, through the registry's services."""
    from innoreform.registry import selectors as registry_selectors
    from innoreform.registry import services as registry

    code = sme.credit_code
    registry.import_upload(actor=operator, template="market_regulation.enterprises", filename="demo-vouchers-ent.csv",
                           content=_csv(["credit_code", "name", "region", "district", "industry_code",
                                         "industry_restricted", "registered_on", "registered_capital_fen",
                                         "legal_representative", "actual_controller", "actual_controller_id"],
                                        [[code, sme.name, Region.FOSHAN, "南海区", "C39", "否", "2017-05-08",
                                          5_000_000, "梁志远（演示）", "梁志远（演示）", ""]]))
    registry.import_upload(actor=operator, template="social_security.staff", filename="demo-vouchers-staff.csv",
                           content=_csv(["credit_code", "year", "staff_total", "insured_staff", "tech_staff"],
                                        [[code, year - 1, 80, 80, 30]]))
    registry.import_upload(actor=operator, template="tax.indicators", filename="demo-vouchers-tax.csv",
                           content=_csv(["credit_code", "year", "sales_fen", "total_cost_fen", "rd_expense_fen",
                                         "total_assets_fen"],
                                        [[code, year - 1, 30_000_000, 26_000_000, 2_400_000,
                                          40_000_000]]))  # amounts in yuan
    enterprise = registry_selectors.enterprise_get(actor=Actor.system(), credit_code=code)
    if registry_selectors.current_listing(enterprise) is not None:
        return
    ent_admin, reviewer, approver = demo_actor("ent-foshan"), demo_actor("dept-reviewer"), demo_actor("dept-approver")
    declaration = registry.declaration_submit(actor=ent_admin, year=year, staff_total=80, tech_staff=30,
                                              sales_fen=3_000_000_000, total_assets_fen=4_000_000_000,
                                              rd_expense_fen=240_000_000, total_cost_fen=2_600_000_000)
    registry.declaration_review(actor=reviewer, declaration_id=declaration.pk, recommend="approve", note="演示")
    registry.declaration_decide(actor=approver, declaration_id=declaration.pk, approve=True, note="演示")
    registry.batch_publish(actor=approver, year=year, region=Region.FOSHAN)


def load(*, operator: Actor) -> None:
    year = timezone.localdate().year
    approver, reviewer = demo_actor("dept-approver"), demo_actor("dept-reviewer")
    hk_admin, sh_admin = demo_actor("inst-hk"), demo_actor("inst-shanghai")
    sme_admin = demo_actor("ent-foshan")
    hk, sme = _org("香港精准检测实验室"), _org("佛山智感传感科技")
    if None in (approver, reviewer, hk_admin, sh_admin, sme_admin, hk, sme):
        log.warning("vouchers demo: core demo organisations or users are missing; skipped")
        return
    # Budgets
    for level, city, amount in ((BudgetLevel.PROVINCE, "", 50_000_000_00), (BudgetLevel.CITY, Region.FOSHAN,
                                                                             20_000_000_00)):
        budget = services.budget_open(actor=approver, year=year, level=level, city=city)
        if not budget.appropriations.exists():
            services.budget_appropriate(actor=approver, budget=budget, amount_fen=amount, note="演示预算")
    # The Hong Kong lab: listed after its 7-day notice (backdated so the notice has ended)
    if not m.Institution.objects.filter(organisation=hk).exists():
        inst = services.institution_apply(
            actor=hk_admin, founded_on=date(2012, 6, 1), categories=["testing", "large_instruments"],
            legal_representative="陈大文（演示）", address="香港新界沙田科学园科技大道西（演示）",
            phone="+852 0000 0001",
            description="电磁兼容、可靠性与材料检测（演示机构）",
            documents=[("licence", "hk-br-demo.txt", "香港商业登记证（演示）".encode()),
                       ("accreditation", "hoklas-demo.txt", "HOKLAS 认可证书（演示）".encode())])
        services.institution_review(actor=reviewer, institution_id=inst.pk, approve=True, note="材料齐全",
                                    now=timezone.now() - timedelta(days=8))
    services.institutions_publish_due(actor=operator)
    hk_inst = m.Institution.objects.get(organisation=hk)
    if hk_inst.status == m.ListingStatus.LISTED and not hk_inst.services.exists():
        for category, name, price in (("testing", "EMC 电磁兼容测试（演示）", 2_000_000),
                                      ("testing", "高低温可靠性试验（演示）", 1_200_000),
                                      ("large_instruments", "扫描电镜测试机时（演示）", 80_000)):
            services.service_publish(actor=hk_admin, category=category, name=name, price_fen=price,
                                     unit="次" if category == "testing" else "小时")
    # A Shanghai design firm in its notice period (anyone may object)
    shanghai = _org("上海形意工业设计")
    if shanghai is not None and not m.Institution.objects.filter(organisation=shanghai).exists():
        sh = services.institution_apply(
            actor=sh_admin, founded_on=date(2016, 3, 1), categories=["design"], legal_representative="王设计（演示）",
            address="上海市徐汇区（演示）", phone="021-00000001",
            documents=[("licence", "sh-licence-demo.txt", "营业执照（演示）".encode())])
        services.institution_review(actor=reviewer, institution_id=sh.pk, approve=True, note="材料齐全")
    # The Foshan SME: registry record, tech-SME listing, voucher, an open order
    if not m.Voucher.objects.filter(enterprise=sme).exists():
        try:
            _register_foshan_sme(operator, sme, year)
        except Exception:  # the registry is another app: the voucher demo explains, not crashes
            log.exception("vouchers demo: could not put the Foshan SME into the registry")
        application = m.Application.objects.filter(
            enterprise=sme, status=m.ApplicationStatus.SUBMITTED).first() or services.application_submit(
            actor=sme_admin, requested_fen=30_000_000, purpose="新产品 EMC 检测与可靠性试验（演示）",
            contact_address="佛山市南海区（演示）", contact_phone="0757-00000001")
        if application.status == m.ApplicationStatus.SUBMITTED:
            services.application_decide(actor=reviewer, application_id=application.pk, approve=True, note="演示")
        else:
            log.warning("vouchers demo: the Foshan SME is not eligible: %s",
                        [c["rule"] for c in application.eligibility if not c["ok"]])
    voucher = m.Voucher.objects.filter(enterprise=sme, status=m.VoucherStatus.ACTIVE).first()
    emc = m.ServiceItem.objects.filter(institution=hk_inst, category="testing").order_by("-price_fen").first()
    if voucher and emc and not m.Order.objects.filter(voucher=voucher).exists():
        use.order_create(actor=sme_admin, voucher_id=voucher.pk, service_id=emc.pk, project_code="")


def finish(*, operator: Actor) -> None:
    """Pending work for the other demo accounts' homes, once every app has loaded (the registry
    then holds the Dongguan and Shantou SMEs)."""
    reviewer = demo_actor("dept-reviewer")
    sme = _org("佛山智感传感科技")
    voucher = m.Voucher.objects.filter(enterprise=sme, status=m.VoucherStatus.ACTIVE).first() if sme else None
    if reviewer is not None:
        _shenzhen_lab(operator=operator, reviewer=reviewer, voucher=voucher)
        _applications_waiting()


def _shenzhen_lab(*, operator: Actor, reviewer: Actor, voucher: m.Voucher | None) -> None:
    """The Shenzhen lab is listed (its notice backdated like the Hong Kong lab's) with one service;
    the Foshan SME used its voucher there once (deducted and claimed: the claim waits for the
    department's review) and has a second order the lab has still to deduct."""
    org, admin = _org("深圳南山检测认证中心"), demo_actor("inst-shenzhen")
    if org is None or admin is None or voucher is None:
        return
    if not m.Institution.objects.filter(organisation=org).exists():
        inst = services.institution_apply(
            actor=admin, founded_on=date(2010, 9, 1), categories=["testing"], legal_representative="李检测（演示）",
            address="深圳市南山区科技园（演示）", phone="0755-00000001",
            documents=[("licence", "sz-licence-demo.txt", "营业执照（演示）".encode()),
                       ("accreditation", "cnas-demo.txt", "CNAS 认可证书（演示）".encode())])
        services.institution_review(actor=reviewer, institution_id=inst.pk, approve=True, note="材料齐全",
                                    now=timezone.now() - timedelta(days=8))
        services.institutions_publish_due(actor=operator)
    inst = m.Institution.objects.get(organisation=org)
    if inst.status != m.ListingStatus.LISTED:
        return
    if not inst.services.exists():
        services.service_publish(actor=admin, category="testing", name="光学性能检测（演示）", price_fen=600_000,
                                 unit="次")
    service = inst.services.first()
    if m.Order.objects.filter(institution=inst).exists():
        return
    sme_admin = demo_actor("ent-foshan")
    first = use.order_create(actor=sme_admin, voucher_id=voucher.pk, service_id=service.pk, project_code="")
    redemption = use.deduct(actor=admin, order_id=first.pk)
    use.claim_submit(actor=admin, redemption_id=redemption.pk, contract_no="SZNS-2026-DEMO-001",
                     invoice_no="44030000DEMO0001", invoice_amount_fen=first.fee_fen, invoice_date=timezone.localdate(),
                     deliverable="光学性能检测报告（演示）")
    use.order_create(actor=sme_admin, voucher_id=voucher.pk, service_id=service.pk, project_code="")


def _applications_waiting() -> None:
    """The Dongguan SME, listed as a tech SME this year, has applied for a voucher and waits for the
    department's decision; the Shantou SME has declared as a tech SME and waits for its review."""
    from innoreform.registry import selectors as registry_selectors
    from innoreform.registry import services as registry

    year = timezone.localdate().year
    reviewer, approver = demo_actor("dept-reviewer"), demo_actor("dept-approver")
    dongguan, shantou = demo_actor("ent-dongguan"), demo_actor("ent-shantou")
    if None in (reviewer, approver, dongguan, shantou):
        return
    if None in (registry_selectors.enterprise_lookup(organisation=dongguan.organisation),
                registry_selectors.enterprise_lookup(organisation=shantou.organisation)):
        return
    figures = {"staff_total": 86, "tech_staff": 31, "sales_fen": 4_200_000_000, "total_assets_fen": 5_100_000_000,
               "rd_expense_fen": 310_000_000, "total_cost_fen": 3_600_000_000}
    if not registry_selectors.declaration_list(actor=dongguan).exists():
        declaration = registry.declaration_submit(actor=dongguan, year=year, **figures)
        registry.declaration_review(actor=reviewer, declaration_id=declaration.pk, recommend="approve", note="演示")
        registry.declaration_decide(actor=approver, declaration_id=declaration.pk, approve=True, note="演示")
        registry.batch_publish(actor=approver, year=year, region=Region.DONGGUAN)
    if not m.Application.objects.filter(enterprise_id=dongguan.organisation_id).exists():
        services.application_submit(actor=dongguan, requested_fen=20_000_000,
                                    purpose="光学检测模组可靠性试验（演示）", contact_address="东莞市松山湖（演示）",
                                    contact_phone="0769-00000001")
    if not registry_selectors.declaration_list(actor=shantou).exists():
        registry.declaration_submit(actor=shantou, year=year, staff_total=120, tech_staff=28, sales_fen=2_500_000_000,
                                    total_assets_fen=3_500_000_000, rd_expense_fen=140_000_000,
                                    total_cost_fen=2_100_000_000)
