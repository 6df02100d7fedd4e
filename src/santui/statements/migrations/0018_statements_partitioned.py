"""The statements partitioned by ranges of their id on PostgreSQL (issue 15;
santui.statements.partitions), as the ledger in 0017.

Ids come from one sequence in the order statements arrive, so each range is a span of arrival
time. Unlike the ledger's, its rows still change after arrival (screening, consent, retention's
shredding), so old ranges are not frozen; but each range is vacuumed, indexed, backed up and
read (a recount, an export) as a table of its own, and a range that retention has shredded
whole can be moved to cheaper storage.

A partitioned table's unique index must hold its partition key (the id), so the two unique
constraints of the statements go, on both databases:

- ``(source, external_id)`` moves to a table of its own, ``ExternalKey``, with that pair as its
  primary key, written with each statement that has one (models.ExternalKey). This migration
  fills it from the statements.
- the receipt's hash keeps a plain partial index: it is a keyed hash of 160 random bits.

The foreign keys of the audit trail and of the ledger into the statements go, on both databases,
as the queue's did in 0017: PostgreSQL 15 checks each against the partitioned statements at
several times the cost of a check against one table, and with both keys the import ran at half
its rate (docs/benchmarks.md, "The statements in partitions"). Both rows are written with their statement
and statements are never deleted; `santui tally verify` names a row whose statement is not there.
The other keys into the statements (screening, public copies, mail, reviews, reads of personal
data, duplicates) stay: made again on the partitioned table.

New partitions are filled to 90 %, as the table is since 0012. SQLite keeps one table.
Reversible: going back copies the rows into one table again and makes the constraints again.
"""

from django.conf import settings
from django.db import migrations, models

from santui.statements.migrations._partition import partition as partitioned
from santui.statements.migrations._partition import unpartition as unpartitioned

STATEMENTS = "statements_statement"
FILLED = "WITH (fillfactor = 90)"  # migration 0012


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        span = settings.SANTUI_STATEMENT_PARTITION_SPAN
        partitioned(schema_editor.connection, STATEMENTS, span, FILLED)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        unpartitioned(schema_editor.connection, STATEMENTS, FILLED)


class Migration(migrations.Migration):
    dependencies = [("statements", "0017_ledger_partitions")]

    operations = [
        migrations.CreateModel(
            name="ExternalKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "source",
                        "external_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),  # fmt: skip
                ("source", models.CharField(max_length=64)),
                ("external_id", models.CharField(max_length=200)),
                (
                    "statement",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to="statements.statement",
                    ),
                ),
            ],
            options={"verbose_name": "external key", "verbose_name_plural": "external keys"},
        ),
        migrations.RunSQL(
            "INSERT INTO statements_externalkey (source, external_id, statement_id) "
            f"SELECT source, external_id, id FROM {STATEMENTS} WHERE external_id IS NOT NULL",
            migrations.RunSQL.noop,  # the table goes with the model
        ),
        migrations.RemoveConstraint(model_name="statement", name="statement_unique_external_id"),
        migrations.RemoveConstraint(model_name="statement", name="statement_unique_receipt"),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("receipt_hash__isnull", False)),
                fields=["receipt_hash"],
                name="statement_receipt",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="statement",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=models.deletion.PROTECT,
                related_name="entries",
                to="statements.statement",
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="statement",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=models.deletion.PROTECT,
                related_name="changes",
                to="statements.statement",
                verbose_name="statement",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
