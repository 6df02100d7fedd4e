"""Issue 12, slow clients: 40 connections that send a header byte every 1–3 s must not take the
site offline. The real `santui serve` (one worker, SQLite) is started in a subprocess; while a
bounded slowloris client keeps its 40 connections trickling, the home page, the form and a
statement sent through the form each answer within 2 s. Again with 40 POSTs whose heads arrive
whole and whose bodies trickle a byte at a time: a request takes a thread only once its body is
in (santui.config.asgi.ReusedThreads).

Under gunicorn's threaded workers each slow connection held a thread until its request was
whole, so 40 of them took every thread (docs/benchmarks.md, "Front and slow clients"). Under
uvicorn (santui.ops.gunicorn_logging.UvicornWorker) they hold a connection each and nothing else.
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.ops.servers import free_port, wait_until_serving

SANTUI = str(Path(sys.executable).parent / "santui")
CONNECTIONS = 40
SLOW_SECONDS = 14.0  # how long the slow client runs: bounded
ANSWER_WITHIN = 2.0  # seconds (issue 12)


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5):  # noqa: S310  # our own server
        return True


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("slowclient")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SANTUI_HOME=str(home), DJANGO_SETTINGS_MODULE="santui.config.settings.prod")
    log = home / "serve.log"
    # One machine, public site and office both (scripts/run): setup makes the office key pair.
    subprocess.run(  # noqa: S603  # our own command
        [SANTUI, "setup"], env=env, check=True, capture_output=True, timeout=300, cwd=home
    )
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603  # our own command
            [SANTUI, "serve", "--port", str(port), "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=home,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(lambda: _answers(base + "/api/v1/openapi.json"), proc, log)
        for path in ("/", "/declare/"):  # a worker's first page compiles templates and lists
            with urllib.request.urlopen(base + path, timeout=30):  # noqa: S310
                pass
        yield base, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@dataclass
class Slowloris:
    """``CONNECTIONS`` connections, each sending a request's head one byte every 1–3 s (never
    the blank line that ends it), for ``seconds``. Counts the bytes sent and the connections
    the server closed on it."""

    port: int
    seconds: float
    body: bool = False  # a whole head at once, then the body a byte at a time (a slow POST)
    sent: int = 0
    closed: int = 0
    opened: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        rng = random.Random(12)  # timing jitter, not a secret
        head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200
        socks = []
        for _ in range(CONNECTIONS):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if self.body:
                sock.sendall(
                    b"POST /declare/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 100000\r\n\r\n"
                )
                head = b"text=" + b"a" * 1000
            socks.append([sock, 0, time.monotonic() + rng.uniform(0, 1)])
        self.opened.set()
        end = time.monotonic() + self.seconds
        try:
            while not self._stop.is_set() and time.monotonic() < end:
                live = (e for e in socks if e[0] is not None)
                entry = min(live, key=lambda e: e[2], default=None)
                if entry is None:
                    return
                time.sleep(max(0.0, min(entry[2], end) - time.monotonic()))
                sock, position, _when = entry
                try:
                    sock.sendall(head[position % len(head) : position % len(head) + 1])
                    self.sent += 1
                except OSError:
                    self.closed += 1
                    sock.close()
                    entry[0] = None
                    continue
                entry[1] = position + 1
                entry[2] = time.monotonic() + rng.uniform(1, 3)
        finally:
            for entry in socks:
                if entry[0] is not None:
                    entry[0].close()

    def stop(self) -> None:
        self._stop.set()


def _timed(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request
) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with opener.open(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, body, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("body", [False, True], ids=["slow-head", "slow-body"])
def test_forty_slow_connections_leave_the_site_and_the_form_answering(
    served: tuple[str, Path], body: bool
) -> None:
    base, log = served
    port = int(base.rsplit(":", 1)[1])
    slow = Slowloris(port, SLOW_SECONDS, body=body)
    thread = threading.Thread(target=slow.run, daemon=True)
    thread.start()
    try:
        assert slow.opened.wait(20)
        time.sleep(3.5)  # every slow connection has sent a byte or more, and holds on
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        headers = {"Accept-Language": "en"}
        timings = {}
        status, body, timings["home"] = _timed(
            opener, urllib.request.Request(base + "/", headers=headers)  # noqa: S310
        )
        assert status == 200 and b"Persons who have declared" in body
        status, body, timings["form"] = _timed(
            opener, urllib.request.Request(base + "/declare/", headers=headers)  # noqa: S310
        )
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert token is not None
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "text": "我声明退出中共的党组织。",
                "organizations": "party",
                "declarant": "self",
                "name": "",
                "name_kind": "anonymous",
                "current_party_member": "unknown",
                "headcount": "1",
            }
        ).encode()
        post = urllib.request.Request(  # noqa: S310
            base + "/declare/", data=data, headers={**headers, "Referer": base + "/declare/"}
        )
        status, body, timings["post"] = _timed(opener, post)
        assert status == 200, body.decode()[:2000]
        assert b'id="receipt-code"' in body
        still_slow = thread.is_alive() and slow.closed == 0
    finally:
        slow.stop()
        thread.join(timeout=10)
    # The slow client was really there: every connection open and trickling all along.
    assert still_slow, (slow.closed, slow.sent)
    assert slow.sent >= CONNECTIONS
    assert all(t < ANSWER_WITHIN for t in timings.values()), timings
    assert "127.0.0.1" not in log.read_text().replace(base + "/", "")
