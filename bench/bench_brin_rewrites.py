"""How the BRIN index on ``received_at`` holds up when statements are rewritten, at two fill
factors of the statements table (statements migrations 0010 and 0012, issue 15).

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_brin_rewrites.py --home SANTUI_HOME [--rounds 3]

For each fill factor (100, PostgreSQL's default, then 90): the table is rewritten in
``received_at`` order at that fill factor (``CLUSTER`` on a temporary B-tree), then
``--rounds`` rounds each rewrite one statement in a hundred (``publish`` flipped: never a HOT
update, since the public statements' index has ``publish`` in its condition), with a VACUUM
after each, as a live registry's rewrites and autovacuum would. Printed: the table's size and
the pages a day's and a month's count read through the BRIN index (``EXPLAIN (ANALYZE,
BUFFERS)``), fresh and after the rewrites. **It rewrites the kept instance**: the flags it
flips stay flipped, and its table stays in ``received_at`` order; its fill factor is set back
at the end (to the migration's 90 if it had none).
"""

from __future__ import annotations

from typing import Any

from benchlib import kept_instance_parser, load, machine, setup_django_kept

DAY = ("2015-03-01", "2015-03-02")
MONTH = ("2015-03-01", "2015-03-31")


def _pages(cur: Any, window: tuple[str, str]) -> int:
    cur.execute(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT count(*) FROM statements_statement "
        "WHERE status = 'accepted' AND received_at >= %s AND received_at < %s",
        list(window),
    )
    plan = cur.fetchone()[0][0]["Plan"]
    return int(plan["Shared Hit Blocks"] + plan["Shared Read Blocks"])


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.db import connection

    print(machine("postgres"))
    print(load(), "\n")
    print(f"{'fill factor':<12} {'table':>8} {'day/month fresh':>16} {'after rewrites':>16}")
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'statements_statement'")
        kept = cur.fetchone()[0]
        for factor in (100, 90):
            cur.execute("CREATE INDEX bench_received_btree ON statements_statement (received_at)")
            cur.execute(f"ALTER TABLE statements_statement SET (fillfactor = {factor})")
            cur.execute("CLUSTER statements_statement USING bench_received_btree")
            cur.execute("DROP INDEX bench_received_btree")
            cur.execute("VACUUM ANALYZE statements_statement")
            cur.execute("SELECT pg_size_pretty(pg_relation_size('statements_statement'))")
            size = cur.fetchone()[0]
            fresh = f"{_pages(cur, DAY):,} / {_pages(cur, MONTH):,}"
            for r in range(args.rounds):
                cur.execute(
                    "UPDATE statements_statement SET publish = NOT publish WHERE id %% 100 = %s",
                    [r + 1],
                )
                cur.execute("VACUUM statements_statement")
            cur.execute("ANALYZE statements_statement")
            after = f"{_pages(cur, DAY):,} / {_pages(cur, MONTH):,}"
            print(f"{factor:<12} {size:>8} {fresh:>16} {after:>16}")
        options = ", ".join(kept or []) or "fillfactor = 90"
        cur.execute("ALTER TABLE statements_statement RESET (fillfactor)")
        cur.execute(f"ALTER TABLE statements_statement SET ({options})")
    print(f"\nfill factor set back ({options}); {load()}")


if __name__ == "__main__":
    main()
