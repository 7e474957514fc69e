""""Done when", tried as a new user would, on the demo data with the real registry: the Hong Kong
lab is listed after its notice, the Foshan SME holds a voucher and an order; the lab deducts
through the API and claims, the batch settles, the province and Foshan each pay their share, and
it shows in the reports and the books."""

from django.test import Client
from django.utils import timezone

from innoreform.books.models import Account
from innoreform.core import demo as core_demo
from innoreform.core import services as core_services
from innoreform.vouchers import demo, reconcile, reports, settlement
from innoreform.vouchers import models as m

from .conftest import approve_claim


def test_demo_story(db):
    core_demo.load()
    operator = core_demo.operator_actor()
    demo.load(operator=operator)
    demo.load(operator=operator)  # idempotent
    lab = m.Institution.objects.get(organisation__name__startswith="香港精准检测实验室")
    assert lab.status == m.ListingStatus.LISTED and lab.notice_ends_at < timezone.now()
    voucher = m.Voucher.objects.get(enterprise__name__startswith="佛山智感")
    order = m.Order.objects.get(voucher=voucher)

    hk_admin, reviewer, approver = (core_demo.demo_actor(u) for u in ("inst-hk", "dept-reviewer", "dept-approver"))
    _key, header = core_services.api_key_create(actor=hk_admin, name="LIMS")
    api = Client(headers={"X-API-Key": header})
    deducted = api.post(f"/api/bank/v1/vouchers/orders/{order.pk}/deduct", headers={"Idempotency-Key": "demo-1"})
    assert deducted.status_code == 201, deducted.content
    claim = api.post(f"/api/bank/v1/vouchers/redemptions/{deducted.json()['id']}/claims", {
        "contract_no": "HK-2026-001", "invoice_no": "HK-INV-0001", "invoice_amount_fen": order.fee_fen,
        "invoice_date": timezone.localdate().isoformat(), "deliverable": "EMC test report"},
        content_type="application/json", headers={"Idempotency-Key": "demo-2"})
    assert claim.status_code == 201, claim.content
    approved = approve_claim(m.Claim.objects.get(pk=claim.json()["id"]), reviewer, approver)
    batch = settlement.batch_build(actor=reviewer)
    settlement.batch_approve(actor=approver, batch_id=batch.pk)
    settlement.batch_run(actor=reviewer, batch_id=batch.pk)
    approved.refresh_from_db()
    assert approved.status == m.ClaimStatus.PAID
    assert approved.province_fen > 0 and approved.city_fen > 0
    assert approved.province_fen + approved.city_fen == order.voucher_fen
    foshan = m.Budget.objects.get(level="city", city="440600")
    assert Account.objects.get(pk=foshan.reserved_account_id).balance_fen == \
        voucher.city_reserved_fen - approved.city_fen
    by_region = {r["key"]: r for r in reports.report(actor=approver, dimension="region")}
    assert by_region["HK"]["paid_fen"] == order.voucher_fen
    by_city = {r["key"]: r for r in reports.report(actor=approver, dimension="city")}
    assert by_city["440600"]["city_paid_fen"] == approved.city_fen
    report = reconcile.reconcile()
    assert report.clean, report.as_dict()
