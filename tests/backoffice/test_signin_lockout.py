"""Lockout after failed sign-ins, counted per account under a keyed hash, never by address
(santui.backoffice.signin): the lock, its message and end, codes counted too, the operator's
unlock, a lock shared by two server processes through Redis, and no address anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings

from santui.backoffice import signin
from santui.backoffice.roles import MODERATOR, ensure_roles
from tests.backoffice.signin_support import code_for, totp_device
from tests.privacy.test_no_ip_anywhere import (
    ADDRESSES,
    CLIENT_ADDRESS,
    FORWARDED_ADDRESS,
    cache_hits,
    capture_all_logging,
    database_hits,
    find_addresses,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
ROOT = Path(__file__).resolve().parents[2]


def _staff(username: str = "mod") -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.set([ensure_roles()[MODERATOR]])
    return user


def _try(username: str, password: str, client: Client | None = None) -> tuple[int, str]:
    response = (client or Client(HTTP_ACCEPT_LANGUAGE="en")).post(
        "/office/login/", {"username": username, "password": password}
    )
    return response.status_code, response.content.decode()


def _fail(username: str, times: int) -> None:
    for _ in range(times):
        assert _try(username, "wrong password!")[0] == 400


def test_five_failures_lock_the_account_with_a_clear_message() -> None:
    _staff()
    _fail("mod", settings.SANTUI_SIGNIN_MAX_FAILURES - 1)
    assert _try("mod", PASSWORD)[0] == 302  # four failures: still open
    # a right password alone does not reset the count (the second step does): one more
    # failure locks
    status, page = _try("mod", "wrong password!")
    assert status == 400 and "this account is locked for 15 more minutes" in page
    # the right password no longer helps, and the page says why
    status, page = _try("mod", PASSWORD)
    assert status == 400 and "locked" in page
    assert signin.locked_until("mod") is not None
    # another account is not affected
    _staff("other")
    assert _try("other", PASSWORD)[0] == 302


def test_the_lock_ends_after_its_period(monkeypatch: pytest.MonkeyPatch) -> None:
    _staff()
    _fail("mod", settings.SANTUI_SIGNIN_MAX_FAILURES)
    assert _try("mod", PASSWORD)[0] == 400
    later = time.time() + settings.SANTUI_SIGNIN_LOCKOUT_MINUTES * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the cache's own expiry reads it too
    assert signin.locked_until("mod") is None
    assert _try("mod", PASSWORD)[0] == 302


def test_the_name_is_folded_and_unknown_names_lock_the_same_way() -> None:
    _staff()
    for name in ("MOD", " mod", "Mod", "mod ", "mOd"):
        _try(name, "wrong password!")
    assert _try("mod", PASSWORD)[0] == 400
    # no telling a real account from an unknown one: both lock after the same failures
    _fail("nobody-here", settings.SANTUI_SIGNIN_MAX_FAILURES)
    status, page = _try("nobody-here", "anything at all")
    assert status == 400 and "locked" in page


def test_wrong_codes_count_and_lock_signs_out() -> None:
    user = _staff()
    device = totp_device(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _try("mod", PASSWORD, client)[0] == 302
    for _ in range(settings.SANTUI_SIGNIN_MAX_FAILURES - 1):
        assert client.post("/office/signin/verify/", {"code": "000000"}).status_code == 400
    last = client.post("/office/signin/verify/", {"code": "000000"})
    assert last.status_code == 302 and last["Location"] == "/office/login/"
    assert client.get("/office/")["Location"].startswith("/office/login/")  # signed out
    assert "locked" in client.get("/office/login/").content.decode()  # the message, once
    # the right password and the right code both wait for the lock
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _try("mod", PASSWORD, fresh)[0] == 400
    device.throttle_reset()
    assert signin.locked_until("mod") is not None
    call_command("staff", "mod", "--unlock")
    assert _try("mod", PASSWORD, fresh)[0] == 302
    done = fresh.post("/office/signin/verify/", {"code": code_for(device)})
    assert done.status_code == 302 and fresh.get("/office/").status_code == 200


def test_a_full_sign_in_clears_the_count() -> None:
    user = _staff()
    device = totp_device(user)
    _fail("mod", settings.SANTUI_SIGNIN_MAX_FAILURES - 1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _try("mod", PASSWORD, client)
    assert client.post("/office/signin/verify/", {"code": code_for(device)}).status_code == 302
    _fail("mod", settings.SANTUI_SIGNIN_MAX_FAILURES - 1)
    assert signin.locked_until("mod") is None


def test_no_address_is_stored_or_logged_by_sign_ins() -> None:
    user = _staff()
    device = totp_device(user)
    headers = {
        "REMOTE_ADDR": CLIENT_ADDRESS,
        "HTTP_X_FORWARDED_FOR": FORWARDED_ADDRESS,
        "HTTP_ACCEPT_LANGUAGE": "en",
    }
    with capture_all_logging() as logged:
        for _ in range(settings.SANTUI_SIGNIN_MAX_FAILURES):
            Client(**headers).post("/office/login/", {"username": "mod", "password": "nope!"})
        Client(**headers).post("/office/login/", {"username": "mod", "password": PASSWORD})
        locked_cache, locked_keys = cache_hits()
        assert any("signin:locked:" in key for key in locked_keys), locked_keys
        assert not locked_cache, locked_cache
        call_command("staff", "mod", "--unlock")
        client = Client(**headers)
        client.post("/office/login/", {"username": "mod", "password": PASSWORD})
        client.post("/office/signin/verify/", {"code": "123456"})
        time.sleep(1.1)  # the device's own wait after a wrong code
        client.post("/office/signin/verify/", {"code": code_for(device)})
        assert client.get("/office/", **headers).status_code == 200
    assert "locked after" in logged.text  # the lock was logged...
    assert not find_addresses(logged.text), "an address in the log"  # ...without an address
    hits, values = database_hits()
    assert values > 0 and not hits, hits
    cached, _keys = cache_hits()
    assert not cached, cached
    assert set(ADDRESSES) == {CLIENT_ADDRESS, FORWARDED_ADDRESS}


# --- across processes ----------------------------------------------------------------------------

REDIS_URL = os.environ.get("SANTUI_TEST_REDIS_URL", "")


@pytest.fixture
def shared_cache() -> Iterator[None]:
    """Redis as `santui serve` uses it with REDIS_URL (the same key prefix, so that another
    process started with REDIS_URL sees the same keys)."""
    if not REDIS_URL:
        pytest.skip("SANTUI_TEST_REDIS_URL not set")
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "santui",
        }
    }
    with override_settings(CACHES=config):
        assert type(caches["default"]).__name__ == "RedisCache"
        yield


def _other_process(code: str) -> str:
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "santui.config.settings.test",
        "PYTHONPATH": str(ROOT / "src"),
        "SANTUI_HOME": str(settings.SANTUI_HOME),  # the same instance key (keyed hashes)
    }
    run = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        env=env, capture_output=True, text=True, timeout=120, check=True, cwd=ROOT,
    )  # fmt: skip
    return run.stdout.strip()


def test_the_lock_is_shared_by_server_processes(shared_cache: None) -> None:
    name = f"lock-{uuid.uuid4().hex[:12]}"
    _staff(name)
    try:
        # three failures in another process, two here: the fifth locks
        _other_process(
            "from santui.backoffice.signin import record_failure\n"
            f"print([record_failure({name!r}) for _ in range(3)])"
        )
        _fail(name, 1)
        assert signin.locked_until(name) is None
        _fail(name, 1)
        assert signin.locked_until(name) is not None
        seen = _other_process(
            f"from santui.backoffice.signin import locked_until\nprint(locked_until({name!r}))"
        )
        assert seen != "None" and float(seen) > time.time()
        # and what Redis holds names neither the account nor an address
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter("santui:*signin:*"))
        assert keys and not any(name.encode() in k or find_addresses(k) for k in keys)
    finally:
        signin.unlock(name)
