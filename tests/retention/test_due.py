"""Retention's search for statements past their period (``statements_due``) through
``decided_at`` and its two partial indexes (statements migration 0013, issue 15).

The search takes the candidates by ``decided_at`` and lets the audit trail decide for each, so
whatever ``decided_at`` holds (exact, missing, earlier than the decision) it finds exactly the
statements the audit trail's rule finds; and it reads the indexes, not the whole table. SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.retention.policy import current_policy
from santui.retention.run import _past, retention_round, statements_due
from santui.statements.actions import (
    statement_accept,
    statement_receive,
    statement_reinstate,
    statement_reject,
)
from santui.statements.models import RejectReason, Statement, Status, StatusChange
from tests.backoffice.test_received_index import insert_accepted

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2008, 8, 8, 4, 0, tzinfo=dt.UTC)
FINALS = ("received", "accepted", "published", "rejected", "revoked", "reinstated")


def _make(final: str) -> Statement:
    """A statement taken by its actions to ``final``."""
    statement = statement_receive(
        channel="web", organizations=["party"], name_kind="real", name="王秀兰",
        text="我声明退出中共。王秀兰", source="web", via="test", received_at=DAY,
        publish=final == "published",
    ).statement  # fmt: skip
    if final in ("accepted", "published", "revoked"):
        statement_accept(statement=statement, by=None, via="test")
    if final in ("rejected", "reinstated"):
        statement_reject(statement=statement, by=None, reason=RejectReason.DUPLICATE, via="test")
    if final == "revoked":
        statement_reject(statement=statement, by=None, reason="spam", via="test")
    if final == "reinstated":
        statement_reinstate(statement=statement, by=None, via="test")
    return statement


def _date(statement: Statement, now: dt.datetime, age: int, dated: str, early: int) -> None:
    """Its audit rows moved back in time, the last one ``age`` days ago and each earlier one a
    day before the next; then its ``decided_at``: the decision's time (``exact``), none
    (``missing``: a path that did not write it), or ``early`` days before it (stale)."""
    changes = list(StatusChange.objects.filter(statement=statement).order_by("-id"))
    for back, change in enumerate(changes):
        StatusChange.objects.filter(pk=change.pk).update(
            at=now - dt.timedelta(days=age + back, hours=1)
        )
    statement.refresh_from_db()
    decided = (
        StatusChange.objects.filter(statement=statement, to_status=statement.status)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if decided is None or dated == "missing":
        value = None
    else:
        value = decided - dt.timedelta(days=early) if dated == "early" else decided
    Statement.objects.filter(pk=statement.pk).update(decided_at=value)


def _due_by_the_audit_trail(now: dt.datetime) -> set[int]:
    """The rule as docs/retention.md states it, in Python, from every statement and audit row."""
    policy = current_policy()
    cut = {
        Status.REJECTED: now - dt.timedelta(days=policy.rejected_days),
        Status.ACCEPTED: now - dt.timedelta(days=policy.accepted_days),
    }
    latest: dict[tuple[int, str], dt.datetime] = {}
    for pk, status, at in StatusChange.objects.values_list("statement_id", "to_status", "at"):
        latest[pk, status] = max(at, latest.get((pk, status), at))
    due = set()
    for s in Statement.objects.all():
        if s.shredded_at is not None or s.status not in cut:
            continue
        if s.status == Status.ACCEPTED and s.publish:
            continue
        decided = latest.get((s.pk, s.status))
        if decided is not None and decided <= cut[s.status]:
            due.add(s.pk)
    return due


worlds = st.lists(
    st.tuples(
        st.sampled_from(FINALS),
        st.sampled_from([0, 30, 89, 91, 200, 364, 366, 800]),  # days since the last change
        st.sampled_from(["exact", "missing", "early"]),
        st.integers(min_value=1, max_value=500),  # days early
    ),
    min_size=1,
    max_size=8,
)


class DueAsTheAuditTrailSays(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds)
    def test_the_index_finds_what_the_audit_trail_finds(self, world: list[Any]) -> None:
        now = timezone.now()
        for final, age, dated, early in world:
            _date(_make(final), now, age, dated, early)
        expected = _due_by_the_audit_trail(now)
        assert set(statements_due(current_policy(), now).values_list("pk", flat=True)) == expected
        assert retention_round(now=now, dry_run=True).statements == len(expected)


def test_a_statement_without_decided_at_is_still_found_and_shredded() -> None:
    now = timezone.now()
    forgotten = _make("accepted")
    _date(forgotten, now, 400, "missing", 0)
    assert Statement.objects.get(pk=forgotten.pk).decided_at is None
    assert retention_round(now=now).statements == 1
    assert Statement.objects.get(pk=forgotten.pk).shredded_at == now


@pytest.mark.stale_decided_at
def test_an_early_decided_at_never_shreds_before_the_period_ends() -> None:
    """Rejected a year ago, reinstated and accepted a month ago, with the rejection's time left
    in decided_at: it is looked at, and kept."""
    now = timezone.now()
    statement = _make("reinstated")
    _date(statement, now, 30, "early", 335)
    assert Statement.objects.get(pk=statement.pk).decided_at < now - dt.timedelta(days=365)
    assert retention_round(now=now).statements == 0
    assert Statement.objects.get(pk=statement.pk).shredded_at is None


def _plans(now: dt.datetime) -> str:
    policy = current_policy()
    rejected = _past(Status.REJECTED, policy.before(now, policy.rejected_days))
    accepted = _past(Status.ACCEPTED, policy.before(now, policy.accepted_days), publish=False)
    return "\n".join(q.values_list("pk", flat=True).explain() for q in (rejected, accepted))


def test_the_search_reads_the_two_indexes_not_the_table() -> None:
    now = timezone.now()
    if connection.vendor == "postgresql":
        insert_accepted(40_000, public_every=50)
        with connection.cursor() as cur:  # decided as received, every other one rejected
            cur.execute(
                "UPDATE statements_statement SET decided_at = %s - make_interval(mins => id::int),"
                " status = CASE WHEN id %% 2 = 0 THEN 'rejected' ELSE status END,"
                " reject_reason = CASE WHEN id %% 2 = 0 THEN 'spam' ELSE '' END",
                [now],
            )
            cur.execute("ANALYZE statements_statement")
    else:
        for final in FINALS:
            _make(final)
    plan = _plans(now)
    assert "statement_rejected_kept" in plan and "statement_unpublished_kept" in plan, plan
    if connection.vendor == "postgresql":
        assert "Seq Scan on statements_statement" not in plan, plan
    else:  # every scan of the statements goes through one of the two indexes
        scans = [line for line in plan.splitlines() if "statements_statement" in line]
        assert scans and all("_kept" in line for line in scans), plan
