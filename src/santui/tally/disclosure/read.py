"""Reads of the releases: the periods available, a period's published breakdown, the schedule.

Everything here is published already, or public (release times, log sizes, persons per
release): nothing reads an unpublished cell's value except ``exact_breakdown`` (staff only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum

from santui.tally.disclosure.periods import (
    Period,
    due_at,
    month_end,
    month_of,
    month_period,
    next_month,
    parse_period,
    year_period,
)
from santui.tally.disclosure.store import DIMENSIONS, dimension_sums
from santui.tally.models import Release, ReleaseCell, ReleaseScope, Rollup, Stat

ALL = Period("all", "all", None, None)


class PeriodUnavailable(ValueError):
    """No released period fits the request; ``available`` says which ones do."""

    def __init__(self, message: str, available: dict[str, Any]) -> None:
        super().__init__(message)
        self.available = available


@dataclass(frozen=True)
class Catalogue:
    """The released periods, as of the latest release."""

    number: int  # latest release number (0: none)
    first: dt.date | None  # first released month
    last: dt.date | None  # latest released month
    years: tuple[int, ...]  # years whose last month is released
    next_month: dt.date | None
    next_due: dt.datetime | None

    def has(self, period: Period) -> bool:
        if self.last is None or self.first is None:
            return False
        if period.kind == "all":
            return True
        assert period.first is not None
        if period.kind == "year":
            return period.first.year in self.years
        return self.first <= period.first <= self.last

    def describe(self) -> dict[str, Any]:
        """The periods available, for documents and errors."""
        return {
            "all": {"to": month_end(self.last).isoformat()} if self.last else None,
            "years": [f"{y:04d}" for y in self.years],
            "months": (
                {"first": f"{self.first:%Y-%m}", "last": f"{self.last:%Y-%m}"}
                if self.first and self.last
                else None
            ),
            "next_release": self.next_release(),
        }

    def next_release(self) -> dict[str, str] | None:
        if self.next_month is None or self.next_due is None:
            return None
        return {"period": f"{self.next_month:%Y-%m}", "due": self.next_due.isoformat()}


CACHE_SECONDS = 600


def latest() -> str:
    """What identifies the releases made so far: the latest one's number and time."""
    row = Release.objects.order_by("-number").values_list("number", "released_at").first()
    return f"{row[0]}:{row[1].timestamp()}" if row else "0"


def _cached(name: str, make: Any) -> Any:
    key = f"releases:v2:{latest()}:{name}"  # v2: the declarant dimension
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, CACHE_SECONDS)
    return value


def catalogue() -> Catalogue:
    return _cached("catalogue", _catalogue)  # type: ignore[no-any-return]


def _catalogue() -> Catalogue:
    zone, lag = settings.SANTUI_REPORTING_TZ, settings.SANTUI_RELEASE_LAG_DAYS
    months = list(Release.objects.order_by("month").values_list("month", flat=True))
    if months:
        upcoming: dt.date | None = next_month(months[-1])
    else:
        first_day = (
            Rollup.objects.filter(stat=Stat.PERSONS).exclude(value=0).order_by("day")
            .values_list("day", flat=True).first()
        )  # fmt: skip
        upcoming = month_of(first_day) if first_day else None
    return Catalogue(
        number=len(months),
        first=months[0] if months else None,
        last=months[-1] if months else None,
        years=tuple(m.year for m in months if m.month == 12),
        next_month=upcoming,
        next_due=due_at(upcoming, zone=zone, lag_days=lag) if upcoming else None,
    )


def resolve(
    *, period: str | None, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[Period, bool]:
    """The released period whose breakdowns answer a request, and whether it was snapped (it
    covers more days than asked). Raises PeriodUnavailable with the periods available."""
    cat = catalogue()
    if period is not None:
        wanted = parse_period(period)
        if wanted is None:
            raise PeriodUnavailable(
                f"not a period: {period!r} (all, YYYY or YYYY-MM)", cat.describe()
            )
        if not cat.has(wanted):
            raise PeriodUnavailable(_unreleased(wanted.name, cat), cat.describe())
        return wanted, False
    if cat.last is None:
        raise PeriodUnavailable(_unreleased("all", cat), cat.describe())
    if date_from is None and date_to is None:
        return ALL, False
    candidates: list[Period] = []
    if date_from is not None and date_to is not None:
        candidates.append(month_period(month_of(date_from)))
        candidates.append(year_period(date_from.year))
    for candidate in candidates:
        if cat.has(candidate) and candidate.contains(date_from, date_to):
            return candidate, True
    if date_to is not None and date_to <= month_end(cat.last):
        return ALL, True
    raise PeriodUnavailable(
        "breakdowns are published for released calendar months, calendar years and all "
        "time only, and no released period contains "
        f"{date_from.isoformat() if date_from else '…'} to "
        f"{date_to.isoformat() if date_to else '…'}: ask for one of the periods available "
        "(parameter period, or from/to within one of them)",
        cat.describe(),
    )


def _unreleased(name: str, cat: Catalogue) -> str:
    upcoming = cat.next_release()
    when = f"; the next release, {upcoming['period']}, is due {upcoming['due']}" if upcoming else ""
    return f"no breakdown is released for {name}{when}"


def breakdown(period: Period) -> dict[str, Any]:
    """The published breakdown of a released period (see docs/stats-format.md)."""
    return _cached(f"breakdown:{period.name}", lambda: _breakdown(period))  # type: ignore[no-any-return]


def _cells(releases: list[Release], scope: str) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {d: {} for d in DIMENSIONS}
    for dimension, key, value in ReleaseCell.objects.filter(
        release__in=releases, scope=scope, published=True
    ).values_list("dimension", "key", "value"):
        out[dimension][key] = {"persons": int(value)}
    return out


def _breakdown(period: Period) -> dict[str, Any]:
    releases = list(Release.objects.order_by("number"))
    latest = releases[-1]
    if period.kind == "month":
        assert period.first is not None
        release = next(r for r in releases if r.month == period.first)
        chosen, scope, first, last = [release], ReleaseScope.MONTH, period.first, period.last
    elif period.kind == "year":
        assert period.first is not None
        chosen = [r for r in releases if r.month.year == period.first.year]
        release, scope = chosen[-1], ReleaseScope.YEAR
        first, last = period.first, period.last
    else:
        chosen, release, scope = releases, latest, ReleaseScope.ALL
        first, last = None, month_end(latest.month)
    cells = _cells([release], scope)
    if period.kind == "all":
        # A key whose latest figure is withheld shows the last one published, with its date:
        # a figure published before, so nothing new. The database finds each key's newest
        # published release and only those cells are read: reading every earlier release's
        # cells grew with the months (18,000 rows, 50 ms for 263 months; issue 15).
        earlier = ReleaseCell.objects.filter(scope=ReleaseScope.ALL, published=True).exclude(
            release=latest
        )
        newest = (
            earlier.values("dimension", "key")
            .annotate(number=Max("release__number"))
            .values_list("dimension", "key", "number")
        )
        wanted = {
            (dimension, key): number
            for dimension, key, number in newest
            if key not in cells[dimension]
        }
        # (no OR of one condition per key: SQLite refuses an expression a thousand deep)
        rows = (
            earlier.filter(
                release__number__in=set(wanted.values()), key__in={k for _, k in wanted}
            ).values_list("release__number", "dimension", "key", "value")
            if wanted
            else []
        )
        numbers = {r.number: r for r in releases}
        for number, dimension, key, value in rows:
            if wanted.get((dimension, key)) == number:
                through = month_end(numbers[number].month).isoformat()
                cells[dimension][key] = {"persons": int(value), "through": through}
    return {
        "period": period.name,
        "kind": period.kind,
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
        "release": release.number,
        "released_at": release.released_at.isoformat(),
        "log_size": release.log_size,
        "persons": sum(r.persons for r in chosen),
        "cells": cells,
    }


def exact_breakdown(*, date_from: dt.date | None, date_to: dt.date | None) -> dict[str, Any]:
    """Exact persons per key over a range of days, from the rollups: staff only."""
    ranged = Rollup.objects.all()
    if date_from:
        ranged = ranged.filter(day__gte=date_from)
    if date_to:
        ranged = ranged.filter(day__lte=date_to)
    sums: dict[tuple[str, str], int] = {
        (stat, key): int(total)
        for stat, key, total in ranged.values("stat", "key")
        .annotate(t=Sum("value"))
        .values_list("stat", "key", "t")
    }
    return {
        d: {k: {"persons": v} for k, v in values.items() if v}
        for d, values in dimension_sums(sums).items()
    }


def releases_list() -> list[dict[str, Any]]:
    """Every release, oldest first (public: when, at which log size, how many persons)."""
    return [
        {
            "release": r.number,
            "period": f"{r.month:%Y-%m}",
            "from": r.month.isoformat(),
            "to": month_end(r.month).isoformat(),
            "released_at": r.released_at.isoformat(),
            "log_size": r.log_size,
            "persons": r.persons,
            "new_persons": r.new_persons,
            "late_persons": r.late_persons,
            "revoked_persons": r.revoked_persons,
            "suppress_below": r.suppress_below,
        }
        for r in Release.objects.order_by("number")
    ]
