"""Signing staff in for tests: a session verified by a second factor (santui.backoffice.signin).

``verify_session`` gives a test client's session what a real sign-in leaves there: the device
that verified it (a confirmed TOTP device, made when the account has none) and the sign-in,
activity and confirmation times. The back-office tests' ``force_login`` calls it (conftest)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from santui.backoffice.signin import CONFIRMED_AT, LAST_SEEN, SIGNED_IN_AT


def totp_device(user: User) -> TOTPDevice:
    """The account's confirmed app (made when it has none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def code_for(device: TOTPDevice, *, at: float | None = None) -> str:
    """The six digits the app shows: django-otp's own ``totp`` now, or its clock at ``at``."""
    if at is None:
        token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    else:
        clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        clock.time = at
        token = clock.token()
    return f"{token:0{device.digits}d}"


def verify_session(client: Client, user: User, **stamps: Any) -> None:
    """Mark the client's session as signed in with a second factor, just now."""
    device = totp_device(user)
    session = client.session
    now = time.time()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = stamps.get("signed_in_at", now)
    session[LAST_SEEN] = stamps.get("last_seen", now)
    session[CONFIRMED_AT] = stamps.get("confirmed_at", now)
    session.save()


def sign_in_in_browser(driver: Any, base: str, username: str, password: str, then: str) -> None:
    """Through the pages, as a person does: the password, then the app's code (the account's
    app, set up here when it has none). For browser tests of other office pages."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    device = totp_device(User.objects.get(username=username))
    driver.get(f"{base}/office/login/?next={then}")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/office/signin/verify/" in d.current_url)
    driver.find_element(By.ID, "id_code").send_keys(code_for(device))
    driver.find_element(By.CSS_SELECTOR, "#signin-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.split("?")[0].endswith(then))


def password_only_for_other_browser_tests(request: Any) -> Iterator[None]:
    """Browser tests of other office pages that sign in with the password form alone (written
    before the second factor) run with SANTUI_STAFF_REQUIRE_2FA off until they use
    ``sign_in_in_browser``; a module with ``SIGN_IN_WITH_TWO_FACTORS = True`` keeps it on."""
    if "live_server" not in request.fixturenames or getattr(
        request.module, "SIGN_IN_WITH_TWO_FACTORS", False
    ):
        yield
        return
    from django.test import override_settings

    with override_settings(SANTUI_STAFF_REQUIRE_2FA=False):
        yield


def force_login_with_a_second_factor(monkeypatch: Any) -> None:
    """``client.force_login`` signs in as a person who typed their code just now: every office
    page wants a session verified by a second factor (santui.backoffice.signin). Used as an
    autouse fixture by the conftests of test directories that open office pages."""
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
