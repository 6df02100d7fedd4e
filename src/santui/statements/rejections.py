"""Counts of rejected statements per reason, for the methodology page and /api/v1/rejections.

A rejected statement was either never counted (rejected while it awaited review) or counted and
then revoked: rejecting an accepted statement queues a *revoke* ledger entry with the same
reason, which the integrator subtracts and the public log shows. A statement is rejected at
most once (rejected is final) and its revoke carries its reason, so per reason::

    never counted = rejected statements - revoke entries

Cost at 400 million statements. Two grouped counts, refreshed once a minute for the whole site
(the result is in the shared cache under a key per minute):

* revokes: ``WHERE revokes_id IS NOT NULL`` is the predicate of the partial index
  ``ledger_revokes`` (unique before statements migration 0017 partitioned the ledger), so only
  revoke rows are read (one row fetch each for ``reason`` and ``headcount``): proportional to
  the revokes, not to the ledger. EXPLAIN: ``SEARCH statements_ledgerentry USING INDEX
  ledger_revokes`` (SQLite 3.40), an index scan of ``ledger_revokes`` in each partition
  (PostgreSQL 15).
* rejected statements: ``WHERE status = 'rejected'`` has **no index** today, so this is a full
  scan of the statement table: minutes at 400 million rows (hundreds of GB). It needs a partial
  index on the rejected rows only, which costs nothing for accepted or received ones
  (migration requested from the owner of statements/models.py)::

      models.Index(fields=["reject_reason"], condition=Q(status="rejected"),
                   name="statement_rejected")

  With it the count reads the index of the rejected rows only (a few per cent of the table),
  and is served from the cache for the rest of the minute. EXPLAIN with the index made by hand:
  ``SCAN statements_statement USING INDEX statement_rejected`` (SQLite, covering), ``Index
  Only Scan using statement_rejected`` (PostgreSQL); without it, ``SCAN statements_statement``
  and ``Parallel Seq Scan on statements_statement``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Sum

from santui.statements.models import LedgerEntry, RejectReason, Statement, Status

REFRESH_SECONDS = 60


def _count() -> dict[str, Any]:
    rejected = dict(
        Statement.objects.filter(status=Status.REJECTED)
        .order_by()
        .values("reject_reason")
        .annotate(n=Count("*"))
        .values_list("reject_reason", "n")
    )
    revoked: dict[str, tuple[int, int]] = {
        reason: (n, int(persons or 0))
        for reason, n, persons in LedgerEntry.objects.filter(revokes__isnull=False)
        .order_by()
        .values("reason")
        .annotate(n=Count("*"), persons=Sum("headcount"))
        .values_list("reason", "n", "persons")
    }
    reasons = []
    for reason in RejectReason.values:
        revoked_statements, revoked_persons = revoked.get(reason, (0, 0))
        reasons.append(
            {
                "reason": reason,
                "never_counted": max(0, rejected.get(reason, 0) - revoked_statements),
                "revoked": revoked_statements,
                "revoked_persons": revoked_persons,
            }
        )
    return {
        "schema": 1,
        "counted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "refresh_seconds": REFRESH_SECONDS,
        "reasons": reasons,
        "total": {
            field: sum(r[field] for r in reasons)
            for field in ("never_counted", "revoked", "revoked_persons")
        },
    }


def rejection_counts() -> dict[str, Any]:
    """Rejected statements per reason (every reason, zeros included), at most a minute old.

    The key changes each minute, so every process of the site shows the same counts for that
    minute (with a shared cache) and pages cached for the same minute agree with them.
    """
    key = f"rejections:v1:{int(time.time() // REFRESH_SECONDS)}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = _count()
        cache.set(key, found, REFRESH_SECONDS * 2)
    return found
