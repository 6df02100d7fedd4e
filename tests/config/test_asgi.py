"""The ASGI application `santui serve` runs (santui.config.asgi): the whole middleware chain and
the view in one synchronous call, on one of the process's reused threads."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import Any

import pytest
from asgiref import sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import include, path

from santui.config.asgi import ReusedThreads, SyncChainHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 40000),
        "headers": [(b"host", b"testserver"), (b"accept-language", b"en")],
    }  # fmt: skip


async def _get(app: Any, path: str, query: bytes = b"") -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(app, {**_scope(path), "query_string": query})
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=30)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=30)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    await communicator.wait(timeout=30)
    return start["status"], body


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times a request crossed between the event loop and a thread, each way."""
    counted: Counter[str] = Counter()
    for name, cls in (("to_thread", sync.SyncToAsync), ("to_loop", sync.AsyncToSync)):
        original = cls.__call__

        def call(self: Any, *args: Any, _original: Any = original, _name: str = name, **kw: Any):
            counted[_name] += 1
            return _original(self, *args, **kw)

        monkeypatch.setattr(cls, "__call__", call)
    return counted


def test_the_form_is_served_with_its_middleware() -> None:
    status, body = asyncio.run(_get(ReusedThreads(SyncChainHandler()), "/declare/"))
    assert status == 200
    assert b'name="csrfmiddlewaretoken"' in body  # CsrfViewMiddleware and the view ran


def test_the_chain_is_entered_once_not_at_every_middleware(hops: Counter[str]) -> None:
    asyncio.run(_get(ReusedThreads(SyncChainHandler()), "/declare/"))  # warm: templates, URLs
    hops.clear()
    status, _ = asyncio.run(_get(ReusedThreads(SyncChainHandler()), "/declare/"))
    assert status == 200
    # Into a thread once: request_started, the chain and view, the response's close.
    assert hops["to_loop"] == 0
    assert hops["to_thread"] == 1
    ours = dict(hops)

    # Django's own handler on the same settings: WhiteNoise is synchronous only, so the chain
    # goes back to the loop below it, and each middleware after it hops for its hooks.
    hops.clear()
    status, _ = asyncio.run(_get(ReusedThreads(ASGIHandler()), "/declare/"))
    assert status == 200
    assert hops["to_loop"] >= 1
    assert hops["to_thread"] >= 2 * ours["to_thread"]


def test_the_chain_runs_on_the_reused_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = SyncChainHandler.get_response

    def get_response(self: SyncChainHandler, request: Any) -> Any:
        seen.append(threading.current_thread().name)
        return original(self, request)

    monkeypatch.setattr(SyncChainHandler, "get_response", get_response)
    app = ReusedThreads(SyncChainHandler(), threads=2)

    async def three() -> list[int]:
        return [(await _get(app, "/declare/"))[0] for _ in range(3)]

    assert asyncio.run(three()) == [200, 200, 200]
    assert len(seen) == 3
    assert set(seen) <= {"santui-view-0_0", "santui-view-1_0"}


# A request's life as the handler's signals and the server's messages see it (below).
EVENTS: list[tuple[str, str]] = []
STREAM_CHUNKS = 1_000
URLCONF = settings.ROOT_URLCONF


def _plain(request: HttpRequest) -> HttpResponse:
    EVENTS.append(("view", threading.current_thread().name))
    return HttpResponse(b"whole")


def _stream(request: HttpRequest) -> StreamingHttpResponse:
    """STREAM_CHUNKS chunks of 1 KiB, from a synchronous iterator (as the open-data files and
    WhiteNoise's are) or, with ``?async=1``, an asynchronous one."""
    pause = float(request.GET.get("pause", "0"))  # seconds before each chunk

    def chunks() -> Any:
        try:
            for n in range(STREAM_CHUNKS):
                time.sleep(pause)
                EVENTS.append(("chunk", str(n)))
                yield b"x" * 1024
        finally:
            EVENTS.append(("stream closed", ""))

    async def async_chunks() -> Any:
        try:
            for n in range(STREAM_CHUNKS):
                await asyncio.sleep(pause)
                EVENTS.append(("chunk", str(n)))
                yield b"x" * 1024
        finally:
            EVENTS.append(("stream closed", ""))

    return StreamingHttpResponse(async_chunks() if request.GET.get("async") else chunks())


# the site's own routes too: its middleware names some of them
urlpatterns = [path("plain/", _plain), path("stream/", _stream), path("", include(URLCONF))]


@pytest.fixture
def events() -> Any:
    """EVENTS, with request_started and request_finished recorded in it and the thread each
    was sent in."""
    EVENTS.clear()

    def started(**kw: Any) -> None:
        EVENTS.append(("started", threading.current_thread().name))

    def finished(**kw: Any) -> None:
        EVENTS.append(("finished", threading.current_thread().name))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    with override_settings(ROOT_URLCONF=__name__):
        yield EVENTS
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


class _Recorded(ApplicationCommunicator):
    async def receive_output(self, timeout: float = 1) -> Any:
        message = await super().receive_output(timeout)
        EVENTS.append(("sent", message["type"]))
        return message


def test_a_whole_response_is_closed_in_the_views_thread_before_it_is_sent(events: Any) -> None:
    async def get() -> tuple[int, bytes]:
        communicator = _Recorded(ReusedThreads(SyncChainHandler(), threads=1), _scope("/plain/"))
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout=30)
        body = await communicator.receive_output(timeout=30)
        await communicator.wait(timeout=30)
        return start["status"], body["body"]

    assert asyncio.run(get()) == (200, b"whole")
    thread = "santui-view-0_0"
    assert events == [
        ("started", thread),
        ("view", thread),
        ("finished", thread),  # the database connection is back before the client is answered
        ("sent", "http.response.start"),
        ("sent", "http.response.body"),
    ]


@pytest.mark.parametrize("query", [b"", b"async=1"], ids=["synchronous", "asynchronous"])
def test_a_streamed_response_is_closed_after_its_last_chunk(events: Any, query: bytes) -> None:
    status, body = asyncio.run(_get(ReusedThreads(SyncChainHandler()), "/stream/", query))
    assert status == 200
    assert body == b"x" * 1024 * STREAM_CHUNKS
    assert [kind for kind, _ in events[-3:]] == ["chunk", "stream closed", "finished"]
    assert [kind for kind, _ in events].count("finished") == 1


def test_a_synchronous_stream_is_sent_as_it_is_read_not_held_whole(events: Any) -> None:
    """Django's handler reads a synchronous iterator whole before sending its first byte; ours
    sends each 64 KiB (SyncChainHandler.chunk_size) as it is read."""

    async def get() -> None:
        messages = iter([{"type": "http.request", "body": b""}])

        async def receive() -> dict[str, Any]:
            message = next(messages, None)
            if message is None:
                await asyncio.sleep(60)  # the client stays until the end
            return message or {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            EVENTS.append(("sent", str(len(message.get("body", b"")))))

        await ReusedThreads(SyncChainHandler())(_scope("/stream/"), receive, send)

    asyncio.run(get())
    kinds = [kind for kind, _ in events]
    first_body = kinds.index("sent", kinds.index("sent") + 1)  # after the headers
    batch = SyncChainHandler.chunk_size // 1024
    assert kinds[:first_body].count("chunk") == batch  # read ahead: one batch, not the file
    assert kinds.count("chunk") == STREAM_CHUNKS
    sizes = [int(size) for kind, size in events if kind == "sent"][1:]
    assert sum(sizes) == 1024 * STREAM_CHUNKS
    assert max(sizes) == SyncChainHandler.chunk_size


@pytest.mark.parametrize("query", [b"", b"async=1"], ids=["synchronous", "asynchronous"])
def test_a_stream_stops_when_its_client_leaves(events: Any, query: bytes) -> None:
    async def leave_after_one_chunk() -> None:
        app = ReusedThreads(SyncChainHandler())
        # 1,000 chunks of 5 ms: 5 s to the end
        scope = {**_scope("/stream/"), "query_string": b"pause=0.005&" + query}
        communicator = ApplicationCommunicator(app, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        assert (await communicator.receive_output(timeout=30))["status"] == 200
        await communicator.receive_output(timeout=30)  # a first chunk
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(timeout=30)  # the application ends by itself

    asyncio.run(leave_after_one_chunk())
    made = [kind for kind, _ in events].count("chunk")
    assert 1 <= made < STREAM_CHUNKS / 2  # not made to its end for nobody
    assert ("stream closed", "") in events
    assert [kind for kind, _ in events][-1] == "finished"


def test_a_request_django_cannot_read_is_answered_400_and_closed(events: Any) -> None:
    status, _ = asyncio.run(_get(ReusedThreads(SyncChainHandler()), "/plain/", b"q=\xff"))
    assert status == 400  # a query string that is not UTF-8
    assert [kind for kind, _ in events] == ["started", "finished"]
