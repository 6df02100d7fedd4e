from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from santui.statements.partitions import (
    TABLES,
    all_partitions_ensure,
    partitioned,
    partitions,
)
from santui.tally.verify import tally_verify


class Command(BaseCommand):
    help = "Tally maintenance. `santui tally verify` recounts from source and compares."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="recount from the statements and the ledger; exit 1 on any difference"
        )
        sub.add_parser(
            "partitions",
            help=(
                "PostgreSQL: list the partitions of the statements and of the ledger, making "
                "the next ones if they are due"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "partitions":
            self._partitions()
            return
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

    def _partitions(self) -> None:
        if not any(partitioned(table) for table in TABLES):
            self.stdout.write(
                "the statements and the ledger are one table each (SQLite, or PostgreSQL "
                "before statements migrations 0017 and 0018)"
            )
            return
        for name in all_partitions_ensure():
            self.stdout.write(f"made {name}")
        for table in TABLES:
            for p in partitions(table):
                low = "MINVALUE" if p.low is None else p.low
                ids = "DEFAULT" if p.default else f"ids {low} to {p.high}"
                rows = "not analyzed" if p.rows < 0 else f"about {p.rows:,} rows"
                self.stdout.write(f"{p.name:<36} {ids:<32} {rows}")
