"""The office's round of published copies (``refresh_public_copies``) on a large PostgreSQL
instance, with and without the partial index of public statements (statements migration 0011,
issue 15).

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_public_copies.py --home SANTUI_HOME [--repeat 3]

Times the round's two reads as it makes them: the public statements without a copy (in
number order, as many as a round takes) and the copies whose statement is no longer public.
First with no statement public (as the scale benchmark builds them), then with one in
``--public-every`` published and all of them copied but one in 300 (new since the last
round). The index is dropped and made again between the runs, in alternating order; the
medians are printed with the access path of the first read's plan. Everything happens in one
transaction that is rolled back: the instance is left as it was.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchlib import kept_instance_parser, load, machine, setup_django_kept

INDEX = "statement_public"


def _index(cur: Any, present: bool) -> None:
    if present:
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON statements_statement (id) "
            "WHERE status = 'accepted' AND publish"
        )
    else:
        cur.execute(f"DROP INDEX IF EXISTS {INDEX}")
    cur.execute("ANALYZE statements_statement")


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=3)
    parser.add_argument("--public-every", type=int, default=100)
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.db import connection, transaction

    from santui.statements.models import PublicCopy, Statement
    from santui.statements.public import _public_statements

    waiting = Statement.objects.filter(_public_statements(), public_copy__isnull=True)
    waiting = waiting.order_by("pk").only("pk", "name", "name_kind", "text")[:2000]
    stale = PublicCopy.objects.exclude(statement__in=Statement.objects.filter(_public_statements()))

    def reads() -> tuple[float, float]:
        started = time.perf_counter()
        list(waiting.all())  # a new query each time (a queryset keeps its rows)
        middle = time.perf_counter()
        stale.count()
        return (middle - started) * 1e3, (time.perf_counter() - middle) * 1e3

    def path(plan: str) -> str:
        if INDEX in plan:
            return INDEX
        return "seq scan" if "Seq Scan on statements_statement" in plan else "another index"

    print(machine("postgres"))
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM statements_statement")
            print(f"statements {cur.fetchone()[0]:,}; {load()}\n")
        print(f"{'public (copied)':<22} {'index':<8} {'waiting ms':>11} {'stale ms':>9}  "
              "plan of the first read")  # fmt: skip
        for setup in ("none", "some"):
            if setup == "some":
                with connection.cursor() as cur:
                    cur.execute(
                        "UPDATE statements_statement SET publish = true "
                        "WHERE status = 'accepted' AND id %% %s = 0",
                        [args.public_every],
                    )
                    cur.execute(
                        "INSERT INTO statements_publiccopy (statement_id, name, text) "
                        "SELECT id, '', '' FROM statements_statement "
                        "WHERE status = 'accepted' AND publish AND id %% %s <> 0",
                        [args.public_every * 300],
                    )
                    cur.execute("ANALYZE statements_publiccopy")
            public = Statement.objects.filter(_public_statements()).count()
            copied = PublicCopy.objects.count()
            for round_ in range(2):
                for present in (True, False) if round_ == 0 else (False, True):
                    with connection.cursor() as cur:
                        _index(cur, present)
                    reads()  # warm
                    timed = [reads() for _ in range(args.repeat)]
                    plan = path(waiting.explain())
                    print(
                        f"{f'{public:,} ({copied:,})':<22} {'yes' if present else 'no':<8} "
                        f"{statistics.median(t[0] for t in timed):>11.1f} "
                        f"{statistics.median(t[1] for t in timed):>9.1f}  {plan}"
                    )
        transaction.set_rollback(True)  # the instance stays as it was
    print(f"\nrolled back; {load()}")


if __name__ == "__main__":
    main()
