"""404, 403 and 500 pages in the site's design and the visitor's language (santui.config.errors,
santui.publish's 404.html and 500.html), with DEBUG off as in production.

The 500 page is rendered without the database: these tests have no database access at all
(pytest-django refuses any query), so a page that needed one would fail them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver

from santui.config import errors

LANGUAGES = {
    "zh-hans": ("zh-Hans", "页面不存在", "服务器出了问题"),
    "zh-hant": ("zh-Hant", "頁面不存在", "伺服器出了問題"),
    "en": ("en", "Page not found", "Something went wrong on our side"),
}


def _client(language: str, **kwargs: Any) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, **kwargs)


def test_the_site_names_its_handlers() -> None:
    resolver = get_resolver("santui.config.urls")
    assert resolver.resolve_error_handler(500) is errors.server_error
    assert resolver.resolve_error_handler(404).__name__ == "page_not_found"


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_missing_page_is_a_404_in_the_sites_design_and_language(language: str) -> None:
    lang, title, _server = LANGUAGES[language]
    response = _client(language).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html
    assert '<header class="site">' in html and "site.css" in html  # the site's design
    assert 'href="/"' in html  # a way on
    assert "<script" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_404_follows_the_language_cookie() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "zh-hant"
    html = client.get("/no-such-page/").content.decode()
    assert "頁面不存在" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title"),
    [("zh-hans", "无权访问"), ("zh-hant", "無權存取"), ("en", "Not allowed")],
)
@pytest.mark.urls("tests.publish.error_urls")
@override_settings(DEBUG=False)
def test_a_refusal_is_a_403_in_the_sites_design_and_language(language: str, title: str) -> None:
    response = _client(language).get("/test-refused/")
    assert response.status_code == 403
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html and '<header class="site">' in html


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.urls("tests.publish.error_urls")
@override_settings(DEBUG=False)
def test_a_database_away_is_a_503_in_the_sites_design_and_language(language: str) -> None:
    """Not a 500: the visitor is told to come back (santui.config.unavailable)."""
    lang, _title, _said = LANGUAGES[language]
    response = _client(language, raise_request_exception=False).get("/test-database-down/")
    assert response.status_code == 503
    assert response.has_header("Retry-After")
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert '<header class="site">' in html and "site.css" in html
    assert "database is down" not in html and "Traceback" not in html


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("url", ["/test-boom/"])
@pytest.mark.urls("tests.publish.error_urls")
@override_settings(DEBUG=False)
def test_a_server_error_is_a_500_in_the_sites_design_and_language(language: str, url: str) -> None:
    lang, _title, said = LANGUAGES[language]
    client = _client(language, raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert said in html
    assert '<header class="site">' in html and "site.css" in html
    assert "a bug" not in html and "database is down" not in html  # no detail shown
    assert "Traceback" not in html
    assert response["Cache-Control"] == "no-store"


@pytest.mark.urls("tests.publish.error_urls")
@override_settings(DEBUG=False)
def test_a_malformed_language_header_still_gets_the_page() -> None:
    for header in ("\x00\xff;q=abc", "x" * 10_000, "zh-hant;q=2;;,,", "*"):
        response = _client(header, raise_request_exception=False).get("/test-boom/")
        assert response.status_code == 500
        assert "<h1>" in response.content.decode()


@pytest.mark.urls("tests.publish.error_urls")
@override_settings(DEBUG=False)
def test_when_even_the_template_fails_the_fallback_page_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(name: str) -> Any:
        raise ValueError("missing static manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = _client("zh-hant", raise_request_exception=False).get("/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "伺服器出錯" in html and "服务器出错" in html and "Server error" in html
    assert "manifest" not in html
