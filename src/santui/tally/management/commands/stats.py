from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from santui.tally.disclosure.read import PeriodUnavailable, catalogue
from santui.tally.disclosure.store import stats_release
from santui.tally.loops import Round, run_supervised
from santui.tally.selectors import stats_document


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _when(value: str | dt.datetime | None) -> str:
    """A moment as a person reads it: in the reporting time zone, which is named."""
    if value is None:
        return "never"
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    zone = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {zone.key} (UTC{offset[:3]}:{offset[3:]})"


RELEASE_LOOP = "releaser"


def release_round() -> Round:
    """One supervised round of `santui stats release --loop`: release every month that is due
    (nothing when none is; the plan runs outside any transaction, santui.tally.disclosure)."""
    made = stats_release()
    return Round(done=len(made), backlog=0, oldest_waiting_at=None)


class Command(BaseCommand):
    help = (
        "Print the figures: exact for staff, or as published with --public. "
        "`santui stats release` makes the releases of breakdowns that are due."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=["release"],
            help="release: release every closed month that is due (idempotent)",
        )
        parser.add_argument("--json", action="store_true", help="the stats document as JSON")
        parser.add_argument(
            "--public", action="store_true", help="the published figures, as /api/v1/stats"
        )
        parser.add_argument("--from", dest="date_from", type=str, default=None)
        parser.add_argument("--to", dest="date_to", type=str, default=None)
        parser.add_argument(
            "--period", default=None, help="breakdowns of a period: all, YYYY or YYYY-MM"
        )
        parser.add_argument(
            "--loop", action="store_true", help="release: keep releasing when due (santui serve)"
        )
        parser.add_argument(
            "--interval", type=float, default=60.0, help="release --loop: seconds between rounds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "release":
            if options["loop"]:
                try:
                    run_supervised(
                        name=RELEASE_LOOP, round_fn=release_round, interval=options["interval"]
                    )
                except KeyboardInterrupt:
                    return
            self._release()
            return
        if options["loop"]:
            raise CommandError("--loop goes with `santui stats release` only")
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to")
        try:
            doc = stats_document(
                date_from=date_from,
                date_to=date_to,
                public=options["public"],
                period=options["period"],
            )
        except PeriodUnavailable as exc:
            raise CommandError(f"{exc}; available: {json.dumps(exc.available)}") from None
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
        shown = "withheld" if members is None else f"{members:,}"
        info = doc["breakdown"]
        if info is None:
            where = "no breakdown released yet"
        elif info["exact"]:
            where = "exact, over the same days"
        else:
            where = f"release {info['release']}, period {info['period']}"
        self.stdout.write(f"current party members {shown} ({where})")
        kinds = " · ".join(f"{c['key']} {c['persons']:,}" for c in doc["declarants"])
        self.stdout.write(f"declared by  {kinds or 'none published'} ({where})")
        for mark in doc["milestones"][-5:]:
            self.stdout.write(f"reached {mark['persons']:>14,} on {mark['date']}")
        self.stdout.write(
            f"as of {_when(doc['as_of'])}, log size {doc['log_size']:,}; "
            f"days are reporting days in {doc['timezone']}"
        )

    def _release(self) -> None:
        made = stats_release()
        if made:
            self.stdout.write(
                f"released {len(made)} month(s), {made[0].month:%Y-%m} to {made[-1].month:%Y-%m}, "
                f"at log size {made[0].log_size:,}, {_when(made[-1].released_at)}"
            )
        else:
            self.stdout.write("nothing due")
        upcoming = catalogue().next_release()
        if upcoming:
            self.stdout.write(f"next release: {upcoming['period']}, due {_when(upcoming['due'])}")
