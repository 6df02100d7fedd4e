"""What a foreign key into a partitioned table costs on PostgreSQL (statements migration 0018,
issue 15; docs/benchmarks.md, "The statements in partitions").

    .venv/bin/python bench/bench_partition_keys.py [--rows 200000] [--repeat 3]

In a database of its own (made and dropped), two referenced tables of ``--rows`` rows each, as
wide as a statement (``--width`` bytes): one table, and one partitioned by ranges of its id as
migration 0018 leaves santui's statements (every row in the first range, two empty ranges
ahead, a DEFAULT partition). Then, per repeat, ``--rows`` rows are inserted by one ``INSERT ...
SELECT`` into a referring table with a foreign key into each, and into one without a key; each
emptied before its next insert. Printed: seconds and microseconds a row of each, and the ratios.
"""

from __future__ import annotations

import argparse
import time

import psycopg

from benchlib import load, machine, psql_admin

URL = "postgres://postgres@127.0.0.1:5432/bench_partition_keys"


def _schema(cur: psycopg.Cursor, rows: int, width: int, immediate: bool, analyze: bool) -> None:
    span = 10_000_000  # santui's default: every row in the first range
    cur.execute("CREATE TABLE plain (id bigint PRIMARY KEY, body text)")
    cur.execute("CREATE TABLE parted (id bigint PRIMARY KEY, body text) PARTITION BY RANGE (id)")
    cur.execute(
        f"CREATE TABLE parted_p0 PARTITION OF parted FOR VALUES FROM (MINVALUE) TO ({span})"
    )
    for low in (span, 2 * span):
        cur.execute(
            f"CREATE TABLE parted_p{low} PARTITION OF parted FOR VALUES FROM ({low}) "
            f"TO ({low + span})"
        )
    cur.execute("CREATE TABLE parted_default PARTITION OF parted DEFAULT")
    for table in ("plain", "parted"):
        cur.execute(  # random bytes as hex: stored as they are, as encrypted tokens are
            f"INSERT INTO {table} SELECT i, (SELECT string_agg(md5(random()::text || i || j), '')"
            " FROM generate_series(1, %s) j) FROM generate_series(1, %s) i",
            [max(1, width // 32), rows],
        )
    # rows as the audit trail's: the statement's id and a few short columns; each key checked
    # at commit (DEFERRABLE INITIALLY DEFERRED: how Django makes every foreign key), or, with
    # --immediate, at the end of the statement
    columns = "id bigserial PRIMARY KEY, {ref}, to_status text, via text, at timestamptz"
    when = "" if immediate else " DEFERRABLE INITIALLY DEFERRED"
    for name, target in (("to_plain", "plain"), ("to_parted", "parted")):
        ref = f"ref bigint REFERENCES {target}{when}"
        cur.execute(f"CREATE TABLE {name} ({columns.format(ref=ref)})")
    cur.execute(f"CREATE TABLE to_none ({columns.format(ref='ref bigint')})")
    if analyze:
        cur.execute("ANALYZE")


def _insert(conn: psycopg.Connection, table: str, rows: int) -> float:
    with conn.cursor() as cur:
        start = time.perf_counter()
        cur.execute(
            f"INSERT INTO {table} (ref, to_status, via, at) "
            "SELECT i, 'accepted', 'bench', now() FROM generate_series(1, %s) i",
            [rows],
        )
        conn.commit()
        seconds = time.perf_counter() - start
        cur.execute(f"TRUNCATE {table}")
        conn.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--width", type=int, default=640, help="bytes of each referenced row")
    parser.add_argument("--immediate", action="store_true", help="keys checked at once")
    parser.add_argument(
        "--analyze", action="store_true", help="ANALYZE the tables first (an import does not)"
    )
    args = parser.parse_args()
    print(machine("postgres"))
    psql_admin(URL, "DROP DATABASE IF EXISTS bench_partition_keys")
    psql_admin(URL, "CREATE DATABASE bench_partition_keys")
    try:
        with psycopg.connect(URL) as conn:
            with conn.cursor() as cur:
                _schema(cur, args.rows, args.width, args.immediate, args.analyze)
            conn.commit()
            cases = {
                "key into one table": "to_plain",
                "key into the partitioned table": "to_parted",
                "no key": "to_none",
            }
            times: dict[str, list[float]] = {label: [] for label in cases}
            for _ in range(args.repeat):  # the cases alternated within each repeat
                for label, table in cases.items():
                    times[label].append(_insert(conn, table, args.rows))
        print(f"{args.rows:,} rows by one INSERT ... SELECT, {args.repeat} repeats; {load()}")
        for label, runs in times.items():
            each = ", ".join(f"{s:.2f}" for s in runs)
            best = min(runs)
            print(f"  {label:<32} {each} s   best {best * 1e6 / args.rows:6.1f} µs a row")
        plain = min(times["key into one table"])
        parted = min(times["key into the partitioned table"])
        print(f"  partitioned / one table: {parted / plain:.1f}x (best runs)")
    finally:
        psql_admin(URL, "DROP DATABASE IF EXISTS bench_partition_keys")


if __name__ == "__main__":
    main()
