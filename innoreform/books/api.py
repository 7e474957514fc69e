"""Books API, read-only. Portal (/api/v1/books): balances, statements and the trial balance,
scoped to the actor. Bank (/api/bank/v1/books): an institution's own accounts and statements."""

from ninja import Query, Router

from innoreform.core.api_support import DbId, responses

from . import selectors
from .schemas import (
    AccountFilter,
    AccountPage,
    BalanceOut,
    StatementFilter,
    StatementOut,
    TrialBalanceFilter,
    TrialBalanceOut,
)

router = Router(tags=["books"])
bank_router = Router(tags=["books"])


def _account_page(actor, filters: AccountFilter) -> dict:
    qs = selectors.account_list(actor=actor, owner_id=filters.owner_id, purpose=filters.purpose)
    return {"count": qs.count(), "offset": filters.offset, "limit": filters.limit,
            "items": list(qs[filters.offset: filters.offset + filters.limit])}


def _balance(actor, account_id: int) -> dict:
    b = selectors.account_balance(actor=actor, account_id=account_id)
    return {"account": b.account, "cached_fen": b.cached_fen, "derived_fen": b.derived_fen, "matches": b.matches}


def _statement(actor, account_id: int, filters: StatementFilter):
    return selectors.account_statement(actor=actor, account_id=account_id, date_from=filters.date_from,
                                       date_to=filters.date_to)


@router.get("/accounts", response=responses(AccountPage), operation_id="books_account_list")
def account_list(request, filters: Query[AccountFilter]):
    return _account_page(request.auth, filters)


@router.get("/accounts/{account_id}", response=responses(BalanceOut, 404), operation_id="books_account_balance")
def account_balance(request, account_id: DbId):
    return _balance(request.auth, account_id)


@router.get("/accounts/{account_id}/statement", response=responses(StatementOut, 404),
            operation_id="books_account_statement")
def account_statement(request, account_id: DbId, filters: Query[StatementFilter]):
    return _statement(request.auth, account_id, filters)


@router.get("/trial-balance", response=responses(TrialBalanceOut, 404), operation_id="books_trial_balance")
def trial_balance(request, filters: Query[TrialBalanceFilter]):
    tb = selectors.trial_balance(actor=request.auth, as_of=filters.as_of, purpose=filters.purpose)
    return {
        "as_of": tb.as_of, "complete": tb.complete, "balanced": tb.balanced,
        "total_debit_fen": tb.total_debit_fen, "total_credit_fen": tb.total_credit_fen,
        "rows": [{"account": r.account, "debit_fen": r.debit_fen, "credit_fen": r.credit_fen,
                  "balance_fen": r.balance_fen} for r in tb.rows],
    }


@bank_router.get("/accounts", response=responses(AccountPage), operation_id="books_bank_account_list")
def bank_account_list(request, filters: Query[AccountFilter]):
    return _account_page(request.auth, filters)


@bank_router.get("/accounts/{account_id}", response=responses(BalanceOut, 404),
                 operation_id="books_bank_account_balance")
def bank_account_balance(request, account_id: DbId):
    return _balance(request.auth, account_id)


@bank_router.get("/accounts/{account_id}/statement", response=responses(StatementOut, 404),
                 operation_id="books_bank_account_statement")
def bank_account_statement(request, account_id: DbId, filters: Query[StatementFilter]):
    return _statement(request.auth, account_id, filters)
