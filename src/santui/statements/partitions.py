"""The ledger and the statements in partitions on PostgreSQL (issue 15; statements migrations
0017 and 0018).

Both tables get their ids from one sequence each, in the order rows are written, so a range of
ids is a span of time: each partition holds ``SANTUI_LEDGER_PARTITION_SPAN`` ledger ids or
``SANTUI_STATEMENT_PARTITION_SPAN`` statement ids (10 million by default, about five months at
today's volume; 44 partitions each for the whole history of 435 million). The ledger's old
partitions are never written again: each can be vacuumed, frozen, reindexed, backed up or moved
to other storage on its own. The statements' still change after arrival (screening, consent,
retention), but each is vacuumed and indexed as a table of its own. A recount or an export
reads a partition as one table. A partition's name holds its first id (``<table>_p<id>``).

Partitions are made ahead of the ids (``partitions_ensure``, called by the integrator's rounds
and by each batch of an import), and a DEFAULT partition takes any row above them, so that an
insert never fails for want of a partition. Rows that land there stay there: the next partition
starts above the highest of them. Making a partition locks its table for a moment; it waits at
most ``LOCK_TIMEOUT`` for that lock (a long read must not stall the form behind a queued lock)
and is tried again at the next call.

SQLite has one table of each, and every function here does nothing on it.
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
STATEMENTS = "statements_statement"
TABLES = (STATEMENTS, LEDGER)
# (the setting of its span, the storage parameters of its partitions: migration 0012's for the
# statements, whose rows are rewritten in place)
_SPAN = {LEDGER: "SANTUI_LEDGER_PARTITION_SPAN", STATEMENTS: "SANTUI_STATEMENT_PARTITION_SPAN"}
_OPTIONS = {LEDGER: "", STATEMENTS: " WITH (fillfactor = 90)"}
LOCK_TIMEOUT = "2s"
AHEAD = 2  # spans of ids kept ready above the highest id given

_BOUND = re.compile(r"FOR VALUES FROM \((MINVALUE|'?-?\d+'?)\) TO \((MAXVALUE|'?-?\d+'?)\)")
_top_seen: dict[tuple[str, str], int] = {}  # (database alias, table) -> highest bound seen


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


def partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions(table: str) -> list[Partition]:
    """The table's partitions in id order, the DEFAULT one last; empty on SQLite."""
    if not partitioned(table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound, tuples in rows:
        match = _BOUND.search(bound)
        low, high = (_bound(match[1]), _bound(match[2])) if match else (None, None)
        found.append(Partition(name=name, low=low, high=high, rows=int(tuples)))
    return sorted(found, key=lambda p: (p.default, -1 if p.low is None else p.low))


def _last_id(cursor: CursorWrapper, table: str) -> int:
    """The highest id the table's sequence has given (not necessarily committed yet)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    value, called = cursor.fetchone()
    return int(value) if called else int(value) - 1


def partitions_ensure(table: str, *, span: int | None = None, ahead: int = AHEAD) -> list[str]:
    """Make partitions of ``table`` until ``ahead`` spans of ids above the highest id given have
    one (at most ``ahead`` + 1 partitions a call); return the names of those made. A quick look
    at the sequence when there is room (no catalog read). Gives up quietly when the table's
    lock is not had within LOCK_TIMEOUT (logged); the next call tries again, and meanwhile new
    rows go to the DEFAULT partition."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # inside a caller's transaction the table's lock (and the lock timeout) would last
        # until that transaction ends: left to the next call outside one
        return []
    span = span or getattr(settings, _SPAN[table])
    seen = (connection.alias, table)
    with connection.cursor() as cursor:
        last = _last_id(cursor, table)
    wanted = last + ahead * span
    if _top_seen.get(seen, -1) >= wanted:
        return []
    ranges = [p for p in partitions(table) if not p.default]
    if not ranges:
        return []  # not partitioned (a schema before its migration)
    top = max(p.high for p in ranges if p.high is not None)
    made = []
    try:
        while top < wanted:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
                # the parent first, as an insert takes it (then the partition it goes to): no
                # row goes into the DEFAULT partition between the look at it and the new range
                cursor.execute(f"LOCK TABLE ONLY {table} IN ACCESS EXCLUSIVE MODE")
                cursor.execute(f"SELECT max(id) FROM {table}_default")
                (stray,) = cursor.fetchone()
                # above the rows in the DEFAULT partition; and where the ids have jumped past
                # more than a span (ids given and rolled back, a sequence set by hand), no empty
                # ranges for the ids skipped: the first range holds the last span given
                low = max(top, 0 if stray is None else stray + 1, last + 1 - span)
                name = f"{table}_p{low}"
                cursor.execute(
                    f"CREATE TABLE {name} PARTITION OF {table} "
                    f"FOR VALUES FROM ({low}) TO ({low + span}){_OPTIONS[table]}"
                )
            made.append(name)
            top = low + span
    except OperationalError as exc:  # the lock not had in time: the next call tries again
        log.warning("%s partition not made: %s", table, type(exc).__name__)
    else:
        _top_seen[seen] = top
    if made:
        log.info("partitions made: %s", ", ".join(made))
    return made


def all_partitions_ensure() -> list[str]:
    """partitions_ensure of the statements and of the ledger, with their own spans."""
    return [name for table in TABLES for name in partitions_ensure(table)]


def ledger_partitioned() -> bool:
    return partitioned(LEDGER)


def ledger_partitions() -> list[Partition]:
    return partitions(LEDGER)


def ledger_partitions_ensure(*, span: int | None = None, ahead: int = AHEAD) -> list[str]:
    return partitions_ensure(LEDGER, span=span, ahead=ahead)


def forget_seen() -> None:
    """Drop the fast path's memory (tests that remake the schema)."""
    _top_seen.clear()
