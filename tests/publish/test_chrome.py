"""The site's header, written once per language and page (santui.publish.templatetags.chrome):
the same markup as writing it for each response, the current page marked, the address to come
back to escaped and put in on each response."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.test.utils import override_settings

from santui.publish.templatetags import chrome

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'<header class="site">(.*?)</header>', re.S)
PAGES = ["/", "/declare/", "/receipt/", "/stats/", "/statements/", "/methodology/", "/data/"]


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    chrome._written.clear()
    yield
    chrome._written.clear()


def _header(client: Client, path: str, lang: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, path
    found = HEADER.search(response.content.decode())
    assert found, path
    return found.group(1)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_a_kept_header_is_the_header_written_for_the_response(lang: str) -> None:
    client = Client()
    with override_settings(DEBUG=True):  # written each time
        fresh = {path: _header(client, path, lang) for path in PAGES}
    assert not chrome._written
    kept = {path: _header(client, path, lang) for path in PAGES}
    assert chrome._written  # kept this time
    again = {path: _header(client, path, lang) for path in PAGES}
    assert fresh == kept == again


def test_each_page_marks_its_own_link_and_languages_do_not_mix() -> None:
    client = Client()
    declare = _header(client, "/declare/", "en")
    receipt = _header(client, "/receipt/", "en")
    assert re.search(r'href="/declare/" aria-current="page">Declare<', declare)
    assert not re.search(r'href="/receipt/" aria-current="page"', declare)
    assert re.search(r'href="/receipt/" aria-current="page">Check a receipt<', receipt)
    hant = _header(client, "/declare/", "zh-Hant")
    assert 'value="zh-hant" aria-current="true"' in hant
    assert 'value="en" aria-current="true"' in _header(client, "/declare/", "en")
    assert ">Declare<" not in hant


def test_the_address_to_come_back_to_is_each_responses_own_and_escaped() -> None:
    client = Client()
    # A query string reaches the page percent-encoded but for characters such as & and ':
    # those must be escaped in the attribute.
    hostile = "/statements/?q=it's&day=2024-01-01"
    header = _header(client, hostile, "en")
    back = re.search(r'name="next" value="([^"]*)"', header)
    assert back and back.group(1) == "/statements/?q=it&#x27;s&amp;day=2024-01-01"
    assert html.unescape(back.group(1)) == hostile
    plain = _header(client, "/statements/", "en")
    assert re.search(r'name="next" value="/statements/"', plain)
    # the rest of the header is the same
    assert header.replace(back.group(1), "/statements/") == plain
