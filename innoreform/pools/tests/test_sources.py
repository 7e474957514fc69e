"""Where the inputs of a claim come from: the IP-pledge loss-sharing vector (the loan's programme,
else the policy default), the loss ratio (computed from the platform's loans, a reported figure
overriding it), district pools matched by the borrower's district, and investors' principal cover
(投贷联动). The explanation lines name each source."""

from datetime import timedelta

import pytest

from innoreform.core import services as core_services
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor
from innoreform.financing import services as fin_services
from innoreform.financing.services import loans
from innoreform.pools import investor_rules, payouts, services
from innoreform.pools import rules as pool_rules
from innoreform.pools.models import ClaimStatus, PayoutItem, RecoveryShare


def _new_version(world, key: str, change: dict):
    from innoreform.core.selectors import policy_in_force

    params = {**policy_in_force(key).parameters, **change}
    maker = make_actor(org=world.province, role=Role.REVIEWER)
    draft = core_services.policy_propose(actor=maker, key=key, parameters=params,
                                         effective_from=world.today - timedelta(days=1))
    return core_services.policy_decide(actor=world.approver, policy=draft, approve=True)


def _ratio(world, institution_id, ratio="0.01"):
    services.loss_ratio_record(actor=world.reviewer, institution_id=institution_id, ratio=ratio, as_of=world.today,
                               source="监管报表")


@pytest.mark.parametrize(("vector", "rate", "total"), [
    ({"bank": "30", "guarantor": "20", "insurer": "10", "public": "40"}, "0.4", 160_000_000),
    # the fund bears its whole 70%: the size route's 50% cap is not the vector's (issue 19 item 8)
    ({"bank": "10", "guarantor": "10", "insurer": "10", "public": "70"}, "0.7", 280_000_000),
])
def test_ip_pledge_shares_by_the_programmes_vector(world, vector, rate, total):
    world.pools(province_fen=10**9, city_fen=10**9)
    _ratio(world, world.bank.organisation_id)
    programme = fin_services.programme_create(actor=world.reviewer, code="IP-1", name="知识产权质押集合授信",
                                              loss_sharing=vector)
    loan = world.loan(kind="ip_pledge")
    type(loan).objects.filter(pk=loan.pk).update(programme=programme)  # under the programme (test setup)
    claim = services.claim_file(actor=world.bank, loan_id=loan.pk)
    assert claim.rate == pool_rules.Decimal(rate) and claim.total_fen == total
    line = next(x for x in claim.lines if x["rule"] == "vector.ip_pledge")
    assert "IP-1" in line["text"] and "public fund:bank:guarantor:insurer = " in line["text"]
    assert claim.sharing_vector["vector"] == vector and "IP-1" in claim.sharing_vector["source"]


def test_ip_pledge_without_programme_uses_the_policy_default_vector(world):
    world.pools(province_fen=10**9, city_fen=10**9)
    _ratio(world, world.bank.organisation_id)
    _new_version(world, pool_rules.POLICY_KEY, {"ip_pledge_vector": {"fund": 40, "bank": 40, "insurer": 15,
                                                                     "appraiser": 5}})
    claim = services.claim_file(actor=world.bank, loan_id=world.loan(kind="ip_pledge").pk)
    assert claim.policy_version == 2 and str(claim.rate) == "0.4" and claim.total_fen == 160_000_000
    assert "40:40:15:5" in next(x["text"] for x in claim.lines if x["rule"] == "vector.ip_pledge")
    assert claim.sharing_vector == {"vector": None, "source": "policy default"}


def test_loss_ratio_is_computed_from_the_loans_unless_a_report_overrides_it(world):
    world.pools(province_fen=10**10, city_fen=10**10)
    # 4 M yuan defaulted of 204 M disbursed: 1.96%, under the 3% pause.
    world.loan(principal_fen=20_000_000_000, kind="standard", default=False)
    loan = world.loan(kind="standard")
    claim = services.claim_file(actor=world.bank, loan_id=loan.pk)
    assert claim.eligible and claim.loss_ratio_source == "computed"
    assert str(claim.loss_ratio) == "0.019608"
    assert claim.lines[0]["rule"] == "loss_ratio.computed" and "1.960784%" in claim.lines[0]["text"]
    services.claim_withdraw(actor=world.bank, claim_id=claim.pk)
    # Another 4 M default: 8 M of 208 M = 3.85% computed, above 3%: paused.
    second = world.loan(kind="standard")
    paused = services.claim_file(actor=world.bank, loan_id=second.pk)
    assert paused.status == ClaimStatus.INELIGIBLE and paused.loss_ratio_source == "computed"
    assert [x["rule"] for x in paused.lines] == ["loss_ratio.computed", "pause.loss_ratio"]
    # The department's reported figure overrides the computed one, and the line says so.
    _ratio(world, world.bank.organisation_id, "0.02")
    again = services.claim_file(actor=world.bank, loan_id=loan.pk)
    assert again.eligible and again.loss_ratio_source == "reported" and str(again.loss_ratio) == "0.020000"
    assert "overriding the 3.846154% computed" in again.lines[0]["text"]


def test_a_computed_loss_ratio_just_above_the_threshold_pauses(world):
    """Issue 19 item 11: 30,000.01 yuan unrecovered of 1,000,000.00 disbursed is 3.000001%; rounded to
    six places first it was 3% and the claim was paid."""
    world.pools(province_fen=10**9, city_fen=10**9)
    world.loan(principal_fen=96_999_999, kind="standard", default=False)
    loan = world.loan(principal_fen=3_000_001, kind="standard")
    claim = services.claim_file(actor=world.bank, loan_id=loan.pk)
    assert claim.status == ClaimStatus.INELIGIBLE and claim.loss_ratio_source == "computed"
    assert [x["rule"] for x in claim.lines] == ["loss_ratio.computed", "pause.loss_ratio"]
    assert "3.000001%" in claim.lines[1]["text"]
    assert str(claim.loss_ratio) == "0.030000"  # kept to six places; compared unrounded


def test_a_reported_ratio_is_not_rounded_either(world):
    with pytest.raises(ValidationFailed):
        _ratio(world, world.bank.organisation_id, "0.0300001")
    _ratio(world, world.bank.organisation_id, "0.030001")


def test_district_pool_matched_by_the_borrowers_district(world):
    _ratio(world, world.bank.organisation_id)
    province, city = world.pools(province_fen=10**9, city_fen=10**9)
    inst = [world.bank.organisation_id]
    district_org = make_actor(kind=OrgKind.DEPARTMENT, role=Role.REVIEWER, region=Region.GUANGZHOU)
    tianhe = services.pool_create(actor=district_org, name="天河区风险补偿资金池", level="district",
                                  region=Region.GUANGZHOU, district="天河区", institution_ids=inst)
    huangpu = services.pool_create(actor=district_org, name="黄埔区风险补偿资金池", level="district",
                                   region=Region.GUANGZHOU, district="黄埔区", institution_ids=inst)
    for pool in (tianhe, huangpu):
        services.contribution_record(actor=district_org, pool_id=pool.pk, amount_fen=10**9, received_on=world.today)
    _new_version(world, pool_rules.POLICY_KEY, {"layers": [{"level": "province", "share": "0.5"},
                                                           {"level": "city", "share": "0.5"},
                                                           {"level": "district", "own_rate": "0.1"}]})
    firm = world.borrower()
    type(firm).objects.filter(pk=firm.pk).update(district="黄埔区")
    claim = services.claim_file(actor=world.bank, loan_id=world.loan(kind="standard", borrower=firm).pk)
    layers = {x["level"]: (x["pool_id"], x["amount_fen"]) for x in claim.layers}
    assert layers == {"province": (province.pk, 80_000_000), "city": (city.pk, 80_000_000),
                      "district": (huangpu.pk, 40_000_000)}
    assert "黄埔区" in next(x["text"] for x in claim.lines if x["rule"] == "pool.district")
    # A borrower in no district with a pool: that layer pays nothing, and the line says so.
    other = world.borrower()
    claim2 = services.claim_file(actor=world.bank, loan_id=world.loan(kind="standard", borrower=other).pk)
    assert {x["level"]: x["amount_fen"] for x in claim2.layers}["district"] == 0
    assert any(x["rule"] == "pool.none" for x in claim2.lines)


def test_investor_principal_cover_end_to_end(world):
    stake = world.investor_stake(amount_fen=2_000_000_000)  # 20 M yuan invested
    province, city = world.pools(province_fen=10**9, city_fen=10**9)
    claim = services.investor_claim_file(actor=world.investor, stake_id=stake.pk, loss_fen=1_500_000_000,
                                         statement="被投企业清算，投资本金损失")
    # 30% of 15 M = 4.5 M, capped at 3 M per stake (platform default), split province:city 1:1.
    assert claim.eligible and claim.mode == "investor_principal" and claim.stake_id == stake.pk
    assert claim.total_fen == 300_000_000
    assert [(x["level"], x["amount_fen"], x["pool_id"]) for x in claim.layers] == [
        ("province", 150_000_000, province.pk), ("city", 150_000_000, city.pk)]
    assert [x["rule"] for x in claim.lines][:3] == ["loss_ratio.computed", "investor.rate", "investor.cap"]
    assert claim.policy_version == 1
    with pytest.raises(Conflict):
        services.investor_claim_file(actor=world.investor, stake_id=stake.pk, loss_fen=1)
    claim = world.approve(claim)
    assert claim.status == ClaimStatus.PAID
    assert set(PayoutItem.objects.filter(claim=claim).values_list("status", flat=True)) == {"paid"}
    # The bank's loan recoveries repay the bank, not the investor: nothing flows back on this claim.
    loans.recovery_record(actor=world.bank, loan_id=stake.loan_id, amount_fen=10_000_000,
                          received_on=world.today, source="borrower")
    payouts.run_payouts(actor=Actor.system())
    assert not RecoveryShare.objects.filter(claim=claim).exists()
    # The investor recovers 5 M of its 15 M loss on the stake: a third of what the pools paid flows
    # back at once, split by what each layer paid; recorded twice via one call only once.
    rec = services.stake_recovery_record(actor=world.investor, claim_id=claim.pk, amount_fen=500_000_000,
                                         received_on=world.today, note="清算分配")
    shares = sorted(RecoveryShare.objects.filter(claim=claim).values_list("payout__level", "amount_fen",
                                                                          "stake_recovery_id"))
    assert shares == [("city", 50_000_000, rec.pk), ("province", 50_000_000, rec.pk)]
    assert payouts.run_payouts(actor=Actor.system())["returned_fen"] == 0  # once only
    with pytest.raises(ValidationFailed):  # recoveries beyond the loss claimed
        services.stake_recovery_record(actor=world.investor, claim_id=claim.pk, amount_fen=1_000_000_001,
                                       received_on=world.today)
    with pytest.raises(ValidationFailed):
        services.stake_recovery_record(actor=world.investor, claim_id=claim.pk, amount_fen=1,
                                       received_on=world.today + timedelta(days=1))
    services.stake_recovery_record(actor=world.investor, claim_id=claim.pk, amount_fen=1_000_000_000,
                                   received_on=world.today)  # all recovered: everything paid flows back
    assert sum(RecoveryShare.objects.filter(claim=claim).values_list("amount_fen", flat=True)) == 300_000_000
    from innoreform.books import reconciliation
    assert reconciliation.reconcile(include_sources=True).clean
    # The bank's own claim on the same loan is a different mode and still possible.
    bank_claim = services.claim_file(actor=world.bank, loan_id=stake.loan_id)
    assert bank_claim.mode == "bank_loss"
    with pytest.raises(Conflict):  # a bank's recoveries are recorded on the loan, not here
        services.stake_recovery_record(actor=world.bank, claim_id=bank_claim.pk, amount_fen=1,
                                       received_on=world.today)


def test_investor_claim_refusals(world):
    stake = world.investor_stake(amount_fen=100_000_000, default=False)
    world.pools()
    with pytest.raises(Conflict) as exc:
        services.investor_claim_file(actor=world.investor, stake_id=stake.pk, loss_fen=50_000_000)
    assert exc.value.code == "not_defaulted"
    loans.loan_default_declare(actor=world.bank, loan_id=stake.loan_id, on=world.today, reason="违约")
    with pytest.raises(ValidationFailed):
        services.investor_claim_file(actor=world.investor, stake_id=stake.pk, loss_fen=100_000_001)
    with pytest.raises(NotFound):  # another investor's stake, or a bank filing as investor
        services.investor_claim_file(actor=make_actor(kind=OrgKind.INVESTOR, role=Role.ADMINISTRATOR),
                                     stake_id=stake.pk, loss_fen=1)
    with pytest.raises(NotFound):
        services.investor_claim_file(actor=world.bank, stake_id=stake.pk, loss_fen=1)
    with pytest.raises(ValidationFailed):  # the bank-loss entry point does not take the investor mode
        services.claim_file(actor=world.investor, loan_id=stake.loan_id, mode="investor_principal")


@pytest.mark.parametrize(("invested", "loss", "params", "total"), [
    (10_000_00, 10_000_00, {"rate": "0.30", "cap_fen": None}, 3_000_00),
    (10_000_00, 3_333, {"rate": "0.30", "cap_fen": None}, 1_000),  # 999.9 half up
    (10**10, 10**10, {"rate": "0.30", "cap_fen": 3_000_000_00}, 3_000_000_00),
    (10_000_00, 10_000_00, {"rate": "0.95", "cap_fen": None}, 8_000_00),  # overall cap 80%
])
def test_investor_cover_rules(invested, loss, params, total):
    result = investor_rules.compute_investor_cover(params=params, layering=pool_rules.DEFAULTS,
                                                   invested_fen=invested, loss_fen=loss)
    assert result.total_fen == total and sum(x.amount_fen for x in result.layers) == total
    with pytest.raises(ValueError):
        investor_rules.compute_investor_cover(params=params, layering=pool_rules.DEFAULTS, invested_fen=1, loss_fen=2)
