"""The office's Content-Security-Policy: the Django admin's own static scripts may run there
(``script-src 'self'``, santui.backoffice.csp), and nothing of theirs is inline; public pages
still allow no script at all (tests/publish/test_csp.py holds their whole policy)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from santui.backoffice.roles import ADMINISTRATOR
from tests.backoffice.test_backoffice import staff
from tests.factories import ReceivedStatementFactory

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/stats/", "/statements/", "/declare/", "/methodology/", "/api/v1/stats"]
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.I | re.S)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:|<style\b|\sstyle\s*=", re.I)


def _policy(header: str) -> dict[str, str]:
    directives = [d.strip() for d in header.split(";") if d.strip()]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in directives}


def _office_pages() -> list[str]:
    statement = ReceivedStatementFactory()
    return [
        "/office/",
        "/office/statements/",
        "/office/statements/statement/",
        "/office/statements/statement/?status__exact=held",
        "/office/statements/statement/add/",
        f"/office/statements/statement/{statement.pk}/change/",
        "/office/statements/statuschange/",
        "/office/screening/alert/",
        "/office/tally/loopstate/",
        "/office/auth/user/",
        "/office/auth/user/add/",
        "/office/jsi18n/",
    ]


def test_office_responses_allow_the_sites_own_scripts_and_nothing_else() -> None:
    client = staff(ADMINISTRATOR)
    for url in _office_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        header = response["Content-Security-Policy"]
        policy = _policy(header)
        assert policy["script-src"] == "'self'", url
        assert policy["default-src"] == "'none'" and policy["style-src"] == "'self'", url
        assert "unsafe" not in header and "*" not in header, url
        assert "Content-Security-Policy-Report-Only" not in response


def test_the_login_page_and_redirects_to_it_carry_it_too() -> None:
    for url in ("/office/login/", "/office/", "/office/statements/statement/"):
        response = Client().get(url)
        assert _policy(response["Content-Security-Policy"])["script-src"] == "'self'", url


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_keep_no_script_src(client: Client, url: str) -> None:
    for _ in range(2):  # rendered, then from the cache
        policy = _policy(client.get(url)["Content-Security-Policy"])
        assert "script-src" not in policy and policy["default-src"] == "'none'", url


def test_office_pages_have_no_inline_script_the_policy_would_refuse() -> None:
    """Every script is a file of this site, or JSON data (type application/json, which the
    policy does not govern); no event handler attribute, javascript: URL or inline style."""
    client = staff(ADMINISTRATOR)
    pages = [u for u in _office_pages() if not u.endswith("jsi18n/")] + ["/office/login/"]
    for url in pages:
        html = (client if url != "/office/login/" else Client()).get(url).content.decode()
        scripts = SCRIPT.findall(html)
        assert scripts, url  # the admin's scripts are there
        for attributes, body in scripts:
            src = re.search(r'\ssrc="([^"]+)"', attributes)
            if src:
                assert src.group(1).startswith("/") and not src.group(1).startswith("//"), url
                assert not body.strip(), url
            else:
                assert 'type="application/json"' in attributes, f"{url}: {attributes}"
        assert not INLINE_HANDLER.findall(html), f"{url}: {INLINE_HANDLER.findall(html)}"


def test_the_popup_response_has_no_inline_script() -> None:
    """Adding a user from a related-object popup answers with admin/popup_response.html."""
    client = staff(ADMINISTRATOR)
    response = client.post(
        "/office/auth/user/add/?_popup=1",
        {
            "username": "newcomer", "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1", "usable_password": "true", "_popup": "1",
        },
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "popup_response.js" in html
    for attributes, body in SCRIPT.findall(html):
        assert 'src="/' in attributes and not body.strip()
    assert _policy(response["Content-Security-Policy"])["script-src"] == "'self'"
