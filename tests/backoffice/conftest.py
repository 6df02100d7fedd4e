from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.backoffice.signin_support import (
    force_login_with_a_second_factor,
    password_only_for_other_browser_tests,
)


@pytest.fixture(autouse=True)
def _no_rest_between_chunks() -> Iterator[None]:
    """The job runner rests after each chunk on SQLite (santui.backoffice.jobs.pause_after);
    the tests' chunks are tiny and nothing else writes: no rest. test_jobs checks the rest."""
    before = settings.SANTUI_OFFICE_JOB_PAUSE
    settings.SANTUI_OFFICE_JOB_PAUSE = 0.0
    yield
    settings.SANTUI_OFFICE_JOB_PAUSE = before


@pytest.fixture(autouse=True)
def _force_login_with_a_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login`` here signs in as a person who typed their code just now;
    test_signin*.py sign in through the pages themselves."""
    force_login_with_a_second_factor(monkeypatch)


_password_only_for_other_browser_tests = pytest.fixture(autouse=True)(
    password_only_for_other_browser_tests
)
