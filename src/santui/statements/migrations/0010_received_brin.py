"""A BRIN index on the time statements were received, on PostgreSQL (issue 15): a selection by
time over the whole history (the workbench's bulk invalidation: every counted statement of a
source or channel received between two times) reads the pages of that time, not the table.

Statements are stored about in the order they arrive (and an import in its file's order), so
each range of 32 pages holds a narrow span of times: the index is about a thousandth of a
B-tree's size (80 kB against 66 MB at 3 million statements), and an insert barely touches it
(``autosummarize``: a range is summed up as soon as it fills, not at the next VACUUM). A row
rewritten long after it arrived (a status changed) may land in an older page and widen that
range's span: the index then reads more pages, never misses one. SQLite has no BRIN: nothing
there (docs/benchmarks.md, "A selection by time received")."""

from django.db import migrations

from santui.statements.migrations._concurrently import create_concurrently, drop_concurrently

INDEX = "statement_received_brin"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Built CONCURRENTLY (the migration is not atomic): a registry of hundreds of millions of
    statements keeps taking them while the index is built."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("statements", "Statement")._meta.db_table)
    create_concurrently(
        schema_editor,
        INDEX,
        f"ON {table} USING brin (received_at) WITH (pages_per_range = 32, autosummarize = on)",
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        drop_concurrently(schema_editor, INDEX)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("statements", "0009_public_copies")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
