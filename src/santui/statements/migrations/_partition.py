"""A table made into one partitioned by ranges of its id, and back (PostgreSQL; statements
migrations 0017, the ledger, and 0018, the statements). Not a migration: the loader skips names
beginning with an underscore.

The table as it is becomes the first partition (ATTACH, no copy: it checks the ids in one read);
the next two ranges and a DEFAULT partition are made with it. The foreign keys into and out of
the table are made again on the partitioned table, each with its old name and definition
(checking them reads the table and those that refer to it once). On a large registry that takes
minutes; run it with the services stopped. Going back copies the rows into one table again.
"""

from typing import Any


def _foreign_keys(cursor: Any, table: str) -> list[tuple[str, str, str]]:
    """Drop every foreign key into or out of ``table``; return (table, name, definition) of each."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND (confrelid = %s::regclass OR conrelid = %s::regclass) "
        "AND conparentid = 0",
        [table, table],
    )
    keys: list[tuple[str, str, str]] = cursor.fetchall()
    for owner, name, _ in keys:
        cursor.execute(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')
    return keys


def _add_foreign_keys(cursor: Any, keys: list[tuple[str, str, str]]) -> None:
    for owner, name, definition in keys:
        cursor.execute(f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {definition}')


def _indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes other than its primary key's."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        [table],
    )
    return cursor.fetchall()  # type: ignore[no-any-return]


def _last_id(cursor: Any, table: str) -> int:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    value, called = cursor.fetchone()
    return int(value) if called else int(value) - 1


def partition(connection: Any, table: str, span: int, options: str = "") -> None:
    """Make ``table`` partitioned by ranges of ``span`` ids; ``options`` (``WITH (...)``) are the
    storage parameters of the partitions made here (a partitioned table has none of its own)."""
    first = f"{table}_p0"
    with connection.cursor() as cursor:
        keys = _foreign_keys(cursor, table)
        indexes = _indexes(cursor, table)
        last = _last_id(cursor, table)
        bound = (max(last, 0) // span + 1) * span
        # the table as it is becomes the first partition: its indexes and key renamed, its id
        # without its identity (a partition cannot have one before PostgreSQL 17)
        cursor.execute(f"ALTER TABLE {table} RENAME TO {first}")
        cursor.execute(f"ALTER INDEX {table}_pkey RENAME TO {first}_pkey")
        for name, _ in indexes:
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_p0"')
        cursor.execute(f"ALTER TABLE {first} ALTER id DROP IDENTITY")
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {first} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE (id)"
        )
        cursor.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
        cursor.execute(f"ALTER TABLE {table} ALTER id SET DEFAULT nextval('{table}_id_seq')")
        if last > 0:
            cursor.execute(f"SELECT setval('{table}_id_seq', %s)", [last])
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)")
        for _, definition in indexes:  # with their names, on the partitioned table
            cursor.execute(definition)
        cursor.execute(
            f"ALTER TABLE {table} ATTACH PARTITION {first} FOR VALUES FROM (MINVALUE) TO ({bound})"
        )
        for low in (bound, bound + span):
            cursor.execute(
                f"CREATE TABLE {table}_p{low} PARTITION OF {table} "
                f"FOR VALUES FROM ({low}) TO ({low + span}) {options}"
            )
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT {options}")
        _add_foreign_keys(cursor, keys)


def unpartition(connection: Any, table: str, options: str = "") -> None:
    """Make the partitioned ``table`` one table again, with its rows, keys, indexes and ids;
    ``options`` are the storage parameters of that table."""
    single = f"{table}_single"
    with connection.cursor() as cursor:
        keys = _foreign_keys(cursor, table)
        indexes = _indexes(cursor, table)
        last = _last_id(cursor, table)
        cursor.execute(
            f"CREATE TABLE {single} (LIKE {table} INCLUDING CONSTRAINTS) {options}"  # no
        )  # default: the sequence goes with the partitioned table
        cursor.execute(f"INSERT INTO {single} SELECT * FROM {table}")  # noqa: S608
        cursor.execute(f"DROP TABLE {table}")  # its partitions and its sequence with it
        cursor.execute(f"ALTER TABLE {single} RENAME TO {table}")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)")
        cursor.execute(f"ALTER TABLE {table} ALTER id ADD GENERATED BY DEFAULT AS IDENTITY")
        if last > 0:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [last])
        for _, definition in indexes:
            cursor.execute(definition)
        _add_foreign_keys(cursor, keys)
