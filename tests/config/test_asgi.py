"""The ASGI application `santui serve` runs (santui.config.asgi): the whole middleware chain and
the view in one synchronous call, on one of the process's reused threads."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest
from asgiref import sync
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler

from santui.config.asgi import ReusedThreads, SyncChainHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 40000),
        "headers": [(b"host", b"testserver"), (b"accept-language", b"en")],
    }  # fmt: skip


async def _get(app: Any, path: str) -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(app, _scope(path))
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
    # Into a thread for: request_started's receivers, the chain and view, the response's close.
    assert hops["to_loop"] == 0
    assert hops["to_thread"] <= 3
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
