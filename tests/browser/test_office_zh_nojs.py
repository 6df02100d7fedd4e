"""The back office in Chinese, in headless Chromium with JavaScript off (the browser asks for
zh-CN): a volunteer signs in, reads the held queue and a statement's page in Chinese with the
time in the reporting zone and the place by name, and corrects the place with the no-JS place
field (a select of provinces and their cities), which stores the place's code.

No page logs a console error or loads anything from another host.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR, ensure_roles
from santui.screening.run import screen_all
from santui.statements.actions import statement_receive
from santui.statements.models import Statement, Status
from tests.backoffice.visible_text import english_words
from tests.browser.support import (
    assert_stayed_local,
    chromium,
    console_problems,
    drain_requested_urls,
    load,
    wait_loaded,
)

pytestmark = pytest.mark.browser

USERNAME = "志愿者丙"
PASSWORD = "volunteer-pass-phrase"
QUEUE = "/office/queue/"
# 2024-05-01 02:00 UTC is 10:00 in Asia/Shanghai, the reporting zone of the tests
RECEIVED = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def office(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[str]:
    """A volunteer who records and moderates, and a statement held for 300 persons from
    Shenyang; the browser logged out and kept on this machine."""
    groups = ensure_roles()
    user = User.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    user.groups.set([groups[INTAKE_VOLUNTEER], groups[MODERATOR]])
    statement_receive(
        channel="phone", organizations=["party"], name_kind="anonymous", name="",
        text="我退出中共。", headcount=300, region="210100", sector="police",
        source="office", via="test", received_at=RECEIVED,
    )  # fmt: skip
    screen_all(delay=0)
    assert Statement.objects.filter(status=Status.HELD).count() == 1
    driver.delete_all_cookies()
    drain_requested_urls(driver)
    yield live_server.url
    assert_stayed_local(driver, live_server.url)


def _body(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def test_a_volunteer_reads_and_corrects_a_statement_in_chinese_without_javascript(
    driver: WebDriver, office: str
) -> None:
    login = load(driver, f"{office}/office/login/?next={QUEUE}")
    assert login.status == 200
    console = list(login.console)
    driver.find_element(By.ID, "id_username").send_keys(USERNAME)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    wait_loaded(driver, QUEUE)
    console += driver.get_log("browser")

    # the held queue: Chinese, the time in the reporting zone, the place and sector by name
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    assert english_words(driver.page_source) == []
    body = _body(driver)
    assert "暂留的声明" in body
    assert "2024-05-01 10:00 (Asia/Shanghai)" in body
    assert driver.find_element(By.CSS_SELECTOR, ".region").text == "辽宁省 沈阳市"
    assert driver.find_element(By.CSS_SELECTOR, ".sector").text == "公安和警察"
    assert "210100" not in body and "police" not in body

    # the statement's page: the time to correct in the zone, the place as a select
    number = Statement.objects.get().pk
    page = load(driver, f"{office}/office/statements/statement/{number}/change/")
    assert page.status == 200
    console += page.console
    assert english_words(driver.page_source) == []
    typed = driver.find_element(By.ID, "id_received_at_1").get_attribute("value") or ""
    assert typed.startswith("10:00")  # 02:00 UTC
    assert "Asia/Shanghai" in _body(driver)
    field = driver.find_element(By.ID, "id_region")
    assert field.tag_name == "select"
    assert driver.find_elements(By.CSS_SELECTOR, "input.place-filter") == []  # no script ran
    places = Select(field)
    assert places.first_selected_option.text == "辽宁省 沈阳市"
    groups = [g.get_attribute("label") for g in field.find_elements(By.TAG_NAME, "optgroup")]
    assert groups[0] == "北京市" and "广东省" in groups and groups[-1] == "其他国家和地区"
    places.select_by_visible_text("广东省 深圳市")
    driver.find_element(By.CSS_SELECTOR, "input[name=_continue]").click()
    # the same address before and after the save: wait for the saved page's message
    WebDriverWait(driver, 10).until(
        lambda d: (
            d.execute_script("return document.readyState") == "complete"
            and d.find_elements(By.CSS_SELECTOR, "ul.messagelist")
        )
    )
    console += driver.get_log("browser")

    assert Statement.objects.get(pk=number).region == "440300"
    assert english_words(driver.page_source) == []
    assert Select(driver.find_element(By.ID, "id_region")).first_selected_option.text == (
        "广东省 深圳市"
    )
    # the audit trail on the page: the change of place by name, the time in the zone
    trail = driver.find_element(By.ID, "changes-group").text
    assert "辽宁省 沈阳市 → 广东省 深圳市" in trail
    assert "(asia/shanghai)" in trail.lower()  # the column header (shown in capitals)
    assert console_problems(console) == []
