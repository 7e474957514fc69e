import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoreform.books.models import Account
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied
from innoreform.pools import payouts, selectors, services
from innoreform.pools.arith import pro_rata
from innoreform.pools.models import ClaimStatus, PayoutItem


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**9), min_size=1, max_size=6).filter(lambda w: sum(w) > 0))
def test_pro_rata_sums_exactly_and_stays_close(amount, weights):
    parts = pro_rata(amount, weights)
    assert sum(parts) == amount
    total = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        assert abs(part * total - amount * w) < total  # within one fen of the exact share


def balance(pool) -> int:
    return Account.objects.get(pk=pool.books_account_id).balance_fen


def filed(world, **kw):
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.01",
                               as_of=world.today)
    loan = world.loan(**kw)
    return loan, services.claim_file(actor=world.bank, loan_id=loan.pk)


def test_tiers_and_relending_without_bonus(world):
    world.pools(province_fen=10**9, city_fen=10**9)
    _loan, claim = filed(world, principal_fen=1_000_000_000, kind="standard", relending=True)  # 10 M yuan
    assert str(claim.rate) == "0.35"  # 30% tier + 5 relending
    assert claim.total_fen == 350_000_000
    assert [r["rule"] for r in claim.lines][:3] == ["loss_ratio.reported", "tier", "bonus.relending"]


def test_claim_waits_in_fifo_order_and_is_paid_when_money_arrives(world):
    province, city = world.pools(province_fen=100_000_000, city_fen=60_000_000)
    _l1, first = filed(world, principal_fen=200_000_000, kind="standard")  # 40%: 80 M fen, 40/40
    _l2, second = filed(world, principal_fen=100_000_000, kind="standard")  # 40%: 40 M fen, 20/20
    first = world.approve(first)
    assert first.status == ClaimStatus.PAID
    assert balance(city) == 20_000_000
    # The second claim's city layer (20 M) fits exactly; a third one waits.
    _l3, third = filed(world, principal_fen=150_000_000, kind="standard")  # 60 M fen, 30/30
    third = world.approve(third)
    assert third.status == ClaimStatus.APPROVED
    assert PayoutItem.objects.get(claim=third, level="city").status == "waiting"
    assert PayoutItem.objects.get(claim=third, level="province").status == "paid"
    second = world.approve(second)  # approved later: queued behind the third even though it would fit
    assert PayoutItem.objects.get(claim=second, level="city").status == "waiting"
    assert balance(city) == 20_000_000
    assert balance(province) == 10_000_000  # 100 - 40 - 30 - 20 M
    world.contribute(city, 15_000_000)  # 35 M: the third (30 M) is paid, the second (20 M) still waits
    assert PayoutItem.objects.get(claim=third, level="city").status == "paid"
    assert PayoutItem.objects.get(claim=second, level="city").status == "waiting"
    assert balance(city) == 5_000_000
    world.contribute(city, 15_000_000)
    second.refresh_from_db()
    assert second.status == ClaimStatus.PAID
    assert balance(city) == 0
    assert all(balance(p) >= 0 for p in (province, city))


def test_pause_when_loss_ratio_exceeds_threshold(world):
    world.pools(province_fen=10**9, city_fen=10**9)
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.035",
                               as_of=world.today)
    loan = world.loan(kind="standard")
    claim = services.claim_file(actor=world.bank, loan_id=loan.pk)
    assert claim.status == ClaimStatus.INELIGIBLE and claim.total_fen == 0
    assert [x["rule"] for x in claim.lines] == ["loss_ratio.reported", "pause.loss_ratio"]
    assert "3.5%" in claim.lines[0]["text"] and "overriding" in claim.lines[0]["text"]


def test_one_loan_one_mode(world):
    from innoreform.financing import services as fin_services

    world.pools(province_fen=10**9, city_fen=10**9)
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.guarantor.organisation_id, ratio="0.01",
                               as_of=world.today)
    programme = fin_services.programme_create(actor=world.reviewer, code="P-1", name="集合授信",
                                              guarantor_id=world.guarantor.organisation_id)
    loan, claim = filed(world, kind="standard")
    fm_loan = type(loan).objects.get(pk=loan.pk)
    fm_loan.programme = programme  # the loan is guaranteed under the programme (test setup)
    fm_loan.save(update_fields=["programme"])
    guarantor_claim = services.claim_file(actor=world.guarantor, loan_id=loan.pk, mode="guarantor_payout",
                                          loss_fen=100_000_000)
    assert guarantor_claim.status == ClaimStatus.INELIGIBLE
    assert guarantor_claim.lines[1]["rule"] == "mode.exclusive"
    with pytest.raises(Conflict):
        services.claim_file(actor=world.bank, loan_id=loan.pk)  # one live claim per mode
    services.claim_withdraw(actor=world.bank, claim_id=claim.pk)
    g2 = services.claim_file(actor=world.guarantor, loan_id=loan.pk, mode="guarantor_payout", loss_fen=100_000_000)
    assert g2.eligible and g2.total_fen == 20_000_000  # 20% of the payout


def test_maker_checker_and_scopes(world, other_user):
    world.pools(province_fen=10**9, city_fen=10**9)
    _loan, claim = filed(world, kind="standard")
    with pytest.raises(PermissionDenied):
        services.claim_review(actor=world.bank, claim_id=claim.pk, recommend=True)
    services.claim_review(actor=world.approver, claim_id=claim.pk, recommend=True)
    with pytest.raises(PermissionDenied):  # the reviewer cannot approve
        services.claim_decide(actor=world.approver, claim_id=claim.pk, approve=True)
    from innoreform.core.testing import make_actor

    other_bank = make_actor(kind="bank", role="administrator")
    with pytest.raises(NotFound):
        selectors.claim_get(actor=other_bank, claim_id=claim.pk)
    with pytest.raises(NotFound):
        services.claim_file(actor=other_bank, loan_id=claim.loan_id)
    assert selectors.claim_get(actor=world.city, claim_id=claim.pk)  # Guangzhou loan: the city sees it
    services.claim_decide(actor=make_actor(org=world.province, role="approver"),
                          claim_id=claim.pk, approve=False, note="材料不全")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


def test_reversal_refused_when_money_spent_and_pool_never_negative(world):
    _province, city = world.pools(province_fen=50_000_000, city_fen=50_000_000)
    c = world.contribute(city, 10_000_000)
    services.contribution_reverse(actor=world.city, contribution_id=c.pk, reason="录入错误")
    assert balance(city) == 50_000_000
    with pytest.raises(Conflict):
        services.contribution_reverse(actor=world.city, contribution_id=c.pk, reason="again")
    _loan, claim = filed(world, principal_fen=200_000_000, kind="standard")  # 40 M each layer
    world.approve(claim)
    assert balance(city) == 10_000_000
    first = city.contributions.order_by("id").first()
    with pytest.raises(Conflict) as exc:
        services.contribution_reverse(actor=world.city, contribution_id=first.pk, reason="误记")
    assert exc.value.code == "insufficient_funds"
    assert balance(city) == 10_000_000


def test_run_payouts_is_idempotent(world):
    world.pools(province_fen=10**9, city_fen=0)
    _loan, claim = filed(world, kind="standard")
    world.approve(claim)
    assert payouts.run_payouts(actor=Actor.system())["waiting"] == 1
    world.contribute(world.city_pool, 10**9)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert payouts.run_payouts(actor=Actor.system()) == {"paid": 0, "returned_fen": 0, "waiting": 0}
