import os

from django.db import migrations, models

import santui.tlog.leaf


def distinct_commitments(apps, schema_editor):  # type: ignore[no-untyped-def]
    """AddField evaluates the default once: give every existing statement its own bytes."""
    statement = apps.get_model("statements", "Statement")
    for pk in statement.objects.values_list("pk", flat=True).iterator():
        statement.objects.filter(pk=pk).update(commitment=os.urandom(32))


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="commitment",
            field=models.BinaryField(default=santui.tlog.leaf.random_commitment, max_length=32),
        ),
        migrations.RunPython(distinct_commitments, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="statement",
            name="suggested",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="parser suggestion"
            ),
        ),
    ]
