"""The ledger partitioned by ranges of its id on PostgreSQL (issue 15; santui.statements.partitions).

Ids come from one sequence in the order entries are written and ledger rows are never changed,
so each range is a span of time that is never written again once passed. The existing table
becomes the first partition as it is (ATTACH, no copy: it checks the ids in one read); the next
two ranges and a DEFAULT partition are made with it. The foreign keys into and out of the table
are made again on the partitioned table, each with its old name and definition (checking them
reads the ledger and the tables that refer to it once). On a large registry that takes minutes;
run it with the services stopped.

A partitioned table's unique index must hold its partition key, so the unique partial index on
``revokes`` becomes a plain partial index, on both databases (models.LedgerEntry says what keeps
an add from being revoked twice, and `santui tally verify` checks it). The queue's foreign key
goes, on both databases, as LogPosition's did in 0016: its check of each queued row against the
partitioned ledger cost four times what it did against one table, and already more than the
ledger's insert (models.QueuedEntry).

SQLite keeps one table. Reversible: going back copies the rows into one table again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LEDGER = "statements_ledgerentry"


def _foreign_keys(cursor):  # type: ignore[no-untyped-def]
    """(table, name, definition) of every foreign key into or out of the ledger."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND (confrelid = %s::regclass OR conrelid = %s::regclass) "
        "AND conparentid = 0",
        [LEDGER, LEDGER],
    )
    keys = cursor.fetchall()
    for table, name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return keys


def _add_foreign_keys(cursor, keys):  # type: ignore[no-untyped-def]
    for table, name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _indexes(cursor, table):  # type: ignore[no-untyped-def]
    """(name, definition) of the table's indexes other than its primary key's."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        [table],
    )
    return cursor.fetchall()


def _last_id(cursor):  # type: ignore[no-untyped-def]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [LEDGER])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
    value, called = cursor.fetchone()
    return value if called else value - 1


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    span = settings.SANTUI_LEDGER_PARTITION_SPAN
    first = f"{LEDGER}_p0"
    with schema_editor.connection.cursor() as cursor:
        keys = _foreign_keys(cursor)
        indexes = _indexes(cursor, LEDGER)
        last = _last_id(cursor)
        bound = (max(last, 0) // span + 1) * span
        # the table as it is becomes the first partition: its indexes and key renamed, its id
        # without its identity (a partition cannot have one before PostgreSQL 17)
        cursor.execute(f"ALTER TABLE {LEDGER} RENAME TO {first}")
        cursor.execute(f"ALTER INDEX {LEDGER}_pkey RENAME TO {first}_pkey")
        for name, _ in indexes:
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_p0"')
        cursor.execute(f"ALTER TABLE {first} ALTER id DROP IDENTITY")
        cursor.execute(
            f"CREATE TABLE {LEDGER} (LIKE {first} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE (id)"
        )
        cursor.execute(f"CREATE SEQUENCE {LEDGER}_id_seq OWNED BY {LEDGER}.id")
        cursor.execute(f"ALTER TABLE {LEDGER} ALTER id SET DEFAULT nextval('{LEDGER}_id_seq')")
        if last > 0:
            cursor.execute(f"SELECT setval('{LEDGER}_id_seq', %s)", [last])
        cursor.execute(f"ALTER TABLE {LEDGER} ADD CONSTRAINT {LEDGER}_pkey PRIMARY KEY (id)")
        for _, definition in indexes:  # with their names, on the partitioned table
            cursor.execute(definition)
        cursor.execute(
            f"ALTER TABLE {LEDGER} ATTACH PARTITION {first} FOR VALUES FROM (MINVALUE) TO ({bound})"
        )
        for low in (bound, bound + span):
            cursor.execute(
                f"CREATE TABLE {LEDGER}_p{low} PARTITION OF {LEDGER} "
                f"FOR VALUES FROM ({low}) TO ({low + span})"
            )
        cursor.execute(f"CREATE TABLE {LEDGER}_default PARTITION OF {LEDGER} DEFAULT")
        _add_foreign_keys(cursor, keys)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    single = f"{LEDGER}_single"
    with schema_editor.connection.cursor() as cursor:
        keys = _foreign_keys(cursor)
        indexes = _indexes(cursor, LEDGER)
        last = _last_id(cursor)
        cursor.execute(
            f"CREATE TABLE {single} (LIKE {LEDGER} INCLUDING CONSTRAINTS)"  # no default: the
        )  # sequence goes with the partitioned table
        cursor.execute(f"INSERT INTO {single} SELECT * FROM {LEDGER}")  # noqa: S608
        cursor.execute(f"DROP TABLE {LEDGER}")  # its partitions and its sequence with it
        cursor.execute(f"ALTER TABLE {single} RENAME TO {LEDGER}")
        cursor.execute(f"ALTER TABLE {LEDGER} ADD CONSTRAINT {LEDGER}_pkey PRIMARY KEY (id)")
        cursor.execute(f"ALTER TABLE {LEDGER} ALTER id ADD GENERATED BY DEFAULT AS IDENTITY")
        if last > 0:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{LEDGER}', 'id'), %s)", [last])
        for _, definition in indexes:
            cursor.execute(definition)
        _add_foreign_keys(cursor, keys)


class Migration(migrations.Migration):
    dependencies = [("statements", "0016_positions_off_ledger")]

    operations = [
        migrations.RemoveConstraint(model_name="ledgerentry", name="ledger_revokes_once"),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("revokes__isnull", False)),
                fields=["revokes"],
                name="ledger_revokes",
            ),
        ),
        migrations.AlterField(
            model_name="queuedentry",
            name="entry",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                primary_key=True,
                related_name="queued",
                serialize=False,
                to="statements.ledgerentry",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
