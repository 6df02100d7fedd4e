"""Make the releases that are due: the action behind `santui stats release` (and the integrator
loop, which calls it after each round). Idempotent: a month is released once, and a run with
nothing due changes nothing.

One run takes the integrated size as its cutoff (holding the integrator's state row, so no
batch lands meanwhile) and releases every due month at once, oldest first. For each dimension,
release ``r``'s month values are the running totals of the rollups through the month's end
minus everything earlier releases counted: the month's own persons, plus (in the run's first
release) every late change to months already released. Revocations of statements that an
earlier release counted are read from the ledger, with the release that counted them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone

from santui.statements.models import Channel, Declarant, EntryKind, LedgerEntry, NameKind
from santui.tally.disclosure import tables
from santui.tally.disclosure.periods import last_due_month, month_end, month_of, months_from
from santui.tally.disclosure.plan import plan
from santui.tally.models import (
    IntegrationState,
    Release,
    ReleaseCell,
    ReleaseRevocation,
    ReleaseScope,
    Rollup,
    Stat,
)
from santui.textparse.regions import MAINLAND, gazetteer, iso_codes
from santui.textparse.sectors import SECTORS

log = logging.getLogger("santui.disclosure")

# dimension -> the rollup stat it reads (member: current party members and the other persons)
DIMENSIONS: dict[str, str | None] = {
    "region": Stat.REGION,
    "sector": Stat.SECTOR,
    "channel": Stat.CHANNEL,
    "name_kind": Stat.NAME_KIND,
    "declarant": Stat.DECLARANT,
    "member": None,
}
MEMBER, OTHER = "member", "other"


def universe(dimension: str) -> frozenset[str]:
    """Every key the dimension can have: the attacker knows the list, not who is in it."""
    if dimension == "region":
        return frozenset(gazetteer().provinces) | iso_codes() | {MAINLAND, ""}
    if dimension == "sector":
        return frozenset(SECTORS) | {""}
    if dimension == "channel":
        return frozenset(Channel.values)
    if dimension == "name_kind":
        return frozenset(NameKind.values)
    if dimension == "declarant":
        return frozenset(Declarant.values)
    return frozenset({MEMBER, OTHER})


def _entry_key(dimension: str, entry: Mapping[str, object]) -> str:
    if dimension == "member":
        return MEMBER if entry["current_party_member"] else OTHER
    return str(entry[dimension])


Sums = dict[str, dict[str, int]]  # dimension -> key -> persons


def dimension_sums(rows: Mapping[tuple[str, str], int]) -> Sums:
    out: Sums = {d: defaultdict(int) for d in DIMENSIONS}
    for (stat, key), value in rows.items():
        for dimension, wanted in DIMENSIONS.items():
            if stat == wanted:
                out[dimension][key] += value
    persons = rows.get((Stat.PERSONS, ""), 0)
    members = rows.get((Stat.CURRENT_PARTY_MEMBERS, ""), 0)
    out["member"][MEMBER] += members
    out["member"][OTHER] += persons - members
    return out


@dataclass
class _Run:
    months: list[dt.date]
    cutoff: int
    persons: list[int]  # net persons per new release
    late: int  # net late persons (into the first new release)
    values: list[Sums]  # per new release
    revoked: list[dict[str, dict[tuple[int, str], int]]]  # per new release: dim -> (origin, key)


def _read(previous: list[Release], months: list[dt.date], cutoff: int) -> _Run:
    first, last = months[0], month_end(months[-1])
    stats = [Stat.PERSONS, Stat.CURRENT_PARTY_MEMBERS, *(s for s in DIMENSIONS.values() if s)]
    before: dict[tuple[str, str], int] = {
        (stat, key): int(total)
        for stat, key, total in Rollup.objects.filter(stat__in=stats, day__lt=first)
        .values("stat", "key")
        .annotate(t=Sum("value"))
        .values_list("stat", "key", "t")
    }
    per_month: dict[dt.date, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for stat, key, day, value in Rollup.objects.filter(
        stat__in=stats, day__gte=first, day__lte=last
    ).values_list("stat", "key", "day", "value"):
        per_month[month_of(day)][(stat, key)] += int(value)
    # what earlier releases counted, in total: their last all-time cells
    counted: Sums = {d: defaultdict(int) for d in DIMENSIONS}
    counted_persons = 0
    if previous:
        for dimension, key, value in ReleaseCell.objects.filter(
            release=previous[-1], scope=ReleaseScope.ALL
        ).values_list("dimension", "key", "value"):
            counted[dimension][key] += int(value)
        counted_persons = sum(r.persons for r in previous)
    late_sums = dimension_sums(before)
    late = before.get((Stat.PERSONS, ""), 0) - counted_persons
    values, persons = [], []
    for i, month in enumerate(months):
        sums = dimension_sums(per_month.get(month, {}))
        n = per_month.get(month, {}).get((Stat.PERSONS, ""), 0)
        if i == 0:
            for dimension in DIMENSIONS:
                for key in set(late_sums[dimension]) | set(counted[dimension]):
                    sums[dimension][key] += late_sums[dimension][key] - counted[dimension][key]
            n += late
        values.append({d: {x: v for x, v in s.items() if v} for d, s in sums.items()})
        persons.append(n)
    revoked = _revocations(previous, months, cutoff)
    return _Run(months, cutoff, persons, late, values, revoked)


def _origin(previous: list[Release], position: int, day: dt.date) -> int | None:
    """Index of the earlier release that counted an add at ``position`` of ``day``, if any."""
    for i, release in enumerate(previous):
        if release.log_size > position and month_end(release.month) >= day:
            return i
    return None


def _revocations(
    previous: list[Release], months: list[dt.date], cutoff: int
) -> list[dict[str, dict[tuple[int, str], int]]]:
    out: list[dict[str, dict[tuple[int, str], int]]] = [
        {d: defaultdict(int) for d in DIMENSIONS} for _ in months
    ]
    if not previous:
        return out
    start = previous[-1].log_size
    fields = (
        "headcount", "region", "sector", "channel", "name_kind", "declarant",
        "current_party_member",
    )  # fmt: skip
    # ``revokes`` set is what a revoke is (the ledger's check constraint) and the predicate of
    # the partial index ``ledger_revokes``: the revokes are read through it, in each partition
    # of the ledger, where ``kind`` alone read the whole ledger at every release
    # (docs/benchmarks.md, "The ledger in partitions").
    for entry in LedgerEntry.objects.filter(
        kind=EntryKind.REVOKE,
        revokes__isnull=False,
        log_position__position__gte=start,
        log_position__position__lt=cutoff,
    ).values(*fields, "revokes__log_position__position", "revokes__day"):
        origin = _origin(
            previous, int(entry["revokes__log_position__position"]), entry["revokes__day"]
        )
        if origin is None:
            continue  # its add is counted in this run too: they cancel out
        for dimension in DIMENSIONS:
            key = _entry_key(dimension, entry)
            out[0][dimension][(origin, key)] += int(entry["headcount"])
    return out


def _history(previous: list[Release]) -> tuple[
    dict[str, list[tables.Release]], dict[str, list[tables.Published]]
]:  # fmt: skip
    index = {release.pk: i for i, release in enumerate(previous)}
    values: dict[str, list[dict[str, int]]] = {d: [{} for _ in previous] for d in DIMENSIONS}
    shown: dict[str, list[dict[str, set[str]]]] = {
        d: [{"month": set(), "year": set(), "all": set()} for _ in previous] for d in DIMENSIONS
    }
    for release_id, scope, dimension, key, value, published in ReleaseCell.objects.values_list(
        "release_id", "scope", "dimension", "key", "value", "published"
    ):
        i = index[release_id]
        if scope == ReleaseScope.MONTH:
            values[dimension][i][key] = int(value)
        if published:
            shown[dimension][i][scope].add(key)
    revoked: dict[str, list[dict[tuple[int, str], int]]] = {
        d: [{} for _ in previous] for d in DIMENSIONS
    }
    for release_id, origin_id, dimension, key, persons in ReleaseRevocation.objects.values_list(
        "release_id", "origin_id", "dimension", "key", "persons"
    ):
        revoked[dimension][index[release_id]][(index[origin_id], key)] = int(persons)
    releases = {
        d: [
            tables.Release(r.month.year, r.month.month, values[d][i], revoked[d][i])
            for i, r in enumerate(previous)
        ]
        for d in DIMENSIONS
    }
    decided = {
        d: [
            tables.Published(
                month=frozenset(shown[d][i]["month"]),
                year=frozenset(shown[d][i]["year"]) if r.month.month == 12 else None,
                all=frozenset(shown[d][i]["all"]),
            )
            for i, r in enumerate(previous)
        ]
        for d in DIMENSIONS
    }
    return releases, decided


def stats_release(*, now: dt.datetime | None = None) -> list[Release]:
    """Release every month that is due at ``now`` and not yet released; return the new ones.

    The plan (reading the ledger up to the integrated size, and the suppression audit, which
    takes minutes for a long first history) is made outside any transaction: integrated ledger
    entries never change, and the cut-off is recorded with the release. Only the writing holds
    the integration state's row (one release at a time). On SQLite a transaction holds the one
    write lock of the whole database: planning inside it kept the public form, the screener and
    the integrator waiting for minutes. If another release was made meanwhile, it plans again.
    """
    now = now or timezone.now()
    k = settings.SANTUI_SUPPRESS_BELOW
    last_due = last_due_month(
        now, zone=settings.SANTUI_REPORTING_TZ, lag_days=settings.SANTUI_RELEASE_LAG_DAYS
    )
    began = time.monotonic()
    while True:
        size = IntegrationState.objects.get(pk=1).size
        previous = list(Release.objects.order_by("number"))
        if previous:
            first = month_of(month_end(previous[-1].month) + dt.timedelta(days=1))
        else:
            day = (
                Rollup.objects.filter(stat=Stat.PERSONS)
                .exclude(value=0)
                .aggregate(first=Min("day"))["first"]
            )
            if day is None:
                return []
            first = month_of(day)
        if first > last_due:
            return []
        months = months_from(first, last_due)
        run = _read(previous, months, size)
        old_releases, old_decided = _history(previous)
        plans: dict[str, tuple[list[tables.Release], list[Any]]] = {}
        for dimension in DIMENSIONS:
            new = [
                tables.Release(
                    m.year, m.month, run.values[i][dimension], dict(run.revoked[i][dimension])
                )
                for i, m in enumerate(months)
            ]
            releases = [*old_releases[dimension], *new]
            keys = universe(dimension) | set(tables.keys_of(releases))
            decided = plan(
                releases, old_decided[dimension], k=k, universe=len(keys), name=dimension
            )
            plans[dimension] = (releases, decided)
        with transaction.atomic():
            IntegrationState.objects.select_for_update().get(pk=1)
            if Release.objects.count() != len(previous):
                continue  # released meanwhile by another process: plan from there
            made, cells = _write(previous, months, run, plans, now=now, k=k)
        break
    log.info(
        "released %d months (%s to %s) at log size %d: %d cells in %.1f s",
        len(made), made[0].month, made[-1].month, run.cutoff, cells, time.monotonic() - began,
    )  # fmt: skip
    return made


def _write(
    previous: list[Release],
    months: list[dt.date],
    run: _Run,
    plans: dict[str, tuple[list[tables.Release], list[Any]]],
    *,
    now: dt.datetime,
    k: int,
) -> tuple[list[Release], int]:
    """Store the releases of ``months`` as planned (in the caller's transaction); return them
    and how many cells they hold."""
    made = [
        Release(
            number=len(previous) + i + 1,
            month=month,
            released_at=now,
            log_size=run.cutoff,
            persons=run.persons[i],
            new_persons=run.persons[i] + sum(run.revoked[i]["region"].values()),
            late_persons=(run.late + sum(run.revoked[0]["region"].values())) if i == 0 else 0,
            revoked_persons=sum(run.revoked[i]["region"].values()),
            suppress_below=k,
        )
        for i, month in enumerate(months)
    ]
    Release.objects.bulk_create(made)
    made = list(Release.objects.filter(number__gt=len(previous)).order_by("number"))
    every = [*previous, *made]
    cells: list[ReleaseCell] = []
    revocations: list[ReleaseRevocation] = []
    for dimension, (releases, decided) in plans.items():
        for j, pub in enumerate(decided):
            r = len(previous) + j
            cells += _cells(every[r], dimension, releases, r, pub)
            for (origin, key), persons in releases[r].revoked.items():
                revocations.append(
                    ReleaseRevocation(
                        release=every[r],
                        origin=every[origin],
                        dimension=dimension,
                        key=key,
                        persons=persons,
                    )
                )
    ReleaseCell.objects.bulk_create(cells, batch_size=2000)
    ReleaseRevocation.objects.bulk_create(revocations)
    return made, len(cells)


def _cells(
    release: Release,
    dimension: str,
    releases: list[tables.Release],
    r: int,
    pub: tables.Published,
) -> list[ReleaseCell]:
    """The cells of release ``r`` of one dimension: its month, its year (in December) and all
    time, each figure stored with whether it is published."""
    rel = releases[r]
    keys = tables.keys_of(releases[: r + 1])

    def cell(scope: str, key: str, value: int, shown: frozenset[str]) -> ReleaseCell:
        return ReleaseCell(
            release=release, scope=scope, dimension=dimension, key=key, value=value,
            published=key in shown,
        )  # fmt: skip

    out = [
        cell(ReleaseScope.MONTH, key, rel.values.get(key, 0), pub.month)
        for key in tables.keys_of([rel])
    ]
    if pub.year is not None:
        year = pub.year
        out += [
            cell(ReleaseScope.YEAR, key, value, year)
            for key in keys
            if (value := tables.year_value(releases, r, key))
        ]
    out += [
        cell(ReleaseScope.ALL, key, value, pub.all)
        for key in keys
        if (value := tables.all_value(releases, r, key))
    ]
    return out
