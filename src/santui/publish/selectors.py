"""Cached public figures. Read-only. The cache keys carry the integrated size, so a new
integration is visible at once and nothing needs invalidating."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache

from santui.tally import log
from santui.tally.disclosure.read import latest
from santui.tally.selectors import integrated_size, stats_document
from santui.tlog import note

CACHE_SECONDS = 300
AVERAGE_DAYS = 7


def public_stats(
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    period: str | None = None,
    breakdowns: bool = True,
) -> dict[str, Any]:
    """The public stats document (docs/stats-format.md): breakdowns of released periods only
    (docs/disclosure.md). Raises PeriodUnavailable when no released period answers."""
    size = integrated_size()
    key = f"stats:v2:{size}:{latest()}:{date_from}:{date_to}:{period}:{breakdowns}"
    doc: dict[str, Any] | None = cache.get(key)
    if doc is None:
        doc = stats_document(
            date_from=date_from,
            date_to=date_to,
            public=True,
            period=period,
            breakdowns=breakdowns,
        )
        cache.set(key, doc, CACHE_SECONDS)
    return doc


def _log_vkey(checkpoint: note.Note) -> str | None:
    """The log's verifier key, if the key file is there and signed this checkpoint. Never makes
    a key: a public page must not write one."""
    if not settings.SANTUI_LOG_KEY_FILE.exists():
        return None
    verifier = log.log_signer().verifier
    try:
        note.verify(checkpoint, verifier)
    except note.NoteError:
        return None
    return verifier.vkey


def latest_checkpoint() -> dict[str, Any] | None:
    """The latest signed checkpoint as the public pages show it, with the log's verifier key."""
    size = integrated_size()
    key = f"checkpoint:v1:{size}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        checkpoint = log.latest_checkpoint()
        if checkpoint is None:
            return None
        signed = note.parse(checkpoint.note)
        found = {
            "size": checkpoint.size,
            "root": base64.b64encode(bytes(checkpoint.root)).decode(),
            "signed_at": checkpoint.signed_at,
            "origin": signed.text.split("\n", 1)[0],
            "key_name": signed.signatures[0].name,
            "key_id": signed.signatures[0].key_id.hex(),
            "vkey": _log_vkey(signed),
        }
        cache.set(key, found, CACHE_SECONDS)
    return found


def home_figures(*, today: dt.date) -> dict[str, Any]:
    """What the home page shows: totals, today's persons and the average of the complete days
    before it, the latest milestone and when the figures were integrated.

    The average is the mean of persons per day over the ``AVERAGE_DAYS`` complete days before
    ``today`` (days without statements count as 0); today is not complete, so it is left out.
    """
    size = integrated_size()
    key = f"home:v1:{size}:{today.isoformat()}"
    figures: dict[str, Any] | None = cache.get(key)
    if figures is None:
        # totals and the daily series only: the page shows no breakdown (building the
        # released breakdown cost more than the rest of the document, issue 15)
        doc = public_stats(date_from=None, date_to=None, breakdowns=False)
        by_day = {d["date"]: d["persons"] for d in doc["daily"]}
        week = [today - dt.timedelta(days=n) for n in range(AVERAGE_DAYS, 0, -1)]
        figures = {
            "persons": doc["persons"],
            "organizations": doc["organizations"],
            "today": today,
            "today_persons": by_day.get(today.isoformat(), 0),
            "average_from": week[0],
            "average_to": week[-1],
            "average": sum(by_day.get(day.isoformat(), 0) for day in week) / AVERAGE_DAYS,
            "milestone": doc["milestones"][-1] if doc["milestones"] else None,
            "as_of": doc["as_of"],
            "timezone": doc["timezone"],
            "log_size": doc["log_size"],
        }
        cache.set(key, figures, CACHE_SECONDS)
    return figures
