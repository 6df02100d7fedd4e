"""The time of a statement's decision on the statement itself (``decided_at``), and two partial
indexes of the decided statements whose personal data is still kept, by that time (issue 15).

Retention looked for statements past their period by reading every kept decided statement and,
for each, its latest decision in the audit trail: at 3.1 million statements a sequential scan of
4-5 s that finds none due, minutes at the history's 435 million (docs/benchmarks.md, "Retention's
search"). It now reads the index range up to the period's cut-off, and the audit trail's rule
decides only for those it finds.

``decided_at`` is filled here from the audit trail, in batches of ``BATCH`` numbers, each in a
transaction of its own, so that a large registry keeps taking statements while it runs (and an
interrupted run goes on where it stopped: it fills only what is still NULL). A statement left
NULL is still found: retention reads NULL as "ask the audit trail". The indexes are built after
the fill, CONCURRENTLY on PostgreSQL (the migration is not atomic); SQLite builds them as Django
does.
"""

from django.db import migrations, models, transaction

from santui.statements.migrations._concurrently import PartialIndexes

BATCH = 100_000

INDEXES = PartialIndexes(
    [
        models.Index(
            fields=["decided_at"],
            condition=models.Q(status="rejected", shredded_at__isnull=True),
            name="statement_rejected_kept",
        ),
        models.Index(
            fields=["decided_at"],
            condition=models.Q(status="accepted", publish=False, shredded_at__isnull=True),
            name="statement_unpublished_kept",
        ),
    ],
    {
        "statement_rejected_kept": "(decided_at) WHERE status = 'rejected' AND shredded_at IS NULL",
        "statement_unpublished_kept": (
            "(decided_at) WHERE status = 'accepted' AND NOT publish AND shredded_at IS NULL"
        ),
    },
)
create, drop = INDEXES.create, INDEXES.drop


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """``decided_at`` of every kept decided statement: its latest audit row into its status."""
    statement = apps.get_model("statements", "Statement")
    change = apps.get_model("statements", "StatusChange")
    connection = schema_editor.connection
    table = schema_editor.quote_name(statement._meta.db_table)
    changes = schema_editor.quote_name(change._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        low, high = cursor.fetchone()
    if low is None:
        return
    sql = (
        f"UPDATE {table} SET decided_at = (SELECT max(c.at) FROM {changes} c"
        f" WHERE c.statement_id = {table}.id AND c.to_status = {table}.status)"
        f" WHERE id >= %s AND id < %s AND status IN ('accepted', 'rejected')"
        " AND shredded_at IS NULL AND decided_at IS NULL"
    )
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(sql, [start, start + BATCH])


class Migration(migrations.Migration):
    atomic = False  # batches of their own, and CREATE INDEX CONCURRENTLY

    dependencies = [("statements", "0012_statements_fillfactor")]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="decided_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="decided at"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        INDEXES.operation(),
    ]
