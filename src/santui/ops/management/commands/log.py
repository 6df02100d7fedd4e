"""``santui log``: the public log's key, checkpoints and export; and, for anyone, the verifier and
the witness (``verify``, ``cosign``, ``witness-key``, ``check-proof``: see santui.tlog.cli)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from santui.publish.selectors import public_stats
from santui.tally import log
from santui.tally.actions import tally_integrate
from santui.tlog import cli as client_cli
from santui.tlog import tiles


class Command(BaseCommand):
    help = "The public log: keygen, key, checkpoint, export DIR; verify, cosign, check-proof."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("keygen", help="make the log's signing key (never overwrites)")
        p.add_argument("--origin", default=None, help="the log's origin (default: setting)")
        sub.add_parser("key", help="print the log's verifier key")
        sub.add_parser("checkpoint", help="integrate what is queued and print the checkpoint")
        p = sub.add_parser("export", help="write the log in the C2SP tlog-tiles layout")
        p.add_argument("dir")
        p.add_argument("--no-progress", action="store_true")
        for name in client_cli.CLIENT_COMMANDS:
            p = sub.add_parser(name, help=f"see `santui log {name} --help`", add_help=False)
            p.add_argument("rest", nargs="*")

    def run_from_argv(self, argv: list[str]) -> None:
        # The client commands parse their own options (they also run without Django).
        if len(argv) > 2 and argv[2] in client_cli.CLIENT_COMMANDS:
            raise SystemExit(client_cli.main(argv[2:]))
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "keygen":
            try:
                signer = log.log_keygen(origin=options["origin"])
            except FileExistsError:
                raise CommandError(
                    "the log already has a key: a new key would make a new log "
                    "(move the old file away first if you really mean it)"
                ) from None
            self.stdout.write(signer.verifier.vkey)
        elif action == "key":
            self.stdout.write(log.log_signer().verifier.vkey)
        elif action == "checkpoint":
            result = tally_integrate()
            checkpoint = log.log_checkpoint_now(result.size)
            self.stdout.write(log.checkpoint_note(checkpoint), ending="")
        elif action == "export":
            self._export(Path(options["dir"]), progress=not options["no_progress"])
        else:
            raise CommandError(f"unknown action {action}")

    def _export(self, root: Path, progress: bool) -> None:
        started = time.monotonic()
        # One snapshot for checkpoint, tiles and stats (SQLite's transactions are snapshots).
        snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
        with transaction.atomic():
            if snapshot:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            checkpoint = log.latest_checkpoint()
            if checkpoint is None:
                raise CommandError("the log is empty: nothing integrated yet")
            size = checkpoint.size
            todo = list(tiles.tiles_for(size))
            written = 0
            with tqdm(total=len(todo), unit="tile", disable=not progress, file=self.stderr) as bar:
                for level, index, width in todo:
                    path = root / tiles.tile_path(level, index, width)
                    _write(path, log.tile_data(level, index, width))
                    written += 1
                    bar.update()
            stats = public_stats(date_from=None, date_to=None)
            _write(root / "stats.json", json.dumps(stats, ensure_ascii=False).encode())
            _write(root / "checkpoint", log.checkpoint_note(checkpoint).encode())
        self.stdout.write(
            f"exported log of {size} leaves: {written} tiles and bundles, checkpoint and "
            f"stats.json in {root} ({time.monotonic() - started:.1f} s)"
        )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
