"""The front's logging never writes a client address (DESIGN.md invariant 4).

gunicorn logs ``Invalid request from ip=<address>`` at WARNING for malformed requests, and other
messages may quote peers too. Every record its error log's handlers write passes through a
filter that replaces anything shaped like an IPv4 or IPv6 address with ``[address]``, in the
message and in a traceback. The filter sits on the handlers, not on the logger, so it also
cleans what uvicorn writes through them: ``UvicornWorker`` (the worker `santui serve` runs, see
``gunicorn_options``) hands gunicorn's handlers to the ``uvicorn.error`` logger. Access logs are
off altogether: gunicorn's (``accesslog`` None) and uvicorn's (``access_log`` False), since each
line would hold the client's address.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from typing import Any

from gunicorn.glogging import Logger
from uvicorn_worker import UvicornWorker as _UvicornWorker  # type: ignore[import-untyped]

_IPV4 = r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)"
# IPv6: groups of hex digits and colons with "::" or at least three colons (so that clock times
# such as 01:38:30 stay), optionally with a zone (%eth0).
_IPV6 = (
    r"(?<![\w:])(?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]{1,4}:){3})"
    r"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])"
)
_ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")


def redact_addresses(text: str) -> str:
    return _ADDRESS.sub("[address]", text)


_TRACEBACK = logging.Formatter()


class _RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_addresses(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:  # the formatter reuses exc_text
            record.exc_text = _TRACEBACK.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_addresses(record.exc_text)
        return True


class AddressFreeLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_RedactAddresses())
        for handler in self.error_log.handlers:  # uvicorn.error writes through these too
            if not any(isinstance(f, _RedactAddresses) for f in handler.filters):
                handler.addFilter(_RedactAddresses())


# The address each worker listens on itself (``own_listener``), set by `santui serve` in
# gunicorn's ``raw_env`` when gunicorn's own listener is only a placeholder.
LISTEN_ENV = "SANTUI_SERVE_LISTEN"


def own_listener(address: str, listen: bool = True) -> socket.socket:
    """A socket bound to ``address`` (host:port) with ``SO_REUSEPORT``, listening if asked.

    Every worker listens on a socket of its own and the kernel spreads new connections over
    them (as nginx's ``reuseport`` does). On one socket shared by all workers, as gunicorn
    binds it, the first worker to wake takes every connection waiting: wrk's 16 connections
    all went to one worker and the second core stayed idle (docs/benchmarks.md, "The public
    form under load"). Linux lets only sockets of the same user join the port.
    """
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or None  # type: ignore[assignment]
    family, kind, proto, _, where = socket.getaddrinfo(
        host, int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(where)
        if listen:
            sock.listen(2048)
            sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class UvicornWorker(_UvicornWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """uvicorn (httptools, uvloop) in a gunicorn worker, running Django's ASGI application
    (santui.config.asgi). A request's headers and body are read, and its response written, by
    the event loop: a client that sends or reads a byte every few seconds holds a connection,
    not a thread, and Django sees a request only once it has arrived whole.

    No access log (it would hold addresses). ``proxy_headers`` off: the client address Django
    sees (``REMOTE_ADDR``, only ever hashed by the door's rate limit) is the connection's peer,
    as under gunicorn's own workers, never an ``X-Forwarded-For`` that any client reaching us
    through a local proxy or onion service could make up to dodge the door's counter.
    ``SANTUI_HTTPS`` reads ``X-Forwarded-Proto`` in Django itself."""

    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "date_header": True,
        # connections a worker holds at once; beyond, uvicorn answers 503 at once (with the
        # body buffer of santui.config.asgi, this bounds a worker's memory)
        "limit_concurrency": 1000,
    }

    def run(self) -> None:
        address = os.environ.get(LISTEN_ENV)
        if address:  # gunicorn's listener is a placeholder: listen on a socket of our own
            self.sockets = [own_listener(address)]
        super().run()
