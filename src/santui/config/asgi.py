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
import contextlib
import os
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
)
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")

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
# Django's handler, as django-stubs types it, reads and writes messages without changing them
HandlerReceive = Callable[[], Awaitable[Mapping[str, Any]]]
HandlerSend = Callable[[Mapping[str, Any]], Awaitable[None]]


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

    The rest of a request's synchronous work goes into that same call (``handle``): the
    ``request_started`` signal before the chain and, for a response whose content is all in
    memory, its ``close()`` (``request_finished``: the database connection back to the pool)
    after it. Django's handler makes each of those a hand-off of its own, two more wake-ups of
    the loop and the thread per request (docs/benchmarks.md, "The form, fourth pass"). It also
    watches for the client's disconnect while the view runs, to cancel an asynchronous view; a
    synchronous one runs to its end anyway, so that watch is kept only while a streamed
    response is sent: two tasks fewer per request.
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

    async def handle(
        self, scope: dict[str, Any], receive: HandlerReceive, send: HandlerSend
    ) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return  # the client left before its request was whole
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            if not response.streaming:
                await self.send_response(response, send)
                return
            content = getattr(response, "streaming_content", None)
            if isinstance(response, StreamingHttpResponse) and isinstance(content, Iterator):
                response.streaming_content = self._pulled(content)  # not read whole by Django
            try:
                await self._send_while_connected(response, receive, send)
            finally:  # read while it was sent: closed only now
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    async def _send_while_connected(
        self, response: HttpResponseBase, receive: HandlerReceive, send: HandlerSend
    ) -> None:
        """Send a streamed response until its end or until the client leaves, as Django's
        handler does: uvicorn drops what is sent to a client that has gone, so without this
        watch an iterator would be read to its end for nobody."""
        sending = asyncio.create_task(self.send_response(response, send))
        watching = asyncio.create_task(self.listen_for_disconnect(receive))
        await asyncio.wait((sending, watching), return_when=asyncio.FIRST_COMPLETED)
        for task in (watching, sending):
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                await task

    async def _pulled(self, chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
        """A synchronous iterator's chunks, read in the request's thread about ``chunk_size``
        bytes at a time. Django's handler reads such an iterator whole, in one call, before it
        sends anything (warning "StreamingHttpResponse must consume synchronous iterators"):
        an open-data file of every published statement would be held in memory whole, and its
        first byte sent only when its last was made."""
        iterator = iter(chunks)
        take = sync_to_async(self._take, thread_sensitive=True)
        while batch := await take(iterator):
            yield batch

    def _take(self, iterator: Iterator[bytes]) -> bytes:
        parts: list[bytes] = []
        size = 0
        for part in iterator:
            parts.append(part)
            size += len(part)
            if size >= self.chunk_size:
                break
        return b"".join(parts)  # empty only at the end

    def _respond(self, scope: dict[str, Any], body_file: IO[bytes]) -> HttpResponseBase:
        """request_started, the request, the middleware chain and the view, and the response's
        close() when its content is already whole: all in the request's one thread."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, refused = self.create_request(scope, body_file)  # refused: a 400 or a 413
        response = self.get_response(request) if request is not None else refused
        assert response is not None  # create_request gives a request or a response
        response._handler_class = self.__class__  # type: ignore[attr-defined]  # as Django's
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
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
