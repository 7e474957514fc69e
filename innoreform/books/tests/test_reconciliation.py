"""T07 reconciliation_detects_breaks: seeded breaks are all reported; a clean book reports zero.

Breaks are written around the services with raw SQL (on PostgreSQL the append-only trigger is
switched off inside the test's own transaction, which rolls back)."""

import json
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection

from innoreform.books import reconciliation, services
from innoreform.books.models import AccountPurpose, Transaction
from innoreform.books.reconciliation import Expected, reconcile

pytestmark = pytest.mark.django_db


@contextmanager
def raw_sql():
    with connection.cursor() as cur:
        pg = connection.vendor == "postgresql"
        if pg:
            # Fire pending deferred FK checks first: ALTER TABLE refuses to run while any are queued.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE books_posting DISABLE TRIGGER books_posting_append_only")
            cur.execute("ALTER TABLE books_transaction DISABLE TRIGGER books_transaction_append_only")
        yield cur
        if pg:
            cur.execute("ALTER TABLE books_posting ENABLE TRIGGER books_posting_append_only")
            cur.execute("ALTER TABLE books_transaction ENABLE TRIGGER books_transaction_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def book(system, city, funded_pool):
    expense = services.account_for(actor=system, owner=city, purpose=AccountPurpose.EXPENSE)
    t1 = services.post_transaction(actor=system, kind="pay", reference="pay:1", subject_type="claim", subject_id=1,
                                   lines=[(expense, 100), (funded_pool, -100)])
    t2 = services.post_transaction(actor=system, kind="pay", reference="pay:2", subject_type="claim", subject_id=2,
                                   lines=[(expense, 200), (funded_pool, -200)])
    t3 = services.post_transaction(actor=system, kind="pay", reference="pay:3", subject_type="claim", subject_id=3,
                                   lines=[(expense, 300), (funded_pool, -300)])
    services.reverse_transaction(actor=system, transaction=t3, reason="withdrawn")
    expected = [
        Expected(reference="pay:1", kind="pay", subject_type="claim", subject_id="1",
                 lines={expense.pk: 100, funded_pool.pk: -100}),
        Expected(reference="pay:2", kind="pay", subject_type="claim", subject_id="2",
                 lines={expense.pk: 200, funded_pool.pk: -200}),
    ]
    return {"pool": funded_pool, "expense": expense, "t1": t1, "t2": t2, "expected": expected}


def kinds_of(report):
    return sorted(b.kind for b in report.breaks)


@pytest.mark.parametrize("chunk", [500, 1], ids=["one-query", "chunked"])
def test_clean_book_reports_zero(book, chunk, monkeypatch):
    monkeypatch.setattr(reconciliation, "CHUNK", chunk)
    report = reconcile(expected=book["expected"])
    assert report.clean, report.as_dict()
    assert report.transactions == 5 and report.expectations == 2


def test_altered_posting_amount(book):
    with raw_sql() as cur:
        cur.execute("UPDATE books_posting SET amount_fen = 150 WHERE transaction_id = %s AND account_id = %s",
                    [book["t1"].pk, book["expense"].pk])
    report = reconcile(expected=book["expected"])
    assert kinds_of(report) == ["balance_mismatch", "mismatched_posting", "unbalanced_transaction"]
    assert report.counts()["unbalanced_transaction"] == 1


def test_missing_posting(book):
    with raw_sql() as cur:
        cur.execute("DELETE FROM books_posting WHERE transaction_id = %s AND account_id = %s",
                    [book["t2"].pk, book["pool"].pk])
    report = reconcile(expected=book["expected"])
    assert kinds_of(report) == ["balance_mismatch", "mismatched_posting", "missing_postings",
                                "unbalanced_transaction"]


def test_duplicated_posting(book):
    with raw_sql() as cur:
        cur.execute("INSERT INTO books_posting (transaction_id, account_id, amount_fen) VALUES (%s, %s, 100)",
                    [book["t1"].pk, book["expense"].pk])
        cur.execute("INSERT INTO books_posting (transaction_id, account_id, amount_fen) VALUES (%s, %s, -100)",
                    [book["t1"].pk, book["pool"].pk])
    report = reconcile(expected=book["expected"])
    # Balanced, yet every other check sees it.
    assert kinds_of(report) == ["balance_mismatch", "balance_mismatch", "duplicate_posting", "duplicate_posting",
                                "mismatched_posting"]


@pytest.mark.parametrize("chunk", [500, 1], ids=["one-query", "chunked"])
def test_missing_and_duplicated_business_events(system, book, chunk, monkeypatch):
    monkeypatch.setattr(reconciliation, "CHUNK", chunk)
    # A second payment for claim 1 under a fresh reference (the double payment that sums to zero).
    services.post_transaction(actor=system, kind="pay", reference="pay:1-again", subject_type="claim",
                              subject_id=1, lines=[(book["expense"], 100), (book["pool"], -100)])
    # An unexplained payment, and an expected one that never happened.
    services.post_transaction(actor=system, kind="pay", reference="pay:9", subject_type="claim", subject_id=9,
                              lines=[(book["expense"], 5), (book["pool"], -5)])
    expected = [*book["expected"], Expected(reference="pay:4", kind="pay", subject_type="claim", subject_id="4",
                                           lines={book["expense"].pk: 400, book["pool"].pk: -400})]
    report = reconcile(expected=expected)
    assert kinds_of(report) == ["duplicate_transaction", "missing_transaction", "unexpected_transaction"]
    dup = next(b for b in report.breaks if b.kind == "duplicate_transaction")
    assert dup.detail["duplicates"] == "pay:1"
    # A reversed expected event counts as missing.
    services.reverse_transaction(actor=system, transaction=book["t2"], reason="bank returned it")
    report = reconcile(expected=book["expected"])
    missing = [b for b in report.breaks if b.kind == "missing_transaction"]
    assert missing == [reconciliation.Break("missing_transaction", {"reference": "pay:2", "reversed": True})]


def test_cached_balance_drift_and_negative_guarded(book):
    with raw_sql() as cur:
        cur.execute("UPDATE books_account SET balance_fen = balance_fen + 1 WHERE id = %s", [book["pool"].pk])
    assert kinds_of(reconcile()) == ["balance_mismatch"]
    with raw_sql() as cur:
        cur.execute("UPDATE books_account SET balance_fen = balance_fen - 1 WHERE id = %s", [book["pool"].pk])
        # Drain the pool below zero behind the services' back.
        cur.execute("INSERT INTO books_posting (transaction_id, account_id, amount_fen) VALUES (%s, %s, -10000000)",
                    [book["t1"].pk, book["pool"].pk])
    assert kinds_of(reconcile()) == ["balance_mismatch", "duplicate_posting", "negative_balance",
                                     "unbalanced_transaction"]


def test_reversal_that_does_not_mirror(book):
    reversal = Transaction.objects.get(kind="reversal")
    with raw_sql() as cur:
        cur.execute("UPDATE books_posting SET amount_fen = amount_fen * 2 WHERE transaction_id = %s", [reversal.pk])
    assert "reversal_mismatch" in kinds_of(reconcile())


def test_command_reports_and_exits_nonzero_on_breaks(book, capsys):
    call_command("books", "reconcile", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["clean"] is True and out["breaks"] == []
    with raw_sql() as cur:
        cur.execute("UPDATE books_account SET balance_fen = 7 WHERE id = %s", [book["pool"].pk])
    with pytest.raises(SystemExit) as exc:
        call_command("books", "reconcile")
    assert exc.value.code == 1
    assert "balance_mismatch: 1" in capsys.readouterr().out


def test_registered_sources_are_checked(book, monkeypatch):
    monkeypatch.setattr(reconciliation, "_sources", {})
    reconciliation.register_source("claims", lambda: (["pay"], book["expected"][:1]))
    report = reconcile(include_sources=True)
    assert kinds_of(report) == ["unexpected_transaction"]  # pay:2 is not explained by the source
    assert report.expectations == 1
