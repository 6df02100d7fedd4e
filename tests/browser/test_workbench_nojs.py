"""The moderation workbench (/office/queue/) in headless Chromium with JavaScript off: the
pages are plain forms, so a moderator can decide held statements without any script.

A moderator logs in through the login form, opens the held queue, follows a screening reason,
ticks two statements (one with the keyboard, one with a click), presses "Count the ticked
statements" and sees the result; the two are counted in the database and the others still
held. No page logs a console error or loads anything from another host.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import ngettext
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from santui.backoffice.roles import MODERATOR, ensure_roles
from santui.screening.run import screen_all
from santui.statements.actions import statement_receive
from santui.statements.models import Statement, Status
from tests.browser.support import (
    assert_stayed_local,
    chromium,
    console_problems,
    detached,
    drain_requested_urls,
    load,
    wait_loaded,
)

pytestmark = pytest.mark.browser

PASSWORD = "moderator-pass-phrase"
QUEUE = "/office/queue/"
REASON = "headcount_unsupported"
HELD = 3


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def office(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[str]:
    """A moderator and three statements held for 500 persons with no text; the browser logged
    out, and kept on this machine."""
    user = User.objects.create_user("moderator", password=PASSWORD, is_staff=True)
    user.groups.set([ensure_roles()[MODERATOR]])
    earlier = timezone.now() - dt.timedelta(days=30)
    for i in range(HELD):
        statement_receive(
            channel="phone", organizations=["party"], name_kind="anonymous", name="", text="",
            headcount=500, region="", source="office", via="test",
            received_at=earlier + dt.timedelta(hours=i),
        )  # fmt: skip
    screen_all(delay=0)
    assert Statement.objects.filter(status=Status.HELD).count() == HELD
    driver.delete_all_cookies()
    drain_requested_urls(driver)
    yield live_server.url
    assert_stayed_local(driver, live_server.url)


def test_a_moderator_counts_two_ticked_statements_without_javascript(
    driver: WebDriver, office: str
) -> None:
    login = load(driver, f"{office}/office/login/?next={QUEUE}")
    assert login.status == 200
    console = list(login.console)
    driver.find_element(By.ID, "id_username").send_keys("moderator")
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    wait_loaded(driver, QUEUE)
    console += driver.get_log("browser")

    # the overview: the reason's count, and its link
    link = driver.find_element(
        By.CSS_SELECTOR, f"#reason-counts a[href='/office/queue/reason/{REASON}/']"
    )
    assert link.find_element(By.XPATH, "../../td[2]").text == str(HELD)
    link.click()
    wait_loaded(driver, f"/office/queue/reason/{REASON}/")
    console += driver.get_log("browser")

    boxes = driver.find_elements(By.CSS_SELECTOR, "#rows input[type=checkbox][name=statement]")
    assert len(boxes) == HELD
    numbers = [int(box.get_attribute("value") or 0) for box in boxes]
    first, second = boxes[0], boxes[1]
    first.send_keys(Keys.SPACE)  # the keyboard: focus the box, press space
    driver.find_element(By.CSS_SELECTOR, f"label[for='{second.get_attribute('id')}']").click()
    assert first.is_selected() and second.is_selected() and not boxes[2].is_selected()

    before = driver.find_element(By.TAG_NAME, "body")
    driver.find_element(By.CSS_SELECTOR, "button[name=do][value='accept:ticked']").click()
    WebDriverWait(driver, 10).until(detached(before))  # the same address before and after
    wait_loaded(driver, f"/office/queue/reason/{REASON}/")
    console += driver.get_log("browser")

    with translation.override("zh-hans"):  # the browser asks for zh-CN
        counted = ngettext("Counted %(n)d statement.", "Counted %(n)d statements.", 2) % {"n": 2}
    messages = driver.find_element(By.CSS_SELECTOR, "ul.messagelist li.success").text
    assert messages == counted
    left = driver.find_elements(By.CSS_SELECTOR, "#rows input[type=checkbox][name=statement]")
    assert [int(box.get_attribute("value") or 0) for box in left] == numbers[2:]
    status = dict(Statement.objects.filter(pk__in=numbers).values_list("pk", "status"))
    assert status == {
        numbers[0]: Status.ACCEPTED,
        numbers[1]: Status.ACCEPTED,
        numbers[2]: Status.HELD,
    }
    assert console_problems(console) == []
