"""Reads from the books, scoped to the actor.

Who sees what: an organisation sees the accounts it owns; province departments, the platform
operator and the system see every account, including the platform's own (owner null); a city
department sees the accounts of organisations in its city (its own included), as in the registry
and vouchers. An account the actor may not see is NotFound.

The last section holds unscoped helpers for domain services, which have already checked that the
actor may see their own domain object (a voucher, a claim) and need its postings.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.core.models import OrgKind

from .models import Account, Posting, Transaction

SEE_ALL_KINDS = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})
STATEMENT_MAX_LINES = 5000


def sees_all(actor: Actor) -> bool:
    return actor.is_system or (actor.kind in SEE_ALL_KINDS and actor.city_limit is None)


def visible_accounts(*, actor: Actor) -> QuerySet[Account]:
    qs = Account.objects.select_related("owner")
    if sees_all(actor):
        return qs
    if actor.organisation_id is None:
        return qs.none()
    if actor.city_limit:
        return qs.filter(Q(owner_id=actor.organisation_id) | Q(owner__region=actor.city_limit))
    return qs.filter(owner_id=actor.organisation_id)


def account_get(*, actor: Actor, account_id: int) -> Account:
    account = visible_accounts(actor=actor).filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Account not found."))
    return account


def account_list(*, actor: Actor, owner_id: int | None = None, purpose: str | None = None) -> QuerySet[Account]:
    qs = visible_accounts(actor=actor)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("id")


def derived_balance(account: Account, *, before: dt.datetime | None = None) -> int:
    """The balance from the postings themselves, in the account's normal-side terms."""
    qs = Posting.objects.filter(account=account)
    if before is not None:
        qs = qs.filter(transaction__created_at__lt=before)
    total = qs.aggregate(s=Sum("amount_fen"))["s"] or 0
    return account.sign * total


@dataclass(frozen=True)
class Balance:
    account: Account
    cached_fen: int
    derived_fen: int

    @property
    def matches(self) -> bool:
        return self.cached_fen == self.derived_fen


def account_balance(*, actor: Actor, account_id: int) -> Balance:
    account = account_get(actor=actor, account_id=account_id)
    return Balance(account=account, cached_fen=account.balance_fen, derived_fen=derived_balance(account))


_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9999, 12, 30)  # the day after must still be a date (and an aware datetime)


def _day_start(day: dt.date) -> dt.datetime:
    """Local midnight starting `day`; dates outside 1900..9999 are clamped (no overflow errors)."""
    day = min(max(day, _EARLIEST), _LATEST)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _day_after(day: dt.date) -> dt.datetime:
    return _day_start(min(day, _LATEST - dt.timedelta(days=1)) + dt.timedelta(days=1))


@dataclass
class StatementLine:
    posting_id: int
    transaction_uuid: str
    created_at: dt.datetime
    kind: str
    reference: str
    memo: str
    debit_fen: int
    credit_fen: int
    balance_fen: int
    reverses_uuid: str | None


@dataclass
class Statement:
    account: Account
    date_from: dt.date | None
    date_to: dt.date | None
    opening_fen: int
    closing_fen: int
    total_debit_fen: int
    total_credit_fen: int
    lines: list[StatementLine] = field(default_factory=list)
    truncated: bool = False


def account_statement(*, actor: Actor, account_id: int, date_from: dt.date | None = None,
                      date_to: dt.date | None = None, max_lines: int = STATEMENT_MAX_LINES) -> Statement:
    """Postings of one account in date order (local dates, inclusive) with a running balance."""
    account = account_get(actor=actor, account_id=account_id)
    opening = derived_balance(account, before=_day_start(date_from)) if date_from else 0
    qs = Posting.objects.filter(account=account).select_related("transaction", "transaction__reverses")
    if date_from:
        qs = qs.filter(transaction__created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(transaction__created_at__lt=_day_after(date_to))
    running = opening
    lines: list[StatementLine] = []
    debit = credit = 0
    truncated = False
    for posting in qs.order_by("id")[: max_lines + 1]:
        if len(lines) == max_lines:
            truncated = True
            break
        txn = posting.transaction
        running += account.sign * posting.amount_fen
        d = posting.amount_fen if posting.amount_fen > 0 else 0
        c = -posting.amount_fen if posting.amount_fen < 0 else 0
        debit += d
        credit += c
        lines.append(StatementLine(
            posting_id=posting.pk, transaction_uuid=str(txn.uuid), created_at=txn.created_at, kind=txn.kind,
            reference=txn.reference, memo=txn.memo, debit_fen=d, credit_fen=c, balance_fen=running,
            reverses_uuid=str(txn.reverses.uuid) if txn.reverses_id else None,
        ))
    return Statement(account=account, date_from=date_from, date_to=date_to, opening_fen=opening,
                     closing_fen=running, total_debit_fen=debit, total_credit_fen=credit, lines=lines,
                     truncated=truncated)


@dataclass
class TrialBalanceRow:
    account: Account
    debit_fen: int
    credit_fen: int

    @property
    def balance_fen(self) -> int:
        return self.account.sign * (self.debit_fen - self.credit_fen)


@dataclass
class TrialBalance:
    as_of: dt.date | None
    rows: list[TrialBalanceRow]
    total_debit_fen: int
    total_credit_fen: int
    complete: bool  # True when the actor sees the whole book (then debits must equal credits)

    @property
    def balanced(self) -> bool:
        return self.total_debit_fen == self.total_credit_fen


def trial_balance(*, actor: Actor, as_of: dt.date | None = None, owner_id: int | None = None,
                  purpose: str | None = None) -> TrialBalance:
    """Each visible account's net debit or credit from its postings up to the end of `as_of`."""
    if not sees_all(actor) and actor.organisation_id is None:
        raise NotFound(_("Not found."))
    accounts = list(account_list(actor=actor, owner_id=owner_id, purpose=purpose))
    postings = Posting.objects.filter(account__in=[a.pk for a in accounts]) if not (
        sees_all(actor) and owner_id is None and not purpose) else Posting.objects.all()
    if as_of:
        postings = postings.filter(transaction__created_at__lt=_day_after(as_of))
    sums = dict(postings.values("account_id").annotate(s=Sum("amount_fen")).values_list("account_id", "s"))
    rows = []
    for account in accounts:
        net = sums.get(account.pk) or 0
        rows.append(TrialBalanceRow(account=account, debit_fen=max(net, 0), credit_fen=max(-net, 0)))
    return TrialBalance(
        as_of=as_of, rows=rows, total_debit_fen=sum(r.debit_fen for r in rows),
        total_credit_fen=sum(r.credit_fen for r in rows),
        complete=sees_all(actor) and owner_id is None and not purpose,
    )


# --- unscoped helpers for domain services ---------------------------------------------------


def transaction_by_reference(reference: str) -> Transaction | None:
    return Transaction.objects.filter(reference=reference).first()


def transactions_for(*, subject_type: str, subject_id) -> QuerySet[Transaction]:
    """A domain object's transactions (with their postings prefetched), oldest first."""
    return (Transaction.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
            .prefetch_related("postings").order_by("id"))


def is_reversed(txn: Transaction) -> bool:
    return Transaction.objects.filter(reverses=txn).exists()


def balances_of(accounts: list[Account]) -> dict[int, int]:
    """Cached balances of several accounts, read fresh from the database."""
    return dict(Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("id", "balance_fen"))


def balances_by_id(account_ids) -> dict[int, int]:
    """Cached balances of the accounts with these ids, by id, in one query (system read for other
    apps' summaries, which have already scoped the objects that own the accounts)."""
    return dict(Account.objects.filter(pk__in=list(account_ids)).values_list("id", "balance_fen"))


def transaction_ids_for(*, subject_type: str, subject_id) -> list[int]:
    """Ids of a domain object's transactions (for audit trails), in one query."""
    return list(Transaction.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
                .values_list("id", flat=True))


def account_code(*, owner_id: int | None, purpose: str, key: str = "") -> str:
    """The code `books.services.account_for` gives the account of this owner, purpose and key."""
    return Account.make_code(owner_id=owner_id, purpose=purpose, key=key)


def account_ids_by_code(codes) -> dict[str, int]:
    """System read for reconciliation sources: the ids of the existing accounts with these codes."""
    return dict(Account.objects.filter(code__in=list(codes)).values_list("code", "id"))


def accounts_keyed(*, purposes: list[str], key: str | None = None, key_prefix: str | None = None) -> list[Account]:
    """System read for another app's reconciliation: the accounts of these purposes whose key is `key`
    (or starts with `key_prefix`)."""
    qs = Account.objects.filter(purpose__in=list(purposes))
    if key is not None:
        qs = qs.filter(key=key)
    if key_prefix is not None:
        qs = qs.filter(key__startswith=key_prefix)
    return list(qs)
