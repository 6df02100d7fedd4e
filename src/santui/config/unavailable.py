"""503 while the database or the cache server is away (issue 15, faults under load).

When PostgreSQL (or SQLite's lock) or Redis cannot be reached, a request that needs them fails
with a connection error. Without this it would be a 500, "something went wrong on our side",
which tells neither the visitor nor a client program that trying again soon will work. Here it
is a **503** with ``Retry-After`` and a short page in the visitor's language (their language
cookie or ``Accept-Language``, never the session, which may live in the database that is away).

Nothing is lost by it: a statement is acknowledged (its receipt code shown) only after the
transaction that stores it has committed, so a request that fails here acknowledged nothing.
Recovery needs nobody: Django closes a connection that failed at the end of the request, and
the next request connects again; the Redis client reconnects on its next command.

``UnavailableMiddleware`` goes first in ``MIDDLEWARE``: it answers for an error raised in a view
(``process_exception``) and for one raised in another middleware, which Django has already
turned into a 500 by the time it comes back up (``got_request_exception`` marks the request).
Only the exception's type is logged: its message may name the database server.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import redis.exceptions
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template import loader
from django.utils import translation

logger = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds: a restarted server is usually back within that
TEMPLATE = "503.html"
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,  # the database refused or dropped the connection (or SQLite is locked)
    InterfaceError,  # the connection was already closed under us
    redis.exceptions.ConnectionError,  # Redis refused or dropped the connection
    redis.exceptions.TimeoutError,
)
_MARK = "_santui_unavailable"

FALLBACK = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>503</title></head><body>
<h1>暂时无法服务</h1><p>请过几秒钟再试。您已收到回执的声明都已保存。</p>
<h1 lang="zh-Hant">暫時無法服務</h1>
<p lang="zh-Hant">請過幾秒鐘再試。您已收到回執的聲明都已儲存。</p>
<h1 lang="en">Temporarily unavailable</h1><p lang="en">Please try again in a few seconds. Every
statement that got a receipt is stored.</p>
</body></html>
"""


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from, means a server is away."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, UNAVAILABLE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _language(request: HttpRequest) -> str:
    try:
        return translation.get_language_from_request(request)
    except Exception:  # a malformed header must not stop the page
        return "zh-hans"


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page in the visitor's language, with ``Retry-After``; no database, no cache."""
    try:
        with translation.override(_language(request)):
            body = loader.get_template(TEMPLATE).render({"retry_after": RETRY_AFTER})
            language = translation.get_language()
    except Exception:  # whatever broke, the visitor gets a page
        body, language = FALLBACK, "zh-hans"
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Sent by Django as it turns an exception into a 500 (the exception is being handled)."""
    if request is not None and is_unavailable(sys.exc_info()[1]):
        setattr(request, _MARK, True)


class UnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_mark_request, dispatch_uid="santui.config.unavailable")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None
        logger.warning("a server is unavailable (%s): answered 503", type(exception).__name__)
        return unavailable_response(request)
