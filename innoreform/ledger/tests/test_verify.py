"""`innoreform ledger verify` detects every kind of tampering and names the first bad index."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from innoreform.core.actor import Actor
from innoreform.ledger import merkle, services
from innoreform.ledger.models import LedgerEntry, LedgerHead, LedgerNode, node_id
from innoreform.ledger.verify import verify_log

from .helpers import append_many, raw_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def log40():
    append_many(25)
    services.publish_checkpoint(actor=Actor.system())
    append_many(15)
    services.publish_checkpoint(actor=Actor.system())
    rep = verify_log()
    assert rep.ok, rep.problems
    assert (rep.checked_entries, rep.checked_checkpoints) == (40, 2)
    return 40


def _body(index):
    return bytes(LedgerEntry.objects.get(index=index).body)


def test_intact_log_verifies_via_command(log40, capsys):
    call_command("ledger", "verify")
    assert "OK" in capsys.readouterr().out


def test_edit_is_named(log40, capsys):
    tampered = _body(13).replace(b"testing", b"TESTING")
    raw_sql("UPDATE ledger_ledgerentry SET body = %s WHERE \"index\" = 13", [tampered])
    rep = verify_log()
    assert rep.first_bad_index == 13
    with pytest.raises(CommandError, match="first bad index: 13"):
        call_command("ledger", "verify")
    assert "BAD at index 13" in capsys.readouterr().out


def test_edit_with_recomputed_leaf_hash_is_named_by_its_subtree(log40):
    tampered = _body(12).replace(b"testing", b"TESTING")
    raw_sql("UPDATE ledger_ledgerentry SET body = %s, leaf_hash = %s WHERE \"index\" = 12",
            [tampered, merkle.leaf_hash(tampered)])
    rep = verify_log()
    assert rep.first_bad_index == 12  # the stored level-1 node over entries 12..13 no longer matches
    assert any("node (1, 6)" in m for _i, m in rep.problems)
    # Even rewriting every stored hash and the head cannot match the signed checkpoints.
    _rewrite_all_hashes()
    rep = verify_log()
    assert not rep.ok
    assert any("signed checkpoint" in m for _i, m in rep.problems)


def _rewrite_all_hashes():
    bodies = [bytes(b) for b in LedgerEntry.objects.order_by("index").values_list("body", flat=True)]
    r = merkle.CompactRange()
    with connection.cursor():
        raw_sql("DELETE FROM ledger_ledgernode")
    for i, b in enumerate(bodies):
        lh = merkle.leaf_hash(b)
        raw_sql("UPDATE ledger_ledgerentry SET leaf_hash = %s WHERE \"index\" = %s", [lh, i])
        LedgerNode.objects.bulk_create([LedgerNode(node_id=node_id(lv, ix), hash=h) for lv, ix, h in r.append(lh)])
    LedgerHead.objects.filter(pk=1).update(root=r.root())


def test_delete_is_named(log40):
    raw_sql("DELETE FROM ledger_ledgerentry WHERE \"index\" = 21")
    rep = verify_log()
    assert rep.first_bad_index == 21
    assert "missing" in rep.problems[0][1]


def test_insert_is_named(log40):
    # an extra row appended past the head
    raw_sql("INSERT INTO ledger_ledgerentry (\"index\", uid, leaf_hash, body, entry_type, created_at) "
            "SELECT 40, 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', leaf_hash, body, entry_type, created_at "
            "FROM ledger_ledgerentry WHERE \"index\" = 5")
    rep = verify_log()
    assert rep.first_bad_index == 40


def test_insert_in_the_middle_is_named(log40):
    # shift entries 30.. up by one and put a forged entry at 30 (with a consistent leaf hash)
    for i in range(39, 29, -1):
        raw_sql("UPDATE ledger_ledgerentry SET \"index\" = %s WHERE \"index\" = %s", [i + 1, i])
    forged = _body(5)
    raw_sql("INSERT INTO ledger_ledgerentry (\"index\", uid, leaf_hash, body, entry_type, created_at) "
            "SELECT 30, 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', %s, %s, entry_type, created_at "
            "FROM ledger_ledgerentry WHERE \"index\" = 5", [merkle.leaf_hash(forged), forged])
    raw_sql("UPDATE ledger_ledgerhead SET size = 41")
    rep = verify_log()
    assert rep.first_bad_index == 30  # the copy of entry 5 repeats its id, and node (1, 15) breaks


def test_reorder_is_named(log40):
    a, b = _body(17), _body(33)
    raw_sql("UPDATE ledger_ledgerentry SET body = %s WHERE \"index\" = 17", [b])
    raw_sql("UPDATE ledger_ledgerentry SET body = %s WHERE \"index\" = 33", [a])
    assert verify_log().first_bad_index == 17


def test_reorder_of_whole_rows_is_named(log40):
    # swap rows 17 and 33 entirely (body and leaf hash): the subtree over 16..17 breaks first
    raw_sql("UPDATE ledger_ledgerentry SET \"index\" = -1 WHERE \"index\" = 17")
    raw_sql("UPDATE ledger_ledgerentry SET \"index\" = 17 WHERE \"index\" = 33")
    raw_sql("UPDATE ledger_ledgerentry SET \"index\" = 33 WHERE \"index\" = -1")
    rep = verify_log()
    assert rep.first_bad_index in (16, 17)
    assert any("node (1, 8)" in m for _i, m in rep.problems)


def test_truncate_is_named(log40):
    raw_sql("DELETE FROM ledger_ledgerentry WHERE \"index\" >= 31")
    rep = verify_log()
    assert rep.first_bad_index == 31
    # and also when the attacker rewinds the head: the signed checkpoint of size 40 is beyond the log
    LedgerHead.objects.filter(pk=1).update(size=31)
    rep = verify_log()
    assert rep.first_bad_index == 31
    assert any("truncated" in m for _i, m in rep.problems)


def test_forged_checkpoint_signature_is_caught(log40):
    from innoreform.ledger.models import LedgerCheckpoint

    cp = LedgerCheckpoint.objects.order_by("id").first()
    forged = cp.note.replace("\n25\n", "\n24\n")
    raw_sql("UPDATE ledger_ledgercheckpoint SET note = %s WHERE id = %s", [forged, cp.id])
    rep = verify_log()
    assert not rep.ok
    assert "invalid signature" in rep.problems[0][1]


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete(log40):
    for sql in ("UPDATE ledger_ledgerentry SET body = body WHERE \"index\" = 1",
                "DELETE FROM ledger_ledgerentry WHERE \"index\" = 39",
                "DELETE FROM ledger_ledgernode",
                "UPDATE ledger_ledgercheckpoint SET note = ''"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_then_full_verify():
    """Eight threads append and sequence at the same time; the result is one consistent log."""
    errors = []

    def worker(k):
        try:
            for i in range(40):
                with transaction.atomic():
                    services.append_entry(actor=Actor.system(), entry_type="test.concurrent",
                                          object_ref=f"test.thing:{k}-{i}", sequence_on_commit=False)
                if i % 5 == 0:
                    services.sequence_pending(batch_size=16)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    services.sequence_pending()
    services.publish_checkpoint(actor=Actor.system())
    rep = verify_log()
    assert rep.ok, rep.problems
    assert rep.checked_entries == 320
    assert LedgerEntry.objects.values("uid").distinct().count() == 320


def test_tampered_head_border_is_caught(log40):
    LedgerHead.objects.filter(pk=1).update(border=bytes(32 * 2))  # 40 = 32 + 8: two border nodes
    rep = verify_log()
    assert any("border" in m for _i, m in rep.problems)
