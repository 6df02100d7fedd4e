"""Retention's search for statements past their period (``statements_due``) on a large
instance (issue 15: a lead, not fixed; docs/benchmarks.md, "435 million statements, on paper").

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_retention_due.py --home SANTUI_HOME [--repeat 3]

Times ``statements_due(current_policy(), now).count()`` (what ``santui retention`` counts
before a round) ``--repeat`` times and prints the plan's access path for the accepted
statements' part, the larger one. It reads only.
"""

from __future__ import annotations

import statistics
import time

from benchlib import kept_instance_parser, load, machine, setup_django_kept


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=3)
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.utils import timezone

    from santui.retention.policy import current_policy
    from santui.retention.run import _decided_at, statements_due
    from santui.statements.models import Statement, Status

    print(machine("postgres"))
    policy, now = current_policy(), timezone.now()
    kept = Statement.objects.filter(status=Status.ACCEPTED, publish=False, shredded_at=None)
    print(f"accepted, unpublished, kept: {kept.count():,}; {load()}\n")
    times, due = [], 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        due = statements_due(policy, now).count()
        times.append(time.perf_counter() - started)
    plan = (
        kept.annotate(decided=_decided_at(Status.ACCEPTED))
        .filter(decided__lte=policy.before(now, policy.accepted_days))
        .values_list("pk", flat=True)
        .explain()
    )
    print(f"due: {due:,}; statements_due: median {statistics.median(times):.2f} s, "
          f"runs {', '.join(f'{t:.2f}' for t in times)} s")  # fmt: skip
    print("plan of the accepted part:")
    print("\n".join("  " + line for line in plan.split("JIT:")[0].rstrip().splitlines()))
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
