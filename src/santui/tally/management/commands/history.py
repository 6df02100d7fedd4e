"""`santui history recount`: recount (and re-read) the whole history on Dask distributed."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from santui.tally.history.partitions import InstanceMismatch, IntegratorMoved
from santui.tally.history.recount import (
    DEFAULT_PARTITION,
    dask_client,
    history_recount,
    write_path,
)

_ADDRESS = re.compile(
    r"(tcp|tls)://[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}|(tcp|tls)://\[[0-9a-fA-F:]+\]:[0-9]{1,5}"
)


class Command(BaseCommand):
    help = (
        "The whole history on Dask distributed. `santui history recount` recounts every rollup "
        "from the statements and the ledger and compares it with the rollups and the log."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recount = sub.add_parser(
            "recount",
            help="recount every rollup on a Dask cluster; exit 1 on any difference",
        )
        recount.add_argument(
            "--workers", type=int, default=2,
            help="processes of the local cluster (one thread each; default 2)",
        )  # fmt: skip
        recount.add_argument(
            "--scheduler", default="",
            help="use the running cluster at this address (tcp://HOST:PORT) instead",
        )  # fmt: skip
        recount.add_argument(
            "--partition", type=int, default=DEFAULT_PARTITION,
            help=f"statement ids (and log positions) per partition (default {DEFAULT_PARTITION})",
        )  # fmt: skip
        recount.add_argument(
            "--reparse", action="store_true",
            help="also re-read every text with the current parser and report changed readings",
        )  # fmt: skip
        recount.add_argument(
            "--report", default="reparse-report.jsonl",
            help="where --reparse writes its JSON lines (default reparse-report.jsonl)",
        )  # fmt: skip
        recount.add_argument(
            "--no-progress", action="store_true", help="no progress bar on standard error"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        if not 1 <= options["workers"] <= 256:
            raise CommandError("--workers must be between 1 and 256")
        if not 1_000 <= options["partition"] <= 10_000_000:
            raise CommandError("--partition must be between 1,000 and 10,000,000")
        scheduler = options["scheduler"].strip()
        if scheduler and not _ADDRESS.fullmatch(scheduler):
            raise CommandError("--scheduler takes an address such as tcp://HOST:8786")
        try:
            report_file = write_path(Path(options["report"])) if options["reparse"] else None
        except OSError as exc:
            raise CommandError(f"cannot write the report {options['report']}: {exc}") from exc
        bar = tqdm(
            desc="partitions", unit="part", file=sys.stderr,
            disable=options["no_progress"] or None,
        )  # fmt: skip

        try:
            with dask_client(scheduler or None, options["workers"]) as client:
                result = history_recount(
                    client,
                    reparse=options["reparse"],
                    report=report_file,
                    partition=options["partition"],
                    progress=bar,
                )
        except (InstanceMismatch, IntegratorMoved) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot reach the cluster: {exc}") from exc
        finally:
            bar.close()
            if report_file is not None:
                report_file.close()
        self.stdout.write(
            f"integrated size {result.size}, {result.statements} statements "
            f"({result.counted} counted), {result.leaves} log leaves, "
            f"{result.partitions} partitions"
        )
        if options["reparse"]:
            self.stdout.write(
                f"re-read {result.reparsed} texts ({result.unread} without a stored reading): "
                f"{result.changed} readings changed, listed in {options['report']}"
            )
        for line in result.problems[:200]:
            self.stderr.write(line)
        if result.ok:
            self.stdout.write("OK: rollups = ledger = recount from statements = log")
            return
        raise CommandError(
            f"history recount found {len(result.problems)} differences"
            + (f" and {result.changed} changed readings" if result.changed else "")
        )
