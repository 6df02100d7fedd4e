"""A partial index of the public statements (accepted, published with consent) by the time of
their decision (issue 15). The office's round of published copies, every two seconds, now reads
only the statements decided since its last round (``santui.statements.public.CopyRounds``); a
whole round, which reads every public statement through ``statement_public`` (migration 0011),
runs once every ten minutes. Built CONCURRENTLY on PostgreSQL, as 0011."""

from django.db import migrations, models

from santui.statements.migrations._concurrently import create_concurrently, drop_concurrently

INDEX = "statement_public_decided"


def _index() -> models.Index:
    return models.Index(
        fields=["decided_at"], condition=models.Q(status="accepted", publish=True), name=INDEX
    )


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    statement = apps.get_model("statements", "Statement")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_index(statement, _index())
        return
    table = schema_editor.quote_name(statement._meta.db_table)
    create_concurrently(
        schema_editor, INDEX, f"ON {table} (decided_at) WHERE status = 'accepted' AND publish"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    statement = apps.get_model("statements", "Statement")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(statement, _index())
        return
    drop_concurrently(schema_editor, INDEX)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("statements", "0013_decided_at")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="statement", index=_index())],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
