"""Indexes a migration builds on PostgreSQL with ``CREATE INDEX CONCURRENTLY`` (in a migration
that is not atomic), so that a large registry keeps taking statements while it is built
(docs/operations.md, "A large registry"). Not a migration: the loader skips names beginning
with an underscore."""

from typing import Any


def index_valid(connection: Any, name: str) -> bool | None:
    """Whether the index ``name`` is valid; None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            [name],
        )
        found = cursor.fetchone()
    return None if found is None else bool(found[0])


def create_concurrently(schema_editor: Any, name: str, definition: str) -> None:
    """``CREATE INDEX CONCURRENTLY name definition``, unless a valid one is there. A build that
    failed half-way leaves an invalid index behind: it is dropped and built again."""
    valid = index_valid(schema_editor.connection, name)
    if valid:
        return
    if valid is not None:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY {name}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY {name} {definition}")


def drop_concurrently(schema_editor: Any, name: str) -> None:
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
