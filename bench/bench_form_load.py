"""The public form under load (issue 15): `santui serve` on PostgreSQL + Redis, loaded with wrk
from a second process, posting statements through the form as browsers do; zero loss checked.

    .venv/bin/python bench/bench_form_load.py                      # 30 s at full speed
    .venv/bin/python bench/bench_form_load.py --connections 32     # more at once
    .venv/bin/python bench/bench_form_load.py --soak 600           # 10-minute soak

1. A fresh instance: SANTUI_HOME under /tmp, the PostgreSQL database ``--pg`` dropped and made
   again, the Redis database ``--redis`` flushed, `santui setup`. The door's rate
   (SANTUI_DECLARE_RATE) is raised for the run: every wrk connection comes from one address,
   which the door would otherwise ask for a sum after 20 statements (docs/screening.md).
2. `santui serve --workers W` in a process group of its own (uvicorn workers, the background
   loops as in production).
3. wrk (``-t T -c C -d D --latency``) with a Lua script: each wrk thread first GETs /declare/
   for a CSRF cookie and token, then POSTs the form (a different text each time) with them;
   with ``--visitor``, a GET of the form before every POST, as a visitor's browser does (the
   latencies are then those of both kinds of request).
   Every receipt code answered is written by the script to a file, one per wrk thread.
4. Zero loss: every receipt code answered must be a stored statement (looked up by its keyed
   hash in the database, as /receipt/ does); statements stored during the run but never
   answered (a connection wrk closed before the answer came) are counted and reported.
5. Printed: receipts/s, latency p50/p99 (wrk's, over all requests of the run), non-2xx
   answers, socket errors, the CPU time per receipt of the server's processes, of PostgreSQL's
   and Redis's (all of the machine's, so other work on it counts too) and of wrk, and the load
   average before and after (the machine is shared).

Figures are printed, never asserted. ``--soak SECONDS`` runs one long run (no warm-up repeat)
and prints the same report; use it for the 10-minute soak of the issue.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench_http import children_cpu, processes, server_cpu
from benchlib import SANTUI, load, psql_admin, serving

PG_URL = "postgres://postgres@127.0.0.1:5432/santui_hc"
REDIS_URL = "redis://127.0.0.1:6379/5"

TEXT = "我声明退出中共的党、团、队组织。"

# The requests of the form, as a browser sends them (shared with bench_form_soak.py): a CSRF
# cookie and token from GET /declare/ (each connection's first request, while no token is
# known), then POSTs, a different text each time. Each wrk thread writes OUT_DIR/OUT_NAME-N.txt.
LUA_REQUEST = r"""
local token, cookie = nil, nil
local counter = 0
local out = nil
local thread_id = 0
local id_counter = 0
local gets = 0
local turn = 0

function setup(thread)
  id_counter = id_counter + 1
  thread:set("thread_id", id_counter)
end

function init(args)
  out = io.open(OUT_DIR .. "/" .. OUT_NAME .. "-" .. thread_id .. ".txt", "w")
end

function request()
  turn = turn + 1
  -- VISIT (bench_form_load.py --visitor): every other request of the thread is a GET of the
  -- form. The thread's connections share one Lua state, so the turns are the thread's.
  if token == nil or (VISIT and turn % 2 == 1) then
    gets = gets + 1
    return wrk.format("GET", "/declare/", {["Accept-Language"] = "zh-Hans"})
  end
  counter = counter + 1
  local body = "csrfmiddlewaretoken=" .. token .. "&text=" .. TEXT .. "%20" .. thread_id .. "-"
    .. counter .. "&organizations=party&declarant=self&name=&name_kind=anonymous"
    .. "&current_party_member=unknown&headcount=1"
  return wrk.format("POST", "/declare/", {
    ["Accept-Language"] = "zh-Hans",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

function take_token(headers, body)
  local t = string.match(body, 'name="csrfmiddlewaretoken" value="([^"]+)"')
  local set = headers["set-cookie"] or headers["Set-Cookie"]
  if t and set then
    token = t
    cookie = string.match(set, "(csrftoken=[^;]+)")
  end
end
"""

LUA = (
    LUA_REQUEST
    + r"""
function response(status, headers, body)
  local code = string.match(body, 'id="receipt%-code">([^<]+)<')
  if code then
    out:write(code, "\n")
    out:flush()
  elseif status == 200 and (token == nil or VISIT) then
    take_token(headers, body)  -- the form's page: its token and cookie (any pair is good)
  end
end
"""
)


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "SANTUI_HOME": str(args.home),
        "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod",
        "DATABASE_URL": args.pg,
        "REDIS_URL": args.redis,
        # One address for every wrk connection: without this the door asks for a sum after 20.
        "SANTUI_DECLARE_RATE": "100000000/h",
    }
    return env


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    shutil.rmtree(args.home, ignore_errors=True)
    args.home.mkdir(parents=True)
    name = args.pg.rsplit("/", 1)[1]
    psql_admin(args.pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql_admin(args.pg, f"CREATE DATABASE {name}")
    subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], check=True, capture_output=True)  # noqa: S603, S607
    subprocess.run([SANTUI, "setup"], env=env, check=True, capture_output=True)  # noqa: S603


@contextlib.contextmanager
def server(args: argparse.Namespace, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    base = f"http://127.0.0.1:{args.port}"
    command = [SANTUI, "serve", "--port", str(args.port), "--workers", str(args.workers),
               "--no-setup"]  # fmt: skip

    def ready() -> bool:
        with urllib.request.urlopen(base + "/declare/", timeout=30) as response:  # noqa: S310
            return bool(response.status == 200)

    with serving(command, env, args.home / "serve.log", ready) as group:
        yield base, group


def services_cpu() -> dict[str, float]:
    """CPU seconds used so far by PostgreSQL's processes and by redis-server (the machine's
    own servers: their cost per statement is part of what the cores must carry)."""
    totals = {"postgres": 0.0, "redis": 0.0}
    for _, command, used in processes():
        if command.startswith(b"postgres") or b"/postgres" in command.split(b"\0", 1)[0]:
            totals["postgres"] += used
        elif command.startswith(b"redis-server"):
            totals["redis"] += used
    return totals


_LATENCY = re.compile(r"^\s+(50|90|99)%\s+(\S+)", re.M)


def run_wrk(args: argparse.Namespace, base: str, group: int, seconds: float, codes: Path) -> dict:
    codes.mkdir(parents=True, exist_ok=True)
    for old in codes.glob("codes-*.txt"):
        old.unlink()
    script = codes / "form.lua"
    text = urllib.parse.quote(TEXT)
    visit = "true" if args.visitor else "false"
    script.write_text(
        f'OUT_DIR = "{codes}"\nOUT_NAME = "codes"\nTEXT = "{text}"\nVISIT = {visit}\n' + LUA
    )
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s",
               f"--timeout={args.timeout:g}s", "--latency", "-s", str(script),
               base + "/"]  # fmt: skip
    server_before, wrk_before, services_before = server_cpu(group), children_cpu(), services_cpu()
    before = load()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    server_used, wrk_used = server_cpu(group) - server_before, children_cpu() - wrk_before
    services = {k: v - services_before[k] for k, v in services_cpu().items()}
    answered = [
        line.strip() for f in sorted(codes.glob("codes-*.txt")) for line in f.read_text().split()
    ]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    latency = dict(_LATENCY.findall(out))
    errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket" in line]
    return {
        "seconds": seconds, "requests": requests, "receipts": len(answered),
        "codes": answered, "p50": latency.get("50", "?"), "p90": latency.get("90", "?"),
        "p99": latency.get("99", "?"), "errors": "; ".join(errors) or "none",
        "server_us": server_used / max(len(answered), 1) * 1e6,
        "wrk_us": wrk_used / max(len(answered), 1) * 1e6,
        "pg_us": services["postgres"] / max(len(answered), 1) * 1e6,
        "redis_us": services["redis"] / max(len(answered), 1) * 1e6,
        "load_before": before, "load_after": load(), "raw": out,
    }  # fmt: skip


CHECK = """
import sys
import django
django.setup()
from santui.statements.models import Statement
from santui.statements.receipts import receipt_hash
codes = [line.strip() for line in open(sys.argv[1]) if line.strip()]
hashes = {receipt_hash(c) for c in codes}
found = set()
chunk = sorted(hashes)
for i in range(0, len(chunk), 5000):
    found |= set(Statement.objects.filter(receipt_hash__in=chunk[i:i + 5000])
                 .values_list("receipt_hash", flat=True))
web = Statement.objects.filter(channel="web").count()
print(len(codes), len(hashes), len(found), web)
"""


def check_loss(args: argparse.Namespace, env: dict[str, str], codes: list[str]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(codes))
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHECK, f.name], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    os.unlink(f.name)
    answered, distinct, found, stored = map(int, out)
    lost = distinct - found
    unanswered = stored - found
    verdict = "ZERO LOSS" if lost == 0 and distinct == answered else "LOSS"
    return (
        f"{verdict}: {answered:,} receipts answered ({distinct:,} distinct), {found:,} of them "
        f"stored statements, {lost:,} missing; {stored:,} web statements stored in all, "
        f"{unanswered:,} stored but never answered (the client gave up first)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL (dropped and recreated)")
    parser.add_argument("--redis", default=REDIS_URL, help="Redis URL (flushed)")
    parser.add_argument("--home", type=Path, default=Path("/tmp/santui-bench-form"))  # noqa: S108
    parser.add_argument("--port", type=int, default=8479)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--timeout", type=float, default=10, help="wrk's request timeout")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--visitor",
        action="store_true",
        help="GET the form before each statement, as a visitor does (default: once a connection)",
    )
    parser.add_argument(
        "--soak",
        type=float,
        default=None,
        metavar="SECONDS",
        help="one long run of this many seconds (600: the issue's soak)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}, cpus {os.cpu_count()}")
    env = _environment(args)
    prepare(args, env)
    with server(args, env) as (base, group):
        codes_dir = args.home / "wrk"
        if args.warmup and args.soak is None:
            run_wrk(args, base, group, args.warmup, codes_dir / "warmup")
        runs = []
        durations = [args.soak] if args.soak else [args.duration] * args.repeat
        all_codes: list[str] = []
        for i, seconds in enumerate(durations):
            result = run_wrk(args, base, group, seconds, codes_dir / f"run{i}")
            all_codes += result["codes"]
            runs.append(result)
            print(
                f"run {i + 1}: {result['receipts'] / seconds:,.0f} receipts/s "
                f"({result['receipts']:,} in {seconds:g} s; {result['requests']:,} requests), "
                f"p50 {result['p50']}, p90 {result['p90']}, p99 {result['p99']}, "
                f"errors: {result['errors']}; CPU per receipt: server {result['server_us']:,.0f} "
                f"µs, PostgreSQL {result['pg_us']:,.0f} µs, Redis {result['redis_us']:,.0f} µs, "
                f"wrk {result['wrk_us']:,.0f} µs; {result['load_before']} before, "
                f"{result['load_after']} after"
            )
        time.sleep(1)
    # the warm-up's receipts count too: every answered code must be stored
    warm = [
        line.strip()
        for f in sorted((codes_dir / "warmup").glob("codes-*.txt"))
        for line in f.read_text().split()
    ]
    print(check_loss(args, env, warm + all_codes))
    print(
        f"wrk -t{args.wrk_threads} -c{args.connections} -d{durations[0]:g}s "
        f"--timeout={args.timeout:g}s --latency -s form.lua (bench/bench_form_load.py"
        f"{' --visitor' if args.visitor else ''})"
    )


if __name__ == "__main__":
    main()
