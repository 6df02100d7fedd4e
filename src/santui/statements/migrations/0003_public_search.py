"""Search columns of public statements (docs/public-statements.md): a blind index of the name
and the text folded for search, filled here for statements that are public already."""

from django.db import migrations, models

from santui.statements.public import search_columns

BATCH = 2000


def fill_search_columns(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Fill both columns of every accepted statement with consent, by primary key in batches
    (names are decrypted in Python: the key is the instance's, not the database's). One UPDATE
    per batch on PostgreSQL (arrays, unnested), executemany on SQLite; bulk_update's CASE
    expressions grow quadratically with the batch."""
    statement = apps.get_model("statements", "Statement")
    public = statement.objects.filter(status="accepted", publish=True).order_by("pk")
    connection = schema_editor.connection
    table = connection.ops.quote_name(statement._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} SET name_key = v.k, search_text = v.t "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::text[]) AS v(id, k, t) "
            f"WHERE {table}.id = v.id"
        )
    else:
        sql = f"UPDATE {table} SET name_key = %s, search_text = %s WHERE id = %s"
    last = 0
    while True:
        rows = list(
            public.filter(pk__gt=last).values_list("pk", "name", "name_kind", "text")[:BATCH]
        )
        if not rows:
            return
        values = [
            (
                *search_columns(
                    status="accepted", publish=True, name=name, name_kind=kind, text=text
                ),
                pk,
            )
            for pk, name, kind, text in rows
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                keys, texts, ids = zip(*values, strict=True)
                cursor.execute(sql, [list(ids), list(keys), list(texts)])
            else:
                cursor.executemany(sql, values)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0002_commitment_and_suggestion"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="statement",
            name="search_text",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("name_key__isnull", False)),
                fields=["name_key"],
                name="statement_name_key",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("kind", "add"), ("position__isnull", False)),
                fields=["region", "position"],
                name="ledger_public_region",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("kind", "add"), ("position__isnull", False)),
                fields=["day"],
                name="ledger_public_day",
            ),
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop, elidable=True),
    ]
