"""What the pools say the books should hold (a source for `books reconcile`): one unreversed
transaction per live contribution, per paid payout item and per recovery share, with exactly the
accounts and amounts of money.py. A payout posted twice, a paid item without its posting or a
posting of another amount is reported as a break."""

from innoreform.books import selectors as book_selectors
from innoreform.books.reconciliation import Expected
from innoreform.books.schemas import AccountPurpose

from . import money
from .models import Contribution, PayoutItem, RecoveryShare


def _ids(codes: set[str]) -> dict[str, int]:
    return book_selectors.account_ids_by_code(codes)


def _code(owner_id, purpose, key) -> str:
    return book_selectors.account_code(owner_id=owner_id, purpose=purpose, key=key)


def expectations() -> tuple[list[str], list[Expected]]:
    out: list[tuple[str, str, str, dict[str, int]]] = []  # (reference, kind, subject id, {code: amount})
    for c in Contribution.objects.filter(reversed_at__isnull=True).select_related("pool"):
        out.append((money.contribution_reference(c), money.KIND_CONTRIBUTION, "", {
            _code(c.pool.owner_id, AccountPurpose.POOL, f"pools.pool:{c.pool_id}"): c.amount_fen,
            _code(c.contributor_id, AccountPurpose.FUNDING_SOURCE, "pools.contribution"): -c.amount_fen}))

    def layer_lines(item, amount: int, sign: int) -> dict[str, int]:
        inst = item.claim.institution_id
        return {_code(item.pool.owner_id, AccountPurpose.EXPENSE, f"pools.compensation:{item.pool_id}"): amount,
                _code(inst, AccountPurpose.EXTERNAL, "pools.cash"): sign * amount,
                _code(item.pool.owner_id, AccountPurpose.POOL, f"pools.pool:{item.pool_id}"): -sign * amount,
                _code(inst, AccountPurpose.INCOME, "pools.compensation"): -amount}

    for item in PayoutItem.objects.filter(status=PayoutItem.Status.PAID).select_related("pool", "claim"):
        out.append((money.payout_reference(item), money.KIND_PAYOUT, str(item.claim_id),
                    layer_lines(item, item.amount_fen, 1)))
    for share in RecoveryShare.objects.select_related("payout__pool", "payout__claim"):
        item, a = share.payout, share.amount_fen
        inst = item.claim.institution_id
        out.append((money.flow_back_reference(share), money.KIND_FLOW_BACK, str(share.claim_id), {
            _code(item.pool.owner_id, AccountPurpose.POOL, f"pools.pool:{item.pool_id}"): a,
            _code(inst, AccountPurpose.INCOME, "pools.compensation"): a,
            _code(item.pool.owner_id, AccountPurpose.INCOME, f"pools.recoveries:{item.pool_id}"): -a,
            _code(inst, AccountPurpose.EXTERNAL, "pools.cash"): -a}))
    ids = _ids({code for *_rest, lines in out for code in lines})
    expected = []
    for reference, kind, subject_id, lines in out:
        expected.append(Expected(reference=reference, kind=kind,
                                 lines={ids.get(code, -1): v for code, v in lines.items()},
                                 subject_type=money.SUBJECT_CLAIM if subject_id else "", subject_id=subject_id))
    return [money.KIND_CONTRIBUTION, money.KIND_PAYOUT, money.KIND_FLOW_BACK], expected
