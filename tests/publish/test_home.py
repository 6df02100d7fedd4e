"""The home page: the total, today, the 7-day average, organizations, milestone, checkpoint."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from santui.publish.caching import forget_state
from santui.tally import log
from santui.tally.actions import tally_integrate
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    forget_state()
    yield
    forget_state()


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.SANTUI_REPORTING_TZ)).date()


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(settings.SANTUI_REPORTING_TZ))


def _received(days_ago: int, headcount: int, **kwargs: object) -> None:
    AcceptedStatementFactory(
        headcount=headcount, received_at=_noon(_today() - dt.timedelta(days=days_ago)), **kwargs
    )


@pytest.fixture
def week() -> dict[int, int]:
    """Persons per day, by days before today (0 = today)."""
    persons = {0: 4, 1: 10, 2: 3, 4: 7, 7: 15, 8: 1000, 30: 11}
    for days_ago, n in persons.items():
        _received(days_ago, n, organizations=["league"] if days_ago == 30 else ["party", "league"])
    tally_integrate()
    return persons


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|div|dd|code)>', html, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_total_today_and_the_average_of_the_seven_days_before(
    week: dict[int, int], client: Client
) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _text(html, "total-persons").strip() == f"{sum(week.values()):,}"
    assert f"Today ({_today().isoformat()})" in html
    assert _text(html, "today-persons").strip() == "4"
    # days 1..7 before today: 10 + 3 + 0 + 7 + 0 + 0 + 15 = 35, / 7 = 5; not today's 4 nor
    # the 1,000 of the eighth day
    assert _text(html, "average-persons").strip() == "5"
    first, last = _today() - dt.timedelta(days=7), _today() - dt.timedelta(days=1)
    assert _text(html, "average-note").strip() == (
        f"Mean of the 7 full days before today, {first} to {last}."
    )


def test_average_shows_a_fraction(client: Client) -> None:
    _received(1, 10)
    tally_integrate()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _text(html, "average-persons").strip() == "1.4"  # 10 / 7


def test_per_organization(week: dict[int, int], client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    total = sum(week.values())
    assert f"{total - 11:,}" in html  # the party: everyone but the league-only 11
    assert re.search(rf">\s*{total:,}\s*</div>", html)  # the league: everyone


def test_latest_milestone_and_its_day(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_MILESTONE_STEP = 10
    _received(40, 6)
    _received(20, 9)  # reaches 10 (and not 20) twenty days ago
    _received(3, 30)  # reaches 20, 30 and 40 three days ago
    tally_integrate()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    day = (_today() - dt.timedelta(days=3)).isoformat()
    assert f"The total reached 40 persons on {day}." in html


def test_latest_signed_checkpoint(week: dict[int, int], client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    checkpoint = log.latest_checkpoint()
    assert checkpoint is not None
    root = base64.b64encode(bytes(checkpoint.root)).decode()
    # the whole root hash is in the page (shortened by the stylesheet only), to copy
    assert f'<code class="hash" id="checkpoint-root" title="{root}">{root}</code>' in html
    assert _text(html, "checkpoint-size").strip() == f"{checkpoint.size:,}"
    assert log.log_signer().name in html
    assert log.log_signer().verifier.key_id.hex() in html
    assert 'href="/log/checkpoint"' in html
    assert 'href="/methodology/#verify"' in html


def test_the_way_to_declare_is_prominent(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    main = html[html.index("<main>") :]
    first_link = re.search(r'<a [^>]*href="([^"]+)"', main)
    assert first_link and first_link.group(1) == "/declare/"
    assert 'class="button primary" href="/declare/"' in main


def test_an_empty_registry_renders(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert _text(html, "total-persons").strip() == "0"
    assert "The log is empty." in html
    assert "The total reached" not in html


@pytest.mark.parametrize(
    ("language", "tag"), [("zh-Hans", "zh-Hans"), ("zh-Hant", "zh-Hant"), ("en", "en")]
)
def test_every_language_renders(
    week: dict[int, int], client: Client, language: str, tag: str
) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{tag}">' in html
    assert f"{sum(week.values()):,}" in html
    assert response["Content-Language"].lower() == language.lower()


def test_under_100_kb_with_its_css(week: dict[int, int], client: Client) -> None:
    """Uncompressed, and far less over the wire: browsers get it gzipped."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    html = response.content.decode()
    total, wire = len(response.content), 0
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        path = finders.find(href.removeprefix(settings.STATIC_URL).removeprefix("/"))
        assert path, href
        with open(path, "rb") as fh:
            css = fh.read()
        total += len(css)
        wire += len(gzip.compress(css))
    assert "<img" not in html and "<script" not in html  # nothing else to load
    assert total < 100_000, total
    packed = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    wire += len(packed.content)
    assert wire < 20_000, wire


def test_viewport_and_no_fixed_widths(client: Client) -> None:
    """What a 360 px phone needs of the markup (the browser tests look at it for real)."""
    html = client.get("/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert not re.search(r'\swidth="\d{3,}"', html)


@pytest.mark.parametrize(
    "query", ["?q=<script>", "?from=2024-13-45", "?x=" + "y" * 10_000, "?a=%00", "?a=%ff%fe"]
)
def test_hostile_query_strings_are_ignored(client: Client, query: str) -> None:
    response = client.get("/" + query)
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_api_stats_rejects_malformed_input(client: Client) -> None:
    for query in (
        "from=2024-13-45",
        "to=%00",
        "from=%ff%fe",
        "from=" + "9" * 10_000,
        "from=<script>",
    ):
        response = client.get(f"/api/v1/stats?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"] == "bad_request"
    assert client.get("/api/v1/stats?unknown=1").status_code == 200
