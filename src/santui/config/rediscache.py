"""Django's Redis cache with one redis-py client per server, kept, instead of a new one for
every cache call.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` makes a ``redis.Redis`` for
each operation (its connection pool is kept): building one costs more CPU than the command it
sends. The public form asks the cache four times a statement (the door's counter and the flood
flag), about 4 % of a worker's CPU per receipt under load (docs/benchmarks.md, "The public form
under load"). A ``redis.Redis`` over a connection pool is safe to share between threads
(redis-py's documentation); the pool and everything else stay Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _KeptClients(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own choice of server (the first for writes), not in django-stubs
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:  # a race makes two, one is kept: both work
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _KeptClients
