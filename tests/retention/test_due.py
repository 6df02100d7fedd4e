"""Retention's search for statements past their period (``statements_due``) through
``decided_at`` and its two partial indexes (statements migration 0013, issue 15), and for
email past its period among the messages still held (``mail_due``, intake migration 0002).

The search takes the candidates by ``decided_at`` and lets the audit trail decide for each, so
whatever ``decided_at`` holds (exact, missing, earlier than the decision) it finds exactly the
statements the audit trail's rule finds; and it reads the indexes, not the whole table. SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.intake.models import MailAttachment, MailMessage, Quarantine
from santui.retention.management.commands.retention import _loop_round
from santui.retention.models import ShredRun
from santui.retention.policy import current_policy
from santui.retention.run import (
    _due_parts,
    _past,
    candidates_due,
    count_due,
    held_mail,
    mail_due,
    retention_round,
    statements_due,
    statements_due_first,
)
from santui.statements.actions import (
    statement_accept,
    statement_receive,
    statement_reinstate,
    statement_reject,
)
from santui.statements.models import RejectReason, Statement, Status, StatusChange
from tests.backoffice.test_received_index import insert_accepted
from tests.plans import table_scans

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


class CappedRoundsShredWhatOneRoundWould(TestCase):
    """A round shreds at most ``per_round`` statements; rounds one after another, each listing
    what is due again, shred exactly what the audit trail's rule says, and no more."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds, st.integers(min_value=1, max_value=4))
    def test_rounds_of_at_most_n(self, world: list[Any], per_round: int) -> None:
        now = timezone.now()
        for final, age, dated, early in world:
            _date(_make(final), now, age, dated, early)
        expected = _due_by_the_audit_trail(now)
        first = statements_due_first(current_policy(), now, per_round)
        assert len(first) == len(set(first)) == min(per_round, len(expected))
        assert set(first) <= expected
        assert count_due(current_policy(), now) == len(expected)
        looked_at = candidates_due(current_policy(), now)  # the progress bar's bound
        assert looked_at >= len(expected)
        if all(dated == "exact" for _f, _a, dated, _e in world):
            assert looked_at == len(expected)
        shredded = 0
        for _ in range(len(expected) // per_round + 1):
            result = retention_round(now=now, per_round=per_round)
            assert result.statements <= per_round
            shredded += result.statements
            if not result.more:
                break
        assert not result.more
        assert shredded == len(expected)
        gone = set(Statement.objects.filter(shredded_at=now).values_list("pk", flat=True))
        assert gone == expected


def _decided(days_ago: list[int | None], now: dt.datetime) -> list[Statement]:
    """Rejected statements decided ``days_ago`` (None: no ``decided_at``)."""
    made = []
    for age in days_ago:
        statement = _make("rejected")
        _date(statement, now, age or 400, "missing" if age is None else "exact", 0)
        made.append(statement)
    return made


def test_a_capped_round_takes_the_oldest_decisions_first_then_those_without_a_date() -> None:
    now = timezone.now()
    recent, oldest, missing, middle = _decided([200, 500, None, 300], now)
    policy = current_policy()
    assert statements_due_first(policy, now, 2) == [oldest.pk, middle.pk]
    assert statements_due_first(policy, now, 3) == [oldest.pk, middle.pk, recent.pk]
    assert set(statements_due_first(policy, now, 9)) == {oldest.pk, middle.pk, recent.pk,
                                                          missing.pk}  # fmt: skip
    result = retention_round(now=now, per_round=3)
    assert (result.statements, result.more) == (3, True)
    assert Statement.objects.get(pk=missing.pk).shredded_at is None
    result = retention_round(now=now, per_round=3)
    assert (result.statements, result.more) == (1, False)
    assert Statement.objects.get(pk=missing.pk).shredded_at == now


def test_a_dry_run_counts_past_the_cap() -> None:
    now = timezone.now()
    _decided([200, 300, 400], now)
    result = retention_round(now=now, dry_run=True, per_round=1)
    assert (result.statements, result.more) == (3, False)
    assert not Statement.objects.filter(shredded_at__isnull=False).exists()


def test_the_command_runs_capped_rounds_until_none_is_left() -> None:
    now = timezone.now()
    _decided([200, 300, 400, 500, None], now)
    out = StringIO()
    call_command("retention", "run", "--no-progress", "--per-round", "2", stdout=out,
                 stderr=StringIO())  # fmt: skip
    assert "deleted the personal data of 5 statements" in out.getvalue(), out.getvalue()
    assert "3 rounds of at most 2" in out.getvalue(), out.getvalue()
    assert ShredRun.objects.count() == 3
    assert sorted(ShredRun.objects.values_list("statements", flat=True)) == [1, 2, 2]
    assert not Statement.objects.filter(shredded_at__isnull=True).exists()
    with pytest.raises(CommandError):
        call_command("retention", "run", "--per-round", "0", stdout=out, stderr=StringIO())


@pytest.mark.stale_decided_at
def test_the_commands_bar_is_sized_from_the_indexes_and_ends_at_what_was_found() -> None:
    """Three due, and one looked at and kept (an early decided_at): the bar is sized 4 from the
    indexes alone, and ends at 3 of 3."""
    now = timezone.now()
    _decided([200, 300, 400], now)
    kept = _make("reinstated")
    _date(kept, now, 30, "early", 335)
    err = StringIO()
    call_command("retention", "run", "--per-round", "2", stdout=StringIO(), stderr=err)
    assert "/4 " in err.getvalue(), err.getvalue()
    assert err.getvalue().rstrip().splitlines()[-1].count("3/3"), err.getvalue()
    assert Statement.objects.get(pk=kept.pk).shredded_at is None


def test_the_loop_goes_straight_on_while_a_round_stops_at_its_cap() -> None:
    now = timezone.now()
    _decided([200, 300, 400], now)
    assert _loop_round(2).backlog == 1  # run_supervised does not pause after such a round
    assert _loop_round(2).backlog == 0
    assert not Statement.objects.filter(shredded_at__isnull=True).exists()


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
    parts = [q.values_list("pk", flat=True)[:1000].explain() for q in
             _due_parts(current_policy(), now)]  # fmt: skip
    capped = "\n".join(parts)
    assert "statement_rejected_kept" in capped and "statement_unpublished_kept" in capped, capped
    if connection.vendor == "postgresql":  # above the audit subquery (which sorts its own rows)
        for part in parts:
            outer = part.split("SubPlan")[0]
            assert "Index Scan using statement_" in outer, part
            assert table_scans(outer, "statements_statement") == [], part
            # in the index's order; across the partitions (migration 0018) the planner merges
            # their index scans in order when it expects more rows than a round takes, and
            # sorts those it expects when they are fewer: never more than the round's 1,000
            sorted_rows = [int(n) for n in re.findall(r"Sort  \(cost=\S+ rows=(\d+)", outer)]
            assert all(n <= 1000 for n in sorted_rows), part
    else:
        # the order is the index's (the audit subquery sorts a statement's own rows)
        assert not re.search(r"^\d+ 0 0 USE TEMP B-TREE", capped, re.M), capped
    assert "statement_rejected_kept" in plan and "statement_unpublished_kept" in plan, plan
    if connection.vendor == "postgresql":
        assert table_scans(plan, "statements_statement") == [], plan
    else:  # every scan of the statements goes through one of the two indexes
        scans = [line for line in plan.splitlines() if "statements_statement" in line]
        assert scans and all("_kept" in line for line in scans), plan


# --- email: among the messages still held ------------------------------------------------------


def _mail_due_by_definition(now: dt.datetime) -> set[int]:
    """The rule as docs/retention.md states it, in Python, from every message, its statement
    and the statement's audit rows: what a message still holds (files, the raw form, the
    sender's hash) goes ``mail_days`` after the statement's last change to accepted or rejected
    while it is decided, at once once the statement is shredded, and ``unresolved_mail_days``
    after the quarantine when no statement was made of it."""
    policy = current_policy()
    decided_cut = now - dt.timedelta(days=policy.mail_days)
    unresolved_cut = now - dt.timedelta(days=policy.unresolved_mail_days)
    last: dict[int, dt.datetime] = {}
    for pk, status, at in StatusChange.objects.values_list("statement_id", "to_status", "at"):
        if status in (Status.ACCEPTED, Status.REJECTED):
            last[pk] = max(at, last.get(pk, at))
    files = set(MailAttachment.objects.values_list("mail_id", flat=True))
    raw = {q.mail_id: q for q in Quarantine.objects.all()}
    due = set()
    for m in MailMessage.objects.select_related("statement"):
        held = m.pk in files or (m.pk in raw and raw[m.pk].raw != b"") or m.sender_hash != ""
        s = m.statement
        if s is None:
            gone = m.pk in raw and raw[m.pk].quarantined_at <= unresolved_cut
        elif s.shredded_at is not None:
            gone = True
        else:
            gone = (
                s.status in (Status.ACCEPTED, Status.REJECTED)
                and s.pk in last
                and last[s.pk] <= decided_cut
            )
        if held and gone:
            due.add(m.pk)
    return due


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
    def test_the_held_messages_due_are_those_the_rule_gives(self, made: list[Any]) -> None:
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


def test_the_email_of_a_revoked_statement_is_kept_its_period_from_the_revocation() -> None:
    """Accepted 60 days ago, revoked 5 days ago: the decision is the revocation, and the email
    is kept 30 days from it (before, any acceptance or rejection older than 30 days made it
    due at once)."""
    now = timezone.now()
    statement = _make("revoked")
    accepted, revoked = StatusChange.objects.filter(statement=statement).order_by("id")[1:3]
    StatusChange.objects.filter(pk=accepted.pk).update(at=now - dt.timedelta(days=60))
    StatusChange.objects.filter(pk=revoked.pk).update(at=now - dt.timedelta(days=5))
    Statement.objects.filter(pk=statement.pk).update(decided_at=now - dt.timedelta(days=5))
    mail = MailMessage.objects.create(
        key="m", sender_hash="ab" * 32, received_at=DAY, size=10, statement=statement
    )
    policy = current_policy()
    assert (accepted.to_status, revoked.to_status) == (Status.ACCEPTED, Status.REJECTED)
    assert list(mail_due(policy, now)) == []
    assert list(mail_due(policy, now + dt.timedelta(days=26))) == [mail]


@pytest.mark.stale_decided_at
def test_the_email_of_a_statement_without_decided_at_goes_by_its_audit_trail() -> None:
    now = timezone.now()
    statement = _make("accepted")
    _date(statement, now, 40, "missing", 0)
    mail = MailMessage.objects.create(
        key="m", sender_hash="ab" * 32, received_at=DAY, size=10, statement=statement
    )
    policy = current_policy()
    assert list(mail_due(policy, now)) == [mail]
    assert list(mail_due(policy, now - dt.timedelta(days=20))) == []


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
