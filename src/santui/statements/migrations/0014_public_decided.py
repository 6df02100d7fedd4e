"""A partial index of the public statements (accepted, published with consent) by the time of
their decision (issue 15). The office's round of published copies, every two seconds, now reads
only the statements decided since its last round (``santui.statements.public.CopyRounds``); a
whole round, which reads every public statement through ``statement_public`` (migration 0011),
runs once every ten minutes. Built CONCURRENTLY on PostgreSQL, as 0011."""

from django.db import migrations, models

from santui.statements.migrations._concurrently import PartialIndexes

INDEX = "statement_public_decided"

INDEXES = PartialIndexes(
    [
        models.Index(
            fields=["decided_at"], condition=models.Q(status="accepted", publish=True), name=INDEX
        )
    ],
    {INDEX: "(decided_at) WHERE status = 'accepted' AND publish"},
)
create, drop = INDEXES.create, INDEXES.drop


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("statements", "0013_decided_at")]

    operations = [INDEXES.operation()]
