"""Staff sign-in in headless Chromium with JavaScript off: a new moderator signs in with the
password, is led to set up an authenticator app (the QR code is an inline SVG drawn by the
server, the key is shown as text), types the app's code, gets the backup codes and goes on to
the page asked for; signed out, they sign in again with the password and a new code. Every
code is computed here with django-otp's own ``totp``. Nothing is loaded from another host and
no page logs a console error.
"""

from __future__ import annotations

import time
from base64 import b32decode
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from santui.backoffice.roles import MODERATOR, ensure_roles
from tests.backoffice.signin_support import sign_in_in_browser
from tests.browser.support import (
    SCREENSHOTS,
    assert_stayed_local,
    chromium,
    console_problems,
    drain_requested_urls,
    load,
    wait_loaded,
)

pytestmark = pytest.mark.browser
SIGN_IN_WITH_TWO_FACTORS = True  # the second factor stays required (tests/browser/conftest.py)

PASSWORD = "moderator-pass-phrase"
THEN = "/office/jobs/"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def office(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[str]:
    user = User.objects.create_user("moderator", password=PASSWORD, is_staff=True)
    user.groups.set([ensure_roles()[MODERATOR]])
    driver.delete_all_cookies()
    drain_requested_urls(driver)
    yield live_server.url
    assert_stayed_local(driver, live_server.url)


def _password(driver: WebDriver, office: str) -> list[dict[str, Any]]:
    login = load(driver, f"{office}/office/login/?next={THEN}")
    assert login.status == 200
    driver.find_element(By.ID, "id_username").send_keys("moderator")
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    return list(login.console)


def test_a_moderator_sets_up_an_app_and_signs_in_with_its_code(
    driver: WebDriver, office: str
) -> None:
    console = _password(driver, office)
    wait_loaded(driver, "/office/signin/enrol/")
    console += driver.get_log("browser")

    # the QR code is drawn in the page itself; the key is there as text
    qr = driver.find_element(By.CSS_SELECTOR, "#totp-qr svg")
    assert qr.size["width"] >= 100 and qr.size["height"] >= 100
    assert not driver.find_elements(By.CSS_SELECTOR, "#totp-qr img")
    secret = driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
    key = b32decode(secret)
    assert key == TOTPDevice.objects.get(user__username="moderator").bin_key
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "signin-enrol-nojs.png"))

    # a wrong code first: the page says so and nothing is set up
    driver.find_element(By.ID, "id_code").send_keys("000000")
    driver.find_element(By.CSS_SELECTOR, "#signin-form [type=submit]").click()
    # the same address before and after: wait for the answer's error list, then the load
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".errorlist"))
    wait_loaded(driver, "/office/signin/enrol/")
    assert driver.find_element(By.ID, "id_code").get_attribute("value") == ""  # not echoed
    wrong = console_problems(driver.get_log("browser"))  # the refused code is a 400, and only that
    assert all("status of 400" in p for p in wrong), wrong
    assert not TOTPDevice.objects.get(user__username="moderator").confirmed
    time.sleep(1.2)  # django-otp's wait after a wrong code

    driver.find_element(By.ID, "id_code").send_keys(f"{totp(key):06d}")
    driver.find_element(By.CSS_SELECTOR, "#signin-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "backup-codes"))
    codes = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#backup-codes li")]
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    console += driver.get_log("browser")
    driver.find_element(By.ID, "signin-continue").click()
    wait_loaded(driver, THEN)
    console += driver.get_log("browser")

    # signed out (the admin's log-out button is a form), then in again: password and code
    driver.find_element(By.CSS_SELECTOR, "#logout-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/office/logout/" in d.current_url)
    assert load(driver, f"{office}{THEN}").status == 302 or "/office/login/" in driver.current_url
    console += _password(driver, office)
    wait_loaded(driver, "/office/signin/verify/")
    # the code of the next 30-second step (the enrolment's code is never taken twice)
    clock = TOTP(key)
    clock.time = time.time() + 30
    driver.find_element(By.ID, "id_code").send_keys(f"{clock.token():06d}")
    driver.find_element(By.CSS_SELECTOR, "#signin-form [type=submit]").click()
    wait_loaded(driver, THEN)
    assert driver.find_element(By.CSS_SELECTOR, "h1").text
    console += driver.get_log("browser")
    assert not console_problems(console), console_problems(console)


def test_the_sign_in_helper_of_other_browser_tests_types_a_code(
    driver: WebDriver, office: str
) -> None:
    """tests.backoffice.signin_support.sign_in_in_browser: password and code, then the page."""
    sign_in_in_browser(driver, office, "moderator", PASSWORD, THEN)
    assert TOTPDevice.objects.get(user__username="moderator").confirmed
    assert driver.find_element(By.CSS_SELECTOR, "h1").text
    assert not console_problems(driver.get_log("browser"))
