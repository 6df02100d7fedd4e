"""A partial index of the public statements (accepted, published with consent), in number
order (issue 15). The office's round of published copies (``refresh_public_copies``, every two
seconds) looks for public statements without a copy; without this index each round read the
whole statements table (docs/benchmarks.md, "The published copies' round").

On PostgreSQL it is built CONCURRENTLY (the migration is not atomic), so that a large registry
keeps taking statements meanwhile; an invalid index left by an interrupted build is dropped
and built again. SQLite builds it as Django does."""

from django.db import migrations, models

from santui.statements.migrations._concurrently import PartialIndexes

INDEX = "statement_public"

INDEXES = PartialIndexes(
    [models.Index(fields=["id"], condition=models.Q(status="accepted", publish=True), name=INDEX)],
    {INDEX: "(id) WHERE status = 'accepted' AND publish"},
)
create, drop = INDEXES.create, INDEXES.drop


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("statements", "0010_received_brin")]

    operations = [INDEXES.operation()]
