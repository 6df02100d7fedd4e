from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from santui.tally.selectors import stats_document


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Print the figures: exact for staff, or as published with --public."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="the stats document as JSON")
        parser.add_argument("--public", action="store_true", help="apply small-cell suppression")
        parser.add_argument("--from", dest="date_from", type=str, default=None)
        parser.add_argument("--to", dest="date_to", type=str, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to")
        doc = stats_document(date_from=date_from, date_to=date_to, public=options["public"])
        if options["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        orgs = doc["organizations"]
        self.stdout.write(f"persons      {doc['persons']:>14,}")
        self.stdout.write(f"statements   {doc['statements']:>14,}")
        self.stdout.write(
            f"party {orgs['party']:,} · league {orgs['league']:,} · pioneers {orgs['pioneers']:,}"
        )
        members = doc["current_party_members"]
        shown = f"< {doc['suppress_below']}" if members is None else f"{members:,}"
        self.stdout.write(f"current party members {shown}")
        for mark in doc["milestones"][-5:]:
            self.stdout.write(f"reached {mark['persons']:>14,} on {mark['date']}")
        self.stdout.write(f"as of {doc['as_of']} ({doc['timezone']}), log size {doc['log_size']}")
