"""Public log benchmark: appending, integration with and without the log, proofs at 100M leaves.

    .venv/bin/python bench/bench_log.py [--leaves N] [--database sqlite|postgres]
        [--proof-leaves M] [--parts append,integrate,proofs] [--profile auto|always|never]

1. **append** (pure, in a child process): N add leaves (default 1,000,000) encoded with
   ``leaf.encode_add``, hashed with ``merkle.leaf_hash`` and added to a ``tiles.MemoryTiles`` in
   batches of 20,000 (the integrator's batch): leaves/s for each step alone and for the three
   together, and the roots checked against a ``merkle.CompactRange`` over the same hashes.
2. **integrate** (in the database): N accepted demo statements bulk-loaded
   (``statements_bulk_load``, as `santui demo` does) into a fresh instance, copied, then
   ``tally_integrate()`` timed in a child process on the original (with the log) and on the copy
   with ``ledger_batch`` and ``log_append`` (as the integrator calls them) replaced by
   no-ops, so the log's share is a ratio within one run (wall and the child's CPU time).
   The run with the log also times
   ``log_append`` and its parts around each call. Below 50,000
   entries/s (the issue's target) the integration with the log runs once more, on a second copy,
   under pyinstrument (``--profile auto``), and the top of the profile is printed. Then, on the
   integrated instance, `santui log export DIR` and `python -m santui.tlog verify DIR --key VKEY
   --state FILE` (the verifier's throughput, leaves/s).
3. **proofs** (SQLite only, whatever ``--database``): a synthetic log of M leaves (default
   100,000,000) in the ``tally_logtile`` table of a fresh instance: level-0 tiles of random
   32-byte "leaf hashes" (os.urandom) and the upper levels computed from them (so that proofs
   verify; entry bundles are left out, proofs do not read them), inserted with the sqlite3
   module in transactions of 10,000 tiles. A child process with Django set up on that instance
   then times ``merkle.inclusion_proof(i, M, tiles.subtree_reader(read))`` for 1,000 random
   indexes, with ``read`` = ``santui.tally.log.read_tile`` (the API's reader), and,
   for comparison, one SQL string on Django's cursor and the sqlite3 module directly (other
   random indexes for each reader, so none reads tiles another warmed); each proof is verified
   against ``merkle.tree_root(M, reader)``. Then ``santui.tally.log.inclusion`` (the
   API's function: the checkpoint check as well) and consistency proofs between 1,000 random
   pairs of sizes, each verified. Median, p95 and max milliseconds, and tile reads per proof.
   Needs about 3.3 GB of free disk for 100M leaves (checked first); removed afterwards.

Every database step runs in a child process in a fresh instance (benchlib.fresh_instance). On
PostgreSQL the databases are ``santui_bench_log`` and copies of it (never the test database).
Figures are printed, never asserted; the machine is shared, so compare ratios from one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import benchlib
from benchlib import PYTHON, SANTUI, UNTIL, fresh_instance, load, machine, rate, run

BATCH = 20_000  # leaves per MemoryTiles.add: the integrator's default batch size
TARGET = 50_000  # entries/s the issue asks integration to keep up with
LOAD_BATCH = 5_000  # statements per statements_bulk_load call, as `santui demo`
STATEMENTS_PER_SCALE = 3.0e8  # demo statements per unit of scale up to UNTIL, roughly
FILL_TRANSACTION = 10_000  # tiles per transaction when filling the synthetic log
PARTS = ("append", "integrate", "proofs")

# Our own PostgreSQL database (benchlib's fresh_instance reads these module globals).
benchlib.PG_DB = "santui_bench_log"
benchlib.PG_URL = f"postgres://postgres@127.0.0.1:5432/{benchlib.PG_DB}"


def last_json(text: str) -> dict[str, Any]:
    return json.loads(text.strip().splitlines()[-1])


def ms_stats(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return (
        f"median {statistics.median(ordered) * 1e3:6.2f} ms   p95 {p95 * 1e3:6.2f} ms   "
        f"max {ordered[-1] * 1e3:6.2f} ms"
    )


def count_stats(counts: list[int]) -> str:
    return f"{statistics.median(counts):.0f} median, {min(counts)}-{max(counts)}"


# --- 1. pure append ------------------------------------------------------------------------------


def append_child(n: int) -> None:
    """Part 1, in a child process (so that this parent stays small: children forked from a big
    parent report the parent's resident pages in their own peak RSS)."""
    from santui.tlog import leaf, merkle, tiles

    rng = random.Random(4)
    first = dt.date(2004, 12, 1)
    days = [first + dt.timedelta(days=rng.randrange(7500)) for _ in range(n)]
    headcounts = [1 if rng.random() < 0.9 else rng.randrange(2, 40) for _ in range(n)]
    bits = [rng.randrange(1, 8) for _ in range(n)]
    raw = os.urandom(32 * n)
    commitments = [raw[i : i + 32] for i in range(0, 32 * n, 32)]
    del raw

    t0 = time.perf_counter()
    leaves = [
        leaf.encode_add(d, h, b, c)
        for d, h, b, c in zip(days, headcounts, bits, commitments, strict=True)
    ]
    t1 = time.perf_counter()
    hashes = [merkle.leaf_hash(x) for x in leaves]
    t2 = time.perf_counter()
    store = tiles.MemoryTiles()
    for i in range(0, n, BATCH):
        store.add(leaves[i : i + BATCH], hashes[i : i + BATCH])
    t3 = time.perf_counter()
    together = tiles.MemoryTiles()
    for i in range(0, n, BATCH):
        batch = [
            leaf.encode_add(d, h, b, c)
            for d, h, b, c in zip(
                days[i : i + BATCH], headcounts[i : i + BATCH], bits[i : i + BATCH],
                commitments[i : i + BATCH], strict=True,
            )
        ]  # fmt: skip
        together.add(batch, [merkle.leaf_hash(x) for x in batch])
    t4 = time.perf_counter()
    compact = merkle.CompactRange()
    for h in hashes:
        compact.append(h)
    root = compact.root()
    t5 = time.perf_counter()
    ok = store.root == together.root == root and store.size == together.size == n
    hash_tiles = sum(1 for level, _ in store if level >= 0)
    print(f"""
1. pure append: {n:,} add leaves, MemoryTiles.add in batches of {BATCH:,}
  encode (leaf.encode_add)           {t1 - t0:8.2f} s {rate(n, t1 - t0)}
  hash (merkle.leaf_hash)            {t2 - t1:8.2f} s {rate(n, t2 - t1)}
  tiles + root (MemoryTiles.add)     {t3 - t2:8.2f} s {rate(n, t3 - t2)}
  sum of the three                   {t3 - t0:8.2f} s {rate(n, t3 - t0)}
  together, batch by batch           {t4 - t3:8.2f} s {rate(n, t4 - t3)}
  CompactRange.append (verifier)     {t5 - t4:8.2f} s {rate(n, t5 - t4)}
  tiles written: {hash_tiles:,} hash tiles, {len(store) - hash_tiles:,} entry bundles; \
roots agree with CompactRange: {"yes" if ok else "NO"}""")  # fmt: skip
    if not ok:
        sys.exit("the MemoryTiles roots differ from the CompactRange root")


# --- 2. integration (children) --------------------------------------------------------------------


def load_child(n: int) -> None:
    """Bulk-load ``n`` accepted demo statements (queued add entries); print counts as JSON."""
    import django

    django.setup()
    from santui.ops.demo import DemoGenerator, batched, in_background
    from santui.statements.bulk import statements_bulk_load
    from santui.tally.actions import queued_count

    scale = n / STATEMENTS_PER_SCALE * 1.1
    started = time.perf_counter()
    while True:
        rows = islice(DemoGenerator(scale=scale, until=UNTIL).rows(), n)
        loaded = accepted = 0
        for batch in in_background(batched(rows, LOAD_BATCH)):
            result = statements_bulk_load(rows=batch, source="bench", via="bench")
            loaded += result.inserted + result.already_present
            accepted += result.accepted
        if loaded >= n:
            break
        scale *= 1.5  # too few statements at this scale: load more (already present are skipped)
    print(json.dumps({"statements": loaded, "accepted": accepted, "queued": queued_count(),
                      "seconds": time.perf_counter() - started}))  # fmt: skip


def _timed(table: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            table[name] = table.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def integrate_child(mode: str) -> None:
    """Time ``tally_integrate()``: mode ``log``, ``nolog`` (log_append a no-op) or ``profile``."""
    import django

    django.setup()
    from santui.tally import actions
    from santui.tally import log as dblog
    from santui.tally.actions import queued_count, tally_integrate
    from santui.tlog import tiles

    parts: dict[str, float] = {}
    # what the integrator reads its batch with (a tree before the public list's own table: the
    # leaves alone), so that an older tree runs under this bench too (PYTHONPATH)
    read = "ledger_batch" if hasattr(actions, "ledger_batch") else "ledger_leaves"
    if mode == "nolog":  # no leaves read or encoded, nothing appended, no checkpoint signed
        nothing = ([], []) if read == "ledger_batch" else []
        setattr(actions, read, lambda start, end: nothing)
        actions.log_append = lambda start, leaves, now: None  # type: ignore[assignment,misc]
    elif mode == "log":
        setattr(actions, read, _timed(parts, "ledger_leaves", getattr(actions, read)))
        actions.log_append = _timed(parts, "log_append", actions.log_append)
        tiles.append = _timed(parts, "tiles.append", tiles.append)
        dblog._sign = _timed(parts, "sign", dblog._sign)
    queued = queued_count()
    profiler = None
    if mode == "profile":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    started, cpu = time.perf_counter(), time.process_time()
    result = tally_integrate()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(json.dumps({"queued": queued, "entries": result.entries, "batches": result.batches,
                      "size": result.size, "seconds": seconds, "cpu": cpu,
                      "parts": parts}))  # fmt: skip


@contextlib.contextmanager
def copy_instance(env: dict[str, str], database: str, name: str) -> Iterator[dict[str, str]]:
    """A copy of the (idle) instance ``env``: its SANTUI_HOME and, on PostgreSQL, its database."""
    home = tempfile.mkdtemp(prefix=f"santui-bench-{name}-")
    shutil.copytree(env["SANTUI_HOME"], home, dirs_exist_ok=True)
    copy = {**env, "SANTUI_HOME": home}
    db = f"{benchlib.PG_DB}_{name}"
    if database == "postgres":
        benchlib._psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        benchlib._psql(f"CREATE DATABASE {db} TEMPLATE {benchlib.PG_DB}")
        copy["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    try:
        yield copy
    finally:
        if database == "postgres":
            benchlib._psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        shutil.rmtree(home, ignore_errors=True)


def integrate_in(env: dict[str, str], mode: str) -> tuple[dict[str, Any], str]:
    """Run the integration child in ``env``: its JSON result and its whole output."""
    done = run([PYTHON, __file__, "--child", "integrate", "--mode", mode], env)
    result = last_json(done.stdout)
    if result["entries"] != result["queued"]:
        print(f"WARNING: integrated {result['entries']:,} of {result['queued']:,}", file=sys.stderr)
    return result, done.stdout


def profile_top(text: str, lines: int = 60) -> str:
    """The head of pyinstrument's tree (without the JSON line)."""
    body = [line for line in text.splitlines() if not line.startswith("{")]
    return "\n".join(body[:lines])


def run_status(cmd: list[str], env: dict[str, str]) -> tuple[benchlib.Run, int]:
    """Like benchlib.run, but a non-zero exit is returned, not fatal (a failed verification)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)  # noqa: S603
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        done = benchlib.Run(
            wall, usage.ru_maxrss / 1024, out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )  # fmt: skip
    return done, os.waitstatus_to_exitcode(status)


def bench_integration(n: int, database: str, profile: str) -> None:
    with fresh_instance(database) as env:
        loaded = last_json(
            run([PYTHON, __file__, "--child", "load", "--leaves", str(n)], env).stdout
        )
        with (
            copy_instance(env, database, "nolog") as nolog_env,
            copy_instance(env, database, "profile") as profile_env,
        ):
            nolog, _ = integrate_in(nolog_env, "nolog")
            withlog, _ = integrate_in(env, "log")
            print_integration(database, loaded, withlog, nolog)
            if profile == "always" or (
                profile == "auto" and withlog["entries"] / withlog["seconds"] < TARGET
            ):
                profiled, text = integrate_in(profile_env, "profile")
                print(f"\n  pyinstrument, integration with the log on a second copy "
                      f"({profiled['seconds']:.1f} s under the profiler):")  # fmt: skip
                print("    " + profile_top(text).replace("\n", "\n    "))
        sys.stdout.flush()
        # 4. export and the independent verifier, on the instance integrated with the log
        export_dir = Path(tempfile.mkdtemp(prefix="santui-bench-export-"))
        try:
            key = run([SANTUI, "log", "key"], env).stdout.strip()
            export = run([SANTUI, "log", "export", str(export_dir / "log"), "--no-progress"], env)
            files = sum(1 for p in (export_dir / "log").rglob("*") if p.is_file())
            size_mib = sum(p.stat().st_size for p in (export_dir / "log").rglob("*")) / 2**20
            verify, status = run_status(
                [PYTHON, "-m", "santui.tlog", "verify", str(export_dir / "log"), "--key", key,
                 "--state", str(export_dir / "state.json"), "--quiet"],
                env,
            )  # fmt: skip
            startup = run([PYTHON, "-c", "import santui.tlog.cli"], env)
        finally:
            shutil.rmtree(export_dir, ignore_errors=True)

    size = withlog["size"]
    verified = status == 0 and "VERIFIED:" in verify.stdout and "NOT VERIFIED" not in verify.stdout
    print(f"""
4. export and verifier over {size:,} leaves ({database})
  santui log export                  {export.wall:8.2f} s {rate(size, export.wall)}  \
({files:,} files, {size_mib:,.0f} MiB; wall time, start-up included; peak RSS \
{export.maxrss_mb:.0f} MiB)
  python -m santui.tlog verify       {verify.wall:8.2f} s {rate(size, verify.wall)}  \
(wall, start-up {startup.wall:.2f} s included; peak RSS {verify.maxrss_mb:.0f} MiB)
  verdict: {"VERIFIED" if verified else f"NOT VERIFIED (exit status {status})"}""")  # fmt: skip
    if not verified:
        print(verify.stdout + verify.stderr)


def print_integration(
    database: str, loaded: dict[str, Any], withlog: dict[str, Any], nolog: dict[str, Any]
) -> None:
    entries = withlog["entries"]
    t_log, t_nolog = withlog["seconds"], nolog["seconds"]
    parts = withlog["parts"]
    append_s = parts.get("log_append", 0.0)
    leaves_s = parts.get("ledger_leaves", 0.0)
    log_s = append_s + leaves_s  # the log's whole share
    other = append_s - sum(parts.get(k, 0.0) for k in ("tiles.append", "sign"))
    rest = t_log - log_s
    print(f"""
2. integration in the database ({database}): {loaded["statements"]:,} statements bulk-loaded \
in {loaded["seconds"]:.1f} s, {loaded["queued"]:,} entries queued
  with the log                       {t_log:8.2f} s {rate(entries, t_log)}  \
({withlog["batches"]} batches, size {withlog["size"]:,}; CPU {withlog["cpu"]:.1f} s)
  without the log (copy, no-op)      {t_nolog:8.2f} s {rate(nolog["entries"], t_nolog)}  \
(CPU {nolog["cpu"]:.1f} s)
  ratio with / without, wall         {t_log / t_nolog:8.2f}x  (by this ratio the log takes \
{1 - t_nolog / t_log:.0%} of the integration)
  ratio with / without, CPU          {withlog["cpu"] / nolog["cpu"]:8.2f}x  (CPU time of the \
integrating process{": SQLite's work included" if database == "sqlite" else ""})
  target {TARGET:,}/s: whole integration {"met" if entries / t_log >= TARGET else "NOT met"}; \
the log's own part {"met" if log_s and entries / log_s >= TARGET else "NOT met"}
  inside the run with the log (timed around each call):
    the log's part                   {log_s:8.2f} s {rate(entries, log_s)}  \
({log_s / t_log:.0%} of the run)
      ledger_leaves (SELECT, encode) {leaves_s:8.2f} s {rate(entries, leaves_s)}
      log_append                     {append_s:8.2f} s {rate(entries, append_s)}
        tiles.append (+ new root)    {parts.get("tiles.append", 0):8.2f} s \
{rate(entries, parts.get("tiles.append", 0))}
        sign the checkpoint          {parts.get("sign", 0):8.2f} s
        rest (leaf hashes, upsert)   {other:8.2f} s {rate(entries, other)}
    everything but the log (positions, rollup folds, commit) \
{rest:8.2f} s {rate(entries, rest)}""")  # fmt: skip
    sys.stdout.flush()


# --- 3. proofs on a synthetic log ---------------------------------------------------------------


def synthetic_bytes(size: int) -> int:
    """Bytes of tile data in a tree of ``size`` leaves (hash tiles only)."""
    total, count = 0, size
    while count:
        total += count * 32
        count >>= 8
    return total


def fill_synthetic(db_path: Path, size: int) -> dict[str, float]:
    """Fill ``tally_logtile`` with the hash tiles of a tree of ``size`` random leaf hashes."""
    from santui.tlog import merkle, tiles

    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    sql = 'INSERT INTO tally_logtile (level, "index", width, data) VALUES (?, ?, ?, ?)'
    started = time.perf_counter()
    hashing = 0.0
    rows: list[tuple[int, int, int, bytes]] = []
    written = 0

    def flush() -> None:
        nonlocal rows, written
        con.execute("BEGIN")
        con.executemany(sql, rows)
        con.execute("COMMIT")
        written += len(rows)
        rows = []

    # level 0: random leaf hashes; each full tile's root is a level-1 hash
    above: list[bytes] = []
    for index in range(-(-size // tiles.WIDTH)):
        width = min(tiles.WIDTH, size - index * tiles.WIDTH)
        data = os.urandom(width * merkle.HASH_SIZE)
        rows.append((0, index, width, data))
        if width == tiles.WIDTH:
            t = time.perf_counter()
            above.append(merkle.perfect_root(tiles.tile_hashes(data)))
            hashing += time.perf_counter() - t
        if len(rows) >= FILL_TRANSACTION:
            flush()
    level = 1
    while above:
        below, above = above, []
        for index in range(-(-len(below) // tiles.WIDTH)):
            part = below[index * tiles.WIDTH : (index + 1) * tiles.WIDTH]
            data = b"".join(part)
            rows.append((level, index, len(part), data))
            if len(part) == tiles.WIDTH:
                above.append(merkle.perfect_root(part))
            if len(rows) >= FILL_TRANSACTION:
                flush()
        level += 1
    if rows:
        flush()
    con.close()
    return {"tiles": written, "seconds": time.perf_counter() - started, "hashing": hashing,
            "levels": level}  # fmt: skip


def proofs_child(size: int, count: int, seed: int) -> None:
    """Inclusion and consistency proofs on the synthetic log of this instance; JSON out."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from santui.tally import log as dblog
    from santui.tally.models import Checkpoint, LogTile
    from santui.tlog import merkle, tiles

    reads = 0

    def orm_read(level: int, index: int) -> bytes:
        nonlocal reads
        reads += 1
        return dblog.read_tile(level, index)

    raw = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    raw_sql = 'SELECT data FROM tally_logtile WHERE level = ? AND "index" = ?'

    def raw_read(level: int, index: int) -> bytes:
        nonlocal reads
        reads += 1
        row = raw.execute(raw_sql, (level, index)).fetchone()
        if row is None:
            raise tiles.TileError(f"no tile {level}/{index}")
        return row[0]

    q = connection.ops.quote_name
    cursor_sql = (
        f"SELECT data FROM {q(LogTile._meta.db_table)} WHERE level = %s AND {q('index')} = %s"
    )

    def cursor_read(level: int, index: int) -> bytes:
        """What read_tile would cost as one SQL string on Django's connection (no ORM)."""
        nonlocal reads
        reads += 1
        with connection.cursor() as cursor:
            cursor.execute(cursor_sql, [level, index])
            row = cursor.fetchone()
        if row is None:
            raise tiles.TileError(f"no tile {level}/{index}")
        return bytes(row[0])

    started = time.perf_counter()
    root = merkle.tree_root(size, tiles.subtree_reader(dblog.read_tile))
    root_seconds = time.perf_counter() - started
    rng = random.Random(seed)

    def leaf_hash_at(i: int) -> bytes:
        data = bytes(raw_read(0, i // tiles.WIDTH))
        offset = (i % tiles.WIDTH) * merkle.HASH_SIZE
        return data[offset : offset + merkle.HASH_SIZE]

    out: dict[str, Any] = {"root_seconds": root_seconds, "size": size}
    variants: dict[str, Callable[[], tiles.TileReader]] = {
        "orm": lambda: orm_read,
        "cursor": lambda: cursor_read,
        "raw": lambda: raw_read,
    }
    for name, make_reader in variants.items():
        indexes = [rng.randrange(size) for _ in range(count)]
        times, counts, proofs = [], [], []
        for i in indexes:
            reads = 0
            t0 = time.perf_counter()
            proof = merkle.inclusion_proof(i, size, tiles.subtree_reader(make_reader()))
            times.append(time.perf_counter() - t0)
            counts.append(reads)
            proofs.append(proof)
        reads = 0
        for i, proof in zip(indexes, proofs, strict=True):
            merkle.verify_inclusion(i, size, leaf_hash_at(i), proof, root)
        out[f"inclusion_{name}"] = {"times": times, "reads": counts,
                                    "proof_len": [len(p) for p in proofs]}  # fmt: skip

    # the API's function: the checkpoint check, then the same proof with log.read_tile
    Checkpoint.objects.create(size=size, root=root, note="synthetic", signed_at=timezone.now())
    times = []
    for i in [rng.randrange(size) for _ in range(count)]:
        t0 = time.perf_counter()
        proof = dblog.inclusion(i, size)
        times.append(time.perf_counter() - t0)
        merkle.verify_inclusion(i, size, leaf_hash_at(i), proof, root)
    out["inclusion_api"] = {"times": times}

    # consistency proofs between random pairs of sizes, log.read_tile
    pairs = [tuple(sorted((rng.randrange(1, size + 1), rng.randrange(1, size + 1))))
             for _ in range(count)]  # fmt: skip
    times, counts = [], []
    for a, b in pairs:
        reads = 0
        t0 = time.perf_counter()
        proof = merkle.consistency_proof(a, b, tiles.subtree_reader(orm_read))
        times.append(time.perf_counter() - t0)
        counts.append(reads)
        check = tiles.subtree_reader(raw_read)
        merkle.verify_consistency(
            a, b, merkle.tree_root(a, check), merkle.tree_root(b, check), proof
        )
    out["consistency_orm"] = {"times": times, "reads": counts}
    print(json.dumps(out))


def bench_proofs(size: int, count: int) -> None:
    need = synthetic_bytes(size)
    with fresh_instance("sqlite") as env:
        home = Path(env["SANTUI_HOME"])
        free = shutil.disk_usage(home).free
        print(f"\n3. proofs on a synthetic log of {size:,} leaves (SQLite, {home})")
        print(f"  disk: {free / 2**30:,.1f} GiB free, the tiles need {need / 2**30:,.1f} GiB")
        if free < need * 1.5 + 2**30:
            sys.exit("not enough free disk for the synthetic log: use a smaller --proof-leaves")
        db_path = home / "santui.sqlite3"
        filled = fill_synthetic(db_path, size)
        db_size = sum(p.stat().st_size for p in home.glob("santui.sqlite3*"))
        print(f"  filled {filled['tiles']:,.0f} tiles ({filled['levels']:.0f} levels) in "
              f"{filled['seconds']:.0f} s (level-1 hashing {filled['hashing']:.0f} s); "
              f"database {db_size / 2**30:,.2f} GiB")  # fmt: skip
        done = run([PYTHON, __file__, "--child", "proofs", "--proof-leaves", str(size),
                    "--proofs", str(count)], env)  # fmt: skip
    out = last_json(done.stdout)
    proof_len = out["inclusion_orm"]["proof_len"]
    print(f"  tree_root({size:,}) with log.read_tile: {out['root_seconds'] * 1e3:.1f} ms")
    print(f"  inclusion proofs, {count:,} random indexes, each verified against the root "
          f"(proof length {count_stats(proof_len)} hashes):")  # fmt: skip
    labels = {
        "orm": "subtree_reader(log.read_tile), API",
        "cursor": "subtree_reader(SQL on Django cursor)",
        "raw": "subtree_reader(sqlite3 module read)",
    }
    for name, label in labels.items():
        r = out[f"inclusion_{name}"]
        print(f"    {label:<36} {ms_stats(r['times'])}   tile reads {count_stats(r['reads'])}")
    print(f"    {'santui.tally.log.inclusion (API)':<36} {ms_stats(out['inclusion_api']['times'])}")
    r = out["consistency_orm"]
    print(f"  consistency proofs, {count:,} random pairs of sizes, each verified:")
    print(f"    {'subtree_reader(log.read_tile), API':<36} {ms_stats(r['times'])}   "
          f"tile reads {count_stats(r['reads'])}")  # fmt: skip


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--proof-leaves", type=int, default=100_000_000)
    parser.add_argument("--proofs", type=int, default=1000, help="proofs of each kind")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS)
    )
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto")
    parser.add_argument(
        "--child", choices=["append", "load", "integrate", "proofs"], help=argparse.SUPPRESS
    )
    parser.add_argument("--mode", default="log", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "append":
        append_child(args.leaves)
        return
    if args.child == "load":
        load_child(args.leaves)
        return
    if args.child == "integrate":
        integrate_child(args.mode)
        return
    if args.child == "proofs":
        proofs_child(args.proof_leaves, args.proofs, seed=9162)
        return

    parts = [p for p in args.parts.split(",") if p]
    if unknown := set(parts) - set(PARTS):
        sys.exit(f"unknown parts: {', '.join(sorted(unknown))}")
    print(machine(args.database))
    print(load())
    if "append" in parts:
        print(run([PYTHON, __file__, "--child", "append", "--leaves", str(args.leaves)],
                  dict(os.environ)).stdout.rstrip())  # fmt: skip
    if "integrate" in parts:
        bench_integration(args.leaves, args.database, args.profile)
    if "proofs" in parts:
        bench_proofs(args.proof_leaves, args.proofs)
    print()
    print(load())


if __name__ == "__main__":
    main()
