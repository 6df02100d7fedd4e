"""Some statement tests go through the real office pages (``force_login``): the session is
verified by a second factor, as after a real sign-in (tests.backoffice.signin_support)."""

from collections.abc import Iterator

import pytest

from tests.backoffice.signin_support import force_login_with_a_second_factor
from tests.statements.migrations_support import to_latest


@pytest.fixture(autouse=True)
def _force_login_with_a_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    force_login_with_a_second_factor(monkeypatch)


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    """After a test that migrated back: the latest migrations again."""
    yield
    to_latest()
