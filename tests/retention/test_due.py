"""Retention's search for statements past their period (``statements_due``) through
``decided_at`` and its two partial indexes (statements migration 0013, issue 15), and for
email past its period among the messages still held (``mail_due``, intake migration 0002).

The search takes the candidates by ``decided_at`` and lets the audit trail decide for each, so
whatever ``decided_at`` holds (exact, missing, earlier than the decision) it finds exactly the
statements the audit trail's rule finds; and it reads the indexes, not the whole table. SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.intake.models import MailAttachment, MailMessage, Quarantine
from santui.retention.policy import current_policy
from santui.retention.run import _past, held_mail, mail_due, retention_round, statements_due
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


# --- email: among the messages still held ------------------------------------------------------


def _mail_due_by_definition(now: dt.datetime) -> set[int]:
    """mail_due as it was written before intake migration 0002: every message, each tested for
    what it still holds."""
    policy = current_policy()
    cut = policy.before(now, policy.mail_days)
    decided = Q(statement__isnull=False) & (
        Q(statement__status__in=[Status.ACCEPTED, Status.REJECTED],
          statement__changes__to_status__in=[Status.ACCEPTED, Status.REJECTED],
          statement__changes__at__lte=cut)
        | Q(statement__shredded_at__isnull=False)
    )  # fmt: skip
    unresolved = Q(
        statement__isnull=True,
        quarantine__isnull=False,
        quarantine__quarantined_at__lte=policy.before(now, policy.unresolved_mail_days),
    )
    held = (
        Exists(MailAttachment.objects.filter(mail=OuterRef("pk")))
        | Exists(Quarantine.objects.filter(mail=OuterRef("pk")).exclude(raw=b""))
        | ~Q(sender_hash="")
    )
    found = MailMessage.objects.filter(decided | unresolved).filter(held).distinct()
    return set(found.values_list("pk", flat=True))


messages = st.lists(
    st.fixed_dictionaries({
        "statement": st.sampled_from([None, "received", "accepted", "rejected", "revoked"]),
        "age": st.sampled_from([0, 29, 31, 89, 91, 400]),
        "files": st.integers(min_value=0, max_value=2),
        "raw": st.sampled_from([None, b"", b"raw"]),  # no quarantine record, emptied, held
        "sender": st.booleans(),
    }),
    min_size=1,
    max_size=8,
)  # fmt: skip


class MailDueAsDefined(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(messages)
    def test_the_held_messages_give_what_every_message_gives(self, made: list[Any]) -> None:
        now = timezone.now()
        for i, m in enumerate(made):
            statement = None
            if m["statement"] is not None:
                statement = _make(m["statement"])
                _date(statement, now, m["age"], "exact", 0)
            mail = MailMessage.objects.create(
                key=f"m{i}", sender_hash="ab" * 32 if m["sender"] else "", received_at=DAY,
                size=10, statement=statement,
            )  # fmt: skip
            for f in range(m["files"]):
                MailAttachment.objects.create(
                    mail=mail, filename=f"{f}.jpg", content_type="image/jpeg", size=3, data=b"x"
                )
            if m["raw"] is not None:
                q = Quarantine.objects.create(mail=mail, reason="no_statement", raw=m["raw"])
                Quarantine.objects.filter(pk=q.pk).update(
                    quarantined_at=now - dt.timedelta(days=m["age"])
                )
        expected = _mail_due_by_definition(now)
        assert set(mail_due(current_policy(), now).values_list("pk", flat=True)) == expected


def test_the_email_search_reads_only_what_is_held() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the plan of PostgreSQL, on many messages")
    with connection.cursor() as cur:  # 200,000 messages whose data retention already deleted
        cur.execute(
            "INSERT INTO intake_mailmessage (key, sender_hash, received_at, size, ingested_at)"
            " SELECT 'k' || i, '', now(), 10, now() FROM generate_series(1, 200000) AS i"
        )
        cur.execute(
            "INSERT INTO intake_quarantine (mail_id, reason, detail, raw, raw_truncated, text,"
            " quarantined_at) SELECT id, 'no_statement', '', '', false, NULL, now()"
            " FROM intake_mailmessage"
        )
        cur.execute(  # and a hundred held: new, each with its sender's hash and a file
            "INSERT INTO intake_mailmessage (key, sender_hash, received_at, size, ingested_at)"
            " SELECT 'h' || i, md5(i::text), now(), 10, now() FROM generate_series(1, 100) AS i"
        )
        cur.execute(
            "INSERT INTO intake_mailattachment (mail_id, filename, content_type, size, data)"
            " SELECT id, 'a.jpg', 'image/jpeg', 1, 'x' FROM intake_mailmessage"
            " WHERE key LIKE 'h%%'"
        )
        for table in ("intake_mailmessage", "intake_quarantine", "intake_mailattachment"):
            cur.execute(f"ANALYZE {table}")
    held = held_mail().explain()
    assert "quarantine_held" in held and "mail_sender" in held, held
    plan = held + mail_due(current_policy(), timezone.now()).explain()
    assert "Seq Scan on intake_mailmessage" not in plan, plan
    assert "Seq Scan on intake_quarantine" not in plan, plan
    assert len(mail_due(current_policy(), timezone.now())) == 0  # none decided: none due
