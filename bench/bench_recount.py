"""Speed of `santui history recount` with 1 and 2 Dask workers (issue 15's aim: 2 workers at
least 1.6 times one).

    .venv/bin/python bench/bench_recount.py [--database sqlite|postgres] [--scale S]
        [--keep DIR | --reuse DIR] [--partition N] [--reparse] [--repeat R]

1. **Build** (skipped with ``--reuse DIR``, a SANTUI_HOME an earlier ``--keep DIR`` left): a
   fresh instance (`santui setup`; on PostgreSQL the database ``santui_recount_bench``), `santui
   demo --scale S` (statements_bulk_load, the import path: the default 0.00056 gives
   205,832 statements following the published milestones up to 2025-06-30) and `santui
   integrate`.
2. **Measure**, for 1 worker and then 2, in a child process per run with the instance's
   environment: a local cluster (processes, one thread each), every worker warmed up (Django
   set up, a connection made), then `history_recount` timed from the plan to the verdict. The
   cluster's start is timed apart. Each run is repeated ``--repeat`` times; the best is kept.

Prints statements/s for each, the ratio, and the load average around each run: the machine is
small (2 cores) and shared, so figures move with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchlib import SANTUI, load, machine, run

PG_DB = "santui_recount_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def psql(sql: str) -> None:
    import subprocess

    subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q",  # noqa: S607
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True,
    )  # fmt: skip


def environment(home: str, database: str) -> dict[str, str]:
    drop = ("DATABASE_URL", "SANTUI_KEY_FILE", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["SANTUI_HOME"] = home
    env["DJANGO_SETTINGS_MODULE"] = "santui.config.settings.prod"
    env["DASK_DISTRIBUTED__WORKER__MEMORY__SPILL"] = "False"
    if database == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def build(home: str, database: str, scale: float) -> dict[str, str]:
    env = environment(home, database)
    if database == "postgres":
        psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {PG_DB}")
    started = time.perf_counter()
    run([SANTUI, "setup"], env, cwd=home)
    run([SANTUI, "demo", "--scale", str(scale), "--until", "2025-06-30", "--no-progress"],
        env, cwd=home)  # fmt: skip
    run([SANTUI, "integrate"], env, cwd=home)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return env


def child(workers: int, partition: int, reparse: bool) -> None:
    import django

    django.setup()
    from distributed import get_task_stream

    from santui.tally.history.partitions import setup_django
    from santui.tally.history.recount import dask_client, history_recount

    started = time.perf_counter()
    with dask_client(None, workers) as client:
        client.wait_for_workers(workers)
        client.run(setup_django)
        ready = time.perf_counter()
        with get_task_stream(client) as stream:
            result = history_recount(client, reparse=reparse, partition=partition)
        took = time.perf_counter() - ready
    # seconds the tasks computed, summed over workers: twice one worker's wall time when two
    # workers each had a core of their own; more when they shared (other load on the machine)
    busy = sum(
        span["stop"] - span["start"]
        for task in stream.data
        for span in task["startstops"]
        if span["action"] == "compute"
    )
    print(json.dumps({
        "start": ready - started, "seconds": took, "task_seconds": busy,
        "statements": result.statements, "partitions": result.partitions, "ok": result.ok,
        "problems": result.problems[:5],
    }))  # fmt: skip


def measure(env: dict[str, str], workers: int, args: argparse.Namespace) -> dict[str, object]:
    best: dict[str, object] | None = None
    for _ in range(args.repeat):
        before = load()
        cmd = [sys.executable, __file__, "--child", str(workers), "--partition",
               str(args.partition), *(["--reparse"] if args.reparse else [])]  # fmt: skip
        done = run(cmd, env, cwd=env["SANTUI_HOME"])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures |= {"load_before": before, "load_after": load(), "maxrss_mb": done.maxrss_mb}
        if not figures["ok"]:
            sys.exit(f"the recount found differences: {figures['problems']}")
        if best is None or figures["seconds"] < best["seconds"]:  # type: ignore[operator]
            best = figures
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=float, default=0.00056)
    parser.add_argument("--keep", metavar="DIR")
    parser.add_argument("--reuse", metavar="DIR")
    parser.add_argument("--partition", type=int, default=25_000)
    parser.add_argument("--reparse", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.partition, args.reparse)
        return

    print(machine(args.database), flush=True)
    if args.reuse:
        home = str(Path(args.reuse).resolve())
        env = environment(home, args.database)
    else:
        home = (
            str(Path(args.keep).resolve())
            if args.keep
            else tempfile.mkdtemp(prefix="santui-bench-recount-")
        )
        Path(home).mkdir(parents=True, exist_ok=True)
        env = build(home, args.database, args.scale)
    try:
        results = {n: measure(env, n, args) for n in (1, 2)}
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(home, ignore_errors=True)
            if args.database == "postgres":
                psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    print(f"recount{' --reparse' if args.reparse else ''}, partitions of {args.partition:,} ids")
    for n, r in results.items():
        rate = r["statements"] / r["seconds"]  # type: ignore[operator]
        print(
            f"{n} worker{'s' if n > 1 else ' '}: {r['statements']:,} statements in "
            f"{r['seconds']:.1f} s = {rate:,.0f} statements/s "
            f"(tasks computed {r['task_seconds']:.1f} s; cluster start {r['start']:.1f} s, "
            f"{r['partitions']} partitions; "
            f"{r['load_before']} before, {r['load_after']} after)"
        )
    ratio = results[1]["seconds"] / results[2]["seconds"]  # type: ignore[operator]
    print(f"2 workers / 1 worker: {ratio:.2f}x")


if __name__ == "__main__":
    main()
