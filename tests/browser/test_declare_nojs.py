"""The public form end to end in headless Chromium with JavaScript off (DESIGN.md invariant 6).

Every request the browser makes must stay on the live server's loopback host (helpers in
support.py). Screenshots of each page, at a phone and a desktop width, go to
artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
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
from santui.tally.selectors import stats_document
from tests.browser.support import (
    SCREENSHOTS,
    assert_stayed_local,
    chromium,
    detached,
    drain_requested_urls,
    screenshot,
    set_viewport,
)

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
RECEIPT_CODE = re.compile(r"^[A-Z2-7]{3}(?:-[A-Z2-7]{3}){10}$")  # 32 + a check character

STATEMENT_TEXT = "我声明退出中国共产党、共青团和少先队，与中共彻底决裂。"
ALIAS = "自由之光"
PROVINCE, CITY = "210000", "210100"  # 辽宁省, 沈阳市


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def browser(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[WebDriver]:
    """The module's browser, with a check after each test that it stayed on this machine."""
    drain_requested_urls(driver)  # drain what an earlier test left
    yield driver
    assert_stayed_local(driver, live_server.url)


def _screenshot(driver: WebDriver, name: str, *, check_fit: bool = True) -> None:
    """Full-page PNGs at each width, the phone one emulating a phone's viewport (DevTools: no
    page JavaScript needed). At phone width nothing may stick out sideways."""
    try:
        for label, (width, height) in WIDTHS.items():
            set_viewport(driver, width=width, height=height, mobile=label == "phone")
            content = screenshot(
                driver, SCREENSHOTS / f"{name}-{label}.png", width=width, height=height
            )
            if check_fit:
                assert content["width"] <= width, f"{name} is wider than a {width}px {label}"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _open(driver: WebDriver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.TAG_NAME, "main")))


class CsrfRejected(AssertionError):
    """Django's CSRF check refused the browser's POST (its bare 403 page, not a santui page)."""


def _submit(driver: WebDriver) -> None:
    """Click the page's own submit button (not the language buttons of the header)."""
    old_main = driver.find_element(By.TAG_NAME, "main")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(detached(old_main))
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
    drain_requested_urls(driver)  # this data: page is not the site's traffic


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


@pytest.mark.parametrize("unsaid", [False, True], ids=["place left empty", "prefer not to say"])
def test_declaration_without_a_place_is_taken_and_counted_as_unknown(
    browser: WebDriver, live_server: Any, unsaid: bool
) -> None:
    """Place is optional (issue 16): a person at risk says nothing, or "I prefer not to say";
    the statement is taken, stored without a region and counted under "unknown / not said"."""
    _open(browser, f"{live_server.url}/declare/")
    legend = browser.find_element(By.CSS_SELECTOR, "main fieldset legend").text
    assert "可选" in legend or "選填" in legend or "optional" in legend, legend
    browser.find_element(By.ID, "id_text").send_keys(STATEMENT_TEXT)
    browser.find_element(By.CSS_SELECTOR, "input[name=organizations][value=party]").click()
    if unsaid:
        box = browser.find_element(By.ID, "id_place_unsaid")
        assert box.get_attribute("type") == "checkbox"
        box.click()
    _screenshot(browser, f"declare-no-place-{'unsaid' if unsaid else 'empty'}")
    _submit(browser)

    code = browser.find_element(By.ID, "receipt-code").text.strip()
    assert code, "no receipt code: the statement was not taken"
    statement = Statement.objects.get()
    assert (statement.region, statement.status) == ("", Status.RECEIVED)

    IntegrationState.objects.get_or_create(pk=1)  # a transactional flush may have emptied it
    statement_accept(statement=statement, by=None, via="test")
    tally_integrate()
    regions = stats_document(public=False)["regions"]
    assert [(r["code"], r["name_zh"], r["persons"]) for r in regions] == [
        (None, "不详／未说明", 1)
    ]
