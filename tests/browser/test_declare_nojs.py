"""The public form end to end in headless Chromium with JavaScript off (DESIGN.md invariant 6).

Uses Debian's chromium and chromedriver; Selenium Manager is never asked for anything. Every
request the browser makes must stay on the live server's loopback host. Screenshots of each page,
at a phone and a desktop width, go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from santui.statements.actions import statement_accept
from santui.statements.models import Statement, Status
from santui.statements.receipts import receipt_hash
from santui.tally.actions import tally_integrate
from santui.tally.log import log_signer
from santui.tally.models import IntegrationState

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Schemes served inside the browser itself (its own pages and resources, inline data): they
# never touch the network. Any other scheme must name a loopback host to pass.
IN_BROWSER_SCHEMES = {"data", "about", "blob", "chrome", "chrome-untrusted", "devtools"}
RECEIPT_CODE = re.compile(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}$")

STATEMENT_TEXT = "我声明退出中国共产党、共青团和少先队，与中共彻底决裂。"
ALIAS = "自由之光"
PROVINCE, CITY = "210000", "210100"  # 辽宁省, 沈阳市


def _chromium_options(profile_dir: str) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile_dir}",
        "--lang=zh-CN",  # a declarant in mainland China
        "--window-size={},{}".format(*WIDTHS["desktop"]),
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "profile.managed_default_content_settings.javascript": 2,
            "intl.accept_languages": "zh-CN,zh",
        },
    )
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return options


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        message = (
            f"browser tests need {' and '.join(missing)} (apt install chromium chromium-driver)"
        )
        if os.environ.get("SANTUI_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(f"{message}; set SANTUI_SKIP_BROWSER=1 to skip them", pytrace=False)
    profile_dir = tempfile.mkdtemp(prefix="santui-chromium-")
    # SE_OFFLINE: should Selenium Manager ever be reached, it must not download anything.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SE_OFFLINE", "true")
        service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
        browser = webdriver.Chrome(service=service, options=_chromium_options(profile_dir))
    try:
        browser.set_page_load_timeout(30)
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.fixture
def browser(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[WebDriver]:
    """The module's browser, with a check after each test that it stayed on this machine."""
    _requested_urls(driver)  # drain what an earlier test left
    yield driver
    urls = _requested_urls(driver)
    assert any(u.startswith(live_server.url) for u in urls), "performance log saw no request"
    outside = [u for u in urls if not _is_local(u)]
    assert outside == [], f"the browser left this machine: {outside}"


def _requested_urls(driver: WebDriver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in IN_BROWSER_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


def _screenshot(driver: WebDriver, name: str, *, check_fit: bool = True) -> None:
    """Full-page PNGs at each width, the phone one emulating a phone's viewport (DevTools: no
    page JavaScript needed). At phone width nothing may stick out sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for label, (width, height) in WIDTHS.items():
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": label == "phone",
                },
            )
            content = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            clip = {"x": 0, "y": 0, "scale": 1, "width": max(content["width"], width)}
            clip["height"] = max(content["height"], height)
            shot = driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
            )
            (SCREENSHOTS / f"{name}-{label}.png").write_bytes(base64.b64decode(shot["data"]))
            if check_fit:
                assert content["width"] <= width, f"{name} is wider than a {width}px {label}"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _open(driver: WebDriver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.TAG_NAME, "main")))


class CsrfRejected(AssertionError):
    """Django's CSRF check refused the browser's POST (its bare 403 page, not a santui page)."""


def _detached(element: Any) -> Any:
    """Like ec.staleness_of, but also takes Chromium's "Node ... does not belong to the document"
    (an unknown error, not a StaleElementReferenceException, when the page is mid-navigation)."""

    def check(_driver: WebDriver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one of these
            return True
        return False

    return check


def _submit(driver: WebDriver) -> None:
    """Click the page's own submit button (not the language buttons of the header)."""
    old_main = driver.find_element(By.TAG_NAME, "main")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(_detached(old_main))
    WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.TAG_NAME, "main") or "CSRF" in d.page_source
    )
    if not driver.find_elements(By.TAG_NAME, "main"):
        _screenshot(driver, "csrf-rejected", check_fit=False)
        body = driver.find_element(By.TAG_NAME, "body").text
        raise CsrfRejected(f"the POST was refused by the CSRF check: {body[:300]!r}")


def _fill_declaration(driver: WebDriver, *, organizations: tuple[str, ...]) -> None:
    driver.find_element(By.ID, "id_text").send_keys(STATEMENT_TEXT)
    for value in organizations:
        driver.find_element(By.CSS_SELECTOR, f"input[name=organizations][value={value}]").click()
    driver.find_element(By.ID, "id_name").send_keys(ALIAS)
    Select(driver.find_element(By.ID, "id_province")).select_by_value(PROVINCE)
    Select(driver.find_element(By.ID, "id_city")).select_by_value(CITY)


def test_javascript_is_off(driver: WebDriver) -> None:
    """The pref really disables scripts, so the tests below prove the site works without them."""
    driver.get("data:text/html,<title>before</title><script>document.title='ran'</script>")
    assert driver.title == "before"
    _requested_urls(driver)  # this data: page is not the site's traffic


def test_declare_and_check_receipt_without_javascript(browser: WebDriver, live_server: Any) -> None:
    _open(browser, f"{live_server.url}/declare/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert browser.find_elements(By.TAG_NAME, "script") == []
    _screenshot(browser, "declare-form")

    _fill_declaration(browser, organizations=("party", "league", "pioneers"))
    _submit(browser)

    code = browser.find_element(By.ID, "receipt-code").text.strip()
    assert RECEIPT_CODE.match(code), code
    _screenshot(browser, "declare-receipt")
    assert code not in browser.current_url

    statement = Statement.objects.get()
    assert statement.status == Status.RECEIVED
    assert statement.channel == "web"
    assert statement.text == STATEMENT_TEXT
    assert statement.organizations == ["party", "league", "pioneers"]
    assert statement.region == CITY
    assert statement.name_kind == "alias"
    assert statement.name == ALIAS
    assert statement.receipt_hash == receipt_hash(code)

    _open(browser, f"{live_server.url}/receipt/")
    _screenshot(browser, "receipt-lookup")
    browser.find_element(By.ID, "id_code").send_keys(code)
    _submit(browser)

    status = browser.find_element(By.ID, "receipt-status")
    assert status.is_displayed()
    with translation.override("zh-hans"):
        expected = str(Status(statement.status).label)
    assert status.text.strip() == expected
    assert code not in browser.current_url
    _screenshot(browser, "receipt-result")

    # Once counted, the same page shows the statement's leaf in the public log, a form that
    # downloads its proof (POST: the code stays out of URLs), and how to check it; the long
    # verifier key must fit a phone's width.
    IntegrationState.objects.get_or_create(pk=1)  # a transactional flush may have emptied it
    statement_accept(statement=statement, by=None, via="test")
    tally_integrate()
    _open(browser, f"{live_server.url}/receipt/")
    browser.find_element(By.ID, "id_code").send_keys(code)
    _submit(browser)
    page = browser.find_element(By.TAG_NAME, "main").text
    assert log_signer().verifier.vkey in page.replace("\n", "")
    proof_form = browser.find_element(By.CSS_SELECTOR, "form[action$='/receipt/proof/']")
    assert proof_form.get_attribute("method") == "post"
    _screenshot(browser, "receipt-counted-with-proof")


def test_declaration_without_organization_shows_error_and_stores_nothing(
    browser: WebDriver, live_server: Any
) -> None:
    _open(browser, f"{live_server.url}/declare/")
    _fill_declaration(browser, organizations=())
    _submit(browser)

    assert browser.find_elements(By.ID, "receipt-code") == []
    errors = browser.find_elements(By.CSS_SELECTOR, "main .errorlist")
    assert errors, "no error shown"
    assert all(e.is_displayed() for e in errors)
    # The error is the organizations field's, and what was typed is kept.
    assert browser.find_elements(By.ID, "id_organizations_error")
    assert browser.find_element(By.ID, "id_text").get_attribute("value") == STATEMENT_TEXT
    assert browser.find_element(By.ID, "id_name").get_attribute("value") == ALIAS
    _screenshot(browser, "declare-error")
    assert Statement.objects.count() == 0
