from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from santui.tally.actions import queued_count, tally_integrate


class Command(BaseCommand):
    help = "Fold queued ledger entries into the rollups (the single integrator)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="keep integrating until stopped")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between runs")
        parser.add_argument("--batch", type=int, default=None, help="entries per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            try:
                while True:
                    tally_integrate(batch_size=options["batch"])
                    time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
        queued = queued_count()
        with tqdm(total=queued, unit="entry", disable=queued < 1000, file=self.stderr) as bar:
            result = tally_integrate(batch_size=options["batch"], on_batch=bar.update)
        self.stdout.write(
            f"integrated {result.entries} entries in {result.batches} batches; "
            f"log size {result.size}"
        )
