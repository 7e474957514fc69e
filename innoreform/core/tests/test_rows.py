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
