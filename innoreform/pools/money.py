"""The pools' money movements in the books (which write each posting's trust-ledger entry, about
the borrower or the contributor). Called inside the caller's transaction.

Accounts (opened on first use):
- pool:        POOL account of the pool's manager, key "pools.pool:<id>" (guarded: never negative);
- source:      the contributor's FUNDING_SOURCE, key "pools.contribution";
- expense:     the manager's EXPENSE "pools.compensation:<pool id>" (compensation paid out);
- recoveries:  the manager's INCOME "pools.recoveries:<pool id>" (recoveries flowed back);
- bank cash:   the claimant's EXTERNAL "pools.cash" (the real transfer to and from the bank);
- bank income: the claimant's INCOME "pools.compensation" (compensation received, less returns).

contribution:  Dr pool / Cr source
payout:        Dr expense, Dr bank cash / Cr pool, Cr bank income
flow-back:     Dr pool, Dr bank income / Cr recoveries, Cr bank cash
"""

from innoreform.books import services as books
from innoreform.books.schemas import AccountPurpose
from innoreform.core.actor import Actor

KIND_CONTRIBUTION = "pools.contribution"
KIND_PAYOUT = "pools.payout"
KIND_FLOW_BACK = "pools.recovery_flow_back"
SUBJECT_CLAIM = "pools.claim"
SUBJECT_POOL = "pools.pool"


def pool_account(actor: Actor, pool):
    return books.account_for(actor=actor, owner=pool.owner_id, purpose=AccountPurpose.POOL, key=f"pools.pool:{pool.pk}",
                             name=f"风险补偿资金池 {pool.name}"[:200])


def source_account(actor: Actor, contributor_id: int):
    return books.account_for(actor=actor, owner=contributor_id, purpose=AccountPurpose.FUNDING_SOURCE,
                             key="pools.contribution", name="风险补偿资金出资")


def expense_account(actor: Actor, pool):
    return books.account_for(actor=actor, owner=pool.owner_id, purpose=AccountPurpose.EXPENSE,
                             key=f"pools.compensation:{pool.pk}", name=f"风险补偿支出 {pool.name}"[:200])


def recoveries_account(actor: Actor, pool):
    return books.account_for(actor=actor, owner=pool.owner_id, purpose=AccountPurpose.INCOME,
                             key=f"pools.recoveries:{pool.pk}", name=f"风险补偿追偿回收 {pool.name}"[:200])


def bank_cash(actor: Actor, org_id: int):
    return books.account_for(actor=actor, owner=org_id, purpose=AccountPurpose.EXTERNAL, key="pools.cash",
                             name="Cash outside the platform (compensation)")


def bank_income(actor: Actor, org_id: int):
    return books.account_for(actor=actor, owner=org_id, purpose=AccountPurpose.INCOME, key="pools.compensation",
                             name="风险补偿收入")


def contribution_lines(actor: Actor, c) -> list:
    return [(pool_account(actor, c.pool), c.amount_fen), (source_account(actor, c.contributor_id), -c.amount_fen)]


def payout_lines(actor: Actor, item) -> list:
    a = item.amount_fen
    return [(expense_account(actor, item.pool), a), (bank_cash(actor, item.claim.institution_id), a),
            (pool_account(actor, item.pool), -a), (bank_income(actor, item.claim.institution_id), -a)]


def flow_back_lines(actor: Actor, share) -> list:
    a, item = share.amount_fen, share.payout
    return [(pool_account(actor, item.pool), a), (bank_income(actor, item.claim.institution_id), a),
            (recoveries_account(actor, item.pool), -a), (bank_cash(actor, item.claim.institution_id), -a)]


def contribution_reference(c) -> str:
    return f"pools:contribution:{c.pk}"


def payout_reference(item) -> str:
    return f"pools:payout:{item.pk}"


def flow_back_reference(share) -> str:
    return f"pools:flow_back:{share.pk}"


def post_contribution(actor: Actor, c):
    """The contribution's book transaction (its `ledger_uid` names the entry written with it)."""
    return books.post_transaction(actor=actor, kind=KIND_CONTRIBUTION, reference=contribution_reference(c),
                                  lines=contribution_lines(actor, c), memo=c.note, subject_type=SUBJECT_POOL,
                                  subject_id=c.pool_id, correlation=f"pools.pool:{c.pool_id}",
                                  entry_type="pools.contribution_received", subject_organisation=c.contributor_id)


def post_payout(actor: Actor, item):
    """Raises Conflict("insufficient_funds") when the pool cannot fund the item (nothing posted)."""
    return books.post_transaction(actor=actor, kind=KIND_PAYOUT, reference=payout_reference(item),
                                  lines=payout_lines(actor, item), subject_type=SUBJECT_CLAIM,
                                  subject_id=item.claim_id, correlation=f"pools.claim:{item.claim_id}",
                                  entry_type="pools.compensation_paid",
                                  subject_organisation=item.claim.loan.borrower_id)


def post_flow_back(actor: Actor, share):
    return books.post_transaction(actor=actor, kind=KIND_FLOW_BACK, reference=flow_back_reference(share),
                                  lines=flow_back_lines(actor, share), subject_type=SUBJECT_CLAIM,
                                  subject_id=share.claim_id, correlation=f"pools.claim:{share.claim_id}",
                                  entry_type="pools.recovery_returned",
                                  subject_organisation=share.claim.loan.borrower_id)
