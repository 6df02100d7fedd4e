"""The integrator: the only writer of rollups. One worker folds queued ledger entries in batches.

Each batch is one transaction: lock the state row, take the oldest queued entries, give them the
next positions (rows of LogPosition in place of their rows of the queue), add their cells to the
rollups with an upsert, append their leaves to the public log's tiles and sign its checkpoint,
advance ``size``. Writers elsewhere only insert ledger rows and their rows of the queue, so
nothing contends on a counter (UK e-petitions' lesson).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from santui.statements.bulk import int_array
from santui.statements.models import LedgerEntry, LogPosition, PublishedEntry, QueuedEntry
from santui.statements.partitions import all_partitions_ensure
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


def _number_sql() -> str:
    """Give the oldest ``n`` queued entries positions ``start..start+n-1``, in id order: rows of
    LogPosition, only inserted (the ledger's rows are never updated)."""
    queue, positions = _q(QueuedEntry._meta.db_table), _q(LogPosition._meta.db_table)
    return (
        f"INSERT INTO {positions} (position, entry_id, integrated_at) "
        f"SELECT %s + ROW_NUMBER() OVER (ORDER BY entry_id) - 1, entry_id, %s FROM ("
        f"SELECT entry_id FROM {queue} ORDER BY entry_id LIMIT %s) AS q RETURNING entry_id"
    )


def _dequeue(cursor: Any, ids: list[int]) -> int:
    """Take the entries just numbered off the queue; return how many. By their ids, not again
    as "the oldest n": an entry committed meanwhile with a lower id stays queued for the next
    batch. The ids as one value, so that the planner knows how many: with a subquery of the
    positions, whose statistics lag behind a long backfill, PostgreSQL read the whole queue
    for every batch (a hash join)."""
    queue = _q(QueuedEntry._meta.db_table)
    if connection.vendor == "postgresql":
        sql, value = f"DELETE FROM {queue} WHERE entry_id = ANY(%s::bigint[])", int_array(ids)
    else:
        sql = f"DELETE FROM {queue} WHERE entry_id IN (SELECT value FROM json_each(%s))"
        value = json.dumps(ids)
    cursor.execute(sql, [value])
    return int(cursor.rowcount)


def _publish_sql() -> str:
    """One row of the public list (PublishedEntry): position, ledger entry, day, region."""
    published = _q(PublishedEntry._meta.db_table)
    return f"INSERT INTO {published} (position, entry_id, day, region) VALUES (%s, %s, %s, %s)"


def _fold_sql() -> str:
    """Add the cells of positions [start, end) to the rollups, every stat of _FOLDS, in the
    database: the batch's ledger rows read once (a join of its positions to the ledger, within
    the bounds of their ids, as values: on PostgreSQL the partitions that hold them alone are
    read, log._leaf_rows_sql), one upsert of all their cells. The stats without a key column
    (persons, statements, each organization, current members) are summed per day in one pass,
    a cell only for a day with an entry that meets the stat's condition (as a GROUP BY of those
    entries alone gives); each stat keyed by a column takes a pass of its own."""
    ledger, rollup = _q(LedgerEntry._meta.db_table), _q(Rollup._meta.db_table)
    positions = _q(LogPosition._meta.db_table)
    columns = (
        "kind", "day", "headcount", "party", "league", "pioneers", "current_party_member",
        "region", "sector", "channel", "name_kind", "declarant",
    )  # fmt: skip
    sums, cells = [], []
    for i, (stat, key, value, condition) in enumerate(_FOLDS):
        signed = f"CASE WHEN kind = 'add' THEN {value} ELSE -{value} END"
        literal = "''" if key is None else key
        if not literal.startswith("'"):  # a key column: a pass of its own
            where = f" WHERE {condition}" if condition else ""
            by = f"GROUP BY {key}, day"
            cells.append(
                f"SELECT '{stat}' AS stat, {key} AS k, day, SUM({signed}) AS v "
                f"FROM batch{where} {by}"
            )
        elif condition:
            sums += [
                f"SUM(CASE WHEN {condition} THEN {signed} ELSE 0 END) AS v{i}",
                f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS n{i}",
            ]
            cells.append(
                f"SELECT '{stat}' AS stat, {literal} AS k, day, v{i} AS v FROM daily WHERE n{i} > 0"
            )
        else:
            sums.append(f"SUM({signed}) AS v{i}")
            cells.append(f"SELECT '{stat}' AS stat, {literal} AS k, day, v{i} AS v FROM daily")
    return (
        f"WITH batch AS MATERIALIZED (SELECT {', '.join(f'l.{c}' for c in columns)} "
        f"FROM {positions} p JOIN {ledger} l ON l.id = p.entry_id "
        f"WHERE p.position >= %s AND p.position < %s AND l.id >= %s AND l.id <= %s), "
        f"daily AS MATERIALIZED (SELECT day, {', '.join(sums)} FROM batch GROUP BY day) "
        f"INSERT INTO {rollup} (stat, {_q('key')}, day, value) "
        f"SELECT stat, k, day, v FROM ({' UNION ALL '.join(cells)}) AS cells "
        f"WHERE true "  # SQLite: an upsert's SELECT needs a WHERE (its parser's ambiguity)
        f"ON CONFLICT (stat, {_q('key')}, day) "
        f"DO UPDATE SET value = {rollup}.value + excluded.value"
    )


def tally_integrate_batch(*, batch_size: int) -> int:
    """Integrate up to ``batch_size`` queued entries in one transaction; return how many.

    Everything happens in the database: one INSERT numbers the entries (LogPosition) and one
    DELETE takes them off the queue, one INSERT ... SELECT folds them into the rollups, one read
    of the batch gives the leaves and the public list's rows of the published adds among them
    (about one in a hundred), and the state row advances, all or nothing.
    """
    with transaction.atomic():
        state = IntegrationState.objects.select_for_update().get(pk=1)
        start = state.size
        now = timezone.now()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The planner's cost of the fold (a join of 20,000 rows) is above jit_above_cost:
                # compiling it took about 70 ms of a 200 ms statement, every batch.
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                _number_sql(),
                [start, connection.ops.adapt_datetimefield_value(now), batch_size],
            )
            ids = [entry for (entry,) in cursor.fetchall()]
            n = len(ids)
            if n == 0:
                return 0
            taken = _dequeue(cursor, ids)
            if taken != n:
                raise IntegrityError(f"numbered {n} queued entries but took {taken}")
            bounds = (min(ids), max(ids))
            cursor.execute(_fold_sql(), [start, start + n, *bounds])
        # the leaves, the tree and its signed checkpoint, and the public list's rows of the
        # published adds, in the same transaction
        leaves, published = ledger_batch(start, start + n, bounds)
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
    """Integrate every queued entry, batch after batch, until the queue is empty. First makes
    the next partitions of the ledger and of the statements if their ids come near the last one
    (PostgreSQL)."""
    all_partitions_ensure()
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
    return QueuedEntry.objects.count()
