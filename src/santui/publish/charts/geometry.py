"""What the SVG templates draw: plain records of positions, paths and labels.

Every chart is drawn in two variants with the same data: ``wide`` (desktop) and ``narrow``
(phones), each with its own viewBox, font size and ticks; CSS shows the one that fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from santui.publish.charts.figures import PLAIN_BELOW as PLAIN_BELOW  # re-exported
from santui.publish.charts.figures import compact as compact  # re-exported
from santui.publish.charts.figures import grouped as grouped  # re-exported
from santui.publish.charts.figures import style_for
from santui.publish.charts.scales import DateTick


@dataclass(frozen=True, slots=True)
class Frame:
    """The canvas of one variant: its viewBox size, margins and font size (user units)."""

    variant: str
    width: float
    height: float
    top: float
    right: float
    bottom: float
    size: float
    y_ticks: int


WIDE = Frame("wide", 880, 340, top=18, right=14, bottom=30, size=13, y_ticks=5)
NARROW = Frame("narrow", 360, 300, top=18, right=10, bottom=30, size=14, y_ticks=4)
FRAMES = (WIDE, NARROW)


@dataclass(frozen=True, slots=True)
class YTick:
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class Layer:
    cls: str
    d: str


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float


@dataclass(slots=True)
class Plot:
    """One variant of a chart with axes: the plot area is [x0, x1] x [y0, y1] (y1 below)."""

    frame: Frame
    x0: float
    x1: float
    y0: float
    y1: float
    yticks: list[YTick] = field(default_factory=list)
    xticks: list[DateTick] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    rug: str = ""

    @property
    def xlabel_y(self) -> float:
        return round(self.y1 + self.frame.size + 6, 1)

    @property
    def ylabel_x(self) -> float:
        return round(self.x0 - 6, 1)

    @property
    def grid(self) -> str:
        """Horizontal lines at the y ticks but the baseline."""
        return "".join(
            f"M{r(self.x0)} {r(t.y)}H{r(self.x1)}" for t in self.yticks if t.y < self.y1 - 0.5
        )

    @property
    def baseline(self) -> str:
        return f"M{r(self.x0)} {r(self.y1)}H{r(self.x1)}"

    @property
    def xtick_marks(self) -> str:
        return "".join(f"M{r(t.x)} {r(self.y1)}v4" for t in self.xticks)


def r(value: float) -> str:
    """A coordinate as short text: one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def line_path(points: Iterable[tuple[float, float]]) -> str:
    """An SVG path through the points (M, then L with implicit repetition)."""
    parts = [f"{r(x)} {r(y)}" for x, y in points]
    if not parts:
        return ""
    return "M" + parts[0] + ("L" + " ".join(parts[1:]) if len(parts) > 1 else "")


def short_figures(values: Sequence[float], locale: str, *, fraction_digits: int = 1) -> list[str]:
    """Rounded figures (tiles, columns) in one style: in full when every one is below
    100,000 (1,829; 23,550), else short (2.4M, 240万)."""
    style = style_for(locale, rounded=values)
    return [style.rounded(v, fraction_digits=fraction_digits) for v in values]


def exact_figure(value: float, locale: str) -> str:
    """A figure that must not be rounded, alone: in full below 100,000, else short with at
    most two fraction digits when that is exact (435M, 4.35亿), else in full."""
    return style_for(locale, exact=[value]).exact(value)


def axis_labels(ticks: Sequence[float], locale: str) -> list[str]:
    """Labels of axis ticks, all in one style (``figures.style_for``): in full when every
    tick is below 100,000 (23,550 and 23,560: never 2.355万 and 2.356万), else short with the
    fewest fraction digits (at most two) that write each tick exactly (0, 50K, 100K; 2.5亿,
    3亿), else all in full."""
    style = style_for(locale, exact=ticks)
    return [style.exact(t) for t in ticks]
