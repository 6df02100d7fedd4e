"""Django's ASGI application: what `santui serve` runs, under uvicorn in gunicorn's workers
(santui.ops.gunicorn_logging.UvicornWorker).

An asynchronous front reads each request whole and writes each response without holding a
thread, so slow clients cost a connection each and no worker (issue 12). The views stay
synchronous: they run in threads, as under gunicorn's threaded workers.

``ReusedThreads`` wraps Django's handler so that those threads are a fixed set per process,
reused, rather than one started for every request (what Django's ASGI handler does by itself:
asgiref's ``ThreadSensitiveContext``). It reads the request's body first, in the event loop (up
to ``BUFFER_LIMIT`` bytes; a larger one is passed on as it comes, for Django to spool), and only
then takes a thread: a client that sends its body slowly holds no thread either. At most
``THREADS`` requests of a process are in Django at once (as many as the database pool lends
connections); the others wait in the event loop, which costs nothing but their connection.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
# WhiteNoise serves static files as a synchronous file iterator, which Django's ASGI handler
# reads in a thread: it works, and says so at every file. Nothing to act on.
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    category=Warning,
    module="django.core.handlers.asgi",
)

THREADS = 8  # per process: the size of the database pool (config/settings/base.py)
# Bytes of body read in the event loop before a thread is taken: every form of the site fits
# (a statement is at most SANTUI_MAX_TEXT characters); a larger body goes on in the thread,
# where Django spools it to disk. With the worker's connection limit (limit_concurrency in
# santui.ops.gunicorn_logging) it bounds what slow senders can make a worker hold: 1,000
# connections x 256 KiB.
BUFFER_LIMIT = 262_144

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]


class SyncChainHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain and the view run as one synchronous call
    in the request's thread.

    Django's own handler builds the chain for asynchronous use: a middleware that is only
    synchronous (WhiteNoise, ours) is wrapped in ``async_to_sync``, and each of Django's
    ``MiddlewareMixin`` middleware after it runs its ``process_request`` and
    ``process_response`` through ``sync_to_async``. A request went from the event loop to a
    thread and back about ten times, each a wake-up of both: at 15 ms of CPU per receipt, half
    of it in those hand-offs (docs/benchmarks.md, "The public form under load"). Our views
    and middleware are all synchronous, so the chain is built as WSGI builds it and entered once.
    """

    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the thread of the request's ThreadSensitiveContext (ReusedThreads)
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(
            request
        )
        return response


class ReusedThreads:
    def __init__(self, app: ASGIApp, threads: int = THREADS) -> None:
        self.app = app
        self.threads = threads
        self._free: asyncio.Queue[ThreadPoolExecutor] | None = None

    def _executors(self) -> asyncio.Queue[ThreadPoolExecutor]:
        if self._free is None:  # made in the worker's event loop, on its first request
            self._free = asyncio.Queue()
            for n in range(self.threads):
                self._free.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"santui-view-{n}")
                )
        return self._free

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived: list[Message] = []
        size, more = 0, True
        while more and size <= BUFFER_LIMIT:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before its request was whole: nothing to answer
            arrived.append(message)
            size += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
        replay = iter(arrived)

        async def receive_again() -> Message:
            message = next(replay, None)
            return message if message is not None else await receive()

        free = self._executors()
        executor = await free.get()
        try:
            # One thread for the whole request (middleware, view, response), as Django's own
            # context gives, but a thread kept from one request to the next.
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive_again, send)
        finally:
            free.put_nowait(executor)


django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does
application = ReusedThreads(SyncChainHandler())
