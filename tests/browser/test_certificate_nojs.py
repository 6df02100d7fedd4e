"""The certificate of withdrawal in headless Chromium with JavaScript off: look a counted
statement up on the receipt page, type a name, get the certificate; it loads nothing from
elsewhere, fits a phone, prints (Chromium's own PDF), and the page as saved checks with
``santui log check-proof``."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from santui.statements.actions import statement_accept, statement_receive
from santui.tally.actions import tally_integrate
from santui.tally.log import log_signer
from santui.tally.models import IntegrationState
from santui.tlog import cli
from tests.browser.support import (
    ARTIFACTS,
    SCREENSHOTS,
    assert_stayed_local,
    chromium,
    detached,
    drain_requested_urls,
    screenshot,
    set_viewport,
)

pytestmark = pytest.mark.browser
ALIAS = "自由之光"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def browser(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[WebDriver]:
    drain_requested_urls(driver)
    yield driver
    assert_stayed_local(driver, live_server.url)


def counted_code() -> str:
    IntegrationState.objects.get_or_create(pk=1)  # a transactional flush may have emptied it
    got = statement_receive(
        channel="web", organizations=["party", "pioneers"], name_kind="anonymous",
        source="web", via="test", issue_receipt=True,
    )  # fmt: skip
    statement_accept(statement=got.statement, by=None, via="test")
    tally_integrate()
    assert got.receipt_code
    return got.receipt_code


def click_and_wait(driver: WebDriver, selector: str, until_id: str) -> None:
    old = driver.find_element(By.TAG_NAME, "body")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 10).until(detached(old))
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.ID, until_id)))


def test_javascript_is_off(driver: WebDriver) -> None:
    driver.get("data:text/html,<title>before</title><script>document.title='ran'</script>")
    assert driver.title == "before"
    drain_requested_urls(driver)


def test_download_the_certificate_from_the_receipt_page(
    browser: WebDriver, live_server: Any, tmp_path: Path
) -> None:
    code = counted_code()
    browser.get(f"{live_server.url}/receipt/")
    browser.find_element(By.ID, "id_code").send_keys(code.lower().replace("-", " "))
    click_and_wait(browser, "main form[action$='/receipt/'] button[type=submit]", "result")

    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/receipt/certificate/']")
    assert form.get_attribute("method") == "post"
    checked = form.find_element(By.CSS_SELECTOR, "input[name=language]:checked")
    assert checked.get_attribute("value") == "zh-hans"  # the page's language (zh-CN browser)
    browser.find_element(By.ID, "id_name").send_keys(ALIAS)
    click_and_wait(
        browser, "form[action$='/receipt/certificate/'] button[type=submit]", "certificate-title"
    )

    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert browser.find_element(By.ID, "certificate-title").text == "退出证明书"
    assert browser.find_element(By.ID, "certificate-name").text == ALIAS
    assert browser.find_element(By.ID, "certificate-organizations").text == "中国共产党、少先队"
    assert "Asia/Shanghai" in browser.find_element(By.ID, "certificate-day").text
    qr = browser.find_element(By.CSS_SELECTOR, "figure.qr svg")
    assert qr.size["width"] >= 150  # drawn, at a size a phone can scan from the screen
    url = browser.current_url
    assert ALIAS not in url and code not in url and "name=" not in url

    try:
        for label, (width, height) in {"phone": (390, 844), "desktop": (1280, 900)}.items():
            set_viewport(browser, width=width, height=height, mobile=label == "phone")
            size = screenshot(browser, SCREENSHOTS / f"certificate-{label}.png", width=width,
                              height=height)  # fmt: skip
            assert size["width"] <= width, f"the certificate is wider than a {width}px {label}"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    pdf = base64.b64decode(
        browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"]
    )
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages  # the print stylesheet keeps it to a page or two
    (ARTIFACTS / "certificate.pdf").write_bytes(pdf)

    saved = tmp_path / "certificate.html"
    saved.write_text(browser.page_source, encoding="utf-8")  # as "Save page as" keeps it
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main(["check-proof", str(saved), "--key", log_signer().verifier.vkey,
                           "--code", code])  # fmt: skip
    assert status == 0, out.getvalue()
    assert "the leaf commits to this receipt code" in out.getvalue()


def test_a_hostile_name_is_refused_with_a_clear_error(browser: WebDriver, live_server: Any) -> None:
    code = counted_code()
    browser.get(f"{live_server.url}/receipt/")
    browser.find_element(By.ID, "id_code").send_keys(code)
    click_and_wait(browser, "main form[action$='/receipt/'] button[type=submit]", "result")
    browser.find_element(By.ID, "id_name").send_keys("<script>x</script>")
    click_and_wait(browser, "form[action$='/receipt/certificate/'] button[type=submit]", "result")
    errors = browser.find_element(
        By.CSS_SELECTOR, "form[action$='/receipt/certificate/'] .errorlist"
    )
    assert "<" in errors.text and errors.is_displayed()
    assert browser.find_elements(By.ID, "certificate-title") == []
