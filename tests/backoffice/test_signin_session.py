"""Staff sessions: signed out after SANTUI_STAFF_IDLE_MINUTES without a request or
SANTUI_STAFF_SESSION_HOURS after the sign-in; a fresh code before sensitive actions (bulk reads
of personal data, bulk decisions, office jobs, user management) (santui.backoffice.signin)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.backoffice.roles import ADMINISTRATOR, MODERATOR, ensure_roles
from santui.backoffice.signin import CONFIRMED_AT, LAST_SEEN
from tests.backoffice.signin_support import code_for, totp_device, verify_session

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
MINUTE = 60.0


def _staff(username: str = "mod", role: str = MODERATOR) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.is_superuser = role == ADMINISTRATOR
    user.save()
    user.groups.set([ensure_roles()[role]])
    return user


def _signed_in(user: User, **ago_minutes: float) -> Client:
    """A client signed in with a second factor; stamps ``ago_minutes`` in the past."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    Client.force_login(client, user)  # the conftest's: verified just now
    now = time.time()
    verify_session(client, user, **{k: now - m * MINUTE for k, m in ago_minutes.items()})
    return client


def _goes_to_login(client: Client, page: str = "/office/") -> bool:
    response = client.get(page)
    return response.status_code == 302 and response["Location"].startswith("/office/login/")


def test_an_idle_session_ends() -> None:
    user = _staff()
    idle = settings.SANTUI_STAFF_IDLE_MINUTES
    assert _signed_in(user, last_seen=idle - 1).get("/office/").status_code == 200
    client = _signed_in(user, last_seen=idle + 1)
    assert _goes_to_login(client)
    assert _goes_to_login(client)  # signed out: not just sent away once
    page = client.get("/office/login/").content.decode()
    assert "signed out after a time without activity" in page


def test_each_request_keeps_the_session_alive() -> None:
    user = _staff()
    client = _signed_in(user, last_seen=settings.SANTUI_STAFF_IDLE_MINUTES - 1)
    before = time.time()
    assert client.get("/office/").status_code == 200
    assert client.session[LAST_SEEN] >= before


def test_a_session_ends_after_its_maximum_length_even_when_busy() -> None:
    user = _staff()
    hours = settings.SANTUI_STAFF_SESSION_HOURS
    client = _signed_in(user, signed_in_at=hours * 60 + 1, last_seen=1)
    assert _goes_to_login(client)
    assert "maximum length" in client.get("/office/login/").content.decode()
    assert hours * 3600 == settings.SESSION_COOKIE_AGE  # the cookie lives no longer


def test_a_session_without_sign_in_times_is_not_trusted() -> None:
    user = _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    del session["santui_signed_in_at"]
    session.save()
    assert _goes_to_login(client)


SENSITIVE_GETS = ("/office/queue/", "/office/queue/reason/same_person/", "/office/invalidate/",
                  "/office/auth/user/", "/office/auth/group/")  # fmt: skip
OPEN_GETS = ("/office/", "/office/jobs/", "/office/statements/statement/", "/office/review/")


def test_sensitive_pages_ask_for_a_fresh_code() -> None:
    admin = _staff("boss", ADMINISTRATOR)
    stale = settings.SANTUI_STAFF_REAUTH_MINUTES + 1
    client = _signed_in(admin, confirmed_at=stale)
    for page in OPEN_GETS:
        assert client.get(page).status_code == 200, page
    for page in SENSITIVE_GETS:
        response = client.get(page)
        assert response.status_code == 302, page
        location = urlsplit(response["Location"])
        assert location.path == "/office/signin/confirm/", page
        assert parse_qs(location.query)["next"] == [page]
    fresh = _signed_in(admin, confirmed_at=settings.SANTUI_STAFF_REAUTH_MINUTES - 1)
    for page in SENSITIVE_GETS:
        assert fresh.get(page).status_code == 200, page


def test_sensitive_posts_ask_for_a_fresh_code_and_change_nothing() -> None:
    admin = _staff("boss", ADMINISTRATOR)
    client = _signed_in(admin, confirmed_at=settings.SANTUI_STAFF_REAUTH_MINUTES + 1)
    referer = "http://testserver/office/queue/reason/same_person/?page=1"
    for page, data in (
        ("/office/queue/", {"scope": "all", "accept": "1"}),
        ("/office/invalidate/", {"channel": "web"}),
        ("/office/jobs/1/cancel/", {}),
        ("/office/statements/statement/", {"action": "accept_selected", "_selected_action": "1"}),
        ("/office/signin/backup-codes/", {}),
        ("/office/auth/user/add/", {"username": "intruder", "password1": "x", "password2": "x"}),
    ):
        response = client.post(page, data, HTTP_REFERER=referer)
        assert response.status_code == 302, page
        location = urlsplit(response["Location"])
        assert location.path == "/office/signin/confirm/", page
        assert parse_qs(location.query)["next"] == ["/office/queue/reason/same_person/?page=1"]
    assert not User.objects.filter(username="intruder").exists()
    # a referer from elsewhere is not followed back
    other = client.post("/office/invalidate/", {}, HTTP_REFERER="https://evil.example/x")
    assert parse_qs(urlsplit(other["Location"]).query)["next"] == ["/office/invalidate/"]


def test_the_confirmation_takes_a_code_and_leads_back() -> None:
    user = _staff()
    device = totp_device(user)
    client = _signed_in(user, confirmed_at=settings.SANTUI_STAFF_REAUTH_MINUTES + 1)
    page = client.get("/office/signin/confirm/?next=/office/queue/")
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    assert client.post("/office/signin/confirm/", {"code": "x" * 40}).status_code == 400
    time.sleep(1.1)  # django-otp's wait after a wrong code
    # the next step's code (the app one step ahead is accepted, and no code is taken twice)
    code = code_for(device, at=time.time() + device.step)
    done = client.post("/office/signin/confirm/", {"code": code, "next": "/office/queue/"})
    assert done.status_code == 302 and done["Location"] == "/office/queue/"
    assert client.get("/office/queue/").status_code == 200
    assert client.session[CONFIRMED_AT] > time.time() - 5


def test_confirming_needs_a_verified_session_first() -> None:
    user = _staff()
    totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/office/login/", {"username": "mod", "password": PASSWORD})
    response = client.get("/office/signin/confirm/")
    assert response["Location"].startswith("/office/signin/verify/")
    assert (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get("/office/signin/confirm/")["Location"]
        .startswith("/office/login/")
    )


@given(idle=st.floats(0, 24 * 60), age=st.floats(0, 24 * 60), confirmed=st.floats(0, 120))
@hsettings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_queue_opens_only_within_every_limit(idle: float, age: float, confirmed: float) -> None:
    """Whatever the stamps: the held queue (personal data for a moderator) opens exactly when
    the session is neither idle, nor too old, nor unconfirmed for too long."""
    user = User.objects.filter(username="prop").first() or _staff("prop")
    idle = min(idle, age)  # the last request came after the sign-in
    client = _signed_in(user, last_seen=idle, signed_in_at=age, confirmed_at=min(confirmed, age))
    response = client.get("/office/queue/")
    margin = 0.05  # minutes: the stamps and the check are a few milliseconds apart
    limits = (
        (idle, settings.SANTUI_STAFF_IDLE_MINUTES),
        (age, settings.SANTUI_STAFF_SESSION_HOURS * 60),
        (min(confirmed, age), settings.SANTUI_STAFF_REAUTH_MINUTES),
    )
    if any(abs(value - limit) < margin for value, limit in limits):
        return
    alive = (
        idle < settings.SANTUI_STAFF_IDLE_MINUTES and age < settings.SANTUI_STAFF_SESSION_HOURS * 60
    )
    fresh = min(confirmed, age) < settings.SANTUI_STAFF_REAUTH_MINUTES
    if not alive:
        assert response["Location"].startswith("/office/login/")
    elif not fresh:
        assert response["Location"].startswith("/office/signin/confirm/")
    else:
        assert response.status_code == 200
