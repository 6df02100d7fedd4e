"""Positions and the queue off the ledger (issue 15). The integrator numbered the queued entries
with an UPDATE of the ledger's ``position``: an indexed column, so PostgreSQL could never update
in place (HOT) and wrote a new version of each whole row and an entry in each of the ledger's
indexes, half the integrator's time at 10 million (docs/benchmarks.md, "Positions off the
ledger"). The ledger is now only inserted into: an entry goes in with its row of the queue
(``QueuedEntry``), and integration replaces that row with one of ``LogPosition`` (position,
entry, time integrated), narrow and only inserted.

The fill copies the positions given so far and queues the rest, holding the integration state's
row on PostgreSQL so that no integrator batch commits in between. It reads the ledger once; on a
large registry that takes minutes, and the SQLite rebuild of the ledger without the two columns
longer. Reversible: going back puts the positions on the ledger again."""

import django.db.models.deletion
from django.db import migrations, models

LEDGER = "statements_ledgerentry"
FILL = (
    f"INSERT INTO statements_logposition (position, entry_id, integrated_at) "
    f"SELECT position, id, COALESCE(integrated_at, queued_at) FROM {LEDGER} "
    f"WHERE position IS NOT NULL",
    f"INSERT INTO statements_queuedentry (entry_id) SELECT id FROM {LEDGER} "
    f"WHERE position IS NULL",
)
BACK = (
    f"UPDATE {LEDGER} SET "
    f"position = (SELECT p.position FROM statements_logposition p WHERE p.entry_id = {LEDGER}.id), "
    f"integrated_at = (SELECT p.integrated_at FROM statements_logposition p "
    f"WHERE p.entry_id = {LEDGER}.id)",
    "DELETE FROM statements_logposition",
    "DELETE FROM statements_queuedentry",
)


def _run(schema_editor, statements):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("SELECT size FROM tally_integrationstate WHERE id = 1 FOR UPDATE")
        for sql in statements:
            cursor.execute(sql)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, FILL)


def back(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0015_published_entries"),
        ("tally", "0002_integration_state_row"),
    ]

    operations = [
        migrations.CreateModel(
            name="LogPosition",
            fields=[
                ("position", models.BigIntegerField(primary_key=True, serialize=False)),
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="log_position",
                        to="statements.ledgerentry",
                    ),
                ),
                ("integrated_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "log position",
                "verbose_name_plural": "log positions",
            },
        ),
        migrations.CreateModel(
            name="QueuedEntry",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="queued",
                        serialize=False,
                        to="statements.ledgerentry",
                    ),
                ),
            ],
            options={
                "verbose_name": "queued ledger entry",
                "verbose_name_plural": "queued ledger entries",
            },
        ),
        migrations.RunPython(fill, back),
        migrations.RemoveConstraint(model_name="ledgerentry", name="ledger_position"),
        migrations.RemoveIndex(model_name="ledgerentry", name="ledger_queued"),
        migrations.RemoveField(model_name="ledgerentry", name="integrated_at"),
        migrations.RemoveField(model_name="ledgerentry", name="position"),
    ]
