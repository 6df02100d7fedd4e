"""Small charts: side-by-side column panels that each keep their own scale, drawn and labelled
as an axis (two different measures must not share one, and equal heights must not read as
equal figures), and a bar showing one part of a whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from santui.publish.charts.figures import FigureStyle, style_for
from santui.publish.charts.geometry import r
from santui.publish.charts.scales import Linear, nice_ticks
from santui.publish.charts.text import BOLD, text_width, wrap

PANEL_WIDTH = 180
PANEL_GAP = 24
PANEL_HEIGHT = 150  # of the columns' area
SIZE = 14
TICK_SIZE = 12  # of the axis figures
VALUE_SIZE = 12.5  # of the figures above the columns
NOTE_SIZE = 13
NOTE_LINES = 2  # the note under the panels: each panel has its own scale
TICKS = 4


@dataclass(frozen=True, slots=True)
class Column:
    x: str
    y: str
    width: str
    height: str
    label: str  # under the column
    label_x: str
    value: str  # above the column
    value_y: str


@dataclass(frozen=True, slots=True)
class AxisTick:
    y: str
    label: str


@dataclass(slots=True)
class Panel:
    x: int
    title: list[tuple[str, str]]  # (y, line)
    cls: str
    columns: list[Column] = field(default_factory=list)
    baseline: str = ""
    axis_x: str = ""  # the panel's own y axis: its line, ticks and figures
    axis: str = ""
    grid: str = ""
    ticks: list[AxisTick] = field(default_factory=list)
    top: str = ""  # the axis's top figure: "its own scale, 0 to ..."
    scale_y: str = ""


@dataclass(slots=True)
class Panels:
    width: int
    height: int
    panels: list[Panel] = field(default_factory=list)
    label_y: str = ""
    note_y: list[str] = field(default_factory=list)  # baselines of the note's lines
    value_size: float = VALUE_SIZE


def column_panels(
    specs: Sequence[tuple[str, str, Sequence[tuple[str, int]]]], *, locale: str
) -> Panels:
    """``specs``: (title, CSS class, [(column label, value)]) for each panel, drawn side by
    side, each on its own y axis from zero to a nice figure at or above its largest value,
    labelled; every figure of every panel in one style (``figures.style_for``)."""
    titles = [wrap(t, size=SIZE * BOLD, width=PANEL_WIDTH, max_lines=4) for t, _c, _v in specs]
    scales = [
        nice_ticks(0, max((v for _l, v in values), default=0) or 1, TICKS)
        for _t, _c, values in specs
    ]
    values = [v for _t, _c, vs in specs for _l, v in vs]
    style = style_for(locale, exact=[t for ticks in scales for t in ticks], rounded=values)
    head = max((len(t) for t in titles), default=1) * (SIZE + 4) + TICK_SIZE + SIZE + 20
    base = head + PANEL_HEIGHT
    width = len(specs) * (PANEL_WIDTH + PANEL_GAP) - PANEL_GAP
    label_y = base + SIZE + 6
    notes = [label_y + 8 + (n + 1) * (NOTE_SIZE + 4) for n in range(NOTE_LINES)]
    chart = Panels(width, int(notes[-1] + 6), label_y=r(label_y), note_y=[r(y) for y in notes])
    for i, ((_title, cls, columns), lines, ticks) in enumerate(
        zip(specs, titles, scales, strict=True)
    ):
        x = i * (PANEL_WIDTH + PANEL_GAP)
        labels = [style.exact(t) for t in ticks]
        left = x + max(text_width(label, TICK_SIZE) for label in labels) + 6
        panel = Panel(x, [], cls, baseline=f"M{r(left)} {r(base)}H{x + PANEL_WIDTH}")
        panel.title = [(r((n + 1) * (SIZE + 4)), line) for n, line in enumerate(lines)]
        panel.scale_y = r(len(lines) * (SIZE + 4) + TICK_SIZE + 6)
        panel.top = labels[-1]
        ys = Linear(0, ticks[-1], base, base - PANEL_HEIGHT)
        panel.axis_x = r(left - 4)
        panel.axis = f"M{r(left)} {r(base - PANEL_HEIGHT)}V{r(base)}"
        panel.ticks = [AxisTick(r(ys(t)), label) for t, label in zip(ticks, labels, strict=True)]
        panel.grid = "".join(f"M{r(left)} {r(ys(t))}H{x + PANEL_WIDTH}" for t in ticks[1:])
        pitch = (x + PANEL_WIDTH - left) / max(len(columns), 1)
        bar = min(pitch * 0.6, 48)
        texts = _fitting([value for _label, value in columns], style, room=pitch - 4)
        for n, ((label, value), text) in enumerate(zip(columns, texts, strict=True)):
            column_left = left + n * pitch + (pitch - bar) / 2
            top = ys(value)
            column = Column(r(column_left), r(top), r(bar), r(base - top), label,
                            r(column_left + bar / 2), text, r(top - 5))  # fmt: skip
            panel.columns.append(column)
        chart.panels.append(panel)
    return chart


def _fitting(values: list[int], style: FigureStyle, *, room: float) -> list[str]:
    """The figures above a panel's columns, rounded to the most decimals (two at most) with
    which the widest still fits over its column (96.71M, else 96.7M, else 97M)."""
    for digits in (2, 1):
        texts = [style.rounded(v, fraction_digits=digits) for v in values]
        if max((text_width(t, VALUE_SIZE) for t in texts), default=0) <= room:
            return texts
    return [style.rounded(v, fraction_digits=0) for v in values]


@dataclass(frozen=True, slots=True)
class ShareBar:
    width: int
    height: int
    part: str  # width of the part
    label: str  # e.g. 9.5%
    label_x: str
    label_anchor: str


def share_bar(part: int, whole: int, *, label: str, width: int = 360) -> ShareBar:
    """A bar of ``width`` for the whole with the part filled from the left, labelled."""
    share = part / whole if whole else 0.0
    filled = width * min(max(share, 0.0), 1.0)
    inside = filled > text_width(label, SIZE) + 12
    x, anchor = (filled - 6, "end") if inside else (filled + 6, "start")
    return ShareBar(width, 28, r(filled), label, r(x), anchor)
