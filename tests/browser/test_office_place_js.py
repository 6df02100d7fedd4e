"""The place field with JavaScript on (headless Chromium): the office's own static script
(``backoffice/place-filter.js``, allowed by the office CSP's ``script-src 'self'``) adds a box
that narrows the places as one types; choosing one and saving stores its code. The console
reports no CSP violation and nothing is loaded from another host.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from santui.backoffice.roles import INTAKE_VOLUNTEER, ensure_roles
from santui.statements.models import Statement
from tests.browser.support import assert_stayed_local, chromium, drain_requested_urls, load
from tests.factories import ReceivedStatementFactory

pytestmark = pytest.mark.browser

PASSWORD = "volunteer-pass-phrase"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=True) as browser:
        yield browser


@pytest.fixture
def office(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[str]:
    user = User.objects.create_user("volunteer", password=PASSWORD, is_staff=True)
    user.groups.set([ensure_roles()[INTAKE_VOLUNTEER]])
    driver.delete_all_cookies()
    drain_requested_urls(driver)
    yield live_server.url
    assert_stayed_local(driver)


def _visible_options(driver: WebDriver) -> list[str]:
    texts: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#id_region option'))"
        ".filter(o => !o.hidden && o.value).map(o => o.text)"
    )
    return texts


def test_typing_narrows_the_places_and_the_choice_is_stored(driver: WebDriver, office: str) -> None:
    statement = ReceivedStatementFactory(region="210100", text="")
    url = f"/office/statements/statement/{statement.pk}/change/"
    login = load(driver, f"{office}/office/login/?next={url}")
    console = list(login.console)
    driver.find_element(By.ID, "id_username").send_keys("volunteer")
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.split("?")[0].endswith(url))
    console += driver.get_log("browser")

    box = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "input.place-filter")
    )
    assert box.get_attribute("placeholder") == "输入文字以筛选地点"
    assert len(_visible_options(driver)) > 500  # every place before typing
    box.send_keys("深圳")
    assert _visible_options(driver) == ["广东省 深圳市"]
    box.clear()
    box.send_keys("shenzhen")  # an English name matches nothing in Chinese: none shown
    assert _visible_options(driver) == []
    box.send_keys("\b" * 8 + "美国")
    found = _visible_options(driver)
    assert "美国" in found and all("美国" in place for place in found)
    box.send_keys("\b\b" + "深圳")
    Select(driver.find_element(By.ID, "id_region")).select_by_visible_text("广东省 深圳市")
    driver.find_element(By.CSS_SELECTOR, "input[name=_continue]").click()
    WebDriverWait(driver, 10).until(
        lambda d: (
            d.execute_script("return document.readyState") == "complete"
            and d.find_elements(By.CSS_SELECTOR, "ul.messagelist")
        )
    )
    console += driver.get_log("browser")
    assert Statement.objects.get(pk=statement.pk).region == "440300"
    problems = [
        e for e in console
        if e.get("level") == "SEVERE" or "Content Security Policy" in e.get("message", "")
    ]  # fmt: skip
    assert [p for p in problems if "/favicon.ico " not in p.get("message", "")] == []
