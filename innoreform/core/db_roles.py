"""The two PostgreSQL roles (README, Operations): an owner that owns the schema and runs
migrations, and the application's role, which owns nothing. Owning nothing is what makes the
append-only tables hold against the application itself: only an owner or a superuser can
TRUNCATE without the privilege, DISABLE a table's triggers or set session_replication_role to
skip them, and the application's role gets neither ownership nor TRUNCATE, UPDATE or DELETE on
the append-only tables.

`statements()` is the whole set, idempotent: run it after every migrate (a table a migration
adds gets the owner's default privileges, which include UPDATE and DELETE, until it is run)."""

import re

from django.db import connection

OWNER = "innoreform_owner"
APP = "innoreform_app"
# The tables with an append-only trigger (named <table>_append_only by their migrations).
APPEND_ONLY_SQL = ("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                   "WHERE trigger_schema = current_schema() AND trigger_name LIKE '%%\\_append\\_only' "
                   "ORDER BY 1")


def _ident(name: str) -> str:
    # Names come from the catalogue or the command line; quote_name does not escape a quote.
    return '"' + name.replace('"', '""') + '"'


def valid_role(name: str) -> bool:
    return re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name) is not None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ensure_role(name: str) -> str:
    # Quoted above (a DO block takes no bind parameters).
    return ("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "  # noqa: S608
            f"{_literal(name)}) THEN CREATE ROLE {_ident(name)} LOGIN; END IF; END $$")


def append_only_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_SQL)
        return [row[0] for row in cursor.fetchall()]


def statements(*, owner: str = OWNER, app: str = APP, owner_password: str | None = None,
               app_password: str | None = None) -> list[str]:
    """The SQL, one statement per string, for the database `connection` points at (read the
    catalogue: existing tables and functions are handed to the owner, as a first migrate run as
    a superuser leaves them owned by that superuser)."""
    o, a = _ident(owner), _ident(app)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                       "WHERE n.nspname = current_schema() ORDER BY 1")
        functions = [row[0] for row in cursor.fetchall()]
    s, db = _ident(schema), _ident(database)
    out = [_ensure_role(owner), _ensure_role(app),
           f"ALTER ROLE {o} LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS",
           f"ALTER ROLE {a} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"]
    if owner_password:
        out.append(f"ALTER ROLE {o} PASSWORD {_literal(owner_password)}")
    if app_password:
        out.append(f"ALTER ROLE {a} PASSWORD {_literal(app_password)}")
    out += [f"ALTER DATABASE {db} OWNER TO {o}", f"ALTER SCHEMA {s} OWNER TO {o}"]
    out += [f"ALTER TABLE {s}.{_ident(t)} OWNER TO {o}" for t in tables]  # their sequences follow
    out += [f"ALTER FUNCTION {f} OWNER TO {o}" for f in functions]
    out += [f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {a}",
            f"GRANT USAGE ON SCHEMA {s} TO {a}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {a}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {a}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {a}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {a}"]
    out += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.{_ident(t)} FROM {a}" for t in append_only_tables()]
    return out


def apply(stmts: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in stmts:
            cursor.execute(statement)
