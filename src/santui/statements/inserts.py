"""A new statement and its creation audit row, stored together in one round trip.

Through the ORM, storing a statement from the public form took four round trips to PostgreSQL
(BEGIN, the statement's INSERT, the audit row's INSERT, COMMIT) and a third of the view's CPU in
Django's save machinery (docs/benchmarks.md, "The form, third
pass"). On PostgreSQL both rows now go in one statement, the audit row taking the statement's new
id from a data-modifying ``WITH``: atomic by itself, no transaction to open. The values are
Django's own: each field's ``pre_save`` (``auto_now_add``) and ``get_db_prep_save`` (encryption,
JSON), as ``Model.save`` would send them. A statement with an external id (mail) writes its
ExternalKey in the same statement, and one already present refuses it whole (IntegrityError).
SQLite has no data-modifying ``WITH``: there the ``save`` calls run in one transaction, as
before.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection, models, transaction

from santui.statements.models import ExternalKey, Statement, StatusChange


@functools.cache
def _fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The columns an INSERT of ``model`` writes: every concrete field but the generated id."""
    return tuple(f for f in model._meta.local_concrete_fields if not f.primary_key)


@functools.cache
def _change_fields() -> tuple[models.Field[Any, Any], ...]:
    """The audit row's columns but its statement, whose id comes from the statement's INSERT."""
    return tuple(f for f in _fields(StatusChange) if f.name != "statement")


def _values(obj: models.Model, fields: tuple[models.Field[Any, Any], ...]) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@functools.cache
def _sql(keyed: bool) -> str:
    """The INSERT of both rows; ``keyed``: and of the statement's ExternalKey."""
    q = connection.ops.quote_name
    statement_columns = ", ".join(q(f.column) for f in _fields(Statement))
    change_columns = ", ".join(q(f.column) for f in _change_fields())
    key = (
        "RETURNING id, source, external_id), "
        f"k AS (INSERT INTO {q(ExternalKey._meta.db_table)} (source, external_id, "
        "statement_id) SELECT source, external_id, id FROM s) "
    )
    return (
        f"WITH s AS (INSERT INTO {q(Statement._meta.db_table)} ({statement_columns}) "
        f"VALUES ({', '.join(['%s'] * len(_fields(Statement)))}) "
        f"{key if keyed else 'RETURNING id) '}"
        f"INSERT INTO {q(StatusChange._meta.db_table)} ({q('statement_id')}, {change_columns}) "
        f"VALUES ((SELECT id FROM s), {', '.join(['%s'] * len(_change_fields()))}) "
        f"RETURNING {q('statement_id')}, id"
    )


def bound_cursor() -> Any:
    """A cursor that binds server-side, wrapped like Django's own (execute wrappers, logging).

    On PostgreSQL it is a plain psycopg cursor on the same connection and transaction: psycopg
    sends the values apart from the SQL, in binary where it can and from C, instead of quoting
    each one into the SQL text in Python (Django's cursors bind client-side), and prepares a
    statement it has run five times on the connection, so that the server no longer parses and
    plans it. The bulk writers use it for their arrays, the form for its one INSERT.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return wrap(raw)  # type: ignore[arg-type]  # the stubs expect an already-wrapped cursor


def _stored(obj: models.Model, pk: int) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_with_change(statement: Statement, change: StatusChange) -> None:
    """Store ``statement`` (new) and ``change``, its creation row, all or nothing; set both ids."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            statement.save(force_insert=True)
            if statement.external_id is not None:
                ExternalKey.objects.create(
                    source=statement.source, external_id=statement.external_id,
                    statement=statement,
                )  # fmt: skip
            change.statement = statement
            change.save(force_insert=True)
        return
    params = _values(statement, _fields(Statement)) + _values(change, _change_fields())
    with bound_cursor() as cursor:
        cursor.execute(_sql(statement.external_id is not None), params)
        statement_id, change_id = cursor.fetchone()
    _stored(statement, statement_id)
    change.statement = statement
    _stored(change, change_id)
