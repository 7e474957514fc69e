"""Insert one row without building a model instance: for the few rows written on every hot call
(an idempotency record, an audit event, a queued ledger entry, a voucher use).

`Model.objects.create()` instantiates the model and compiles its INSERT on every call; measured on
the audit event, 320 µs of CPU against 120 µs for the same row through `insert()` (the statement is
compiled once per model and set of columns). Values still go through each field's
`get_db_prep_save` (except an int, str or bool for Django's own field of that type, which it
would return unchanged), and defaults (`default=`, `auto_now_add`) apply as in `create()`. There is no
`save()` and no signal, which the project's conventions keep free of logic anyway.

`create(..., only_if=(update_sql, params))` records a row only if an UPDATE matched one (close
an order, then record its use): one statement on PostgreSQL.

`Later` holds rows whose ids nobody needs (an audit event, a queued ledger entry) until the next
statement that can carry them (`fetch_one(..., carrying=later)`): on PostgreSQL they become
data-modifying WITH clauses of that statement, saving a round trip each (0.08-0.13 ms of our CPU
here, and some of the server's). Elsewhere they are written at once. `Later(only_with=...)`
makes the carrying statement write them only if one of its own WITH clauses has a row, so that a
whole operation can be one statement, atomic without a transaction (the 通兑 deduction).

`cursor()` and `fetch_one()` run the hot path's other statements (the API-key probe, the order
read, the voucher update) on the driver's cursor, without Django's per-statement wrapper.

A service still writes only its own app's models with it."""

import re
from contextlib import contextmanager
from enum import Enum
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import AutoField, BigAutoField, Model
from django.db.models import fields as model_fields
from django.db.models.fields.related import ForeignKey
from django.utils import timezone

_VARCHAR_N = re.compile(r"^varchar\(\d+\)$")
# Django's own field classes whose preparation leaves a value of this type as it is (to_python of a
# str is the str, of an int the int): such values skip get_db_prep_save, a fifth of audit.record's
# CPU in a profile.
# Exact classes only: a subclass may prepare differently.
_PLAIN = {
    **dict.fromkeys((model_fields.IntegerField, model_fields.BigIntegerField, model_fields.SmallIntegerField,
                     model_fields.PositiveIntegerField, model_fields.PositiveBigIntegerField,
                     model_fields.PositiveSmallIntegerField), int),
    **dict.fromkeys((model_fields.CharField, model_fields.TextField), str),
    model_fields.BooleanField: bool,
}


def _plain_type(field) -> type | None:
    if type(field) is ForeignKey and type(field.target_field) in (AutoField, BigAutoField):
        return int
    return _PLAIN.get(type(field))


class Sql:
    """A value computed by the carrying statement: an SQL expression (with its own parameters)
    over the row of the `Later(only_with=...)` clause, in place of a parameter. Only for rows of
    such a Later on PostgreSQL."""

    __slots__ = ("expression", "params")

    def __init__(self, expression: str, params: list | tuple = ()):
        self.expression, self.params = expression, list(params)


@cache
def _statement(model: type[Model], vendor: str, guarded: bool = False, returning: bool = True,
               with_pk: bool = False) -> tuple[str, tuple, frozenset, tuple]:
    """The INSERT for `model`: (sql, (field, plain type) pairs, the names it takes, the SELECT
    items of the guarded form). Guarded (PostgreSQL): `INSERT ... SELECT <items> FROM {source}`,
    which inserts a row only if `{source}` (a WITH clause of the same statement) has one, with
    `{select}` standing for the items. Its values are cast to the columns' types, as a SELECT
    list does not take them from the target columns when the server binds the parameters; not to
    a varchar's length, which would cut an over-long text silently where the INSERT refuses it.
    with_pk: the primary key is given (drawn beforehand from its sequence)."""
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if (with_pk and f.primary_key)
                   or not ((f.primary_key and f.auto_created) or getattr(f, "db_returning", False)))
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    items: tuple = ()
    if guarded:
        items = tuple(f"CAST(%s AS {_VARCHAR_N.sub('varchar', f.db_type(conn))})" for f in fields)
        sql = f"INSERT INTO {q(meta.db_table)} ({columns}) SELECT {{select}} FROM {{source}}"  # noqa: S608
    else:
        sql = f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if returning and conn.features.can_return_columns_from_insert:
        sql += f" RETURNING {q(meta.pk.column)}"
    plain = tuple(_plain_type(f) for f in fields)
    return (sql, tuple(zip(fields, plain, strict=True)),
            frozenset(f.attname for f in fields) | {f.name for f in fields}, items)


def _guarded(template: str, items: tuple, params: list, source: str) -> tuple[str, list]:
    """The guarded INSERT reading from `source`, with any Sql values in place of their items."""
    if not any(type(p) is Sql for p in params):
        return template.replace("{select}", ", ".join(items), 1).replace("{source}", source, 1), params
    select, flat = [], []
    for item, value in zip(items, params, strict=True):
        if type(value) is Sql:
            select.append(f"({value.expression})")
            flat.extend(value.params)
        else:
            select.append(item)
            flat.append(value)
    return template.replace("{select}", ", ".join(select), 1).replace("{source}", source, 1), flat


def _value(field, values: dict):
    if field.attname in values:
        return values[field.attname]
    if field.name in values:  # a related object (or its key) given by the field's name
        related = values[field.name]
        return related.pk if isinstance(related, Model) else related
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()


class Later:
    """Rows to write with a later statement of the same transaction (see the module's note).

        with rows.Later() as later:
            audit.record(..., later=later)      # nothing sent yet on PostgreSQL
            row = rows.fetch_one(update_sql, params, carrying=later)   # one round trip for all

    Whatever no statement carried is written when the block ends, also when it ends with an
    exception (the rows are then written as an immediate insert would have left them). Use it
    inside `transaction.atomic()`.

    only_with="name": on PostgreSQL the rows are written only by the carrying statement and only
    if its WITH clause `name` (given through fetch_one's `ctes`) has a row, which their values
    may read (`Sql`); such a statement is atomic by itself, so it needs no transaction. Rows left
    uncarried are dropped when the block ends with an exception and are an error otherwise.
    Elsewhere the rows are written at once, inside the caller's `transaction.atomic()`."""

    def __init__(self, *, only_with: str | None = None):
        self.conn = connections[DEFAULT_DB_ALIAS]
        self.only_with = only_with
        self.deferring = self.conn.vendor == "postgresql" and (self.conn.in_atomic_block or only_with is not None)
        self.pending: list[tuple[str, list]] = []

    def __enter__(self) -> "Later":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.pending:
            return
        if self.only_with is not None:
            self.pending = []
            if exc_type is None:
                raise RuntimeError(f"rows to write only with the clause {self.only_with!r} were not carried")
            return
        try:
            fetch_one("SELECT 1", [], carrying=self)
        except Exception:
            if exc_type is None:
                raise
            # Another error is on its way out and is the one to report. As after any failed
            # statement in an atomic block, the transaction can now only roll back.
            self.conn.needs_rollback = True

    def take(self, sql: str, params: list, ctes: tuple = ()) -> tuple[str, list]:
        """`sql` (which must not start with WITH) with `ctes` ((name, sql, params), ...) and then
        the pending rows as its WITH clauses."""
        if sql.lstrip()[:4].upper() == "WITH":
            raise ValueError("a statement with its own WITH clause cannot carry rows")
        carried = [(f"later_{n}", row_sql, row_params) for n, (row_sql, row_params) in enumerate(self.pending)]
        self.pending = []
        return _with(sql, params, (*ctes, *carried))


def _with(sql: str, params: list, clauses: tuple) -> tuple[str, list]:
    """`sql` with `clauses` ((name, sql, params), ...) as its WITH clauses."""
    if not clauses:
        return sql, params
    text = ", ".join(f"{name} AS ({clause_sql})" for name, clause_sql, _params in clauses)
    return f"WITH {text} {sql}", [*(p for _n, _s, clause_params in clauses for p in clause_params), *params]


@contextmanager
def cursor(conn=None):
    """A cursor for one hot statement. On PostgreSQL it is the driver's own, with Django's checks
    (thread sharing, broken transaction, health check) and its translation of errors, but without
    Django's per-statement cursor wrapper, which cost a third of a short statement's CPU. Django's
    cursor is used when it logs queries (DEBUG, CaptureQueriesContext), runs execute wrappers, or
    the database is not PostgreSQL (SQLite's wrapper translates the placeholders)."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql" or conn.queries_logged or conn.execute_wrappers:
        with conn.cursor() as wrapped:
            yield wrapped
        return
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    conn.validate_no_broken_transaction()
    with conn.wrap_database_errors, conn.connection.cursor() as driver_cursor:
        yield driver_cursor


def _plain(params: list) -> list:
    """Choices members (enums) as their values: for an enum psycopg looks its class up through
    the class's ancestors, raising and catching a KeyError at each, on every statement."""
    return [p.value if isinstance(p, Enum) else p for p in params]


def fetch_one(sql: str, params: list, *, carrying: Later | None = None, ctes: tuple = ()) -> tuple | None:
    """Run one statement (with the rows `carrying` holds) and return its first row, if any.
    ctes: ((name, sql, params), ...), WITH clauses before the carried rows (PostgreSQL)."""
    params = _plain(params)  # the carried rows' are plain already (_params)
    ctes = tuple((name, clause_sql, _plain(clause_params)) for name, clause_sql, clause_params in ctes)
    if carrying is not None:
        sql, params = carrying.take(sql, params, ctes)
    else:
        sql, params = _with(sql, params, ctes)
    with cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _params(model: type[Model], values: dict, fields: tuple, known: frozenset, conn) -> tuple[dict, list]:
    if unknown := set(values) - known:
        raise TypeError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    row = {f.attname: _value(f, values) for f, _plain in fields}
    params = []
    for field, plain in fields:
        value = row[field.attname]
        params.append(value if value is None or type(value) in (plain, Sql) else field.get_db_prep_save(value, conn))
    return row, _plain(params)


def _no_sql_values(first, params: list):
    """(first, params), refusing Sql values, which only a Later(only_with=...) row may have."""
    if any(type(p) is Sql for p in params):
        raise TypeError("an Sql value is only for a row of a Later(only_with=...) on PostgreSQL")
    return first, params


def _write(model: type[Model], values: dict, when: tuple[str, list] | None = None, later: Later | None = None
           ) -> tuple[int | None, dict]:
    # The connection itself, not the `connection` proxy: every attribute read through the proxy
    # is a thread-local lookup, and the fields' preparation reads it dozens of times per row.
    conn = connections[DEFAULT_DB_ALIAS]
    with_pk = model._meta.pk.attname in values
    if later is not None and later.deferring:
        source = later.only_with
        sql, fields, known, items = _statement(model, conn.vendor, source is not None, False, with_pk)
        row, params = _params(model, values, fields, known, conn)
        if source is not None:
            sql, params = _guarded(sql, items, params, source)
        later.pending.append(_no_sql_values(sql, params))
        return row.get(model._meta.pk.attname), row
    one_statement = when is not None and conn.vendor == "postgresql"
    sql, fields, known, items = _statement(model, conn.vendor, one_statement, True, with_pk)
    row, params = _no_sql_values(*_params(model, values, fields, known, conn))
    with cursor(conn) as cur:
        if one_statement:
            sql, params = _guarded(sql, items, params, "guard")
            cur.execute(f"WITH guard AS ({when[0]} RETURNING 1) {sql}", [*_plain(when[1]), *params])
            found = cur.fetchone()
            return (None if found is None else found[0]), row
        if when is not None:
            cur.execute(when[0], _plain(when[1]))
            if cur.rowcount != 1:
                return None, row
        cur.execute(sql, params)
        pk = cur.fetchone()[0] if conn.features.can_return_columns_from_insert else cur.lastrowid
    return pk, row


def insert(model: type[Model], *, later: Later | None = None, **values) -> int | None:
    """INSERT one `model` row from `values` (attnames such as `voucher_id`, or field names with
    an object or its key for foreign keys); returns its primary key, or None when `later` holds
    the row to send with a later statement. Unknown names are an error."""
    return _write(model, values, later=later)[0]


def create(model: type[Model], *, only_if: tuple[str, list] | None = None, later: Later | None = None,
           **values) -> Model | None:
    """As insert(), returning an instance with the written values (defaults and timestamps
    included); related objects given by name are kept on it, saving a read.

    only_if=(sql, params): an UPDATE (no RETURNING) that must match exactly one row for the insert
    to happen, as in "close the order, then record its use"; None when it matched none. On
    PostgreSQL both go in one statement, one round trip; elsewhere two.

    later: see `Later`; the instance then has no primary key unless `values` gave it (only_if
    is not taken with it)."""
    if later is not None and only_if is not None:
        raise TypeError("only_if needs the row's answer: it cannot wait for a later statement")
    pk, row = _write(model, values, only_if, later)
    if pk is None and not (later is not None and later.deferring):
        return None
    kwargs = {}
    for field, _plain in _statement(model, connections[DEFAULT_DB_ALIAS].vendor)[1]:  # the fields but the key
        related = values.get(field.name) if field.name != field.attname else None
        if isinstance(related, Model):
            kwargs[field.name] = related
        else:
            kwargs[field.attname] = row[field.attname]
    instance = model(pk=pk, **kwargs)
    instance._state.adding, instance._state.db = False, DEFAULT_DB_ALIAS
    return instance
