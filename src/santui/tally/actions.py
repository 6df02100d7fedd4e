"""The integrator: the only writer of rollups. One worker folds queued ledger entries in batches.

Each batch is one transaction: lock the state row, take the oldest queued entries, give them the
next positions, add their cells to the rollups with an upsert, advance ``size``. Writers
elsewhere only insert ledger rows, so nothing contends on a counter (UK e-petitions' lesson).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from santui.statements.models import EntryKind, LedgerEntry
from santui.tally.cells import Counted, fold
from santui.tally.models import IntegrationState, Rollup

_COUNTED = Counted._fields


@dataclass(frozen=True)
class IntegrateResult:
    entries: int
    batches: int
    size: int


def _upsert_sql() -> str:
    table = connection.ops.quote_name(Rollup._meta.db_table)
    return (
        f"INSERT INTO {table} (stat, key, day, value) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (stat, key, day) DO UPDATE SET value = {table}.value + excluded.value"
    )


def _position_sql() -> str:
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    return f"UPDATE {table} SET position = %s, integrated_at = %s WHERE id = %s"


def tally_integrate_batch(*, batch_size: int) -> int:
    """Integrate up to ``batch_size`` queued entries in one transaction; return how many."""
    with transaction.atomic():
        state = IntegrationState.objects.select_for_update().get(pk=1)
        rows = list(
            LedgerEntry.objects.filter(position__isnull=True)
            .order_by("id")
            .values_list("id", "kind", *_COUNTED)[:batch_size]
        )
        if not rows:
            return 0
        now = timezone.now()
        start = state.size
        deltas = fold((Counted(*row[2:]), 1 if row[1] == EntryKind.ADD else -1) for row in rows)
        with connection.cursor() as cursor:
            cursor.executemany(
                _position_sql(), [(start + i, now, row[0]) for i, row in enumerate(rows)]
            )
            cursor.executemany(
                _upsert_sql(),
                [(stat, key, day, value) for (stat, key, day), value in deltas.items()],
            )
        state.size = start + len(rows)
        state.integrated_at = now
        state.save(update_fields=["size", "integrated_at"])
        return len(rows)


def tally_integrate(
    *, batch_size: int | None = None, on_batch: Callable[[int], None] | None = None
) -> IntegrateResult:
    """Integrate every queued entry, batch after batch, until the queue is empty."""
    size = batch_size or settings.SANTUI_INTEGRATE_BATCH
    total = batches = 0
    while n := tally_integrate_batch(batch_size=size):
        total += n
        batches += 1
        if on_batch is not None:
            on_batch(n)
    state = IntegrationState.objects.get(pk=1)
    return IntegrateResult(entries=total, batches=batches, size=state.size)


def queued_count() -> int:
    return LedgerEntry.objects.filter(position__isnull=True).count()
