"""The integrator: the only writer of rollups. One worker folds queued ledger entries in batches.

Each batch is one transaction: lock the state row, take the oldest queued entries, give them the
next positions, add their cells to the rollups with an upsert, append their leaves to the public
log's tiles and sign its checkpoint, advance ``size``. Writers
elsewhere only insert ledger rows, so nothing contends on a counter (UK e-petitions' lesson).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from santui.statements.models import LedgerEntry, PublishedEntry
from santui.tally.log import ledger_batch, log_append
from santui.tally.models import IntegrationState, Rollup, Stat


@dataclass(frozen=True)
class IntegrateResult:
    entries: int
    batches: int
    size: int


# (stat, key expression, value expression, condition): the counting rules as SQL. The recount in
# ``santui.tally.cells`` states the same rules in Python; `santui tally verify` compares the two.
_FOLDS = (
    (Stat.PERSONS, None, "headcount", None),
    (Stat.STATEMENTS, None, "1", None),
    (Stat.ORGANIZATION, "'party'", "headcount", "party"),
    (Stat.ORGANIZATION, "'league'", "headcount", "league"),
    (Stat.ORGANIZATION, "'pioneers'", "headcount", "pioneers"),
    (Stat.CURRENT_PARTY_MEMBERS, None, "headcount", "current_party_member"),
    (Stat.REGION, "region", "headcount", None),
    (Stat.SECTOR, "sector", "headcount", None),
    (Stat.CHANNEL, "channel", "headcount", None),
    (Stat.NAME_KIND, "name_kind", "headcount", None),
    (Stat.DECLARANT, "declarant", "headcount", None),
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _assign_positions_sql() -> str:
    """Give the oldest ``n`` queued entries positions ``start..start+n-1``, in id order."""
    ledger = _q(LedgerEntry._meta.db_table)
    return (
        f"UPDATE {ledger} SET position = s.pos, integrated_at = %s FROM ("
        f"SELECT id, %s + ROW_NUMBER() OVER (ORDER BY id) - 1 AS pos FROM {ledger} "
        f"WHERE position IS NULL ORDER BY id LIMIT %s) AS s WHERE {ledger}.id = s.id"
    )


def _publish_sql() -> str:
    """One row of the public list (PublishedEntry): position, ledger entry, day, region."""
    published = _q(PublishedEntry._meta.db_table)
    return f"INSERT INTO {published} (position, entry_id, day, region) VALUES (%s, %s, %s, %s)"


def _fold_sql(stat: str, key: str | None, value: str, condition: str | None) -> str:
    """Add the cells of positions [start, end) for one stat to the rollups, in the database."""
    ledger, rollup = _q(LedgerEntry._meta.db_table), _q(Rollup._meta.db_table)
    key_sql = key if key is not None else "''"
    group = f"{key}, day" if key is not None and not key.startswith("'") else "day"
    where = "position >= %s AND position < %s" + (f" AND {condition}" if condition else "")
    return (
        f"INSERT INTO {rollup} (stat, {_q('key')}, day, value) "
        f"SELECT '{stat}', {key_sql}, day, "
        f"SUM(CASE WHEN kind = 'add' THEN {value} ELSE -{value} END) "
        f"FROM {ledger} WHERE {where} GROUP BY {group} "
        f"ON CONFLICT (stat, {_q('key')}, day) "
        f"DO UPDATE SET value = {rollup}.value + excluded.value"
    )


def tally_integrate_batch(*, batch_size: int) -> int:
    """Integrate up to ``batch_size`` queued entries in one transaction; return how many.

    Everything happens in the database: one UPDATE numbers the entries, one INSERT ... SELECT
    per stat folds them into the rollups, one read of the batch gives the leaves and the public
    list's rows of the published adds among them (about one in a hundred), and the state row
    advances, all or nothing.
    """
    with transaction.atomic():
        state = IntegrationState.objects.select_for_update().get(pk=1)
        start = state.size
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                _assign_positions_sql(),
                [connection.ops.adapt_datetimefield_value(now), start, batch_size],
            )
            n: int = cursor.rowcount
            if n <= 0:
                return 0
            for fold in _FOLDS:
                cursor.execute(_fold_sql(*fold), [start, start + n])
        # the leaves, the tree and its signed checkpoint, and the public list's rows of the
        # published adds, in the same transaction
        leaves, published = ledger_batch(start, start + n)
        if published:
            adapt = connection.ops.adapt_datefield_value
            with connection.cursor() as cursor:
                cursor.executemany(
                    _publish_sql(),
                    [
                        (position, entry, adapt(day), region)
                        for position, entry, day, region in published
                    ],
                )
        log_append(start, leaves, now)
        state.size = start + n
        state.integrated_at = now
        state.save(update_fields=["size", "integrated_at"])
        return n


def tally_integrate(
    *, batch_size: int | None = None, on_batch: Callable[[int], object] | None = None
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
