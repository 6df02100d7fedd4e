"""The published copy of public statements' names and texts (issue 12: the public server reads
only this; the office writes it, santui.statements.public.refresh_public_copies)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("statements", "0008_text_encrypted_masked")]

    operations = [
        migrations.CreateModel(
            name="PublicCopy",
            fields=[
                (
                    "statement",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="public_copy",
                        serialize=False,
                        to="statements.statement",
                    ),
                ),
                ("name", models.TextField(blank=True)),
                ("text", models.TextField(blank=True)),
            ],
            options={"verbose_name": "published copy", "verbose_name_plural": "published copies"},
        ),
    ]
