"""The strict Content-Security-Policy: sent everywhere, and nothing inline that it would block."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.test import Client

from santui.tally.actions import tally_integrate
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "santui"
TEMPLATES = sorted(p for p in SRC.glob("*/templates/**/*") if p.is_file())

PAGES = [
    "/", "/stats/", "/statements/", "/methodology/", "/data/", "/declare/", "/receipt/",
    "/api/v1/stats", "/api/v1/rejections", "/api/v1/openapi.json", "/log/checkpoint",
    "/no-such-page/",
]  # fmt: skip

# What the policy must say (settings.CONTENT_SECURITY_POLICY)
REQUIRED = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
}
INLINE = re.compile(r"<script\b|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I)


@pytest.fixture
def figures() -> None:
    AcceptedStatementFactory(headcount=12, publish=True)
    tally_integrate()


def _policy(header: str) -> dict[str, str]:
    directives = [d.strip() for d in header.split(";") if d.strip()]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in directives}


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_every_public_response_sends_the_strict_policy(
    figures: None, client: Client, url: str, language: str
) -> None:
    for _ in range(2):  # rendered, then from the cache
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        assert "unsafe-hashes" not in header and "*" not in header
        assert _policy(header) == REQUIRED, header
        assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.parametrize("url", PAGES)
def test_304_responses_send_it_too(figures: None, client: Client, url: str) -> None:
    for _ in range(3):
        minute = int(time.time() // 60)
        first = client.get(url)
        if "ETag" not in first:
            pytest.skip("not a cached response")
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        if int(time.time() // 60) == minute:
            break  # else the pages with live figures (refresh=60) have a new ETag: ask again
    assert again.status_code == 304
    assert _policy(again["Content-Security-Policy"]) == REQUIRED


def test_there_are_templates_to_scan() -> None:
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "home.html", "methodology.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_has_inline_script_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = INLINE.findall(text)
    assert not found, f"{path.relative_to(SRC)}: {found}"


@pytest.mark.parametrize("url", [u for u in PAGES if not u.startswith(("/api/", "/log/"))])
def test_rendered_pages_have_nothing_inline_and_load_only_from_this_site(
    figures: None, client: Client, url: str
) -> None:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert not INLINE.findall(html), url
    # what a browser would load or send to: only this site (links to elsewhere load nothing)
    for attribute, value in re.findall(r'\s(src|action|srcset|data|poster)="([^"]*)"', html):
        assert value.startswith(("/", "?", "#")) or value == "", f"{url}: {attribute}={value}"
    for href in re.findall(r"<link [^>]*href=\"([^\"]+)\"", html):
        assert href.startswith("/") and not href.startswith("//"), href
