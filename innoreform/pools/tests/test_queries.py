"""Query counts of the pools' hot paths that read financing and the books through their selectors
(baselines measured before and after the pools stopped importing financing.models and books.models:
the same on both; a rise means an N+1 crept in). flow_back rose by one when the books began writing
each posting's ledger entry: two shares, two entries, where the pools used to write one per recovery."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from innoreform.core.actor import Actor
from innoreform.financing.services import loans
from innoreform.pools import facts, payouts, reconcile, selectors, services

BASELINE = {"claim_file": 43, "summaries": 14, "flow_back": 76, "trail": 5, "expectations": 4, "loss_ratio": 2}


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, len(ctx.captured_queries)


def test_pools_hot_paths_query_counts(world):
    world.pools(province_fen=300_000_000, city_fen=150_000_000)
    firm = world.borrower()
    services.keylist_add(actor=world.reviewer, credit_code=firm.credit_code, name=firm.name, list_name="省重点企业名单")
    loan = world.loan(principal_fen=400_000_000, kind="ip_pledge", borrower=firm)
    services.loss_ratio_record(actor=world.reviewer, institution_id=world.bank.organisation_id, ratio="0.012",
                               as_of=world.today, source="监管报表")
    counts = {}
    claim, counts["claim_file"] = _count(lambda: services.claim_file(actor=world.bank, loan_id=loan.pk))
    services.claim_document_add(actor=world.bank, claim_id=claim.pk, title="判决书", filename="judgment.pdf",
                                content=b"%PDF-1.4 demo")
    claim = world.approve(claim)
    _, counts["summaries"] = _count(lambda: selectors.pool_summaries(actor=world.reviewer))
    loans.recovery_record(actor=world.bank, loan_id=loan.pk, amount_fen=100_000_000, received_on=world.today,
                          source="collateral")
    result, counts["flow_back"] = _count(lambda: payouts.run_payouts(actor=Actor.system()))
    assert result["returned_fen"] == 54_000_000
    _, counts["trail"] = _count(lambda: selectors.claim_trail(actor=world.reviewer, claim_id=claim.pk))
    _, counts["expectations"] = _count(reconcile.expectations)
    _, counts["loss_ratio"] = _count(lambda: facts.computed_loss_ratio(world.bank.organisation_id))
    assert all(counts[k] <= BASELINE[k] for k in BASELINE), (counts, BASELINE)
