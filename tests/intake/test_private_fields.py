"""Issue 12, secure defaults: the browser neither suggests nor remembers a declarant's name or
receipt code (a seized device's form history would show them), on every public form that asks
for one."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _input(html: str, name: str) -> str:
    found = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert len(found) == 1, (name, found)
    return found[0]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/declare/", "name"), ("/receipt/", "code"), ("/statements/", "name")],
)
def test_names_and_receipt_codes_are_not_autofilled(client: Client, path: str, field: str) -> None:
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'autocomplete="off"' in _input(html, field)


def test_the_receipt_code_is_not_spell_checked(client: Client) -> None:
    """Browsers send spell-checked words to a service of their maker's in some set-ups."""
    html = client.get("/receipt/").content.decode()
    assert 'spellcheck="false"' in _input(html, "code")
