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
