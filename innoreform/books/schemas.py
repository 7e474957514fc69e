"""API schemas of the books (read-only: money moves through domain services, never directly)."""

from datetime import date, datetime

from ninja import Field, Schema

# AccountPurpose is part of the books' public surface: other apps pass it to books.services.account_for.
from .models import AccountPurpose as AccountPurpose

MAX_PAGE = 200


class AccountOut(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    purpose: str
    key: str
    currency: str
    normal_balance: str
    may_go_negative: bool
    balance_fen: int


class AccountPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[AccountOut]


class AccountFilter(Schema):
    purpose: AccountPurpose | None = None
    owner_id: int | None = Field(None, ge=1, le=2**63 - 1)
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class BalanceOut(Schema):
    account: AccountOut
    cached_fen: int
    derived_fen: int
    matches: bool


class StatementFilter(Schema):
    date_from: date | None = None
    date_to: date | None = None


class StatementLineOut(Schema):
    posting_id: int
    transaction_uuid: str
    created_at: datetime
    kind: str
    reference: str
    memo: str
    debit_fen: int
    credit_fen: int
    balance_fen: int
    reverses_uuid: str | None


class StatementOut(Schema):
    account: AccountOut
    date_from: date | None
    date_to: date | None
    opening_fen: int
    closing_fen: int
    total_debit_fen: int
    total_credit_fen: int
    truncated: bool
    lines: list[StatementLineOut]


class TrialBalanceFilter(Schema):
    as_of: date | None = None
    purpose: AccountPurpose | None = None


class TrialBalanceRowOut(Schema):
    account: AccountOut
    debit_fen: int
    credit_fen: int
    balance_fen: int


class TrialBalanceOut(Schema):
    as_of: date | None
    complete: bool
    balanced: bool
    total_debit_fen: int
    total_credit_fen: int
    rows: list[TrialBalanceRowOut]
