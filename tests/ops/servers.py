"""PostgreSQL and Redis servers of a test's or a benchmark's own: a private PostgreSQL cluster
made with initdb on a free port and a private redis-server on another, which can be stopped and
started again without touching the machine's shared servers (tests/ops/test_faults.py,
bench/bench_form_soak.py)."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
REDIS_SERVER = shutil.which("redis-server") or "redis-server"
PSQL = shutil.which("psql") or "psql"


_PORT_LOCKS = Path(tempfile.gettempdir()) / "santui-test-ports"


def free_port() -> int:
    """A port free now and handed out to no other caller while this process lives, in this
    process or any other on the machine. santui serve binds with SO_REUSEPORT, so two servers
    given one port (two pytest-xdist workers' tests, or one test's two servers with the port
    freed in between) would share it and answer each other's requests. Each port handed out is
    held by an exclusive lock (flock) on a file named after it, which the kernel releases when
    the process ends, however it ends (a second open of the file cannot take the lock, even in
    this process)."""
    _PORT_LOCKS.mkdir(exist_ok=True)
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        descriptor = os.open(_PORT_LOCKS / str(port), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)  # handed out already, here or in another process
            continue
        return port  # the descriptor stays open, and the lock held, for the process's life


def wait_until_serving(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, seconds: float = 60
) -> None:
    """Wait until ``ready()`` (a request to the server ``proc`` started) says yes; fail with the
    server's log if it exits or does not answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        assert proc.poll() is None, log.read_text()
        time.sleep(0.25)
    raise AssertionError(f"santui serve did not start:\n{log.read_text()}")


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PrivatePostgres:
    folder: Path
    port: int = field(default_factory=free_port)
    fsync: bool = False  # off for tests (nothing is crashed); on for a benchmark's figures
    settings: dict[str, str] = field(default_factory=dict)  # more server settings (-c k=v)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        subprocess.run(  # noqa: S603  # the distribution's own initdb
            _as_postgres([f"{PG_BIN[-1]}/initdb", "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if self.fsync else 'off'}"
            + "".join(f" -c {k}={v}" for k, v in self.settings.items())
        )
        subprocess.run(  # noqa: S603
            _as_postgres([f"{PG_BIN[-1]}/pg_ctl", "-D", str(self.data), "-o", options,
                          "-l", str(self.folder / "pg.log"), "-w", "-t", "60", "start"]),
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            _as_postgres([f"{PG_BIN[-1]}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w",
                          "-t", "60", "stop"]),
            check=False, capture_output=True, timeout=90,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/santui"


@dataclass
class PrivateRedis:
    folder: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextlib.contextmanager
def private_servers(
    prefix: str, *, fsync: bool = False
) -> Iterator[tuple[Path, PrivatePostgres, PrivateRedis, dict[str, str]]]:
    """A fresh folder with a private PostgreSQL cluster (its database ``santui`` made) and a
    private Redis, both started, and the environment of a santui instance on them (its home
    in the folder, production settings). Both are stopped and the folder removed after."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(folder, 0o755)  # noqa: S103  # the postgres user reaches its cluster inside
    (folder / "pg").mkdir()
    pg, cache = PrivatePostgres(folder / "pg", fsync=fsync), PrivateRedis(folder)
    try:
        pg.init()
        pg.start()
        subprocess.run(  # noqa: S603
            [PSQL, pg.url.rsplit("/", 1)[0] + "/postgres", "-q", "-c", "CREATE DATABASE santui"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        cache.start()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env |= {
            "SANTUI_HOME": str(folder / "home"),
            "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod",
            "DATABASE_URL": pg.url, "REDIS_URL": cache.url,
        }  # fmt: skip
        yield folder, pg, cache, env
    finally:
        cache.stop()
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)
