"""The ledger in partitions on PostgreSQL (issue 15; statements migration 0017).

The ledger is only inserted into and its ids come from one sequence in the order entries are
written, so a range of ids is a span of time: each partition holds ``SANTUI_LEDGER_PARTITION_SPAN``
ids (10 million by default, about five months at today's volume; 44 partitions for the whole
history of 435 million). Old partitions are never written again: each can be vacuumed, frozen,
reindexed, backed up or moved to other storage on its own, and a recount or an export reads a
partition as one table. The partition's name holds its first id (``statements_ledgerentry_p<id>``).

Partitions are made ahead of the ids (``ledger_partitions_ensure``, called by the integrator's
rounds and by each batch of an import), and a DEFAULT partition takes any entry above them, so
that an insert never fails for want of a partition. Entries that land there stay there: the next
partition starts above the highest of them. Making a partition locks the ledger for a moment; it
waits at most ``LOCK_TIMEOUT`` for that lock (a long read of the ledger must not stall the form
behind a queued lock) and is tried again at the next call.

SQLite has one table, and every function here does nothing on it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper

log = logging.getLogger("santui.partitions")

LEDGER = "statements_ledgerentry"
DEFAULT = f"{LEDGER}_default"
LOCK_TIMEOUT = "2s"
AHEAD = 2  # spans of ids kept ready above the highest id given

_BOUND = re.compile(r"FOR VALUES FROM \((MINVALUE|'?-?\d+'?)\) TO \((MAXVALUE|'?-?\d+'?)\)")
_top_seen: dict[str, int] = {}  # database alias -> highest bound seen: the fast path's memory


@dataclass(frozen=True)
class Partition:
    name: str
    low: int | None  # None: from MINVALUE; both None: the DEFAULT partition
    high: int | None
    rows: int  # the planner's estimate (pg_class.reltuples), -1 before the first ANALYZE

    @property
    def default(self) -> bool:
        return self.low is None and self.high is None and self.name.endswith("_default")


def _bound(text: str) -> int | None:
    text = text.strip("'")
    return None if text in ("MINVALUE", "MAXVALUE") else int(text)


def ledger_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [LEDGER])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def ledger_partitions() -> list[Partition]:
    """The ledger's partitions in id order, the DEFAULT one last; empty on SQLite."""
    if not ledger_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [LEDGER],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound, tuples in rows:
        match = _BOUND.search(bound)
        low, high = (_bound(match[1]), _bound(match[2])) if match else (None, None)
        found.append(Partition(name=name, low=low, high=high, rows=int(tuples)))
    return sorted(found, key=lambda p: (p.default, -1 if p.low is None else p.low))


def _last_id(cursor: CursorWrapper) -> int:
    """The highest id the ledger's sequence has given (not necessarily committed yet)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [LEDGER])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    value, called = cursor.fetchone()
    return int(value) if called else int(value) - 1


def ledger_partitions_ensure(*, span: int | None = None, ahead: int = AHEAD) -> list[str]:
    """Make partitions until ``ahead`` spans of ids above the highest id given have one (at most
    ``ahead`` + 1 partitions a call); return the names of those made. A quick look at the
    sequence when there is room (no catalog read). Gives up quietly when the ledger's lock is not
    had within LOCK_TIMEOUT (logged); the next call tries again, and meanwhile new entries go to
    the DEFAULT partition."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # inside a caller's transaction the ledger's lock (and the lock timeout) would last
        # until that transaction ends: left to the next call outside one
        return []
    span = span or settings.SANTUI_LEDGER_PARTITION_SPAN
    alias = connection.alias
    with connection.cursor() as cursor:
        last = _last_id(cursor)
    wanted = last + ahead * span
    if _top_seen.get(alias, -1) >= wanted:
        return []
    partitions = [p for p in ledger_partitions() if not p.default]
    if not partitions:
        return []  # not partitioned (a schema before migration 0017)
    top = max(p.high for p in partitions if p.high is not None)
    made = []
    try:
        while top < wanted:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
                # the parent first, as an insert takes it (then the partition it goes to): no
                # entry goes into the DEFAULT partition between the look at it and the new range
                cursor.execute(f"LOCK TABLE ONLY {LEDGER} IN ACCESS EXCLUSIVE MODE")
                cursor.execute(f"SELECT max(id) FROM {DEFAULT}")
                (stray,) = cursor.fetchone()
                # above the entries in the DEFAULT partition; and where the ids have jumped
                # past more than a span (ids given and rolled back, a sequence set by hand), no
                # empty ranges for the ids skipped: the first range holds the last span given
                low = max(top, 0 if stray is None else stray + 1, last + 1 - span)
                name = f"{LEDGER}_p{low}"
                cursor.execute(
                    f"CREATE TABLE {name} PARTITION OF {LEDGER} "
                    f"FOR VALUES FROM ({low}) TO ({low + span})"
                )
            made.append(name)
            top = low + span
    except OperationalError as exc:  # the lock not had in time: the next call tries again
        log.warning("ledger partition not made: %s", type(exc).__name__)
    else:
        _top_seen[alias] = top
    if made:
        log.info("ledger partitions made: %s", ", ".join(made))
    return made


def forget_seen() -> None:
    """Drop the fast path's memory (tests that remake the schema)."""
    _top_seen.clear()
