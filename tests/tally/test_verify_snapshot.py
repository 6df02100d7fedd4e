"""`santui tally verify` reads the database in one snapshot: an integration that commits while
it runs is seen whole or not at all. Its reads are several queries (the rollups, the ledger,
the statements, the log); between them, without one snapshot, a live instance showed rollups
of one size against a log of the next."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from santui.statements.actions import statement_accept, statement_receive
from santui.tally import verify as verify_module
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tally.verify import tally_verify

pytestmark = pytest.mark.django_db(transaction=True)


def _accepted(count: int) -> None:
    for i in range(count):
        statement = statement_receive(
            channel="web", organizations=["party"], name_kind="anonymous", headcount=1 + i,
            received_at=dt.datetime(2020, 1, 1 + i, 12, tzinfo=dt.UTC), source="t", via="t",
        ).statement  # fmt: skip
        statement_accept(statement=statement, by=None, via="t")


def _integrate_in_another_connection() -> None:
    try:
        tally_integrate()
    finally:
        connection.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a second writer beside a reader needs a server (the tests' SQLite is in memory)",
)
def test_an_integration_committed_while_verify_reads_is_not_seen_half(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    IntegrationState.objects.get_or_create(pk=1)
    _accepted(3)
    tally_integrate()
    _accepted(2)  # queued, integrated below while verify is half way
    cells_of = verify_module.cells_of
    integrated = []

    def meanwhile(counted):  # type: ignore[no-untyped-def]
        if not integrated:  # after the rollups are read, before the ledger is folded
            worker = threading.Thread(target=_integrate_in_another_connection)
            worker.start()
            worker.join(timeout=60)
            integrated.append(True)
        return cells_of(counted)

    monkeypatch.setattr(verify_module, "cells_of", meanwhile)
    report = tally_verify()
    assert integrated, "verify folded the ledger (the integration ran then)"
    assert report.ok, report.problems
    assert report.size == 3  # what verify's snapshot holds: before the integration
    monkeypatch.undo()
    after = tally_verify()
    assert after.ok, after.problems
    assert after.size == 5


def test_verify_leaves_no_transaction_open() -> None:
    """The snapshot ends with the verification: the connection is back in autocommit and the
    next write commits on its own (on SQLite, a read transaction left open would hold it)."""
    IntegrationState.objects.get_or_create(pk=1)
    _accepted(1)
    tally_integrate()
    assert tally_verify().ok
    assert connection.get_autocommit() and not connection.in_atomic_block
    _accepted(1)
    tally_integrate()
    assert tally_verify().size == 2
