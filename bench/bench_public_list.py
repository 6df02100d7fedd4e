"""The public statement list's searches on PostgreSQL: each search's plan and the database's time
for one page (docs/public-statements.md, "Query plans").

    createdb -h 127.0.0.1 -U postgres santui_demo
    export SANTUI_HOME=/tmp/demo DATABASE_URL=postgres://postgres@127.0.0.1:5432/santui_demo
    .venv/bin/santui setup && .venv/bin/santui demo --scale 0.001
    .venv/bin/python bench/bench_public_list.py --home $SANTUI_HOME --database-url $DATABASE_URL

Each search is built by ``public_search`` as a page asks for it (51 rows: a page and one more),
and run under ``EXPLAIN (ANALYZE, BUFFERS)`` ``--repeat`` times in a transaction with the page's
serial plans (``_serial_plans``); the median, least and greatest "Execution Time" are printed,
with the scans of the last plan. Nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics

from benchlib import kept_instance_parser, load, machine, setup_django_kept


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=7)
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.db import connection, transaction

    from santui.statements.public import StatementQuery, _serial_plans, public_search

    today = dt.date.today()
    searches = {
        "none": StatementQuery(),
        "q with a common word (退出)": StatementQuery(text="退出"),
        "region US": StatementQuery(region="US"),
        "region Tibet": StatementQuery(region="540000"),
        "from/to one month of 2005": StatementQuery(
            date_from=dt.date(2005, 3, 1), date_to=dt.date(2005, 3, 31)
        ),
        "from last three weeks": StatementQuery(date_from=today - dt.timedelta(days=21)),
    }
    print(machine("postgres"))
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM statements_statement")
        statements = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM statements_statement WHERE publish")
        published = cur.fetchone()[0]
    print(f"statements {statements:,}, published {published:,}; {load()}\n")
    for label, query in searches.items():
        sql, params = public_search(query=query)[:51].query.sql_with_params()
        times, plan = [], ""
        for _ in range(args.repeat):
            with transaction.atomic():
                _serial_plans()
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    plan = "\n".join(row[0] for row in cur.fetchall())
            found = re.search(r"Execution Time: ([\d.]+)", plan)
            times.append(float(found.group(1)) if found else float("nan"))
        print(f"{label}: median {statistics.median(times):.2f} ms "
              f"(least {min(times):.2f}, greatest {max(times):.2f})")  # fmt: skip
        for line in plan.splitlines():
            if "Scan" in line or "Sort Key" in line:
                print("    " + line.strip()[:150])


if __name__ == "__main__":
    main()
