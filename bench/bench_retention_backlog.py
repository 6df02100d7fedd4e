"""Retention after the history is imported: every kept statement past its period at once
(issue 15; docs/benchmarks.md, "Retention with the whole history due").

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_retention_backlog.py --home SANTUI_HOME [--rounds 2]

In a transaction rolled back at the end, every accepted unpublished kept statement of the
instance is made due (its decision, audit row and ``decided_at``, moved 400 days back). Then:
- **the first part of a round** (``statements_due_first``, ``PER_ROUND``): time, and how much
  the process grew;
- **``--rounds``** capped rounds for real (``retention_round``): their time, statements shredded
  per second;
- **the whole list** (``statements_due``, what a round listed before it was capped): time, and
  how much the process grew (last, since the process keeps its peak);
- ``count_due`` (the dry run's count) and ``candidates_due`` (the command's progress bar).
Each in the order given, once; the figures and the load average are printed.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from benchlib import kept_instance_parser, load, machine, setup_django_kept


def peak_mib() -> float:
    """The process's peak resident size so far (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=1)
    parser.add_argument("--rounds", type=int, default=2, help="capped rounds run for real")
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.db import connection, transaction
    from django.utils import timezone

    from santui.retention.policy import current_policy
    from santui.retention.run import (
        PER_ROUND,
        candidates_due,
        count_due,
        retention_round,
        statements_due,
        statements_due_first,
    )

    print(machine("postgres"))
    policy, now = current_policy(), timezone.now()
    with transaction.atomic():
        then = now - dt.timedelta(days=400)
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                "WITH aged AS (UPDATE statements_statement SET decided_at = %s"
                " WHERE status = 'accepted' AND NOT publish AND shredded_at IS NULL"
                " RETURNING id)"
                " UPDATE statements_statuschange c SET at = %s FROM aged"
                " WHERE c.statement_id = aged.id",
                [then, then],
            )
            cur.execute("ANALYZE statements_statement")
        print(f"made due (decided 400 days ago): {time.perf_counter() - started:.1f} s; "
              f"{load()}\n")  # fmt: skip

        before = peak_mib()
        started = time.perf_counter()
        first = statements_due_first(policy, now, PER_ROUND)
        took = time.perf_counter() - started
        print(f"statements_due_first, {PER_ROUND:,}: {len(first):,} in {took:.2f} s, "
              f"peak +{peak_mib() - before:.0f} MiB")  # fmt: skip
        del first

        for n in range(args.rounds):
            started = time.perf_counter()
            result = retention_round(now=now, via="bench_retention_backlog")
            took = time.perf_counter() - started
            rate = result.statements / took
            print(f"round {n + 1}: {result.statements:,} shredded in {took:.1f} s ({rate:,.0f}/s),"
                  f" more: {result.more}; {load()}")  # fmt: skip

        started = time.perf_counter()
        counted = count_due(policy, now)
        print(f"count_due: {counted:,} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        counted = candidates_due(policy, now)
        print(f"candidates_due: {counted:,} in {time.perf_counter() - started:.2f} s")

        before = peak_mib()
        started = time.perf_counter()
        everything = list(statements_due(policy, now).values_list("pk", flat=True))
        took = time.perf_counter() - started
        print(f"the whole list (uncapped, as before): {len(everything):,} in {took:.1f} s, "
              f"peak +{peak_mib() - before:.0f} MiB")  # fmt: skip
        transaction.set_rollback(True)
    print(f"\nrolled back; {load()}")


if __name__ == "__main__":
    main()
