"""Bulk import benchmark: `santui import` against raw INSERTs of the same rows, same database.

    .venv/bin/python bench/bench_import.py [--rows N] [--database sqlite|postgres]
        [--pg-db NAME] [--raw copy] [--repeat K] [--no-quarter]

1. Generates a JSON Lines import file of N statements (default 1,000,000) from the demo
   generator (santui.ops.demo), streamed to a temporary file, plus a file of its first N/4 rows.
2. Raw baselines, each in a fresh instance (`santui setup`): a child process reads the same file
   and inserts the same rows into the same table (statements_statement), 2,000 rows and one
   transaction per batch, with no santui logic (no validation, no encryption, no audit or ledger
   rows, no integration); parsing a batch and inserting it are timed separately. Methods
   (RAW_METHODS): ``cursor.executemany`` on Django's connection, as santui's; multi-row
   ``INSERT ... VALUES`` (1,000 rows per statement, the shape santui's bulk path uses); on
   PostgreSQL also executemany on a plain psycopg cursor (server-side binding, pipelined) and
   ``COPY FROM STDIN``, the fastest way in; and ``copy-all``, ``COPY`` of every row the import
   writes (each statement, its audit row and, when accepted, its ledger entry, as they are).
3. `santui import FILE --no-progress` in a fresh instance: wall time, the import phase (the time
   the command prints) and the child's peak RSS; the same for the N/4 file, to show that memory
   does not grow with the file.
4. The import's phases, on PostgreSQL (issue 15): a child process in a fresh instance runs the
   import's own functions on the same file and times them apart: reading and validating
   (``read_jsonl``, ``validate_and_parse``), staging in Python (``statements_stage``: the masked
   copy, which runs the parser, encryption, search columns, counted snapshot) and storing
   (``statements_copy_staged``: ``COPY`` into the staging table and the set-based move into
   statements, audit rows and ledger entries).

Steps 2-4 run ``--repeat`` times, each raw run next to an import, so that every ratio compares
two measurements taken a minute apart. Prints the figures and the fraction of the raw speed the
import reaches, per repeat and as a range (docs/benchmarks.md). The machine is shared and
small: compare the ratios measured in one run, not absolute figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from benchlib import (
    PYTHON,
    SANTUI,
    UNTIL,
    fresh_instance,
    load,
    machine,
    rate,
    run,
    setup_django_here,
)

BATCH = 2000
# Statements per unit of scale up to UNTIL, roughly (0.003 gives ~944,000): a first guess only.
STATEMENTS_PER_SCALE = 3.0e8

# The columns statements_bulk_load writes, in its order (santui.statements.bulk).
STATEMENT_COLUMNS = (
    "source", "external_id", "channel", "received_at", "text", "party", "league", "pioneers",
    "headcount", "name", "contact", "name_kind", "region", "sector", "current_party_member",
    "publish", "status", "reject_reason", "receipt_hash", "commitment", "created_at",
    "name_key", "search_text", "declarant", "text_masked",
)  # fmt: skip


# --- the file --------------------------------------------------------------------------------


def write_import_file(path: Path, quarter: Path, n: int) -> tuple[int, float]:
    """Write ``n`` demo statements as JSON Lines to ``path`` (the first n/4 also to ``quarter``).

    Returns the bytes written and the seconds taken (generation and serialization).
    """
    setup_django_here()
    from santui.ops.demo import DemoGenerator

    scale = n / STATEMENTS_PER_SCALE * 1.1
    started = time.perf_counter()
    while True:
        written = 0
        with path.open("wb") as out, quarter.open("wb") as out_quarter:
            rows = DemoGenerator(scale=scale, until=UNTIL).rows()
            for i, r in enumerate(islice(rows, n)):
                organizations = [
                    o for o, on in (("party", r.party), ("league", r.league),
                                    ("pioneers", r.pioneers)) if on
                ]  # fmt: skip
                line = orjson.dumps(
                    {
                        "external_id": r.external_id,
                        "received_at": r.received_at,  # ISO 8601 with its UTC offset
                        "channel": r.channel,
                        "text": r.text,
                        "organizations": organizations,
                        "headcount": r.headcount,
                        "name": r.name,
                        "name_kind": r.name_kind,
                        "region": r.region,
                        "sector": r.sector,
                        "current_party_member": r.current_party_member,
                        "publish": r.publish,
                        "status": "accepted",
                    },
                    option=orjson.OPT_APPEND_NEWLINE,
                )
                out.write(line)
                if i < n // 4:
                    out_quarter.write(line)
                written += 1
        if written == n:
            return path.stat().st_size, time.perf_counter() - started
        scale *= 1.5  # not enough statements at this scale: write again, larger


# --- the raw baseline (child process) --------------------------------------------------------


RAW_METHODS = {
    "executemany": "executemany, Django's cursor (as santui's connection)",
    "executemany-server": "executemany, psycopg.Cursor (server-side binding, pipelined)",
    "values": "multi-row INSERT ... VALUES, 1,000 rows per statement, Django's cursor",
    "unnest": "INSERT ... SELECT FROM unnest(one binary array per column), psycopg.Cursor",
    "copy": "COPY FROM STDIN, psycopg",
    "copy-all": "COPY FROM STDIN of every row the import writes: the statement, its key, its "
    "audit row and, if accepted, its ledger entry (ids taken from the sequence first), psycopg",
}
POSTGRES_ONLY = ("executemany-server", "unnest", "copy", "copy-all")


def raw_child(path: str, batch_size: int, method: str) -> None:
    """Insert every row of ``path`` by ``method`` (RAW_METHODS); print timings as JSON.

    No santui logic: the values are taken from the parsed JSON as they are. Every method
    inserts ``batch_size`` rows per transaction on the connection santui would use.
    """
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    qn = connection.ops.quote_name
    table = qn("statements_statement")
    columns = ", ".join(qn(c) for c in STATEMENT_COLUMNS)
    marks = f"({', '.join(['%s'] * len(STATEMENT_COLUMNS))})"
    sql = f"INSERT INTO {table} ({columns}) VALUES {marks}"
    values_rows = 1000
    if connection.vendor == "postgresql":  # column types, for the unnest arrays
        from santui.statements.models import Statement

        by_column = {f.column: f for f in Statement._meta.concrete_fields}
        arrays = ", ".join(f"%b::{by_column[c].db_type(connection)}[]" for c in STATEMENT_COLUMNS)

    def insert_batch(params: list[tuple[Any, ...]]) -> None:
        with transaction.atomic():
            if method == "executemany":
                with connection.cursor() as cursor:
                    cursor.executemany(sql, params)
            elif method == "values":
                with connection.cursor() as cursor:
                    for i in range(0, len(params), values_rows):
                        chunk = params[i : i + values_rows]
                        cursor.execute(
                            f"INSERT INTO {table} ({columns}) VALUES "
                            + ", ".join([marks] * len(chunk)),
                            [v for row in chunk for v in row],
                        )
            else:  # PostgreSQL only: a plain psycopg cursor on the same connection
                import psycopg

                connection.ensure_connection()
                with psycopg.Cursor(connection.connection) as cursor:
                    if method == "executemany-server":
                        cursor.executemany(sql, params)
                    elif method == "unnest":
                        cursor.execute(
                            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})",
                            [list(values) for values in zip(*params, strict=True)],
                        )
                    elif method == "copy":
                        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            for row in params:
                                copy.write_row(row)
                    else:
                        copy_all(cursor, params)

    def copy_all(cursor: Any, params: list[tuple[Any, ...]]) -> None:
        """The rows ``statements_copy_staged`` writes, as they are: statements (the ids taken
        from their sequence first), their keys (statements migration 0018), one audit row each,
        the ledger entry of each accepted one (the day as the UTC date, the province from the
        code's first two digits: no santui logic) and its row of the integrator's queue."""
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            ["statements_statement", len(params)],
        )
        ids = [i for (i,) in cursor.fetchall()]
        with cursor.copy(f"COPY {table} (id, {columns}) FROM STDIN") as copy:
            for i, row in zip(ids, params, strict=True):
                copy.write_row((i, *row))
        keys = "COPY statements_externalkey (source, external_id, statement_id) FROM STDIN"
        with cursor.copy(keys) as copy:
            for i, row in zip(ids, params, strict=True):
                copy.write_row((row[0], row[1], i))
        audit = (
            "COPY statements_statuschange (statement_id, from_status, to_status, reason, note,"
            " actor_id, via, at) FROM STDIN"
        )
        with cursor.copy(audit) as copy:
            for i, row in zip(ids, params, strict=True):
                copy.write_row((i, "", row[16], "", "", None, "import", now))
        ledger = (
            "COPY statements_ledgerentry (id, kind, statement_id, revokes_id, day, headcount,"
            " party, league, pioneers, current_party_member, region, sector, channel,"
            " name_kind, declarant, reason, queued_at) FROM STDIN"
        )
        accepted = [(i, row) for i, row in zip(ids, params, strict=True) if row[16] == "accepted"]
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            ["statements_ledgerentry", len(accepted)],
        )
        entries = [i for (i,) in cursor.fetchall()]
        with cursor.copy(ledger) as copy:
            for entry, (i, row) in zip(entries, accepted, strict=True):
                region = row[12] or ""
                province = region[:2] + "0000" if region[:2].isdigit() else region
                copy.write_row((
                    entry, "add", i, None, row[3].date(), row[8], row[5], row[6], row[7],
                    row[14] is True, province, row[13], row[2], row[11], "self", "", now,
                ))  # fmt: skip
        with cursor.copy("COPY statements_queuedentry (entry_id) FROM STDIN") as copy:
            for entry in entries:
                copy.write_row((entry,))

    fromiso = dt.datetime.fromisoformat
    now = timezone.now()
    prepare = insert = 0.0
    n = 0
    started = time.perf_counter()
    with open(path, "rb") as stream:
        while True:
            t0 = time.perf_counter()
            lines = list(islice(stream, batch_size))
            if not lines:
                break
            params = []
            for line in lines:
                d = orjson.loads(line)
                orgs = d["organizations"]
                name = d["name"]
                # texts and names as their plain UTF-8 bytes (santui stores them encrypted:
                # 61 bytes more each), the text again for the masked copy, random bytes for
                # the commitment, no search columns
                text = d["text"].encode() or None
                params.append(
                    (
                        "import", d["external_id"], d["channel"], fromiso(d["received_at"]),
                        text, "party" in orgs, "league" in orgs, "pioneers" in orgs,
                        d["headcount"], name.encode() if name else None, None, d["name_kind"],
                        d["region"], d["sector"], d["current_party_member"], d["publish"],
                        d["status"], "", None, os.urandom(32), now, None, None, "self", text,
                    )
                )  # fmt: skip
            t1 = time.perf_counter()
            insert_batch(params)
            t2 = time.perf_counter()
            prepare += t1 - t0
            insert += t2 - t1
            n += len(params)
    total = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        (count,) = cursor.fetchone()
    print(json.dumps({"rows": n, "stored": count, "prepare": prepare, "insert": insert,
                      "total": total}))  # fmt: skip


# --- the import's phases (child process, PostgreSQL) ------------------------------------------


def phases_child(path: str, batch_size: int, method: str) -> None:
    """Run the import's own functions over ``path`` in batches, as run_import does, timing
    reading + validating, staging (Python) and storing (COPY and the move) apart; print JSON.
    With ``method`` "rows", the row path instead (statements_bulk_load: staging and its
    unnest INSERTs in one, timed as "store")."""
    import django

    django.setup()
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    from santui.intake.importer import read_jsonl, validate_and_parse
    from santui.statements.bulk import (
        BulkResult,
        StatementRow,
        statements_bulk_load,
        statements_copy_staged,
        statements_stage,
    )

    def load(batch: list[StatementRow]) -> tuple[float, BulkResult]:
        t = time.perf_counter()
        if method == "rows":
            return t, statements_bulk_load(rows=batch, source="import", via="import")
        staged = statements_stage(rows=batch)
        t = time.perf_counter()
        return t, statements_copy_staged(staged=staged, source="import", via="import")

    assert connection.vendor == "postgresql", "the COPY path is PostgreSQL's"
    tz = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    times = {"validate": 0.0, "stage": 0.0, "store": 0.0}
    n = inserted = 0
    started = time.perf_counter()
    with open(path, "rb") as stream:
        rows = read_jsonl(stream, limit=settings.SANTUI_IMPORT_MAX_LINE)
        while True:
            t0 = time.perf_counter()
            raws = list(islice(rows, batch_size))
            batch = [validate_and_parse(r.data, tz=tz)[0] for r in raws if r.data is not None]
            t1 = time.perf_counter()
            if not raws:
                break
            t2, result = load(batch)
            inserted += result.inserted
            t3 = time.perf_counter()
            times["validate"] += t1 - t0
            times["stage"] += t2 - t1
            times["store"] += t3 - t2
            n += len(batch)
    print(json.dumps({"rows": n, "inserted": inserted, **times,
                      "total": time.perf_counter() - started}))  # fmt: skip


# --- the import -------------------------------------------------------------------------------


def _summary_number(stdout: str, label: str) -> float:
    match = re.search(rf"^{label}\s+([\d,.]+)", stdout, re.MULTILINE)
    if match is None:
        sys.exit(f"cannot find {label!r} in the import summary:\n{stdout}")
    return float(match.group(1).replace(",", ""))


def run_import(path: Path, database: str, pg_db: str | None, jobs: int = 1) -> dict[str, float]:
    command = [SANTUI, "import", str(path), "--no-progress", "--jobs", str(jobs)]
    with fresh_instance(database, pg_db=pg_db) as env:
        done = run(command, env, cwd=env["SANTUI_HOME"])
    summary = {
        "wall": done.wall,
        "rss": done.maxrss_mb,
        "rows": _summary_number(done.stdout, "rows read"),
        "imported": _summary_number(done.stdout, "imported"),
        "rejected": _summary_number(done.stdout, "rejected"),
        "integrated": _summary_number(done.stdout, "integrated entries"),
        "import_time": _summary_number(done.stdout, "time"),
    }
    if summary["imported"] != summary["rows"] or summary["rejected"]:
        print(f"WARNING: not every row was imported:\n{done.stdout}", file=sys.stderr)
    return summary


def startup_time(database: str, workdir: Path, pg_db: str | None) -> float:
    """Wall time of `santui import` on an empty file: interpreter, Django, connection."""
    empty = workdir / "empty.jsonl"
    empty.write_bytes(b"")
    with fresh_instance(database, pg_db=pg_db) as env:
        return run([SANTUI, "import", str(empty), "--no-progress"], env).wall


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-db", default=None, help="PostgreSQL database to create and drop (default: benchlib's)"
    )
    parser.add_argument("--raw-child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--phases-child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument(
        "--raw",
        help="comma-separated raw methods to run (default: all for the database): "
        + ", ".join(RAW_METHODS),
    )
    parser.add_argument("--repeat", type=int, default=1, help="raw runs and imports, K times")
    parser.add_argument(
        "--jobs", default="1", help="comma-separated `santui import --jobs` values to run (1,2)"
    )
    parser.add_argument("--no-quarter", action="store_true", help="skip the N/4 memory run")
    parser.add_argument("--method", default="executemany", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_child:
        raw_child(args.raw_child, BATCH, args.method)
        return
    if args.phases_child:
        phases_child(args.phases_child, BATCH, args.method)
        return

    n = args.rows
    print(machine(args.database))
    print(load())
    workdir = Path(tempfile.mkdtemp(prefix="santui-bench-import-"))
    methods = [m for m in RAW_METHODS if args.database == "postgres" or m not in POSTGRES_ONLY]
    if args.raw:
        methods = [m for m in args.raw.split(",") if m in methods]
    raw_runs: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    raw_rss: dict[str, float] = {}
    jobs = [int(j) for j in args.jobs.split(",")]
    fulls: list[dict[str, float]] = []  # --jobs jobs[0]
    more: dict[int, list[dict[str, float]]] = {j: [] for j in jobs[1:]}  # other --jobs
    phases: list[dict[str, float]] = []  # the COPY path's
    row_phases: list[dict[str, float]] = []  # the row path's (statements_bulk_load)
    loads: list[str] = []
    try:
        path, quarter = workdir / "statements.jsonl", workdir / "quarter.jsonl"
        size, seconds = write_import_file(path, quarter, n)
        print(f"\nfile       {n:,} statements, {size / 2**20:,.0f} MiB "
              f"(generated in {seconds:.1f} s, {n / seconds:,.0f}/s)")  # fmt: skip
        for _ in range(args.repeat):
            loads.append(load())
            for method in methods:
                with fresh_instance(args.database, pg_db=args.pg_db) as env:
                    done = run(
                        [PYTHON, __file__, "--raw-child", str(path), "--method", method], env
                    )
                raw = json.loads(done.stdout.strip().splitlines()[-1])
                raw_runs[method].append(raw)
                raw_rss[method] = done.maxrss_mb
                if raw["stored"] != n:
                    print(f"WARNING: raw {method} stored {raw['stored']:,} of {n:,}",
                          file=sys.stderr)  # fmt: skip
            fulls.append(run_import(path, args.database, args.pg_db, jobs[0]))
            for j in jobs[1:]:
                more[j].append(run_import(path, args.database, args.pg_db, j))
            if args.database == "postgres":
                for method in ("copy", "rows"):
                    with fresh_instance(args.database, pg_db=args.pg_db) as env:
                        done = run(
                            [PYTHON, __file__, "--phases-child", str(path), "--method", method],
                            env,
                        )
                    timed = json.loads(done.stdout.strip().splitlines()[-1])
                    (phases if method == "copy" else row_phases).append(timed)
        part = None if args.no_quarter else run_import(quarter, args.database, args.pg_db)
        startup = startup_time(args.database, workdir, args.pg_db)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    full = fulls[0]
    integration = max(full["wall"] - full["import_time"] - startup, 0.0)
    for method, runs in raw_runs.items():
        raw = runs[0]
        tables = "the import's three tables" if method == "copy-all" else "same table"
        print(f"""
raw baseline: {RAW_METHODS[method]}
  rows                      {raw["rows"]:>10,}  ({BATCH:,} per transaction, {tables})
  parse + insert            {raw["total"]:>10.1f} s {rate(n, raw["total"])}
  insert only               {raw["insert"]:>10.1f} s {rate(n, raw["insert"])}
  peak RSS                  {raw_rss[method]:>10.0f} MiB""")  # fmt: skip
    quarter_line = (
        ""
        if part is None
        else f"""
  peak RSS at N/4 rows      {part["rss"]:>10.0f} MiB  ({part["rows"]:,.0f} rows, \
import phase {rate(part["rows"], part["import_time"]).strip()})"""
    )
    print(f"""
santui import --no-progress --jobs {jobs[0]}
  rows                      {full["rows"]:>10,.0f}  ({full["imported"]:,.0f} imported, \
{full["rejected"]:,.0f} rejected, {full["integrated"]:,.0f} entries integrated)
  import phase              {full["import_time"]:>10.1f} s {rate(n, full["import_time"])}
  integration (estimated)   {integration:>10.1f} s
  start-up (empty file)     {startup:>10.1f} s
  whole command             {full["wall"]:>10.1f} s {rate(n, full["wall"])}
  peak RSS                  {full["rss"]:>10.0f} MiB{quarter_line}""")  # fmt: skip
    if phases:
        ph = phases[0]
        print(f"""
the import's phases (its own functions, one process, µs per row)
  read + validate           {ph["validate"] / n * 1e6:>10.1f}
  stage (Python: mask, encrypt, search columns, snapshot)  {ph["stage"] / n * 1e6:>6.1f}
  store (COPY + move)       {ph["store"] / n * 1e6:>10.1f}   {rate(n, ph["store"]).strip()}
  total                     {ph["total"] / n * 1e6:>10.1f}   {rate(n, ph["total"]).strip()}""")
        rp = row_phases[0]
        row_store = rp["store"] - ph["stage"]  # the same staging work, less
        print(f"""\
the row path (statements_bulk_load, before issue 15), same file, µs per row
  read + validate           {rp["validate"] / n * 1e6:>10.1f}
  stage + unnest INSERTs    {rp["store"] / n * 1e6:>10.1f}
  ... of which storing, estimated (less the COPY path's staging)  {row_store / n * 1e6:>5.1f}
  total                     {rp["total"] / n * 1e6:>10.1f}   {rate(n, rp["total"]).strip()}""")
    print("\nfraction of raw speed: import rows/s / raw rows/s (raw time / import time)")
    print(f"  {'raw method':<20} {'raw timed part':<16} {'import phase':>12} {'whole command':>14}")
    for method, runs in raw_runs.items():
        raw = runs[0]
        for base, base_s in (("insert only", raw["insert"]), ("parse + insert", raw["total"])):
            print(f"  {method:<20} {base:<16} {base_s / full['import_time']:>12.2f} "
                  f"{base_s / full['wall']:>14.2f}")  # fmt: skip
    for base in [m for m in ("copy", "copy-all") if m in raw_runs]:
        what = "the statements" if base == "copy" else "every row the import writes"
        print(f"\nagainst raw COPY of {what} ({base}), per repeat (aim: import phase >= 0.5)")
        print(f"  import: --jobs {jobs[0]}; store: its phases in one process")
        print(f"  {'#':>2} {'raw COPY/s':>11} {'import/s':>9} {'ratio':>6}"
              f" {'store/s':>9} {'store ratio':>11}  load")  # fmt: skip
        ratios, store_ratios = [], []
        for i, (raw, imp) in enumerate(zip(raw_runs[base], fulls, strict=True)):
            raw_rate, imp_rate = n / raw["insert"], n / imp["import_time"]
            ratios.append(imp_rate / raw_rate)
            line = f"  {i + 1:>2} {raw_rate:>11,.0f} {imp_rate:>9,.0f} {ratios[-1]:>6.3f}"
            if i < len(phases):
                store_rate = n / phases[i]["store"]
                store_ratios.append(store_rate / raw_rate)
                line += f" {store_rate:>9,.0f} {store_ratios[-1]:>11.3f}"
            print(f"{line}  {loads[i]}")
        print(f"  import phase / raw {base} (insert only): {min(ratios):.3f} to {max(ratios):.3f}")
        if store_ratios:
            print(f"  store phase / raw {base} (insert only): {min(store_ratios):.3f} to "
                  f"{max(store_ratios):.3f}")  # fmt: skip
        for j, runs in more.items():
            jr = [(n / imp["import_time"]) / (n / raw["insert"])
                  for raw, imp in zip(raw_runs[base], runs, strict=True)]  # fmt: skip
            rates = ", ".join(f"{n / imp['import_time']:,.0f}/s" for imp in runs)
            print(f"  --jobs {j}: import phase {rates}; / raw {base}: {min(jr):.3f} to "
                  f"{max(jr):.3f}")  # fmt: skip
    print()
    print(load())


if __name__ == "__main__":
    if "--raw-child" in sys.argv or "--phases-child" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
    main()
