"""Shared helpers for the benchmarks in bench/: fresh instances, timed child processes, machine.

Every measured step runs as a child process in a fresh ``SANTUI_HOME`` (and, for PostgreSQL, a
freshly created database), so that its peak memory can be read with ``os.wait4`` and nothing
carries over between runs. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SANTUI = str(ROOT / ".venv" / "bin" / "santui")
PYTHON = sys.executable
PG_URL = "postgres://postgres@127.0.0.1:5432/santui_bench"
PG_DB = "santui_bench"
# A fixed last day, so that the demo rows (and the figures) do not change from day to day.
UNTIL = dt.date(2025, 6, 30)


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    maxrss_mb: float  # peak resident set size of the child, MiB
    stdout: str
    stderr: str


def run(cmd: Sequence[str], env: dict[str, str], *, cwd: str | None = None) -> Run:
    """Run ``cmd`` to completion; return its wall time and its own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)  # noqa: S603
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{stdout}\n{stderr}")
    return Run(wall, usage.ru_maxrss / 1024, stdout, stderr)  # ru_maxrss is in KiB on Linux


def _psql(sql: str) -> None:
    subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q",  # noqa: S607
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )  # fmt: skip


@contextlib.contextmanager
def fresh_instance(
    database: str, *, pg_db: str | None = None, prefix: str = "santui-bench-"
) -> Iterator[dict[str, str]]:
    """A new SANTUI_HOME (and, for postgres, a new empty database ``pg_db``, by default this
    module's ``PG_DB``, which a benchmark may set) after `santui setup`."""
    pg_db = pg_db or PG_DB
    home = tempfile.mkdtemp(prefix=prefix)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SANTUI_KEY_FILE")}
    env["SANTUI_HOME"] = home
    env["DJANGO_SETTINGS_MODULE"] = "santui.config.settings.prod"
    if database == "postgres":
        _psql(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        _psql(f"CREATE DATABASE {pg_db}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_db}"
    try:
        run([SANTUI, "setup"], env, cwd=home)
        yield env
    finally:
        if database == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        shutil.rmtree(home, ignore_errors=True)


def setup_django_here() -> None:
    """Configure Django in this process (for the generators) with a throwaway instance
    (`santui setup` on SQLite, removed at exit): the settings refuse a SANTUI_HOME that holds
    none."""
    if "SANTUI_HOME" not in os.environ:
        home = tempfile.mkdtemp(prefix="santui-bench-gen-")
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SANTUI_KEY_FILE")}
        env |= {"SANTUI_HOME": home, "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod"}
        run([SANTUI, "setup"], env, cwd=home)
        os.environ["SANTUI_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
    import django

    django.setup()


KEPT_PG_URL = "postgres://postgres@127.0.0.1:5432/scale_h1"  # bench_history_scale.py's --keep


def kept_instance_parser(description: str, *, repeat: int) -> argparse.ArgumentParser:
    """The arguments of a benchmark that measures an instance ``bench_history_scale.py --keep``
    left: --home, --database-url, --repeat (then ``setup_django_kept``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--home", required=True, help="the kept instance's SANTUI_HOME")
    parser.add_argument("--database-url", default=KEPT_PG_URL)
    parser.add_argument("--repeat", type=int, default=repeat)
    return parser


def setup_django_kept(home: str, database_url: str) -> None:
    """Configure Django in this process on a kept instance (SANTUI_HOME, its database)."""
    os.environ |= {
        "SANTUI_HOME": home,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod",
    }
    import django

    django.setup()


def machine(database: str) -> str:
    lines = [
        f"date       {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"cpus       {os.cpu_count()} ({platform.processor() or platform.machine()})",
        f"os         {platform.platform()}",
        f"python     {platform.python_version()}",
        f"santui     {revision()}",
        f"database   {database}",
    ]
    if database == "sqlite":
        lines.append(f"sqlite     {sqlite3.sqlite_version}")
    else:
        version = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",  # noqa: S607
             "SHOW server_version"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        lines.append(f"postgresql {version}")
    return "\n".join(lines)


def revision() -> str:
    """The commit measured, and whether src/ had uncommitted changes (read-only git)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # never write the index
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    dirty = subprocess.run(
        ["git", "diff", "--quiet", "HEAD", "--", "src"],  # noqa: S607
        cwd=ROOT, env=env, capture_output=True, check=False,
    ).returncode  # fmt: skip
    return f"{head or 'unknown'}{' with uncommitted changes in src/' if dirty else ''}"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def rate(n: float, seconds: float) -> str:
    return f"{n / seconds:>10,.0f}/s" if seconds > 0 else "         -"


def psql_admin(url: str, sql: str) -> None:
    """Run ``sql`` on the server of ``url`` (``postgres://…/db``), connected to ``postgres``:
    for CREATE and DROP DATABASE."""
    admin = url.rsplit("/", 1)[0] + "/postgres"
    command = ["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603


@contextlib.contextmanager
def serving(
    command: list[str], env: dict[str, str], log: Path, ready: Callable[[], bool]
) -> Iterator[int]:
    """``santui serve`` (``command``) in a process group of its own, its output in ``log``,
    until ``ready()`` holds (2 minutes at most); yields the group's id, stops it after."""
    out = log.open("w")
    proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                            start_new_session=True)  # fmt: skip
    try:
        for _ in range(240):
            with contextlib.suppress(OSError):
                if ready():
                    break
            if proc.poll() is not None:
                sys.exit(f"santui serve exited: see {log}")
            time.sleep(0.5)
        else:
            sys.exit("santui serve did not answer within 2 minutes")
        print(" ".join(command[1:]))
        yield proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.close()
