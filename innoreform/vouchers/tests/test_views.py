"""Pages for enterprise, institution and department, driven through their forms."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor
from innoreform.vouchers import models as m
from innoreform.vouchers import use

from .conftest import use_and_claim


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_enterprise_applies_and_orders_through_pages(enterprise, reviewer, budgets, registry, institution):
    _inst_actor, service = institution
    c = client_for(enterprise)
    assert c.get(reverse("vouchers:home")).status_code == 200
    response = c.post(reverse("vouchers:apply"), {"requested": "300000.00", "purpose": "EMC 测试"})
    assert response.status_code == 302
    application = m.Application.objects.get()
    page = c.get(response["Location"])
    assert page.status_code == 200 and "✓" in page.content.decode()
    d = client_for(reviewer)
    assert d.get(reverse("vouchers:home")).status_code == 200
    d.post(reverse("vouchers:application_decide", args=[application.pk]), {"decision": "approve"})
    voucher = m.Voucher.objects.get()
    assert voucher.face_fen == 30_000_000
    catalogue = c.get(reverse("vouchers:catalogue"))
    assert service.name in catalogue.content.decode()
    assert c.get(reverse("vouchers:catalogue") + "?format=xlsx").status_code == 200
    c.post(reverse("vouchers:order_new", args=[service.pk]), {"voucher": voucher.pk, "service": service.pk,
                                                              "quantity": 1})
    assert m.Order.objects.filter(voucher=voucher).count() == 1


def test_institution_deducts_and_claims_through_pages(voucher, institution, enterprise, reviewer, approver):
    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    c = client_for(inst_actor)
    home = c.get(reverse("vouchers:home"))
    assert f"deduct-{order.pk}" in home.content.decode()
    c.post(reverse("vouchers:order_deduct", args=[order.pk]))
    redemption = m.Redemption.objects.get(order=order)
    response = c.post(reverse("vouchers:claim_new", args=[redemption.pk]), {
        "contract_no": "HT", "invoice_no": "FP-1", "invoice_amount": "10000.00",
        "invoice_date": timezone.localdate().isoformat(), "deliverable": "报告"})
    assert response.status_code == 302, response.content.decode()[:500]
    claim = m.Claim.objects.get()
    r = client_for(reviewer)
    assert r.get(reverse("vouchers:claim", args=[claim.pk])).status_code == 200
    r.post(reverse("vouchers:claim_act", args=[claim.pk]), {"action": "review", "note": "ok"})
    a = client_for(approver)
    a.post(reverse("vouchers:claim_act", args=[claim.pk]), {"action": "approve"})
    claim.refresh_from_db()
    assert claim.status == m.ClaimStatus.APPROVED
    r.post(reverse("vouchers:batch_build"))
    batch = m.SettlementBatch.objects.get()
    a.post(reverse("vouchers:batch_act", args=[batch.pk]), {"action": "approve"})
    r.post(reverse("vouchers:batch_act", args=[batch.pk]), {"action": "run"})
    batch.refresh_from_db()
    assert batch.status == m.BatchStatus.PAID
    for fmt in ("xlsx", "csv", "json"):
        assert r.get(reverse("vouchers:batch", args=[batch.pk]) + f"?format={fmt}").status_code == 200
    report = r.get(reverse("vouchers:reports") + "?dimension=region")
    assert (report.status_code == 200 and "No breaks" in report.content.decode()) or "没有差异" in \
        report.content.decode()
    assert r.get(reverse("vouchers:reports") + "?dimension=city&format=xlsx").status_code == 200


def test_flagged_claim_shows_explanations(voucher, institution, enterprise, reviewer):
    inst_actor, service = institution
    use_and_claim(enterprise, inst_actor, service, voucher, invoice_no="DUP-1")
    claim = use_and_claim(enterprise, inst_actor, service, voucher, invoice_no="dup 1")
    assert [f["rule"] for f in claim.flags] == ["duplicate_invoice"]
    page = client_for(reviewer).get(reverse("vouchers:claim", args=[claim.pk])).content.decode()
    assert "DUP" in page or "dup" in page


def test_pages_hide_what_others_may_not_see(voucher, institution, enterprise, db):
    inst_actor, service = institution
    claim = use_and_claim(enterprise, inst_actor, service, voucher)
    stranger = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    c = client_for(stranger)
    assert c.get(reverse("vouchers:claim", args=[claim.pk])).status_code == 404
    assert c.get(reverse("vouchers:application", args=[voucher.application_id])).status_code == 404
    assert c.get(reverse("vouchers:reports")).status_code == 404
    assert c.post(reverse("vouchers:order_deduct", args=[claim.redemption.order_id])).status_code == 404


def test_reviewer_and_approver_open_the_uploaded_papers(voucher, institution, enterprise, reviewer, approver, db,
                                                        settings, tmp_path):
    """Issue 21: nobody approves money without the contract, invoice and deliverable one click away;
    a PDF opens in the browser, other files download, and a stranger gets 404."""
    settings.MEDIA_ROOT = tmp_path
    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    redemption = use.deduct(actor=inst_actor, order_id=order.pk)
    claim = use.claim_submit(actor=inst_actor, redemption_id=redemption.pk, contract_no="HT-9", invoice_no="FP-9",
                             invoice_amount_fen=order.fee_fen, invoice_date=timezone.localdate(), deliverable="报告",
                             contract_file=("contract.pdf", b"%PDF-1.4 contract"),
                             invoice_file=("invoice.html", b"<script>alert(1)</script>"))
    for actor in (reviewer, approver):
        c = client_for(actor)
        page = c.get(reverse("vouchers:claim", args=[claim.pk])).content.decode()
        assert 'data-testid="claim-file-contract"' in page and 'data-testid="claim-file-invoice"' in page
        assert 'data-testid="claim-file-deliverable"' not in page  # not uploaded: said so, no dead link
        pdf = c.get(reverse("vouchers:claim_file", args=[claim.pk, "contract"]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content) == b"%PDF-1.4 contract"
        assert not pdf["Content-Disposition"].startswith("attachment")
        html = c.get(reverse("vouchers:claim_file", args=[claim.pk, "invoice"]))
        assert html["Content-Type"] == "application/octet-stream" and html["Content-Disposition"].startswith(
            "attachment")
        assert c.get(reverse("vouchers:claim_file", args=[claim.pk, "deliverable"])).status_code == 404
        assert c.get(reverse("vouchers:claim_file", args=[claim.pk, "secret"])).status_code == 404
    stranger = client_for(make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR))
    assert stranger.get(reverse("vouchers:claim_file", args=[claim.pk, "contract"])).status_code == 404
