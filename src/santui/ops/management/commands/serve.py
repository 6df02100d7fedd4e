"""`santui serve`: gunicorn for the site, plus the screener, the integrator and the office's
job runner loops in three more processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application
from gunicorn.app.base import BaseApplication


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings `santui serve` runs with (tests read them)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # No access log: it would hold client addresses (DESIGN.md invariant 4).
        "accesslog": None,
        "errorlog": "-",
        "logger_class": "santui.ops.gunicorn_logging.AddressFreeLogger",
        "loglevel": "warning",
        "forwarded_allow_ips": "127.0.0.1",
    }


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIHandler:
        # Made in each worker, after `setup` collected the static files: WhiteNoise lists them
        # when the application is made, so one made earlier would serve no stylesheet on an
        # instance's first run.
        return get_wsgi_application()


class Command(BaseCommand):
    help = "Serve the site with gunicorn; screen, integrate and run office jobs in the background."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
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
        if not options["no_setup"]:
            call_command("setup")
        # The background loops, each supervised (santui.tally.loops): screening decides what is
        # counted, the integrator folds it into the figures and the log, the office's job
        # runner carries out moderators' large decisions (santui.backoffice.jobs), and the
        # releaser publishes each month's breakdowns when due (santui.tally.disclosure).
        loops = [
            subprocess.Popen(  # noqa: S603  # our own interpreter and command
                [sys.executable, "-m", "santui", *command, "--loop", "--interval", str(every)]
            )
            for command, every in (
                (["screen"], options["screen_every"]),
                (["integrate"], options["integrate_every"]),
                (["office-jobs"], options["jobs_every"]),
                (["stats", "release"], options["release_every"]),
            )
        ]
        if options["demo"] is not None:
            demo = self._demo(options["demo"])
            if demo is not None:
                loops.append(demo)
        self.stdout.write(f"santui on http://{options['host']}:{options['port']}/")
        try:
            _Gunicorn(
                gunicorn_options(
                    options["host"], options["port"], options["workers"], options["threads"]
                )
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
