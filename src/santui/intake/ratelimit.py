"""Rate-limit keys that never hold a client address.

The bucket key is HMAC(instance key, day || address): it changes every day (so buckets cannot be
linked across days) and cannot be reversed to the address without the key. Only the rate limiter
sees it, in the cache, for the length of its window.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from santui.statements.crypto import keyed_hash


def rotating_client_key(group: str, request: HttpRequest) -> str:
    day = dt.datetime.now(dt.UTC).date().isoformat()
    address = request.META.get("REMOTE_ADDR", "")
    return keyed_hash("ratelimit", f"{day}|{group}|{address}".encode())
