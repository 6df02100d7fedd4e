"""``santui export DIR``: the open-data files of /data/, written to a directory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from santui.tally.opendata.datasets import consistent_read, snapshot
from santui.tally.opendata.export import (
    ExportError,
    export_dir,
    file_names,
    planned_rows,
    prepare_dir,
)

FORMAT_CHOICES = ("csv", "json", "parquet")


def _formats(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = []
    for value in values:
        for fmt in value.split(","):
            fmt = fmt.strip().lower()
            if fmt not in FORMAT_CHOICES:
                raise CommandError(
                    f"unknown format {fmt!r}: choose from {', '.join(FORMAT_CHOICES)}"
                )
            out.append(fmt)
    return out


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


class Command(BaseCommand):
    help = "Write the open-data files (the same as /data/) and datapackage.json to DIR."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dir", help="directory to write to (created if missing)")
        parser.add_argument(
            "--format",
            action="append",
            dest="formats",
            metavar="FORMAT",
            help="csv, json (with JSON Lines) or parquet; repeat or comma-separate (default: all)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        root = Path(options["dir"])
        names = file_names(_formats(options["formats"]))
        try:
            prepare_dir(root)  # refuse a file before reading anything
            with consistent_read():  # every file of one integrated state
                snap = snapshot()
                total = planned_rows(snap, names)
                with tqdm(
                    total=total,
                    unit="row",
                    unit_scale=True,
                    disable=options["no_progress"],
                    file=self.stderr,
                ) as bar:
                    written = export_dir(root, snap, names, on_rows=bar.update)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        width = max(len(w.name) for w in written)
        for w in written:
            rows = f"{w.rows:>12,} rows" if w.rows is not None else " " * 17
            self.stdout.write(f"{w.name:<{width}}  {rows}  {_size(w.digest.bytes):>10}")
        total_bytes = sum(w.digest.bytes for w in written)
        total_rows = sum(w.rows or 0 for w in written)
        self.stdout.write(
            f"wrote {len(written)} files ({total_rows:,} rows, {_size(total_bytes)}) to {root} "
            f"at log size {snap.size} (root hash {snap.root_base64 or '-'}) "
            f"in {time.monotonic() - started:.1f} s"
        )
