"""`santui office-jobs`: run the office's background jobs (large workbench decisions), once or
as a supervised loop (what `santui serve` runs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from santui.backoffice.jobs import LOOP_NAME, office_jobs_round, office_jobs_run_all
from santui.tally.loops import run_supervised


class Command(BaseCommand):
    help = "Run the office's background jobs: large decisions of the workbench, in chunks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running jobs until stopped")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")
        parser.add_argument(
            "--chunk", type=int, default=None, help="statements per transaction (default: setting)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chunk = options["chunk"] or settings.SANTUI_OFFICE_JOB_CHUNK
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        if options["loop"]:
            try:
                run_supervised(
                    name=LOOP_NAME,
                    round_fn=lambda: office_jobs_round(chunk=chunk),
                    interval=options["interval"],
                )
            except KeyboardInterrupt:
                return
            return
        ran = office_jobs_run_all(chunk=chunk)
        if not ran:
            self.stdout.write("no job to run")
        for job in ran:
            refused = ", ".join(f"{k} {v}" for k, v in sorted(job.refused.items()) if v) or "none"
            self.stdout.write(
                f"job {job.pk} ({job.kind}): {job.state}; {job.processed} of {job.total} "
                f"processed, {job.done} decided ({job.persons} persons), refused: {refused}"
            )
