"""A tile-grid map of mainland China's provinces plus Hong Kong, Macao and Taiwan: one equal
tile per province-level division, placed roughly where it lies.

The layout is geofacet's ``china_prov_grid2`` (the R package geofacet's second grid of China's
provinces, https://github.com/hafen/grid-designer, grids/china_prov_grid2.csv): 7 columns by
9 rows, so that on a 360 px phone a tile is about 45 px wide and its name and figure can be
set at 12 px or more. Tiles are coloured by class (quantiles of the figures shown, rounded to
two significant digits); suppressed cells and provinces with no persons are drawn apart.

Each tile says the province's short name (辽宁, 遼寧; in English the name itself, broken over
two lines where it is long: Heilong-jiang, Inner Mong.) and its figure; the full name is the
tile's ``<title>`` and is in the table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from santui.publish.charts.figures import FigureStyle, style_for
from santui.publish.charts.geometry import r
from santui.publish.charts.text import text_width


class Cell(NamedTuple):
    key: str  # region key: GB/T 2260 province code, or HK, MO, TW
    iso: str  # ISO 3166-2:CN subdivision code
    row: int
    col: int
    zh: str  # short name, zh-Hans
    hant: str  # short name, zh-Hant
    en: str  # English name; "|" marks where it may break over two lines


LAYOUT: tuple[Cell, ...] = (
    Cell("230000", "HL", 0, 6, "黑龙江", "黑龍江", "Heilong|jiang"),
    Cell("150000", "NM", 1, 5, "内蒙古", "內蒙古", "Inner |Mong."),
    Cell("220000", "JL", 1, 6, "吉林", "吉林", "Jilin"),
    Cell("110000", "BJ", 2, 5, "北京", "北京", "Bei|jing"),
    Cell("210000", "LN", 2, 6, "辽宁", "遼寧", "Liao|ning"),
    Cell("650000", "XJ", 3, 0, "新疆", "新疆", "Xin|jiang"),
    Cell("620000", "GS", 3, 1, "甘肃", "甘肅", "Gansu"),
    Cell("140000", "SX", 3, 3, "山西", "山西", "Shan|xi"),
    Cell("130000", "HE", 3, 4, "河北", "河北", "Hebei"),
    Cell("120000", "TJ", 3, 5, "天津", "天津", "Tian|jin"),
    Cell("540000", "XZ", 4, 0, "西藏", "西藏", "Tibet"),
    Cell("630000", "QH", 4, 1, "青海", "青海", "Qing|hai"),
    Cell("640000", "NX", 4, 2, "宁夏", "寧夏", "Ning|xia"),
    Cell("610000", "SN", 4, 3, "陕西", "陝西", "Shaan|xi"),
    Cell("410000", "HA", 4, 4, "河南", "河南", "Henan"),
    Cell("370000", "SD", 4, 5, "山东", "山東", "Shan|dong"),
    Cell("510000", "SC", 5, 1, "四川", "四川", "Si|chuan"),
    Cell("500000", "CQ", 5, 2, "重庆", "重慶", "Chong|qing"),
    Cell("420000", "HB", 5, 3, "湖北", "湖北", "Hubei"),
    Cell("340000", "AH", 5, 4, "安徽", "安徽", "Anhui"),
    Cell("320000", "JS", 5, 5, "江苏", "江蘇", "Jiang|su"),
    Cell("310000", "SH", 5, 6, "上海", "上海", "Shang|hai"),
    Cell("530000", "YN", 6, 1, "云南", "雲南", "Yun|nan"),
    Cell("520000", "GZ", 6, 2, "贵州", "貴州", "Gui|zhou"),
    Cell("430000", "HN", 6, 3, "湖南", "湖南", "Hunan"),
    Cell("360000", "JX", 6, 4, "江西", "江西", "Jiang|xi"),
    Cell("330000", "ZJ", 6, 5, "浙江", "浙江", "Zhe|jiang"),
    Cell("450000", "GX", 7, 3, "广西", "廣西", "Guang|xi"),
    Cell("440000", "GD", 7, 4, "广东", "廣東", "Guang|dong"),
    Cell("350000", "FJ", 7, 5, "福建", "福建", "Fu|jian"),
    Cell("TW", "TW", 7, 6, "台湾", "台灣", "Tai|wan"),
    Cell("460000", "HI", 8, 3, "海南", "海南", "Hai|nan"),
    Cell("MO", "MO", 8, 4, "澳门", "澳門", "Macao"),
    Cell("HK", "HK", 8, 5, "香港", "香港", "Hong |Kong"),
)
KEYS = frozenset(cell.key for cell in LAYOUT)
TILE_W, TILE_H = 45, 50  # a tile, in user units (about px on a 360 px phone)
PITCH_X, PITCH_Y = 47, 52  # tile and gap
SIZE = 12.5  # font size of names and figures
LINE = 13.5  # line height
INSET = 1.5  # room left on each side of a line
ROOM = TILE_W - 2 * INSET  # the width a line may take
SQUEEZE = 0.88  # a name is set on one line if it needs at most this much narrowing
NAME_BOLD = 1.1  # Latin names are regular; CJK names bold, whose advance stays 1 em
CLASSES = 5


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text on a tile: its baseline, and the length to fit it to (textLength)
    when the estimate says it would not fit otherwise."""

    y: str
    text: str
    length: str | None = None


@dataclass(frozen=True, slots=True)
class Tile:
    key: str
    short: str  # the name as the tile says it, on one line
    name: str  # the full name (the tile's title, the table)
    x: int
    y: int
    persons: int | None  # None: suppressed
    figure: str  # what the tile says
    cls: str  # "q1".."q5", "zero" or "sup"
    lines: tuple[Line, ...] = ()  # the name's lines, then the figure's


@dataclass(frozen=True, slots=True)
class Step:
    cls: str
    low: int
    high: int | None  # inclusive; None: no upper bound
    text: str = ""  # in the map's figure style: "< 2.4万" (the first class), "≥ 2.4万"


@dataclass(slots=True)
class TileMap:
    width: int
    height: int
    tiles: list[Tile] = field(default_factory=list)
    legend: list[Step] = field(default_factory=list)
    tile_width: int = TILE_W
    tile_height: int = TILE_H
    middle: str = r(TILE_W / 2)


def _width(text: str) -> float:
    """Estimated width of a tile name (CJK names are bold, Latin ones regular)."""
    cjk = any(unicodedata.east_asian_width(c) in ("W", "F") for c in text)
    return text_width(text, SIZE * NAME_BOLD if cjk else SIZE)


def name_lines(label: str) -> list[str]:
    """The lines of a tile's name: one when it fits (narrowed a little at most), else two,
    broken at the "|" mark with a hyphen (none at a space)."""
    whole = label.replace("|", "")
    if "|" not in label or _width(whole) * SQUEEZE <= ROOM:
        return [whole]
    head, tail = label.split("|", 1)
    return [head.rstrip() if head.endswith(" ") else head + "-", tail.replace("|", "")]


def _set(texts: list[str], widths: list[float]) -> tuple[Line, ...]:
    """Baselines of ``texts`` centred in the tile, one line each."""
    top = (TILE_H - len(texts) * LINE) / 2
    return tuple(
        Line(r(top + (i + 0.78) * LINE), text, r(ROOM) if width > ROOM else None)
        for i, (text, width) in enumerate(zip(texts, widths, strict=True))
    )


def _round2(value: float) -> int:
    """Two significant digits, at least 1."""
    if value < 100:
        return max(1, round(value))
    digits = len(str(int(value))) - 2
    return int(round(value / 10**digits) * 10**digits)


def breaks(values: list[int], classes: int = CLASSES) -> list[int]:
    """Lower bounds of classes 2..n: quantiles of ``values`` rounded to two significant digits,
    increasing, each above the smallest value (so class 1 is never empty)."""
    values = sorted(v for v in values if v > 0)
    if len(set(values)) < 2:
        return []
    out: list[int] = []
    for i in range(1, classes):
        cut = _round2(values[min(len(values) - 1, round(i * len(values) / classes))])
        if cut > values[0] and (not out or cut > out[-1]) and cut <= values[-1]:
            out.append(cut)
    return out


def class_of(value: int, cuts: list[int]) -> str:
    return f"q{1 + sum(1 for c in cuts if value >= c)}"


def tile_map(
    persons: Mapping[str, int | None],
    *,
    names: Mapping[str, str],
    language: str,
    locale: str,
    suppress_below: int | None,
) -> TileMap:
    """``persons``: region key -> persons (None: suppressed; missing: none). ``language``:
    "en", "zh-hans" or "zh-hant" (the tiles' names). Figures are in full when all are below
    100,000 (1,829), else short (2.4M, 240万, 240萬), and so are the legend's bounds: one
    style for the whole map (``figures.style_for``)."""
    shown = [v for k, v in persons.items() if k in KEYS and v]
    cuts = breaks([v for v in shown if v is not None])
    said = cuts if cuts else [min(shown)] if shown else []  # the legend's exact bounds
    style = style_for(locale, exact=said, rounded=shown)
    figures = {v: style.rounded(v) for v in shown}
    columns = 1 + max(cell.col for cell in LAYOUT)
    rows = 1 + max(cell.row for cell in LAYOUT)
    chart = TileMap(columns * PITCH_X - (PITCH_X - TILE_W), rows * PITCH_Y - (PITCH_Y - TILE_H))
    for cell in LAYOUT:
        label = {"zh-hans": cell.zh, "zh-hant": cell.hant}.get(language, cell.en)
        value = persons.get(cell.key, 0)
        if value is None:
            figure, cls = (f"<{suppress_below}" if suppress_below else "—"), "sup"
        elif value == 0:
            figure, cls = "0", "zero"
        else:
            figure, cls = figures[value], class_of(value, cuts)
        texts = [*name_lines(label), figure]
        widths = [*(_width(t) for t in texts[:-1]), text_width(figure, SIZE)]
        short = label.replace("|", "")
        chart.tiles.append(
            Tile(
                cell.key,
                short,
                names.get(cell.key, short),
                cell.col * PITCH_X,
                cell.row * PITCH_Y,
                value,
                figure,
                cls,
                _set(texts, widths),
            )
        )
    if shown:
        lows = [min(v for v in shown if v is not None), *cuts]
        highs: list[int | None] = [c - 1 for c in cuts] + [None]
        bounds = zip(lows, highs, strict=True)
        chart.legend = [
            Step(class_of(lo, cuts), lo, hi, _legend_text(n, lo, cuts, style))
            for n, (lo, hi) in enumerate(bounds)
        ]
    return chart


def _legend_text(n: int, low: int, cuts: list[int], style: FigureStyle) -> str:
    """A class's bound in the legend: "< c1" for the first of several classes, else "≥ low"
    (each colour means at least its figure and less than the next one's)."""
    if n == 0 and cuts:
        return f"< {style.exact(cuts[0])}"
    return f"≥ {style.exact(low)}"
