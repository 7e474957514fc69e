"""core.rows writes the row create() would write: defaults, timestamps, foreign keys by object or
key, JSON through the field, and refuses names the model does not have."""

import pytest
from django.utils import timezone

from innoreform.core import rows
from innoreform.core.models import AuditEvent, IdempotencyRecord
from innoreform.core.testing import make_actor

pytestmark = pytest.mark.django_db


def test_insert_matches_create():
    actor = make_actor()
    before = timezone.now()
    pk = rows.insert(AuditEvent, actor=actor.user, organisation_id=actor.organisation_id, action="x.y",
                     changes={"amount_fen": 2**40, "note": "票"})
    ours = AuditEvent.objects.get(pk=pk)
    theirs = AuditEvent.objects.create(actor=actor.user, organisation_id=actor.organisation_id, action="x.y",
                                       changes={"amount_fen": 2**40, "note": "票"})
    theirs.refresh_from_db()
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "created_at")]
    assert [getattr(ours, c) for c in columns] == [getattr(theirs, c) for c in columns]
    assert ours.outcome == "success" and ours.changes == {"amount_fen": 2**40, "note": "票"}  # defaults, JSON
    assert before <= ours.created_at <= timezone.now()  # auto_now_add


def test_create_returns_the_written_instance_keeping_related_objects():
    actor = make_actor()
    event = rows.create(AuditEvent, actor=actor.user, organisation=actor.organisation, action="x.z")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (event.created_at, event.changes, event.outcome) == (stored.created_at, {}, "success")
    assert event.organisation is actor.organisation  # no read to get it back
    assert not event._state.adding


def test_unknown_names_are_refused_and_nothing_is_written():
    with pytest.raises(TypeError, match="colour"):
        rows.insert(IdempotencyRecord, scope="s", key="k", colour="red")
    assert not IdempotencyRecord.objects.exists()


def test_create_only_if_the_guard_matched_one_row():
    """The guarded insert (one statement on PostgreSQL, two elsewhere) writes the row only when its
    UPDATE matched: here, closing an open idempotency record once."""
    from django.db import connection

    record = IdempotencyRecord.objects.create(scope="s", key="k", method="POST", path="/p", request_hash="h")
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    guard = (f"UPDATE {table} SET completed_at = %s WHERE id = %s AND completed_at IS NULL",  # noqa: S608
             [timezone.now(), record.pk])
    first = rows.create(AuditEvent, only_if=guard, action="x.closed", changes={"n": 2**40})
    second = rows.create(AuditEvent, only_if=guard, action="x.closed")
    assert first is not None and second is None
    stored = AuditEvent.objects.get(action="x.closed")
    assert (stored.pk, stored.changes, stored.created_at) == (first.pk, {"n": 2**40}, first.created_at)
    record.refresh_from_db()
    assert record.completed_at is not None


def test_guarded_insert_refuses_an_over_long_text_as_create_does():
    from django.db import DataError, connection, transaction

    record = IdempotencyRecord.objects.create(scope="s", key="k2", method="POST", path="/p", request_hash="h")
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    guard = (f"UPDATE {table} SET completed_at = %s WHERE id = %s", [timezone.now(), record.pk])  # noqa: S608
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce a varchar's length")
    with pytest.raises(DataError), transaction.atomic():
        rows.create(AuditEvent, only_if=guard, action="x" * 101)  # action is varchar(100)


def _count_statements(block) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        block()
    return len(captured.captured_queries)


def test_later_rows_go_with_the_carrying_statement():
    """Two queued rows and an UPDATE: one statement on PostgreSQL, three elsewhere; all written."""
    from django.db import connection, transaction

    record = IdempotencyRecord.objects.create(scope="s", key="k3", method="POST", path="/p", request_hash="h")
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    answer = []

    def block():
        with transaction.atomic(), rows.Later() as later:
            assert rows.insert(AuditEvent, later=later, action="x.one", changes={"n": 2**40}) is None or \
                connection.vendor != "postgresql"
            queued = rows.create(AuditEvent, later=later, action="x.two")
            answer.append(rows.fetch_one(f"UPDATE {table} SET response_status = %s WHERE id = %s "  # noqa: S608
                                         "RETURNING response_status", [201, record.pk], carrying=later))
            assert queued.action == "x.two" and queued.created_at is not None

    statements = _count_statements(block)
    assert statements == (1 if connection.vendor == "postgresql" else 3) + 2  # + the savepoint's two
    assert answer == [(201,)]
    assert sorted(AuditEvent.objects.filter(action__startswith="x.").values_list("action", flat=True)) == \
        ["x.one", "x.two"]
    assert AuditEvent.objects.get(action="x.one").changes == {"n": 2**40}


def test_later_rows_nothing_carried_are_written_at_the_end_of_the_block():
    from django.db import transaction

    with transaction.atomic():
        with rows.Later() as later:
            rows.insert(AuditEvent, later=later, action="x.left")
        assert AuditEvent.objects.filter(action="x.left").exists()


def test_later_rows_are_written_when_the_block_ends_with_an_exception():
    """As an immediate insert would have left them: a caller that handles the error inside its
    transaction still finds the rows."""
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(RuntimeError), rows.Later() as later:
            rows.insert(AuditEvent, later=later, action="x.before_error")
            raise RuntimeError("the operation failed")
        assert AuditEvent.objects.filter(action="x.before_error").exists()


@pytest.mark.postgres
def test_a_failing_later_row_marks_the_transaction_for_rollback():
    """A queued row that cannot be written while another error is raised: the first error is the
    one reported, and the transaction cannot commit without the row."""
    from django.db import connection, transaction
    from django.db.transaction import TransactionManagementError

    if connection.vendor != "postgresql":
        pytest.skip("rows wait only on PostgreSQL")
    with transaction.atomic():
        with pytest.raises(RuntimeError), rows.Later() as later:
            rows.insert(AuditEvent, later=later, action="x" * 101)  # longer than action's varchar(100)
            raise RuntimeError("the operation failed")
        with pytest.raises(TransactionManagementError):
            AuditEvent.objects.exists()
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_later_rows_are_written_at_once():
    with rows.Later() as later:
        pk = rows.insert(AuditEvent, later=later, action="x.now")
    assert pk is not None and AuditEvent.objects.filter(pk=pk, action="x.now").exists()


def test_only_if_cannot_wait():
    from django.db import transaction

    with transaction.atomic(), rows.Later() as later, pytest.raises(TypeError):
        rows.create(AuditEvent, later=later, only_if=("UPDATE x SET y = 1", []), action="x.no")


def test_plain_values_skip_preparation_only_for_the_exact_type():
    """An int for an integer field goes as it is; a bool or a str-based choice still goes through
    the field (a bool into bigint would be refused by PostgreSQL's binding)."""
    pk = rows.insert(IdempotencyRecord, scope="s", key="k4", method="POST", path="/p", request_hash="h",
                     response_status=True)
    assert IdempotencyRecord.objects.get(pk=pk).response_status == 1


def test_a_statement_with_its_own_with_clause_cannot_carry_rows():
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("rows wait only on PostgreSQL")
    with transaction.atomic(), rows.Later() as later:
        rows.insert(AuditEvent, later=later, action="x.waiting")
        with pytest.raises(ValueError, match="WITH"):
            rows.fetch_one("WITH t AS (SELECT 1 AS n) SELECT n FROM t", [], carrying=later)
    assert AuditEvent.objects.filter(action="x.waiting").exists()  # written at the block's end


def test_choices_members_go_to_the_driver_as_their_plain_values():
    from innoreform.core.models import Outcome, Role

    assert rows._plain([Role.MEMBER, Outcome.DENIED, 7, None, "x"]) == ["member", "denied", 7, None, "x"]
    assert [type(p) for p in rows._plain([Role.MEMBER, Outcome.DENIED])] == [str, str]
    pk = rows.insert(AuditEvent, action="x.enum", outcome=Outcome.DENIED)
    assert AuditEvent.objects.filter(pk=pk, outcome="denied").exists()
    assert rows.fetch_one("SELECT %s", [Role.APPROVER]) == ("approver",)


def _only_with_record(key: str):
    """A carrying statement whose clause `touched` has a row only when the record's status is 200."""
    from django.db import connection

    record = IdempotencyRecord.objects.create(scope="s", key=key, method="POST", path="/p", request_hash="h",
                                              response_status=200)
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    return record, (("touched", f"UPDATE {table} SET response_status = response_status + 1 "  # noqa: S608
                                "WHERE id = %s AND response_status = %s RETURNING response_status", None),)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("matches", [True, False])
def test_only_with_rows_are_written_by_one_statement_only_if_its_clause_has_a_row(matches):
    """Outside a transaction (the statement is its own), with a given key and a value the statement
    computes (rows.Sql): all rows and the UPDATE, or nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL carries rows")
    record, ((name, sql, _params),) = _only_with_record(f"k-only-{matches}")
    drawn = rows.fetch_one("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [AuditEvent._meta.db_table])[0]

    def block():
        with rows.Later(only_with=name) as later:
            event = rows.create(AuditEvent, later=later, id=drawn, action="x.with-id")
            assert event.pk == drawn
            rows.insert(AuditEvent, later=later, action="x.computed",
                        changes=rows.Sql("jsonb_build_object('status', touched.response_status, 'n', %s)", [7]))
            answer.append(rows.fetch_one("SELECT (SELECT response_status FROM touched)", [],
                                         ctes=((name, sql, [record.pk, 200 if matches else 999]),), carrying=later))

    answer = []
    assert _count_statements(block) == 1
    record.refresh_from_db()
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="x.")}
    if matches:
        assert answer == [(201,)] and record.response_status == 201
        assert events["x.with-id"].pk == drawn and events["x.computed"].changes == {"status": 201, "n": 7}
    else:
        assert answer == [(None,)] and record.response_status == 200 and events == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_with_rows_left_uncarried_are_an_error_or_dropped_with_an_error():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL carries rows")
    with pytest.raises(RuntimeError, match="not carried"), rows.Later(only_with="touched") as later:
        rows.insert(AuditEvent, later=later, action="x.left")
    with pytest.raises(ValueError, match="refused"), rows.Later(only_with="touched") as later:
        rows.insert(AuditEvent, later=later, action="x.left")
        raise ValueError("refused")
    assert not AuditEvent.objects.filter(action="x.left").exists()


def test_sql_values_only_go_with_an_only_with_clause():
    from django.db import transaction

    with pytest.raises(TypeError, match="only_with"):
        rows.insert(AuditEvent, action="x.no", changes=rows.Sql("'{}'::jsonb"))
    with transaction.atomic(), rows.Later() as later, pytest.raises(TypeError, match="only_with"):
        rows.insert(AuditEvent, later=later, action="x.no", changes=rows.Sql("'{}'::jsonb"))
