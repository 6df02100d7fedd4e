"""The tests' free_port hands a port to one caller only, in this process and across processes
(santui serve binds with SO_REUSEPORT: two servers given one port would share it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ops import servers


class _Offered:
    """Stands in for socket.socket: bind(port 0) gets the ports of ``offers`` in turn."""

    def __init__(self, offers: Iterator[int]) -> None:
        self.offers = offers

    def __call__(self) -> _Offered:
        self.port = next(self.offers)
        return self

    def __enter__(self) -> _Offered:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def bind(self, address: Any) -> None:
        pass

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


CANDIDATES = range(40000, 40200)  # ports bind() might offer next (another worker may hold some)


def test_a_port_handed_out_is_not_handed_out_again_in_the_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = servers.free_port()
    monkeypatch.setattr(servers.socket, "socket", _Offered(iter([first, first, *CANDIDATES])))
    assert servers.free_port() in CANDIDATES


def test_a_port_another_process_holds_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    # a child process takes a port through free_port and keeps it while we ask for one
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            from tests.ops.servers import free_port
            print(free_port(), flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        theirs = int(child.stdout.readline())
        monkeypatch.setattr(servers.socket, "socket", _Offered(iter([theirs, *CANDIDATES])))
        got = servers.free_port()
        assert got != theirs and got in CANDIDATES
    finally:
        child.communicate("", timeout=30)
    # once the child has ended, the kernel has released its lock and the port can be handed out
    monkeypatch.setattr(servers.socket, "socket", _Offered(iter([theirs])))
    assert servers.free_port() == theirs
