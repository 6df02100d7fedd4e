"""The Django admin's own JavaScript at work under the office's Content-Security-Policy
(issue 11), in headless Chromium with JavaScript on.

A moderator logs in through the login form, opens the statements list and clicks "select
all": every row is ticked and the action counter says so, and the console reports no CSP
violation. The office policy adds ``script-src 'self'`` (santui.backoffice.csp); without it
(the control test) the same click does nothing and the console says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from santui.backoffice import csp
from santui.backoffice.roles import MODERATOR, ensure_roles
from tests.browser.support import (
    assert_stayed_local,
    chromium,
    drain_requested_urls,
    load,
)
from tests.factories import ReceivedStatementFactory

pytestmark = pytest.mark.browser

STATEMENTS = 5
PASSWORD = "moderator-pass-phrase"
LIST = "/office/statements/statement/"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=True) as browser:
        yield browser


@pytest.fixture
def office(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[str]:
    """A moderator and a few statements on the live server; the browser logged out, and kept
    on this machine."""
    user = User.objects.create_user("moderator", password=PASSWORD, is_staff=True)
    user.groups.set([ensure_roles()[MODERATOR]])
    for _ in range(STATEMENTS):
        ReceivedStatementFactory()
    driver.delete_all_cookies()
    drain_requested_urls(driver)
    yield live_server.url
    assert_stayed_local(driver)


def _log_in_and_open_the_list(driver: WebDriver, url: str) -> list[dict[str, Any]]:
    """Log in through the form; returns the console entries of the login page and the list."""
    login = load(driver, f"{url}/office/login/?next={LIST}")
    assert login.status == 200
    driver.find_element(By.ID, "id_username").send_keys("moderator")
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith(LIST))
    # the list's own document, fully loaded (not the sign-in page's, still "complete")
    WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.ID, "result_list")
        and d.execute_script("return document.readyState") == "complete"
    )
    return login.console + driver.get_log("browser")


def _csp_problems(console: list[dict[str, Any]]) -> list[str]:
    problems = []
    for entry in console:
        message = entry.get("message", "")
        if "/favicon.ico " in message:
            continue  # asked for once per browser by whichever page comes first
        if entry.get("level") == "SEVERE" or "Content Security Policy" in message:
            problems.append(f"{entry.get('level')}: {message[:300]}")
    return problems


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def test_select_all_ticks_every_row_and_updates_the_counter(driver: WebDriver, office: str) -> None:
    console = _log_in_and_open_the_list(driver, office)
    rows = driver.find_elements(By.CSS_SELECTOR, "#result_list input.action-select")
    assert len(rows) == STATEMENTS
    counter = driver.find_element(By.CSS_SELECTOR, "span.action-counter")
    assert sorted(_numbers(counter.text)) == [0, STATEMENTS]  # "0 of 5 selected", translated
    assert not any(box.is_selected() for box in rows)

    driver.find_element(By.ID, "action-toggle").click()

    WebDriverWait(driver, 5).until(lambda _: _numbers(counter.text) == [STATEMENTS] * 2)
    assert all(box.is_selected() for box in rows)
    selected = driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr.selected")
    assert len(selected) == STATEMENTS  # the rows are highlighted too

    driver.find_element(By.ID, "action-toggle").click()  # and cleared again
    WebDriverWait(driver, 5).until(lambda _: sorted(_numbers(counter.text)) == [0, STATEMENTS])
    assert not any(box.is_selected() for box in rows)

    console += driver.get_log("browser")
    assert _csp_problems(console) == []


def test_without_the_office_policy_the_click_does_nothing(
    driver: WebDriver, office: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the site-wide policy alone refuses the admin's scripts, so the test above
    would catch a regression. (The live server runs in this process: the patch reaches it.)"""
    monkeypatch.setattr(csp, "OFFICE_CSP_UPDATE", {})
    console = _log_in_and_open_the_list(driver, office)
    rows = driver.find_elements(By.CSS_SELECTOR, "#result_list input.action-select")
    assert len(rows) == STATEMENTS
    toggle = driver.find_element(By.ID, "action-toggle")
    if toggle.is_displayed():
        toggle.click()
    assert not any(box.is_selected() for box in rows)
    console += driver.get_log("browser")
    assert any("Content Security Policy" in e.get("message", "") for e in console), console
