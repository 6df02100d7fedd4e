"""The door's challenge in headless Chromium with JavaScript off (DESIGN.md invariant 6): during a
flood on the web channel the form shows a sum drawn in an image served by this host, and a
declarant who works it out gets the receipt; a wrong answer loses nothing typed.

The test reads the answer from CaptchaStore, the server's record: the live server shares the
test's database. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from captcha.models import CaptchaStore
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from santui.screening.flags import flood_raise
from santui.statements.models import Statement
from tests.browser.support import (
    assert_stayed_local,
    chromium,
    drain_requested_urls,
    load,
)
from tests.browser.test_declare_nojs import (
    ALIAS,
    RECEIPT_CODE,
    STATEMENT_TEXT,
    _fill_declaration,
    _open,
    _screenshot,
    _submit,
)

pytestmark = pytest.mark.browser

IMAGE_PATH = re.compile(r"/captcha/image/([0-9a-f]{40})/$")


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def browser(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[WebDriver]:
    drain_requested_urls(driver)
    flood_raise(channel="web")  # the live server runs in this process: it shares the cache
    yield driver
    assert_stayed_local(driver)


def _challenge(driver: WebDriver) -> tuple[str, str]:
    """The key of the challenge on the page, after checking its image really loaded."""
    image = driver.find_element(By.CSS_SELECTOR, "main .challenge img")
    assert int(image.get_property("naturalWidth") or 0) > 0, "the challenge image did not load"
    assert image.get_property("complete")
    src = str(image.get_attribute("src"))
    match = IMAGE_PATH.search(src)
    assert match, src
    key = match.group(1)
    hidden = driver.find_element(By.CSS_SELECTOR, "input[name=challenge_0]")
    assert hidden.get_attribute("value") == key
    return key, str(CaptchaStore.objects.get(hashkey=key).response)


def test_during_a_flood_the_challenge_shows_and_a_right_answer_gets_the_receipt(
    browser: WebDriver, live_server: Any
) -> None:
    loaded = load(browser, f"{live_server.url}/declare/")
    assert loaded.status == 200
    images = [u for u in loaded.urls if IMAGE_PATH.search(u)]
    assert len(images) == 1 and images[0].startswith(live_server.url), loaded.urls
    assert browser.find_elements(By.TAG_NAME, "script") == []
    key, answer = _challenge(browser)
    label = browser.find_element(By.CSS_SELECTOR, "label[for=id_challenge_1]")
    assert label.is_displayed() and label.text.strip()
    _screenshot(browser, "door-challenge")

    _fill_declaration(browser, organizations=("party",))
    browser.find_element(By.ID, "id_challenge_1").send_keys(answer)
    _submit(browser)

    code = browser.find_element(By.ID, "receipt-code").text.strip()
    assert RECEIPT_CODE.match(code), code
    statement = Statement.objects.get()
    assert statement.text == STATEMENT_TEXT
    assert not CaptchaStore.objects.filter(hashkey=key).exists(), "the sum was used up"


def test_a_wrong_answer_shows_a_new_sum_and_keeps_what_was_typed(
    browser: WebDriver, live_server: Any
) -> None:
    _open(browser, f"{live_server.url}/declare/")
    key, answer = _challenge(browser)
    _fill_declaration(browser, organizations=("league",))
    browser.find_element(By.ID, "id_challenge_1").send_keys(str(int(answer) + 1))
    _submit(browser)

    assert browser.find_elements(By.ID, "receipt-code") == []
    error = browser.find_element(By.ID, "id_challenge_error")
    assert error.is_displayed()
    assert browser.find_element(By.ID, "id_text").get_attribute("value") == STATEMENT_TEXT
    assert browser.find_element(By.ID, "id_name").get_attribute("value") == ALIAS
    new_key, new_answer = _challenge(browser)
    assert new_key != key
    _screenshot(browser, "door-wrong-answer")
    assert Statement.objects.count() == 0

    browser.find_element(By.ID, "id_challenge_1").send_keys(new_answer)
    _submit(browser)
    assert RECEIPT_CODE.match(browser.find_element(By.ID, "receipt-code").text.strip())
    assert Statement.objects.get().organizations == ["league"]
