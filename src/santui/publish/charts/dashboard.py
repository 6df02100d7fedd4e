"""Everything the dashboard draws, from the public stats document: one call, plain data in
(labels already translated), chart records out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from santui.publish.charts.bars import BarChart, Category, bar_chart
from santui.publish.charts.panels import Panels, ShareBar, column_panels, share_bar
from santui.publish.charts.tilemap import KEYS, TileMap, tile_map
from santui.publish.charts.timeseries import Series, TimeChart, cumulative_chart, daily_chart
from santui.textparse.collation import sort_key

MAINLAND_UNKNOWN = "CN"
NAME_FIELDS = {"en": "name", "zh-hans": "name_zh", "zh-hant": "name_zh_hant"}
LOCALES = {"en": "en", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}


@dataclass(frozen=True, slots=True)
class Place:
    code: str | None
    name: str
    persons: int | None  # None: not published
    through: str | None = None  # an all-time figure published earlier, to this day


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A bar chart and its table: the table's rows are the chart's, in the chart's order
    (largest first, suppressed cells last), then "not stated" apart."""

    chart: BarChart
    categories: list[Category]  # in the chart's order
    not_stated: Category | None  # in the table, not drawn (it would dwarf the others)


@dataclass(frozen=True, slots=True)
class YearEnd:
    year: int
    date: dt.date
    official: int  # members, as the party reports
    as_reported: str
    registry: int  # persons who quit the party, cumulative to the same day


@dataclass(slots=True)
class Dashboard:
    locale: str
    cumulative: TimeChart | None = None
    daily: TimeChart | None = None
    map: TileMap | None = None
    map_places: list[Place] = field(default_factory=list)  # tiles with persons, largest first
    map_top: str = ""  # the three largest, as a list in words
    map_withheld: int = 0  # tiles without a published figure (none, few, or withheld)
    other_places: list[Place] = field(default_factory=list)  # other countries and areas
    mainland_unknown: Place | None = None
    not_stated: Place | None = None
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    share: ShareBar | None = None
    share_text: str = ""
    others: int = 0  # persons who were not current party members
    context: Panels | None = None
    year_ends: list[YearEnd] = field(default_factory=list)


def _places(doc: Mapping[str, Any], language: str) -> list[Place]:
    name = NAME_FIELDS.get(language, "name")
    return [Place(r["code"], r[name], r["persons"], r.get("through")) for r in doc["regions"]]


def _breakdown(
    cells: Sequence[Mapping[str, Any]], labels: Mapping[str, str], *, k: int | None, locale: str
) -> Breakdown:
    categories = [
        Category(
            c["key"], labels.get(c["key"] or "", c["key"] or ""), c["persons"], c.get("through")
        )
        for c in cells
    ]
    not_stated = next((c for c in categories if c.key is None and c.persons is not None), None)
    chart = bar_chart(
        [c for c in categories if c is not not_stated], suppress_below=k, locale=locale
    )
    return Breakdown(chart, [row.category for row in chart.rows], not_stated)


def build_dashboard(
    doc: Mapping[str, Any],
    *,
    language: str,
    labels: Mapping[str, Mapping[str, str]],
    history: Mapping[dt.date, int] | None = None,
    year_ends: Sequence[YearEnd] = (),
    panel_titles: tuple[str, str] = ("", ""),
    tile_names: Mapping[str, str] | None = None,
) -> Dashboard:
    """``labels``: translated labels per breakdown ("sectors", "channels", "name_kinds") and
    key ("" for not stated). ``history``: persons per day before the range (for the first
    7-day averages). ``year_ends``: the context figures in the range. ``tile_names``: the name
    of every tile of the map in the page's language (also those nobody came from)."""
    locale = LOCALES.get(language, "zh_Hans")
    k = doc.get("suppress_below")
    board = Dashboard(locale)
    series = Series.from_daily(doc["daily"])
    if series is not None:
        board.cumulative = cumulative_chart(
            series, milestones=doc["milestones"], step=int(doc["milestone_step"]), locale=locale
        )
        board.daily = daily_chart(series, history=history, locale=locale)

    places = _places(doc, language)
    on_map = {p.code: p for p in places if p.code in KEYS}
    # A tile without a published figure may have nobody, fewer than k persons, or a figure
    # withheld to protect another: the page cannot tell them apart, and does not.
    board.map = tile_map(
        {code: on_map[code].persons if code in on_map else None for code in KEYS},
        names={**(tile_names or {}), **{code: p.name for code, p in on_map.items() if code}},
        language=language,
        locale=locale,
        suppress_below=None,
    )
    board.map_places = sorted(
        (on_map[t.key] for t in board.map.tiles if t.key in on_map),
        key=lambda p: (-(p.persons or 0), sort_key(p.name, locale)),
    )
    top = [p for p in board.map_places if p.persons][:3]
    board.map_top = format_list(
        [f"{p.name} ({format_decimal(p.persons or 0, locale=locale)})" for p in top], locale=locale
    ) or "—"  # fmt: skip
    board.map_withheld = sum(1 for t in board.map.tiles if t.persons is None)
    # other countries and areas by name, in the language's collation (pinyin, strokes, A-Z)
    board.other_places = sorted(
        (p for p in places if p.code not in KEYS and p.code and p.code != MAINLAND_UNKNOWN),
        key=lambda p: sort_key(p.name, locale),
    )
    # (absent when nobody is in them: the document omits cells with zero persons)
    board.mainland_unknown = next((p for p in places if p.code == MAINLAND_UNKNOWN), None)
    board.not_stated = next((p for p in places if p.code is None), None)

    for name in ("sectors", "channels", "name_kinds"):
        board.breakdowns[name] = _breakdown(doc[name], labels.get(name, {}), k=k, locale=locale)

    # the share is of the breakdown's period, not of the days asked for
    info = doc.get("breakdown")
    persons = int(info["persons"]) if info else int(doc["persons"])
    members = doc["current_party_members"]
    if persons and members is not None:  # None: not published
        board.share_text = format_percent(members / persons, "#,##0.0%", locale=locale)
        board.share = share_bar(members, persons, label=board.share_text)
        board.others = persons - members

    board.year_ends = list(year_ends)
    if board.year_ends:
        years = [str(y.year) for y in board.year_ends]
        official = [y.official for y in board.year_ends]
        registry = [y.registry for y in board.year_ends]
        # each on its own, labelled scale (docs/dashboard.md, "Context")
        board.context = column_panels(
            [
                (panel_titles[0], "official", list(zip(years, official, strict=True))),
                (panel_titles[1], "registry", list(zip(years, registry, strict=True))),
            ],
            locale=locale,
        )
    return board
