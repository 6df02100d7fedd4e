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


class PartialIndexes:
    """Partial indexes of the statements that a migration keeps in Django's state as it declares
    them (``Meta.indexes``) and builds CONCURRENTLY on PostgreSQL (``definitions``: name to
    ``(columns) WHERE ...``, the same index in SQL). SQLite builds them as Django does.
    ``create`` and ``drop`` are the migration's RunPython steps, ``operation`` its operation."""

    def __init__(self, indexes: list[Any], definitions: dict[str, str]) -> None:
        self.indexes, self.definitions = indexes, definitions

    def create(self, apps: Any, schema_editor: Any) -> None:
        statement = apps.get_model("statements", "Statement")
        if schema_editor.connection.vendor != "postgresql":
            for index in self.indexes:
                schema_editor.add_index(statement, index)
            return
        table = schema_editor.quote_name(statement._meta.db_table)
        for name, definition in self.definitions.items():
            create_concurrently(schema_editor, name, f"ON {table} {definition}")

    def drop(self, apps: Any, schema_editor: Any) -> None:
        statement = apps.get_model("statements", "Statement")
        for index in self.indexes:
            if schema_editor.connection.vendor != "postgresql":
                schema_editor.remove_index(statement, index)
            else:
                drop_concurrently(schema_editor, index.name)

    def operation(self) -> Any:
        from django.db import migrations

        return migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="statement", index=index) for index in self.indexes
            ],
            database_operations=[migrations.RunPython(self.create, self.drop, elidable=False)],
        )
