"""Writes to the books. Domains (budgets, vouchers, loans, subsidies, pools) call these inside
their own `transaction.atomic()`; every function here opens a nested atomic block, so it commits
or rolls back with the caller's change.

    from innoreform.books import services as books
    pool = books.account_for(actor=actor, owner=city, purpose=AccountPurpose.POOL, key=f"pool:{p.pk}")
    source = books.account_for(actor=actor, owner=city, purpose=AccountPurpose.FUNDING_SOURCE)
    books.post_transaction(actor=actor, kind="pools.contribution", reference=f"pools:contribution:{c.pk}",
                           lines=[(pool, 500_000_00), (source, -500_000_00)],
                           subject_type="pools.contribution", subject_id=c.pk)

Amounts are signed integer fen: positive is a debit, negative a credit; the lines of one
transaction sum to zero. Every transaction (a reversal too) appends one trust-ledger entry in the
same transaction, typed by the caller's `entry_type` (default "books.money_moved") and about
`subject_organisation`; domains do not write their own entry for a posting. The entry's uid is on
the returned transaction as `ledger_uid`.

An account's balance is in its normal side's terms, and a guarded account (`may_go_negative=False`)
never goes below zero: the posting is refused with Conflict(code="insufficient_funds").

Concurrency: the touched accounts are locked (SELECT ... FOR NO KEY UPDATE, primary-key order)
after the rows are written and held until the caller's outermost transaction commits, so post as
late as possible in a domain transaction and commit soon after. The same `reference` posted twice
concurrently: one succeeds, the other gets Conflict("duplicate_reference"). Idempotent domains
can look the event up first with selectors.transaction_by_reference().
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, Value
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import Organisation
from innoreform.ledger import services as ledger

from .models import (
    PURPOSE_MAY_GO_NEGATIVE,
    PURPOSE_NORMAL_BALANCE,
    Account,
    AccountPurpose,
    NormalBalance,
    Posting,
    Transaction,
)

Line = tuple[Account | int, int]


# --- accounts -------------------------------------------------------------------------------


def _owner_id(owner: Organisation | int | None) -> int | None:
    if owner is None:
        return None
    return owner if isinstance(owner, int) else owner.pk


def account_for(
    *,
    actor: Actor,
    owner: Organisation | int | None,
    purpose: str,
    key: str = "",
    name: str = "",
    normal_balance: str | None = None,
    may_go_negative: bool | None = None,
) -> Account:
    """The account of `owner` (None: the platform/public side) for `purpose` and `key`, opened on
    first use. Safe under concurrency: the account code is unique. If the account exists with a
    different normal side or guard than asked for, raises Conflict (a programming error)."""
    if purpose not in AccountPurpose.values:
        raise ValidationFailed(details={"purpose": [_("Unknown account purpose.")]})
    owner_id = _owner_id(owner)
    code = Account.make_code(owner_id=owner_id, purpose=purpose, key=key)
    if len(code) > 200:
        raise ValidationFailed(details={"key": [_("The account key is too long.")]})
    account = Account.objects.filter(code=code).first()
    if account is None:
        wanted_side = normal_balance or PURPOSE_NORMAL_BALANCE[AccountPurpose(purpose)]
        if wanted_side not in NormalBalance.values:
            raise ValidationFailed(details={"normal_balance": [_("Choose debit or credit.")]})
        wanted_guard = purpose in PURPOSE_MAY_GO_NEGATIVE if may_go_negative is None else may_go_negative
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    owner_id=owner_id, purpose=purpose, key=key, code=code, name=name[:200],
                    normal_balance=wanted_side, may_go_negative=wanted_guard,
                )
                audit.record(
                    actor=actor, action="books.account_opened", obj=account,
                    changes={"code": code, "normal_balance": wanted_side, "may_go_negative": wanted_guard},
                )
        except IntegrityError:
            # Opened concurrently by another request: use that one.
            account = Account.objects.get(code=code)
    if normal_balance is not None and account.normal_balance != normal_balance:
        raise Conflict(_("The account exists with another normal balance."), code="account_mismatch")
    if may_go_negative is not None and account.may_go_negative != may_go_negative:
        raise Conflict(_("The account exists with another overdraft setting."), code="account_mismatch")
    return account


def open_account(**kwargs: Any) -> Account:
    """Like account_for, but refuses (Conflict "account_exists") when the account already exists."""
    code = Account.make_code(owner_id=_owner_id(kwargs.get("owner")), purpose=kwargs.get("purpose", ""),
                             key=kwargs.get("key", ""))
    if Account.objects.filter(code=code).exists():
        raise Conflict(_("This account already exists."), code="account_exists")
    return account_for(**kwargs)


# --- transactions ---------------------------------------------------------------------------


def _validate(kind: str, reference: str, lines: Sequence[Line]) -> list[tuple[int, int]]:
    errors: dict[str, list[str]] = {}
    if not kind or len(kind) > 64:
        errors["kind"] = [_("Give a kind of at most 64 characters.")]
    if not reference or len(reference) > 200:
        errors["reference"] = [_("Give a reference of at most 200 characters.")]
    normalised: list[tuple[int, int]] = []
    if not isinstance(lines, list | tuple) or len(lines) < 2:
        errors["lines"] = [_("A transaction needs at least two lines.")]
    else:
        for line in lines:
            try:
                account, amount = line
            except (TypeError, ValueError):
                errors.setdefault("lines", []).append(_("Each line is (account, amount in fen)."))
                continue
            account_id = account.pk if isinstance(account, Account) else account
            if not isinstance(account_id, int) or isinstance(account_id, bool):
                errors.setdefault("lines", []).append(_("Each line needs a saved account."))
                continue
            if not isinstance(amount, int) or isinstance(amount, bool):
                errors.setdefault("lines", []).append(_("Amounts are whole fen (integers)."))
                continue
            if amount == 0:
                errors.setdefault("lines", []).append(_("A line cannot be zero."))
                continue
            normalised.append((account_id, amount))
        if "lines" not in errors:
            if len({a for a, _amount in normalised}) != len(normalised):
                errors["lines"] = [_("Each account may appear once per transaction; add its lines up.")]
            elif sum(amount for _a, amount in normalised) != 0:
                errors["lines"] = [_("The lines of a transaction must sum to zero.")]
    if errors:
        raise ValidationFailed(details=errors)
    return normalised


def _post(
    *,
    actor: Actor,
    kind: str,
    reference: str,
    memo: str,
    lines: Sequence[Line],
    subject_type: str,
    subject_id: Any,
    correlation: str,
    audit_action: str,
    audit_changes: dict,
    entry_type: str,
    subject_organisation: Organisation | int | None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Write the transaction, its postings and the audit row first, then lock the accounts (in
    primary-key order, so two posters cannot deadlock), check the guards against the locked
    balances and move them. Locking last keeps each account's lock short: a hot pool serialises
    only the guard check, the balance updates and the commit. Any refusal rolls everything back."""
    normalised = _validate(kind, reference, lines)
    account_ids = sorted({a for a, _amount in normalised})
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=account_ids).only("id", "currency")}
    if len(accounts) != len(account_ids):
        raise NotFound(_("An account in this transaction does not exist."), code="account_not_found")
    if len({a.currency for a in accounts.values()}) != 1:
        raise ValidationFailed(details={"lines": [_("All accounts of a transaction must use one currency.")]})
    if reverses is not None and Transaction.objects.filter(reverses=reverses).exists():
        raise Conflict(_("This transaction has already been reversed."), code="already_reversed")
    if Transaction.objects.filter(reference=reference).exists():
        raise Conflict(_("This business event has already been posted."), code="duplicate_reference",
                       details={"reference": reference})
    try:
        # A concurrent twin with the same reference waits here on the unique index until the
        # first commits, then fails: the same business event is posted once.
        with transaction.atomic():
            txn = Transaction.objects.create(
                kind=kind, reference=reference, memo=(memo or "")[:500],
                subject_type=subject_type[:100], subject_id=str(subject_id if subject_id is not None else "")[:64],
                correlation=correlation[:100], reverses=reverses,
                actor=actor.user, actor_label=actor.label[:150], organisation=actor.organisation,
            )
    except IntegrityError as exc:
        if reverses is not None and Transaction.objects.filter(reverses=reverses).exists():
            raise Conflict(_("This transaction has already been reversed."), code="already_reversed") from exc
        raise Conflict(_("This business event has already been posted."), code="duplicate_reference",
                       details={"reference": reference}) from exc
    Posting.objects.bulk_create(
        [Posting(transaction=txn, account_id=account_id, amount_fen=amount) for account_id, amount in normalised]
    )
    audit.record(actor=actor, action=audit_action, obj=txn, changes=audit_changes)
    # Written before the accounts are locked, so the entry adds nothing to the time they are held.
    # A posting that cannot reach the ledger raises and rolls back: no money moves unlogged.
    txn.ledger_uid = ledger.append_commitment(
        actor=actor, entry_type=entry_type, obj=txn, subject_organisation=subject_organisation,
        payload={"transaction": str(txn.uuid), "kind": kind, "reference": reference,
                 "subject": f"{txn.subject_type}:{txn.subject_id}", "correlation": txn.correlation,
                 "reverses": str(reverses.uuid) if reverses is not None else "", "lines": normalised})
    # FOR NO KEY UPDATE: serialises posters on these rows but, unlike FOR UPDATE, does not wait for
    # (or deadlock with) the key-share locks that foreign-key checks take on accounts.
    locked = {a.pk: a for a in Account.objects.select_for_update(no_key=True).filter(pk__in=account_ids)
              .order_by("pk")}
    deltas: dict[int, int] = {}
    for account_id, amount in normalised:
        account = locked[account_id]
        delta = account.sign * amount
        new_balance = account.balance_fen + delta
        if new_balance < 0 and not account.may_go_negative:
            raise Conflict(
                _("Insufficient funds in account %(account)s.") % {"account": account},
                code="insufficient_funds",
                details={"account_id": account.pk, "balance_fen": account.balance_fen, "required_fen": -delta},
            )
        deltas[account_id] = delta
    for account_id, delta in deltas.items():
        # A bare int would be bound as a 32-bit integer with server-side binding (Django types a
        # Value(int) as IntegerField) and wrap above 2^31 fen; bind it as the column's bigint.
        Account.objects.filter(pk=account_id).update(
            balance_fen=F("balance_fen") + Value(delta, output_field=BigIntegerField()))
    return txn


def post_transaction(
    *,
    actor: Actor,
    kind: str,
    reference: str,
    lines: Sequence[Line],
    memo: str = "",
    subject_type: str = "",
    subject_id: Any = "",
    correlation: str = "",
    entry_type: str = "books.money_moved",
    subject_organisation: Organisation | int | None = None,
) -> Transaction:
    """Post one balanced business event and its trust-ledger entry (`entry_type`, e.g.
    "financing.loan_disbursed", about `subject_organisation`, the enterprise or institution whose
    money it is). Raises ValidationFailed (bad lines or entry type), NotFound (unknown account),
    Conflict "duplicate_reference" (already posted) or "insufficient_funds"."""
    with transaction.atomic():
        return _post(
            actor=actor, kind=kind, reference=reference, memo=memo, lines=lines, subject_type=subject_type,
            subject_id=subject_id, correlation=correlation, audit_action="books.transaction_posted",
            entry_type=entry_type, subject_organisation=subject_organisation,
            audit_changes={"kind": kind, "reference": reference,
                           "lines": [[getattr(a, "pk", a), amount] for a, amount in lines]},
        )


def reverse_transaction(*, actor: Actor, transaction: Transaction, reason: str, reference: str | None = None,
                        entry_type: str = "books.money_reversed",
                        subject_organisation: Organisation | int | None = None) -> Transaction:
    """Post the mirror image of `transaction` (every line negated), with its trust-ledger entry as
    post_transaction. A transaction is reversed at most once and a reversal is not itself reversed
    (post the event again with a new reference). Guards still apply: money already spent cannot be
    reversed out of an account."""
    from django.db import transaction as db_transaction

    original = transaction
    if not reason or not reason.strip():
        raise ValidationFailed(details={"reason": [_("Say why the transaction is reversed.")]})
    with db_transaction.atomic():
        original = Transaction.objects.get(pk=original.pk)
        if original.reverses_id is not None:
            raise Conflict(_("A reversal cannot be reversed; post the event again."), code="cannot_reverse_reversal")
        if Transaction.objects.filter(reverses=original).exists():
            raise Conflict(_("This transaction has already been reversed."), code="already_reversed")
        lines = [(p.account_id, -p.amount_fen) for p in original.postings.order_by("id")]
        reference = reference or f"reversal:{original.reference}"[:200]
        return _post(
            actor=actor, kind="reversal", reference=reference, memo=reason, lines=lines,
            subject_type=original.subject_type, subject_id=original.subject_id, correlation=original.correlation,
            reverses=original, audit_action="books.transaction_reversed",
            entry_type=entry_type, subject_organisation=subject_organisation,
            audit_changes={"reverses": str(original.uuid), "reference": reference, "reason": reason},
        )


def post_many(*, actor: Actor, items: Iterable[dict]) -> list[Transaction]:
    """Post several transactions all or nothing (e.g. one settlement batch)."""
    with transaction.atomic():
        return [post_transaction(actor=actor, **item) for item in items]
