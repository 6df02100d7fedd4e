"""Statement texts encrypted like names, with a masked copy (issue 12; santui.statements.masking).

The plain ``text`` column is replaced by an encrypted one: a new column is filled from the old
(each text encrypted, its masked copy computed and encrypted), the old column dropped and the
new one renamed ``text``. ``shredded_at`` marks statements whose personal data retention
deleted (santui.retention). Works on SQLite and PostgreSQL; reversible where the key that
decrypts is at hand (the office).
"""

from django.db import migrations, models

import santui.statements.crypto
from santui.statements.crypto import encrypt_text
from santui.statements.masking import statement_masked

BATCH = 2000


def _update(schema_editor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def, type-arg]
    """``UPDATE table SET columns... WHERE id`` for each row (values..., id): one statement per
    batch on PostgreSQL (arrays, unnested), executemany on SQLite."""
    connection = schema_editor.connection
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [connection.ops.quote_name(c) for c in columns]
            sets = ", ".join(f"{c} = v.{c}" for c in names)
            types = ", ".join("%s::text[]" if c == "text" else "%s::bytea[]" for c in columns)
            sql = (
                f"UPDATE {quoted} SET {sets} FROM unnest({types}, %s::bigint[]) "
                f"AS v({', '.join(names)}, id) WHERE {quoted}.id = v.id"
            )
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        else:
            sets = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(f"UPDATE {quoted} SET {sets} WHERE id = %s", rows)


def encrypt_texts(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every text encrypted into ``text_sealed``, its masked copy into ``text_masked``, by
    primary key in batches (names are decrypted to mask them: the key is the instance's)."""
    statement = apps.get_model("statements", "Statement")
    rows = statement.objects.order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", "text", "name")[:BATCH])
        if not batch:
            return
        values = []
        for pk, text, name in batch:
            if name is not None and not isinstance(name, str):
                # sealed: this host cannot read names, and a copy masked without its name
                # would show it to staff who may not see names
                raise RuntimeError(
                    "statement texts are encrypted with their masked copies where names can be "
                    "read: run `santui setup` on the office (the host with the office key)"
                )
            masked = statement_masked(text=text, name=name or "")
            # the plain column emptied in the same row version: the dropped column's old values
            # must not stay in the rows kept (docs/operations.md, upgrading)
            values.append(
                (
                    encrypt_text(text) if text else None,
                    encrypt_text(masked) if masked else None,
                    "",
                    pk,
                )
            )
        _update(
            schema_editor, statement._meta.db_table, ("text_sealed", "text_masked", "text"), values
        )
        last = batch[-1][0]


def decrypt_texts(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back: the plain text from ``text_sealed`` (needs the key that decrypts)."""
    statement = apps.get_model("statements", "Statement")
    rows = statement.objects.order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", "text_sealed")[:BATCH])
        if not batch:
            return
        values = [(text, pk) for pk, text in batch]
        _update(schema_editor, statement._meta.db_table, ("text",), values)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0007_declarant"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="text_sealed",
            field=santui.statements.crypto.EncryptedTextField(verbose_name="statement text"),
        ),
        migrations.AddField(
            model_name="statement",
            name="text_masked",
            field=santui.statements.crypto.EncryptedTextField(
                verbose_name="statement text, names masked"
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="shredded_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="personal data deleted at"
            ),
        ),
        migrations.RunPython(encrypt_texts, decrypt_texts, elidable=False),
        migrations.RemoveField(model_name="statement", name="text"),
        migrations.RenameField(model_name="statement", old_name="text_sealed", new_name="text"),
    ]
