"""The application's database role owns nothing (issue #19 item 3): on the append-only tables it
can SELECT and INSERT, and TRUNCATE, UPDATE, DELETE, DISABLE TRIGGER and
session_replication_role=replica all fail. Run in the PostgreSQL suite as the superuser (the
roles are created inside the test's transaction, with names of their own, and rolled back), and in
.ci/run's app-role step as that role itself."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from innoreform.core import db_roles

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ATTACKS = [
    "TRUNCATE {t}",
    "UPDATE {t} SET {c} = {c}",
    "DELETE FROM {t}",
    "ALTER TABLE {t} DISABLE TRIGGER ALL",
    "ALTER TABLE {t} DISABLE TRIGGER {t}_append_only",
    "SET session_replication_role = replica",
]
EXPECTED = {"core_auditevent", "core_auditchainlink", "books_transaction", "books_posting", "ledger_ledgerentry",
            "ledger_ledgernode", "ledger_ledgercheckpoint"}


def _scalar(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.fixture
def as_app_role():
    """Yield once acting as an application role: the one we are, or one made for this test."""
    if not _scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        yield _scalar("SELECT current_user")
        return
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"ir_test_owner_{suffix}", f"ir_test_app_{suffix}"
    db_roles.apply(db_roles.statements(owner=owner, app=app))  # rolled back with the test
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app}"')
        try:
            yield app
        finally:
            cursor.execute("RESET ROLE")


def test_every_append_only_table_is_found():
    assert set(db_roles.append_only_tables()) >= EXPECTED


def _column(table: str) -> str:
    return _scalar(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' "  # noqa: S608
                   "ORDER BY ordinal_position LIMIT 1")


def test_the_app_role_cannot_empty_or_rewrite_append_only_tables(as_app_role):
    assert not _scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert _scalar("SELECT count(*) FROM pg_tables WHERE tableowner = current_user") == 0
    for table in sorted(EXPECTED):
        column = _column(table)
        _scalar(f"SELECT count(*) FROM {table}")  # noqa: S608  reading is allowed
        for attack in ATTACKS:
            statement = attack.format(t=table, c=column)
            with pytest.raises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)


def test_the_app_role_can_still_do_its_work(as_app_role, django_capture_on_commit_callbacks):
    from innoreform.core import audit, audit_chain
    from innoreform.core.actor import Actor
    from innoreform.core.models import Organisation

    with transaction.atomic():
        org = Organisation.objects.create(name="角色测试", kind="enterprise", region="440100")
        org.name = "角色测试二"
        org.save()
        audit.record(actor=Actor.system(), action="test.role", obj=org)
        audit_chain.chain_pending()
        org.delete()
