"""`santui public-copies`: the office writes the published copy (name and text in clear) of
statements that became public and deletes those of statements that stopped being public, once or
as a loop (what `santui serve --office` runs). The public server shows only these copies
(santui.statements.public; docs/operations.md#the-public-server-and-the-office)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from santui.statements.crypto import OfficeKeyMissing, can_decrypt, unlock_office
from santui.statements.public import CopyRounds, refresh_public_copies

log = logging.getLogger("santui.loops")


class Command(BaseCommand):
    help = "Write the published copies of public statements (on the office, which holds the key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep going until stopped")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")

    def handle(self, *args: Any, **options: Any) -> None:
        if not can_decrypt():
            raise CommandError(
                "published copies are written on the office, which holds the office private key"
            )
        try:
            unlock_office()
        except Exception as exc:
            raise CommandError(str(exc)) from None
        if not options["loop"]:
            written, deleted, _ = self._round_all()
            self.stdout.write(f"published copies: {written} written, {deleted} deleted")
            return
        failures = 0
        rounds = CopyRounds()  # what was decided since the last round; a whole one at times
        try:
            while True:
                try:
                    close_old_connections()
                    written, _, left = rounds.round()
                    failures = 0
                    if written and left:
                        continue
                except OfficeKeyMissing:
                    raise
                except Exception:  # supervised: a failed round is logged and retried
                    failures += 1
                    log.exception("public-copies: round failed (%d in a row); retrying", failures)
                time.sleep(min(300.0, options["interval"] * 2 ** min(failures, 16)))
        except KeyboardInterrupt:
            return

    def _round_all(self) -> tuple[int, int, int]:
        written = deleted = 0
        while True:
            w, d, left = refresh_public_copies()
            written, deleted = written + w, deleted + d
            if not left:
                return written, deleted, 0
