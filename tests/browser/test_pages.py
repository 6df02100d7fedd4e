"""Every public page as a visitor sees it, in headless Chromium (issue 5, DESIGN.md invariant 6).

Each page is opened with JavaScript on and off, at a phone (360x740) and a desktop (1280x900)
width, in zh-Hans (the default for a zh-CN browser) and en (django_language cookie), over a
demo history of twenty years of daily figures. For each, it must answer 200 with its heading,
load nothing from another host, log no console error or CSP violation, fit the width, stay
within its weight budget, and show the right figures; a full-page screenshot goes to
artifacts/screenshots/<page>-<width>-<js>-<lang>.png, and artifacts/browser-pages.json sums up
weights, sizes and possibly untranslated phrases.

The data is built once for the module and served by a live server of its own (pytest-django's
``live_server`` would make every test transactional, and flush the data after each); when
it is done, the module leaves the database as migrations left it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from pytest_django.live_server_helper import LiveServer
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from santui.statements.actions import statement_reject
from santui.statements.models import RejectReason
from santui.statements.public import StatementQuery, public_entries, public_search
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release
from santui.tally.models import IntegrationState
from tests.browser import pagechecks as checks
from tests.browser.support import (
    ARTIFACTS,
    SCREENSHOTS,
    Load,
    chromium,
    load,
    screenshot,
    set_viewport,
)
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

# django_db: each test runs in a transaction that is rolled back; the module's data, committed
# before the first test, stays (a transactional test would flush it after every test).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORTS = {"phone": (360, 740), "desktop": (1280, 900)}
LANGS = {"zh-Hans": "zh-hans", "en": "en"}  # <html lang> -> Django's language code
DEMO_SCALE = 0.00005  # about 23,000 persons from 2004-12-03 to yesterday: every day has some
MILESTONE_STEP = 5000  # a few milestones at this scale (the real step is a million)
RANGE = ("2005-01-01", "2006-12-31")
SEARCH_WORD = "浏览器测验暗号"
SEARCH_TEXT = f"我声明退出中共的党、团、队组织。{SEARCH_WORD}"
BUDGET = {"home": 100_000, "stats": 300_000, "stats-range": 300_000}  # bytes over the wire
REJECTED = {"duplicate": 2, "spam": 3}  # never counted, per reason
REVOKED_PERSONS = 4
MIN_CHARTS = 6  # cumulative, per day, map, sectors, channels, names (and more)
REPORT: dict[str, Any] = {}


@dataclass
class Site:
    url: str
    published: list[int]  # leaf numbers of the published statements, newest first
    search_hits: list[int]  # published statements containing SEARCH_WORD, newest first
    detail: int
    persons: dict[str, int] = field(default_factory=dict)  # the stats API's, by page
    milestone: dict[str, Any] = field(default_factory=dict)  # the latest, from the stats API

    def path(self, page: str) -> str:
        return {
            "home": "/",
            "stats": "/stats/",
            "stats-range": f"/stats/?from={RANGE[0]}&to={RANGE[1]}",
            "statements": "/statements/",
            "statement": f"/statements/{self.detail}/",
            "search": f"/statements/?q={SEARCH_WORD}",
            "methodology": "/methodology/",
            "data": "/data/",
            "declare": "/declare/",
            "receipt": "/receipt/",
        }[page]


PAGES = (
    "home",
    "stats",
    "stats-range",
    "statements",
    "statement",
    "search",
    "methodology",
    "data",
    "declare",
    "receipt",
)


def _api_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the live server)
        doc: dict[str, Any] = json.load(response)
        return doc


def _reject_some() -> None:
    """Rejections for the methodology page: REJECTED never counted, and one counted group of
    REVOKED_PERSONS revoked at the declarant's request."""
    for reason, n in REJECTED.items():
        for _ in range(n):
            received = ReceivedStatementFactory()
            statement_reject(statement=received, by=None, reason=reason, via="test")
    counted = AcceptedStatementFactory(headcount=REVOKED_PERSONS)
    tally_integrate()
    statement_reject(statement=counted, by=None, reason="declarant_request", via="test")


def _restore_migrated_state() -> None:
    """Leave the database as migrations left it, for the tests that come after: these tests
    are ordered with the non-transactional ones, which expect the integration state row."""
    call_command("flush", interactive=False, verbosity=0)
    IntegrationState.objects.get_or_create(pk=1, defaults={"size": 0})


@pytest.fixture(scope="module")
def site(django_db_setup: None, django_db_blocker: Any) -> Iterator[Site]:
    with django_db_blocker.unblock(), override_settings(SANTUI_MILESTONE_STEP=MILESTONE_STEP):
        _restore_migrated_state()  # whatever an earlier module left
        call_command("demo", scale=DEMO_SCALE, pending=3, no_progress=True, stdout=io.StringIO())
        for name in ("浏览器甲", "浏览器乙"):
            AcceptedStatementFactory(text=SEARCH_TEXT, name=name, publish=True, region="110000")
        AcceptedStatementFactory(text=SEARCH_TEXT, name="不公开", publish=False)
        _reject_some()
        tally_integrate()
        # breakdowns are published for released periods only (docs/disclosure.md): release
        # every month to December 2006, so that RANGE snaps to a released period
        stats_release(now=dt.datetime.fromisoformat("2007-01-08T00:00:00+08:00"))
        published = list(public_entries().values_list("log_index", flat=True))
        hits = list(
            public_search(query=StatementQuery(text=SEARCH_WORD)).values_list(
                "log_index", flat=True
            )
        )
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            found = Site(url=server.url, published=published, search_hits=hits, detail=hits[0])
            doc = _api_stats(f"{server.url}/api/v1/stats")
            found.persons["home"] = found.persons["stats"] = doc["persons"]
            found.milestone = doc["milestones"][-1]
            ranged = _api_stats(f"{server.url}/api/v1/stats?from={RANGE[0]}&to={RANGE[1]}")
            found.persons["stats-range"] = ranged["persons"]
            yield found
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            _restore_migrated_state()
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "browser-pages.json").write_text(
                json.dumps(REPORT, ensure_ascii=False, indent=1, sort_keys=True)
            )


@dataclass
class Browser:
    js: str  # "js" or "nojs"
    driver: WebDriver


@pytest.fixture(scope="module", params=["nojs", "js"])
def browser(request: pytest.FixtureRequest, site: Site) -> Iterator[Browser]:
    # After the site, so it quits first: its open connections end before the server stops.
    with chromium(javascript=request.param == "js") as driver:
        # Every load is a first visit: the weight counts the stylesheet and images too.
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        yield Browser(js=request.param, driver=driver)


def _set_language(driver: WebDriver, url: str, lang: str) -> None:
    """en by the django_language cookie; zh-Hans as a zh-CN browser gets it, with no cookie."""
    driver.execute_cdp_cmd("Network.deleteCookies", {"name": "django_language", "url": url})
    if LANGS[lang] != "zh-hans":
        driver.execute_cdp_cmd(
            "Network.setCookie", {"name": "django_language", "value": LANGS[lang], "url": url}
        )


def _common_problems(driver: WebDriver, visit: Load, *, page: str, lang: str) -> list[str]:
    problems = []
    if visit.status != 200:
        problems.append(f"status {visit.status}, not 200")
    if visit.outside:
        problems.append(f"requests left this machine: {visit.outside}")
    if not any(u.startswith(visit.url.split("?")[0]) for u in visit.urls):
        problems.append("the performance log saw no request for the page")
    source = driver.page_source
    if "Traceback" in source or "Server Error (500)" in source:
        problems.append("a server error page")
    html_lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
    if html_lang != lang:
        problems.append(f'<html lang="{html_lang}">, expected {lang}')
    if not driver.title.strip():
        problems.append("no <title>")
    headings = [h.text.strip() for h in driver.find_elements(By.CSS_SELECTOR, "main h1")]
    if len(headings) != 1 or not headings[0]:
        problems.append(f"expected one main heading (main h1), found {headings}")
    elif lang == "zh-Hans" and not checks.CJK.search(headings[0]):
        problems.append(f"the zh-Hans heading is not in Chinese: {headings[0]!r}")
    for entry in visit.console:
        message = entry.get("message", "")
        if "/favicon.ico " in message:
            continue  # asked once per browser, so by whichever test comes first: test_site_icon
        if entry.get("level") == "SEVERE" or "Content Security Policy" in message:
            problems.append(f"console {entry.get('level')}: {message[:200]}")
    if page in BUDGET and visit.bytes > BUDGET[page]:
        heaviest = sorted(visit.by_url.items(), key=lambda kv: -kv[1])[:3]
        problems.append(
            f"{visit.bytes:,} bytes over the wire, budget {BUDGET[page]:,}; heaviest {heaviest}"
        )
    if visit.bytes == 0:
        problems.append("no bytes over the wire counted")
    return problems + checks.fit_problems(driver)


def _figures(site: Site, page: str) -> Callable[[WebDriver], list[str]]:
    def check(driver: WebDriver) -> list[str]:
        persons = site.persons[page]
        if checks.shows_number(checks.main_text(driver), persons):
            return []
        return [f"the page does not show the stats API's persons, {persons:,}"]

    return check


def _rejection_problems(driver: WebDriver, lang: str) -> list[str]:
    """The live counts per reason: a row (never counted, revoked, persons subtracted) per
    reason, and the totals."""
    rows = checks.table_rows(driver)
    with translation.override(LANGS[lang]):
        spam = str(RejectReason.SPAM.label)
    expected_total = [sum(REJECTED.values()), 1, REVOKED_PERSONS]
    problems = []
    if not any(spam in cells[0] and checks.numbers(cells) == [3, 0, 0] for cells in rows):
        problems.append(f"no row for {spam!r} with 3 never counted, 0 revoked, 0 persons")
    if not any(checks.numbers(cells) == expected_total for cells in rows):
        problems.append(f"no row of totals {expected_total}")
    return problems


def _page_problems(driver: WebDriver, site: Site, page: str, lang: str) -> list[str]:
    problems: list[str] = []
    if page in ("home", "stats", "stats-range"):
        problems += _figures(site, page)(driver)
    if page == "home":
        text = checks.main_text(driver)
        persons, day = site.milestone["persons"], site.milestone["date"]
        if not (checks.shows_number(text, persons) and day in text):
            problems.append(f"the latest milestone, {persons:,} on {day}, is not shown")
    if page in ("stats", "stats-range"):
        problems += checks.chart_problems(driver, lang=lang, minimum=MIN_CHARTS)
    if page == "statements":
        shown = checks.statement_numbers(driver)
        if not shown:
            problems.append("no statement linked as /statements/<number>/")
        elif shown != site.published[: len(shown)]:
            unpublished = sorted(set(shown) - set(site.published))
            problems.append(
                f"shown {shown[:10]}... are not the newest published {site.published[:10]}..."
                + (f"; not published: {unpublished}" if unpublished else "")
            )
    if page == "search":
        shown = checks.statement_numbers(driver)
        if shown != site.search_hits:
            problems.append(f"search shows {shown}, expected the published {site.search_hits}")
    if page == "statement":
        text = checks.main_text(driver)
        if SEARCH_WORD not in text:
            problems.append("the statement's text is not shown")
    if page == "methodology":
        problems += _rejection_problems(driver, lang)
    if page == "data":
        hrefs = " ".join(
            a.get_attribute("href") or "" for a in driver.find_elements(By.CSS_SELECTOR, "main a")
        )
        for ext in (".csv", ".json", ".jsonl", ".parquet"):
            if ext not in hrefs:
                problems.append(f"no {ext} file linked")
    return problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("page", PAGES)
def test_page(browser: Browser, site: Site, page: str, width: str, lang: str) -> None:
    driver = browser.driver
    w, h = VIEWPORTS[width]
    _set_language(driver, site.url, lang)
    set_viewport(driver, width=w, height=h, mobile=width == "phone")
    name = f"{page}-{width}-{browser.js}-{lang}"
    visit = load(driver, site.url + site.path(page))
    problems: list[str] = []
    try:
        problems += _common_problems(driver, visit, page=page, lang=lang)
        problems += _page_problems(driver, site, page, lang)
        latin = checks.untranslated_candidates(driver) if lang == "zh-Hans" else []
    finally:
        size = screenshot(driver, SCREENSHOTS / f"{name}.png", width=w, height=h)
    REPORT[name] = {
        "status": visit.status,
        "bytes": visit.bytes,
        "requests": len(visit.urls),
        "height": size["height"],
        "problems": len(problems),
        "latin_in_zh": latin,
    }
    assert problems == [], f"{site.path(page)} ({name}):\n  " + "\n  ".join(problems)


def test_language_form_switches_language(browser: Browser, site: Site) -> None:
    """The header's language buttons work by a plain form POST, with or without JavaScript."""
    driver = browser.driver
    set_viewport(driver, width=1280, height=900, mobile=False)
    _set_language(driver, site.url, "zh-Hans")
    load(driver, f"{site.url}/stats/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    driver.find_element(By.CSS_SELECTOR, "form.lang button[value=en]").click()
    # the old page's <html> may go stale between finding it and reading it: look again
    WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    assert driver.current_url.startswith(f"{site.url}/stats/")
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text.strip()
    visit = load(driver, f"{site.url}/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert visit.outside == []
    _set_language(driver, site.url, "zh-Hans")


def test_javascript_mode_is_what_it_claims(browser: Browser) -> None:
    driver = browser.driver
    driver.get("data:text/html,<title>before</title><script>document.title='ran'</script>")
    assert driver.title == ("ran" if browser.js == "js" else "before")


def test_site_icon(browser: Browser, site: Site) -> None:
    """The browser asks for the page's icon (or /favicon.ico) on its own: it must be there and
    local, or every first visit logs a 404 in the console."""
    driver = browser.driver
    load(driver, f"{site.url}/")
    icons = [
        link.get_attribute("href") or ""
        for link in driver.find_elements(By.CSS_SELECTOR, "link[rel~=icon]")
    ]
    url = icons[0] if icons else f"{site.url}/favicon.ico"
    assert url.startswith(("data:", site.url)), f"the icon is not local: {url}"
    if url.startswith(site.url):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 200, f"{url} answers {status}"
