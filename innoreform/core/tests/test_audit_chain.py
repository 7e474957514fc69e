"""The audit hash chain (issue #19 item 3): `innoreform audit verify` finds a deleted, altered or
inserted audit row and names the first broken position; a clean trail verifies."""

import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from innoreform.core import audit, audit_chain
from innoreform.core.actor import Actor
from innoreform.core.models import AuditChainLink, AuditEvent

pytestmark = pytest.mark.django_db


@contextmanager
def around_append_only():
    """Write the audit table the way someone with more rights than the application could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def trail(django_capture_on_commit_callbacks):
    actor = Actor.system()
    audit_chain.chain_pending()  # events that fixtures wrote outside this test's commits
    with django_capture_on_commit_callbacks(execute=True):
        ids = [audit.record(actor=actor, action="test.event", object_type="x", object_id=i, changes={"n": i})
               for i in range(5)]
    return ids


def verify_first():
    report = audit_chain.verify(grace=timedelta(0))
    return report.first


def test_each_committed_event_is_linked_and_the_trail_verifies(trail):
    links = {link.event_id: link.seq for link in AuditChainLink.objects.all()}
    assert set(trail) <= set(links)
    assert [links[i] for i in trail] == sorted(links[i] for i in trail)
    assert audit_chain.verify().ok
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK" in out.getvalue()


def test_a_deleted_row_is_found(trail):
    seq = AuditChainLink.objects.get(event_id=trail[2]).seq
    with around_append_only() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [trail[2]])
    assert verify_first() == ("seq", seq, f"event {trail[2]} was deleted")
    with pytest.raises(CommandError, match=f"first broken position: seq {seq}"):
        call_command("audit", "verify", "--grace-seconds", "0", stdout=io.StringIO())


def test_an_altered_row_is_found(trail):
    seq = AuditChainLink.objects.get(event_id=trail[1]).seq
    with around_append_only() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = 'someone else' WHERE id = %s", [trail[1]])
    assert verify_first()[:2] == ("seq", seq)


def test_an_inserted_row_is_found(trail):
    forged = AuditEvent.objects.create(actor_label="system", action="test.forged", object_type="x", object_id="9")
    assert verify_first()[:2] == ("event", forged.pk)


def test_a_link_forged_without_the_key_is_found(trail, settings):
    forged = AuditEvent.objects.create(actor_label="system", action="test.forged", object_type="x", object_id="9")
    key = settings.AUDIT_CHAIN_KEY
    settings.AUDIT_CHAIN_KEY = "a forger's guess"
    audit_chain.chain_pending(older_than=None)
    settings.AUDIT_CHAIN_KEY = key
    assert verify_first()[:2] == ("seq", AuditChainLink.objects.get(event_id=forged.pk).seq)


def test_a_rolled_back_event_is_not_linked(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                audit.record(actor=Actor.system(), action="test.rolled_back")
                raise RuntimeError
        except RuntimeError:
            pass
        audit.record(actor=Actor.system(), action="test.kept")
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    kept = AuditEvent.objects.get(action="test.kept")
    assert AuditChainLink.objects.filter(event_id=kept.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_an_event_written_outside_a_transaction_is_linked_at_once():
    event_id = audit.record(actor=Actor.system(), action="test.autocommit")
    assert AuditChainLink.objects.filter(event_id=event_id).exists()
    assert audit_chain.verify(grace=timedelta(0)).ok
