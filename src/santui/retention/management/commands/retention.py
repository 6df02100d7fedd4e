"""``santui retention run [--dry-run]``: delete the personal data past its retention period
(docs/retention.md), with a progress bar and a summary of counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from santui.retention.policy import current_policy
from santui.retention.run import PER_ROUND, Shredded, candidates_due, mail_due, retention_round
from santui.tally.loops import Round, run_supervised


def _loop_round(per_round: int = PER_ROUND) -> Round:
    """One round of the loop. A round that stopped at its cap reports a backlog (how much is
    left is not counted: that would cost as much as finding it), and the loop goes straight on."""
    result = retention_round(via="santui retention run --loop", per_round=per_round)
    return Round(
        done=result.statements + result.mail_messages,
        backlog=1 if result.more else 0,
        oldest_waiting_at=None,
    )


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Retention (docs/retention.md): `run` deletes the names, contacts, texts, raw email, "
        "attachments and rejects files past their period; counts, ledger and log stay."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("run", help="delete what is past its period, and say how much")
        p.add_argument("--dry-run", action="store_true", help="count only: delete nothing")
        p.add_argument("--no-progress", action="store_true")
        p.add_argument(
            "--loop", action="store_true", help="run again every --interval seconds until stopped"
        )
        p.add_argument("--interval", type=float, default=3600.0, help="seconds between runs")
        p.add_argument(
            "--per-round", type=_positive, default=PER_ROUND, metavar="N",
            help=f"statements shredded at most per round, the oldest decisions first; rounds "
            f"follow each other until none is left (default {PER_ROUND:,})",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        per_round = options["per_round"]
        if options["loop"]:  # what `santui serve --office` runs: supervised, hourly
            try:
                run_supervised(
                    name="retention",
                    round_fn=lambda: _loop_round(per_round),
                    interval=options["interval"],
                )
            except KeyboardInterrupt:
                return
            return
        policy = current_policy()
        now = timezone.now()
        # the bar's size from the indexes alone (an upper bound); a dry run counts exactly
        total = 0 if options["dry_run"] else candidates_due(policy, now)
        total += mail_due(policy, now).count()
        result = Shredded(dry_run=options["dry_run"])
        runs: list[int] = []
        with tqdm(
            total=total, unit="record", desc="retention", file=self.stderr,
            disable=options["no_progress"] or options["dry_run"],
        ) as bar:  # fmt: skip
            more = True
            while more:  # capped rounds, one after another, until one is not full
                round_ = retention_round(
                    now=now, dry_run=options["dry_run"], policy=policy, progress=bar.update,
                    per_round=per_round,
                )  # fmt: skip
                more = round_.more
                _add(result, round_)
                if round_.run is not None:
                    runs.append(round_.run)
            bar.total = bar.n  # what was found due, where the bound was above it
            bar.refresh()
        verb = "would delete" if result.dry_run else "deleted"
        where = f" (run {runs[0]})" if len(runs) == 1 else ""
        if len(runs) > 1:
            where = f" ({len(runs)} rounds of at most {per_round:,}: runs {runs[0]}-{runs[-1]})"
        self.stdout.write(
            f"retention {verb} the personal data of {result.statements} statements, "
            f"{result.mail_messages} email messages ({result.attachments} attachments) and "
            f"{result.rejects_files} rejects files in {result.seconds:.1f} s{where}"
        )
        self.stdout.write(
            f"periods: rejected {policy.rejected_days} days, accepted {policy.accepted_days} "
            f"days unless published, email {policy.mail_days} days after a decision "
            f"({policy.unresolved_mail_days} if never resolved), rejects files "
            f"{policy.rejects_minutes} minutes after the import"
        )


def _add(total: Shredded, one: Shredded) -> None:
    """Add a round's counts to the command's summary."""
    total.statements += one.statements
    total.mail_messages += one.mail_messages
    total.attachments += one.attachments
    total.rejects_files += one.rejects_files
    total.seconds += one.seconds
