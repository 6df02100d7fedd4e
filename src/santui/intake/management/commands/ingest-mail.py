from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from santui.intake.mail.ingest import IngestSummary, is_known, mail_ingest
from santui.intake.mail.sources import (
    RawMail,
    SourceError,
    parse_imap_url,
    read_imap,
    read_paths,
)


class Command(BaseCommand):
    help = (
        "Take statements in from email: .eml files, mbox files, Maildir folders, an IMAP "
        "mailbox (docs/mail-intake.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", metavar="PATH", help=".eml, mbox or Maildir")
        parser.add_argument(
            "--imap",
            metavar="URL",
            help="imaps://user:password@host:port/MAILBOX (password also from "
            "SANTUI_IMAP_PASSWORD); read-only",
        )
        parser.add_argument(
            "--json", action="store_true", help="one JSON object per message on stdout"
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=None,
            metavar="BYTES",
            help="larger messages are quarantined unread (default: SANTUI_MAIL_MAX_BYTES, 25 MiB)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def _messages(self, options: dict[str, Any]) -> Iterator[RawMail]:
        if options["paths"]:
            yield from read_paths(options["paths"], max_bytes=options["max_size"])
        if options["imap"]:
            target = parse_imap_url(
                options["imap"], password=os.environ.get("SANTUI_IMAP_PASSWORD", "")
            )
            yield from read_imap(target, max_bytes=options["max_size"], known=is_known)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["paths"] and not options["imap"]:
            raise CommandError("give at least one PATH, or --imap URL")
        if options["max_size"] is None:
            options["max_size"] = settings.SANTUI_MAIL_MAX_BYTES
        if options["max_size"] < 1024:
            raise CommandError("--max-size must be at least 1024 bytes")
        summary = IngestSummary()
        quiet = options["json"] or options["no_progress"]
        try:
            with tqdm(unit="msg", desc="ingest-mail", file=self.stderr, disable=quiet) as bar:
                for mail in self._messages(options):
                    outcome = mail_ingest(mail=mail)
                    summary.add(outcome)
                    bar.update(1)
                    if options["json"]:
                        line = json.dumps(outcome.to_json(), ensure_ascii=False)
                        self.stdout.write(line)
                        self.stdout.flush()
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            self.stderr.write(
                "interrupted: every message done so far is stored; run the same command "
                "again to go on (messages already taken in are reported as duplicates)"
            )
            sys.exit(130)
        if options["json"]:
            return
        counts = summary.counts
        self.stdout.write(
            f"received             {counts['received']:>10,}  ({summary.persons:,} persons)\n"
            f"quarantined          {counts['quarantined']:>10,}\n"
            + "".join(f"  {reason:<30} {n:>8,}\n" for reason, n in sorted(summary.reasons.items()))
            + f"duplicate            {counts['duplicate']:>10,}"
        )
