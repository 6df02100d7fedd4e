"""The shared cache: rate-limit counters and cached figures live in Redis when REDIS_URL is set.

Runs against the real Redis server named by SANTUI_TEST_REDIS_URL (scripts/test sets it)."""

import os
import re
import uuid
from collections.abc import Iterator

import pytest
import redis
from captcha.models import CaptchaStore
from django.core.cache import caches
from django.test import Client, override_settings

from santui.publish.selectors import public_stats
from santui.statements.models import Statement

REDIS_URL = os.environ.get("SANTUI_TEST_REDIS_URL", "")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not REDIS_URL, reason="SANTUI_TEST_REDIS_URL not set"),
]

ADDRESS = "192.0.2.44"


@pytest.fixture
def redis_cache() -> Iterator[str]:
    prefix = f"santui-test-{uuid.uuid4().hex}"
    config = {
        "default": {
            "BACKEND": "santui.config.rediscache.KeptClientRedisCache",  # production's
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=config):  # Django's test signals reset the cache handler
        assert type(caches["default"]).__name__ == "KeptClientRedisCache"
        yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_one_client_is_kept_and_shared_by_threads(redis_cache: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = caches["default"]
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("counter", 0)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: cache.incr("counter"), range(400)))
    assert cache.get("counter") == 400
    assert cache.get_many(["counter", "absent"]) == {"counter": 400}


def test_incr_is_one_command_keeps_the_expiry_and_never_makes_a_counter(
    redis_cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    sent: list[object] = []
    real = client.execute_command

    def counted(*args: object, **options: object) -> object:
        sent.append(args[0])
        return real(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    cache.add("window", 1, timeout=60)
    assert cache.incr("window") == 2  # the script's first run may load it
    sent.clear()
    assert cache.incr("window") == 3
    assert cache.incr("window", 5) == 8
    assert len(sent) == 2  # one round trip each (Django's incr: EXISTS, then INCRBY)
    key = cache.make_key("window")
    assert 0 < redis.Redis.from_url(REDIS_URL).ttl(key) <= 60  # still expires
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert not redis.Redis.from_url(REDIS_URL).exists(cache.make_key("never-set"))
    # the server forgot its scripts (a restart): loaded again, no error
    redis.Redis.from_url(REDIS_URL).script_flush()
    assert cache.incr("window") == 9


def _keys(prefix: str) -> list[bytes]:
    return list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}*"))


def test_figures_are_cached_in_redis(redis_cache: str) -> None:
    public_stats(date_from=None, date_to=None)
    assert any(b"stats:v2:" in key for key in _keys(redis_cache))


def valid_post() -> dict[str, object]:
    return {
        "text": "我声明退出少先队", "organizations": ["pioneers"], "name": "",
        "name_kind": "anonymous", "province": "210000", "city": "", "country": "", "sector": "",
        "current_party_member": "unknown", "headcount": "1",
    }  # fmt: skip


@override_settings(RATELIMIT_ENABLE=True, SANTUI_DECLARE_RATE="2/h")
def test_rate_limit_is_shared_between_processes_and_holds_no_address(redis_cache: str) -> None:
    # Two clients stand for two server processes: the counter is in Redis, so they share it.
    first, second = Client(REMOTE_ADDR=ADDRESS), Client(REMOTE_ADDR=ADDRESS)
    assert first.post("/declare/", valid_post()).status_code == 200
    assert second.post("/declare/", valid_post()).status_code == 200
    # Over the shared count the form asks for the challenge (santui.intake.door), not a 429.
    over = first.post("/declare/", valid_post())
    assert over.status_code == 400
    key = re.search(r'name="challenge_0" value="([0-9a-f]{40})"', over.content.decode())
    assert key, "no challenge asked"
    answer = CaptchaStore.objects.get(hashkey=key.group(1)).response
    answered = {**valid_post(), "challenge_0": key.group(1), "challenge_1": answer}
    assert second.post("/declare/", answered).status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.45").post("/declare/", valid_post()).status_code == 200
    assert Statement.objects.count() == 4
    server = redis.Redis.from_url(REDIS_URL)
    keys = _keys(redis_cache)
    assert keys, "the rate limiter wrote nothing to Redis"
    for key in keys:
        assert ADDRESS.encode() not in key
        value = server.dump(key) or b""
        assert ADDRESS.encode() not in value
