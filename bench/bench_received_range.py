"""A selection by the time statements were received, on a large PostgreSQL instance, with and
without the BRIN index on ``received_at`` (statements migration 0010, issue 15).

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_received_range.py --home SANTUI_HOME [--repeat 5]

What is timed is what the workbench's bulk invalidation runs to size a selection of counted
statements received between two times (``santui.backoffice.queue.selection_size``: their count,
their persons, and a digest of their numbers, read in number order), for windows of a day, a
week, a month and a year in the middle of the history. Each round measures both states, the
index dropped and made again in between, in alternating order; the median of the rounds is
printed, with the buffers one call reads (``EXPLAIN (ANALYZE, BUFFERS)`` of its count) and the
plan's access path. The index is left in place at the end.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from benchlib import kept_instance_parser, load, machine, setup_django_kept

INDEX = "statement_received_brin"
MIDDLE = dt.datetime(2015, 3, 1, tzinfo=dt.UTC)
WINDOWS = {
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(days=7),
    "month": dt.timedelta(days=30),
    "year": dt.timedelta(days=365),
}


def _index(cur: Any, present: bool) -> None:
    if present:
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON statements_statement "
            "USING brin (received_at) WITH (pages_per_range = 32, autosummarize = on)"
        )
    else:
        cur.execute(f"DROP INDEX IF EXISTS {INDEX}")


def _plan(cur: Any, lo: dt.datetime, hi: dt.datetime) -> tuple[str, int]:
    """The access path and the shared buffers (hit + read) of the selection's count."""
    cur.execute(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT count(*), sum(headcount) "
        "FROM statements_statement WHERE status = 'accepted' "
        "AND received_at >= %s AND received_at < %s",
        [lo, hi],
    )
    plan = cur.fetchone()[0][0]["Plan"]
    path, node = [], plan
    while node is not None:
        path.append(node["Node Type"])
        node = (node.get("Plans") or [None])[0]
    return " > ".join(path[1:]) or path[0], plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=5)
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.db import connection

    from santui.backoffice.queue import Selection, selection_size

    print(machine("postgres"))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), pg_size_pretty(pg_relation_size('statements_statement')) "
            "FROM statements_statement"
        )
        rows, table = cur.fetchone()
    print(f"statements {rows:,} (table {table}); {load()}\n")

    times: dict[tuple[bool, str], list[float]] = {}
    facts: dict[tuple[bool, str], tuple[str, int, int]] = {}
    for round_ in range(args.repeat):
        for present in (True, False) if round_ % 2 == 0 else (False, True):
            with connection.cursor() as cur:
                _index(cur, present)
                cur.execute("ANALYZE statements_statement")
            for name, span in WINDOWS.items():
                chosen = Selection(received_from=MIDDLE, received_to=MIDDLE + span)
                started = time.perf_counter()
                size = selection_size(chosen)
                times.setdefault((present, name), []).append(time.perf_counter() - started)
                if round_ == 0:
                    with connection.cursor() as cur:
                        path, buffers = _plan(cur, MIDDLE, MIDDLE + span)
                    facts[(present, name)] = (path, buffers, size.statements)
    with connection.cursor() as cur:
        _index(cur, True)
        cur.execute(f"SELECT pg_size_pretty(pg_relation_size('{INDEX}'))")
        brin_size = cur.fetchone()[0]
    print(f"BRIN index: {brin_size}; median of {args.repeat} rounds, {load()}\n")
    print(f"{'window':<7} {'statements':>10}  {'with BRIN':>10} {'buffers':>8}  "
          f"{'without':>10} {'buffers':>8}  ratio   plans (with / without)")  # fmt: skip
    for name in WINDOWS:
        with_ms = statistics.median(times[(True, name)]) * 1e3
        without_ms = statistics.median(times[(False, name)]) * 1e3
        (p_with, b_with, n), (p_without, b_without, _) = facts[(True, name)], facts[(False, name)]
        print(
            f"{name:<7} {n:>10,}  {with_ms:>8.1f}ms {b_with:>8,}  {without_ms:>8.1f}ms "
            f"{b_without:>8,}  {without_ms / with_ms:>5.1f}x  {p_with} / {p_without}"
        )


if __name__ == "__main__":
    main()
