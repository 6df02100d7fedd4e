"""Public pages under load: `santui serve` (gunicorn) measured with wrk from a second process.

    .venv/bin/python bench/bench_http.py                          # SQLite, local-memory cache
    .venv/bin/python bench/bench_http.py --database postgres      # PostgreSQL + Redis
    .venv/bin/python bench/bench_http.py --reuse                  # keep the instance's data

1. An instance under ``--home`` (default /tmp/santui-bench-http-<database>): `santui setup`
   and `santui demo --scale S --until U` (fixed day: the same rows every run), unless
   ``--reuse`` finds its data already there. On PostgreSQL the database is dropped and made
   afresh; the cache is Redis (``--redis``), flushed before the server starts.
2. `santui serve` in a subprocess of its own (gunicorn with the options `santui serve` uses,
   plus the integrator loop), started with ``--workers``/``--threads`` as given.
3. For each URL (``/api/v1/stats`` and ``/`` by default), three requests: plain (no
   ``Accept-Encoding``: wrk's default, the largest response), ``gzip`` (``Accept-Encoding:
   gzip``, as browsers send) and ``If-None-Match`` (gzip and the ETag of the first response: a
   browser revalidating, answered 304): ``wrk -t T -c C -d D --latency`` with
   ``Accept-Language: zh-Hans``, after a short warm-up run; ``--repeat``
   rounds (default 3), interleaved. For each it prints the median run's requests/s (and the
   range over the rounds), latency p50/p99, transfer, any non-2xx/3xx or socket errors, and
   the CPU time per request of the server's processes and of wrk (from /proc and getrusage).
4. The server is stopped (SIGTERM to its process group) and waited for.

wrk runs on the same 2 cores as the server, as the issue asks ("from a second process"): the
figures include its own cost. The CPU time per request moves much less with other people's
load on a shared machine than requests/s do; "capacity" is what it implies for the machine's
cores alone. Figures are printed, never asserted; compare figures from the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.utils.datastructures import CaseInsensitiveMapping

from benchlib import SANTUI, UNTIL, load, psql_admin, serving

PG_URL = "postgres://postgres@127.0.0.1:5432/santui_helpere"
REDIS_URL = "redis://127.0.0.1:6379/3"
URLS = ("/api/v1/stats", "/")


@dataclass(frozen=True)
class Result:
    url: str
    mode: str
    rps: float
    p50: str
    p99: str
    transfer: str
    errors: str
    server_us: float  # CPU time of the web server's processes per request (µs)
    wrk_us: float  # CPU time of wrk per request (µs)

    @property
    def capacity(self) -> float:
        """Requests/s the machine's cores could serve if they did nothing but this: an
        estimate that other people's load on the shared machine does not move much."""
        return (os.cpu_count() or 1) * 1e6 / (self.server_us + self.wrk_us)


_TICK = os.sysconf("SC_CLK_TCK")


def processes() -> Iterator[tuple[int, bytes, float]]:
    """Each process of the machine: its process group, its command line (NUL-separated) and the
    CPU seconds it has used so far."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[2]: pgid; fields[11], fields[12]: utime, stime
        yield int(fields[2]), cmdline, (int(fields[11]) + int(fields[12])) / _TICK


def server_cpu(group: int) -> float:
    """CPU seconds used so far by the server's processes (gunicorn's arbiter and workers; not
    the integrator loop, which `santui serve` also starts)."""
    return sum(
        used for pgid, cmdline, used in processes() if pgid == group and b"integrate" not in cmdline
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["SANTUI_HOME"] = str(args.home)
    env["DJANGO_SETTINGS_MODULE"] = "santui.config.settings.prod"
    env["SANTUI_MILESTONE_STEP"] = str(round(1_000_000 * args.scale))  # as scripts/run does
    if args.database == "postgres":
        env["DATABASE_URL"] = args.pg
        env["REDIS_URL"] = args.redis
    return env


def _has_data(args: argparse.Namespace, env: dict[str, str]) -> bool:
    command = [SANTUI, "stats", "--json"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    return out.returncode == 0 and '"persons": 0,' not in out.stdout


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    if args.reuse and args.home.exists() and _has_data(args, env):
        print(f"reusing the instance in {args.home}")
        return
    shutil.rmtree(args.home, ignore_errors=True)
    args.home.mkdir(parents=True)
    if args.database == "postgres":
        name = args.pg.rsplit("/", 1)[1]
        psql_admin(args.pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql_admin(args.pg, f"CREATE DATABASE {name}")
    subprocess.run([SANTUI, "setup"], env=env, check=True, capture_output=True)  # noqa: S603
    started = time.perf_counter()
    demo = subprocess.run(  # noqa: S603
        [SANTUI, "demo", "--scale", str(args.scale), "--until", UNTIL.isoformat(), "--no-progress"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    print(demo.stdout.strip().splitlines()[0], f"({time.perf_counter() - started:.0f} s)")


def _get(
    url: str, headers: dict[str, str] | None = None
) -> tuple[int, Mapping[str, str], bytes]:
    """Status, headers (names in any case: uvicorn sends them in lower case) and body."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  # our own server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            headers = CaseInsensitiveMapping(dict(response.headers.items()))
            return response.status, headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, CaseInsensitiveMapping(dict(exc.headers.items())), b""


@contextlib.contextmanager
def server(args: argparse.Namespace, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    base = f"http://127.0.0.1:{args.port}"
    command = [SANTUI, "serve", "--port", str(args.port),
               "--workers", str(args.workers), "--threads", str(args.threads)]  # fmt: skip
    if args.redis and args.database == "postgres":
        flush = ["redis-cli", "-u", args.redis, "FLUSHDB"]
        subprocess.run(flush, check=True, capture_output=True)  # noqa: S603
    ready = lambda: _get(base + "/api/v1/openapi.json")[0] == 200  # noqa: E731
    with serving(command, env, args.home / "serve.log", ready) as group:
        yield base, group  # the process group's id


_LATENCY = re.compile(r"^\s+(50|99)%\s+(\S+)", re.M)


def wrk(
    args: argparse.Namespace, url: str, headers: dict[str, str], seconds: float, group: int
) -> Result:
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s",
               "--latency"]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    server_before, wrk_before = server_cpu(group), children_cpu()
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    server_used, wrk_used = server_cpu(group) - server_before, children_cpu() - wrk_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = dict(_LATENCY.findall(out))
    transfer = re.search(r"Transfer/sec:\s+(\S+)", out)
    errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket" in line]
    return Result(
        url=url[url.index("/", len("http://")) :],
        mode=(
            "If-None-Match"
            if "If-None-Match" in headers
            else ("gzip" if "Accept-Encoding" in headers else "plain")
        ),
        rps=rps,
        p50=latency.get("50", "?"),
        p99=latency.get("99", "?"),
        transfer=transfer.group(1) if transfer else "?",
        errors="; ".join(errors) or "none",
        server_us=server_used / max(requests, 1) * 1e6,
        wrk_us=wrk_used / max(requests, 1) * 1e6,
    )


def measure(args: argparse.Namespace, base: str, group: int) -> list[list[Result]]:
    """Every (URL, request) ``--repeat`` times, rounds interleaved so that the machine's other
    load falls on all of them alike."""
    language = {"Accept-Language": "zh-Hans"}
    cases = []
    for path in args.urls:
        status, headers, body = _get(base + path, language)
        if status != 200:
            sys.exit(f"{path}: {status}")
        etag = headers.get("ETag", "")
        print(f"{path}: {len(body):,} bytes, ETag {etag}, Last-Modified "
              f"{headers.get('Last-Modified', '-')}")  # fmt: skip
        if _get(base + path, {**language, "If-None-Match": etag})[0] != 304:
            sys.exit(f"{path}: no 304 for its own ETag")
        gzip = {**language, "Accept-Encoding": "gzip"}  # as browsers send
        cases += [(path, language), (path, gzip), (path, {**gzip, "If-None-Match": etag})]
    runs: list[list[Result]] = [[] for _ in cases]
    for round_ in range(args.repeat):
        for (path, headers), done in zip(cases, runs, strict=True):
            if round_ == 0:
                wrk(args, base + path, headers, args.warmup, group)
            done.append(wrk(args, base + path, headers, args.duration, group))
        print(f"round {round_ + 1} of {args.repeat} done; {load()}")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL (dropped and recreated)")
    parser.add_argument("--redis", default=REDIS_URL, help="Redis URL (with postgres)")
    parser.add_argument("--home", type=Path, help="SANTUI_HOME (default under /tmp)")
    parser.add_argument("--scale", type=float, default=0.0005)
    parser.add_argument("--reuse", action="store_true", help="keep the instance if it has data")
    parser.add_argument("--port", type=int, default=8477)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--urls", nargs="+", default=list(URLS))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median shown")
    args = parser.parse_args()
    args.home = args.home or Path(f"/tmp/santui-bench-http-{args.database}")  # noqa: S108
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed")

    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}")
    print(f"cpus       {os.cpu_count()} ({platform.machine()}), {platform.platform()}")
    print(f"python     {platform.python_version()}, sqlite {sqlite3.sqlite_version}")
    print(
        f"database   {args.database}"
        + (f" + redis ({args.redis})" if args.database == "postgres" else "")
    )
    env = _environment(args)
    prepare(args, env)
    with server(args, env) as (base, group):
        print(load())
        results = measure(args, base, group)
        print(load())
    print(f"\nmedian of {args.repeat} runs of: wrk -t{args.wrk_threads} -c{args.connections} "
          f"-d{args.duration:g}s --latency -H 'Accept-Language: zh-Hans' "
          "[-H 'Accept-Encoding: gzip' [-H 'If-None-Match: ETAG']] URL")  # fmt: skip
    print(f"{'URL':<15} {'request':<14} {'req/s':>7} {'(min-max)':>13} {'p50':>8} {'p99':>9} "
          f"{'transfer/s':>10} {'server µs':>9} {'wrk µs':>6} {'capacity':>8}  errors")  # fmt: skip
    for runs in results:
        ordered = sorted(runs, key=lambda r: r.rps)
        r = ordered[len(ordered) // 2]  # the median run
        spread = f"({ordered[0].rps:,.0f}-{ordered[-1].rps:,.0f})"
        print(
            f"{r.url:<15} {r.mode:<14} {r.rps:>7,.0f} {spread:>13} {r.p50:>8} {r.p99:>9} "
            f"{r.transfer:>10} {r.server_us:>9,.0f} {r.wrk_us:>6,.0f} {r.capacity:>8,.0f}  "
            f"{'; '.join(sorted({x.errors for x in runs}))}"
        )
    print(
        "server µs, wrk µs: CPU time per request of gunicorn's processes and of wrk.\n"
        "capacity: cores × 10⁶ / (server µs + wrk µs), what the cores allow without other load."
    )


if __name__ == "__main__":
    main()
