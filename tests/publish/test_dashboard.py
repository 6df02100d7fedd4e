"""The dashboard /stats/ and /api/v1/context through the test client, as a visitor sees them:
every chart is an accessible SVG with its table, the tables say what the stats document says,
the date range filters everything, bad input gets a clear 400, and the page stays small."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import jsonschema_rs
import pytest
from bs4 import BeautifulSoup, Tag
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from santui.publish.caching import forget_state
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release
from santui.tally.selectors import stats_document
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

CHARTS = ["cum", "day", "map", "sectors", "channels", "name_kinds", "share", "ctx"]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+08:00")


@pytest.fixture(autouse=True)
def _fresh_state(settings: Any) -> None:
    settings.SANTUI_STATE_MEMO_SECONDS = 0
    forget_state()


@pytest.fixture
def figures() -> None:
    """Persons in 2021-2023 (the context's year ends), in provinces, HK, abroad, unknown."""
    rows = [
        ("2021-06-01", 40, "210100", "farmer", "phone", "real", ["party", "league"]),
        ("2021-12-31", 12, "110105", "police", "web", "alias", ["party"]),
        ("2022-03-03", 25, "HK", "", "group", "anonymous", ["league", "pioneers"]),
        # (in Beijing's month: three persons alone would make a release of three, and one
        # all-time figure could then tell whether they were party members)
        ("2021-12-30", 3, "US", "teacher", "fax", "alias", ["party", "league", "pioneers"]),
        ("2023-05-05", 30, "CN", "", "web", "alias", ["party", "league", "pioneers"]),
        ("2023-05-06", 11, "TW", "student", "email", "real", ["pioneers"]),
        ("2024-01-02", 50, "440300", "worker", "web", "alias", ["party", "league", "pioneers"]),
    ]
    for day, headcount, region, sector, channel, name_kind, orgs in rows:
        AcceptedStatementFactory(
            headcount=headcount, region=region, received_at=at(day), sector=sector,
            channel=channel, name_kind=name_kind, organizations=orgs,
            current_party_member=day == "2024-01-02",
        )  # fmt: skip
    tally_integrate()
    stats_release(now=at("2024-02-08"))  # every month to January 2024


def page(client: Client, query: str = "", language: str = "en") -> tuple[Any, BeautifulSoup]:
    response = client.get(f"/stats/{query}", HTTP_ACCEPT_LANGUAGE=language)
    return response, BeautifulSoup(response.content, "html.parser")


def number(text: str) -> int | None:
    text = text.strip()
    if text.startswith("<"):
        return None
    return int(re.sub(r"[^\d]", "", text))


def table_rows(soup: BeautifulSoup, table_id: str, column: int = -1) -> dict[str, str]:
    """First cell -> the cell in ``column`` of each body row."""
    table = soup.find("table", id=table_id)
    assert isinstance(table, Tag), table_id
    body = table.find("tbody")
    assert isinstance(body, Tag)
    rows = {}
    for tr in body.find_all("tr"):
        cells = tr.find_all(["th", "td"])
        rows[cells[0].get_text(strip=True)] = cells[column].get_text(strip=True)
    return rows


def test_every_chart_is_an_accessible_svg_beside_its_table(figures: None, client: Client) -> None:
    response, soup = page(client)
    assert response.status_code == 200
    svgs = soup.find_all("svg")
    ids = {svg["aria-labelledby"].split()[0].rsplit("-", 1)[0] for svg in svgs}
    assert {i.split("-")[0] for i in ids} == set(CHARTS)
    for svg in svgs:
        assert svg["role"] == "img"
        assert svg["viewbox"].startswith("0 0 ")  # (the HTML parser lowercases names)
        title_id, desc_id = svg["aria-labelledby"].split()
        title, desc = svg.find("title", id=title_id), svg.find("desc", id=desc_id)
        assert title is not None and title.get_text(strip=True), title_id
        assert desc is not None and len(desc.get_text(strip=True)) > 20, desc_id
        assert svg.find("title") is title  # the first title is the chart's
        figure = svg.find_parent("figure")
        assert isinstance(figure, Tag) and "chart" in figure["class"], title_id
        # its data table: in the figure (time charts) or beside it (the pair's other half)
        holder = svg.find_parent(class_="pair") or figure
        assert holder.find("table", class_="data") is not None, title_id
    # two variants of the charts over time, one for phones
    assert [s["class"] for s in soup.select("#cumulative svg")] == [["wide"], ["narrow"]]


def test_the_page_obeys_the_content_security_policy(figures: None, client: Client) -> None:
    response, soup = page(client)
    html = response.content.decode()
    assert "<script" not in html and "<style" not in html
    assert not soup.find_all(attrs={"style": True})
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert any(href.endswith("santui/charts.css") for href in sheets)
    assert all(href.startswith("/") and not href.startswith("//") for href in sheets)
    assert "Content-Security-Policy" in response


def test_tables_say_what_the_stats_document_says(figures: None, client: Client) -> None:
    _response, soup = page(client)
    doc = stats_document(public=True)
    assert number(soup.find(id="persons").get_text()) == doc["persons"] == 171
    daily = table_rows(soup, "daily-table", 1)
    assert sum(number(v) or 0 for v in daily.values()) == doc["persons"]
    tfoot = soup.find("table", id="daily-table").find("tfoot")
    assert number(tfoot.find("td").get_text()) == doc["persons"]
    cumulative = table_rows(soup, "cumulative-table")
    assert number(list(cumulative.values())[-1]) == doc["daily"][-1]["cumulative"]

    regions = {r["name"]: r["persons"] for r in doc["regions"]}
    on_map = table_rows(soup, "map-table")
    # Beijing's 12 is withheld beside the United States' 3 (their month's total is public)
    assert list(on_map) == ["Guangdong", "Liaoning", "Hong Kong SAR China", "Taiwan"]
    for name, shown in on_map.items():
        assert number(shown) == regions[name], name
    assert number(on_map["Liaoning"]) == 40 and number(on_map["Hong Kong SAR China"]) == 25
    others = table_rows(soup, "other-places")
    # the United States' 3 are withheld: not listed at all, neither "< 10" nor 0
    assert "United States" not in others and "United States" not in regions
    assert "< 10" not in soup.get_text()
    assert number(others["Mainland China, province not known"]) == 30
    assert "not stated" not in others  # nobody: no row, as in the stats document
    assert (
        soup.find(id="breakdown-period")
        .get_text(strip=True)
        .startswith("The breakdowns below cover all time to 2024-01-31")
    )

    for section, key in (("sectors", "sectors"), ("channels", "channels"),
                         ("name_kinds", "name_kinds")):  # fmt: skip
        table = soup.find("section", id=section).find("table")
        shown = [number(td.get_text()) for td in table.select("tbody td.num")]
        assert sorted(shown, key=lambda v: -1 if v is None else v) == sorted(
            (c["persons"] for c in doc[key]), key=lambda v: -1 if v is None else v
        )
    members = table_rows(soup, "members-table")
    released = doc["breakdown"]["persons"]
    assert [number(v) for v in members.values()] == [
        doc["current_party_members"], released - doc["current_party_members"], released,
    ]  # fmt: skip
    assert doc["current_party_members"] == 50


def test_context_sets_official_figures_beside_counted_withdrawals(
    figures: None, client: Client
) -> None:
    _response, soup = page(client)
    rows = soup.find("table", id="context-table").select("tbody tr")
    got = [[cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])] for tr in rows]
    party = {
        y: stats_document(date_to=dt.date(y, 12, 31), public=True)["organizations"]["party"]
        for y in (2021, 2022, 2023)
    }
    assert party == {2021: 55, 2022: 55, 2023: 85}
    assert got == [
        ["2021-12-31", "96,710,000", "55"],
        ["2022-12-31", "98,040,000", "55"],
        ["2023-12-31", "99,185,000", "85"],
    ]
    assert "cannot be subtracted" in soup.find("section", id="context").get_text()


def test_the_context_api_matches_its_openapi_schema(figures: None, client: Client) -> None:
    response = client.get("/api/v1/context")
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    spec = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/context"]["get"]
    schema = spec["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema_rs.validator_for(schema).validate(body)
    assert [f["members"] for f in body["official_party_membership"]["figures"]] == [
        96_710_000, 98_040_000, 99_185_000,
    ]  # fmt: skip
    assert "as reported" in body["official_party_membership"]["description"]
    assert body["official_party_membership"]["caveat"]
    assert [f["persons"] for f in body["party_withdrawals"]["figures"]] == [55, 55, 85]
    again = client.get("/api/v1/context", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.post("/api/v1/context").status_code == 405
    assert client.head("/api/v1/context").status_code == 200


def test_a_date_range_filters_everything(figures: None, client: Client) -> None:
    response, soup = page(client, "?from=2022-01-01&to=2022-12-31")
    assert response.status_code == 200
    doc = stats_document(date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31), public=True)
    assert number(soup.find(id="persons").get_text()) == doc["persons"] == 25
    assert sum(number(v) or 0 for v in table_rows(soup, "daily-table", 1).values()) == 25
    on_map = table_rows(soup, "map-table")
    assert number(on_map["Hong Kong SAR China"]) == 25 and "Liaoning" not in on_map
    others = table_rows(soup, "other-places")
    assert "Mainland China, province not known" not in others and "not stated" not in others
    context = [tr.find("th").get_text() for tr in soup.select("#context-table tbody tr")]
    assert context == ["2022-12-31"]
    json_link = soup.find("a", string="JSON", href=re.compile("api/v1/stats"))
    assert json_link["href"] == "/api/v1/stats?period=2022"  # the breakdowns' period
    assert "cover 2022 (2022-01-01 to 2022-12-31)" in soup.find(id="breakdown-period").get_text()
    # a range with nobody in it
    response, soup = page(client, "?from=2030-01-01")
    assert response.status_code == 200
    assert soup.find(id="cumulative") is None
    assert "No persons were counted in this range." in soup.get_text()
    assert soup.select("#context-table") == []


def test_the_page_works_in_every_language(figures: None, client: Client) -> None:
    for language, liaoning, html_lang in (
        ("zh-hans", ["辽宁"], "zh-Hans"), ("zh-hant", ["遼寧"], "zh-Hant"),
        ("en", ["Liao-", "ning"], "en"),
    ):  # fmt: skip
        response, soup = page(client, language=language)
        assert response.status_code == 200
        assert soup.html["lang"] == html_lang
        tiles = soup.select("svg.tiles g.tile")
        assert len(tiles) == 34
        names = {
            tile.find("title").get_text().split(":")[0]: [
                t.get_text() for t in tile.select("text.nm")
            ]
            for tile in tiles
        }
        full = {"zh-hans": "辽宁省", "zh-hant": "遼寧省", "en": "Liaoning"}[language]
        assert names[full] == liaoning
        if language == "en":  # names, not ISO codes (LN, HE, HA, HB)
            assert all(len("".join(lines)) > 2 for lines in names.values()), names


@pytest.fixture
def large_figures() -> None:
    """Figures of hundreds of thousands, which charts write short (K, 万, 萬)."""
    for day, headcount, region in (
        ("2021-06-01", 90_000, "210100"),
        ("2021-06-02", 150_000, "440300"),
        ("2021-06-03", 60_000, "110105"),
    ):
        AcceptedStatementFactory(headcount=headcount, region=region, received_at=at(day))
    tally_integrate()
    stats_release(now=at("2021-07-08"))


def test_figures_use_each_languages_units(large_figures: None, client: Client) -> None:
    """en: K and M; zh-Hans: 万 and 亿; zh-Hant: 萬 and 億; never another language's."""
    for language, own, foreign in (
        ("en", "KM", "万亿萬億"), ("zh-hans", "万亿", "萬億KM"), ("zh-hant", "萬億", "万亿KM"),
    ):  # fmt: skip
        _response, soup = page(client, language=language)
        axis = " ".join(t.get_text() for t in soup.select("#cumulative g.ylab text"))
        tiles = " ".join(t.get_text() for t in soup.select("svg.tiles text.fig"))
        for text in (axis, tiles):
            assert set(text) & set(own), (language, text)
            assert not set(text) & set(foreign), (language, text)
        assert {"en": "150K", "zh-hans": "15万", "zh-hant": "15萬"}[language] in tiles.split()


def test_small_figures_are_written_in_full(client: Client) -> None:
    """Below 100,000 an axis says 23,550, 23,555 or 23,560, never 2.355万 or 23.55K."""
    AcceptedStatementFactory(headcount=23_550, region="210100", received_at=at("2024-01-01"))
    for day in ("2024-02-01", "2024-02-02", "2024-02-03"):
        AcceptedStatementFactory(headcount=3, region="210100", received_at=at(day))
    tally_integrate()
    stats_release(now=at("2024-03-08"))
    for language in ("en", "zh-hans", "zh-hant"):
        _response, soup = page(client, "?from=2024-02-01&to=2024-02-29", language=language)
        for svg in soup.select("#cumulative svg"):
            labels = [t.get_text() for t in svg.select("g.ylab text")]
            assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", t) for t in labels), labels
            assert labels[0].startswith("23,5"), labels
        _response, soup = page(client, language=language)
        # February's 9 would show in an all-time 23,559: the tile keeps January's figure
        assert "23,550" in [t.get_text() for t in soup.select("svg.tiles text.fig")]


def test_breakdown_tables_follow_their_charts(figures: None, client: Client) -> None:
    """Each table lists the chart's bars in the chart's order (largest first, suppressed last),
    then "not stated" apart, which the chart leaves out."""
    AcceptedStatementFactory(headcount=120, received_at=at("2023-01-01"))  # nothing stated
    tally_integrate()
    stats_release(now=at("2024-03-08"))  # counted late, in February's release
    _response, soup = page(client)
    for section in ("sectors", "channels", "name_kinds"):
        part = soup.find("section", id=section)
        bars = [g.select("text.cat")[0].get_text() for g in part.select("svg.bars g")]
        values = [g.select("text.val")[0].get_text() for g in part.select("svg.bars g")]
        rows = part.select("table tbody tr")
        shown = [tr for tr in rows if "aside" not in (tr.get("class") or [])]
        labels = [tr.find("th").get_text() for tr in shown]
        assert len(labels) == len(bars) and all(
            label.startswith(bar.rstrip("…")) for label, bar in zip(labels, bars, strict=True)
        ), (section, labels, bars)
        figures = [tr.find("td").get_text().replace(" ", "") for tr in shown]
        assert figures == [v.replace(" ", "") for v in values], section
        persons = [number(v) for v in figures]
        counted = [p for p in persons if p is not None]
        assert counted == sorted(counted, reverse=True)
        assert persons == counted + [None] * (len(persons) - len(counted))
        aside = [tr for tr in rows if "aside" in (tr.get("class") or [])]
        if section == "sectors":  # (every statement has a channel and a kind of name)
            assert [tr.find("th").get_text() for tr in aside] == ["not stated"], section
            assert rows[-1] is aside[0] and number(aside[0].find("td").get_text()) >= 120


def test_no_table_shows_a_zero_row_or_sits_in_a_box_that_cuts_rows(
    figures: None, client: Client
) -> None:
    for query in ("", "?from=2022-01-01&to=2022-12-31"):
        _response, soup = page(client, query)
        # the cells of breakdowns (the series and the totals may well say 0)
        tables = soup.select("#map-table, #other-places, section.breakdown table")
        assert len(tables) == 6  # map, other places, sectors, channels, name kinds, declarants
        for table in tables:
            for td in table.select("tbody td.num"):
                assert number(td.get_text()) != 0, (table.get("id"), td.parent.get_text())
        assert soup.select(".scroll") == []  # fixed-height boxes cut their last row in half


@pytest.mark.parametrize(
    "query",
    [
        "?from=2024-13-45",
        "?to=yesterday",
        "?from=2023-01-02&to=2023-01-01",
        "?from=%3Cscript%3Ealert(1)%3C/script%3E",
        "?from=2024-01-01%00",
        "?from=%ff%fe%fd",
        "?to=" + "9" * 10_000,
        "?from=2024-01-01&from=" + "x" * 2000,
        "?from=+2024-01-01",
        "?to=10000-01-01",
    ],
)
def test_bad_dates_get_a_clear_400(figures: None, client: Client, query: str) -> None:
    response, soup = page(client, query)
    assert response.status_code == 400
    errors = soup.select(".errorlist")
    assert errors and errors[0].get_text(strip=True)
    assert b"<script>alert" not in response.content
    assert soup.find("svg") is None
    assert soup.find("form", class_="range") is not None  # to correct it, without JavaScript


@pytest.mark.parametrize("query", ["?from=0001-01-01", "?to=9999-12-31", "?x=1", "?from=&to="])
def test_extreme_but_valid_ranges_render(figures: None, client: Client, query: str) -> None:
    response, _soup = page(client, query)
    assert response.status_code == 200


def test_the_dashboard_is_cached_and_only_read(figures: None, client: Client) -> None:
    first = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 200 and first["ETag"]
    again = client.get("/stats/", HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 304
    assert client.head("/stats/").status_code == 200
    assert client.post("/stats/").status_code == 405


@pytest.mark.slow
def test_twenty_years_of_days_fit_the_size_budget(client: Client, settings: Any) -> None:
    """The whole page and its CSS under 300 KB with ~8,000 days, hundreds of milestones and
    every breakdown filled: the demo data from 2004-12-03 to yesterday."""
    settings.SANTUI_MILESTONE_STEP = 50  # ~470 milestones: more than the real 435
    call_command("demo", scale=0.00005, no_progress=True)
    doc = stats_document(public=True)
    assert len(doc["daily"]) > 7000 and len(doc["milestones"]) > 400
    css = sum(
        len(open(finders.find(f"santui/{name}"), "rb").read())  # noqa: SIM115
        for name in ("site.css", "charts.css")
    )
    for language in ("en", "zh-hans"):
        response, soup = page(client, language=language)
        assert response.status_code == 200
        size = len(response.content) + css
        assert size < 300_000, f"{language}: {size:,} bytes"
        assert len(soup.select("#daily-table tbody tr")) <= 400
        for svg in soup.find_all("svg"):
            assert svg["role"] == "img" and svg.find("title") and svg.find("desc")
        bars = len(soup.select("#daily-table tbody tr"))
        assert f" {bars} " in soup.select_one("#day-wide-d").get_text()  # "grouped into 264"
        shown = sum(number(v) or 0 for v in table_rows(soup, "daily-table", 1).values())
        assert shown == doc["persons"]
        assert len(soup.select("#cumulative table")[0].select("tbody tr")) == len(doc["milestones"])
    print(json.dumps({"bytes_en": len(response.content), "css": css}))


def test_who_declared_is_a_released_breakdown_with_each_kind_apart(client: Client) -> None:
    """Issue 16: each kind of declarant in its own row, as released (small ones withheld), in
    the page's language; a statement without a place is "unknown / not said"."""
    for declarant, headcount, region in (
        ("self", 40, "210100"), ("family", 15, "110105"), ("volunteer", 12, ""),
        ("deceased", 3, "210100"), ("self", 20, ""),
    ):  # fmt: skip
        AcceptedStatementFactory(
            headcount=headcount, region=region, received_at=at("2024-01-10"), declarant=declarant
        )
    tally_integrate()
    stats_release(now=at("2024-02-08"))
    doc = client.get("/api/v1/stats?period=2024-01").json()
    shown = {c["key"]: c["persons"] for c in doc["declarants"]}
    assert shown and "deceased" not in shown  # three persons: withheld
    assert all(v >= 10 for v in shown.values()), shown
    assert shown.get("self") == 60
    _response, soup = page(client, "?period=2024-01")
    section = soup.find("section", id="declarants")
    assert isinstance(section, Tag)
    rows = {tr.find("th").get_text(): number(tr.find("td").get_text())
            for tr in section.select("table tbody tr")}  # fmt: skip
    assert rows["the person themselves"] == 60
    assert all(v is not None and v >= 10 for v in rows.values()), rows
    assert "for a person who has died" not in rows
    assert section.find("a", href=re.compile(r"/methodology/#declarants$"))
    other = table_rows(soup, "other-places", 0)
    assert "unknown / not said" in other, other
    _response, zh = page(client, "?period=2024-01", language="zh-hans")
    zh_section = zh.find("section", id="declarants")
    assert isinstance(zh_section, Tag)
    assert "本人" in zh_section.get_text() and "由谁声明" in zh_section.get_text()
