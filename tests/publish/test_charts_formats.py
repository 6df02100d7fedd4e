"""One number format per chart in the page's language, and the context chart's own scales.

Every figure a chart shows (axis ticks, milestone labels, column and tile figures, the map's
legend) is either in full with grouping (25,000) or short in the language's units (2.5万,
25K), never both on one chart ("25,000" beside "10万"); and the two context panels each draw
and label their own axis, so 96.71 million members and some thousands of withdrawals are not
two equal, unlabelled heights. Pure functions with hypothesis, then the page as rendered."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from santui.publish.caching import forget_state
from santui.publish.charts.dashboard import YearEnd, build_dashboard
from santui.publish.charts.figures import UNITS, style_for
from santui.publish.charts.panels import column_panels
from santui.publish.charts.tilemap import tile_map
from santui.publish.charts.timeseries import Series, cumulative_chart
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release
from tests.factories import AcceptedStatementFactory

LOCALES = ("en", "zh_Hans", "zh_Hant")
LANGUAGES = {"en": "en", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}
ALL_UNITS = "".join(UNITS.values())
NUMBER = re.compile(rf"\d[\d,.]*[{ALL_UNITS}]?")


def kind(token: str) -> str:
    """The format of one figure: "full" (grouped digits), "short" (a unit, or four digits
    and more without grouping, as zh writes 5000 beside 1万), or "either" (0, 950)."""
    if "," in token:
        return "full"
    if token[-1] in ALL_UNITS or (token.isdigit() and int(token) >= 1000):
        return "short"
    return "either"


def formats(texts: list[str], locale: str) -> set[str]:
    """The formats of every figure in ``texts``; fails on another language's units."""
    found = set()
    for text in texts:
        for token in NUMBER.findall(text):
            unit = token[-1] if token[-1] in ALL_UNITS else ""
            assert not unit or unit in UNITS[locale], (locale, text)
            found.add(kind(token))
    return found - {"either"}


def test_the_classifier_tells_the_formats_apart() -> None:
    assert formats(["25,000", "10万"], "zh_Hans") == {"full", "short"}
    assert formats(["0", "5000", "1.5万"], "zh_Hans") == {"short"}
    assert formats(["0", "950", "25,000"], "en") == {"full"}
    with pytest.raises(AssertionError):
        formats(["10万"], "en")


# pure: the style of a chart ----------------------------------------------------------------

figures = st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=12)


SCALE = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12, "万": 10**4, "萬": 10**4,
         "亿": 10**8, "億": 10**8, "万亿": 10**12, "萬億": 10**12}  # fmt: skip


def value_of(text: str) -> Decimal:
    """What a figure says, read back: 1.25B is 1,250,000,000; 4.35亿 is 435,000,000."""
    match = re.fullmatch(r"([\d,]+(?:\.\d+)?)(\D*)", text)
    assert match, text
    return Decimal(match[1].replace(",", "")) * SCALE[match[2]]


@given(exact=figures, rounded=figures, locale=st.sampled_from(LOCALES))
@example(exact=[1_250_000_000, 1_250_000_001], rounded=[0], locale="en")  # 1.25B twice, once
def test_a_style_writes_every_figure_of_a_chart_in_one_format(
    exact: list[int], rounded: list[int], locale: str
) -> None:
    style = style_for(locale, exact=exact, rounded=rounded)
    texts = [style.exact(v) for v in exact] + [style.rounded(v) for v in rounded]
    assert len(formats(texts, locale)) <= 1, texts
    # exact figures stay exact: read back, a tick or a milestone is its value to the unit
    for value, text in zip(exact, texts, strict=False):
        assert value_of(text) == value, (value, text)
    if max(exact + rounded) < 100_000:
        assert not style.short


def test_small_charts_are_in_full_and_large_ones_short_in_each_language() -> None:
    small = style_for("zh_Hans", exact=[0, 25_000, 50_000], rounded=[23_557])
    assert [small.exact(v) for v in (0, 25_000)] + [small.rounded(23_557)] == [
        "0", "25,000", "23,557",
    ]  # fmt: skip
    for locale, texts in (
        ("en", ["0", "25K", "100K", "5K"]),
        ("zh_Hans", ["0", "2.5万", "10万", "5000"]),
        ("zh_Hant", ["0", "2.5萬", "10萬", "5000"]),
    ):
        style = style_for(locale, exact=[0, 25_000, 100_000, 5_000])
        assert [style.exact(v) for v in (0, 25_000, 100_000, 5_000)] == texts
    # one exact figure without a short form (4.352亿 needs three decimals): all in full
    style = style_for("zh_Hans", exact=[0, 435_200_000, 500_000_000])
    assert [style.exact(v) for v in (0, 435_200_000)] == ["0", "435,200,000"]


def _milestone_series() -> tuple[Series, list[dict[str, object]]]:
    """25,000 persons a day for six days: the axis reaches 15万; milestones every 5,000."""
    start = dt.date(2021, 6, 1)
    daily, total = [], 0
    for i in range(6):
        total += 25_000
        daily.append({"date": (start + dt.timedelta(days=i)).isoformat(),
                      "persons": 25_000, "cumulative": total})  # fmt: skip
    marks = [
        {"persons": n * 5_000, "date": (start + dt.timedelta(days=(n - 1) // 5)).isoformat()}
        for n in range(1, 31)
    ]
    series = Series.from_daily(daily)
    assert series is not None
    return series, marks


@pytest.mark.parametrize("locale", LOCALES)
def test_milestone_labels_share_the_axis_format(locale: str) -> None:
    """Once "25,000" stood beside an axis of "10万": milestones below 100,000 were written in
    full, the axis short."""
    series, marks = _milestone_series()
    chart = cumulative_chart(series, milestones=marks, step=5_000, locale=locale)
    for plot in chart.plots:
        texts = [t.label for t in plot.yticks] + [label.text for label in plot.labels]
        assert any(label.text for label in plot.labels)
        assert formats(texts, locale) == {"short"}, texts


@pytest.mark.parametrize("locale", LOCALES)
def test_the_map_and_its_legend_share_one_format(locale: str) -> None:
    persons = {"210000": 240_700, "110000": 25_000, "540000": 26, "650000": 9_000}
    chart = tile_map(persons, names={}, language="en", locale=locale, suppress_below=None)
    texts = [t.figure for t in chart.tiles] + [s.text for s in chart.legend]
    assert formats(texts, locale) == {"short"}, texts
    assert chart.legend[0].text.startswith("< ") and chart.legend[-1].text.startswith("≥ ")
    small = tile_map({"210000": 2_407, "110000": 26, "540000": 300}, names={}, language="en",
                     locale=locale, suppress_below=None)  # fmt: skip
    texts = [t.figure for t in small.tiles] + [s.text for s in small.legend]
    assert formats(texts, locale) <= {"full"}, texts


# pure: the context panels ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "members", "quit_"),
    [
        ("en", ["0", "25M", "50M", "75M", "100M"], ["0", "50K", "100K", "150K"]),
        ("zh_Hans", ["0", "2500万", "5000万", "7500万", "1亿"],
         ["0", "5万", "10万", "15万"]),
        ("zh_Hant", ["0", "2500萬", "5000萬", "7500萬", "1億"],
         ["0", "5萬", "10萬", "15萬"]),
    ],
)  # fmt: skip
def test_each_context_panel_has_its_own_labelled_axis(
    locale: str, members: list[str], quit_: list[str]
) -> None:
    """96.71 million beside about 100,000: each panel's axis is drawn and labelled, and every
    figure of both panels is in the one short format (not "25,000" beside "9671万")."""
    chart = column_panels(
        [
            ("Members", "official", [("2021", 96_710_000), ("2022", 98_040_000)]),
            ("Quit", "registry", [("2021", 25_000), ("2022", 101_000)]),
        ],
        locale=locale,
    )
    first, second = chart.panels
    assert [t.label for t in first.ticks] == members
    assert [t.label for t in second.ticks] == quit_
    assert (first.top, second.top) == (members[-1], quit_[-1])
    texts = [t.label for p in chart.panels for t in p.ticks]
    texts += [c.value for p in chart.panels for c in p.columns]
    assert formats(texts, locale) == {"short"}, texts
    # a column's height is its figure on its own axis, and the axis is as tall as the area
    for panel, top in ((first, 100_000_000), (second, 150_000)):
        axis = [float(v) for v in re.findall(r"[\d.]+", panel.axis)]
        height = axis[2] - axis[1]  # M x top V bottom
        values = (96_710_000, 98_040_000) if panel is first else (25_000, 101_000)
        for column, value in zip(panel.columns, values, strict=True):
            assert float(column.height) == pytest.approx(height * value / top, abs=0.1)
        # the tick labels sit on the axis, top to bottom
        ys = [float(t.y) for t in panel.ticks]
        assert ys == sorted(ys, reverse=True)
        assert ys[0] == pytest.approx(axis[2]) and ys[-1] == pytest.approx(axis[1])


def test_context_panels_in_full_when_everything_is_small() -> None:
    chart = column_panels(
        [("A", "official", [("2021", 60_000)]), ("B", "registry", [("2021", 25_000)])],
        locale="zh_Hans",
    )
    texts = [t.label for p in chart.panels for t in p.ticks] + [
        c.value for p in chart.panels for c in p.columns
    ]
    assert formats(texts, "zh_Hans") == {"full"}, texts


def _doc(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "suppress_below": 10, "daily": [], "milestones": [], "milestone_step": 5000,
        "regions": [], "sectors": [], "channels": [], "name_kinds": [], "breakdown": None,
        "persons": 0, "current_party_members": None,
    }  # fmt: skip
    doc.update(over)
    return doc


def test_other_countries_are_listed_in_the_languages_collation() -> None:
    regions = [
        {"code": c, "name": en, "name_zh": hans, "name_zh_hant": hant, "persons": 20}
        for c, en, hans, hant in (
            ("ZM", "Zambia", "赞比亚", "尚比亞"),
            ("AX", "Åland Islands", "奥兰群岛", "奧蘭群島"),
            ("AF", "Afghanistan", "阿富汗", "阿富汗"),
            ("JP", "Japan", "日本", "日本"),
        )
    ]
    expect = {
        "en": ["AF", "AX", "JP", "ZM"],  # Åland among the A's, not after Z
        "zh-hans": ["AF", "AX", "JP", "ZM"],  # a, ao, ri, zan
        "zh-hant": ["JP", "AF", "ZM", "AX"],  # strokes: 日 4, 阿 7, 尚 8, 奧 13
    }
    for language, codes in expect.items():
        board = build_dashboard(_doc(regions=regions), language=language, labels={})
        assert [p.code for p in board.other_places] == codes, language


def test_the_dashboard_builds_context_panels_on_their_own_scales() -> None:
    ends = [YearEnd(2021, dt.date(2021, 12, 31), 96_710_000, "96.71 million", 100_000)]
    board = build_dashboard(_doc(), language="zh-hans", labels={}, year_ends=ends,
                            panel_titles=("members", "quit"))  # fmt: skip
    assert board.context is not None
    official, registry = board.context.panels
    assert (official.top, registry.top) == ("1亿", "10万")
    assert [c.value for c in official.columns + registry.columns] == ["9671万", "10万"]


# the page as rendered ----------------------------------------------------------------------


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+08:00")


@pytest.fixture
def mixed(settings: Any) -> None:
    """Figures that once mixed formats: milestones every 5,000 on an axis of 万, registry
    withdrawals in tens of thousands beside the party's tens of millions."""
    settings.SANTUI_STATE_MEMO_SECONDS = 0
    settings.SANTUI_MILESTONE_STEP = 5_000
    forget_state()
    for day, headcount, region in (
        ("2021-06-01", 25_000, "210100"),
        ("2022-06-01", 50_000, "440300"),
        ("2023-06-01", 40_000, "110105"),
        ("2023-06-02", 1_500, "HK"),
        ("2023-06-03", 600, "US"),
    ):
        AcceptedStatementFactory(
            headcount=headcount, region=region, received_at=at(day), organizations=["party"]
        )
    tally_integrate()
    stats_release(now=at("2024-01-08"))


def chart_texts(figure: Tag) -> list[list[str]]:
    """The figures of each chart (SVG) in a figure: every text but dates, years and titles;
    the map's legend with the map."""
    out = []
    for svg in figure.select("svg"):
        texts = [
            t.get_text()
            for t in svg.find_all("text")
            if not t.find_parent("g", class_="xlab") and "xl" not in (t.get("class") or [])
            and "ptitle" not in (t.get("class") or []) and not t.find_parent("g", class_="note")
        ]  # fmt: skip
        if "tiles" in (svg.get("class") or []):
            texts += [s.get_text() for s in figure.select("p.legend .item")][:-1]  # not "k"
        out.append(texts)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_chart_on_the_page_uses_one_format(
    mixed: None, client: Client, language: str
) -> None:
    locale = LANGUAGES[language]
    response = client.get("/stats/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    seen: dict[str, set[str]] = {}
    for figure in soup.select("figure.chart"):
        for n, texts in enumerate(chart_texts(figure)):
            name = f"{figure.get('id') or figure.get('class')}:{n}"
            seen[name] = formats(texts, locale)
            assert len(seen[name]) <= 1, (name, texts)
    # the charts that reach 100,000 are short, in the language's units
    cumulative = soup.select_one("#cumulative svg")
    assert cumulative is not None
    assert formats([t.get_text() for t in cumulative.select("g.ylab text, g.marks text")],
                   locale) == {"short"}  # fmt: skip
    panels = soup.select_one("svg.panels")
    assert panels is not None
    labels = [t.get_text() for t in panels.select("g.ylab text")]
    assert {"en": "100M", "zh-hans": "1亿", "zh-hant": "1億"}[language] in labels
    assert {"en": "150K", "zh-hans": "15万", "zh-hant": "15萬"}[language] in labels
    note = " ".join(t.get_text() for t in panels.select("g.note text"))
    assert note.strip(), "the note that each panel has its own scale"
    scales = [t.get_text() for t in panels.select("text.scale")]
    assert len(scales) == 2 and all(re.search(r"0\D+\d", s) for s in scales), scales
