"""Some statement tests go through the real office pages (``force_login``): the session is
verified by a second factor, as after a real sign-in (tests.backoffice.signin_support)."""

import pytest

from tests.backoffice.signin_support import force_login_with_a_second_factor


@pytest.fixture(autouse=True)
def _force_login_with_a_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    force_login_with_a_second_factor(monkeypatch)
