from django.db import connection

from innoreform.core.actor import Actor
from innoreform.ledger import services

TABLES = ("ledger_ledgerentry", "ledger_ledgernode", "ledger_ledgercheckpoint")


def append_many(n, actor=None, subject=None, entry_type="test.appended"):
    actor = actor or Actor.system()
    for i in range(n):
        services.append_entry(actor=actor, entry_type=entry_type, subject_organisation=subject,
                              object_ref=f"test.thing:{i}", purpose="testing", sequence_on_commit=False)
    return services.sequence_pending()


def raw_sql(sql, params=()):
    """Tamper with the tables directly, as an attacker with database access would."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks before ALTER TABLE
            for t in TABLES:
                cur.execute(f"ALTER TABLE {t} DISABLE TRIGGER {t}_append_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for t in TABLES:
                cur.execute(f"ALTER TABLE {t} ENABLE TRIGGER {t}_append_only")
