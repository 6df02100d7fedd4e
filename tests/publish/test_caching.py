"""HTTP caching of public responses (santui.publish.caching), through the test client."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import time
from collections.abc import Iterator
from unittest import mock

import pytest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils.http import http_date, parse_http_date
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.publish.caching import forget_state, public_cache
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

CACHED = ["/", "/api/v1/stats", "/api/v1/stats?from=2005-04-20&to=2005-04-30", "/methodology/"]


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    forget_state()
    yield
    forget_state()


@pytest.fixture
def figures() -> None:
    for day, n in (("2005-04-20", 12), ("2005-04-21", 30)):
        AcceptedStatementFactory(
            headcount=n, received_at=dt.datetime.fromisoformat(f"{day}T12:00:00+08:00")
        )
    tally_integrate()
    stats_release(now=dt.datetime.fromisoformat("2005-05-08T00:00:00+08:00"))


def test_etag_is_stable_and_changes_after_an_integration(figures: None, client: Client) -> None:
    first = client.get("/api/v1/stats")
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('W/"') and etag.endswith('"')  # weak: plain and gzip alike
    assert client.get("/api/v1/stats")["ETag"] == etag
    assert first["Cache-Control"] == "public, max-age=15"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}

    AcceptedStatementFactory(headcount=5)
    tally_integrate()
    second = client.get("/api/v1/stats")
    assert second["ETag"] != etag
    assert second.json()["persons"] == 47
    # the old validator no longer matches: the new figures are sent
    again = client.get("/api/v1/stats", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again.json()["persons"] == 47


@pytest.mark.parametrize("url", CACHED)
def test_if_none_match_gives_304_with_the_validators(
    figures: None, client: Client, url: str
) -> None:
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    for header in (etag, etag.removeprefix("W/"), f'"other", {etag}', "*"):
        response = client.get(url, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"] == "public, max-age=15"
        assert "Accept-Language" in response["Vary"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"nope"').status_code == 200


def test_if_modified_since_gives_304(figures: None, client: Client) -> None:
    first = client.get("/")
    last_modified = first["Last-Modified"]
    seconds = parse_http_date(last_modified)
    for since in (last_modified, http_date(seconds + 3600)):
        response = client.get("/", HTTP_IF_MODIFIED_SINCE=since)
        assert response.status_code == 304
        assert response["Last-Modified"] == last_modified
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=http_date(seconds - 1)).status_code == 200
    for garbage in ("yesterday", "", "Mon, 99 Foo 2005 99:99:99 GMT", "\x00" * 10):
        assert client.get("/", HTTP_IF_MODIFIED_SINCE=garbage).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    both = client.get("/", HTTP_IF_MODIFIED_SINCE=last_modified, HTTP_IF_NONE_MATCH='"x"')
    assert both.status_code == 200


def test_two_integrations_in_one_second_never_answer_304_for_the_older(client: Client) -> None:
    """Last-Modified has whole seconds; the integrator may commit twice within one."""
    instant = dt.datetime.now(dt.UTC).replace(microsecond=250_000)
    with mock.patch("santui.tally.actions.timezone.now", return_value=instant):
        AcceptedStatementFactory(headcount=2)
        tally_integrate()
        older = client.get("/")
        AcceptedStatementFactory(headcount=3)
        tally_integrate()
    newer = client.get("/")
    assert b">5<" in newer.content
    assert "Last-Modified" not in newer  # cannot be told from the older one: not sent
    since = older.get("Last-Modified", http_date(instant.timestamp() + 1))
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=since).status_code == 200


def test_languages_never_share_a_cached_body(figures: None, client: Client) -> None:
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    hant = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert 'lang="zh-Hans"' in zh.content.decode()
    assert 'lang="en"' in en.content.decode()
    assert 'lang="zh-Hant"' in hant.content.decode()
    assert len({zh["ETag"], en["ETag"], hant["ETag"]}) == 3
    # a language's validator does not revalidate another language's page
    assert (
        client.get("/", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=zh["ETag"]).status_code == 200
    )
    # the language cookie wins over Accept-Language, and is part of the key too
    client.cookies["django_language"] = "en"
    by_cookie = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert by_cookie["ETag"] == en["ETag"]
    assert 'lang="en"' in by_cookie.content.decode()
    assert "Persons who have declared" in by_cookie.content.decode()


def test_head_works(figures: None, client: Client) -> None:
    get = client.get("/api/v1/stats")
    head = client.head("/api/v1/stats")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == "application/json"
    assert client.head("/api/v1/stats", HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304
    assert client.head("/").status_code == 200
    assert client.post("/").status_code == 405


PUBLIC_PAGES = [
    "/", "/stats/", "/statements/", "/methodology/", "/data/", "/api/v1/stats",
    "/api/v1/rejections", "/api/v1/openapi.json", "/log/checkpoint",
]  # fmt: skip


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_carry_nothing_per_visitor(figures: None, client: Client, url: str) -> None:
    for _ in range(2):  # rendered, then from the cache
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code < 500
        assert not response.cookies, url
        assert "Set-Cookie" not in response
        assert b"csrfmiddlewaretoken" not in response.content
    assert not client.cookies


# --- the decorator's rules, on views of its own -------------------------------------------------


class Counting:
    """A public view that says how often it ran."""

    def __init__(self, body: str = "hello", cookie: bool = False, token: bool = False) -> None:
        self.calls = 0
        self.body, self.cookie, self.token = body, cookie, token

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.calls += 1
        response = HttpResponse(self.body, content_type="text/plain")
        if self.token:
            response.content += get_token(request).encode()
        if self.cookie:
            response.set_cookie("visitor", "42")
        return response


def _get(view: object, path: str = "/x", **headers: str) -> HttpResponse:
    request = RequestFactory().get(path, **headers)
    response = view(request)  # type: ignore[operator]
    assert isinstance(response, HttpResponse)
    return response


def test_a_response_that_sets_a_cookie_is_never_stored() -> None:
    counting = Counting(cookie=True)
    view = public_cache(counting)
    for n in (1, 2):
        response = _get(view)
        assert counting.calls == n
        assert response.cookies["visitor"].value == "42"
        assert response["Cache-Control"] == "private, no-cache"
        assert "ETag" not in response


def test_a_page_with_a_csrf_token_is_never_stored_or_shared() -> None:
    counting = Counting(token=True)
    view = public_cache(counting)
    first, second = _get(view), _get(view)
    assert counting.calls == 2
    assert first.content != second.content  # each visitor gets their own token
    assert first["Cache-Control"] == "private, no-cache"


def test_a_plain_response_is_stored_and_served_without_the_view() -> None:
    counting = Counting()
    view = public_cache(params=("a",))(counting)
    first, second = _get(view, "/x?a=1"), _get(view, "/x?a=1")
    assert counting.calls == 1
    assert first.content == second.content == b"hello"
    assert second["Content-Type"] == "text/plain"
    assert first["ETag"] == second["ETag"]
    _get(view, "/x?a=2")  # another URL: rendered and stored on its own
    assert counting.calls == 2


@pytest.mark.parametrize("query", ["b=1", "a=1&a=2", "a=1&junk=%00", "a=" + "x" * 10_000])
def test_urls_the_view_does_not_read_are_answered_but_never_stored(query: str) -> None:
    counting = Counting()
    view = public_cache(params=("a",))(counting)
    for n in (1, 2):
        assert _get(view, f"/x?{query}").status_code == 200
        assert counting.calls == n


@pytest.mark.parametrize("query", ["a=%ff%fe", "a=%3Cscript%3E", "a=%00", ""])
def test_odd_values_of_a_read_parameter_are_stored_like_any_other(query: str) -> None:
    counting = Counting()
    view = public_cache(params=("a",))(counting)
    first, second = _get(view, f"/x?{query}"), _get(view, f"/x?{query}")
    assert counting.calls == 1
    assert first["ETag"] == second["ETag"]


def test_errors_pass_through_unstored() -> None:
    calls = []

    def bad(request: HttpRequest) -> HttpResponse:
        calls.append(1)
        return HttpResponse("no", status=400)

    view = public_cache(bad)
    assert _get(view).status_code == 400
    assert _get(view).status_code == 400
    assert len(calls) == 2
    assert "ETag" not in _get(view)


def test_a_hit_costs_no_database_query(
    figures: None,
    client: Client,
    settings,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    settings.SANTUI_STATE_MEMO_SECONDS = 60
    forget_state()
    for url in ("/", "/api/v1/stats"):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
            not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.content == first.content
        assert not_modified.status_code == 304


def test_the_memo_sees_an_integration_after_its_period(
    figures: None,
    client: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SANTUI_STATE_MEMO_SECONDS = 60
    forget_state()
    before = client.get("/api/v1/stats")
    AcceptedStatementFactory(headcount=5)
    tally_integrate()
    assert client.get("/api/v1/stats")["ETag"] == before["ETag"]  # within the memo period
    forget_state()  # what the period's end does
    assert client.get("/api/v1/stats").json()["persons"] == 47


def test_the_reporting_day_is_part_of_the_key(figures: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    # UTC+14 and UTC-11 never share a date: same integrated state, different "today"
    settings.SANTUI_REPORTING_TZ = "Pacific/Kiritimati"
    east = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    settings.SANTUI_REPORTING_TZ = "Pacific/Pago_Pago"
    west = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert east["ETag"] != west["ETag"]
    today = [r.content.decode().split("Today (")[1][:10] for r in (east, west)]
    assert today[0] != today[1]


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.text(max_size=300))
def test_any_if_none_match_header_is_answered(client: Client, header: str) -> None:
    etag = client.get("/api/v1/stats")["ETag"]
    try:
        response = client.get("/api/v1/stats", HTTP_IF_NONE_MATCH=header)
    except ValueError:  # the test client refuses some characters in headers
        return
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    if header and (etag.removeprefix("W/") in tags or "*" in tags):
        assert response.status_code == 304
    else:
        assert response.status_code == 200


# --- FrontCacheMiddleware: final responses again, for one memo period ---------------------------


@pytest.fixture
def front(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.SANTUI_STATE_MEMO_SECONDS = 60
    forget_state()
    yield
    forget_state()


def test_front_cache_answers_without_the_stack_and_keeps_every_header(
    figures: None, front: None, client: Client
) -> None:
    from santui.publish import caching

    first = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    with mock.patch.object(caching, "integration_state", wraps=caching.integration_state) as state:
        again = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert state.call_count == 0  # the view's decorator never ran
    assert again.content == first.content
    for header in (
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
        "Referrer-Policy", "Content-Language", "Vary", "ETag", "Cache-Control", "Content-Type",
    ):  # fmt: skip
        assert again[header] == first[header], header
    assert not again.cookies


def test_front_cache_keys_on_language_validators_and_url(
    figures: None, front: None, client: Client
) -> None:
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert 'lang="zh-Hans"' in zh.content.decode() and 'lang="en"' in en.content.decode()
    not_modified = client.get("/", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=en["ETag"])
    assert not_modified.status_code == 304
    plain = client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # not the stored 304
    assert plain.status_code == 200 and plain.content == en.content
    assert client.get("/api/v1/stats?from=2005-04-21&to=2005-04-30").json()["persons"] == 30
    assert client.get("/api/v1/stats").json()["persons"] == 42


def test_front_cache_never_serves_a_request_with_a_cookie(
    figures: None, front: None, client: Client
) -> None:
    client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()


def test_front_cache_keeps_nothing_per_visitor(front: None, client: Client) -> None:
    tokens = set()
    for _ in range(2):
        fresh = Client()
        page = fresh.get("/declare/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        tokens |= set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 2  # each visitor their own form token


def test_front_cache_lasts_one_memo_period(figures: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    from santui.publish import caching

    settings.SANTUI_STATE_MEMO_SECONDS = 1
    forget_state()
    clock = [1000.0]
    fake = mock.Mock(wraps=time)
    fake.monotonic.side_effect = lambda: clock[0]
    with mock.patch.object(caching, "time", fake):
        assert client.get("/api/v1/stats").json()["persons"] == 42
        AcceptedStatementFactory(headcount=5)
        tally_integrate()
        clock[0] += 0.9
        assert client.get("/api/v1/stats").json()["persons"] == 42  # within the period
        clock[0] += 0.2
        assert client.get("/api/v1/stats").json()["persons"] == 47


def test_front_cache_keeps_only_what_public_cache_marked(
    figures: None, front: None, client: Client
) -> None:
    assert client.get("/log/checkpoint").content.decode().split("\n")[1] == "2"
    AcceptedStatementFactory(headcount=5)
    tally_integrate()
    assert client.get("/log/checkpoint").content.decode().split("\n")[1] == "3"


def test_gzip_for_clients_that_accept_it(figures: None, client: Client) -> None:
    plain = client.get("/api/v1/stats")
    packed = client.get("/api/v1/stats", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in packed["Vary"]
    assert packed["ETag"] == plain["ETag"]  # weak, the same representation
    again = client.get(
        "/api/v1/stats", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]
    )
    assert again.status_code == 304 and again["ETag"] == packed["ETag"]


def test_front_cache_keeps_encodings_apart(figures: None, front: None, client: Client) -> None:
    plain = client.get("/api/v1/stats")
    packed = client.get("/api/v1/stats", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get("/api/v1/stats")
    assert "Content-Encoding" not in plain and "Content-Encoding" not in again
    assert again.content == plain.content
    assert gzip.decompress(packed.content) == plain.content


def test_a_streamed_response_gets_validators_but_is_never_held() -> None:
    calls = []

    def streamed(request: HttpRequest) -> StreamingHttpResponse:
        calls.append(1)
        return StreamingHttpResponse(iter([b"a", b"b"]), content_type="text/csv")

    view = public_cache(streamed)
    first = view(RequestFactory().get("/x"))
    assert b"".join(first.streaming_content) == b"ab"
    assert first["ETag"] and first["Cache-Control"] == "public, max-age=15"
    again = view(RequestFactory().get("/x"))
    assert b"".join(again.streaming_content) == b"ab"
    assert len(calls) == 2
    assert view(RequestFactory().get("/x", HTTP_IF_NONE_MATCH=first["ETag"])).status_code == 304


def _stored_keys() -> set[str]:
    from django.core.cache import cache

    # LocMemCache's keys; only stored responses, not the selectors' documents
    return {k for k in cache._cache if "santui:page:" in k}  # type: ignore[attr-defined]


def test_a_name_search_is_kept_by_no_cache(figures: None, client: Client) -> None:
    before = _stored_keys()
    response = client.get("/statements/?name=张三")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert _stored_keys() == before
    client.get("/statements/?q=退")  # a text search is public: stored
    assert _stored_keys() != before


@pytest.mark.parametrize("url", ["/statements/?x=1", "/stats/?junk=2", "/data/?a=b"])
def test_parameters_a_view_does_not_read_are_answered_but_not_stored(
    figures: None, client: Client, url: str
) -> None:
    before = _stored_keys()
    assert client.get(url).status_code == 200
    assert _stored_keys() == before


def test_only_public_responses_are_gzipped(figures: None, client: Client) -> None:
    page = client.get("/stats/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert b"<svg" in gzip.decompress(page.content)
    form = client.get("/declare/", HTTP_ACCEPT_ENCODING="gzip")  # carries a CSRF token
    assert form.status_code == 200 and not form.has_header("Content-Encoding")
    assert b"csrfmiddlewaretoken" in form.content
