"""The workbench's writes (santui.backoffice.workbench): many statements decided at once.

Statements are decided a chunk at a time, each chunk in a transaction of its own, through the
statements' bulk actions (``statements_decide_held_bulk``, ``statements_revoke_bulk``), which
write for each statement the rows ``statement_accept`` and ``statement_reject`` write: its audit
row and, for a counted statement, its ledger entry. A refusal (a second person is required,
someone else decided it first) stops nothing else.

Small decisions run here, in the request; large ones become background jobs
(santui.backoffice.jobs), which use the same chunks.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from santui.statements.bulk import (
    REFUSED_NOT_COUNTED,
    REFUSED_NOT_HELD,
    REFUSED_SECOND_PERSON,
    BulkDecided,
    statements_decide_held_bulk,
    statements_revoke_bulk,
)
from santui.statements.models import RejectReason

log = logging.getLogger(__name__)

VIA = "back office"
# Why a statement was not decided (keys of Outcome.refused)
NOT_HELD = REFUSED_NOT_HELD
NOT_COUNTED = REFUSED_NOT_COUNTED
SECOND_PERSON = REFUSED_SECOND_PERSON


@dataclass
class Outcome:
    done: int = 0
    persons: int = 0  # persons of the statements done
    refused: Counter[str] = field(default_factory=Counter)

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def add(self, decided: BulkDecided) -> None:
        self.done += len(decided.decided)
        self.persons += decided.persons
        self.refused.update(decided.refused)


def decide_chunk(
    *, numbers: list[int], accept: bool | None, reason: str, note: str, by: User
) -> BulkDecided:
    """One chunk of a decision, in the caller's transaction: count (``accept`` true) or reject
    held statements, or (``accept`` None) revoke counted ones."""
    if accept is None:
        return statements_revoke_bulk(ids=numbers, by=by, reason=reason, note=note, via=VIA)
    return statements_decide_held_bulk(
        ids=numbers, accept=accept, by=by, reason=reason, note=note, via=VIA
    )


def _in_chunks(
    *, numbers: Iterable[int], accept: bool | None, reason: str, note: str, by: User
) -> Outcome:
    wanted = sorted(set(numbers))
    chunk = settings.SANTUI_OFFICE_JOB_CHUNK
    outcome = Outcome()
    for start in range(0, len(wanted), chunk):
        with transaction.atomic(durable=True):
            part = wanted[start : start + chunk]
            outcome.add(decide_chunk(numbers=part, accept=accept, reason=reason, note=note, by=by))
    return outcome


def queue_decide(
    *, numbers: Iterable[int], accept: bool, reason: str = "", note: str = "", by: User
) -> Outcome:
    """Count (``accept``) or reject with ``reason`` each held statement of ``numbers``; the
    others are refused as no longer held."""
    if not accept and reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    started = time.monotonic()
    outcome = _in_chunks(numbers=numbers, accept=accept, reason=reason, note=note, by=by)
    log.info(
        "queue %s: %d done, %d refused in %.2fs",
        "accept" if accept else "reject",
        outcome.done,
        outcome.refused_total,
        time.monotonic() - started,
    )
    return outcome


def bulk_invalidate(*, numbers: Iterable[int], reason: str, note: str = "", by: User) -> Outcome:
    """Reject each counted statement of ``numbers`` with the public ``reason``: one revoke
    ledger entry each, queued for the integrator. (The workbench makes a background job of it:
    santui.backoffice.jobs.)"""
    if reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    started = time.monotonic()
    outcome = _in_chunks(numbers=numbers, accept=None, reason=reason, note=note, by=by)
    log.info(
        "bulk invalidation: %d revoked (%d persons), %d refused in %.2fs",
        outcome.done,
        outcome.persons,
        outcome.refused_total,
        time.monotonic() - started,
    )
    return outcome
