"""Released periods and the release schedule. Pure: dates and zones in, dates out.

A month M is *due* at 00:00 on day ``1 + lag_days`` of the month after M, in the reporting time
zone: it has ended, and moderators had ``lag_days`` to decide what was held. Periods are named
``all``, ``YYYY`` (a calendar year) and ``YYYY-MM`` (a calendar month).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

Kind = Literal["all", "year", "month"]
_PERIOD = re.compile(r"(?:all|[0-9]{4}|[0-9]{4}-(?:0[1-9]|1[0-2]))")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def months_from(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last`` (first days), inclusive."""
    out = []
    month = month_of(first)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def due_at(month: dt.date, *, zone: str, lag_days: int) -> dt.datetime:
    """When the release of ``month`` is due (aware, in the reporting zone)."""
    start = next_month(month) + dt.timedelta(days=lag_days)
    return dt.datetime.combine(start, dt.time(0, 0), tzinfo=ZoneInfo(zone))


def last_due_month(now: dt.datetime, *, zone: str, lag_days: int) -> dt.date:
    """The latest month whose release is due at ``now``."""
    local = now.astimezone(ZoneInfo(zone)).date()
    month = month_of(local - dt.timedelta(days=lag_days)) - dt.timedelta(days=1)
    return month_of(month)


@dataclass(frozen=True, slots=True)
class Period:
    kind: Kind
    name: str  # "all", "2025", "2025-10"
    first: dt.date | None  # first day (None: all time)
    last: dt.date | None  # last day (None: all time)

    def contains(self, date_from: dt.date | None, date_to: dt.date | None) -> bool:
        if self.kind == "all":
            return True
        assert self.first is not None and self.last is not None
        return (
            date_from is not None
            and date_to is not None
            and self.first <= date_from
            and date_to <= self.last
        )


def parse_period(text: str) -> Period | None:
    """``all``, ``YYYY`` or ``YYYY-MM``; None when it is none of them."""
    if not _PERIOD.fullmatch(text):
        return None
    if text == "all":
        return Period("all", "all", None, None)
    if len(text) == 4:
        year = int(text)
        if year < 1:
            return None
        return Period("year", text, dt.date(year, 1, 1), dt.date(year, 12, 31))
    year, month = int(text[:4]), int(text[5:])
    if year < 1:
        return None
    first = dt.date(year, month, 1)
    return Period("month", text, first, month_end(first))


def month_period(month: dt.date) -> Period:
    return Period("month", month.strftime("%Y-%m"), month, month_end(month))


def year_period(year: int) -> Period:
    return Period("year", f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31))
