"""santui.config.unavailable: a database or Redis that cannot be reached makes a 503 with
``Retry-After`` and a page in the visitor's language, not a 500; any other error stays a 500.
The errors are real ones: a Redis client and a PostgreSQL driver pointed at a port where nothing
listens. (The whole server with its database and Redis stopped and restarted:
tests/ops/test_faults.py.)"""

from __future__ import annotations

import socket
from collections.abc import Callable

import psycopg
import pytest
import redis
from django.core.handlers.exception import convert_exception_to_response
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st
from redis.backoff import NoBackoff
from redis.retry import Retry

from santui.config.unavailable import RETRY_AFTER, UnavailableMiddleware, is_unavailable


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens


def redis_away() -> None:
    no_retry = Retry(NoBackoff(), 0)
    redis.Redis(host="127.0.0.1", port=_closed_port(), retry=no_retry).ping()


def database_away() -> None:
    try:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{_closed_port()}/x", connect_timeout=2)
    except psycopg.OperationalError as exc:  # as Django's wrapper raises it
        raise OperationalError(*exc.args) from exc


def raising(fault: Callable[[], None]) -> Callable[[HttpRequest], HttpResponseBase]:
    def view(request: HttpRequest) -> HttpResponseBase:
        fault()
        return HttpResponse("never")

    return view


def serve(
    fault: Callable[[], None], language: str | None, *, in_middleware: bool = False
) -> HttpResponseBase:
    request = RequestFactory().post("/declare/", HTTP_ACCEPT_LANGUAGE=language or "")
    if in_middleware:
        # raised in a middleware below: Django has made it a 500 before it comes back up
        middleware = UnavailableMiddleware(convert_exception_to_response(raising(fault)))
        return middleware(request)
    middleware = UnavailableMiddleware(lambda r: HttpResponse("never"))
    try:
        fault()
    except Exception as exc:  # what Django hands to process_exception
        answered = middleware.process_exception(request, exc)
        assert answered is not None
        return answered
    raise AssertionError("no fault")


@pytest.mark.parametrize("fault", [redis_away, database_away])
@pytest.mark.parametrize("in_middleware", [False, True])
@pytest.mark.parametrize(
    ("language", "lang", "heading"),
    [
        ("en", "en", "The site is briefly unavailable"),
        ("zh-Hant", "zh-Hant", "本站暫時無法服務"),
        ("zh-CN,zh;q=0.9", "zh-Hans", "本站暂时无法服务"),
        (None, "zh-Hans", "本站暂时无法服务"),  # the site's default language
    ],
)
def test_a_server_away_is_a_503_in_the_visitors_language(
    fault: Callable[[], None], in_middleware: bool, language: str | None, lang: str, heading: str
) -> None:
    response = serve(fault, language, in_middleware=in_middleware)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert heading in page
    assert "127.0.0.1" not in page


@pytest.mark.django_db
def test_any_other_error_is_still_a_500() -> None:
    def broken() -> None:
        raise ValueError("a bug")

    request = RequestFactory().get("/")
    response = UnavailableMiddleware(convert_exception_to_response(raising(broken)))(request)
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert UnavailableMiddleware(lambda r: HttpResponse()).process_exception(
        request, ValueError("a bug")
    ) is None


def _chain(errors: list[type[Exception]]) -> BaseException:
    """Raise errors[0], from inside its handler errors[1], and so on: the last is raised."""
    raised: BaseException | None = None
    for kind in errors:
        try:
            try:
                if raised is not None:
                    raise raised
            finally:
                raise kind("x")
        except Exception as exc:
            raised = exc
    assert raised is not None
    return raised


UNAVAILABLE = [OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
OTHER = [ValueError, KeyError, RuntimeError]


@given(st.lists(st.sampled_from(UNAVAILABLE + OTHER), min_size=1, max_size=5))
def test_a_server_away_anywhere_in_the_chain_is_seen(errors: list[type[Exception]]) -> None:
    assert is_unavailable(_chain(errors)) == any(e in UNAVAILABLE for e in errors)
