"""Django's Redis cache with one redis-py client per server, kept, instead of a new one for
every cache call.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` makes a ``redis.Redis`` for
each operation (its connection pool is kept): building one costs more CPU than the command it
sends. The public form asks the cache four times a statement (the door's counter and the flood
flag), about 4 % of a worker's CPU per receipt under load (docs/benchmarks.md, "The public form
under load"). A ``redis.Redis`` over a connection pool is safe to share between threads
(redis-py's documentation); the pool and everything else stay Django's.

``incr`` is one script run by the server: Django's sends EXISTS, then INCRBY (two round trips of
the door's four), and a counter that expires between the two comes back as a new one that never
expires (INCRBY makes a missing key without a time to live). The rate limiter calls ``incr`` for
every POST of the form after its first.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# Django's contract: a missing key is an error (nil here), never a new counter.
_INCR_EXISTING = (
    "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end "
    "return false"
)


class _KeptClients(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr: Any = None  # redis-py's Script: its SHA-1, run with any client

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own choice of server (the first for writes), not in django-stubs
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:  # a race makes two, one is kept: both work
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    def incr(self, key: Any, delta: int) -> Any:
        client = self.get_client(key, write=True)
        if self._incr is None:  # EVALSHA, loading the script again if the server lost it
            self._incr = client.register_script(_INCR_EXISTING)
        value = self._incr(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class KeptClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _KeptClients
