"""Flood flags shared with the front door (santui.intake): set by the screener when it sees a
flood on a channel, read by the public form to ask for a challenge while the flood lasts.

The flags live in the shared cache (Redis in production, so every worker process sees them) and
expire by themselves; they name a channel, never a person or a connection.
"""

from __future__ import annotations

from django.core.cache import cache

_PREFIX = "santui:flood:"
DEFAULT_SECONDS = 30 * 60  # a flood flag lasts half an hour after the last flood statement


def flood_raise(*, channel: str, seconds: int = DEFAULT_SECONDS) -> None:
    """Mark ``channel`` as flooded for the next ``seconds`` (each new flood statement renews it)."""
    cache.set(_PREFIX + channel, 1, timeout=seconds)


def flood_clear(*, channel: str) -> None:
    cache.delete(_PREFIX + channel)


def flood_active(*, channel: str) -> bool:
    """Whether the screener saw a flood on ``channel`` lately."""
    return bool(cache.get(_PREFIX + channel))
