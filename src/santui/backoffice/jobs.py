"""The office's background jobs: large decisions done in chunks, outside the request
(docs/operations.md#background-jobs).

A moderator's confirmation stores a job (``office_job_create``) with the statements it takes,
frozen; the runner (`santui office-jobs --loop`, one of `santui serve`'s processes) takes a
chunk at a time (``office_job_step``): the job's row locked, the chunk decided through the
statements' bulk actions, and the job's progress saved, all in one transaction. A crash loses
at most the chunk under way, which the next runner does again from the saved cursor; a
statement decided meanwhile (by anyone) is refused as no longer held or counted, never decided
twice. A cancel (``office_job_cancel``) takes the same lock, so the job stops before its next
chunk; what was done stays done.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Min, Sum
from django.utils import timezone

from santui.backoffice.actions import decide_chunk
from santui.backoffice.models import OPEN_STATES, JobKind, JobState, OfficeJob, OfficeJobItem
from santui.statements.bulk import insert_rows
from santui.statements.models import RejectReason
from santui.tally.loops import Round

log = logging.getLogger(__name__)

LOOP_NAME = "office-jobs"
# A chunk that fails this many times in a row fails its job (the error is kept on the job).
MAX_ATTEMPTS = 3
# One round of the loop takes chunks for about this long, then records how far behind it is.
ROUND_SECONDS = 2.0
ERROR_CHARS = 500


class JobClosed(Exception):
    """The job is done, failed or cancelled already: there is nothing left to cancel."""


@dataclass(frozen=True)
class Step:
    job: int
    processed: int  # statements of the job taken in this step
    state: str  # the job's state after it
    seconds: float = 0.0  # how long its transaction took


def pause_after(step: Step | None, *, sleep: Callable[[float], object] = time.sleep) -> None:
    """Leave the database to other writers for a moment after a chunk. SQLite has one write
    lock: a runner taking chunk after chunk would keep the public form, the screener and the
    integrator waiting for the whole job (their busy handler retries every 100 ms at most). So
    it rests as long as the chunk took, at most ``SANTUI_OFFICE_JOB_PAUSE`` seconds (0 on
    PostgreSQL, which locks rows)."""
    if step is None or connection.vendor != "sqlite":
        return
    pause = min(step.seconds, settings.SANTUI_OFFICE_JOB_PAUSE)
    if pause > 0:
        sleep(pause)


def office_job_create(
    *,
    kind: str,
    numbers: Iterable[int],
    by: User,
    reason: str = "",
    note: str = "",
    scope: dict[str, Any] | None = None,
    persons: int = 0,
) -> OfficeJob:
    """Store a confirmed decision as a queued job, with the statements it takes (``numbers``,
    frozen now): counting or rejecting held statements, or revoking counted ones."""
    if kind not in JobKind.values:
        raise ValueError(f"unknown job kind {kind!r}")
    if kind == JobKind.ACCEPT:
        reason = ""
    elif reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    wanted = sorted(set(numbers))
    with transaction.atomic(durable=True):
        job = OfficeJob.objects.create(
            kind=kind, created_by=by, created_at=timezone.now(), reason=reason, note=note,
            scope=scope or {}, total=len(wanted), persons_expected=persons,
        )  # fmt: skip
        insert_rows(OfficeJobItem, ("job_id", "statement_id"), [(job.pk, n) for n in wanted])
    log.info("office job %d: %s of %d statements queued", job.pk, kind, len(wanted))
    return job


def office_job_cancel(*, job: OfficeJob, by: User) -> OfficeJob:
    """Cancel a queued or running job: it stops before its next chunk; what was done stays."""
    with transaction.atomic(durable=True):
        current = OfficeJob.objects.select_for_update().get(pk=job.pk)
        if current.state not in OPEN_STATES:
            raise JobClosed(f"job {current.pk} is {current.state}")
        current.state = JobState.CANCELLED
        current.finished_at = timezone.now()
        current.cancelled_by = by
        current.save(update_fields=["state", "finished_at", "cancelled_by"])
    log.info("office job %d cancelled after %d of %d", current.pk, current.processed, current.total)
    return current


def _accept_of(kind: str) -> bool | None:
    return {JobKind.ACCEPT: True, JobKind.REJECT: False}.get(JobKind(kind))


def office_job_step(*, job_id: int, chunk: int) -> Step | None:
    """Take the next chunk of an open job, in one transaction with its progress. None when the
    job is not open (finished, or cancelled meanwhile)."""
    started = time.monotonic()
    try:
        with transaction.atomic(durable=True):
            # the job's row only (a join would lock its moderator's row too, on PostgreSQL)
            job = OfficeJob.objects.select_for_update().get(pk=job_id)
            if job.state not in OPEN_STATES:
                return None
            fields = ["state", "cursor", "processed", "done", "persons", "refused", "attempts"]
            if job.state == JobState.QUEUED:
                job.state = JobState.RUNNING
                job.started_at = timezone.now()
                fields.append("started_at")
            numbers = list(
                OfficeJobItem.objects.filter(job_id=job.pk, statement_id__gt=job.cursor)
                .order_by("statement_id")
                .values_list("statement_id", flat=True)[:chunk]
            )
            if numbers:
                decided = decide_chunk(
                    numbers=numbers, accept=_accept_of(job.kind), reason=job.reason,
                    note=job.note, by=job.created_by,
                )  # fmt: skip
                job.cursor = numbers[-1]
                job.processed += len(numbers)
                job.done += len(decided.decided)
                job.persons += decided.persons
                job.refused = dict(Counter(job.refused) + decided.refused)
            if job.attempts:  # this chunk went through after failing: the error is past
                job.attempts, job.error = 0, ""
                fields.append("error")
            if not numbers or job.processed >= job.total:
                job.state = JobState.DONE
                job.finished_at = timezone.now()
                fields.append("finished_at")
            job.save(update_fields=fields)
    except Exception as exc:
        _record_failure(job_id, exc)
        raise
    log.info(
        "office job %d: %d statements in %.2fs, %d of %d (%d decided, %d refused)",
        job.pk, len(numbers), time.monotonic() - started, job.processed, job.total, job.done,
        job.refused_total,
    )  # fmt: skip
    return Step(
        job=job.pk, processed=len(numbers), state=job.state, seconds=time.monotonic() - started
    )


def _record_failure(job_id: int, exc: BaseException) -> None:
    """Keep a failed chunk's error on its job; after MAX_ATTEMPTS in a row the job fails."""
    text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    try:
        with transaction.atomic(durable=True):
            job = OfficeJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.state not in OPEN_STATES:
                return
            job.attempts += 1
            job.error = text[:ERROR_CHARS]
            fields = ["attempts", "error"]
            if job.attempts >= MAX_ATTEMPTS:
                job.state = JobState.FAILED
                job.finished_at = timezone.now()
                fields += ["state", "finished_at"]
            job.save(update_fields=fields)
    except Exception:  # the database may be what failed: the loop retries
        log.exception("office job %d: could not record its failure", job_id)


def next_job() -> int | None:
    """The oldest open job (the runner does them one after another, in order)."""
    return (
        OfficeJob.objects.filter(state__in=OPEN_STATES)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )


def office_jobs_backlog() -> tuple[int, dt.datetime | None]:
    """Statements the open jobs still have to take, and when the oldest open job was confirmed."""
    found = OfficeJob.objects.filter(state__in=OPEN_STATES).aggregate(
        left=Sum(F("total") - F("processed")), oldest=Min("created_at")
    )
    return int(found["left"] or 0), found["oldest"]


def office_jobs_round(
    *, chunk: int, seconds: float = ROUND_SECONDS, clock: Callable[[], float] = time.monotonic
) -> Round:
    """One round of `santui office-jobs --loop`: chunks of the open jobs, oldest job first, for
    about ``seconds``; then how many statements still wait."""
    started = clock()
    done = 0
    while (job_id := next_job()) is not None:
        step = office_job_step(job_id=job_id, chunk=chunk)
        done += step.processed if step is not None else 0
        pause_after(step)
        if clock() - started >= seconds:
            break
    backlog, oldest = office_jobs_backlog()
    return Round(done=done, backlog=backlog, oldest_waiting_at=oldest)


def office_jobs_run_all(*, chunk: int) -> list[OfficeJob]:
    """Run every open job to its end (`santui office-jobs` without ``--loop``); the jobs run."""
    ran: list[int] = []
    while (job_id := next_job()) is not None:
        if not ran or ran[-1] != job_id:
            ran.append(job_id)
        pause_after(office_job_step(job_id=job_id, chunk=chunk))
    return list(OfficeJob.objects.filter(pk__in=ran).order_by("id"))
