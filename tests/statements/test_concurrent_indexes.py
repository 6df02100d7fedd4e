"""The indexes statements migrations 0010, 0011, 0013 and 0014 build on PostgreSQL with CREATE
INDEX CONCURRENTLY (migrations._concurrently): outside a transaction, and again where a build
that failed half-way left an invalid index behind; a valid one is kept as it is."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from santui.statements.migrations._concurrently import index_valid
from tests.statements.migrations_support import migrate


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("migration", "index"),
    [
        ("0010_received_brin", "statement_received_brin"),
        ("0011_public_index", "statement_public"),
        ("0013_decided_at", "statement_rejected_kept"),
        ("0013_decided_at", "statement_unpublished_kept"),
        ("0014_public_decided", "statement_public_decided"),
    ],
)
def test_the_migration_builds_its_index_again_when_missing_or_left_invalid(
    migration: str, index: str, back_to_latest: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("CREATE INDEX CONCURRENTLY is PostgreSQL's")
    # on the table these migrations knew: since 0018 the statements are partitioned, and
    # PostgreSQL builds no index of a partitioned table concurrently
    migrate([("statements", "0017_ledger_partitions")])
    module = importlib.import_module(f"santui.statements.migrations.{migration}")
    with connection.schema_editor(atomic=False) as editor:
        module.drop(apps, editor)
    assert index_valid(connection, index) is None
    with connection.schema_editor(atomic=False) as editor:
        module.create(apps, editor)
    assert index_valid(connection, index) is True

    with connection.cursor() as cur:  # as a failed CREATE INDEX CONCURRENTLY leaves it
        cur.execute(
            f"UPDATE pg_index SET indisvalid = false WHERE indexrelid = '{index}'::regclass"
        )
    assert index_valid(connection, index) is False
    with connection.schema_editor(atomic=False) as editor:
        module.create(apps, editor)
    assert index_valid(connection, index) is True
    with connection.schema_editor(atomic=False) as editor:
        module.create(apps, editor)  # a valid one is kept as it is
    assert index_valid(connection, index) is True
