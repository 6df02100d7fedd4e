"""Screening speed with many statements already stored and screened (the issue's aim: at least
2,000 statements per second on one core with 10 million stored).

    .venv/bin/python bench/bench_screen_speed.py [--database sqlite|postgres] [--stored N]
        [--fresh-scale S] [--keep DIR] [--reuse DIR] [--profile FILE]

1. **Build** (skipped with ``--reuse DIR``, a directory an earlier ``--keep DIR`` left): a fresh
   instance, then set-based SQL (``generate_series`` on PostgreSQL, a recursive CTE on SQLite,
   a million rows at a time), with secondary indexes, unique constraints and (PostgreSQL)
   foreign keys dropped during the load and rebuilt after (foreign keys ``NOT VALID``). It fills
   N accepted statements received over the two years before the scenario and every column of
   their screening records: channel, place (a county code) and province, name kind, signature,
   template (30 % one of 20 common ones), person key (the named 75 %), text key, 16 band keys
   (the distinctive 50 %), 8 flood sketches (int64 each); their screen keys (person key, text
   key of the distinctive, the 16 band keys of the distinctive anonymous and 4 of the
   distinctive named: about 4.75 a statement);
   window counts per channel, template and sketch
   for the last 9 days (older buckets are pruned by the screener's loop); the IndexMark at the
   last id (history indexing has nothing to do). Then the history of the fresh batch the
   measurement loads (generated here with the same seed): every blind key it uses 5 times or
   more (common templates, popular aliases) gets stored holders in proportion (its share of
   the batch times N), 5 % of its persons an earlier statement, its frequent templates and
   sketches window counts at its own rate. Then VACUUM ANALYZE (SQLite: ANALYZE).
2. **Measure**: a child process bulk-loads the fresh statements (bench/screen_scenario.py,
   split ``dev`` at ``--fresh-scale``, ~20,000: genuine people, repeats, floods, over 15 days),
   then runs what ``screen_round`` runs until nothing is left (``screening_index_decided``
   5,000, then ``screening_index_and_decide`` 1,000, delay 0: index and decide in one pass);
   with ``--two-steps``, the two steps apart instead (``screening_index`` 1,000, then
   ``screening_decide`` 1,000), as rounds ran before the one pass, each timed.
   A build that is not kept is measured in place; a kept one (``--keep``, ``--reuse``) on a
   copy, so that it can be measured again as built. ``--profile FILE`` profiles the rounds
   from the third on, added up (pyinstrument), to FILE.round.txt (two steps: FILE.index.txt
   and FILE.decide.txt).

Prints statements/s, the index/decide split, and the build time. The machine is small and
shared; the figures are one core's (the screener is one process).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.ops.servers
from bench_screen import instance, pg_port, psql
from benchlib import PYTHON, load, machine, run

BUILT_DB = "santui_bench_screen_built"  # plus the stored count: builds of two sizes can be kept
RUN_DB = "santui_bench_screen_run"
STORED_DAYS = 730


def series(vendor: str, n: int) -> str:
    if vendor == "postgresql":
        return f"generate_series(1::bigint, {n}) AS s(i)"
    return (
        f"(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n})"
        " SELECT i FROM c) AS s"
    )


def _mix(i: str, a: int, p: int, m: int) -> str:
    """A value in [0, m) that looks random in i (a multiplicative hash; same SQL on both)."""
    return f"((({i}) * {a}) % {p} % {m})"


def _key(i: str, salt: int) -> str:
    """A 64-bit key that looks random and is the same for the same (i, salt) on both vendors
    (no overflow: every product stays below 2^63)."""
    return (f"(((({i}) * 2654435761 + {salt * 97}) % 2147483647) - 1073741823) * 4294967296"
            f" + ((({i}) * 40503 + {salt * 1000003}) % 4294967291)")  # fmt: skip


HOT_TEMPLATES = 20  # common template sentences: 30 % of the stored statements use one
HOT_SKETCHES = 8  # common MinHash values per sketch slot (frequent words)
PRUNED_DAYS = 9  # window counts kept: the 7 baseline days and a window (screening_prune_counts)


def build_history(cur, vendor: str, n: int, scale: float) -> dict[str, int]:
    """History for the fresh batch the measurement will load (generated here, same seed): its
    frequent blind keys were frequent before it too. Every key the batch uses 5 times or more
    (common templates, popular aliases) gets stored holders in proportion (its share of the
    batch times ``n``), 5 % of its persons one earlier statement; its frequent templates and
    sketches get window counts at its own rate over the 8 days of history before it."""
    import random
    from collections import Counter

    import numpy as np

    from santui.screening.actions import COMMON_BANDS
    from santui.screening.features import person_key, text_features
    from santui.textparse.regions import province_of
    from screen_scenario import generate

    items = generate("dev", scale)
    uses: Counter[tuple[int, int]] = Counter()  # (key, kind)
    counted: Counter[int] = Counter()  # template and sketch keys
    persons = []
    feats = text_features([(i.text, [i.name]) for i in items])
    for i, f in zip(items, feats, strict=True):
        if f.distinctive and f.text_key is not None:  # all bands of the anonymous
            bands = f.bands if not i.name else f.bands[:COMMON_BANDS]
            uses.update({(f.text_key, 2), *((b, 3) for b in bands)})
        if f.template is not None:
            counted.update({f.template, *f.sketches})
        if i.name:
            pk = person_key(name=i.name, province=province_of(i.region) if i.region else "",
                            organizations=sorted(i.organizations))  # fmt: skip
            if pk is not None:
                uses[(pk, 1)] += 1
                persons.append(pk)
    rng = random.Random(7)
    holders = 0
    for (key, kind), count in uses.items():
        if count >= 5:
            many = min(n, int(count / len(items) * n))
            salt = rng.randrange(1, 1_000_000)
            cur.execute(
                'INSERT INTO screening_screenkey ("key", kind, statement_id) '
                f"SELECT {key}, {kind}, 1 + (i * 2654435761 + {salt}) % {n}"
                f" FROM {series(vendor, many)}"
            )
            holders += many
    pairs = [(pk, 1, rng.randrange(1, n + 1)) for pk in rng.sample(persons, len(persons) // 20)]
    cur.executemany('INSERT INTO screening_screenkey ("key", kind, statement_id) '
                    "VALUES (%s, %s, %s)", pairs)  # fmt: skip
    span = (max(i.received_at for i in items) - min(i.received_at for i in items)).total_seconds()
    first = int(min(i.received_at for i in items).timestamp() // 600)
    cells = []
    nprng = np.random.default_rng(7)
    for key, count in counted.items():
        if count >= 5:
            drawn = nprng.poisson(count / max(1.0, span / 600), 8 * 144)
            cells += [(key, first - 1 - b, int(c)) for b, c in enumerate(drawn) if c]
    cur.executemany('INSERT INTO screening_windowcount ("key", bucket, n) VALUES (%s, %s, %s)',
                    cells)  # fmt: skip
    return {"holders": holders + len(pairs), "cells": len(cells)}


def build_child(n: int, scale: float) -> None:
    """Fill ``n`` accepted, screened statements (every column of their screening records) by
    set-based SQL, with secondary indexes and foreign keys dropped during the load."""
    import django

    django.setup()
    from django.db import connection

    from santui.screening.actions import COMMON_BANDS, channel_key
    from santui.screening.features import SKETCHES
    from santui.textparse.regions import gazetteer
    from screen_scenario import CHANNELS, START

    v = connection.vendor
    pg = v == "postgresql"
    step = STORED_DAYS * 86400 / n  # seconds between stored statements
    start = START.timestamp() - STORED_DAYS * 86400
    secs = f"({start} + i * {step})"
    if pg:
        when = f"to_timestamp({secs})"
        bucket = f"floor({secs} / 600)::int"
        sig = "decode(repeat(md5(i::text), 8), 'hex')"  # 128 bytes: 64 x 16 bits
        bands = "decode(repeat(md5((i + 1)::text), 8), 'hex')"  # 16 x int64
        sketches = "decode(repeat(md5((i + 2)::text), 4), 'hex')"  # 8 x int64
        commitment = "decode(md5((i + 3)::text) || md5((i + 4)::text), 'hex')"
        cipher = "decode(repeat(md5((i + 5)::text), 3), 'hex')"  # an encrypted name, 48 bytes
        true, false = "true", "false"
    else:
        when = f"strftime('%Y-%m-%d %H:%M:%f', {secs}, 'unixepoch')"
        bucket = f"CAST({secs} / 600 AS INTEGER)"
        sig, bands, sketches = "randomblob(128)", "randomblob(128)", "randomblob(64)"
        commitment, cipher = "randomblob(32)", "randomblob(48)"
        true, false = "1", "0"
    kind = _mix("i", 7919, 1000003, 20)  # name kind: 0-8 real, 9-14 alias, 15-19 anonymous
    named = f"({kind} < 15)"
    real = f"({kind} < 9)"
    distinctive = f"({_mix('i', 104729, 1000033, 2)} = 0)"
    hot = f"({_mix('i', 1299709, 1000037, 10)} < 3)"  # one of the common templates
    template = (f"CASE WHEN {hot} THEN {_key(_mix('i', 15485863, 999983, HOT_TEMPLATES), 50)}"
                f" ELSE {_key('i', 3)} END")  # fmt: skip
    # channels and places in proportion (the scenario's channel weights; every county alike)
    chans = [c for c, w in CHANNELS for _ in range(w)]
    regions = sorted(gazetteer().counties)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def mark(label: str, since: float) -> float:
        now = time.perf_counter()
        timings[label] = now - since
        print(f"{label}: {now - since:.0f} s", file=sys.stderr, flush=True)
        return now

    tables = ["statements_statement", "screening_screening", "screening_screenkey",
              "screening_windowcount"]  # fmt: skip
    restore: list[str] = []
    with connection.cursor() as cur:
        if pg:
            cur.execute("SET maintenance_work_mem = '1GB'")
            cur.execute("SET synchronous_commit = off")
            names = ", ".join(f"'{t}'" for t in tables)
            # foreign keys: dropped, added back NOT VALID (checked for new rows, not the built);
            # on a partitioned table (the statements, migration 0018) PostgreSQL has no NOT
            # VALID key: checked whole. Those a partition inherits go with their parent's.
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                "(SELECT relkind FROM pg_class WHERE oid = conrelid) = 'p' FROM pg_constraint "
                f"WHERE contype = 'f' AND conparentid = 0 AND conrelid::regclass::text IN ({names})"
            )
            for table, name, definition, parted in cur.fetchall():
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                later = "" if parted else " NOT VALID"
                restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}{later}')
            # unique constraints of the big tables and every secondary index: rebuilt at the end
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM "
                f"pg_constraint WHERE contype = 'u' AND conrelid::regclass::text IN ({names})"
            )
            for table, name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                f"({names}) AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE contype IN ('p', 'u', 'x'))"
            )
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                restore.append(definition)
        else:
            cur.execute("PRAGMA foreign_keys = OFF")
            cur.execute("PRAGMA journal_mode = OFF")
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -2000000")
            names = ", ".join(f"'{t}'" for t in tables)
            cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        f"AND sql IS NOT NULL AND tbl_name IN ({names})")  # fmt: skip
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                restore.append(definition)
        cur.execute("CREATE TEMP TABLE bench_channel (idx integer PRIMARY KEY, name varchar(16))")
        cur.executemany("INSERT INTO bench_channel VALUES (%s, %s)", list(enumerate(chans)))
        cur.execute("CREATE TEMP TABLE bench_channel_key (name varchar(16), ckey bigint)")
        cur.executemany("INSERT INTO bench_channel_key VALUES (%s, %s)",
                        [(c, channel_key(c)) for c, _ in CHANNELS])  # fmt: skip
        cur.execute("CREATE TEMP TABLE bench_region (idx integer PRIMARY KEY, code varchar(6))")
        cur.executemany("INSERT INTO bench_region VALUES (%s, %s)", list(enumerate(regions)))
        chunk = 1_000_000
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            rng = (
                f"(SELECT i + {lo} AS i FROM {series(v, hi - lo)}) AS t"
                f" JOIN bench_channel c ON c.idx = {_mix('i', 2654435761, 1000003, len(chans))}"
                f" JOIN bench_region r ON r.idx = {_mix('i', 40503, 999983, len(regions))}"
            )
            cur.execute(
                "INSERT INTO statements_statement (id, source, external_id, channel, received_at,"
                " text, party, league, pioneers, headcount, name, contact, name_kind, region,"
                " sector, current_party_member, publish, status, reject_reason, receipt_hash,"
                " created_at, commitment, declarant) "
                f"SELECT i, 'history', NULL, c.name, {when},"
                " NULL,"  # no text: the screener reads a stored statement's record, not it
                f" {true}, {true}, {false}, 1,"
                f" CASE WHEN {named} THEN {cipher} END, NULL,"
                f" CASE WHEN {real} THEN 'real' WHEN {named} THEN 'alias' ELSE 'anonymous' END,"
                f" r.code, '', NULL, {false}, 'accepted', '', NULL, {when}, {commitment}, 'self'"
                f" FROM {rng}"
            )
            cur.execute(
                "INSERT INTO screening_screening (statement_id, received_at, decision, reasons,"
                " duplicate_of_id, cluster, rules, screened_at, signature, template, person_key,"
                " text_key, bands, sketches, channel, province, place, named, real_name,"
                " distinctive, found, random_name) "
                f"SELECT i, {when}, 'accepted', '[]', NULL, '', 'santui-screen/1', {when},"
                f" {sig}, {template}, CASE WHEN {named} THEN {_key('i', 1)} END, {_key('i', 2)},"
                f" CASE WHEN {distinctive} THEN {bands} END, {sketches}, c.name,"
                f" substr(r.code, 1, 2) || '0000', r.code, {named}, {real}, {distinctive},"
                f" '[]', {false} FROM {rng}"
            )
            print(f"  {hi:,} statements", file=sys.stderr, flush=True)
        t = mark("statements + screening rows", t0)
        # keys: the person key of the named, the text key of the distinctive, and 16 band
        # keys of the distinctive anonymous ones (the only ones compared through bands), the
        # first COMMON_BANDS of the named (how common a wording is)
        cur.execute(
            'INSERT INTO screening_screenkey ("key", kind, statement_id) '
            "SELECT person_key, 1, statement_id FROM screening_screening "
            "WHERE person_key IS NOT NULL"
        )
        cur.execute(
            'INSERT INTO screening_screenkey ("key", kind, statement_id) '
            "SELECT text_key, 2, statement_id FROM screening_screening WHERE distinctive"
        )
        for lo in range(0, n, 2 * chunk):
            hi = min(n, lo + 2 * chunk)
            cur.execute(
                'INSERT INTO screening_screenkey ("key", kind, statement_id) '
                f"SELECT {_key('i', 10)} + b * 7777, 3, i"
                f" FROM (SELECT i + {lo} AS i FROM {series(v, hi - lo)}) AS t,"
                f" (SELECT i - 1 AS b FROM {series(v, 16)}) AS bb"
                f" WHERE {distinctive} AND (NOT {named} OR b < {COMMON_BANDS})"
            )
        t = mark("screen keys", t)
        # window counts: per channel and bucket (the real channel keys), per template (most
        # unique, 20 common ones), per sketch (half the values unique, the other half among 8
        # common values per slot: frequent words); only for the last PRUNED_DAYS of the
        # history, as the screener's loop prunes older buckets (screening_prune_counts)
        recent = f"i > {n - int(PRUNED_DAYS * 86400 / step)}"
        cur.execute(
            'INSERT INTO screening_windowcount ("key", bucket, n) '
            f"SELECT k.ckey, {bucket}, COUNT(*) FROM (SELECT statement_id AS i, channel"
            " FROM screening_screening) AS s JOIN bench_channel_key k ON k.name = s.channel"
            f" WHERE {recent} GROUP BY k.ckey, {bucket}"
        )
        cur.execute(
            'INSERT INTO screening_windowcount ("key", bucket, n) '
            f"SELECT template, {bucket}, COUNT(*) FROM (SELECT statement_id AS i, template"
            f" FROM screening_screening) AS s WHERE {hot} AND {recent} GROUP BY template, {bucket}"
        )
        cur.execute(
            'INSERT INTO screening_windowcount ("key", bucket, n) '
            f"SELECT template, {bucket}, 1 FROM (SELECT statement_id AS i, template"
            f" FROM screening_screening) AS s WHERE NOT {hot} AND {recent}"
        )
        b1 = int((start + n * step) // 600) + 1
        b0 = b1 - PRUNED_DAYS * 144
        cur.execute(
            'INSERT INTO screening_windowcount ("key", bucket, n) '
            f"SELECT {_key('j', 60)}, {b0} + b, 3 + (b + j) % 5"
            f" FROM (SELECT i - 1 AS b FROM {series(v, b1 - b0 + 1)}) AS bb,"
            f" (SELECT i AS j FROM {series(v, SKETCHES * HOT_SKETCHES)}) AS jj"
        )
        lo = n - int(PRUNED_DAYS * 86400 / step)
        cur.execute(
            'INSERT INTO screening_windowcount ("key", bucket, n) '
            f"SELECT {_key('i', 30)} + slot * 7777, {bucket}, 1"
            f" FROM (SELECT i + {lo} AS i FROM {series(v, n - lo)}) AS t,"
            f" (SELECT i - 1 AS slot FROM {series(v, SKETCHES)}) AS ss"
            f" WHERE (i + slot) % 2 = 0"
        )
        t = mark("window counts", t)
        history = build_history(cur, v, n, scale)
        t = mark("history of the fresh batch's keys", t)
        for sql in restore:
            cur.execute(sql)
            print(f"  {sql[:100]}", file=sys.stderr, flush=True)
        t = mark("indexes and constraints", t)
        cur.execute(
            "INSERT INTO screening_indexmark (id, up_to) VALUES (1, %s)"
            + (" ON CONFLICT (id) DO UPDATE SET up_to = excluded.up_to"),
            [n],
        )
        if pg:  # the sequences, past the ids written by hand
            cur.execute("SELECT setval(pg_get_serial_sequence('statements_statement', 'id'),"
                        " (SELECT max(id) FROM statements_statement))")  # fmt: skip
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
        t = mark("vacuum, analyze", t)
        counts = {}
        for table in tables[2:]:
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
    print(json.dumps({"stored": n, "keys": counts["screening_screenkey"], **history,
                      "window_counts": counts["screening_windowcount"], "timings": timings,
                      "total": time.perf_counter() - t0}))  # fmt: skip


def _keys_made(after: int) -> int:
    """Screen keys the fresh statements have (person key, text key if distinctive, and 16 bands
    if distinctive and anonymous, the first COMMON_BANDS if named), stored or not."""
    from django.db import connection

    from santui.screening.actions import COMMON_BANDS

    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(person_key) + SUM(CASE WHEN distinctive AND text_key IS NOT NULL"
            " THEN 1 ELSE 0 END) + SUM(CASE WHEN NOT distinctive THEN 0 WHEN named THEN %s"
            " ELSE 16 END)"
            " FROM screening_screening WHERE statement_id > %s",
            [COMMON_BANDS, after],
        )
        return int(cur.fetchone()[0] or 0)


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend process (same machine), or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


_IO_TABLES = (
    "screening_screenkey",
    "screening_windowcount",
    "screening_screening",
    "statements_statement",
)


def _server_io() -> dict[str, int] | None:
    """PostgreSQL's counters of the screening tables (blocks read outside the shared buffers,
    updates and how many of them HOT) and of the whole cluster's WAL (bytes, full-page images)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    out: dict[str, int] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute(
            "SELECT t.relname, s.heap_blks_read, coalesce(s.idx_blks_read, 0), t.n_tup_upd,"
            " t.n_tup_hot_upd FROM pg_stat_user_tables t JOIN pg_statio_user_tables s"
            " USING (relid) WHERE t.relname = ANY(%s)",
            [list(_IO_TABLES)],
        )
        for name, heap, idx, upd, hot in cur.fetchall():
            out.update({f"{name} heap read": heap, f"{name} index read": idx,
                        f"{name} updates": upd, f"{name} HOT": hot})  # fmt: skip
        cur.execute("SELECT wal_bytes::bigint, wal_fpi FROM pg_stat_wal")
        out["WAL bytes"], out["WAL full-page images"] = cur.fetchone()
    return out


_PREWARMED = (
    "screening_screenkey",
    "screenkey_lookup",
    "screening_windowcount",
    "windowcount_cell",
    "screening_screening",
    "screening_screening_pkey",
    "statements_statement_pkey",
)


def _prewarm() -> None:
    """Load the tables and indexes a round touches into PostgreSQL's shared buffers (what a
    server that has been screening for a while holds; a copied database starts cold)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cur.execute(
            "SELECT sum(pg_prewarm(oid)) FROM pg_class WHERE relname = ANY(%s)", [list(_PREWARMED)]
        )


def _statement_times(reset: bool) -> list[tuple[Any, ...]]:
    """With pg_stat_statements preloaded (--pg-setting shared_preload_libraries=...): reset it,
    or the statements that took the server longest since."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('shared_preload_libraries')")
        if "pg_stat_statements" not in cur.fetchone()[0]:
            return []
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        if reset:
            cur.execute("SELECT pg_stat_statements_reset()")
            return []
        cur.execute(
            "SELECT round(total_exec_time::numeric / 1000, 2), calls, shared_blks_read,"
            " wal_fpi, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)"
            " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database"
            " WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 12"
        )
        return [tuple(float(v) if hasattr(v, "as_tuple") else v for v in row)
                for row in cur.fetchall()]  # fmt: skip


def measure_child(
    scale: float,
    profile: str | None,
    two_steps: bool,
    read_ahead: bool,
    batch: int,
    prewarm: bool,
) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # a kept build from before a new migration (--reuse)

    from santui.screening.actions import (
        screening_decide,
        screening_index,
        screening_index_and_decide,
        screening_index_decided,
    )
    from santui.screening.ahead import ReadAhead
    from santui.screening.run import settle_memory
    from santui.statements.bulk import StatementRow, statements_bulk_load
    from screen_scenario import generate

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), MAX(statement_id) FROM screening_screening")
        stored, last_stored = cur.fetchone()
    items = generate("dev", scale)
    rows = [
        StatementRow(
            external_id=i.eid, received_at=i.received_at, channel=i.channel, text=i.text,
            party="party" in i.organizations, league="league" in i.organizations,
            pioneers="pioneers" in i.organizations, headcount=i.headcount, name=i.name,
            name_kind=i.name_kind, region=i.region, sector="", current_party_member=None,
            publish=False, status="received",
        )
        for i in items
    ]  # fmt: skip
    t0 = time.perf_counter()
    for k in range(0, len(rows), 2000):
        statements_bulk_load(rows=rows[k : k + 2000], source="bench", via="bench")
    load_s = time.perf_counter() - t0
    # the rounds of screen_round (santui.screening.actions), each step timed; with --profile,
    # the rounds from the third on are profiled, added up
    index_s = history_s_run = decide_s = 0.0
    indexed = decided = scanned = 0
    rounds = 0
    if prewarm:
        _prewarm()
    _statement_times(reset=True)
    started = time.perf_counter()
    from django.db.models import Max

    from santui.screening.models import HotKey, ScreenKey

    keys0 = ScreenKey.objects.aggregate(m=Max("id"))["m"] or 0
    server0 = _backend_cpu()
    io0 = _server_io()
    cpu0 = time.process_time()
    # the reading thread's own CPU time (the rest of the process's is the round's)
    import santui.screening.ahead as ahead_module

    reader_cpu = [0.0]
    read_batch = ahead_module._read_batch

    def timed_read_batch(*a: Any) -> Any:
        t = time.thread_time()
        try:
            return read_batch(*a)
        finally:
            reader_cpu[0] += time.thread_time() - t

    ahead_module._read_batch = timed_read_batch
    # how long the round waited for the thread (its batch not read yet when the round began)
    waited = [0.0]
    take = ahead_module.ReadAhead.take

    def timed_take(self: Any) -> Any:
        t = time.perf_counter()
        try:
            return take(self)
        finally:
            waited[0] += time.perf_counter() - t

    ahead_module.ReadAhead.take = timed_take  # type: ignore[method-assign]
    # as santui screen does: the next batch read during this one's queries (PostgreSQL only)
    ahead = ReadAhead(batch) if read_ahead and not two_steps and ReadAhead.useful() else None

    profilers: dict[str, Any] = {}

    def step(fn, kind):
        if profile and rounds >= 2:  # every round from the third on, added up
            from pyinstrument import Profiler

            profiler = profilers.setdefault(kind, Profiler(interval=0.0005))
            profiler.start()
            out = fn()
            profiler.stop()
            return out
        return fn()

    while True:
        a = time.perf_counter()
        nh = screening_index_decided(batch=5000)
        b = time.perf_counter()
        if two_steps:
            ni = step(lambda: screening_index(batch=batch), "index")
            c = time.perf_counter()
            nd = len(step(lambda: screening_decide(batch=batch, delay=0), "decide"))
        else:
            ni, out = step(
                lambda: screening_index_and_decide(batch=batch, delay=0, ahead=ahead), "round"
            )
            nd = len(out)
            c = time.perf_counter()  # one pass: index and decide not timed apart
        d = time.perf_counter()
        history_s_run += b - a
        index_s += c - b
        decide_s += d - c
        settle_memory()  # as santui screen and the loop do after their first round
        indexed += ni
        scanned += nh
        decided += nd
        rounds += 1
        if not ni and not nh and not nd:
            break
    if ahead is not None:
        ahead.close()
    total = time.perf_counter() - started
    for kind, profiler in profilers.items():
        Path(f"{profile}.{kind}.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False)
        )
    cpu = time.process_time() - cpu0
    server = _backend_cpu() - server0 if server0 is not None else None
    io1 = _server_io()
    slowest = _statement_times(reset=False)
    io = {k: v - io0[k] for k, v in io1.items()} if io0 and io1 else None
    print(json.dumps({"fresh": len(items), "indexed": indexed, "decided": decided,
                      "index_s": index_s, "decide_s": decide_s, "total_s": total,
                      "history_index_s": history_s_run, "history_scanned": scanned,
                      "rounds": rounds, "read_ahead": ahead is not None,
                      "load_s": load_s,
                      "stored": stored, "process_cpu_s": cpu, "server_cpu_s": server,
                      "keys_added": (ScreenKey.objects.aggregate(m=Max("id"))["m"] or 0) - keys0,
                      "keys_made": _keys_made(last_stored or 0),
                      "hot_keys": HotKey.objects.count(), "server_io": io,
                      "slowest": slowest, "reader_cpu_s": reader_cpu[0],
                      "waited_for_reader_s": waited[0]}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stored", type=int, default=10_000_000)
    parser.add_argument("--fresh-scale", type=float, default=1.25, help="~20,000 statements")
    parser.add_argument("--keep", metavar="DIR", help="keep the built instance here")
    parser.add_argument("--reuse", metavar="DIR", help="measure on an instance built by --keep")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument profile of the rounds")
    parser.add_argument("--build-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure-child", type=float, help=argparse.SUPPRESS)
    parser.add_argument(
        "--two-steps", action="store_true", help="index, then decide, apart (as before)"
    )
    parser.add_argument(
        "--no-read-ahead",
        action="store_true",
        help="read each batch in the round (before: no thread reading the next one)",
    )
    parser.add_argument(
        "--batch", type=int, default=1000, help="statements per round (SANTUI_SCREEN_BATCH)"
    )
    parser.add_argument(
        "--private-server",
        action="store_true",
        help="PostgreSQL: a private cluster (initdb, fsync on) in the --keep/--reuse folder "
        "instead of the machine's server on 5432, started for the run with --pg-setting",
    )
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the private server for this run (repeat: shared_buffers=4GB ...)",
    )
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="PostgreSQL: load the screening tables and indexes into the shared buffers first "
        "(pg_prewarm; with a private server whose shared_buffers hold them)",
    )
    args = parser.parse_args()
    if args.build_child:
        build_child(args.build_child, args.fresh_scale)
        return
    if args.measure_child:
        measure_child(
            args.measure_child,
            args.profile,
            args.two_steps,
            not args.no_read_ahead,
            args.batch,
            args.prewarm,
        )
        return
    if args.private_server:
        if args.database != "postgres" or not (args.keep or args.reuse):
            parser.error("--private-server needs --database postgres and --keep or --reuse")
        with _private_server(Path(args.keep or args.reuse), args.pg_setting):
            measure(args)
        return
    measure(args)


@contextlib.contextmanager
def _private_server(folder: Path, settings: list[str]) -> Iterator[None]:
    """A private PostgreSQL cluster kept in ``folder/pg`` (made on first use), started with
    ``settings`` for this run and stopped after; the benchmark's databases are made in it."""
    from tests.ops.servers import PrivatePostgres

    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)  # noqa: S103  # the postgres user reaches its cluster inside
    (folder / "pg").mkdir(exist_ok=True)
    server = PrivatePostgres(
        folder / "pg", fsync=True, settings=dict(s.split("=", 1) for s in settings)
    )
    if not server.data.exists():
        server.init()
    server.start()
    os.environ["SANTUI_BENCH_PG_PORT"] = str(server.port)
    try:
        print(f"private PostgreSQL server in {folder / 'pg'} on port {server.port}: "
              + (", ".join(settings) or "default settings"))  # fmt: skip
        yield
    finally:
        server.stop()


def measure(args: argparse.Namespace) -> None:
    print(machine(args.database))
    print(load())
    pg = args.database == "postgres"
    if args.reuse:
        built = Path(args.reuse)
        env = json.loads((built / "env.json").read_text())
        if pg:  # the server's port of this run (a private server's changes)
            db = env["DATABASE_URL"].rsplit("/", 1)[1]
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{pg_port()}/{db}"
        info = json.loads((built / "build.json").read_text())
        build_wall = None
    else:
        built = Path(args.keep or tempfile.mkdtemp(prefix="santui-bench-speed-"))
        built.mkdir(parents=True, exist_ok=True)
        with instance(args.database, pg_db=f"{BUILT_DB}_{args.stored}", keep=True) as env:
            done = run([PYTHON, __file__, "--build-child", str(args.stored),
                        "--fresh-scale", str(args.fresh_scale)], env)  # fmt: skip
        info = json.loads(done.stdout.strip().splitlines()[-1])
        build_wall = done.wall
        home = Path(env["SANTUI_HOME"])
        (built / "env.json").write_text(json.dumps(env))
        (built / "build.json").write_text(json.dumps(info))
        phases = ", ".join(f"{k} {v:.0f} s" for k, v in info["timings"].items())
        print(
            f"\nbuilt {info['stored']:,} stored statements, {info['keys']:,} screen keys, "
            f"{info['window_counts']:,} window counts in {build_wall:.0f} s: {phases}"
        )
    # measure on a copy when the build is kept (so that it can be measured again), else on it
    env = dict(env)
    # the code measured is the caller's (a --reuse build may come from another export)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    home = Path(env["SANTUI_HOME"])
    copy = bool(args.reuse or args.keep)  # a kept build stays as built: measured on a copy
    run_home = home
    if pg and copy:
        t = time.perf_counter()
        psql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
        built_db = env["DATABASE_URL"].rsplit("/", 1)[1]
        psql(f"CREATE DATABASE {RUN_DB} TEMPLATE {built_db} STRATEGY FILE_COPY")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{pg_port()}/{RUN_DB}"
        print(f"copied the built database in {time.perf_counter() - t:.0f} s")
    elif copy:
        run_home = Path(tempfile.mkdtemp(prefix="santui-bench-speed-run-"))
        shutil.copytree(home / "keys", run_home / "keys")
        t = time.perf_counter()
        shutil.copyfile(home / "santui.sqlite3", run_home / "santui.sqlite3")
        env["SANTUI_HOME"] = str(run_home)
        env["SANTUI_KEY_FILE"] = str(run_home / "keys" / "santui-keys.json")
        print(f"copied the built database in {time.perf_counter() - t:.0f} s")
    cmd = [PYTHON, __file__, "--measure-child", str(args.fresh_scale)]
    if args.profile:
        cmd += ["--profile", args.profile]
    if args.two_steps:
        cmd += ["--two-steps"]
    if args.no_read_ahead:
        cmd += ["--no-read-ahead"]
    cmd += ["--batch", str(args.batch)]
    if args.prewarm:
        cmd += ["--prewarm"]
    try:
        done = run(cmd, env, cwd=str(run_home))
    except BaseException:
        if not copy:  # keep the build for a retry
            (built / "env.json").write_text(json.dumps(env))
            (built / "build.json").write_text(json.dumps(info))
            print(f"measurement failed; the build is kept: --reuse {built}")
        raise
    finally:
        if copy and pg:
            psql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
        elif copy:
            shutil.rmtree(run_home, ignore_errors=True)
        if not copy and not args.keep and sys.exc_info()[0] is None:
            if pg:
                psql(f"DROP DATABASE IF EXISTS {BUILT_DB}_{args.stored} WITH (FORCE)")
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(built, ignore_errors=True)
    m = json.loads(done.stdout.strip().splitlines()[-1])
    n = m["indexed"]
    server = ""
    if m.get("read_ahead"):
        server += (f"  ... of it the thread reading ahead {m['reader_cpu_s']:>4.1f} s"
                   "   (the round's:"
                   f" {m['process_cpu_s'] - m['reader_cpu_s']:.1f} s; the round waited for it"
                   f" {m.get('waited_for_reader_s', 0):.2f} s)\n")  # fmt: skip
    if m.get("server_cpu_s") is not None:
        both = m["process_cpu_s"] + m["server_cpu_s"]
        server += (f"  database backend CPU      {m['server_cpu_s']:>12.1f} s"
                  f"   (its process; with the screener's: {n / both:,.0f}/s)\n")  # fmt: skip
    if args.two_steps:
        steps = f"index {args.batch:,} and decide {args.batch:,} apart"
        split = (f"  index                     {m['index_s']:>12.1f} s"
                 f" {n / m['index_s']:>10,.0f}/s\n"
                 f"  decide                    {m['decide_s']:>12.1f} s"
                 f" {m['decided'] / m['decide_s']:>10,.0f}/s")  # fmt: skip
    else:
        steps = f"index and decide {args.batch:,} in one pass" + (
            ", the next batch read ahead" if m.get("read_ahead") else ""
        )
        split = (f"  index and decide          {m['index_s']:>12.1f} s"
                 f" {n / m['index_s']:>10,.0f}/s")  # fmt: skip
    print(f"""
stored (already screened)   {m['stored']:>12,} statements, {info['keys']:,} screen keys, {info.get('window_counts', 0):,} window counts
fresh batch                 {m['fresh']:>12,} statements (dev scenario, scale {args.fresh_scale})
  bulk load (untimed)       {m['load_s']:>12.1f} s
  history for its keys      {info['holders']:>12,} stored holders of its frequent keys (in the build)
  history window counts     {info['cells']:>12,} cells for its frequent templates and sketches (in the build)
screening ({m['rounds']} rounds: history 5,000, then {steps})
  history (index_decided)   {m['history_index_s']:>12.1f} s   ({m['history_scanned']:,} ids scanned past the mark)
{split}
  total                     {m['total_s']:>12.1f} s {n / m['total_s']:>10,.0f}/s   aim >= 2,000/s
  screener CPU time         {m['process_cpu_s']:>12.1f} s {n / m['process_cpu_s']:>10,.0f}/s of its own CPU (the database's not counted on PostgreSQL)
{server}  screen keys stored        {m['keys_added']:>12,} of {m['keys_made']:,} ({m['hot_keys']:,} keys found common: further holders not stored)
  peak RSS                  {done.maxrss_mb:>12.0f} MiB""")  # fmt: skip  # noqa: E501
    if args.profile:
        kinds = ["index", "decide"] if args.two_steps else ["round"]
        print(
            "profiles of the rounds from the third on:",
            ", ".join(f"{args.profile}.{k}.txt" for k in kinds),
        )
    if m.get("server_io"):
        print(
            "PostgreSQL during the rounds (blocks read from outside its shared buffers;"
            " WAL of the cluster):"
        )
        for k, v in m["server_io"].items():
            print(f"  {k:<40} {v:>14,}")
    if m.get("slowest"):
        print(
            "PostgreSQL's slowest statements of the rounds (pg_stat_statements): seconds, calls,"
            " blocks read, full-page images, query"
        )
        for seconds, calls, read, fpi, query in m["slowest"]:
            print(f"  {seconds:>7.2f} {calls:>6,} {read:>8,} {fpi:>7,}  {query}")
    print(load())


if __name__ == "__main__":
    if "--build-child" in sys.argv or "--measure-child" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
    main()
