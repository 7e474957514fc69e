import pytest
from django.db import transaction

from innoreform.books import services
from innoreform.books.models import Account, AccountPurpose, NormalBalance, Posting, Transaction
from innoreform.core.errors import Conflict, NotFound, ValidationFailed
from innoreform.core.models import AuditEvent, OrgKind
from innoreform.core.testing import make_org

pytestmark = pytest.mark.django_db


def _payable(system, bank):
    return services.account_for(actor=system, owner=bank, purpose=AccountPurpose.INSTITUTION_PAYABLE)


def test_account_for_is_get_or_create_with_purpose_defaults(system, city):
    pool = services.account_for(actor=system, owner=city, purpose=AccountPurpose.POOL, key="p1")
    again = services.account_for(actor=system, owner=city, purpose=AccountPurpose.POOL, key="p1")
    assert pool.pk == again.pk
    assert pool.normal_balance == NormalBalance.DEBIT and pool.may_go_negative is False
    source = services.account_for(actor=system, owner=None, purpose=AccountPurpose.FUNDING_SOURCE)
    assert source.owner_id is None and source.normal_balance == NormalBalance.CREDIT
    world = services.account_for(actor=system, owner=None, purpose=AccountPurpose.EXTERNAL)
    assert world.may_go_negative is True
    assert AuditEvent.objects.filter(action="books.account_opened").count() == 3


def test_account_for_refuses_conflicting_settings_and_open_account_refuses_duplicates(system, city):
    services.account_for(actor=system, owner=city, purpose=AccountPurpose.BUDGET, key="2026")
    with pytest.raises(Conflict) as exc:
        services.account_for(actor=system, owner=city, purpose=AccountPurpose.BUDGET, key="2026",
                             may_go_negative=True)
    assert exc.value.code == "account_mismatch"
    with pytest.raises(Conflict) as exc:
        services.open_account(actor=system, owner=city, purpose=AccountPurpose.BUDGET, key="2026")
    assert exc.value.code == "account_exists"
    with pytest.raises(ValidationFailed):
        services.account_for(actor=system, owner=city, purpose="nonsense")


def test_post_transaction_moves_balances_in_normal_side_terms(system, city, funded_pool):
    source = Account.objects.get(purpose=AccountPurpose.FUNDING_SOURCE)
    assert funded_pool.balance_fen == 100_000
    assert source.balance_fen == 100_000  # credit-normal: a credit raises it
    bank = make_org(kind=OrgKind.BANK)
    payable = _payable(system, bank)
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    # Approve a claim: expense up, owed to the bank (credit-normal payable goes up).
    services.post_transaction(actor=system, kind="test.approve", reference="approve:1",
                              lines=[(expense, 30_000), (payable, -30_000)])
    payable.refresh_from_db()
    assert payable.balance_fen == 30_000
    # Debiting the payable beyond what is owed would take it below zero.
    with pytest.raises(Conflict):
        services.post_transaction(actor=system, kind="test.payout", reference="pay:0",
                                  lines=[(payable, 30_001), (funded_pool, -30_001)])
    txn = services.post_transaction(actor=system, kind="test.payout", reference="pay:1", memo="claim 1",
                                    lines=[(payable.pk, 30_000), (funded_pool, -30_000)],
                                    subject_type="pools.claim", subject_id=7, correlation="batch-1")
    funded_pool.refresh_from_db()
    payable.refresh_from_db()
    assert funded_pool.balance_fen == 70_000
    assert payable.balance_fen == 0
    assert sorted(txn.postings.values_list("amount_fen", flat=True)) == [-30_000, 30_000]
    assert txn.subject_id == "7" and txn.correlation == "batch-1"
    event = AuditEvent.objects.get(action="books.transaction_posted", object_id=str(txn.pk))
    assert event.changes["reference"] == "pay:1"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([("A", 100)], "lines"),
        ([("A", 100), ("B", -99)], "lines"),
        ([("A", 100.0), ("B", -100.0)], "lines"),
        ([("A", True), ("B", -1)], "lines"),
        ([("A", 0), ("B", 0)], "lines"),
        ([("A", 100), ("A", -100)], "lines"),
    ],
)
def test_post_transaction_validates_lines(system, city, funded_pool, lines, field):
    other = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    names = {"A": funded_pool, "B": other}
    real = [(names[a], amt) for a, amt in lines]
    with pytest.raises(ValidationFailed) as exc:
        services.post_transaction(actor=system, kind="t", reference="bad", lines=real)
    assert field in exc.value.details
    assert not Transaction.objects.filter(reference="bad").exists()


def test_unknown_account_is_not_found(system, funded_pool):
    with pytest.raises(NotFound):
        services.post_transaction(actor=system, kind="t", reference="x", lines=[(funded_pool, -1), (999_999, 1)])


def test_insufficient_funds_refused_and_nothing_written(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    before = Posting.objects.count()
    with pytest.raises(Conflict) as exc:
        services.post_transaction(actor=system, kind="t", reference="big",
                                  lines=[(expense, 100_001), (funded_pool, -100_001)])
    assert exc.value.code == "insufficient_funds"
    assert exc.value.details["account_id"] == funded_pool.pk
    assert Posting.objects.count() == before
    funded_pool.refresh_from_db()
    assert funded_pool.balance_fen == 100_000
    # Exactly the balance is fine.
    services.post_transaction(actor=system, kind="t", reference="all",
                              lines=[(expense, 100_000), (funded_pool, -100_000)])
    funded_pool.refresh_from_db()
    assert funded_pool.balance_fen == 0


def test_same_reference_twice_is_refused(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    services.post_transaction(actor=system, kind="t", reference="once", lines=[(expense, 5), (funded_pool, -5)])
    with pytest.raises(Conflict) as exc:
        services.post_transaction(actor=system, kind="t", reference="once", lines=[(expense, 5), (funded_pool, -5)])
    assert exc.value.code == "duplicate_reference"
    funded_pool.refresh_from_db()
    assert funded_pool.balance_fen == 100_000 - 5


def test_nested_in_a_domain_atomic_rolls_back_with_the_caller(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.post_transaction(actor=system, kind="t", reference="nested",
                                  lines=[(expense, 5), (funded_pool, -5)])
        raise RuntimeError("domain failed after posting")
    assert not Transaction.objects.filter(reference="nested").exists()
    funded_pool.refresh_from_db()
    assert funded_pool.balance_fen == 100_000
    # A refused posting inside a domain atomic leaves the outer transaction usable.
    with transaction.atomic():
        with pytest.raises(Conflict):
            services.post_transaction(actor=system, kind="t", reference="too-much",
                                      lines=[(expense, 10**9), (funded_pool, -(10**9))])
        services.post_transaction(actor=system, kind="t", reference="after", lines=[(expense, 1), (funded_pool, -1)])
    assert Transaction.objects.filter(reference="after").exists()


def test_reverse_transaction_mirrors_once(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    txn = services.post_transaction(actor=system, kind="t", reference="r1", lines=[(expense, 700), (funded_pool, -700)])
    rev = services.reverse_transaction(actor=system, transaction=txn, reason="wrong claim")
    assert rev.reverses_id == txn.pk and rev.kind == "reversal" and rev.reference == "reversal:r1"
    assert dict(rev.postings.values_list("account_id", "amount_fen")) == {expense.pk: -700, funded_pool.pk: 700}
    funded_pool.refresh_from_db()
    expense.refresh_from_db()
    assert funded_pool.balance_fen == 100_000 and expense.balance_fen == 0
    with pytest.raises(Conflict) as exc:
        services.reverse_transaction(actor=system, transaction=txn, reason="again")
    assert exc.value.code == "already_reversed"
    with pytest.raises(Conflict) as exc:
        services.reverse_transaction(actor=system, transaction=rev, reason="undo the undo")
    assert exc.value.code == "cannot_reverse_reversal"
    with pytest.raises(ValidationFailed):
        services.reverse_transaction(actor=system, transaction=txn, reason=" ")
    assert AuditEvent.objects.filter(action="books.transaction_reversed").count() == 1


def test_reversal_cannot_take_spent_money_below_zero(system, city):
    pool = services.account_for(actor=system, owner=city, purpose=AccountPurpose.POOL)
    source = services.account_for(actor=system, owner=city, purpose=AccountPurpose.FUNDING_SOURCE)
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    contribution = services.post_transaction(actor=system, kind="t", reference="c", lines=[(pool, 50), (source, -50)])
    services.post_transaction(actor=system, kind="t", reference="spend", lines=[(expense, 40), (pool, -40)])
    with pytest.raises(Conflict) as exc:
        services.reverse_transaction(actor=system, transaction=contribution, reason="returned")
    assert exc.value.code == "insufficient_funds"


def test_rows_are_append_only_in_python(system, city, funded_pool):
    txn = Transaction.objects.get(reference="fund:1")
    with pytest.raises(TypeError):
        txn.save()
    with pytest.raises(TypeError):
        txn.delete()
    with pytest.raises(TypeError):
        Posting.objects.filter(transaction=txn).update(amount_fen=1)
    with pytest.raises(TypeError):
        Posting.objects.filter(transaction=txn).delete()


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(system, city, funded_pool):
    from django.db import DatabaseError, connection

    txn = Transaction.objects.get(reference="fund:1")
    for sql in (
        "UPDATE books_posting SET amount_fen = 1 WHERE transaction_id = %s",
        "DELETE FROM books_posting WHERE transaction_id = %s",
        "UPDATE books_transaction SET memo = 'x' WHERE id = %s",
        "DELETE FROM books_transaction WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [txn.pk])
    assert Posting.objects.filter(transaction=txn).count() == 2


def test_post_many_is_all_or_nothing(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    items = [{"kind": "batch", "reference": f"batch:{i}", "lines": [(expense, 40_000), (funded_pool, -40_000)]}
             for i in range(3)]  # the third would overdraw the pool
    with pytest.raises(Conflict):
        services.post_many(actor=system, items=items)
    assert not Transaction.objects.filter(kind="batch").exists()
    funded_pool.refresh_from_db()
    assert funded_pool.balance_fen == 100_000
    assert len(services.post_many(actor=system, items=items[:2])) == 2


def _entries(**filters):
    from innoreform.ledger.models import LedgerEntry, LedgerPending

    return (list(LedgerPending.objects.filter(**filters).values_list("uid", "entry_type", "subject_organisation_id"))
            + list(LedgerEntry.objects.filter(**filters).values_list("uid", "entry_type", "subject_organisation_id")))


def test_every_posting_writes_one_ledger_entry_in_its_transaction(system, city, funded_pool):
    """Issue 18 item 2: the books, not each domain, commit every posting to the trust ledger."""
    from innoreform.ledger import entries

    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    before = len(_entries())
    txn = services.post_transaction(actor=system, kind="t", reference="logged", lines=[(expense, 9), (funded_pool, -9)],
                                    entry_type="pools.compensation_paid", subject_organisation=city)
    rev = services.reverse_transaction(actor=system, transaction=txn, reason="wrong")
    got = {str(uid): (kind, org) for uid, kind, org in _entries()}
    assert len(got) == before + 2
    assert got[txn.ledger_uid] == ("pools.compensation_paid", city.pk)
    assert got[rev.ledger_uid] == ("books.money_reversed", None)
    from innoreform.ledger.models import LedgerEntry, LedgerPending

    row = (LedgerPending.objects.filter(uid=txn.ledger_uid).first()
           or LedgerEntry.objects.get(uid=txn.ledger_uid))
    assert entries.parse(bytes(row.body))["object"] == f"books.transaction:{txn.pk}"
    # A refused posting leaves no entry behind.
    with pytest.raises(Conflict):
        services.post_transaction(actor=system, kind="t", reference="refused",
                                  lines=[(expense, 10**9), (funded_pool, -(10**9))])
    assert len(_entries()) == before + 2


def test_a_posting_that_cannot_reach_the_ledger_fails_and_moves_nothing(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    with pytest.raises(ValidationFailed):
        services.post_transaction(actor=system, kind="t", reference="unlogged",
                                  lines=[(expense, 5), (funded_pool, -5)], entry_type="Not A Type")
    assert not Transaction.objects.filter(reference="unlogged").exists()
    funded_pool.refresh_from_db()
    assert funded_pool.balance_fen == 100_000
