"""Fraud controls: each rule flags with its explanation; confirmed fraud cancels the voucher,
releases its reservation, suspends the institution and writes its credit file."""

from dataclasses import replace

import pytest

from innoreform.core.errors import Conflict
from innoreform.core.models import OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor
from innoreform.vouchers import fraud, reconcile, services, use
from innoreform.vouchers import models as m

from .conftest import ELIGIBLE, approve_claim, issue_voucher, listed_institution, use_and_claim


def rules(claim):
    return [f["rule"] for f in claim.flags]


def test_clean_claim_has_no_flags(voucher, institution, enterprise):
    inst_actor, service = institution
    assert use_and_claim(enterprise, inst_actor, service, voucher).flags == []


def test_related_parties_cannot_place_an_order(enterprise, reviewer, budgets, registry):
    """Shareholding, the same legal representative or the same actual controller make enterprise
    and institution related parties, which the scheme bans (issue #19 item 9): no order at all."""
    registry.facts[enterprise.organisation_id] = replace(
        ELIGIBLE, legal_representative="陈大文", shareholders=frozenset({"李四", "王五"}))
    voucher = issue_voucher(enterprise, reviewer, contact_phone="+852-2345-6789")
    _inst_actor, service = listed_institution(reviewer, shareholders=["王五"])
    with pytest.raises(Conflict) as refused:
        use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    assert refused.value.code == "related_party"
    assert refused.value.details == {"links": ["shareholder", "legal_representative"]}
    assert "王五" in str(refused.value.message) and "陈大文" in str(refused.value.message)
    assert not m.Order.objects.filter(voucher=voucher).exists()


@pytest.mark.parametrize("relation", ["legal_representative", "actual_controller", "shareholder"])
def test_a_relation_found_after_the_order_bans_review_and_approval(relation, enterprise, reviewer, approver,
                                                                    budgets, registry):
    voucher = issue_voucher(enterprise, reviewer)
    inst_actor, service = listed_institution(reviewer, actual_controller="赵六", shareholders=["王五"])
    claim = use_and_claim(enterprise, inst_actor, service, voucher)
    assert claim.flags == []
    registry.facts[enterprise.organisation_id] = replace(ELIGIBLE, **{
        "legal_representative": {"legal_representative": "陈大文"},
        "actual_controller": {"actual_controller_name": "赵六"},
        "shareholder": {"shareholders": frozenset({"王五"})},
    }[relation])
    with pytest.raises(Conflict) as refused:
        use.claim_review(actor=reviewer, claim_id=claim.pk, note="looks fine", clear_flags=True)
    assert refused.value.code == "related_party"
    # Reviewed before the registry learnt of the relation: approval still refuses to pay.
    registry.facts.pop(enterprise.organisation_id)
    use.claim_review(actor=reviewer, claim_id=claim.pk, note="ok")
    registry.facts[enterprise.organisation_id] = replace(ELIGIBLE, legal_representative="陈大文")
    with pytest.raises(Conflict):
        use.claim_approve(actor=approver, claim_id=claim.pk)
    assert m.Claim.objects.get(pk=claim.pk).status == m.ClaimStatus.REVIEWED
    use.claim_reject(actor=reviewer, claim_id=claim.pk, reason="related parties")


def test_shared_phone_only_is_flagged_for_review(enterprise, reviewer, approver, budgets, registry):
    voucher = issue_voucher(enterprise, reviewer, contact_phone="+852-2345-6789")
    inst_actor, service = listed_institution(reviewer)
    claim = use_and_claim(enterprise, inst_actor, service, voucher)
    assert rules(claim) == ["related_party"]
    assert [k for k, _v in claim.flags[0]["params"]["links"]] == ["phone"]
    assert claim.status == m.ClaimStatus.FLAGGED
    assert approve_claim(claim, reviewer, approver).status == m.ClaimStatus.APPROVED


def test_duplicate_invoice_anywhere(voucher, institution, enterprise, reviewer):
    inst_actor, service = institution
    first = use_and_claim(enterprise, inst_actor, service, voucher, invoice_no="4400-1234")
    other_inst, other_service = listed_institution(reviewer)
    second = use_and_claim(enterprise, other_inst, other_service, voucher, invoice_no="44001234")
    assert rules(first) == [] and rules(second) == ["duplicate_invoice"]
    assert f"#{first.pk}" in fraud.explain(second.flags[0])


def test_price_anomaly_against_catalogue_and_category_median(voucher, institution, enterprise, reviewer):
    inst_actor, service = institution  # catalogue 10,000 yuan
    claim = use_and_claim(enterprise, inst_actor, service, voucher, fee_fen=1_600_000)
    assert rules(claim) == ["price_anomaly"] and claim.flags[0]["params"]["basis"] == "catalogue"
    # An institution pricing far above the category median (10,000 ×3 and its own 40,000).
    for _ in range(2):
        listed_institution(reviewer, price_fen=1_000_000)
    pricey_actor, pricey = listed_institution(reviewer, price_fen=4_000_000)
    claim = use_and_claim(enterprise, pricey_actor, pricey, voucher)
    assert rules(claim) == ["price_anomaly"] and claim.flags[0]["params"]["basis"] == "median"


def test_double_funding(voucher, institution, enterprise, reviewer):
    inst_actor, service = institution
    services.programme_funding_record(actor=reviewer, enterprise_id=enterprise.organisation_id,
                                      project_code="2026B0101", programme="广东省重点领域研发计划")
    claim = use_and_claim(enterprise, inst_actor, service, voucher, project_code="2026b0101")
    assert rules(claim) == ["double_funding"]
    assert "重点领域" in fraud.explain(claim.flags[0])


def test_group_cap_exceeded_is_flagged(enterprise, reviewer, budgets, registry, institution):
    inst_actor, service = institution
    sister = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR, region=Region.FOSHAN)
    first = issue_voucher(enterprise, reviewer)
    second = issue_voucher(sister, reviewer)  # issued before the registry knew they were one group
    registry.groups.append({enterprise.organisation_id, sister.organisation_id})
    use_and_claim(enterprise, inst_actor, service, first, fee_fen=100_000_000)  # 50 M fen used
    claim = use_and_claim(sister, inst_actor, service, second, fee_fen=40_000_000)  # +20 M > 65 M
    assert "group_cap" in rules(claim)


def test_flagged_claim_needs_clearing_note(voucher, institution, enterprise, reviewer):
    inst_actor, service = institution
    claim = use_and_claim(enterprise, inst_actor, service, voucher, fee_fen=5_000_000)
    assert claim.status == m.ClaimStatus.FLAGGED
    with pytest.raises(Conflict):
        use.claim_review(actor=reviewer, claim_id=claim.pk, note="")
    assert use.claim_review(actor=reviewer, claim_id=claim.pk, note="价格含加急费，已核实",
                            clear_flags=True).status == m.ClaimStatus.REVIEWED


def test_confirmed_fraud_cancels_releases_and_suspends(voucher, institution, enterprise, reviewer, approver,
                                                       budgets):
    inst_actor, service = institution
    legit = approve_claim(use_and_claim(enterprise, inst_actor, service, voucher), reviewer, approver)
    claim = use_and_claim(enterprise, inst_actor, service, voucher, fee_fen=5_000_000)
    approve_claim(claim, reviewer, approver)  # approved, then found out before settlement
    use.claim_confirm_fraud(actor=approver, claim_id=claim.pk, reason="虚开发票")
    voucher.refresh_from_db()
    claim.refresh_from_db()
    assert claim.status == m.ClaimStatus.FRAUD
    assert voucher.status == m.VoucherStatus.CANCELLED
    # Only the earlier, legitimately approved use stays reserved; everything else went back.
    assert voucher.used_fen == legit.amount_fen
    assert voucher.released_fen == voucher.face_fen - legit.amount_fen
    inst = m.Institution.objects.get(organisation_id=inst_actor.organisation_id)
    assert inst.status == m.ListingStatus.SUSPENDED
    assert inst.credit_events.filter(kind="suspended", claim=claim).exists()
    with pytest.raises(Conflict):
        use.order_create(actor=enterprise, voucher_id=voucher.pk, service_id=service.pk)
    assert reconcile.reconcile().clean
    # The enterprise cannot get a new voucher this year.
    application = services.application_submit(actor=enterprise, requested_fen=1_000, purpose="again")
    assert application.status == m.ApplicationStatus.INELIGIBLE
