"""The chart geometry of the dashboard (santui.publish.charts): scales, ticks, bins, layouts.

Pure functions, no database: invariants are checked with hypothesis where they exist."""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from santui.publish.charts.bars import MAX_LINES, SIZE, WIDTH, Category, bar_chart
from santui.publish.charts.binning import (
    UNITS,
    Unit,
    bin_series,
    choose_unit,
    count_bins,
    trailing_mean,
    unit_start,
)
from santui.publish.charts.geometry import (
    FRAMES,
    axis_labels,
    compact,
    exact_figure,
    line_path,
    short_figures,
)
from santui.publish.charts.panels import column_panels, share_bar
from santui.publish.charts.scales import DateTick, Linear, date_ticks, nice_step, nice_ticks
from santui.publish.charts.text import text_width, wrap
from santui.publish.charts.tilemap import (
    KEYS,
    LAYOUT,
    ROOM,
    breaks,
    class_of,
    name_lines,
    tile_map,
)
from santui.publish.charts.tilemap import (
    SIZE as TILE_SIZE,
)
from santui.publish.charts.timeseries import (
    MAX_BARS,
    MAX_POINTS,
    Series,
    cumulative_chart,
    daily_chart,
    roundness,
)
from santui.textparse.regions import gazetteer

DAY = dt.timedelta(days=1)
FIRST = dt.date(2004, 12, 3)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


# scales -------------------------------------------------------------------------------------


@given(
    low=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    span=st.floats(min_value=1e-3, max_value=1e9, allow_nan=False) | st.just(0.0),
    count=st.integers(min_value=2, max_value=10),
)
def test_nice_ticks_cover_the_range_evenly(low: float, span: float, count: int) -> None:
    high = low + span
    ticks = nice_ticks(low, high, count, integer=False)
    slack = 1e-9 * (high - low)  # float rounding, far below a pixel
    assert ticks[0] <= low + slack and ticks[-1] >= high - slack
    steps = {round(b - a, 6) for a, b in pairwise(ticks)}
    assert len(steps) == 1, ticks
    assert len(ticks) - 1 <= 2 * count + 1


@given(high=st.integers(min_value=0, max_value=10**12), count=st.integers(2, 8))
@example(high=10**11 + 1, count=2)  # once lost its top tick to float noise
def test_integer_ticks_are_whole_numbers_from_zero(high: int, count: int) -> None:
    ticks = nice_ticks(0, high, count)
    assert ticks[0] == 0 and ticks[-1] >= high
    assert all(t == int(t) for t in ticks)
    assert len(ticks) - 1 <= count + 1


@pytest.mark.parametrize(
    ("span", "count", "step"),
    [(23554, 5, 5000), (4, 4, 1), (435_000_000, 5, 100_000_000), (10, 4, 2.5), (0.3, 3, 0.1)],
)
def test_nice_steps(span: float, count: int, step: float) -> None:
    assert nice_step(span, count) == pytest.approx(step)


def test_integer_steps_skip_fractions() -> None:
    assert nice_step(10, 4, integer=True) == 5
    assert nice_step(3, 8, integer=True) == 1


@settings(max_examples=60, deadline=None)
@given(
    start=days,
    length=st.integers(min_value=0, max_value=12000),
    width=st.sampled_from([300, 400, 880]),
    locale=st.sampled_from(["en", "zh_Hans", "zh_Hant"]),
)
def test_date_ticks_lie_in_the_range_and_never_overlap(
    start: dt.date, length: int, width: int, locale: str
) -> None:
    end = start + dt.timedelta(days=length)
    scale = Linear(start.toordinal(), end.toordinal() + 1, 40, width)
    ticks = date_ticks(start, end, x=lambda d: scale(d.toordinal() + 0.5), size=13, locale=locale)
    assert ticks
    assert all(start <= t.day <= end for t in ticks)
    assert [t.day for t in ticks] == sorted({t.day for t in ticks})

    def extent(t: DateTick) -> tuple[float, float]:
        w = text_width(t.label, 13)
        left = {"start": t.x, "end": t.x - w, "middle": t.x - w / 2}[t.anchor]
        return left, left + w

    spans = [extent(t) for t in ticks]
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_date_ticks_are_calendar_aligned_and_localized() -> None:
    start, end = dt.date(2004, 12, 4), dt.date(2026, 11, 22)
    scale = Linear(start.toordinal(), end.toordinal() + 1, 40, 880)
    ticks = date_ticks(start, end, x=lambda d: scale(d.toordinal()), size=13, locale="en")
    assert all(t.day.month == 1 and t.day.day == 1 for t in ticks)
    assert all(re.fullmatch(r"\d{4}", t.label) for t in ticks)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
    scale = Linear(start.toordinal(), end.toordinal() + 1, 40, 400)
    zh = date_ticks(start, end, x=lambda d: scale(d.toordinal()), size=14, locale="zh_Hans")
    assert [t.label for t in zh] == ["2025年1月", "2月", "3月"]


# binning ------------------------------------------------------------------------------------

series_strategy = st.dictionaries(
    st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=0, max_value=100_000),
    max_size=200,
)


@settings(max_examples=80, deadline=None)
@given(
    persons=series_strategy, start=days, length=st.integers(0, 4000), unit=st.sampled_from(UNITS)
)
def test_bins_partition_the_range_and_keep_the_total(
    persons: dict[dt.date, int], start: dt.date, length: int, unit: Unit
) -> None:
    end = start + dt.timedelta(days=length)
    bins = bin_series(persons, start=start, end=end, unit=unit)
    assert bins[0].start == start and bins[-1].end == end
    assert all(a.end + DAY == b.start for a, b in pairwise(bins))
    assert sum(b.persons for b in bins) == sum(v for d, v in persons.items() if start <= d <= end)
    assert sum(b.days for b in bins) == length + 1
    assert len(bins) == count_bins(start, end, unit)
    for b in bins:  # each bin lies in one calendar unit
        assert unit_start(b.start, unit) == unit_start(b.end, unit)
        assert b.per_day == pytest.approx(b.persons / b.days)


def test_units_are_chosen_finest_first() -> None:
    start = dt.date(2004, 12, 3)
    assert choose_unit(start, start + dt.timedelta(days=399), max_bins=400) == "day"
    assert choose_unit(start, start + dt.timedelta(days=400), max_bins=400) == "week"
    assert choose_unit(start, dt.date(2026, 11, 22), max_bins=400) == "month"
    assert choose_unit(dt.date(1900, 1, 1), dt.date(2026, 1, 1), max_bins=400) == "year"
    assert count_bins(dt.date(2025, 1, 5), dt.date(2025, 1, 6), "week") == 2  # Sun, Mon


def test_trailing_mean_counts_missing_days_as_zero() -> None:
    persons = {dt.date(2025, 1, d): 7 for d in range(1, 8)}
    wanted = [dt.date(2025, 1, 1), dt.date(2025, 1, 7), dt.date(2025, 1, 10)]
    out = trailing_mean(persons, wanted)
    assert out == [1.0, 7.0, 4.0]


# charts over time ---------------------------------------------------------------------------


def _daily(persons: dict[dt.date, int], before: int = 0) -> list[dict[str, object]]:
    out, cumulative = [], before
    for day in sorted(persons):
        if persons[day]:
            cumulative += persons[day]
            out.append({"date": day.isoformat(), "persons": persons[day], "cumulative": cumulative})
    return out


def _points(d: str) -> list[tuple[float, float]]:
    """The absolute points of a path of M, L, H, V, v and Z commands (what the charts use)."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, args in re.findall(r"([MLHVvZ])([^MLHVvZ]*)", d):
        numbers = [float(n) for n in args.split()]
        if command in "ML":
            for px, py in zip(numbers[::2], numbers[1::2], strict=True):
                x, y = px, py
                points.append((x, y))
        elif command == "H":
            x = numbers[0]
            points.append((x, y))
        elif command == "V":
            y = numbers[0]
            points.append((x, y))
        elif command == "v":
            y += numbers[0]
            points.append((x, y))
    return points


@settings(max_examples=40, deadline=None)
@given(
    persons=st.dictionaries(
        st.dates(min_value=FIRST, max_value=dt.date(2027, 12, 31)),
        st.integers(min_value=1, max_value=70_000),
        min_size=1,
        max_size=120,
    ),
    before=st.integers(min_value=0, max_value=10**9),
)
def test_every_point_lies_inside_the_plot_area(persons: dict[dt.date, int], before: int) -> None:
    series = Series.from_daily(_daily(persons, before))
    assert series is not None
    marks = [{"persons": before + 1, "date": min(persons).isoformat()}]
    for chart in (
        cumulative_chart(series, milestones=marks, step=1, locale="en"),
        daily_chart(series, locale="zh_Hans"),
    ):
        assert len(chart.rows) <= MAX_BARS
        assert sum(r.persons for r in chart.rows) == sum(persons.values())
        assert [p.frame for p in chart.plots] == list(FRAMES)
        for plot in chart.plots:
            for layer in plot.layers:
                for x, y in _points(layer.d):
                    assert plot.x0 - 0.5 <= x <= plot.x1 + 0.5, (layer.cls, x)
                    assert plot.y0 - 0.5 <= y <= plot.y1 + 0.5, (layer.cls, y)
            for dot in plot.dots:
                assert plot.x0 <= dot.x <= plot.x1 and plot.y0 <= dot.y <= plot.y1
            assert all(plot.x0 - 1 <= t.x <= plot.x1 + 1 for t in plot.xticks)
            assert plot.yticks[0].y == plot.y1 and plot.yticks[-1].y >= plot.y0 - 0.1
            labels = [t.label for t in plot.yticks]
            assert len(set(labels)) == len(labels), labels


def test_a_twenty_year_daily_series_is_binned_small() -> None:
    start = dt.date(2004, 12, 3)
    persons = {start + dt.timedelta(days=i): 1 + i % 5 for i in range(8000)}
    series = Series.from_daily(_daily(persons))
    assert series is not None
    daily = daily_chart(series, locale="en")
    assert (daily.unit, daily.line_unit) == ("month", "month")
    assert daily.binned and len(daily.rows) == count_bins(series.start, series.end, "month")
    for plot in daily.plots:
        assert sum(len(layer.d) for layer in plot.layers) < 20_000
        assert len(_points(plot.layers[1].d)) <= MAX_POINTS
    assert daily.facts["total"] == sum(persons.values())
    assert daily.rows[-1].cumulative == sum(persons.values())


def test_a_short_range_shows_days_and_the_7_day_average() -> None:
    persons = {dt.date(2025, 1, d): 7 * d for d in range(1, 31)}
    history = {dt.date(2024, 12, 31): 70}
    series = Series.from_daily(_daily(persons))
    assert series is not None
    chart = daily_chart(series, history=history, locale="en")
    assert (chart.unit, chart.line_unit, chart.binned) == ("day", "day", False)
    assert chart.facts["latest_average"] == pytest.approx(sum(7 * d for d in range(24, 31)) / 7)
    assert chart.rows[0].label == "2025-01-01"
    assert len(_points(chart.plots[0].layers[1].d)) == 30


def test_milestone_labels_prefer_round_figures_and_never_overlap() -> None:
    start = dt.date(2004, 12, 3)
    persons = {start + dt.timedelta(days=i): 150_000 for i in range(2900)}
    series = Series.from_daily(_daily(persons))
    assert series is not None
    total = 0
    marks: list[dict[str, object]] = []
    for day in sorted(persons):
        total += persons[day]
        while total >= (len(marks) + 1) * 1_000_000:
            marks.append({"persons": (len(marks) + 1) * 1_000_000, "date": day.isoformat()})
    chart = cumulative_chart(series, milestones=marks, step=1_000_000, locale="en")
    for plot in chart.plots:
        assert plot.rug.count("M") == len(marks) == 435
        assert 1 <= len(plot.labels) <= (7 if plot.frame.variant == "wide" else 4)
        assert "400M" in [label.text for label in plot.labels]
        spans = sorted(
            (lab.x - text_width(lab.text, 12), lab.x) if lab.anchor == "end"
            else (lab.x, lab.x + text_width(lab.text, 12))
            for lab in plot.labels
        )  # fmt: skip
        assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_roundness() -> None:
    multiples = (0, 1, 3, 4, 5, 15, 20, 250, 400)
    assert [roundness(m) for m in multiples] == [0, 1, 1, 2, 5, 5, 20, 50, 200]


def test_line_path_and_compact_figures() -> None:
    assert line_path([]) == ""
    assert line_path([(1, 2.25), (3.0, 4)]) == "M1 2.2L3 4"
    assert [compact(v, "en") for v in (0, 950, 1500, 123_456, 435_000_000)] == [
        "0", "950", "1.5K", "123K", "435M",
    ]  # fmt: skip
    assert [compact(v, "zh_Hans") for v in (12_345, 12_345_678)] == ["1.2万", "1235万"]
    assert compact(12_345, "zh_Hant") == "1.2萬"


PLAIN = re.compile(r"\d{1,3}(,\d{3})*")  # 23,550: in full, grouped


def test_figures_below_100000_are_written_in_full_in_every_language() -> None:
    ticks = [23_550.0, 23_552.0, 23_554.0, 23_556.0]  # a late, short range: never 2.355万
    for locale in ("en", "zh_Hans", "zh_Hant"):
        assert axis_labels(ticks, locale) == ["23,550", "23,552", "23,554", "23,556"]
        assert short_figures([1_829, 99_999], locale) == ["1,829", "99,999"]
        assert exact_figure(5_000, locale) == "5,000"


@pytest.mark.parametrize(
    ("locale", "ticks", "labels"),
    [
        ("en", [0, 50_000, 100_000, 150_000], ["0", "50K", "100K", "150K"]),
        ("zh_Hans", [0, 50_000, 100_000, 150_000], ["0", "5万", "10万", "15万"]),
        ("zh_Hant", [0, 50_000, 100_000, 150_000], ["0", "5萬", "10萬", "15萬"]),
        ("en", [0, 2.5e8, 5e8], ["0", "250M", "500M"]),
        ("zh_Hans", [0, 2.5e8, 5e8], ["0", "2.5亿", "5亿"]),
        ("zh_Hant", [0, 2.5e8, 5e8], ["0", "2.5億", "5億"]),
        # short figures only when exact with at most two decimals, else in full
        ("zh_Hans", [435_200_000, 435_400_000], ["435,200,000", "435,400,000"]),
        ("en", [435_200_000, 435_400_000], ["435.2M", "435.4M"]),
    ],
)
def test_axis_labels_use_each_languages_units(
    locale: str, ticks: list[float], labels: list[str]
) -> None:
    assert axis_labels(ticks, locale) == labels


def test_short_and_exact_figures_in_each_language() -> None:
    assert short_figures([2_407_000, 12_345], "en") == ["2.4M", "12.3K"]
    assert short_figures([2_407_000, 12_345], "zh_Hans") == ["241万", "1.2万"]
    assert short_figures([2_407_000], "zh_Hant") == ["241萬"]
    assert short_figures([99_185_000], "en", fraction_digits=2) == ["99.19M"]
    assert [exact_figure(v, "zh_Hans") for v in (400_000_000, 435_000_000)] == ["4亿", "4.35亿"]
    assert [exact_figure(v, "zh_Hant") for v in (400_000_000, 435_000_000)] == ["4億", "4.35億"]
    assert [exact_figure(v, "en") for v in (400_000_000, 435_000_000)] == ["400M", "435M"]
    assert exact_figure(123_456_789, "en") == "123,456,789"  # no exact short form


@given(
    low=st.integers(min_value=0, max_value=10**10),
    span=st.integers(min_value=1, max_value=10**10),
    count=st.integers(min_value=2, max_value=6),
    locale=st.sampled_from(["en", "zh_Hans", "zh_Hant"]),
)
def test_axis_labels_are_distinct_in_one_style_and_never_mix_scripts(
    low: int, span: int, count: int, locale: str
) -> None:
    ticks = nice_ticks(low, low + span, count)
    labels = axis_labels(ticks, locale)
    assert len(set(labels)) == len(labels), labels
    if max(ticks) < 100_000:
        assert all(PLAIN.fullmatch(label) for label in labels), labels
    foreign = {"en": "万亿萬億", "zh_Hans": "萬億KMBT", "zh_Hant": "万亿KMBT"}[locale]
    assert not set("".join(labels)) & set(foreign), labels


def test_a_late_short_range_has_plain_axis_labels() -> None:
    """The cumulative line of a week late in a small history: 23,550 and up, in full."""
    persons = {dt.date(2026, 11, d): 3 for d in range(16, 23)}
    series = Series.from_daily(_daily(persons, before=23_550))
    assert series is not None
    for locale in ("zh_Hans", "zh_Hant", "en"):
        chart = cumulative_chart(series, milestones=[], step=5000, locale=locale)
        for plot in chart.plots:
            labels = [t.label for t in plot.yticks]
            assert all(PLAIN.fullmatch(label) for label in labels), labels
            assert labels[0].startswith("23,5"), labels


# bar charts ---------------------------------------------------------------------------------


def test_bars_are_largest_first_with_suppressed_cells_last() -> None:
    cats = [
        Category("a", "alpha", 5_000),
        Category("b", "beta", None),
        Category("c", "gamma " * 30, 20_000),
        Category("d", "delta", 12),
    ]
    chart = bar_chart(cats, suppress_below=10)
    assert [row.category.key for row in chart.rows] == ["c", "a", "d", "b"]
    assert chart.rows[-1].bar is None and chart.rows[-1].value[2] == "< 10"
    assert chart.rows[0].value[2] == "20,000"
    widths = [float(row.bar[1]) for row in chart.rows if row.bar]
    assert widths == sorted(widths, reverse=True) and max(widths) < WIDTH
    assert len(chart.rows[0].lines) == MAX_LINES and chart.rows[0].lines[-1][1].endswith("…")
    for row in chart.rows:
        assert all(text_width(text, SIZE) <= WIDTH for _y, text in row.lines)
        if row.bar:
            assert float(row.value[0]) + text_width(row.value[2], SIZE) <= WIDTH + 1
    ys = [float(row.lines[0][0]) for row in chart.rows]
    assert ys == sorted(ys) and chart.height > ys[-1]


def test_bar_labels_are_legible_on_a_phone() -> None:
    """On a 360 px phone the chart is 328 px wide: its type is drawn at 15 px or more, and
    at most a little larger (CSS caps the width at 22rem) on a wide screen."""
    chart = bar_chart([Category("a", "workers", 1427)], suppress_below=10)
    assert chart.width == WIDTH
    assert chart.size * 328 / chart.width >= 15
    assert chart.size * 352 / chart.width <= 17


@given(text=st.text(min_size=1, max_size=200), width=st.integers(min_value=60, max_value=500))
def test_wrapped_lines_fit(text: str, width: int) -> None:
    lines = wrap(text, size=14, width=width, max_lines=2)
    assert 1 <= len(lines) <= 2
    assert all(text_width(line, 14) <= width for line in lines if len(line) > 1)


# tile map -----------------------------------------------------------------------------------


def test_the_tile_map_has_every_province_level_division_once() -> None:
    expected = set(gazetteer().provinces) | {"HK", "MO", "TW"}
    assert len(expected) == 34
    assert {cell.key for cell in LAYOUT} == expected == KEYS
    cells = [(cell.row, cell.col) for cell in LAYOUT]
    assert len(set(cells)) == len(cells) == 34
    assert len({cell.iso for cell in LAYOUT}) == 34
    # geofacet's china_prov_grid2: 7 columns by 9 rows
    assert {cell.col for cell in LAYOUT} == set(range(7))
    assert {cell.row for cell in LAYOUT} == set(range(9))


def test_english_tiles_say_names_not_codes() -> None:
    """Each English tile says the province's name (or its start, "Inner Mong."), never an
    ISO code, on at most two lines; its full name is its title."""
    provinces = gazetteer().provinces
    full = {**{code: d.name_en for code, d in provinces.items()},
            "HK": "Hong Kong SAR China", "MO": "Macao SAR China", "TW": "Taiwan"}  # fmt: skip
    chart = tile_map({}, names=full, language="en", locale="en", suppress_below=10)
    for tile, cell in zip(chart.tiles, LAYOUT, strict=True):
        lines = [line.text for line in tile.lines[:-1]]
        assert 1 <= len(lines) <= 2
        said = "".join(line[:-1] if line.endswith("-") else line + " " for line in lines)
        said = said.strip()
        assert len(said) > 2 and said != cell.iso
        assert full[tile.key].startswith(said.removesuffix(".")), (said, full[tile.key])
        assert tile.name == full[tile.key]
    assert [line.text for line in chart.tiles[0].lines[:-1]] == ["Heilong-", "jiang"]
    assert name_lines("Hebei") == ["Hebei"] and name_lines("Inner |Mong.") == ["Inner", "Mong."]


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_tile_text_is_legible_on_a_phone_and_fits_its_tile(language: str) -> None:
    """At 328 px (a 360 px phone's column) the map's type is 12 px or more, and every line
    fits its tile: by the estimate, or fitted to it (textLength) by at most a fifth."""
    persons: dict[str, int | None] = {key: 10_000 + i for i, key in enumerate(sorted(KEYS))}
    persons["HK"] = None
    chart = tile_map(persons, names={}, language=language, locale="en", suppress_below=10)
    assert TILE_SIZE * 328 / chart.width >= 12
    for tile in chart.tiles:
        assert 0 <= tile.x <= chart.width - chart.tile_width
        assert 0 <= tile.y <= chart.height - chart.tile_height
        ys = [float(line.y) for line in tile.lines]
        assert ys == sorted(ys) and ys[0] >= TILE_SIZE * 0.8 and ys[-1] <= chart.tile_height - 2
        for line in tile.lines:
            width = text_width(line.text, TILE_SIZE)
            if line.length is None:
                assert width <= ROOM * 1.1 if language != "en" else width <= ROOM, line
            else:
                assert float(line.length) == ROOM and ROOM / width >= 0.78, line
    if language != "en":
        assert all(len(t.lines) == 2 for t in chart.tiles)  # the name, then the figure


def test_tiles_show_figures_suppression_and_zero_apart() -> None:
    persons = {"210000": 2407, "110000": 2019, "540000": 26, "HK": None, "650000": 243}
    names = {"210000": "Liaoning"}
    chart = tile_map(persons, names=names, language="en", locale="en", suppress_below=10)
    tiles = {t.key: t for t in chart.tiles}
    assert len(tiles) == 34
    assert tiles["210000"].short == "Liaoning" and tiles["210000"].name == "Liaoning"
    assert [line.text for line in tiles["210000"].lines] == ["Liao-", "ning", "2,407"]
    assert tiles["210000"].figure == "2,407"  # all below 100,000: in full
    assert (tiles["HK"].cls, tiles["HK"].figure) == ("sup", "<10")
    assert (tiles["620000"].cls, tiles["620000"].figure) == ("zero", "0")
    assert tiles["540000"].cls == "q1"
    assert tiles["210000"].cls == f"q{len(chart.legend)}"
    zh = tile_map(persons, names={}, language="zh-hant", locale="zh_Hant", suppress_below=10)
    assert {t.key: t.short for t in zh.tiles}["210000"] == "遼寧"
    big = tile_map({"210000": 2_407_000, "110000": 12_345}, names={}, language="zh-hans",
                   locale="zh_Hans", suppress_below=10)  # fmt: skip
    assert [t.figure for t in big.tiles if t.persons] == ["1.2万", "241万"]


@given(st.lists(st.integers(min_value=1, max_value=10**8), min_size=1, max_size=34))
def test_colour_classes_cover_every_value_in_order(values: list[int]) -> None:
    cuts = breaks(values)
    assert cuts == sorted(set(cuts)) and len(cuts) <= 4
    classes = [int(class_of(v, cuts)[1:]) for v in sorted(values)]
    assert classes == sorted(classes)
    assert classes[0] == 1 and all(1 <= c <= 5 for c in classes)
    chart = tile_map(
        dict(zip(sorted(KEYS), values, strict=False)),
        names={},
        language="en",
        locale="en",
        suppress_below=10,
    )
    for tile in chart.tiles:
        if tile.persons:
            step = next(s for s in chart.legend if s.cls == tile.cls)
            assert step.low <= tile.persons and (step.high is None or tile.persons <= step.high)


# panels -------------------------------------------------------------------------------------


def test_panels_keep_their_own_scale_and_the_share_bar_its_label() -> None:
    chart = column_panels(
        [
            ("Members", "official", [("2021", 96_710_000), ("2022", 98_040_000)]),
            ("Quit", "registry", [("2021", 10), ("2022", 20)]),
        ],
        locale="en",
    )
    first, second = chart.panels
    # each column against its own panel's axis: 0 to 100M, 0 to 20
    assert [t.label for t in first.ticks] == ["0", "25M", "50M", "75M", "100M"]
    assert [t.label for t in second.ticks] == ["0", "5", "10", "15", "20"]
    assert (first.top, second.top) == ("100M", "20")
    assert float(second.columns[1].height) == 150 and float(second.columns[0].height) == 75
    assert float(first.columns[0].height) == pytest.approx(150 * 0.9671, abs=0.1)
    assert [c.value for c in first.columns] == ["96.71M", "98.04M"]
    assert float(first.columns[1].x) < second.x
    bar = share_bar(1, 4, label="25.0%")
    assert float(bar.part) == 90 and bar.label_anchor == "end"
    assert share_bar(1, 100, label="1.0%").label_anchor == "start"
    assert share_bar(0, 0, label="0%").part == "0"
