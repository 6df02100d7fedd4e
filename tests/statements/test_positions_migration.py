"""Statements migrations 0015 and 0016 on a registry with integrated, revoked, published and
queued entries: 0016 moves the positions and the queue off the ledger (LogPosition,
QueuedEntry) and back again when reversed, and 0015's fill, run at its own schema, writes the
public list's rows the integrator writes."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from santui.statements.actions import statement_reject
from santui.statements.models import LedgerEntry, LogPosition, PublishedEntry, QueuedEntry
from santui.tally.actions import tally_integrate
from santui.tally.verify import tally_verify
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("statements", "0015_published_entries")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def _latest_schema_after() -> Any:
    yield
    _migrate()


def _ledger_columns() -> dict[int, tuple[Any, Any]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, position, integrated_at FROM statements_ledgerentry")
        return {
            # SQLite's raw rows give UTC without its zone
            pk: (position, at if at is None or at.tzinfo else at.replace(tzinfo=dt.UTC))
            for pk, position, at in cursor.fetchall()
        }


def _published() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id, position, day, region FROM statements_publishedentry "
            "ORDER BY position"
        )
        return list(cursor.fetchall())


def test_positions_go_back_onto_the_ledger_and_off_it_again() -> None:
    public = AcceptedStatementFactory(publish=True, region="110105")
    AcceptedStatementFactory(publish=False)
    rejected = AcceptedStatementFactory(publish=True)
    tally_integrate()
    statement_reject(statement=rejected, by=None, reason="spam", via="t")
    tally_integrate()
    queued = AcceptedStatementFactory(publish=True)  # its row comes with its integration
    positions = sorted(LogPosition.objects.values_list("entry_id", "position", "integrated_at"))
    assert len(positions) == 4  # three adds and a revoke
    waiting = LedgerEntry.objects.get(statement=queued).pk
    assert list(QueuedEntry.objects.values_list("entry_id", flat=True)) == [waiting]
    written = _published()
    assert [e for e, *_ in written] == [
        LedgerEntry.objects.get(statement=s, kind="add").pk for s in (public, rejected)
    ]

    _migrate(BEFORE)  # 0016 reversed: the positions on the ledger's rows
    columns = _ledger_columns()
    assert {pk: columns[pk] for pk, _, _ in positions} == {
        pk: (position, at) for pk, position, at in positions
    }
    assert columns[waiting] == (None, None)
    assert len(columns) == 5

    # 0015's fill, at its own schema: the integrator's rows, and only the missing ones again
    fill = importlib.import_module("santui.statements.migrations.0015_published_entries").fill
    editor = SimpleNamespace(connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM statements_publishedentry")  # as before 0015
    fill(django_apps, editor)
    assert _published() == written
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM statements_publishedentry WHERE position = %s", [written[0][1]])
    fill(django_apps, editor)
    assert _published() == written

    _migrate()  # 0016 again: off the ledger
    assert sorted(LogPosition.objects.values_list("entry_id", "position", "integrated_at")) == (
        positions
    )
    assert list(QueuedEntry.objects.values_list("entry_id", flat=True)) == [waiting]
    assert tally_verify().ok
    assert tally_integrate().entries == 1
    assert LedgerEntry.objects.get(statement=queued).position == 4
    assert PublishedEntry.objects.count() == 3
    assert tally_verify().ok
