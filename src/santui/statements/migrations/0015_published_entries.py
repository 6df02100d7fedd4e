"""The public statement list's indexes move from the ledger to a table of published entries
(issue 15). The two partial indexes of the ledger on integrated adds (``ledger_public_region``,
``ledger_public_day``, migration 0003) made the integrator's position UPDATE write two more
index entries for every add: without them the integrator runs about 15 % faster on PostgreSQL
at 5 million (docs/benchmarks.md, "The public list's indexes off the ledger"). ``PublishedEntry``
holds the integrated adds of published statements only, about one in a hundred, with the same
two indexes.

The fill copies the adds integrated so far, holding the integration state's row, so that no
integrator batch commits between the fill and the new code: it reads the ledger once (on a
large registry, minutes; statements keep arriving meanwhile, only the integrator waits)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "INSERT INTO statements_publishedentry (position, entry_id, day, region) "
    "SELECT l.position, l.id, l.day, l.region FROM statements_ledgerentry l "
    "JOIN statements_statement s ON s.id = l.statement_id "
    "WHERE l.kind = 'add' AND l.position IS NOT NULL AND s.publish "
    "ON CONFLICT DO NOTHING"  # run again by hand, it adds only what is missing
)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("SELECT size FROM tally_integrationstate WHERE id = 1 FOR UPDATE")
        cursor.execute(FILL)


def empty(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM statements_publishedentry")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0014_public_decided"),
        ("tally", "0002_integration_state_row"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedEntry",
            fields=[
                ("position", models.BigIntegerField(primary_key=True, serialize=False)),
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="published",
                        to="statements.ledgerentry",
                    ),
                ),
                ("day", models.DateField()),
                ("region", models.CharField(blank=True, max_length=6)),
            ],
            options={
                "verbose_name": "published entry",
                "verbose_name_plural": "published entries",
                "indexes": [
                    models.Index(fields=["region", "position"], name="published_region"),
                    models.Index(fields=["day"], name="published_day"),
                ],
            },
        ),
        migrations.RunPython(fill, empty, elidable=False),
        migrations.RemoveIndex(model_name="ledgerentry", name="ledger_public_region"),
        migrations.RemoveIndex(model_name="ledgerentry", name="ledger_public_day"),
    ]
