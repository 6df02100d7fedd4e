"""Retention by crypto-shredding (docs/retention.md): the ciphertexts of personal data past their
period are deleted; counts, the ledger and the public log stay as they are.

A statement past its period loses its name, contact, text and masked copy (and the search
columns), gets ``shredded_at`` and an audit row (``via`` retention, no value); its status,
counted fields, ledger entries, commitment and receipt hash stay, so the totals, ``santui tally
verify``, the log and the receipt check are unchanged. An email message past its period loses
its raw form and text (quarantine), its attachments and its sender's keyed hash. Rejects files
of imports are deleted. Each round records its counts (``ShredRun``), never what it deleted.

``retention_round`` is what ``santui retention run`` and the serve loop call.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from santui.intake.models import MailAttachment, MailMessage, Quarantine
from santui.retention.models import ShredRun
from santui.retention.policy import Policy, current_policy
from santui.statements.bulk import among, insert_rows
from santui.statements.models import Statement, Status, StatusChange

log = logging.getLogger(__name__)

VIA = "retention"
NOTE = "personal data deleted (retention)"
CHUNK = 1000
# Statements a round shreds at most (``santui retention run --per-round``). Without a cap, the
# first round after the history is imported would list hundreds of millions of ids in memory
# and hold them for hours; capped, it takes the oldest decisions first and the loop goes straight
# on to the next round until none is left.
PER_ROUND = 100_000
REJECTS_SUFFIX = ".rejects.jsonl"

Progress = Callable[[int], object]


@dataclass
class Shredded:
    """What a round deleted (or, dry, would delete): counts only."""

    statements: int = 0
    mail_messages: int = 0
    attachments: int = 0
    rejects_files: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    run: int | None = None  # the ShredRun recorded (none when dry)
    per_reason: dict[str, int] = field(default_factory=dict)
    more: bool = False  # the round stopped at its cap: statements past their period are left

    @property
    def total(self) -> int:
        return self.statements + self.mail_messages + self.attachments + self.rejects_files


def _decided_at(status: str) -> Subquery:
    """When a statement last entered ``status`` (its audit trail)."""
    return Subquery(
        StatusChange.objects.filter(statement=OuterRef("pk"), to_status=status)
        .order_by("-at")
        .values("at")[:1],
        output_field=DateTimeField(),
    )


def _candidates(
    status: str, cut: dt.datetime, looked: Q | None = None, **kept: Any
) -> QuerySet[Statement]:
    """The kept statements in ``status`` (and ``kept``) a round looks at, through a partial
    index on ``decided_at`` (migration 0013): those decided by ``cut`` and those without one (a
    path that did not write it); ``looked`` takes one of the two."""
    if looked is None:
        looked = Q(decided_at__lte=cut) | Q(decided_at__isnull=True)
    return Statement.objects.filter(status=status, shredded_at__isnull=True, **kept).filter(looked)


def _past(
    status: str, cut: dt.datetime, looked: Q | None = None, **kept: Any
) -> QuerySet[Statement]:
    """The kept statements in ``status`` (and ``kept``) decided at or before ``cut``.

    The candidates (``_candidates``) come from ``decided_at``; the audit trail's latest row
    into the status then decides for each, so that a ``decided_at`` missing or early costs a
    look, never a deletion before its time."""
    return (
        _candidates(status, cut, looked, **kept)
        .annotate(decided=_decided_at(status))
        .filter(decided__lte=cut)
    )


def statements_due(policy: Policy, now: dt.datetime) -> QuerySet[Statement]:
    """Statements whose personal data is past its period and not yet deleted: rejected ones
    ``rejected_days`` after the rejection, accepted ones not published with consent
    ``accepted_days`` after the acceptance. Statements awaiting a decision are kept."""
    rejected, accepted = (_past(status, cut, **kept) for status, cut, kept in _arms(policy, now))
    ids = rejected.values_list("pk", flat=True).union(accepted.values_list("pk", flat=True))
    return Statement.objects.filter(pk__in=_numbers(ids)).order_by("pk")


def count_due(policy: Policy, now: dt.datetime) -> int:
    """How many statements ``statements_due`` finds, counted by the database part by part (the
    two parts are of different statuses), never listed: a dry run after the history is
    imported may count hundreds of millions."""
    return sum(_past(status, cut, **kept).count() for status, cut, kept in _arms(policy, now))


def candidates_due(policy: Policy, now: dt.datetime) -> int:
    """How many statements the search looks at (decided by the cut-off by their ``decided_at``,
    or without one), counted from the two indexes alone: at least as many as are due, the same
    number while every ``decided_at`` is its decision's time. ``santui retention run`` sizes
    its progress bar with it; counting what is due exactly (``count_due``) reads the audit
    trail of each, about fifteen minutes at 435 million."""
    return sum(_candidates(status, cut, **kept).count() for status, cut, kept in _arms(policy, now))


def statements_due_first(policy: Policy, now: dt.datetime, limit: int) -> list[int]:
    """At most ``limit`` of ``statements_due``, the oldest decisions first: each part of the
    search (rejected, accepted; by ``decided_at``, then those without one) reads its index in
    order and stops once it has found enough; the audit trail's rule applies as in
    ``statements_due``, before the count, so a stale candidate never takes a place."""
    found: list[int] = []
    for query in _due_parts(policy, now):
        left = limit - len(found)
        if left <= 0:
            break
        found += query.values_list("pk", flat=True)[:left]
    return found


def _due_parts(policy: Policy, now: dt.datetime) -> Iterator[QuerySet[Statement]]:
    """``statements_due`` in four parts, each read from one index in order: per kind, those
    decided by the cut-off (oldest first), then those without a ``decided_at``."""
    for status, cut, kept in _arms(policy, now):
        for candidates, order in ((Q(decided_at__lte=cut), ("decided_at",)),
                                  (Q(decided_at__isnull=True), ())):  # fmt: skip
            yield _past(status, cut, candidates, **kept).order_by(*order)


def _arms(policy: Policy, now: dt.datetime) -> list[tuple[str, dt.datetime, dict[str, Any]]]:
    """The two kinds of statement retention deletes: status, cut-off, what else they must be."""
    return [
        (Status.REJECTED, policy.before(now, policy.rejected_days), {}),
        (Status.ACCEPTED, policy.before(now, policy.accepted_days), {"publish": False}),
    ]


def mail_due(policy: Policy, now: dt.datetime) -> QuerySet[MailMessage]:
    """Email messages whose raw form, text and files are past their period and still held:
    ``mail_days`` after the decision on the statement made of them (or after it was shredded);
    an unresolved quarantined message ``unresolved_mail_days`` after it was quarantined."""
    mail_cut = policy.before(now, policy.mail_days)
    # "the decision" is the statement's last change to accepted or rejected (a revocation
    # starts the period again): its ``decided_at``; the audit trail where a path left none
    decisions = [Status.ACCEPTED, Status.REJECTED]
    decided = Q(statement__isnull=False) & (
        Q(statement__status__in=decisions)
        & (
            Q(statement__decided_at__lte=mail_cut)
            | Q(
                statement__decided_at__isnull=True,
                statement__changes__to_status__in=decisions,
                statement__changes__at__lte=mail_cut,
            )
        )
        | Q(statement__shredded_at__isnull=False)
    )
    unresolved = Q(
        statement__isnull=True,
        quarantine__isnull=False,
        quarantine__quarantined_at__lte=policy.before(now, policy.unresolved_mail_days),
    )
    return (
        MailMessage.objects.filter(pk__in=_numbers(held_mail()))
        .filter(decided | unresolved)
        .distinct()
        .order_by("pk")
    )


def held_mail() -> QuerySet[Any]:
    """The numbers of the messages that still hold something personal: files, the raw form
    (quarantine_held) or the sender's keyed hash (mail_sender). Each part reads an index of
    what is held, about ``mail_days`` of email, not every message ever taken in."""
    return (
        MailAttachment.objects.values_list("mail_id", flat=True)
        .union(Quarantine.objects.exclude(raw=b"").values_list("mail_id", flat=True))
        .union(MailMessage.objects.filter(sender_hash__gt="").values_list("pk", flat=True))
    )


def _numbers(query: QuerySet[Any]) -> Any:
    """The numbers ``query`` gives, for ``pk__in``. PostgreSQL gets them as one array (a list
    costs a parameter each, adapted one by one: tens of milliseconds for a day of due
    statements); given the subquery instead, its planner chose a hash join over every email
    message (docs/benchmarks.md, "Retention's search for due email"). SQLite gets the subquery,
    no parameters at all: it loops over the subquery's rows and looks each one up by number."""
    if connection.vendor == "postgresql":
        return among(list(query))
    return query


def rejects_files_due(policy: Policy, now: float | None = None) -> list[Path]:
    """Rejects files of imports (``*.rejects.jsonl``) in the configured directories, not written
    to for ``rejects_minutes`` (the import that wrote them is over)."""
    cut = (now if now is not None else time.time()) - policy.rejects_minutes * 60
    found: list[Path] = []
    for directory in policy.rejects_dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob(f"*{REJECTS_SUFFIX}")):
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime <= cut:
                    found.append(path)
            except OSError:
                continue
    return found


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _secure_delete() -> None:
    """On SQLite, deleted content is overwritten in the file (not left in free pages)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def _shred_statements(ids: list[int], now: dt.datetime) -> int:
    """Shred those of ``ids`` still due; return how many."""
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        # locked, and checked again: a moderator may have reinstated or published one since
        # the round listed it (statements_due)
        statuses = dict(
            Statement.objects.select_for_update()
            .filter(pk__in=ids, shredded_at__isnull=True)
            .filter(Q(status=Status.REJECTED) | Q(status=Status.ACCEPTED, publish=False))
            .values_list("pk", "status")
        )
        # the parser's reading goes too: it holds the place as written
        Statement.objects.filter(pk__in=list(statuses)).update(
            name=None, contact=None, text=None, text_masked=None, name_key=None,
            search_text=None, suggested=None, shredded_at=now,
        )  # fmt: skip
        insert_rows(
            StatusChange,
            ("statement_id", "from_status", "to_status", "reason", "note", "actor_id", "via", "at"),
            [(pk, s, s, "", NOTE, None, VIA, adapt(now)) for pk, s in statuses.items()],
        )
    return len(statuses)


def _shred_mail(ids: list[int]) -> int:
    """Delete the raw form, text and files of the messages ``ids``; the attachments deleted."""
    with transaction.atomic():
        attachments, _ = MailAttachment.objects.filter(mail_id__in=ids).delete()
        Quarantine.objects.filter(mail_id__in=ids).update(raw=b"", text=None)
        MailMessage.objects.filter(pk__in=ids).update(sender_hash="")
    return attachments


def retention_round(
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    policy: Policy | None = None,
    progress: Progress | None = None,
    via: str = "santui retention run",
    per_round: int = PER_ROUND,
) -> Shredded:
    """Delete the personal data past its period (module docstring); with ``dry_run``, count
    only. ``progress`` is called with the number of records done as the round goes.

    A round shreds at most ``per_round`` statements, the oldest decisions first; ``more`` says
    it stopped there (the next round goes on). A dry run counts them all."""
    started = time.monotonic()
    now = now or timezone.now()
    policy = policy or current_policy()
    result = Shredded(dry_run=dry_run)
    if dry_run:
        result.statements = count_due(policy, now)
        statements: list[int] = []
    else:
        statements = statements_due_first(policy, now, per_round)
        result.statements = len(statements)
        result.more = len(statements) >= per_round
    if not dry_run and statements:
        _secure_delete()
        result.statements = 0  # those still due once locked (a moderator may have acted)
        for chunk in _chunks(statements):
            result.statements += _shred_statements(chunk, now)
            if progress:
                progress(len(chunk))
    # after the statements: a message of a statement shredded now is due too
    mails = list(mail_due(policy, now).values_list("pk", flat=True))
    result.mail_messages = len(mails)
    if dry_run:
        result.attachments = MailAttachment.objects.filter(mail_id__in=mails).count()
    else:
        for chunk in _chunks(mails):
            result.attachments += _shred_mail(chunk)
            if progress:
                progress(len(chunk))
    files = rejects_files_due(policy, now.timestamp())
    result.rejects_files = len(files)
    if not dry_run:
        for path in files:
            _delete_file(path)
    result.seconds = time.monotonic() - started
    if not dry_run and result.total:  # a round that found nothing leaves no row
        result.run = ShredRun.objects.create(
            started_at=now, finished_at=timezone.now(), dry_run=False, via=via[:32],
            policy=policy.as_record(), statements=result.statements,
            mail_messages=result.mail_messages, attachments=result.attachments,
            rejects_files=result.rejects_files,
        ).pk  # fmt: skip
    log.info(
        "retention%s: %d statements, %d email messages, %d attachments, %d rejects files "
        "in %.2f s",
        " (dry run)" if dry_run else "", result.statements, result.mail_messages,
        result.attachments, result.rejects_files, result.seconds,
    )  # fmt: skip
    return result


def _delete_file(path: Path) -> None:
    """Overwrite a rejects file with zeros, then remove it (on a journaling or copy-on-write
    file system the zeros may not land on the old blocks: docs/retention.md says so)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
