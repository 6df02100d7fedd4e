"""Horizontal bar charts of categories (sectors, channels, name kinds): each category's label
on its own line(s) above its bar, so long labels wrap instead of squeezing the bars, and the
figure at the end of the bar. Suppressed cells get no bar, only "< k".

The viewBox is about as wide as a 360 px phone's column (320), so the type is drawn at about
its size there (15 px) and grows only a little on wide screens (CSS caps the width)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from santui.publish.charts.figures import grouped
from santui.publish.charts.geometry import r
from santui.publish.charts.text import text_width, wrap

WIDTH = 320
SIZE = 15  # label font size
MAX_LINES = 3  # of a label; the table has it whole
LINE = 19  # label line height
BAR = 16  # bar thickness
GAP = 12  # space between one category and the next


@dataclass(frozen=True, slots=True)
class Category:
    key: str | None
    label: str
    persons: int | None  # None: not published
    through: str | None = None  # an all-time figure published earlier, to this day


@dataclass(frozen=True, slots=True)
class BarRow:
    category: Category
    lines: list[tuple[str, str]]  # (y, text) of each label line
    bar: tuple[str, str, str] | None  # (y, width, height) of the bar at x = 0
    value: tuple[str, str, str]  # (x, y, text)


@dataclass(slots=True)
class BarChart:
    width: int
    height: int
    rows: list[BarRow] = field(default_factory=list)
    size: int = SIZE
    largest: Category | None = None


def bar_chart(
    categories: Sequence[Category], *, suppress_below: int | None, locale: str = "en"
) -> BarChart:
    """Largest first, suppressed cells last; bars scaled to the largest figure. Every figure
    in full, grouped by the locale (one format for the chart: the bars' lengths compare them,
    and the figure at a bar's end is the table's)."""
    ordered = sorted(
        categories,
        key=lambda c: (c.persons is None, -(c.persons or 0)),
    )
    shown = [c.persons for c in ordered if c.persons is not None]
    largest = max(shown, default=0)
    room = max((text_width(grouped(v, locale), SIZE) for v in shown), default=0) + 8
    span = WIDTH - room
    chart = BarChart(WIDTH, 0, largest=ordered[0] if shown else None)
    y = 0.0
    for category in ordered:
        lines = []
        for text in wrap(category.label, size=SIZE, width=WIDTH, max_lines=MAX_LINES):
            y += LINE
            lines.append((r(y - 5), text))
        top = y + 2
        middle = r(top + BAR / 2 + SIZE * 0.35)
        if category.persons is None:
            value = f"< {suppress_below}" if suppress_below else "—"
            chart.rows.append(BarRow(category, lines, None, ("0", middle, value)))
        else:
            length = span * category.persons / largest if largest else 0.0
            chart.rows.append(
                BarRow(
                    category,
                    lines,
                    (r(top), r(max(length, 1.0)), str(BAR)),
                    (r(length + 6), middle, grouped(category.persons, locale)),
                )
            )
        y = top + BAR + GAP
    chart.height = int(y)
    return chart
