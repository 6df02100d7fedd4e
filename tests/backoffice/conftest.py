from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _no_rest_between_chunks() -> Iterator[None]:
    """The job runner rests after each chunk on SQLite (santui.backoffice.jobs.pause_after);
    the tests' chunks are tiny and nothing else writes: no rest. test_jobs checks the rest."""
    before = settings.SANTUI_OFFICE_JOB_PAUSE
    settings.SANTUI_OFFICE_JOB_PAUSE = 0.0
    yield
    settings.SANTUI_OFFICE_JOB_PAUSE = before
