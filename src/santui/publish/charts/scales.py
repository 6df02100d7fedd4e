"""Scales and ticks: numbers to positions, nice round ticks, calendar-aligned date ticks."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Literal

from babel.dates import format_skeleton

from santui.publish.charts.text import text_width


@dataclass(frozen=True, slots=True)
class Linear:
    """Maps the domain [d0, d1] onto the range [r0, r1] (either may be decreasing)."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return self.r0
        return self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


def nice_step(span: float, count: int, *, integer: bool = False) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten that cuts ``span`` into at most about
    ``count`` parts. With ``integer``, the step is a whole number (no 2.5, nothing below 1)."""
    if span <= 0 or count < 1:
        return 1.0
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    if integer and power < 1:
        return 1.0
    factors = (1, 2, 5, 10) if integer and power < 10 else (1, 2, 2.5, 5, 10)
    return float(next(f * power for f in factors if f * power >= raw * (1 - 1e-9)))


def nice_ticks(low: float, high: float, count: int = 5, *, integer: bool = True) -> list[float]:
    """Ticks at a nice step from at or below ``low`` to at or above ``high``: the first and
    last tick bound the range, so an axis drawn from them covers every value."""
    if high < low:
        low, high = high, low
    if high - low < 1e-9:
        high = low + 1
    step = nice_step(high - low, count, integer=integer)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    # The epsilon keeps float noise from adding a tick; these keep it from dropping one when
    # the range is so large that the epsilon exceeds a whole value (e.g. 10^11 + 1).
    while first > low:
        first -= step
    while last < high:
        last += step
    n = round((last - first) / step)
    digits = max(0, 1 - math.floor(math.log10(step)))  # enough for 2.5 x 10^k steps
    return [round(first + i * step, digits) for i in range(n + 1)]


# Date ticks ---------------------------------------------------------------------------------

Grain = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class DateTick:
    day: dt.date
    label: str
    x: float
    anchor: str  # text-anchor: "middle", or "start"/"end" at the edges


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def _days(start: dt.date, end: dt.date, step: int, weekly: bool) -> list[dt.date]:
    first = start
    if weekly:  # Mondays
        first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    out = []
    day = first
    while day <= end:
        out.append(day)
        day += dt.timedelta(days=step)
    return out


def _months(start: dt.date, end: dt.date, step: int) -> list[dt.date]:
    first = dt.date(start.year, start.month, 1)
    if first < start:
        first = _add_months(first, 1)
    while (first.month - 1) % step:
        first = _add_months(first, 1)
    out = []
    while first <= end:
        out.append(first)
        first = _add_months(first, step)
    return out


def _years(start: dt.date, end: dt.date, step: int) -> list[dt.date]:
    year = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    year += (-year) % step
    return [dt.date(y, 1, 1) for y in range(year, end.year + 1, step)]


# (grain, step, generator) from finest to coarsest
_CANDIDATES: list[tuple[Grain, int, Callable[[dt.date, dt.date], list[dt.date]]]] = [
    ("day", 1, partial(_days, step=1, weekly=False)),
    ("day", 2, partial(_days, step=2, weekly=False)),
    ("day", 7, partial(_days, step=7, weekly=True)),
    ("day", 14, partial(_days, step=14, weekly=True)),
    *[("month", n, partial(_months, step=n)) for n in (1, 2, 3, 6)],
    *[("year", n, partial(_years, step=n)) for n in (1, 2, 5, 10, 20, 50, 100)],
]


def date_label(day: dt.date, grain: Grain, *, first: bool, locale: str) -> str:
    """A short tick label: years as digits; months with the year on January and the first
    tick; days as month and day."""
    if grain == "year":
        return str(day.year)
    if grain == "month":
        skeleton = "yMMM" if first or day.month == 1 else "MMM"
        return format_skeleton(skeleton, day, locale=locale)
    return format_skeleton("yMMMd" if first else "MMMd", day, locale=locale)


def date_ticks(
    start: dt.date,
    end: dt.date,
    *,
    x: Callable[[dt.date], float],
    size: float,
    locale: str,
    gap: float = 12,
) -> list[DateTick]:
    """Calendar-aligned ticks inside [start, end], placed by ``x``, whose labels at font
    ``size`` do not overlap: the finest grain that fits. Labels that would cross the edge of
    [x(start), x(end)] are anchored at the tick instead of centred. Never empty."""
    if end < start:
        start, end = end, start
    left, right = x(start), x(end)
    span = (end - start).days
    for grain, step, generate in _CANDIDATES:
        length = step * {"day": 1, "month": 28, "year": 365}[grain]
        if span / length * size * 1.5 > right - left:  # too many to fit: skip making them
            continue
        days = generate(start, end)
        if not days:
            continue
        ticks = _placed(days, grain, x=x, size=size, locale=locale, left=left, right=right)
        if all(_extent(a, size)[1] + gap <= _extent(b, size)[0] for a, b in pairwise(ticks)):
            return ticks
    label = date_label(start, "year", first=True, locale=locale)
    return [DateTick(start, label, left, "start")]


def _placed(
    days: list[dt.date],
    grain: Grain,
    *,
    x: Callable[[dt.date], float],
    size: float,
    locale: str,
    left: float,
    right: float,
) -> list[DateTick]:
    ticks = []
    for i, day in enumerate(days):
        label = date_label(day, grain, first=i == 0, locale=locale)
        pos, half = x(day), text_width(label, size) / 2
        anchor = "start" if pos - half < left else "end" if pos + half > right else "middle"
        ticks.append(DateTick(day, label, round(pos, 1), anchor))
    return ticks


def _extent(tick: DateTick, size: float) -> tuple[float, float]:
    width = text_width(tick.label, size)
    if tick.anchor == "start":
        return tick.x, tick.x + width
    if tick.anchor == "end":
        return tick.x - width, tick.x
    return tick.x - width / 2, tick.x + width / 2
