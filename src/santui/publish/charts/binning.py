"""The daily series in bins (day, week, month, year) and the trailing 7-day average.

A long range would make an SVG of thousands of bars; the dashboard bins it so that there are
at most a few hundred. A bin covers whole calendar units (weeks start on Monday, ISO 8601),
cut at the ends of the range, so the bins partition the range and their sums add up to the
range's total. ``Bin.per_day`` is the average per day over the days of the bin that lie in
the range, so bins of different lengths compare fairly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Unit = Literal["day", "week", "month", "year"]
UNITS: tuple[Unit, ...] = ("day", "week", "month", "year")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Bin:
    start: dt.date  # first day in the range
    end: dt.date  # last day in the range (inclusive)
    persons: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def per_day(self) -> float:
        return self.persons / self.days


def unit_start(day: dt.date, unit: Unit) -> dt.date:
    """The first day of the calendar unit containing ``day``."""
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_start(day: dt.date, unit: Unit) -> dt.date:
    """The first day of the unit after the one starting on ``day``."""
    if unit == "day":
        return day + ONE_DAY
    if unit == "week":
        return day + dt.timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1, month=1, day=1)


def count_bins(start: dt.date, end: dt.date, unit: Unit) -> int:
    if end < start:
        return 0
    if unit == "day":
        return (end - start).days + 1
    if unit == "week":
        return (unit_start(end, "week") - unit_start(start, "week")).days // 7 + 1
    if unit == "month":
        return (end.year - start.year) * 12 + end.month - start.month + 1
    return end.year - start.year + 1


def choose_unit(
    start: dt.date, end: dt.date, *, max_bins: int, units: Iterable[Unit] = UNITS
) -> Unit:
    """The finest of ``units`` that cuts [start, end] into at most ``max_bins`` bins (the
    coarsest when none does)."""
    chosen: Unit = "year"
    for unit in units:
        chosen = unit
        if count_bins(start, end, unit) <= max_bins:
            break
    return chosen


def bin_series(
    persons: Mapping[dt.date, int], *, start: dt.date, end: dt.date, unit: Unit
) -> list[Bin]:
    """Sum ``persons`` (day -> persons; missing days are 0) over each ``unit`` of
    [start, end]. Days outside the range are ignored."""
    bins: list[Bin] = []
    if end < start:
        return bins
    sums: dict[dt.date, int] = {}
    for day, value in persons.items():
        if start <= day <= end:
            key = unit_start(day, unit)
            sums[key] = sums.get(key, 0) + value
    cursor = unit_start(start, unit)
    while cursor <= end:
        after = next_start(cursor, unit)
        bins.append(Bin(max(cursor, start), min(after - ONE_DAY, end), sums.get(cursor, 0)))
        cursor = after
    return bins


def trailing_mean(
    persons: Mapping[dt.date, int], days: Iterable[dt.date], *, window: int = 7
) -> list[float]:
    """For each of ``days``, the mean of persons over the ``window`` days ending that day
    (missing days count as 0)."""
    out = []
    for day in days:
        total = sum(persons.get(day - dt.timedelta(days=i), 0) for i in range(window))
        out.append(total / window)
    return out
