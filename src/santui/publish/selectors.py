"""Cached public figures. The cache key carries the integrated size, so a new integration is
visible at once and nothing needs invalidating."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache

from santui.tally.selectors import integrated_size, stats_document

CACHE_SECONDS = 300


def public_stats(*, date_from: dt.date | None, date_to: dt.date | None) -> dict[str, Any]:
    size = integrated_size()
    key = f"stats:v1:{size}:{date_from}:{date_to}"
    doc: dict[str, Any] | None = cache.get(key)
    if doc is None:
        doc = stats_document(date_from=date_from, date_to=date_to, public=True)
        cache.set(key, doc, CACHE_SECONDS)
    return doc
