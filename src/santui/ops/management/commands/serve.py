"""`santui serve`: the public server (gunicorn, no /office/ route, no office private key) with
the integrator and the releaser loops; `santui serve --office`: the back office on its own port,
with the loops that read names (the screener, the office's job runner, the published copies).
docs/operations.md#the-public-server-and-the-office."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings `santui serve` runs with (tests read them).

    Each worker is uvicorn running Django's ASGI application (santui.config.asgi): slow
    clients hold a connection, not a worker (issue 12; docs/operations.md, "Front and slow
    clients"). ``threads`` is kept for the command line's sake: under the ASGI worker each
    request's view runs in a thread of its own, so there is no thread pool to size."""
    del threads  # no thread pool under the ASGI worker (above)
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "santui.ops.gunicorn_logging.UvicornWorker",
        # No access log: it would hold client addresses (DESIGN.md invariant 4); uvicorn's own
        # is off too (UvicornWorker).
        "accesslog": None,
        "errorlog": "-",
        "logger_class": "santui.ops.gunicorn_logging.AddressFreeLogger",
        "loglevel": "warning",
        "forwarded_allow_ips": "127.0.0.1",
        # Idle keep-alive connections are closed after this many seconds.
        "keepalive": 5,
        # A worker that has not reported for this long is restarted by the arbiter.
        "timeout": 30,
        "graceful_timeout": 10,
    }


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.listening: dict[str, Any] = {}  # what run() puts in place of gunicorn's listener
        super().__init__()

    def load_config(self) -> None:  # at start, and again when gunicorn reloads (SIGHUP)
        for key, value in {**self.options, **self.listening}.items():
            self.cfg.set(key, value)

    def run(self) -> None:
        """Each worker listens on the address itself (``own_listener``: the kernel spreads the
        connections), gunicorn's own listener is a Unix socket in a private folder that nobody
        uses. The port is held here, bound but not listening, so that a port in use is an error
        at once, and so that no other user's program can take it while workers restart."""
        from santui.ops.gunicorn_logging import LISTEN_ENV, own_listener

        (address,) = self.cfg.bind
        if not hasattr(socket, "SO_REUSEPORT") or address.startswith(("unix:", "fd://")):
            super().run()
            return
        try:
            held = own_listener(address, listen=False)
        except OSError as exc:
            raise CommandError(f"cannot listen on {address}: {exc.strerror}") from exc
        folder = tempfile.mkdtemp(prefix="santui-serve-")
        try:
            self.listening = {
                "bind": [f"unix:{folder}/placeholder.sock"],
                "raw_env": [f"{LISTEN_ENV}={address}"],
            }
            self.load_config()
            super().run()
        finally:
            held.close()
            shutil.rmtree(folder, ignore_errors=True)

    def load(self) -> Any:  # santui.config.asgi.ReusedThreads (imported here, in the worker)
        # Made in each worker, after `setup` collected the static files: WhiteNoise lists them
        # when the application is made, so one made earlier would serve no stylesheet on an
        # instance's first run.
        from santui.config.asgi import application

        return application


def public_middleware() -> list[str]:
    """The public server's middleware: no staff sign-in (it has no office page)."""
    return [m for m in settings.MIDDLEWARE if m != settings.STAFF_SIGNIN_MIDDLEWARE]


@contextmanager
def _role(role: str) -> Iterator[None]:
    """The role's settings (santui.config.settings.base), when Django was set up without
    SANTUI_ROLE (`santui serve` sets it before; a test calls the command directly): restored
    after the server stops."""
    from santui.statements.crypto import forget_office, new_epoch

    if role == settings.SANTUI_ROLE:
        yield
        return
    names = ("SANTUI_ROLE", "ROOT_URLCONF", "MIDDLEWARE")
    saved = {name: getattr(settings, name) for name in names}
    settings.SANTUI_ROLE = role
    settings.ROOT_URLCONF = f"santui.config.urls_{role}"
    if role == "public":
        settings.MIDDLEWARE = public_middleware()
    forget_office()
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        forget_office()
        new_epoch()


class Command(BaseCommand):
    help = (
        "Serve the public site (integrate and release in the background); with --office, the "
        "back office on its own port (screen, office jobs and published copies in the background)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--office",
            action="store_true",
            help="serve the back office (it holds the office private key), not the public site",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=None, help="default 8000, or 8001 with --office"
        )
        # Measured on 2 cores (docs/benchmarks.md, "Public pages under load"): a worker per core;
        # threads matter little for cached pages but keep a slow reader from holding a worker.
        parser.add_argument("--workers", type=int, default=2, help="processes (one per core)")
        parser.add_argument("--threads", type=int, default=4, help="threads per process")
        parser.add_argument(
            "--integrate-every", type=float, default=2.0, help="seconds between integrations"
        )
        parser.add_argument(
            "--screen-every", type=float, default=2.0, help="seconds between screening rounds"
        )
        parser.add_argument(
            "--jobs-every", type=float, default=2.0, help="seconds between office job rounds"
        )
        parser.add_argument(
            "--release-every",
            type=float,
            default=60.0,
            help="seconds between checks for a month's breakdowns that are due",
        )
        parser.add_argument(
            "--retention-every",
            type=float,
            default=3600.0,
            help="seconds between retention runs (with --office; docs/retention.md)",
        )
        parser.add_argument(
            "--no-setup", action="store_true", help="skip `santui setup` (just run by the caller)"
        )
        parser.add_argument(
            "--demo",
            type=float,
            default=None,
            metavar="SCALE",
            help="load demo data at SCALE in the background unless already loaded (scripts/run)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        office = options["office"]
        role = "office" if office else "public"
        if settings.SANTUI_ROLE not in ("", role):  # the URL conf and the keys follow the role
            raise CommandError(
                f"run it as `santui serve{' --office' if office else ''}`, which sets "
                f"SANTUI_ROLE={role} before Django starts (it is {settings.SANTUI_ROLE!r})"
            )
        port = options["port"] or (8001 if office else 8000)
        if not options["no_setup"]:
            call_command("setup")
        with _role(role):
            if office:
                self._serve_office(options, port)
            else:
                self._serve_public(options, port)

    def _serve_public(self, options: dict[str, Any], port: int) -> None:
        # The background loops that need no name, each supervised (santui.tally.loops): the
        # integrator folds what screening counted into the figures and the log, and the releaser
        # publishes each month's breakdowns when due (santui.tally.disclosure). Screening, the
        # office's job runner and the published copies read names: `santui serve --office`.
        loops = [
            subprocess.Popen(  # noqa: S603  # our own interpreter and command
                [sys.executable, "-m", "santui", *command, "--loop", "--interval", str(every)]
            )
            for command, every in (
                (["integrate"], options["integrate_every"]),
                (["stats", "release"], options["release_every"]),
            )
        ]
        if options["demo"] is not None:
            demo = self._demo(options["demo"])
            if demo is not None:
                loops.append(demo)
        self.stdout.write(f"santui on http://{options['host']}:{port}/")
        try:
            _Gunicorn(
                gunicorn_options(options["host"], port, options["workers"], options["threads"])
            ).run()
        finally:
            for loop in loops:
                loop.terminate()
            for loop in loops:
                loop.wait(timeout=10)

    def _serve_office(self, options: dict[str, Any], port: int) -> None:
        """The back office: unlock the office key once (its passphrase asked here when the file
        has one and SANTUI_OFFICE_PASSPHRASE is unset), then the loops that read names in their
        own processes and gunicorn, whose workers inherit the unlocked key."""
        from santui.statements import officekey
        from santui.statements.crypto import unlock_office

        env = dict(os.environ)
        passphrase = env.get("SANTUI_OFFICE_PASSPHRASE") or None
        if passphrase is None and officekey.is_protected(settings.SANTUI_OFFICE_KEY_FILE):
            if not sys.stdin.isatty():
                raise CommandError(
                    f"the office key {settings.SANTUI_OFFICE_KEY_FILE} is protected by a "
                    "passphrase: start in a terminal, or give it in SANTUI_OFFICE_PASSPHRASE"
                )
            passphrase = getpass.getpass("Passphrase of the office key: ")
        try:
            unlock_office(passphrase)
        except officekey.OfficeKeyError as exc:
            raise CommandError(str(exc)) from None
        if passphrase:  # the loops unlock it too (their environment only)
            env["SANTUI_OFFICE_PASSPHRASE"] = passphrase
        # The screener reads names (blind keys of the person); the job runner decides in bulk;
        # public-copies writes the published name and text of public statements; retention
        # deletes personal data past its period (docs/retention.md).
        loops = [
            subprocess.Popen(  # noqa: S603  # our own interpreter and command
                [sys.executable, "-m", "santui", *command, "--loop", "--interval", str(every)],
                env=env,
            )
            for command, every in (
                (["screen"], options["screen_every"]),
                (["office-jobs"], options["jobs_every"]),
                (["public-copies"], options["screen_every"]),
                (["retention", "run"], options["retention_every"]),
            )
        ]
        self.stdout.write(f"santui office on http://{options['host']}:{port}/office/")
        try:
            _Gunicorn(
                gunicorn_options(options["host"], port, options["workers"], options["threads"])
            ).run()
        finally:
            for loop in loops:
                loop.terminate()
            for loop in loops:
                loop.wait(timeout=10)

    def _demo(self, scale: float) -> subprocess.Popen[bytes] | None:
        """`santui demo` beside the site, so the first page does not wait for it: the figures
        grow as the integrator loop folds its statements in. It marks the instance when done
        (``demo-loaded``); stopped half-way, it is run again next time (it is idempotent)."""
        home: Path = settings.SANTUI_HOME
        mark = home / "demo-loaded"
        if mark.exists():
            return None
        log = home / "demo.log"
        self.stdout.write(f"loading demo data (scale {scale}) in the background; log: {log}")
        with log.open("ab") as out:
            return subprocess.Popen(  # noqa: S603  # our own interpreter and command
                [sys.executable, "-m", "santui", "demo", "--scale", str(scale),
                 "--no-progress", "--mark", str(mark)],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
