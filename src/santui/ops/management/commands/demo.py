from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from santui.ops.demo import DemoGenerator, batched, expected_persons, in_background
from santui.statements.bulk import statements_bulk_load
from santui.tally.actions import queued_count, tally_integrate


class Command(BaseCommand):
    help = "Generate and load demo statements that follow the published milestones at a scale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale", type=float, default=0.001,
            help="fraction of the real persons (0.001: 1,000 by 2005-04-21)",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=2004)
        parser.add_argument("--until", default=None, help="last day (default: yesterday)")
        parser.add_argument("--pending", type=int, default=25,
                            help="statements left awaiting review")  # fmt: skip
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--mark", default=None, metavar="FILE", help="create FILE once the demo is loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be in (0, 1]")
        try:
            until = dt.date.fromisoformat(options["until"]) if options["until"] else None
        except ValueError:
            raise CommandError("--until must be a date YYYY-MM-DD") from None
        generator = DemoGenerator(scale=scale, seed=options["seed"], until=until)
        total = expected_persons(scale, generator.until, options["seed"])
        started = time.monotonic()
        inserted = present = persons = 0
        with tqdm(total=total, unit="person", unit_scale=True, desc="demo",
                  file=self.stderr, disable=options["no_progress"]) as bar:  # fmt: skip
            rows = generator.rows(received_tail=options["pending"])
            for batch in in_background(batched(rows, options["batch"])):
                result = statements_bulk_load(rows=batch, source="demo", via="demo")
                inserted += result.inserted
                present += result.already_present
                n = sum(r.headcount for r in batch if r.status == "accepted")
                persons += n
                bar.update(n)
        loaded = time.monotonic() - started
        queued = queued_count()
        with tqdm(total=queued, unit="entry", unit_scale=True, desc="integrate", file=self.stderr,
                  disable=options["no_progress"] or queued < 1000) as bar:  # fmt: skip
            integrated = tally_integrate(on_batch=bar.update)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"demo scale {scale}: {persons:,} persons in {inserted + present:,} statements "
            f"({inserted:,} new, {present:,} already present) up to {generator.until}\n"
            f"loaded in {loaded:.1f} s, integrated {integrated.entries:,} entries; "
            f"total {elapsed:.1f} s; log size {integrated.size:,}"
        )
        if options["mark"]:
            Path(options["mark"]).touch()
