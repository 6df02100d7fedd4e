"""A partial index of the quarantined messages still held in their raw form (issue 15).
Retention's round (``santui.retention.run.mail_due``) looks for email past its period among the
messages that still hold something personal, found through this index, the attachments' and the
sender hash's, instead of joining every message ever taken in with its statement's audit trail.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_mail_intake"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="quarantine",
            index=models.Index(
                condition=models.Q(("raw", b""), _negated=True),
                fields=["mail"],
                name="quarantine_held",
            ),
        ),
    ]
