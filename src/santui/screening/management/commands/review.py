"""`santui review draw [--day D]`: draw a day's sample for the blind re-review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from santui.screening.review import DrawError, review_draw


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise CommandError(f"--day: not a date (YYYY-MM-DD): {value!r}") from e


class Command(BaseCommand):
    help = "The blind re-review of automatic acceptances. `santui review draw` draws a day."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        draw = sub.add_parser(
            "draw",
            help="draw a day's sample of the statements the rules accepted (once per day)",
        )
        draw.add_argument(
            "--day", help="the day (YYYY-MM-DD, reporting time zone); default: yesterday"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options["day"]) if options.get("day") else None
        try:
            drawn = review_draw(day=day)
        except DrawError as e:
            raise CommandError(str(e)) from e
        d = drawn.draw
        verb = "drew" if drawn.new else "already drawn:"
        self.stdout.write(
            f"{d.day}: {verb} {d.size} of {d.population} statements accepted by the rules"
        )
