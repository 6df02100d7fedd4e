"""Moderation workbench benchmark: the held queue's pages, a cluster decided at once, and a bulk
invalidation, at the sizes the issue names; large decisions run as background jobs.

    .venv/bin/python bench/bench_workbench.py [--database sqlite|postgres] [--held N]
        [--cluster N] [--invalidate N] [--chunk N] [--repeat K]

Everything runs in one child process in a fresh instance (a throwaway ``SANTUI_HOME`` after
`santui setup`; for PostgreSQL a throwaway database ``santui_bench_wb`` at 127.0.0.1:5432, user
postgres), through Django's test Client logged in as a moderator (the moderator role, so names
are shown unmasked), with the production settings. The job runner is the real one: `santui
office-jobs --loop --interval 0.5` in a process of its own, started by the child, as `santui
serve` runs it (with its default interval of 2 s a job waits up to 2 s more before it starts);
the child waits for its first round before it confirms anything.

1. **Held queue**: ``--held`` statements held (default 10,000): ``--held - --cluster`` bulk-loaded
   as received with 500 persons and no text (held as ``headcount_unsupported``) and a flood of
   ``--cluster`` (default 1,000) of one template with random names within minutes (held as
   ``flood_template``, one cluster), then ``screen_all(delay=0)``. Times ``/office/queue/``,
   ``/office/queue/reason/headcount_unsupported/`` (first page and page 100) and the cluster's
   page: the first request, then the median of ``--repeat`` more.
2. **Count all** of the cluster: the "Count all N held here" button (``do=accept:all`` with the
   page's ``upto``), one POST, which queues a job (above ``SANTUI_OFFICE_JOB_THRESHOLD``); the
   POST's own time, and the time from the POST to the job done (the child polls the job's row);
   the job's page is timed while it runs.
3. **Bulk invalidation**: ``--invalidate`` counted statements (default 100,000) bulk-loaded as
   accepted under their own import ``source`` and integrated (``tally_integrate``). The preview
   (GET ``/office/invalidate/?source=...``) is timed, then the confirm (POST with the previewed
   counts and digest, which freezes the statements into a job) and the time from it to the job
   done; then ``tally_integrate`` of the revokes.

``--chunk`` sets ``SANTUI_OFFICE_JOB_CHUNK`` (statements per transaction) for the runner.
Prints the figures (docs/benchmarks.md) and the load average before and after: the machine is
small and shared, so compare figures taken in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import statistics
import string
import subprocess
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

    from santui.backoffice.models import OfficeJob
    from santui.backoffice.roles import MODERATOR, ensure_roles
    from santui.screening.models import Screening
    from santui.screening.run import screen_all
    from santui.statements.actions import statement_receive
    from santui.statements.bulk import StatementRow, statements_bulk_load
    from santui.statements.models import Statement, Status
    from santui.tally.actions import tally_integrate
    from santui.tally.models import LoopState
    from santui.tally.verify import tally_verify

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

    # the job runner, as `santui serve` runs it, in a process of its own
    runner = subprocess.Popen(  # noqa: S603  # our own interpreter and command
        [PYTHON, "-m", "santui", "office-jobs", "--loop", "--interval", "0.5"],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=sys.stderr,
    )  # fmt: skip

    for _ in range(600):  # warmed up: it has recorded a round
        if LoopState.objects.filter(name="office-jobs", heartbeat_at__isnull=False).exists():
            break
        time.sleep(0.1)
    else:
        sys.exit("the job runner did not start")

    def declare() -> None:  # what the public form writes: a declarant's statement
        statement_receive(
            channel="web", organizations=["party"], name_kind="anonymous", text="",
            source="web", via="bench",
        )  # fmt: skip

    def job_done(response: Any, started: float) -> dict[str, Any]:
        """Follow the job a confirmation queued: its page's time while it runs, how long a
        declarant's statement waits to be written meanwhile, and the time from ``started``
        (before the POST) to the job done."""
        location = response["Location"]
        match = re.fullmatch(r"/office/jobs/(\d+)/", location)
        if match is None:
            sys.exit(f"no job: {response.status_code} {location}")
        job = int(match.group(1))
        pages: list[float] = []
        writes: list[float] = []
        while True:
            state = OfficeJob.objects.filter(pk=job).values_list("state", flat=True).get()
            if state not in ("queued", "running"):
                break
            if state == "running" and len(pages) < 50:
                pages.append(_timed(lambda: get(location))[0])
                writes.append(_timed(declare)[0])
            time.sleep(0.05)
        ended = time.perf_counter()
        found = OfficeJob.objects.get(pk=job)
        if found.state != "done":
            sys.exit(f"job {job}: {found.state} {found.error}")
        assert found.started_at is not None and found.finished_at is not None
        return {
            "job": job, "to_done": ended - started, "done": found.done,
            "persons": found.persons, "refused": found.refused_total,
            "run": (found.finished_at - found.started_at).total_seconds(),
            "wait": (found.started_at - found.created_at).total_seconds(),
            "job_page": statistics.median(pages) if pages else None,
            "write": (statistics.median(writes), max(writes)) if writes else None,
        }  # fmt: skip

    try:
        # 2. a cluster shown and counted at once: a background job ------------------------------
        if cluster:
            url = f"/office/queue/cluster/{cluster}/"
            figures["cluster_page"] = page_times(url)
            upto = _hidden(get(url))["upto"]
            started = time.perf_counter()
            seconds, response = _timed(
                lambda: client.post(url, {"do": "accept:all", "upto": upto}, follow=False)
            )
            if response.status_code != 302:
                sys.exit(f"count all: {response.status_code}\n{response.content.decode()[:2000]}")
            figures["count_all"] = {"confirm": seconds, **job_done(response, started)}
            figures["count_all_accepted"] = Statement.objects.filter(
                status=Status.ACCEPTED, screening__cluster=cluster
            ).count()

        # 3. bulk invalidation: a background job -------------------------------------------------
        start = now - dt.timedelta(days=200)
        counted = [
            row(10**7 + i, start + dt.timedelta(seconds=97 * i), text=INVALIDATE_TEXT,
                headcount=1 + i % 3, status="accepted")
            for i in range(args.invalidate)
        ]  # fmt: skip
        figures["counted_load"], _ = _timed(lambda: load_rows(counted, SOURCE_FULL))
        figures["integrate"], integrated = _timed(tally_integrate)
        figures["integrated"] = integrated.entries

        preview_url = f"/office/invalidate/?source={SOURCE_FULL}"
        preview, response = _timed(lambda: get(preview_url))
        initial = _hidden(response)
        data = {**initial, "public_reason": "other", "note": "bench", "confirm": "1"}
        started = time.perf_counter()
        confirm, response = _timed(lambda: client.post("/office/invalidate/", data))
        if response.status_code != 302:
            sys.exit(f"confirm: {response.status_code}\n{response.content.decode()[:2000]}")
        figures["invalidation"] = {
            "statements": int(initial["statements"]), "persons": int(initial["persons"]),
            "preview": preview, "confirm": confirm, **job_done(response, started),
            "revoked": Statement.objects.filter(
                source=SOURCE_FULL, status=Status.REJECTED
            ).count(),
        }  # fmt: skip
    finally:
        runner.terminate()
        runner.wait(timeout=30)
    figures["integrate_revokes"], integrated = _timed(tally_integrate)
    figures["integrated_revokes"] = integrated.entries
    figures["verify"], report = _timed(tally_verify)
    figures["verify_ok"] = report.ok
    print(json.dumps(figures))


# --- main ---------------------------------------------------------------------------------


def _page(label: str, t: dict[str, float]) -> str:
    return (
        f"  {label:<46} {t['first'] * 1000:>7.0f} ms {t['median'] * 1000:>7.0f} ms"
        f" {t['min'] * 1000:>7.0f} ms"
    )


def _line(label: str, seconds: float, n: int | None = None) -> str:
    return f"  {label:<46} {seconds:>8.2f} s" + (f" {rate(n, seconds)}" if n else "")


def _job(label: str, r: dict[str, Any], n: int) -> list[str]:
    lines = [
        _line(f"{label}: the confirm POST (queues the job)", r["confirm"]),
        _line(f"{label}: POST to job done ({r['done']:,} decided)", r["to_done"], r["done"]),
        _line("  of which the job's own run", r["run"], n),
        _line("  and its wait for the runner", r["wait"]),
    ]
    if r["job_page"] is not None:
        lines.append(f"  {'its page while it runs (median)':<46} {r['job_page'] * 1000:>7.0f} ms")
    if r["write"] is not None:
        median, worst = (t * 1000 for t in r["write"])
        label = "a public-form statement meanwhile (median, max)"
        lines.append(f"  {label:<46} {median:>7.0f} ms {worst:>7.0f} ms")
    if r["refused"]:
        lines.append(f"  refused: {r['refused']:,}")
    return lines


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
        print(f"count all of the cluster (do=accept:all, a job of {f['cluster_size']:,})")
        print("\n".join(_job("count all", f["count_all"], f["count_all"]["done"])))
        print(f"  {f['count_all_accepted']:,} counted")
    r = f["invalidation"]
    print(
        f"\nbulk invalidation of {args.invalidate:,} counted statements ({r['persons']:,} persons)"
    )
    print(_line(f"bulk load {args.invalidate:,} accepted", f["counted_load"], args.invalidate))
    print(_line(f"tally_integrate ({f['integrated']:,} entries)", f["integrate"]))
    print(_line("preview (GET)", r["preview"]))
    print("\n".join(_job("invalidation", r, r["statements"])))
    print(f"  {r['revoked']:,} revoked")
    print(_line(f"tally_integrate ({f['integrated_revokes']:,} revokes)", f["integrate_revokes"]))
    print(_line(f"tally_verify: {'ok' if f['verify_ok'] else 'PROBLEMS'}", f["verify"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--held", type=int, default=10_000)
    parser.add_argument("--cluster", type=int, default=1_000)
    parser.add_argument("--invalidate", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=None, help="SANTUI_OFFICE_JOB_CHUNK")
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
        "--invalidate", str(args.invalidate), "--repeat", str(args.repeat),
    ]  # fmt: skip
    with fresh_instance(args.database) as env:
        if args.chunk:
            env["SANTUI_OFFICE_JOB_CHUNK"] = str(args.chunk)
        done = run(argv, env, cwd=env["SANTUI_HOME"])
    report(args, json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"child: wall {done.wall:.0f} s, peak RSS {done.maxrss_mb:,.0f} MiB")
    print()
    print(load())


if __name__ == "__main__":
    main()
