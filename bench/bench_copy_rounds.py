"""The office's round of published copies, whole against since the last round
(``santui.statements.public.round_reads``; statements migration 0014, issue 15), on a large
PostgreSQL instance.

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_copy_rounds.py --home SANTUI_HOME [--repeat 5]

In one transaction, rolled back at the end (the instance is left as it was), it makes the
instance look like a live registry: the statements decided one every ``--every`` seconds up to
now (1.5 s: the history's average of 58,000 a day), one in ``--public-every`` published with
consent and copied, one in ten rejected, and the statements of the last ``--new`` seconds public
and without a copy yet. Then it times a round's reads (the statements waiting for a copy, up to
a round's 2,000, and the copies no longer public), whole and since the last round (two seconds
ago), alternated, and prints the access path of each.

Inside that transaction every row has just been rewritten, so each read also steps over the
old versions. ``--commit`` commits the preparation instead, VACUUMs, and measures a table as a
live registry has it; the instance is then left changed (decided times, statuses, consent and
copies as prepared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from benchlib import kept_instance_parser, load, machine, setup_django_kept


def prepare(args: argparse.Namespace, now: dt.datetime) -> None:
    """The instance as a live registry has it (the module's docstring)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM statements_statement")
        last = cur.fetchone()[0]
        cur.execute(
            "UPDATE statements_statement SET"
            " decided_at = %(now)s - make_interval(secs => (%(last)s - id) * %(every)s),"
            " publish = id %% %(public)s = 0 OR (%(last)s - id) * %(every)s < %(new)s,"
            " status = CASE WHEN id %% 10 = 1 THEN 'rejected' ELSE 'accepted' END,"
            " reject_reason = CASE WHEN id %% 10 = 1 THEN 'spam' ELSE '' END",
            {"now": now, "last": last, "every": args.every, "public": args.public_every,
             "new": args.new},
        )  # fmt: skip
        cur.execute("DELETE FROM statements_publiccopy")
        cur.execute(
            "INSERT INTO statements_publiccopy (statement_id, name, text)"
            " SELECT id, '', '' FROM statements_statement WHERE status = 'accepted'"
            " AND publish AND decided_at < %s",
            [now - dt.timedelta(seconds=args.new)],
        )
        cur.execute("ANALYZE statements_statement")
        cur.execute("ANALYZE statements_publiccopy")
        cur.execute(
            "SELECT count(*) FILTER (WHERE status = 'accepted' AND publish),"
            " (SELECT count(*) FROM statements_publiccopy) FROM statements_statement"
        )
        public, copied = cur.fetchone()
    print(f"statements {last:,}: public {public:,}, copied {copied:,} "
          f"(prepared in {time.perf_counter() - started:.0f} s); {load()}\n")  # fmt: skip


def measure(repeat: int, now: dt.datetime) -> None:
    from santui.statements.public import round_reads

    rounds = {"whole": None, "since the last": now - dt.timedelta(seconds=2)}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in rounds}
    found: dict[str, tuple[int, int]] = {}
    for i in range(repeat + 1):
        for name, since in rounds.items() if i % 2 else reversed(rounds.items()):
            no_longer, waiting = round_reads(since)
            t0 = time.perf_counter()
            chosen = waiting.order_by("pk").only("pk", "name", "name_kind", "text")[:2000]
            todo = len(list(chosen))
            t1 = time.perf_counter()
            stale = no_longer.count()
            t2 = time.perf_counter()
            found[name] = (todo, stale)
            if i:  # the first of each warms the cache
                times[name].append(((t1 - t0) * 1e3, (t2 - t1) * 1e3))
    print(f"{'round':<16} {'waiting':>8} {'stale':>6} {'waiting ms':>11} {'stale ms':>9}"
          "  (medians; runs)")  # fmt: skip
    for name, runs in times.items():
        w = [r[0] for r in runs]
        s = [r[1] for r in runs]
        print(f"{name:<16} {found[name][0]:>8,} {found[name][1]:>6,} "
              f"{statistics.median(w):>11.2f} {statistics.median(s):>9.2f}"
              f"  ({', '.join(f'{a:.1f}+{b:.1f}' for a, b in runs)})")  # fmt: skip
    assert found["whole"] == found["since the last"], found
    for name, since in rounds.items():
        no_longer, waiting = round_reads(since)
        plan = waiting.order_by("pk")[:2000].explain() + "\n" + no_longer.explain()
        print(f"\nplans, {name}:")
        print("\n".join("  " + line for line in plan.splitlines() if "Scan" in line))


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=5)
    parser.add_argument("--every", type=float, default=1.5, help="seconds between decisions")
    parser.add_argument("--public-every", type=int, default=100)
    parser.add_argument("--new", type=int, default=60, help="seconds of public, uncopied")
    parser.add_argument("--commit", action="store_true", help="commit, VACUUM, then measure")
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.db import connection, transaction
    from django.utils import timezone

    print(machine("postgres"))
    now = timezone.now()
    if args.commit:
        with transaction.atomic():
            prepare(args, now)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE statements_statement")
            cur.execute("VACUUM ANALYZE statements_publiccopy")
        measure(args.repeat, now)
        print(f"\ncommitted: the instance is changed; {load()}")
        return
    with transaction.atomic():
        prepare(args, now)
        measure(args.repeat, now)
        transaction.set_rollback(True)
    print(f"\nrolled back; {load()}")


if __name__ == "__main__":
    main()
