"""`santui screen`: screen every received statement not screened yet (or keep doing it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from santui.screening.quality import quality_freeze
from santui.screening.rules import RULES
from santui.screening.run import screen_all, screen_loop_round
from santui.tally.actions import tally_integrate
from santui.tally.loops import run_supervised


class Command(BaseCommand):
    help = "Screen received statements: accept (count), hold for a person, or mark duplicates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--report", metavar="FILE", help="one JSON line per decision")
        parser.add_argument("--batch", type=int, default=None, help="statements per transaction")
        parser.add_argument("--loop", action="store_true", help="keep screening until stopped")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            try:
                run_supervised(
                    name="screener",
                    round_fn=lambda: screen_loop_round(options["batch"]),
                    interval=options["interval"],
                )
            except KeyboardInterrupt:
                return
            return
        report = open(options["report"], "wb") if options["report"] else None  # noqa: SIM115
        try:
            summary = screen_all(
                batch=options["batch"],
                report=report,
                progress=not options["no_progress"],
                stderr=self.stderr,
            )
        finally:
            if report is not None:
                report.close()
        integrated = tally_integrate()  # the accepted ones are counted before we exit
        quality_freeze()  # months released since the last round (santui.screening.quality)
        d = summary.decided
        reasons = ", ".join(f"{k} {v}" for k, v in summary.reasons.most_common()) or "none"
        self.stdout.write(
            f"screened {sum(d.values())} statements with {RULES.name}: "
            f"accepted {d.get('accepted', 0)}, held {d.get('held', 0)}, "
            f"duplicates {d.get('duplicate', 0)}; reasons: {reasons}; "
            f"log size {integrated.size}"
        )
