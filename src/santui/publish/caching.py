"""HTTP caching of public pages and API responses.

Everything public is a function of the integrated state of the ledger (the rollups, the log and
the published statements only change when the integrator folds a batch: its size, and the log's
root hash to tell two histories of one size apart), the reporting day (the home page's "today"),
the language and the URL. So ``public_cache`` keys the rendered response by those, answers
conditional requests with 304 from the ETag or Last-Modified alone, and otherwise serves the
stored bytes without running the view. A new integration or a new day changes the key: nothing
needs invalidating.

The state is read at most once per ``SANTUI_STATE_MEMO_SECONDS`` (1 s; 0 in tests) per process,
stored responses are kept in a small per-process memory in front of the shared cache, and
``FrontCacheMiddleware`` keeps the final responses for that second, so a hit costs no database
query, no cache round trip and, mostly, no middleware.

Last-Modified has a resolution of one second while the integrator may commit two batches within
one: it is sent only when it tells the current state from the previous one (see
``_last_modified``), so a client can never be told "not modified" about an older state.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar, cast, overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import get_language

from santui.statements.public import public_copies_mark
from santui.tally.models import Checkpoint, IntegrationState, Release

CACHE_SECONDS = 600  # how long a rendered response stays in the shared cache (keyed by state)
MAX_AGE = 15  # how long browsers and proxies may reuse a response without asking again
RENDER_VERSION = "8"  # bump when templates change in a way the key would not show
MAX_STORED_QUERY = 256  # longer query strings are answered but never stored
LOCAL_ENTRIES = 64  # responses kept in each process's memory...
LOCAL_MAX_BYTES = 2 * 1024 * 1024  # ...each at most this large
FRONT_ENTRIES = 256  # final responses kept by FrontCacheMiddleware in each process


@dataclass(frozen=True)
class PublicState:
    """What every public response depends on besides the language and the URL."""

    size: int  # integrated ledger entries
    release: int  # the latest release of breakdowns (docs/disclosure.md; 0: none)
    root: str  # the log's root hash at that size (hex; "" while the log has no checkpoint)
    day: dt.date  # the reporting day (settings.SANTUI_REPORTING_TZ)
    day_start: int  # its first second, POSIX time
    changed: int | None  # the second the current state was integrated (rounded up)
    previous: int | None  # the same for the state before it
    seen: float  # when this process first saw this state (POSIX time): after its commit


_memo: tuple[float, PublicState | None] = (0.0, None)


def _ceil_second(at: dt.datetime | None) -> int | None:
    return math.ceil(at.timestamp()) if at is not None else None


def _read_state(last: PublicState | None) -> PublicState:
    row = IntegrationState.objects.values_list("size", "integrated_at").filter(pk=1).first()
    size, at = row if row else (0, None)
    # A release of breakdowns changes public content without an integration.
    made = Release.objects.order_by("-number").values_list("number", "released_at").first()
    release, released_at = made if made else (0, None)
    # The checkpoint of this size and the one before it, signed at their integration times.
    # The root hash tells two histories of the same size apart (a restored or new database).
    checkpoints = list(
        Checkpoint.objects.filter(size__lte=size)
        .order_by("-size")
        .values_list("size", "root", "signed_at")[:2]
    )
    root = bytes(checkpoints[0][1]).hex() if checkpoints and checkpoints[0][0] == size else ""
    before = [signed for n, _, signed in checkpoints if n < size][:1]
    zone = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    now = dt.datetime.now(zone)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    changed = _ceil_second(at)
    previous = _ceil_second(before[0]) if before else None
    if released_at is not None and (at is None or released_at > at):
        changed, previous = _ceil_second(released_at), changed
    same = last is not None and (last.size, last.release, last.root, last.changed) == (
        size,
        release,
        root,
        changed,
    )
    return PublicState(
        size=size,
        release=release,
        root=root,
        day=now.date(),
        day_start=int(start.timestamp()),
        changed=changed,
        previous=previous,
        seen=last.seen if last is not None and same else now.timestamp(),
    )


def integration_state() -> PublicState:
    """The public state, at most ``SANTUI_STATE_MEMO_SECONDS`` old (one memo per process)."""
    global _memo
    now = time.monotonic()
    read_at, state = _memo
    if state is None or now - read_at >= settings.SANTUI_STATE_MEMO_SECONDS:
        state = _read_state(state)
        _memo = (now, state)  # one tuple assignment: safe between threads
    return state


def forget_state() -> None:
    """Read the state afresh on the next request (tests, and after `santui integrate`)."""
    global _memo
    _memo = (0.0, None)
    _local.clear()
    _front.clear()


def _last_modified(state: PublicState, refresh: int | None, now: float) -> int | None:
    """The response's Last-Modified (POSIX seconds), or None when it could be ambiguous.

    Content changes at an integration, at the start of the reporting day, and at the start of
    each ``refresh`` period for views with live counts (the *epoch*). Every copy of an older
    content must have an earlier Last-Modified than the one returned, whatever process served
    it (each reads the state at most ``SANTUI_STATE_MEMO_SECONDS`` late):

    * the integration's second, when it is later than the previous integration's and than
      the epoch's start: older states had at most the larger of those two;
    * else the epoch's start, when the state is older than the epoch and this process saw it
      at least one memo period before the epoch began, so no process could still serve the
      previous state during this epoch;
    * else nothing (the ETag still answers conditional requests).
    """
    epoch = state.day_start
    if refresh:
        epoch = max(epoch, int(now // refresh * refresh))
    changed = state.changed or 0
    if state.changed is not None and changed > max(state.previous or 0, epoch):
        return changed
    if changed < epoch and state.seen + settings.SANTUI_STATE_MEMO_SECONDS <= epoch:
        return epoch
    return None


def _matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


_VARY = ("Accept-Language", "Cookie")  # the language comes from one or the other


@functools.lru_cache(maxsize=64)
def _http_date(seconds: int) -> str:
    return http_date(seconds)


def _decorate(response: HttpResponseBase, etag: str, last_modified: int | None) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = _http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.santui_public = True  # type: ignore[attr-defined]  # for FrontCacheMiddleware
    if response.has_header("Vary"):
        patch_vary_headers(response, _VARY)
    else:
        response["Vary"] = ", ".join(_VARY)


def _per_visitor(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether the response may differ from one visitor to the next (never stored or shared)."""
    session = getattr(request, "session", None)
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token was put in the page
        or (session is not None and session.accessed)
    )


# Query parameters that may carry a person's name (the public statements' exact name search):
# their responses are answered but never stored, so no searched name sits in the shared cache.
NEVER_STORED_PARAMS = frozenset({"name"})


def _storable(request: HttpRequest, params: Collection[str] | None) -> bool:
    """Only URLs the view reads are stored, so junk query strings cannot fill the cache."""
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_STORED_QUERY:
        return False
    if NEVER_STORED_PARAMS.intersection(request.GET):
        return False
    if params is None:
        return True
    return all(name in params and len(request.GET.getlist(name)) == 1 for name in request.GET)


Stored = tuple[bytes, list[tuple[str, str]]]  # the body and the view's headers


class _LocalStore:
    """A small LRU with expiry, in this process's memory."""

    def __init__(self, entries: int) -> None:
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: str, item: Any, seconds: float, size: int) -> None:
        if size > LOCAL_MAX_BYTES:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + seconds, item)
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_local = _LocalStore(LOCAL_ENTRIES)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


@overload
def public_cache(view: View, /) -> View: ...
@overload
def public_cache(
    *, params: Collection[str] | None = None, refresh: int | None = None
) -> Callable[[View], View]: ...
def public_cache(
    view: View | None = None,
    /,
    *,
    params: Collection[str] | None = None,
    refresh: int | None = None,
) -> View | Callable[[View], View]:
    """Cache a GET/HEAD view whose output depends only on the public state, the language and
    the URL. ``params``: the query parameters the view reads (others are answered, never
    stored); ``refresh``: seconds after which the view's live figures may change without an
    integration (e.g. counts of rejections). Only 200 responses that carry nothing per visitor
    are marked public and, unless streamed, stored; others pass through. Use as
    ``@public_cache`` or ``@public_cache(params=(...))``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            now = time.time()
            state = integration_state()
            period = int(now // refresh) if refresh else 0
            # The host was validated by CommonMiddleware; it is part of the key because pages
            # may print absolute URLs (the verification command).
            uri = f"{request.scheme}://{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
            material = (
                RENDER_VERSION,
                public_copies_mark(),  # the public server shows a statement once copied
                state.size,
                state.release,
                state.root,
                state.day,
                period,
                get_language(),
            )
            digest = hashlib.blake2b(
                "|".join(map(str, (*material, uri))).encode(), digest_size=16
            ).hexdigest()
            # Weak: the gzipped and the plain body are the same representation for our
            # purposes, and GZipMiddleware would weaken a strong one on the way out anyway.
            etag = "W/" + quote_etag(f"{state.size}-{digest}")
            last_modified = _last_modified(state, refresh, now)

            if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
            if_modified_since = request.META.get("HTTP_IF_MODIFIED_SINCE")
            if if_none_match:  # it takes precedence over If-Modified-Since (RFC 9110 13.2.2)
                fresh = _matches(if_none_match, etag)
            elif if_modified_since and last_modified is not None:
                since = parse_http_date_safe(if_modified_since)
                fresh = since is not None and last_modified <= since
            else:
                fresh = False
            if fresh:
                not_modified = HttpResponseNotModified()
                _decorate(not_modified, etag, last_modified)
                return not_modified

            key = f"santui:page:{digest}"
            # No process memory when the state is read on every request (tests): what the
            # shared cache holds is then all there is.
            local = _local if settings.SANTUI_STATE_MEMO_SECONDS > 0 else None
            stored: Stored | None = local.get(key) if local else None
            if stored is None:
                stored = cache.get(key)
                if stored is not None and local:
                    local.put(key, stored, CACHE_SECONDS, len(stored[0]))
            if stored is not None:
                content, headers = stored
                response: HttpResponseBase = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    patch_vary_headers(response, _VARY)
                    return response
                if _per_visitor(request, response):
                    response["Cache-Control"] = "private, no-cache"
                    patch_vary_headers(response, ("Cookie",))
                    return response
                # A streamed response is a function of the state too (so it gets the
                # validators) but is never held in memory.
                if isinstance(response, HttpResponse) and _storable(request, params):
                    headers = [(n, v) for n, v in response.items() if n.lower() != "set-cookie"]
                    item = (response.content, headers)
                    cache.set(key, item, CACHE_SECONDS)
                    if local:
                        local.put(key, item, CACHE_SECONDS, len(item[0]))
            if NEVER_STORED_PARAMS.intersection(request.GET):
                # a searched name: answered, but kept by no cache, ours or anyone's
                response["Cache-Control"] = "private, no-store"
                patch_vary_headers(response, _VARY)
                return response
            _decorate(response, etag, last_modified)
            return response

        # Read-only views need no CSRF check; without it a method the view refuses gets its
        # 405 (require_safe) rather than the CSRF middleware's 403.
        wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # the attribute Django reads
        return cast(View, wrapped)

    return decorator(view) if view is not None else decorator


# --- in front of everything ----------------------------------------------------------------------

_front = _LocalStore(FRONT_ENTRIES)
_FRONT_KEYS = (
    "wsgi.url_scheme", "HTTP_X_FORWARDED_PROTO", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO",
    "QUERY_STRING", "HTTP_ACCEPT_LANGUAGE", "HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
)  # fmt: skip


class FrontCacheMiddleware:
    """A micro-cache of final public responses, first in ``MIDDLEWARE``.

    A response that ``public_cache`` marked public (200 or 304, nothing per visitor) is kept,
    with every header the other middleware added (CSP, security headers, Content-Language,
    Vary, gzip), for ``SANTUI_STATE_MEMO_SECONDS``: the time the state memo may lag anyway. A
    request with exactly the same URL, host, scheme, Accept-Language, Accept-Encoding and
    validators, and without any cookie or credentials, gets it back without the rest of the
    stack: the per-request cost of the middleware stack, not of the view, limits how many
    requests a core serves (docs/benchmarks.md, "Public pages under load"). Off when the memo
    is 0 (tests).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.SANTUI_STATE_MEMO_SECONDS
        meta = request.META
        if (
            seconds <= 0
            or request.method not in ("GET", "HEAD")
            or meta.get("HTTP_COOKIE")
            or "HTTP_AUTHORIZATION" in meta
        ):
            return self.get_response(request)
        key = "\0".join(str(meta.get(name, "")) for name in _FRONT_KEYS)
        found = _front.get(key)
        if found is not None:
            status, headers, content = found
            again = HttpResponse(content, status=status)
            for name, value in headers:
                again[name] = value
            return again
        response = self.get_response(request)
        if (
            getattr(response, "santui_public", False)
            and isinstance(response, HttpResponse)
            and not response.cookies
        ):
            content = response.content
            item = (response.status_code, list(response.items()), content)
            _front.put(key, item, seconds, len(content))
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """gzip for what ``public_cache`` marked public only: public pages carry no secret, while
    other pages (the declaration form with its CSRF token, the receipt, the back office with
    decrypted names) echo input beside secrets, the set-up of a BREACH attack."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not getattr(response, "santui_public", False):
            return response
        return super().process_response(request, response)
