"""PostgreSQL: transactions and postings are append-only. UPDATE and DELETE raise an error.

TRUNCATE is left alone: the test runner empties tables with it between transactional tests.
On SQLite the models refuse updates and deletes in Python (AppendOnlyModel) and reconciliation
catches anything written around them.
"""

from django.db import migrations

# One statement per string: a server-side-binding connection refuses several in one.
FORWARD = ("""
CREATE OR REPLACE FUNCTION books_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'books: % on % is not allowed; the books are append-only (post a reversal)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql""", """
CREATE TRIGGER books_transaction_append_only
    BEFORE UPDATE OR DELETE ON books_transaction
    FOR EACH ROW EXECUTE FUNCTION books_refuse_change()""", """
CREATE TRIGGER books_posting_append_only
    BEFORE UPDATE OR DELETE ON books_posting
    FOR EACH ROW EXECUTE FUNCTION books_refuse_change()""")

BACKWARD = (
    "DROP TRIGGER IF EXISTS books_posting_append_only ON books_posting",
    "DROP TRIGGER IF EXISTS books_transaction_append_only ON books_transaction",
    "DROP FUNCTION IF EXISTS books_refuse_change()",
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("books", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
