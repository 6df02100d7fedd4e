"""The ledger partitioned by ranges of its id on PostgreSQL (issue 15; santui.statements.partitions).

Ids come from one sequence in the order entries are written and ledger rows are never changed,
so each range is a span of time that is never written again once passed. How the table
becomes partitioned, and back: migrations._partition (the existing table becomes the first
partition as it is; on a large registry that takes minutes: run it with the services stopped).

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

from santui.statements.migrations._partition import partition as partitioned
from santui.statements.migrations._partition import unpartition as unpartitioned

LEDGER = "statements_ledgerentry"


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        partitioned(schema_editor.connection, LEDGER, settings.SANTUI_LEDGER_PARTITION_SPAN)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        unpartitioned(schema_editor.connection, LEDGER)


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
