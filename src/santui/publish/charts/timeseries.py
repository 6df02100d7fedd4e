"""The two charts over time: cumulative persons with milestones, and persons per day with the
trailing 7-day average. Both take the public daily series (days with persons only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from santui.publish.charts.binning import (
    Bin,
    Unit,
    bin_series,
    choose_unit,
    next_start,
    trailing_mean,
)
from santui.publish.charts.figures import FigureStyle, style_for
from santui.publish.charts.geometry import (
    FRAMES,
    Dot,
    Frame,
    Label,
    Layer,
    Plot,
    YTick,
    line_path,
    r,
)
from santui.publish.charts.scales import Linear, date_ticks, nice_ticks
from santui.publish.charts.text import text_width

MAX_BARS = 400  # bars per chart: days up to 400 days, then weeks, then months, then years
MAX_POINTS = 600  # points per line: days, then weeks, then months
BAR_UNITS: tuple[Unit, ...] = ("day", "week", "month", "year")
LINE_UNITS: tuple[Unit, ...] = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class Series:
    """The daily series of a range: persons per day (days with persons), the all-time
    cumulative total before the range, and the range's first and last day."""

    persons: dict[dt.date, int]
    start: dt.date
    end: dt.date
    before: int  # all-time cumulative at the end of the day before ``start``

    @classmethod
    def from_daily(cls, daily: Sequence[Mapping[str, Any]]) -> Series | None:
        """From the stats document's ``daily`` (``{date, persons, cumulative}``); None when
        the range has no persons."""
        if not daily:
            return None
        persons = {dt.date.fromisoformat(d["date"]): int(d["persons"]) for d in daily}
        first = daily[0]
        return cls(
            persons=persons,
            start=min(persons),
            end=max(persons),
            before=int(first["cumulative"]) - int(first["persons"]),
        )

    @property
    def total(self) -> int:
        return sum(self.persons.values())


@dataclass(frozen=True, slots=True)
class Row:
    """One bin of the data table."""

    start: dt.date
    end: dt.date
    unit: Unit
    persons: int
    per_day: float
    cumulative: int

    @property
    def label(self) -> str:
        if self.unit == "day" or self.start == self.end:
            return self.start.isoformat()
        if self.unit == "month" and self.start.day == 1 and self._whole():
            return self.start.strftime("%Y-%m")
        if self.unit == "year" and self.start.timetuple().tm_yday == 1 and self._whole():
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def _whole(self) -> bool:
        return next_start(self.start, self.unit) == self.end + dt.timedelta(days=1)


@dataclass(slots=True)
class TimeChart:
    """Both variants of a chart over time, with what its caption, description and table say."""

    unit: Unit  # of the bars and the table
    line_unit: Unit
    start: dt.date
    end: dt.date
    rows: list[Row]
    plots: list[Plot] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def binned(self) -> bool:
        return self.unit != "day"


def _rows(series: Series, bins: list[Bin], unit: Unit) -> list[Row]:
    rows, cumulative = [], series.before
    for b in bins:
        cumulative += b.persons
        rows.append(Row(b.start, b.end, unit, b.persons, b.per_day, cumulative))
    return rows


def _plot(
    frame: Frame,
    *,
    start: dt.date,
    end: dt.date,
    top: float,
    locale: str,
    bottom: float = 0,
    labelled: Sequence[float] = (),
) -> tuple[Plot, Linear, Linear, FigureStyle]:
    """The axes of one variant: y from a nice value at or below ``bottom`` (0 by default) to
    one at or above ``top``; the figures of the ticks and of ``labelled`` (milestones) in one
    style, returned for the labels."""
    ticks = nice_ticks(bottom, max(top, bottom + 1), frame.y_ticks)
    style = style_for(locale, exact=[*ticks, *labelled])
    labels = [style.exact(t) for t in ticks]
    left = max(text_width(label, frame.size) for label in labels) + 8
    x0, x1 = left, frame.width - frame.right
    y0, y1 = frame.top, frame.height - frame.bottom
    xs = Linear(start.toordinal(), end.toordinal() + 1, x0, x1)
    ys = Linear(ticks[0], ticks[-1], y1, y0)
    plot = Plot(frame, round(x0, 1), x1, y0, y1)
    plot.yticks = [YTick(round(ys(t), 1), label) for t, label in zip(ticks, labels, strict=True)]
    plot.xticks = date_ticks(
        start, end, x=lambda d: xs(d.toordinal() + 0.5), size=frame.size, locale=locale
    )
    return plot, xs, ys, style


def cumulative_chart(
    series: Series, *, milestones: Sequence[Mapping[str, Any]], step: int, locale: str
) -> TimeChart:
    """The all-time cumulative total at the end of each day (or week, month, year) of the
    range, as a line and the area under it; milestone days as ticks on the axis, the roundest
    milestones labelled."""
    unit = choose_unit(series.start, series.end, max_bins=MAX_BARS, units=BAR_UNITS)
    rows = points = _rows(
        series, bin_series(series.persons, start=series.start, end=series.end, unit=unit), unit
    )
    marks = [
        (dt.date.fromisoformat(m["date"]), int(m["persons"]))
        for m in milestones
        if series.start <= dt.date.fromisoformat(m["date"]) <= series.end
    ]
    chart = TimeChart(unit, unit, series.start, series.end, rows)
    last = points[-1].cumulative
    chart.facts = {"first": series.before, "last": last, "milestones": len(marks)}
    # a range that starts late in the history: the axis starts near the first value, not at
    # zero, and there is no area (an area says "from zero")
    bottom = series.before if series.before > last / 4 else 0
    for frame in FRAMES:
        plot, xs, ys, style = _plot(
            frame,
            start=series.start,
            end=series.end,
            top=last,
            bottom=bottom,
            locale=locale,
            labelled=[persons for _day, persons in marks],
        )
        xy = [(xs(series.start.toordinal()), ys(series.before))]
        xy += [(xs(p.end.toordinal() + 1), ys(p.cumulative)) for p in points]
        line = line_path(xy)
        area = f"{line}L{r(xy[-1][0])} {r(plot.y1)}L{r(xy[0][0])} {r(plot.y1)}Z"
        plot.layers = [] if bottom else [Layer("area", area)]
        plot.layers.append(Layer("line", line))
        _milestones(plot, marks, xs=xs, ys=ys, step=step, style=style)
        chart.plots.append(plot)
    return chart


def _milestones(
    plot: Plot,
    marks: list[tuple[dt.date, int]],
    *,
    xs: Linear,
    ys: Linear,
    step: int,
    style: FigureStyle,
) -> None:
    """A tick on the axis for every milestone; dots and labels for those that fit without
    overlapping, roundest (most trailing zeros) and latest first."""
    size = plot.frame.size - 1
    plot.rug = "".join(f"M{r(xs(day.toordinal() + 0.5))} {r(plot.y1)}v5" for day, _p in marks)
    limit = 7 if plot.frame.variant == "wide" else 4
    taken: list[tuple[float, float]] = []

    step = max(step, 1)
    for day, persons in sorted(marks, key=lambda m: (-roundness(m[1] // step), m[1])):
        if len(plot.labels) >= limit:
            break
        x, y = xs(day.toordinal() + 0.5), ys(persons)
        text = style.exact(persons)
        width = text_width(text, size)
        # above left of the dot (a rising line leaves that corner empty); below right only
        # where the left edge leaves no room
        places = [("end", x - 6 - width, x - 6, y - 6)]
        if x - 6 - width < plot.x0:
            places = [("start", x + 6, x + 6 + width, y + size + 4)]
        for anchor, lo, hi, ty in places:
            fits = lo >= plot.x0 and hi <= plot.x1 and plot.y0 + size <= ty <= plot.y1 - 2
            if fits and all(hi + 8 <= a or lo >= b + 8 for a, b in taken):
                taken.append((lo, hi))
                plot.dots.append(Dot(round(x, 1), round(y, 1)))
                plot.labels.append(Label(round(lo if anchor == "start" else hi, 1),
                                         round(ty, 1), text, anchor))  # fmt: skip
                break


def roundness(multiple: int) -> int:
    """The largest of 1, 2, 5, 10, 20, 50, ... that divides ``multiple`` (0 for 0)."""
    best, nice = 0, 1
    while multiple and nice <= multiple:
        for factor in (1, 2, 5):
            if multiple % (nice * factor) == 0:
                best = nice * factor
        nice *= 10
    return best


def daily_chart(
    series: Series, *, history: Mapping[dt.date, int] | None = None, locale: str
) -> TimeChart:
    """Bars of persons per day (the average per day of each week, month or year when the range
    is long) and a line of the trailing 7-day average (on the last day of each day, week or
    month). ``history`` holds the days before the range that the first averages need."""
    unit = choose_unit(series.start, series.end, max_bins=MAX_BARS, units=BAR_UNITS)
    line_unit = choose_unit(series.start, series.end, max_bins=MAX_POINTS, units=LINE_UNITS)
    bins = bin_series(series.persons, start=series.start, end=series.end, unit=unit)
    rows = _rows(series, bins, unit)
    ends = [b.end for b in bin_series({}, start=series.start, end=series.end, unit=line_unit)]
    known = {**(history or {}), **series.persons}
    averages = trailing_mean(known, ends, window=7)
    chart = TimeChart(unit, line_unit, series.start, series.end, rows)
    peak = max(bins, key=lambda b: b.per_day)
    chart.facts = {
        "total": series.total,
        "peak": peak.per_day,
        "peak_start": peak.start,
        "peak_end": peak.end,
        "latest_average": averages[-1],
        "latest_day": ends[-1],
    }
    top = max(peak.per_day, max(averages))
    for frame in FRAMES:
        plot, xs, ys, _style = _plot(
            frame, start=series.start, end=series.end, top=top, locale=locale
        )
        base = plot.y1
        bars = []
        for b in bins:
            if b.persons <= 0:
                continue
            left, right = xs(b.start.toordinal()), xs(b.end.toordinal() + 1)
            # wide bars get a hairline gap; thin ones overlap a little so that they read as
            # an area, without anti-aliased seams between them
            pad = 0.5 if right - left >= 4 else -0.3
            top_y = ys(b.per_day)
            bars.append(f"M{r(left + pad)} {r(base)}V{r(top_y)}H{r(right - pad)}V{r(base)}Z")
        line = line_path(
            (xs(day.toordinal() + 0.5), ys(avg)) for day, avg in zip(ends, averages, strict=True)
        )
        dense = len(ends) > (plot.x1 - plot.x0) / 3
        average = Layer("avg dense" if dense else "avg", line)
        plot.layers = [Layer("columns", "".join(bars)), average]
        chart.plots.append(plot)
    return chart
