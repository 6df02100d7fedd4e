"""Staff sign-in: two steps (password, then an app's code or a backup code), enrolment, and the
second factor required before any office page (santui.backoffice.twofactor, .signin)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.backoffice.admin import site
from santui.backoffice.roles import ADMINISTRATOR, MODERATOR, ensure_roles
from santui.backoffice.twofactor import BACKUP_CODES, check_code
from tests.backoffice.signin_support import code_for, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
OFFICE_PAGES = (
    "/office/",
    "/office/queue/",
    "/office/invalidate/",
    "/office/jobs/",
    "/office/review/",
    "/office/statements/statement/",
    "/office/auth/user/",
    "/office/signin/backup-codes/",
    "/office/signin/confirm/",
)


def _staff(username: str = "mod", role: str = MODERATOR) -> User:
    groups = ensure_roles()
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.is_superuser = role == ADMINISTRATOR
    user.save()
    user.groups.set([groups[role]])
    return user


def _password_step(client: Client, username: str = "mod", then: str = "/office/queue/") -> str:
    response = client.post(
        f"/office/login/?next={then}", {"username": username, "password": PASSWORD, "next": then}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def test_a_password_alone_reaches_no_office_page() -> None:
    _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    location = _password_step(client)
    assert location.startswith("/office/signin/enrol/")
    assert parse_qs(urlsplit(location).query)["next"] == ["/office/queue/"]
    for page in OFFICE_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/office/signin/enrol/"), page
    # a POST is turned away the same way, before the view
    assert client.post("/office/invalidate/", {"cancel": "1"}).status_code == 302
    # and so is every list and add page of every model the office site has
    for model in site._registry:
        for page in ("changelist", "add"):
            url = reverse(f"office:{model._meta.app_label}_{model._meta.model_name}_{page}")
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/office/signin/enrol/"), url


def test_with_an_app_the_password_leads_to_the_code_and_nowhere_else() -> None:
    user = _staff()
    totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _password_step(client).startswith("/office/signin/verify/")
    for page in OFFICE_PAGES:
        response = client.get(page)
        assert response["Location"].startswith("/office/signin/verify/"), page
    # enrolling a second app without the first one's code is not possible
    assert client.get("/office/signin/enrol/")["Location"].startswith("/office/signin/verify/")
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_cancel_on_the_second_step_signs_out() -> None:
    totp_device(_staff())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(_password_step(client)).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="signin-cancel">(.*?)</form>', page)
    assert form is not None  # a form: Django's logout takes POST only (a link got 405)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))
    assert token is not None
    assert client.post(form.group(1), {"csrfmiddlewaretoken": token.group(1)}).status_code == 200
    assert client.get("/office/signin/verify/")["Location"].startswith("/office/login/")


def test_wrong_codes_while_enrolling_count_towards_the_lockout(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_SIGNIN_MAX_FAILURES = 3
    _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _password_step(client).startswith("/office/signin/enrol/")
    for _ in range(2):
        assert client.post("/office/signin/enrol/", {"code": "000000"}).status_code == 400
    locked = client.post("/office/signin/enrol/", {"code": "000000"})
    assert locked.status_code == 302 and locked["Location"].startswith("/office/login/")


def test_enrolment_shows_an_inline_qr_code_and_the_key_then_backup_codes() -> None:
    user = _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(client)
    page = client.get("/office/signin/enrol/?next=/office/queue/")
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "<svg" in html and "<img" not in html.split('id="totp-qr"')[1].split("</div>")[0]
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    from base64 import b32decode

    assert b32decode(secret.group(1).replace(" ", "")) == device.bin_key
    # nothing from another host: every URL in the page is this site's, or the SVG namespace
    urls = re.findall(r'(?:src|href|action)="([^"]+)"', html)
    assert all(u.startswith(("/", "#", "?")) for u in urls), urls
    assert client.get("/office/signin/enrol/").content.decode().count(secret.group(1)) == 1
    assert TOTPDevice.objects.filter(user=user).count() == 1  # the same key on reload
    wrong = client.post("/office/signin/enrol/", {"code": "000000", "next": "/office/queue/"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    time.sleep(1.1)  # django-otp makes the device wait 1 s after a wrong code (then 2, 4, ...)
    done = client.post("/office/signin/enrol/", {"code": code_for(device), "next": "/x"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == BACKUP_CODES == len(set(codes))
    assert done["Cache-Control"].startswith("max-age=0") or "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/office/").status_code == 200


def test_the_code_completes_the_sign_in_and_a_replayed_code_does_not() -> None:
    user = _staff()
    device = totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(client)
    code = code_for(device)
    done = client.post("/office/signin/verify/", {"code": code, "next": "/office/jobs/"})
    assert done.status_code == 302 and done["Location"] == "/office/jobs/"
    assert client.get("/office/jobs/").status_code == 200
    # the same code again, in another sign-in: refused (django-otp keeps the last step used)
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(other)
    again = other.post("/office/signin/verify/", {"code": code})
    assert again.status_code == 400
    assert other.get("/office/")["Location"].startswith("/office/signin/verify/")


def test_a_backup_code_signs_in_once() -> None:
    user = _staff()
    totp_device(user)
    from santui.backoffice.twofactor import new_backup_codes

    codes = new_backup_codes(user)
    first = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(first)
    shown = codes[0][:4] + "-" + codes[0][4:].upper()  # as a person may type it
    assert first.post("/office/signin/verify/", {"code": shown}).status_code == 302
    assert first.get("/office/").status_code == 200
    second = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(second)
    assert second.post("/office/signin/verify/", {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=user).count() == BACKUP_CODES - 1


def test_new_backup_codes_replace_the_old_ones() -> None:
    user = _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # verified, confirmed just now (conftest)
    from santui.backoffice.twofactor import new_backup_codes

    old = new_backup_codes(user)
    page = client.get("/office/signin/backup-codes/").content.decode()
    assert f"{BACKUP_CODES} unused backup codes" in page
    made = client.post("/office/signin/backup-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", made)
    assert len(new) == BACKUP_CODES and not set(new) & set(old)
    assert check_code(user, new[1]) is not None and check_code(user, old[1]) is None


@pytest.mark.parametrize(
    "code",
    [
        "",
        "1" * 33,
        "x" * 100_000,
        "１２３４５６",  # full-width digits
        "12345\x00",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
    ],
)
def test_hostile_codes_are_refused_without_an_error(code: str) -> None:
    user = _staff()
    totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(client)
    response = client.post("/office/signin/verify/", {"code": code})
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()
    assert client.get("/office/")["Location"].startswith("/office/signin/verify/")


def test_a_wrongly_encoded_code_is_refused_without_an_error() -> None:
    user = _staff()
    totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _password_step(client)
    for body in (b"code=%ED%A0%80", b"code=%FF%FE%00", b"code=1&code=2"):
        response = client.post(
            "/office/signin/verify/", body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400, body


def test_hostile_sign_in_fields_are_refused_without_an_error() -> None:
    _staff()
    for data in (
        {"username": "mod\x00", "password": PASSWORD},
        {"username": "m" * 10_000, "password": PASSWORD},
        {"username": "mod", "password": "p" * 100_000},
        {"username": ["mod", "other"], "password": PASSWORD},
        {},
    ):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/office/login/", data)
        assert response.status_code == 400, data
    # a wrongly encoded body: the form sees no valid user name
    raw = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/office/login/",
        b"username=%FF%FE&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert raw.status_code == 400


def test_next_never_leads_off_the_site() -> None:
    user = _staff()
    device = totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    location = _password_step(client, then="https://evil.example/")
    assert "evil.example" not in location
    done = client.post(
        "/office/signin/verify/", {"code": code_for(device), "next": "//evil.example/x"}
    )
    assert done["Location"] == "/office/"


@given(code=st.text(max_size=40))
@hsettings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_code_but_the_current_one_or_a_backup_code_is_accepted(code: str) -> None:
    user = User.objects.get_or_create(username="prop", is_staff=True)[0]
    device = totp_device(user)
    device.throttle_reset()
    now = int(time.time())
    valid = {code_for(device, at=now + d) for d in (-30, 0, 30)}
    if code.strip() in valid:
        return
    assert check_code(user, code) is None


# --- santui staff ------------------------------------------------------------------------------


def test_staff_refuses_weak_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    for weak in ("111111111111", "password1234", "moderator-one!", "short"):
        monkeypatch.setattr("builtins.input", lambda weak=weak: weak)
        with pytest.raises(CommandError):
            call_command("staff", "moderator-one", "--role", "moderator", "--password-stdin")
    assert not User.objects.filter(username="moderator-one").exists()


def test_staff_resets_two_step_sign_in_and_ends_sessions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    from santui.backoffice.twofactor import new_backup_codes

    new_backup_codes(user)
    assert client.get("/office/").status_code == 200
    call_command("staff", "mod", "--reset-2fa")
    assert "2 devices removed, 1 sessions ended" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/office/")["Location"].startswith("/office/login/")
    # the next sign-in sets up a new app
    assert _password_step(Client(HTTP_ACCEPT_LANGUAGE="en")).startswith("/office/signin/enrol/")
    call_command("staff", "mod", "--show")
    assert "two-step sign-in not set up; locked no" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("staff", "nobody", "--reset-2fa")
    with pytest.raises(CommandError):
        call_command("staff", "mod")


@override_settings(SANTUI_STAFF_REQUIRE_2FA=False)
def test_without_the_requirement_a_password_alone_signs_in() -> None:
    """A development machine (SANTUI_STAFF_REQUIRE_2FA=0): an account without an app signs in
    with its password; one with an app still types its code."""
    _staff()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _password_step(client) == "/office/queue/"
    assert client.get("/office/").status_code == 200
    with_app = _staff("mod2")
    totp_device(with_app)
    skipping = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _password_step(skipping, "mod2").startswith("/office/signin/verify/")
    # and going straight to an office page does not skip the code
    assert skipping.get("/office/")["Location"].startswith("/office/signin/verify/")
