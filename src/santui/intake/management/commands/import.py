from __future__ import annotations

import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from santui.intake.importer import FileError, detect_format, run_import
from santui.screening.run import screen_all
from santui.tally.actions import queued_count, tally_integrate


class Command(BaseCommand):
    help = "Import statements from a JSON Lines or CSV file (docs/import-format.md)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="path of the file, or - for standard input")
        parser.add_argument("--rejects", help="where to write rejected rows (JSON Lines)")
        parser.add_argument("--format", choices=["jsonl", "csv"], default=None)
        parser.add_argument(
            "--source", default="import", help="namespace of external_id (default: import)"
        )
        parser.add_argument("--batch", type=int, default=2000, help="rows per transaction")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="on PostgreSQL, 1 (the default) prepares the next batch (masking, encryption) in "
            "a thread while the last one is stored; N > 1 prepares batches in N processes",
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--screen-report",
            metavar="FILE",
            help="one JSON line per screening decision on the received rows (santui screen)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            fmt = detect_format(path, options["format"])
        except FileError as exc:
            raise CommandError(str(exc)) from None
        if path == "-":
            stream = sys.stdin.buffer
            total = None
            rejects_path = Path(options["rejects"] or "stdin.rejects.jsonl")
        else:
            if not os.path.isfile(path):
                raise CommandError(f"no such file: {path}")
            stream = open(path, "rb")  # noqa: SIM115  # closed below
            total = os.path.getsize(path)
            rejects_path = Path(options["rejects"] or f"{path}.rejects.jsonl")
        if path != "-" and rejects_path.exists() and os.path.samefile(path, rejects_path):
            stream.close()
            raise CommandError("the rejects file must not be the file being imported")
        # Rejected rows keep their raw text (names included): readable by the owner only, also
        # when the file was already there with a wider mode.
        fd = os.open(rejects_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        started = time.monotonic()
        interrupted = False
        with (
            os.fdopen(fd, "wb") as rejects,
            tqdm(total=total, unit="B", unit_scale=True, desc="import", file=self.stderr,
                 disable=options["no_progress"]) as bar,
        ):  # fmt: skip
            try:
                summary = run_import(
                    stream, fmt=fmt, source=options["source"], rejects=rejects,
                    batch_size=options["batch"], on_progress=bar.update,
                    jobs=max(1, options["jobs"]),
                )  # fmt: skip
            except FileError as exc:
                rejects_path.unlink(missing_ok=True)  # nothing was read: no rejects to keep
                raise CommandError(str(exc)) from None
            except KeyboardInterrupt:
                interrupted = True
            finally:
                if stream is not sys.stdin.buffer:
                    stream.close()
        if interrupted:
            self.stderr.write(
                "interrupted: every finished batch is stored; run the same command again to "
                "resume (rows already imported are skipped)"
            )
            sys.exit(130)
        elapsed = time.monotonic() - started
        # Rows imported as received go through screening like every other statement.
        report_path = options["screen_report"]
        with open(report_path, "wb") if report_path else nullcontext() as report:
            screened = screen_all(
                report=report, progress=not options["no_progress"], stderr=self.stderr
            )
        queued = queued_count()
        with tqdm(total=queued, unit="entry", desc="integrate", file=self.stderr,
                  disable=options["no_progress"] or queued < 1000) as bar:  # fmt: skip
            integrated = tally_integrate(on_batch=bar.update)
        self.stdout.write(
            f"rows read            {summary.rows:>10,}\n"
            f"imported             {summary.imported:>10,}  ({summary.accepted:,} accepted)\n"
            f"already present      {summary.already_present:>10,}\n"
            f"rejected             {summary.rejected:>10,}"
            + (f"  -> {rejects_path}" if summary.rejected else "")
            + "\n"
            + "".join(f"  {reason:<30} {n:>8,}\n" for reason, n in sorted(summary.reasons.items()))
            + f"screened             {sum(screened.decided.values()):>10,}  ("
            f"{screened.decided.get('accepted', 0):,} accepted, "
            f"{screened.decided.get('held', 0):,} held, "
            f"{screened.decided.get('duplicate', 0):,} duplicates)\n"
            + f"integrated entries   {integrated.entries:>10,}  (log size {integrated.size:,})\n"
            f"time                 {elapsed:>10.1f} s"
            f"  ({summary.rows / elapsed if elapsed else 0:,.0f} rows/s)"
        )
        if not summary.rejected:
            rejects_path.unlink(missing_ok=True)
