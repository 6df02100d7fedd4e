"""The rows of each open dataset, read from one integrated state.

Figures come from the rollups and the public stats document (so small cells are suppressed
exactly as there); statements from santui.statements.public, limited to the leaves below the
integrated size, so every file describes the same state. Values are Python values (dates,
ints, bools, lists); the writers encode them.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from santui.statements.models import LedgerEntry
from santui.statements.public import public_entries, public_records
from santui.tally.models import Checkpoint, IntegrationState, Rollup, Stat
from santui.tally.opendata import schemas
from santui.tally.selectors import stats_document

Row = dict[str, Any]
ORGANIZATIONS = ("party", "league", "pioneers")


@contextmanager
def consistent_read() -> Iterator[None]:
    """One snapshot for several queries: the state, the rollups and the statements agree.
    (SQLite's transactions are snapshots; PostgreSQL needs REPEATABLE READ.)"""
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


@dataclass
class Snapshot:
    """The integrated state the files are made at: the log size and its signed checkpoint."""

    size: int
    integrated_at: dt.datetime | None
    root: bytes | None  # the log's root hash at ``size`` (None before anything is integrated)
    note: str | None  # the signed checkpoint at ``size``, with the log's own signature only
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def root_base64(self) -> str | None:
        return base64.b64encode(self.root).decode() if self.root is not None else None

    @cached_property
    def stats(self) -> dict[str, Any]:
        return stats_document(public=True)

    def rows(self, dataset: schemas.Dataset) -> Iterable[Row]:
        if dataset is schemas.STATEMENTS:
            return statement_rows(size=self.size)
        if dataset.name not in self._cache:
            self._cache[dataset.name] = _BUILDERS[dataset.name](self)
        rows: list[Row] = self._cache[dataset.name]
        return rows

    def row_count(self, dataset: schemas.Dataset) -> int:
        if dataset is schemas.STATEMENTS:
            return statement_count(size=self.size)
        return len(list(self.rows(dataset)))


def snapshot() -> Snapshot:
    size, at = IntegrationState.objects.values_list("size", "integrated_at").get(pk=1)
    checkpoint = Checkpoint.objects.filter(size=size).first() if size else None
    return Snapshot(
        size=size,
        integrated_at=at,
        root=bytes(checkpoint.root) if checkpoint else None,
        note=checkpoint.note if checkpoint else None,
    )


# --- the figures ---------------------------------------------------------------------------------


def daily_rows(snap: Snapshot) -> list[Row]:
    """One row per day with persons: the day's figures from the rollups. The day's count of
    current party members is withheld below k (it is not in the public log, and with the
    published statements of a quiet day it could tell who was a member)."""
    k = settings.SANTUI_SUPPRESS_BELOW
    days: dict[dt.date, dict[str, int]] = defaultdict(dict)
    stats = (Stat.PERSONS, Stat.STATEMENTS, Stat.ORGANIZATION, Stat.CURRENT_PARTY_MEMBERS)
    for stat, key, day, value in Rollup.objects.filter(stat__in=stats).values_list(
        "stat", "key", "day", "value"
    ):
        days[day][key if stat == Stat.ORGANIZATION else stat] = int(value)
    rows = []
    cumulative = 0
    for day in sorted(days):
        cells = days[day]
        persons = cells.get(Stat.PERSONS, 0)
        if not persons and not cells.get(Stat.STATEMENTS, 0):
            continue
        cumulative += persons
        members: int | None = cells.get(Stat.CURRENT_PARTY_MEMBERS, 0)
        if members and members < k:
            members = None
        rows.append(
            {
                "date": day,
                "persons": persons,
                "statements": cells.get(Stat.STATEMENTS, 0),
                "cumulative_persons": cumulative,
                **{org: cells.get(org, 0) for org in ORGANIZATIONS},
                "current_party_members": members,
            }
        )
    return rows


def _cells(snap: Snapshot, part: str, column: str) -> list[Row]:
    return [
        {column: c["key"], "persons": c["persons"], "suppressed": bool(c.get("suppressed"))}
        for c in snap.stats[part]
    ]


def _regions(snap: Snapshot) -> list[Row]:
    return [
        {
            "code": r["code"],
            "name_en": r["name"],
            "name_zh_hans": r["name_zh"],
            "name_zh_hant": r["name_zh_hant"],
            "persons": r["persons"],
            "suppressed": bool(r.get("suppressed")),
        }
        for r in snap.stats["regions"]
    ]


def _organizations(snap: Snapshot) -> list[Row]:
    orgs = snap.stats["organizations"]
    return [{"organization": org, "persons": orgs[org]} for org in ORGANIZATIONS]


def _milestones(snap: Snapshot) -> list[Row]:
    return [
        {"persons": m["persons"], "date": dt.date.fromisoformat(m["date"])}
        for m in snap.stats["milestones"]
    ]


_BUILDERS: dict[str, Callable[[Snapshot], list[Row]]] = {
    "daily": daily_rows,
    "organizations": _organizations,
    "regions": _regions,
    "sectors": lambda s: _cells(s, "sectors", "sector"),
    "channels": lambda s: _cells(s, "channels", "channel"),
    "name_kinds": lambda s: _cells(s, "name_kinds", "name_kind"),
    "milestones": _milestones,
}


# --- the statements ------------------------------------------------------------------------------


# What public_record reads, and no more: the whole rows of both tables (with the parser's JSON and
# the encrypted contact) cost three times as much to load. A field public_record starts to read
# and this list lacks costs one query per row: tests/tally/test_opendata.py counts them.
_RECORD_COLUMNS = (
    "position",
    "day",
    "headcount",
    "party",
    "league",
    "pioneers",
    "region",
    "sector",
    "channel",
    "name_kind",
    "statement__name_kind",
    "statement__name",
    "statement__text",
)


def _published(size: int) -> QuerySet[LedgerEntry]:
    return public_entries().filter(position__lt=size).order_by("position").only(*_RECORD_COLUMNS)


def statement_count(*, size: int) -> int:
    return _published(size).count()


def statement_rows(*, size: int, chunk: int = 2000) -> Iterator[Row]:
    """Published statements with a leaf below ``size``, leaf order ascending, read in chunks."""
    entries = _published(size)
    for record in public_records(entries, chunk=chunk):
        record["date"] = dt.date.fromisoformat(record["date"])
        yield record
