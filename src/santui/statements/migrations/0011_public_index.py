"""A partial index of the public statements (accepted, published with consent), in number
order (issue 15). The office's round of published copies (``refresh_public_copies``, every two
seconds) looks for public statements without a copy; without this index each round read the
whole statements table (docs/benchmarks.md, "The published copies' round").

On PostgreSQL it is built CONCURRENTLY (the migration is not atomic), so that a large registry
keeps taking statements meanwhile; an invalid index left by an interrupted build is dropped
and built again. SQLite builds it as Django does."""

from django.db import migrations, models

from santui.statements.migrations._concurrently import create_concurrently, drop_concurrently

INDEX = "statement_public"


def _index() -> models.Index:
    return models.Index(
        fields=["id"], condition=models.Q(status="accepted", publish=True), name=INDEX
    )


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    statement = apps.get_model("statements", "Statement")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_index(statement, _index())
        return
    table = schema_editor.quote_name(statement._meta.db_table)
    create_concurrently(
        schema_editor, INDEX, f"ON {table} (id) WHERE status = 'accepted' AND publish"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    statement = apps.get_model("statements", "Statement")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(statement, _index())
        return
    drop_concurrently(schema_editor, INDEX)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("statements", "0010_received_brin")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="statement", index=_index())],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
