"""The workbench's writes (santui.backoffice.workbench): many statements decided at once.

Each statement goes through the statements' own action (``statement_accept`` or
``statement_reject``), in a transaction of its own, so that one refusal (a second person is
required, someone else decided it first) stops nothing else and every decision has its audit
row and, for a counted statement, its ledger entry.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from santui.statements.actions import (
    SecondPersonRequired,
    TransitionError,
    statement_accept,
    statement_reject,
)
from santui.statements.models import RejectReason, Statement, Status

log = logging.getLogger(__name__)

VIA = "back office"
CHUNK = 500
# Why a statement was not decided (keys of Outcome.refused)
NOT_HELD = "not_held"
NOT_COUNTED = "not_counted"
SECOND_PERSON = "second_person"


@dataclass
class Outcome:
    done: int = 0
    persons: int = 0  # persons of the statements done
    refused: Counter[str] = field(default_factory=Counter)

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())


def _in_state(numbers: list[int], status: str) -> list[Statement]:
    found: list[Statement] = []
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        found += Statement.objects.filter(pk__in=chunk, status=status).only("pk", "headcount")
    return sorted(found, key=lambda s: s.pk)


def queue_decide(
    *, numbers: Iterable[int], accept: bool, reason: str = "", note: str = "", by: User
) -> Outcome:
    """Count (``accept``) or reject with ``reason`` each held statement of ``numbers``; the
    others are refused as no longer held."""
    if not accept and reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    wanted = sorted(set(numbers))
    started = time.monotonic()
    outcome = Outcome()
    held = _in_state(wanted, Status.HELD)
    outcome.refused[NOT_HELD] += len(wanted) - len(held)
    for statement in held:
        try:
            if accept:
                statement_accept(statement=statement, by=by, via=VIA)
            else:
                statement_reject(statement=statement, by=by, reason=reason, note=note, via=VIA)
        except SecondPersonRequired:
            outcome.refused[SECOND_PERSON] += 1
        except TransitionError:  # decided by someone else meanwhile
            outcome.refused[NOT_HELD] += 1
        else:
            outcome.done += 1
            outcome.persons += statement.headcount
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
    ledger entry each (queued for the integrator by ``statement_reject``)."""
    if reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    wanted = sorted(set(numbers))
    started = time.monotonic()
    outcome = Outcome()
    counted = _in_state(wanted, Status.ACCEPTED)
    outcome.refused[NOT_COUNTED] += len(wanted) - len(counted)
    for statement in counted:
        try:
            statement_reject(statement=statement, by=by, reason=reason, note=note, via=VIA)
        except TransitionError:
            outcome.refused[NOT_COUNTED] += 1
        else:
            outcome.done += 1
            outcome.persons += statement.headcount
    log.info(
        "bulk invalidation: %d revoked (%d persons), %d refused in %.2fs",
        outcome.done,
        outcome.persons,
        outcome.refused_total,
        time.monotonic() - started,
    )
    return outcome
