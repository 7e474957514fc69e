"""The issue's story end to end on the services: a Hong Kong lab listed after its notice, a Foshan
SME's voucher, an order, the lab's deduction, its claim, two-person review, a settlement batch,
the province and Foshan each paying their share, reconciliation clean."""

from datetime import timedelta

import pytest
from django.utils import timezone

from innoreform.books.models import Account
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, PermissionDenied, ValidationFailed
from innoreform.vouchers import models as m
from innoreform.vouchers import reconcile, services, settlement, use

from .conftest import approve_claim, issue_voucher, settle, use_and_claim


def balance(account_id: int) -> int:
    return Account.objects.get(pk=account_id).balance_fen


def test_story_end_to_end(enterprise, reviewer, approver, budgets, registry, institution):
    province, foshan = budgets
    inst_actor, service = institution
    voucher = issue_voucher(enterprise, reviewer, requested_fen=80_000_000)
    # Capped at the per-enterprise annual cap (0.5 M yuan), half reserved from Foshan.
    assert voucher.face_fen == 50_000_000
    assert voucher.city_reserved_fen == 25_000_000
    assert balance(province.reserved_account_id) == 25_000_000
    assert balance(foshan.reserved_account_id) == 25_000_000
    assert balance(foshan.available_account_id) == 5_000_000_00 - 25_000_000

    claim = use_and_claim(enterprise, inst_actor, service, voucher)  # fee 10,000 yuan, voucher 50%
    voucher.refresh_from_db()
    assert voucher.used_fen == 500_000
    assert claim.status == m.ClaimStatus.SUBMITTED, claim.flags
    claim = approve_claim(claim, reviewer, approver)
    assert (claim.province_fen, claim.city_fen) == (250_000, 250_000)
    batch = settle(reviewer, approver)
    assert batch.status == m.BatchStatus.PAID
    assert batch.total_fen == 500_000
    claim.refresh_from_db()
    assert claim.status == m.ClaimStatus.PAID
    assert balance(province.reserved_account_id) == 25_000_000 - 250_000
    assert balance(foshan.reserved_account_id) == 25_000_000 - 250_000
    report = reconcile.reconcile()
    assert report.clean, report.as_dict()
    rows = settlement.payment_file_rows(batch)
    assert [(r["amount_fen"], r["province_fen"], r["city_fen"]) for r in rows] == [(500_000, 250_000, 250_000)]


def test_institution_needs_two_years_and_documents(reviewer, db):
    from innoreform.core.models import OrgKind, Role
    from innoreform.core.testing import make_actor

    actor = make_actor(kind=OrgKind.SERVICE_INSTITUTION, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationFailed) as exc:
        services.institution_apply(actor=actor, founded_on=timezone.localdate() - timedelta(days=400),
                                   categories=["testing"], legal_representative="x", address="a", phone="1",
                                   documents=[])
    assert {"founded_on", "documents"} <= set(exc.value.details)


def test_objection_during_notice_blocks_listing_until_dismissed(reviewer, approver, db):
    from innoreform.core.models import OrgKind, Role
    from innoreform.core.testing import make_actor

    inst_actor = make_actor(kind=OrgKind.SERVICE_INSTITUTION, role=Role.ADMINISTRATOR)
    inst = services.institution_apply(actor=inst_actor, founded_on=timezone.localdate().replace(year=2010),
                                      categories=["design"], legal_representative="x", address="a", phone="1",
                                      documents=[("licence", "l.pdf", b"x")])
    services.institution_review(actor=reviewer, institution_id=inst.pk, approve=True)
    member = make_actor(kind=OrgKind.ENTERPRISE)
    objection = services.objection_submit(actor=member, institution_id=inst.pk, text="资质证书已过期")
    later = timezone.now() + timedelta(days=8)
    assert services.institutions_publish_due(actor=Actor.system(), now=later) == 0
    with pytest.raises(Conflict):  # the notice is over: no more objections
        services.objection_submit(actor=member, institution_id=inst.pk, text="x", now=later)
    services.objection_resolve(actor=reviewer, objection_id=objection.pk, uphold=False, resolution="证书已续期")
    assert services.institutions_publish_due(actor=Actor.system(), now=later) == 1
    inst.refresh_from_db()
    assert inst.status == m.ListingStatus.LISTED
    services.institution_set_status(actor=approver, institution_id=inst.pk, status=m.ListingStatus.BLACKLISTED,
                                    reason="虚假报告")
    assert list(inst.credit_events.values_list("kind", flat=True)) == ["blacklisted", "listed"]


def test_ineligible_application_is_explained(enterprise, budgets, registry):
    registry.facts[enterprise.organisation_id] = None
    application = services.application_submit(actor=enterprise, requested_fen=1_000_000, purpose="x")
    assert application.status == m.ApplicationStatus.INELIGIBLE
    failed = [c["rule"] for c in application.eligibility if not c["ok"]]
    assert failed == ["in_registry"]
    assert services.explain(application.eligibility[1]) == str(services.CHECKS["in_registry"])


def test_group_cap_limits_second_enterprise(enterprise, reviewer, budgets, registry):
    from innoreform.core.models import OrgKind, Role
    from innoreform.core.regions import Region
    from innoreform.core.testing import make_actor

    sister = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.FOSHAN)
    registry.groups.append({enterprise.organisation_id, sister.organisation_id})
    issue_voucher(enterprise, reviewer, requested_fen=50_000_000)
    second = issue_voucher(sister, reviewer, requested_fen=50_000_000)
    assert second.face_fen == 15_000_000  # 0.65 M group cap - 0.5 M already issued


def test_budget_never_overdrawn(enterprise, reviewer, approver, registry):
    year = timezone.localdate().year
    province = services.budget_open(actor=approver, year=year, level="province")
    services.budget_open(actor=approver, year=year, level="city", city=enterprise.organisation.region)
    services.budget_appropriate(actor=approver, budget=province, amount_fen=1_000)
    application = services.application_submit(actor=enterprise, requested_fen=10_000_000, purpose="x")
    with pytest.raises(Conflict) as exc:
        services.application_decide(actor=reviewer, application_id=application.pk, approve=True)
    assert exc.value.code == "insufficient_funds"
    assert not m.Voucher.objects.exists()


def test_expiry_releases_the_reservation(voucher, budgets, institution, enterprise):
    province, foshan = budgets
    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    use.deduct(actor=inst_actor, order_id=order.pk)
    services.vouchers_expire_due(actor=Actor.system(), on=voucher.expires_on + timedelta(days=1))
    voucher.refresh_from_db()
    assert voucher.status == m.VoucherStatus.EXPIRED
    assert voucher.released_fen == voucher.face_fen - 500_000
    # What stays reserved is exactly the used (claimable) part, split province/city.
    assert balance(province.reserved_account_id) + balance(foshan.reserved_account_id) == 500_000
    assert reconcile.reconcile().clean


def test_deduction_is_once_per_order_and_within_face(voucher, institution, enterprise):
    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    use.deduct(actor=inst_actor, order_id=order.pk)
    with pytest.raises(Conflict) as exc:
        use.deduct(actor=inst_actor, order_id=order.pk)
    assert exc.value.code == "order_not_open"
    big = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk, fee_fen=98_000_000)
    small = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk, fee_fen=2_000_000)
    use.deduct(actor=inst_actor, order_id=big.pk)  # 49,000,000 + 500,000 used of 50,000,000
    with pytest.raises(Conflict) as exc:
        use.deduct(actor=inst_actor, order_id=small.pk)
    assert exc.value.code == "voucher_insufficient"
    voucher.refresh_from_db()
    assert voucher.used_fen == 49_500_000
    small.refresh_from_db()
    assert small.status == m.OrderStatus.OPEN  # rolled back with the refused deduction


def test_maker_checker_on_claims_and_batches(voucher, institution, enterprise, reviewer, approver):
    inst_actor, service = institution
    claim = use_and_claim(enterprise, inst_actor, service, voucher)
    with pytest.raises(Conflict):  # skipped step: approve before review
        use.claim_approve(actor=approver, claim_id=claim.pk)
    use.claim_review(actor=approver, claim_id=claim.pk, note="ok")
    with pytest.raises(PermissionDenied):
        use.claim_approve(actor=approver, claim_id=claim.pk)
    other = __import__("innoreform.core.testing", fromlist=["make_actor"]).make_actor(
        org=approver.organisation, role="approver")
    use.claim_approve(actor=other, claim_id=claim.pk)
    batch = settlement.batch_build(actor=approver)
    with pytest.raises(PermissionDenied):
        settlement.batch_approve(actor=approver, batch_id=batch.pk)
    with pytest.raises(Conflict):
        settlement.batch_run(actor=reviewer, batch_id=batch.pk)


def test_tongyong_reimburses_the_enterprise(enterprise, reviewer, approver, budgets, registry, institution):
    from innoreform.core.services import policy_propose
    from innoreform.core.testing import make_actor
    from innoreform.vouchers.policies import DEFAULTS, POLICY_KEY

    inst_actor, service = institution
    proposer = make_actor(org=reviewer.organisation, role="reviewer")
    draft = policy_propose(actor=proposer, key=POLICY_KEY, parameters={**DEFAULTS, "flow": "tongyong",
                                                                         "voucher_share": "0.40"},
                           effective_from=timezone.localdate())
    from innoreform.core.services import policy_decide

    policy_decide(actor=approver, policy=draft, approve=True)
    voucher = issue_voucher(enterprise, reviewer)
    assert (voucher.flow, str(voucher.share)) == ("tongyong", "0.4000")
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    with pytest.raises(Conflict):
        use.deduct(actor=inst_actor, order_id=order.pk)
    with pytest.raises(ValidationFailed):
        use.proof_upload(actor=enterprise, order_id=order.pk, paid_fen=1, filename="p.pdf", content=b"x")
    redemption = use.proof_upload(actor=enterprise, order_id=order.pk, paid_fen=order.fee_fen, filename="p.pdf",
                                  content=b"bank slip")
    assert redemption.payee_id == enterprise.organisation_id and redemption.amount_fen == 400_000
    claim = use.claim_submit(actor=enterprise, redemption_id=redemption.pk, contract_no="C", invoice_no="FP-77",
                             invoice_amount_fen=order.fee_fen, invoice_date=timezone.localdate(), deliverable="报告")
    approve_claim(claim, reviewer, approver)
    settle(reviewer, approver)
    payable = Account.objects.get(owner_id=enterprise.organisation_id, purpose="enterprise_payable")
    assert payable.balance_fen == 0
    assert reconcile.reconcile().clean


def test_daily_upkeep_voids_unclaimed_uses_after_the_grace_period(voucher, institution, enterprise, budgets):
    from innoreform.vouchers.tasks import daily

    province, foshan = budgets
    inst_actor, service = institution
    order = use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    use.deduct(actor=inst_actor, order_id=order.pk)
    m.Voucher.objects.filter(pk=voucher.pk).update(expires_on=timezone.localdate() - timedelta(days=200))
    result = daily.call()
    assert result["expired"] == 1 and result["voided"] == 1
    voucher.refresh_from_db()
    assert voucher.used_fen == 0 and voucher.released_fen == voucher.face_fen
    assert balance(province.reserved_account_id) == balance(foshan.reserved_account_id) == 0
    assert reconcile.reconcile().clean
