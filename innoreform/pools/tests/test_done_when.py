"""The issue's "done when" scenario end to end: Guangzhou and the province fund their pools, a
bank's IP-pledge loan to a key-list firm defaults, the bank claims, the platform shows the fund's 54%
of the IP-pledge loss-sharing vector split across the layers with the rule lines, a reviewer approves,
the pools pay, a later recovery flows back pro rata, and the trial balance, reconciliation and ledger
agree."""

from decimal import Decimal

from innoreform.books import reconciliation
from innoreform.books import selectors as book_selectors
from innoreform.core.actor import Actor
from innoreform.financing.services import loans
from innoreform.ledger.models import LedgerEntry, LedgerPending
from innoreform.pools import payouts, selectors, services
from innoreform.pools.models import ClaimStatus, PayoutItem, RecoveryShare


def test_done_when(world):
    province_pool, city_pool = world.pools(province_fen=300_000_000, city_fen=150_000_000)
    firm = world.borrower()
    services.keylist_add(actor=world.reviewer, credit_code=firm.credit_code, name=firm.name, list_name="省重点企业名单")
    loan = world.loan(principal_fen=400_000_000, kind="ip_pledge", borrower=firm)
    # The bank's reported loss ratio on its tech loans is under the 3% pause threshold.
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.012",
                               as_of=world.today, source="监管报表")

    claim = services.claim_file(actor=world.bank, loan_id=loan.pk, statement="知识产权质押贷款违约")
    assert claim.status == ClaimStatus.SUBMITTED and claim.eligible
    assert claim.policy_version == 1
    assert claim.rate == Decimal("0.54")
    assert claim.total_fen == 216_000_000  # 54% of 4,000,000.00 yuan
    assert [(x["level"], x["amount_fen"], x["pool_id"]) for x in claim.layers] == [
        ("province", 108_000_000, province_pool.pk), ("city", 108_000_000, city_pool.pk)]
    rules = [line["rule"] for line in claim.lines]
    # Without a programme the IP-pledge loan shares its loss by the policy's default vector
    # 54:26:16:4, and the fund bears its whole 54% (issue 19 item 8: not cut to the 50% cap).
    assert rules == ["loss_ratio.reported", "vector.ip_pledge", "layer.province", "layer.city",
                     "pool.province", "pool.city", "total"]
    assert "1.2%" in claim.lines[0]["text"] and "overriding" in claim.lines[0]["text"]
    assert "54:26:16:4" in claim.lines[1]["text"] and "loss-sharing route" in claim.lines[1]["text"]
    assert claim.sharing_vector == {"vector": None, "source": "policy default"}
    # every line is also stored in Chinese, for readers of the portal's default language
    assert "补偿合计" in claim.lines[-1]["texts"]["zh-hans"] and "Total" in claim.lines[-1]["texts"]["en"]

    services.claim_document_add(actor=world.bank, claim_id=claim.pk, title="判决书", filename="judgment.pdf",
                                content=b"%PDF-1.4 demo")
    claim = world.approve(claim)
    assert claim.status == ClaimStatus.PAID
    assert set(PayoutItem.objects.filter(claim=claim).values_list("status", flat=True)) == {"paid"}
    summaries = {s.pool.pk: s for s in selectors.pool_summaries(actor=world.reviewer)}
    assert summaries[province_pool.pk].balance_fen == 192_000_000
    assert summaries[city_pool.pk].balance_fen == 42_000_000

    # A recovery of 1,000,000.00 yuan: 54% of the loss was compensated, so 54% flows back, 1:1.
    loans.recovery_record(actor=world.bank, loan_id=loan.pk, amount_fen=100_000_000,
                          received_on=world.today, source="collateral")
    result = payouts.run_payouts(actor=Actor.system())
    assert result["returned_fen"] == 54_000_000
    shares = sorted(RecoveryShare.objects.values_list("payout__level", "amount_fen"))
    assert shares == [("city", 27_000_000), ("province", 27_000_000)]
    assert payouts.run_payouts(actor=Actor.system())["returned_fen"] == 0  # once only

    summaries = {s.pool.pk: s for s in selectors.pool_summaries(actor=world.reviewer)}
    assert summaries[province_pool.pk].balance_fen == 219_000_000
    assert summaries[city_pool.pk].balance_fen == 69_000_000

    tb = book_selectors.trial_balance(actor=Actor.system())
    assert tb.complete and tb.balanced
    report = reconciliation.reconcile(include_sources=True)
    assert report.clean, report.as_dict()["breaks"]

    # The ledger: the books wrote one commitment per posting, payouts and each flow-back share alike.
    items = list(PayoutItem.objects.filter(claim=claim))
    uids = {str(u) for u in LedgerPending.objects.filter(entry_type="pools.compensation_paid").values_list(
        "uid", flat=True)} | {str(u) for u in LedgerEntry.objects.filter(
            entry_type="pools.compensation_paid").values_list("uid", flat=True)}
    assert {i.ledger_uid for i in items} == uids and len(uids) == 2
    assert (LedgerPending.objects.filter(entry_type="pools.recovery_returned").count()
            + LedgerEntry.objects.filter(entry_type="pools.recovery_returned").count()) == 2
    # ... and exactly one per book transaction: no posting unlogged, none logged twice.
    from innoreform.books.models import Transaction
    from innoreform.ledger import entries

    objects = [entries.parse(bytes(body)).get("object", "") for model in (LedgerPending, LedgerEntry)
               for body in model.objects.values_list("body", flat=True)]
    logged = sorted(o for o in objects if o.startswith("books.transaction:"))
    assert logged == sorted(f"books.transaction:{pk}" for pk in Transaction.objects.values_list("pk", flat=True))

    trail = [e.action for e in selectors.claim_trail(actor=world.reviewer, claim_id=claim.pk)]
    for action in ("financing.loan_defaulted", "pools.claim_filed", "pools.claim_reviewed", "pools.claim_approved",
                   "pools.payout_paid", "pools.claim_paid", "financing.recovery_recorded",
                   "pools.recovery_flowed_back"):
        assert action in trail, (action, trail)
    assert trail.index("financing.loan_defaulted") < trail.index("pools.claim_filed") < trail.index(
        "pools.payout_paid")
