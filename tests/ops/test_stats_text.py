"""Issue 16: `santui stats` prints times in the reporting time zone, and names it (before, it
printed the UTC time of the last integration beside the reporting zone's name)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _stats(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def integrated() -> None:
    noon = dt.datetime(2005, 4, 20, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    AcceptedStatementFactory(headcount=3, received_at=noon)
    tally_integrate()
    # 20:30 UTC on 31 December: already 1 January in Shanghai, still 31 December in New York.
    IntegrationState.objects.filter(pk=1).update(
        integrated_at=dt.datetime(2025, 12, 31, 20, 30, 5, tzinfo=UTC)
    )


def test_as_of_is_in_the_reporting_zone_it_names(integrated: None) -> None:
    text = _stats()
    assert "as of 2026-01-01 04:30:05 Asia/Shanghai (UTC+08:00)" in text
    assert "reporting days in Asia/Shanghai" in text
    assert "+00:00" not in text and "T20:30" not in text
    with override_settings(SANTUI_REPORTING_TZ="America/New_York"):
        text = _stats()
    assert "as of 2025-12-31 15:30:05 America/New_York (UTC-05:00)" in text
    with override_settings(SANTUI_REPORTING_TZ="Asia/Kolkata"):
        assert "as of 2026-01-01 02:00:05 Asia/Kolkata (UTC+05:30)" in _stats()


def test_the_json_document_is_unchanged(integrated: None) -> None:
    import json

    doc = json.loads(_stats("--json"))
    assert doc["as_of"] == "2025-12-31T20:30:05+00:00" and doc["timezone"] == "Asia/Shanghai"


def test_the_next_release_is_due_in_the_reporting_zone(integrated: None) -> None:
    text = _stats("release")
    due = [line for line in text.splitlines() if line.startswith("next release:")]
    assert due, text
    assert re.search(r"due \d{4}-\d\d-\d\d 00:00:00 Asia/Shanghai \(UTC\+08:00\)$", due[0]), due
    released = [line for line in text.splitlines() if line.startswith("released ")]
    assert released and released[0].endswith("Asia/Shanghai (UTC+08:00)"), text


def test_nothing_integrated_yet_says_never() -> None:
    IntegrationState.objects.filter(pk=1).update(integrated_at=None)
    assert "as of never" in _stats()
