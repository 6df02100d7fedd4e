"""`santui serve`: gunicorn's options, and the real server answering like a visitor expects."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from santui.ops.management.commands.serve import gunicorn_options
from tests.ops.servers import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
SANTUI = str(Path(sys.executable).parent / "santui")


def test_gunicorn_options_keep_addresses_out_of_every_log() -> None:
    options = gunicorn_options("127.0.0.1", 8000, 2, 4)
    assert options["accesslog"] is None
    assert options["logger_class"] == "santui.ops.gunicorn_logging.AddressFreeLogger"
    assert options["bind"] == "127.0.0.1:8000"
    assert options["workers"] == 2 and "threads" not in options
    # uvicorn: slow clients and idle keep-alive connections cost no thread (issue 12)
    assert options["worker_class"] == "santui.ops.gunicorn_logging.UvicornWorker"


def test_the_defaults_are_the_measured_ones() -> None:
    """docs/benchmarks.md ("Public pages under load") measured 2 workers of 4 threads."""
    from santui.ops.management.commands.serve import Command

    parser = Command().create_parser("santui", "serve")
    defaults = vars(parser.parse_args([]))
    assert (defaults["workers"], defaults["threads"]) == (2, 4)


def _get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    """Status, headers (looked up in any case: uvicorn sends names in lower case), body."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  # our own server
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@contextmanager
def _closing(sockets: list[socket.socket]) -> Iterator[None]:
    """Close the sockets the list holds at the end (it may be filled meanwhile)."""
    try:
        yield
    finally:
        for sock in sockets:
            sock.close()


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SANTUI_HOME=str(home), DJANGO_SETTINGS_MODULE="santui.config.settings.prod")
    return env


@contextmanager
def _serving(home: Path, *args: str) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """`santui serve ARGS` on a free port in ``home``, once it answers: its address, its log
    and its process (the leader of its process group, stopped at the end)."""
    port = free_port()
    log = home / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [SANTUI, "serve", "--port", str(port), *args],
            env=_environment(home), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=home,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(lambda: _get(base + "/api/v1/openapi.json")[0] == 200, proc, log)
        yield base, log, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("serve")
    with _serving(home, "--workers", "1", "--threads", "2") as (base, log, _):
        yield base, log


@pytest.mark.slow
def test_the_server_answers_with_validators_and_the_policy(served: tuple[str, Path]) -> None:
    base, _ = served
    status, headers, body = _get(base + "/", **{"Accept-Language": "en"})
    assert status == 200 and b"Persons who have declared" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "Set-Cookie" not in headers
    etag = headers["ETag"]
    again = _get(base + "/", **{"Accept-Language": "en", "If-None-Match": etag})
    assert again[0] == 304 and again[2] == b""
    assert _get(base + "/api/v1/stats")[0] == 200
    assert _get(base + "/api/v1/stats?from=2024-13-45")[0] == 400
    # the stylesheet is there on the instance's first run (collected before the app is made)
    stylesheet = re.search(rb'<link rel="stylesheet" href="([^"]+)"', body)
    assert stylesheet
    css = _get(base + stylesheet.group(1).decode())
    assert css[0] == 200 and b"--accent" in css[2]
    head = urllib.request.Request(base + "/", method="HEAD")  # noqa: S310
    with urllib.request.urlopen(head, timeout=20) as response:  # noqa: S310
        assert response.status == 200 and response.read() == b""


@pytest.mark.slow
def test_a_malformed_request_leaves_no_address_in_the_log(served: tuple[str, Path]) -> None:
    base, log = served
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GARBAGE \x00\x01 nonsense\r\n\r\n")
        sock.recv(1024)
    time.sleep(0.5)
    text = log.read_text()
    assert "127.0.0.1" not in text.replace(f"http://127.0.0.1:{port}/", "")


def _workers(server: int) -> list[int]:
    import psutil  # distributed's dependency (pyproject.toml), here to read processes and sockets

    workers = []
    for child in psutil.Process(server).children():
        try:  # not the integrator's and releaser's loops; a worker that ended is skipped
            if "serve" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                workers.append(child.pid)
        except psutil.Error:
            continue
    return workers


def _listening(pid: int) -> bool:
    import psutil

    try:
        connections = psutil.Process(pid).net_connections("tcp")
    except psutil.Error:  # it ended meanwhile
        return False
    return any(c.status == psutil.CONN_LISTEN for c in connections)


def _worker_of_each_connection(port: int, workers: list[int]) -> Counter[int]:
    """Which worker holds each established connection to ``port``."""
    import psutil

    owners: Counter[int] = Counter()
    for pid in workers:
        for conn in psutil.Process(pid).net_connections(kind="tcp"):
            if conn.status == psutil.CONN_ESTABLISHED and conn.laddr.port == port:
                owners[pid] += 1
    return owners


@pytest.mark.slow
def test_connections_waiting_at_once_are_spread_over_the_workers(tmp_path: Path) -> None:
    """Connections that wait to be accepted at the same moment (wrk opens its 16 at once) all
    went to the first of two workers to wake when the workers shared gunicorn's socket: it
    accepts every connection waiting. With a socket per worker (SO_REUSEPORT) each waits on
    the socket the kernel gave it. The workers are stopped while the connections arrive, and
    one is woken a second before the other."""
    sockets: list[socket.socket] = []
    with _serving(tmp_path, "--workers", "2") as (base, log, proc), _closing(sockets):
        port = int(base.rsplit(":", 1)[1])
        deadline = time.monotonic() + 60
        while len(workers := _workers(proc.pid)) < 2 or not all(map(_listening, workers)):
            assert time.monotonic() < deadline, "the second worker did not start listening"
            time.sleep(0.2)
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        try:
            # the kernel completes each handshake and queues it for a worker to accept
            sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(32)]
        finally:
            # the first worker wakes alone, as when the other has no core to run on (two
            # cores, wrk on one): on a shared socket it would accept every waiting connection
            os.kill(workers[0], signal.SIGCONT)
            time.sleep(1)
            os.kill(workers[1], signal.SIGCONT)
        for sock in sockets:
            sock.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for sock in sockets:
            assert sock.recv(12).startswith(b"HTTP/1.1 200")
        owners = _worker_of_each_connection(port, workers)
        assert sum(owners.values()) == 32 and len(owners) == 2, owners
        # Hashed over two sockets: fewer than 4 of 32 on one has a chance of about 3 in a million
        assert min(owners.values()) >= 4, owners

        # gunicorn's reload (SIGHUP) starts new workers, which listen on sockets of their own
        os.kill(proc.pid, signal.SIGHUP)
        while not (
            len(new := _workers(proc.pid)) == 2
            and not set(new) & set(workers)
            and all(map(_listening, new))
        ):
            assert time.monotonic() < deadline + 60, "no new workers after the reload"
            time.sleep(0.2)
        assert _get(base + "/api/v1/openapi.json")[0] == 200
        assert "Error" not in log.read_text(), log.read_text()


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(  # noqa: S603
            [SANTUI, "serve", "--port", str(port), "--workers", "1"],
            env=_environment(tmp_path), capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def _run_captured(monkeypatch: pytest.MonkeyPatch, port: int) -> dict[str, Any]:
    """What gunicorn would run with (its arbiter replaced): the bind and the workers' env."""
    from gunicorn.app.base import BaseApplication

    from santui.ops.management.commands.serve import _Gunicorn

    seen: dict[str, Any] = {}

    def run(app: Any) -> None:
        seen.update(bind=list(app.cfg.bind), env=dict(app.cfg.env or {}))
        app.reload()  # what SIGHUP does: the config is read again
        seen.update(reloaded=list(app.cfg.bind))

    monkeypatch.setattr(BaseApplication, "run", run)
    monkeypatch.setattr(BaseApplication, "reload", lambda app: app.load_config())
    _Gunicorn(gunicorn_options("127.0.0.1", port, 1, 1)).run()
    return seen


def test_gunicorn_listens_on_a_placeholder_and_the_workers_on_the_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    seen = _run_captured(monkeypatch, port)
    (bind,) = seen["bind"]
    assert bind.startswith("unix:") and bind.endswith("/placeholder.sock")
    assert seen["env"] == {"SANTUI_SERVE_LISTEN": f"127.0.0.1:{port}"}
    assert seen["reloaded"] == seen["bind"]
    assert not Path(bind.removeprefix("unix:")).parent.exists()  # its folder is removed after


def test_without_reuseport_gunicorn_binds_the_port_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(socket, "SO_REUSEPORT")
    port = free_port()
    seen = _run_captured(monkeypatch, port)
    assert seen["bind"] == [f"127.0.0.1:{port}"] and not seen["env"]
