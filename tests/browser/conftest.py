"""Browser tests that sign in to the office with the password form alone run without the
second factor until they type a code (tests.backoffice.signin_support.sign_in_in_browser)."""

import pytest

from tests.backoffice.signin_support import password_only_for_other_browser_tests

_password_only_for_other_browser_tests = pytest.fixture(autouse=True)(
    password_only_for_other_browser_tests
)
