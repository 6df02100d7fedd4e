"""Small charts: side-by-side column panels that each keep their own scale (two different
measures must not share an axis), and a bar showing one part of a whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from santui.publish.charts.geometry import r
from santui.publish.charts.text import BOLD, text_width, wrap

PANEL_WIDTH = 180
PANEL_GAP = 20
PANEL_HEIGHT = 150  # of the columns' area
SIZE = 14


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


@dataclass(slots=True)
class Panel:
    x: int
    title: list[tuple[str, str]]  # (y, line)
    cls: str
    columns: list[Column] = field(default_factory=list)
    baseline: str = ""


@dataclass(slots=True)
class Panels:
    width: int
    height: int
    panels: list[Panel] = field(default_factory=list)
    label_y: str = ""


def column_panels(
    specs: Sequence[tuple[str, str, Sequence[tuple[str, int, str]]]],
) -> Panels:
    """``specs``: (title, CSS class, [(column label, value, value text)]) for each panel, drawn
    side by side, each scaled to its own largest value from zero."""
    titles = [wrap(t, size=SIZE * BOLD, width=PANEL_WIDTH, max_lines=4) for t, _c, _v in specs]
    head = max((len(t) for t in titles), default=1) * (SIZE + 4) + SIZE + 18
    base = head + PANEL_HEIGHT
    chart = Panels(len(specs) * (PANEL_WIDTH + PANEL_GAP) - PANEL_GAP, int(base + SIZE + 12))
    chart.label_y = r(base + SIZE + 6)
    for i, ((_title, cls, values), lines) in enumerate(zip(specs, titles, strict=True)):
        x = i * (PANEL_WIDTH + PANEL_GAP)
        panel = Panel(x, [], cls, baseline=f"M{x} {r(base)}h{PANEL_WIDTH}")
        panel.title = [(r((n + 1) * (SIZE + 4)), line) for n, line in enumerate(lines)]
        largest = max((v for _l, v, _t in values), default=0) or 1
        pitch = PANEL_WIDTH / max(len(values), 1)
        width = min(pitch * 0.6, 56)
        for n, (label, value, text) in enumerate(values):
            height = PANEL_HEIGHT * value / largest
            left = panel.x + n * pitch + (pitch - width) / 2
            top = base - height
            column = Column(r(left), r(top), r(width), r(height), label,
                            r(left + width / 2), text, r(top - 5))  # fmt: skip
            panel.columns.append(column)
        chart.panels.append(panel)
    return chart


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
