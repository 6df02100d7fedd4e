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

from django.db import connection, transaction
from django.db.models import QuerySet

from santui.statements.models import LedgerEntry
from santui.statements.public import public_entries, public_records
from santui.tally.disclosure.periods import month_end
from santui.tally.disclosure.read import releases_list
from santui.tally.disclosure.store import MEMBER
from santui.tally.models import (
    Checkpoint,
    IntegrationState,
    ReleaseCell,
    ReleaseScope,
    Rollup,
    Stat,
)
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
    """One row per day with persons: the day's figures from the rollups, all of which the
    public log tells. (Current party members are a breakdown: released per month only, in
    ``breakdowns``.)"""
    days: dict[dt.date, dict[str, int]] = defaultdict(dict)
    stats = (Stat.PERSONS, Stat.STATEMENTS, Stat.ORGANIZATION)
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
        rows.append(
            {
                "date": day,
                "persons": persons,
                "statements": cells.get(Stat.STATEMENTS, 0),
                "cumulative_persons": cumulative,
                **{org: cells.get(org, 0) for org in ORGANIZATIONS},
            }
        )
    return rows


def _through(cell: dict[str, Any]) -> dt.date | None:
    return dt.date.fromisoformat(cell["through"]) if cell.get("through") else None


def _cells(snap: Snapshot, part: str, column: str) -> list[Row]:
    return [
        {column: c["key"], "persons": c["persons"], "through": _through(c)}
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
            "through": _through(r),
        }
        for r in snap.stats["regions"]
    ]


def _releases(snap: Snapshot) -> list[Row]:
    return [
        {
            **r,
            "from": dt.date.fromisoformat(r["from"]),
            "to": dt.date.fromisoformat(r["to"]),
        }
        for r in releases_list()
    ]


_KIND_ORDER = {"month": 0, "year": 1, "all": 2}


def breakdown_rows(snap: Snapshot) -> list[Row]:
    """Every published cell of every release: a function of the releases alone, so the file
    is the same, byte for byte, until the next release (and then only grows)."""
    rows = []
    for number, month, scope, dimension, key, value in ReleaseCell.objects.filter(
        published=True
    ).values_list("release__number", "release__month", "scope", "dimension", "key", "value"):
        if dimension == "member":
            if key != MEMBER:
                continue  # the others are the release's persons minus the members
            dimension, key = "current_party_members", "member"
        if scope == ReleaseScope.MONTH:
            period, first, last = f"{month:%Y-%m}", month, month_end(month)
        elif scope == ReleaseScope.YEAR:
            period, first, last = f"{month.year:04d}", month.replace(month=1), month_end(month)
        else:
            period, first, last = "all", None, month_end(month)
        rows.append(
            {
                "release": number,
                "period": period,
                "kind": str(scope),
                "from": first,
                "to": last,
                "dimension": dimension,
                "key": key,
                "persons": int(value),
            }
        )
    rows.sort(key=lambda r: (r["release"], _KIND_ORDER[str(r["kind"])], r["dimension"], r["key"]))
    return rows


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
    "declarants": lambda s: _cells(s, "declarants", "declarant"),
    "releases": _releases,
    "breakdowns": breakdown_rows,
    "milestones": _milestones,
}


# --- the statements ------------------------------------------------------------------------------


# What public_record reads, and no more: the whole rows of both tables (with the parser's JSON and
# the encrypted contact) cost three times as much to load. A field public_record starts to read
# and this list lacks costs one query per row: tests/tally/test_opendata.py counts them.
_RECORD_COLUMNS = (
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
    return (
        public_entries()
        .filter(published__position__lt=size)
        .order_by("published__position")
        .only(*_RECORD_COLUMNS)
    )


def statement_count(*, size: int) -> int:
    return _published(size).count()


def statement_rows(*, size: int, chunk: int = 2000) -> Iterator[Row]:
    """Published statements with a leaf below ``size``, leaf order ascending, read in chunks."""
    entries = _published(size)
    for record in public_records(entries, chunk=chunk):
        record["date"] = dt.date.fromisoformat(record["date"])
        yield record
