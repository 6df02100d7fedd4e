"""A gunicorn logger that never writes a client address (DESIGN.md invariant 4).

gunicorn logs ``Invalid request from ip=<address>`` at WARNING for malformed requests, and other
messages may quote peers too. Every record of its error log passes through a filter that
replaces anything shaped like an IPv4 or IPv6 address with ``[address]``. (The access log is
off altogether: see ``gunicorn_options``.)
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

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


class _RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_addresses(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


class AddressFreeLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_RedactAddresses())
