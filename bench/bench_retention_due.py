"""Retention's search for statements past their period (``statements_due``) on a large
instance (issue 15; docs/benchmarks.md, "Retention's search for due statements").

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_retention_due.py --home SANTUI_HOME [--repeat 3] \\
        [--due 58000] [--backfill]

Times, alternated, ``--repeat`` times each:
- **by decided_at**: ``statements_due(current_policy(), now)`` as it is (statements migration
  0013: the candidates through two partial indexes, the audit trail's rule on those);
- **audit trail only**: the search before 0013, every kept decided statement with its latest
  audit row (a sequential scan and a subquery a row).

Twice: with none due (the build's decisions are all from today), then, in a transaction rolled
back, with ``--due`` statements decided 400 days ago (about a day of the history's average), as a
daily round finds them. It prints both plans. ``--backfill`` first empties ``decided_at`` and
drops the two indexes, then times what migration 0013 does on a registry of this size (the
fill in batches, the concurrent index builds), and measures after it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import statistics
import time
from collections.abc import Callable

from benchlib import kept_instance_parser, load, machine, setup_django_kept


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=3)
    parser.add_argument("--due", type=int, default=58_000, help="statements made due (0: none)")
    parser.add_argument("--backfill", action="store_true", help="time migration 0013's work")
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.apps import apps
    from django.db import connection, transaction
    from django.db.models import QuerySet
    from django.utils import timezone

    from santui.retention.policy import current_policy
    from santui.retention.run import _decided_at, _past, statements_due
    from santui.statements.models import Statement, Status

    print(machine("postgres"))
    policy, now = current_policy(), timezone.now()
    kept = Statement.objects.filter(status=Status.ACCEPTED, publish=False, shredded_at=None)
    print(f"accepted, unpublished, kept: {kept.count():,}; {load()}\n")

    def audit_only() -> int:
        """The search before migration 0013 (retention.run at 684056f)."""
        total = 0
        for status, days, more in (
            (Status.REJECTED, policy.rejected_days, {}),
            (Status.ACCEPTED, policy.accepted_days, {"publish": False}),
        ):
            found: QuerySet[Statement] = (
                Statement.objects.filter(status=status, shredded_at__isnull=True, **more)
                .annotate(decided=_decided_at(status))
                .filter(decided__lte=policy.before(now, days))
            )
            total += len(found.values_list("pk", flat=True))
        return total

    def by_decided_at() -> int:
        return statements_due(policy, now).count()

    def measure(title: str) -> None:
        runs: dict[str, list[float]] = {"by decided_at": [], "audit trail only": []}
        found: dict[str, int] = {}
        searches: dict[str, Callable[[], int]] = {
            "by decided_at": by_decided_at, "audit trail only": audit_only,
        }  # fmt: skip
        for _ in range(args.repeat):
            for name, search in searches.items():
                started = time.perf_counter()
                found[name] = search()
                runs[name].append(time.perf_counter() - started)
        print(f"{title}:")
        for name, times in runs.items():
            print(f"  {name:17} due {found[name]:>9,}  median {statistics.median(times):7.3f} s"
                  f"  runs {', '.join(f'{t:.3f}' for t in times)} s")  # fmt: skip
        assert found["by decided_at"] == found["audit trail only"], found
        accepted = _past(Status.ACCEPTED, policy.before(now, policy.accepted_days), publish=False)
        plan = accepted.values_list("pk", flat=True).explain()
        print("  plan of the accepted part, by decided_at:")
        print("\n".join("    " + line for line in plan.split("JIT:")[0].rstrip().splitlines()))

    if args.backfill:
        migration = importlib.import_module("santui.statements.migrations.0013_decided_at")
        with connection.schema_editor(atomic=False) as editor:
            migration.drop(apps, editor)
        with connection.cursor() as cur:
            cur.execute("UPDATE statements_statement SET decided_at = NULL")
            cur.execute("VACUUM ANALYZE statements_statement")
        with connection.schema_editor(atomic=False) as editor:
            started = time.perf_counter()
            migration.fill(apps, editor)
            filled = time.perf_counter() - started
            started = time.perf_counter()
            migration.create(apps, editor)
            built = time.perf_counter() - started
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE statements_statement")
            cur.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname IN"
                " ('statement_rejected_kept', 'statement_unpublished_kept')"
            )
            sizes = ", ".join(f"{n} {b / 2**20:.1f} MB" for n, b in cur.fetchall())
        print(f"migration 0013: fill {filled:.1f} s (batches of {migration.BATCH:,}), "
              f"indexes {built:.1f} s ({sizes}); {load()}\n")  # fmt: skip

    measure("none due")
    if args.due:
        with transaction.atomic():
            then = now - dt.timedelta(days=400)
            with connection.cursor() as cur:
                cur.execute(
                    "WITH aged AS (UPDATE statements_statement SET decided_at = %s WHERE id IN"
                    " (SELECT id FROM statements_statement WHERE status = 'accepted'"
                    " AND NOT publish AND shredded_at IS NULL ORDER BY id LIMIT %s)"
                    " RETURNING id)"
                    " UPDATE statements_statuschange c SET at = %s FROM aged"
                    " WHERE c.statement_id = aged.id",
                    [then, args.due, then],
                )
            measure(f"\n{args.due:,} due (decided 400 days ago; rolled back after)")
            transaction.set_rollback(True)
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
