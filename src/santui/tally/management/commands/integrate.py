from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from santui.statements.models import QueuedEntry
from santui.tally.actions import queued_count, tally_integrate
from santui.tally.loops import Round, run_supervised


def integrate_round(batch: int | None) -> Round:
    """One supervised round: integrate what is queued, then say what still waits. Releases of
    breakdowns have their own loop (`santui stats release --loop`): the first release of a long
    history plans for minutes, and counting must not wait for it."""
    result = tally_integrate(batch_size=batch)
    oldest = (
        QueuedEntry.objects.order_by("entry_id").values_list("entry__queued_at", flat=True).first()
    )
    return Round(done=result.entries, backlog=queued_count(), oldest_waiting_at=oldest)


class Command(BaseCommand):
    help = "Fold queued ledger entries into the rollups (the single integrator)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="keep integrating until stopped")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between runs")
        parser.add_argument("--batch", type=int, default=None, help="entries per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            try:
                run_supervised(
                    name="integrator",
                    round_fn=lambda: integrate_round(options["batch"]),
                    interval=options["interval"],
                )
            except KeyboardInterrupt:
                return
        queued = queued_count()
        with tqdm(total=queued, unit="entry", disable=queued < 1000, file=self.stderr) as bar:
            result = tally_integrate(batch_size=options["batch"], on_batch=bar.update)
        self.stdout.write(
            f"integrated {result.entries} entries in {result.batches} batches; "
            f"log size {result.size}"
        )
