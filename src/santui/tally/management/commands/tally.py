from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from santui.tally.verify import tally_verify


class Command(BaseCommand):
    help = "Tally maintenance. `santui tally verify` recounts from source and compares."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="recount from the statements and the ledger; exit 1 on any difference"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = tally_verify()
        self.stdout.write(
            f"integrated size {report.size}, statements counted {report.statements_counted}, "
            f"queued {report.queued}"
        )
        if report.ok:
            self.stdout.write("OK: rollups = ledger = recount from statements")
            return
        for line in report.problems[:200]:
            self.stderr.write(line)
        raise CommandError(f"tally verify found {len(report.problems)} differences")
