"""The office's rounds of published copies that look only at what was decided since the last one
(``refresh_public_copies(since=...)``, ``CopyRounds``; statements migration 0014, issue 15): they
keep the copies equal to the public statements through any decisions, whole rounds find what
they cannot see, and they read indexes, never every public statement. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.statements.actions import statement_accept, statement_reject
from santui.statements.models import PublicCopy, Statement, Status
from santui.statements.public import LATE, CopyRounds, refresh_public_copies
from tests.backoffice.test_received_index import insert_accepted
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory
from tests.plans import table_scans

pytestmark = pytest.mark.django_db


def _copied() -> set[int]:
    return set(PublicCopy.objects.values_list("statement_id", flat=True))


def _public() -> set[int]:
    return set(Statement.objects.filter(status=Status.ACCEPTED, publish=True).values_list(
        "pk", flat=True))  # fmt: skip


def _decided(statement: Statement, at: dt.datetime) -> None:
    """As if decided at ``at`` (its audit row too, as the conftest check wants)."""
    Statement.objects.filter(pk=statement.pk).update(decided_at=at)
    statement.changes.filter(to_status=statement.status).update(at=at)


def test_a_round_since_writes_what_became_public_and_deletes_what_stopped() -> None:
    first = AcceptedStatementFactory(publish=True)
    assert refresh_public_copies() == (1, 0, 0)
    since = timezone.now()
    second = AcceptedStatementFactory(publish=True)
    AcceptedStatementFactory(publish=False)
    statement_reject(statement=first, by=None, reason="spam", via="test")
    assert refresh_public_copies(since=since) == (1, 1, 0)
    assert _copied() == {second.pk} == _public()


def test_a_round_since_looks_back_late_and_no_further_a_whole_round_finds_the_rest() -> None:
    since = timezone.now()
    late = AcceptedStatementFactory(publish=True)  # committed late: stamped before ``since``
    _decided(late, since - LATE + dt.timedelta(seconds=30))
    older = AcceptedStatementFactory(publish=True)  # missed by a round since (a whole one finds it)
    _decided(older, since - LATE - dt.timedelta(seconds=30))
    assert refresh_public_copies(since=since) == (1, 0, 0)
    assert _copied() == {late.pk}
    assert refresh_public_copies() == (1, 0, 0)
    assert _copied() == {late.pk, older.pk}


def test_rounds_begin_whole_then_look_since_and_are_whole_again_after_a_while() -> None:
    start = timezone.now()
    rounds = CopyRounds(whole_every=dt.timedelta(minutes=10))
    missed = AcceptedStatementFactory(publish=True)
    _decided(missed, start - dt.timedelta(hours=1))
    assert rounds.round(now=start) == (1, 0, 0)  # the first round is whole
    assert rounds.since == rounds.whole_at == start
    PublicCopy.objects.all().delete()  # as if lost: only a whole round can see it
    assert rounds.round(now=start + dt.timedelta(minutes=1)) == (0, 0, 0)
    assert rounds.since == start + dt.timedelta(minutes=1) and rounds.whole_at == start
    assert rounds.round(now=start + dt.timedelta(minutes=10)) == (1, 0, 0)
    assert rounds.whole_at == start + dt.timedelta(minutes=10)
    assert _copied() == {missed.pk}


def test_a_round_that_leaves_some_waiting_does_not_move_on() -> None:
    rounds = CopyRounds()
    made = [AcceptedStatementFactory(publish=True) for _ in range(3)]
    assert rounds.round(limit=2) == (2, 0, 1)
    assert rounds.since is None and rounds.whole_at is None  # the whole round goes on
    assert rounds.round(limit=2) == (1, 0, 0)
    assert rounds.since is not None and _copied() == {s.pk for s in made}


def test_a_round_since_reads_the_indexes_by_decision_time() -> None:
    since = timezone.now()
    if connection.vendor == "postgresql":
        insert_accepted(40_000, public_every=50)
        with connection.cursor() as cur:  # decided over the last 40,000 minutes, a third rejected
            cur.execute(
                "UPDATE statements_statement SET decided_at = %s - make_interval(mins => id::int),"
                " status = CASE WHEN id %% 3 = 0 THEN 'rejected' ELSE status END,"
                " reject_reason = CASE WHEN id %% 3 = 0 THEN 'spam' ELSE '' END",
                [since],
            )
            cur.execute("ANALYZE statements_statement")
    else:
        AcceptedStatementFactory(publish=True)
        AcceptedStatementFactory(publish=False)
    captured: list[str] = []

    def explain(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("SELECT", "DELETE")) and "statements_statement" in sql:
            with connection.cursor() as cur:
                prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                cur.execute(prefix + sql, params)
                captured.append("\n".join(str(row) for row in cur.fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        refresh_public_copies(since=since)
    plans = "\n".join(captured)
    assert "statement_rejected_kept" in plans, plans
    if connection.vendor == "postgresql":
        assert "statement_public_decided" in plans, plans
        assert table_scans(plans, "statements_statement") == [], plans
        assert not re.search(r"statement_public(_p\d+)? ", plans), plans
    else:  # SQLite may walk the public statements in number order instead: never the table
        scans = [line for line in plans.splitlines() if "SCAN statements_statement" in line]
        assert all("USING INDEX statement_" in line for line in scans), plans


# --- the rounds since the last one keep the copies equal to the public statements ------------

steps = st.lists(
    st.tuples(
        st.sampled_from(["receive", "accept", "reject", "round"]),
        st.booleans(),
        st.integers(min_value=0, max_value=20),
    ),
    min_size=1,
    max_size=25,
)


class RoundsSinceKeepUp(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def test_copies_follow_the_public_statements(self, chosen: list[Any]) -> None:
        rounds = CopyRounds(whole_every=dt.timedelta(days=365))
        rounds.round()  # whole; every later round looks only since the one before
        for action, publish, pick in chosen:
            received = list(Statement.objects.filter(status=Status.RECEIVED).order_by("pk"))
            accepted = list(Statement.objects.filter(status=Status.ACCEPTED).order_by("pk"))
            if action == "receive":
                ReceivedStatementFactory(publish=publish)
            elif action == "accept" and received:
                statement_accept(statement=received[pick % len(received)], by=None, via="t")
            elif action == "reject" and accepted:
                statement_reject(statement=accepted[pick % len(accepted)], by=None,
                                 reason="spam", via="t")  # fmt: skip
            elif action == "round":
                rounds.round()
        rounds.round()
        assert rounds.whole_at is not None and rounds.since != rounds.whole_at
        assert _copied() == _public()
