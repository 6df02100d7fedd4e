"""``santui retention run [--dry-run]``: delete the personal data past its retention period
(docs/retention.md), with a progress bar and a summary of counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from santui.retention.policy import current_policy
from santui.retention.run import mail_due, retention_round, statements_due
from santui.tally.loops import Round, run_supervised


def _loop_round() -> Round:
    result = retention_round(via="santui retention run --loop")
    return Round(done=result.statements + result.mail_messages, backlog=0, oldest_waiting_at=None)


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

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        if options["loop"]:  # what `santui serve --office` runs: supervised, hourly
            try:
                run_supervised(name="retention", round_fn=_loop_round, interval=options["interval"])
            except KeyboardInterrupt:
                return
            return
        policy = current_policy()
        now = timezone.now()
        total = statements_due(policy, now).count() + mail_due(policy, now).count()
        with tqdm(
            total=total, unit="record", desc="retention", file=self.stderr,
            disable=options["no_progress"] or options["dry_run"],
        ) as bar:  # fmt: skip
            result = retention_round(
                now=now, dry_run=options["dry_run"], policy=policy, progress=bar.update
            )
        verb = "would delete" if result.dry_run else "deleted"
        self.stdout.write(
            f"retention {verb} the personal data of {result.statements} statements, "
            f"{result.mail_messages} email messages ({result.attachments} attachments) and "
            f"{result.rejects_files} rejects files in {result.seconds:.1f} s"
            + ("" if result.dry_run else f" (run {result.run})")
        )
        self.stdout.write(
            f"periods: rejected {policy.rejected_days} days, accepted {policy.accepted_days} "
            f"days unless published, email {policy.mail_days} days after a decision "
            f"({policy.unresolved_mail_days} if never resolved), rejects files "
            f"{policy.rejects_minutes} minutes after the import"
        )
