"""Moderation workbench benchmark: the held queue's pages, a cluster decided at once, and a bulk
invalidation, at the sizes the issue names.

    .venv/bin/python bench/bench_workbench.py [--database sqlite|postgres] [--held N]
        [--cluster N] [--invalidate N] [--probe N] [--confirm-budget SECONDS] [--repeat K]

Everything runs in one child process in a fresh instance (a throwaway ``SANTUI_HOME`` after
`santui setup`; for PostgreSQL a throwaway database ``santui_bench_wb`` at 127.0.0.1:5432, user
postgres), through Django's test Client logged in as a moderator (the moderator role, so names
are shown unmasked), with the production settings:

1. **Held queue**: ``--held`` statements held (default 10,000): ``--held - --cluster`` bulk-loaded
   as received with 500 persons and no text (held as ``headcount_unsupported``) and a flood of
   ``--cluster`` (default 1,000) of one template with random names within minutes (held as
   ``flood_template``, one cluster), then ``screen_all(delay=0)``. Times ``/office/queue/``,
   ``/office/queue/reason/headcount_unsupported/`` (first page and page 100) and the cluster's
   page: the first request, then the median of ``--repeat`` more.
2. **Count all** of the cluster: the "Count all N held here" button (``do=accept:all`` with the
   page's ``upto``), one POST; its time and statements/s.
3. **Bulk invalidation**: ``--invalidate`` counted statements (default 100,000) bulk-loaded as
   accepted under their own import ``source`` and integrated (``tally_integrate``), plus a probe
   batch of ``--probe`` (default 10,000) under another source. The preview (GET
   ``/office/invalidate/?source=...``) is timed on both; the confirm (POST with the previewed
   counts and digest) first on the probe, and on the full batch only if the probe's rate says it
   would take less than ``--confirm-budget`` seconds (default 600); otherwise the full confirm is
   extrapolated from the probe, and the output says so.

Prints the figures (docs/benchmarks.md) and the load average before and after: the machine is
small and shared, so compare figures taken in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import re
import statistics
import string
import sys
import time
from collections.abc import Callable
from typing import Any

import benchlib
from benchlib import PYTHON, load, machine, rate, run

PG_DB = "santui_bench_wb"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
BATCH = 2000
FLOOD_TEMPLATE = "坚决退出中共邪党及其一切组织，天灭中共，三退保平安！声明人：{}"
INVALIDATE_TEXT = "我声明退出中共的党、团组织。"
SOURCE_FULL = "bench-invalidate"
SOURCE_PROBE = "bench-invalidate-probe"
REASON = "headcount_unsupported"


def fresh_instance(database: str) -> contextlib.AbstractContextManager[dict[str, str]]:
    """benchlib.fresh_instance, with this benchmark's own PostgreSQL database name."""
    return benchlib.fresh_instance(database, pg_db=PG_DB, prefix="santui-bench-wb-")


# --- the child: builds the data and times the requests ----------------------------------------


def _hidden(response: Any) -> dict[str, str]:
    """The hidden inputs of a page's forms (the test Client has no context outside pytest)."""
    html = response.content.decode()
    fields = {}
    for tag in re.findall(r"<input [^>]*>", html):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from santui.backoffice.roles import MODERATOR, ensure_roles
    from santui.screening.models import Screening
    from santui.screening.run import screen_all
    from santui.statements.bulk import StatementRow, statements_bulk_load
    from santui.statements.models import Statement, Status
    from santui.tally.actions import tally_integrate

    figures: dict[str, Any] = {}
    now = timezone.now()
    rng = random.Random(1)

    def load_rows(rows: list[StatementRow], source: str) -> None:
        for i in range(0, len(rows), BATCH):
            statements_bulk_load(rows=rows[i : i + BATCH], source=source, via="bench")

    def row(i: int, received_at: dt.datetime, **values: Any) -> StatementRow:
        base: dict[str, Any] = {
            "external_id": f"wb-{i}", "received_at": received_at, "channel": "web", "text": "",
            "party": True, "league": False, "pioneers": False, "headcount": 1, "name": "",
            "name_kind": "anonymous", "region": "", "sector": "", "current_party_member": None,
            "publish": False, "status": "received",
        }  # fmt: skip
        base.update(values)
        return StatementRow(**base)

    user = User.objects.create_user("moderator", password="x" * 16, is_staff=True)
    user.groups.set([ensure_roles()[MODERATOR]])
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="localhost")
    client.force_login(user)

    def get(url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"GET {url}: {response.status_code}")
        return response

    def page_times(url: str) -> dict[str, float]:
        first, _ = _timed(lambda: get(url))
        rest = [_timed(lambda: get(url))[0] for _ in range(args.repeat)]
        return {"first": first, "median": statistics.median(rest), "min": min(rest)}

    # 1. the held queue ------------------------------------------------------------------------
    plain = args.held - args.cluster
    start = now - dt.timedelta(days=20)
    rows = [
        row(i, start + dt.timedelta(seconds=60 * i), headcount=500, channel="phone")
        for i in range(plain)
    ]
    flood_start = now - dt.timedelta(minutes=30)
    for j in range(args.cluster):
        name = "".join(rng.choice(string.ascii_lowercase) for _ in range(8)) + str(j)
        rows.append(
            row(
                plain + j,
                flood_start + dt.timedelta(milliseconds=300 * j),
                text=FLOOD_TEMPLATE.format(name),
                name=name,
                name_kind="alias",
            )
        )
    figures["held_load"], _ = _timed(lambda: load_rows(rows, "bench-held"))
    figures["screen"], summary = _timed(lambda: screen_all(delay=0))
    figures["screened"] = {str(k): v for k, v in summary.decided.items()}
    figures["held"] = Statement.objects.filter(status=Status.HELD).count()
    clusters = (
        Screening.objects.filter(statement__status=Status.HELD)
        .exclude(cluster="")
        .values_list("cluster", flat=True)
    )
    sizes: dict[str, int] = {}
    for name in clusters:
        sizes[name] = sizes.get(name, 0) + 1
    cluster, cluster_size = max(sizes.items(), key=lambda kv: kv[1]) if sizes else ("", 0)
    figures["cluster_size"] = cluster_size
    figures["reason_held"] = Statement.objects.filter(
        status=Status.HELD, screening__reasons__icontains=f'"{REASON}"'
    ).count()

    figures["queue"] = page_times("/office/queue/")
    figures["reason_page"] = page_times(f"/office/queue/reason/{REASON}/")
    figures["reason_page_100"] = page_times(f"/office/queue/reason/{REASON}/?page=100")

    # 2. a cluster shown and counted at once ----------------------------------------------------
    if cluster:
        url = f"/office/queue/cluster/{cluster}/"
        figures["cluster_page"] = page_times(url)
        upto = _hidden(get(url))["upto"]
        seconds, response = _timed(
            lambda: client.post(url, {"do": "accept:all", "upto": upto}, follow=False)
        )
        if response.status_code != 302:
            sys.exit(f"count all: {response.status_code}\n{response.content.decode()[:2000]}")
        figures["count_all"] = seconds
        figures["count_all_accepted"] = Statement.objects.filter(
            status=Status.ACCEPTED, screening__cluster=cluster
        ).count()

    # 3. bulk invalidation ----------------------------------------------------------------------
    start = now - dt.timedelta(days=200)

    def counted(n: int, offset: int) -> list[StatementRow]:
        return [
            row(offset + i, start + dt.timedelta(seconds=97 * (offset + i)),
                text=INVALIDATE_TEXT, headcount=1 + i % 3, status="accepted")
            for i in range(n)
        ]  # fmt: skip

    figures["counted_load"], _ = _timed(
        lambda: (
            load_rows(counted(args.invalidate, 10**7), SOURCE_FULL),
            load_rows(counted(args.probe, 2 * 10**7), SOURCE_PROBE),
        )
    )
    figures["integrate"], integrated = _timed(tally_integrate)
    figures["integrated"] = integrated.entries

    def invalidate(source: str) -> dict[str, Any]:
        preview_url = f"/office/invalidate/?source={source}"
        preview, response = _timed(lambda: get(preview_url))
        initial = _hidden(response)
        data = {
            **initial,
            "public_reason": "other",
            "note": "bench",
            "confirm": "1",
        }
        confirm, response = _timed(lambda: client.post("/office/invalidate/", data))
        if response.status_code != 302:
            sys.exit(f"confirm: {response.status_code}\n{response.content.decode()[:2000]}")
        revoked = Statement.objects.filter(source=source, status=Status.REJECTED).count()
        return {"statements": int(initial["statements"]), "persons": int(initial["persons"]),
                "preview": preview, "confirm": confirm, "revoked": revoked}  # fmt: skip

    def preview_only(source: str) -> float:
        return _timed(lambda: get(f"/office/invalidate/?source={source}"))[0]

    figures["probe"] = invalidate(SOURCE_PROBE)
    per_second = figures["probe"]["revoked"] / figures["probe"]["confirm"]
    estimate = args.invalidate / per_second
    figures["full_estimate"] = estimate
    if estimate <= args.confirm_budget:
        figures["full"] = invalidate(SOURCE_FULL)
    else:
        figures["full_preview"] = preview_only(SOURCE_FULL)
    figures["integrate_revokes"], integrated = _timed(tally_integrate)
    figures["integrated_revokes"] = integrated.entries
    print(json.dumps(figures))


# --- main ---------------------------------------------------------------------------------


def _page(label: str, t: dict[str, float]) -> str:
    return (
        f"  {label:<46} {t['first'] * 1000:>7.0f} ms {t['median'] * 1000:>7.0f} ms"
        f" {t['min'] * 1000:>7.0f} ms"
    )


def _line(label: str, seconds: float, n: int | None = None) -> str:
    return f"  {label:<46} {seconds:>8.2f} s" + (f" {rate(n, seconds)}" if n else "")


def report(args: argparse.Namespace, f: dict[str, Any]) -> None:
    print(f"\nheld queue: {f['held']:,} held ({f['reason_held']:,} {REASON})")
    print(f"  largest cluster {f['cluster_size']:,}; screening decided {f['screened']}")
    print(_line(f"bulk load {args.held:,} received", f["held_load"], args.held))
    print(_line("screen_all(delay=0)", f["screen"], args.held))
    print(f"pages: first request, median and min of {args.repeat} more")
    print(_page("/office/queue/", f["queue"]))
    print(_page(f"/office/queue/reason/{REASON}/", f["reason_page"]))
    print(_page("  the same, ?page=100", f["reason_page_100"]))
    if "cluster_page" in f:
        print(_page(f"/office/queue/cluster/<{f['cluster_size']:,} held>/", f["cluster_page"]))
        print("count all of the cluster (one POST, do=accept:all)")
        print(
            _line(f"{f['count_all_accepted']:,} counted", f["count_all"], f["count_all_accepted"])
        )
    total = args.invalidate + args.probe
    print(f"\nbulk invalidation ({args.invalidate:,} + {args.probe:,} counted statements stored)")
    print(_line(f"bulk load {total:,} accepted", f["counted_load"], total))
    print(_line(f"tally_integrate ({f['integrated']:,} entries)", f["integrate"]))
    batches = [("probe", f["probe"])] + ([("full", f["full"])] if "full" in f else [])
    for label, r in batches:
        print(f"  {label}: {r['statements']:,} statements ({r['persons']:,} persons)")
        print(_line("  preview (GET)", r["preview"]))
        print(_line(f"  confirm (POST), {r['revoked']:,} revoked", r["confirm"], r["revoked"]))
    if "full" not in f:
        print(f"  full: {args.invalidate:,} statements")
        print(_line("  preview (GET)", f["full_preview"]))
        print(
            f"    confirm (POST) NOT RUN: the probe's rate gives {f['full_estimate']:,.0f} s"
            f" (over --confirm-budget {args.confirm_budget:,.0f} s): extrapolated"
        )
    print(_line(f"tally_integrate ({f['integrated_revokes']:,} revokes)", f["integrate_revokes"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--held", type=int, default=10_000)
    parser.add_argument("--cluster", type=int, default=1_000)
    parser.add_argument("--invalidate", type=int, default=100_000)
    parser.add_argument("--probe", type=int, default=10_000)
    parser.add_argument("--confirm-budget", type=float, default=600.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    print(machine(args.database))
    print(load())
    argv = [
        PYTHON, __file__, "--child", "--held", str(args.held), "--cluster", str(args.cluster),
        "--invalidate", str(args.invalidate), "--probe", str(args.probe),
        "--confirm-budget", str(args.confirm_budget), "--repeat", str(args.repeat),
    ]  # fmt: skip
    with fresh_instance(args.database) as env:
        done = run(argv, env, cwd=env["SANTUI_HOME"])
    report(args, json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"child: wall {done.wall:.0f} s, peak RSS {done.maxrss_mb:,.0f} MiB")
    print()
    print(load())


if __name__ == "__main__":
    main()
