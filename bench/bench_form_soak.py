"""The form's soak with faults (issue 15): `santui serve` on a PostgreSQL cluster and a Redis
server of its own, loaded with wrk for ``--duration`` seconds (600: the issue's 10 minutes),
PostgreSQL stopped at a third of the run and Redis at two thirds, each for ``--down`` seconds.

    .venv/bin/python bench/bench_form_soak.py                    # 10 minutes, both restarts
    .venv/bin/python bench/bench_form_soak.py --duration 120     # a short one

Every answer is logged by wrk's script (second, status, what the page was: a receipt, the form
asking for its sum, the 503 page, something else) and classified afterwards:
- **errors**: a status other than 200, 400 (the form again, with its errors or its sum) and 503;
  a 503 outside a server's absence (from its stop to its start plus the recovery allowance);
  a 503 without ``Retry-After`` or without the page in the visitor's language; socket errors
  other than the connections wrk closes at the end;
- **recovery**: seconds from each server's start to the first receipt after it;
- **loss**: every receipt code answered must be a stored statement (looked up by its keyed
  hash, as /receipt/ does); statements stored but never answered are reported.

The servers are the private ones of tests/ops/servers.py (initdb on a free port, fsync on;
redis-server on another), never the machine's shared servers. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_form_load import LUA_REQUEST, check_loss
from benchlib import ROOT, SANTUI, load, serving

sys.path.insert(0, str(ROOT))
from tests.ops.servers import PrivatePostgres, PrivateRedis, free_port, private_servers

TEXT = "我声明退出中共的党、团、队组织。"
RECOVER_WITHIN = 20.0  # seconds after a server is back: its 503s until then are not errors

LUA = (
    LUA_REQUEST
    + r"""
function response(status, headers, body)
  if gets > 0 and status == 200 and not string.find(body, 'id="receipt-code"', 1, true) then
    -- the answer to a GET of the form: the connections' first requests, made at the start
    gets = gets - 1
    if token == nil then
      take_token(headers, body)
    end
    return
  end
  local kind, code = "other", "-"
  local found = string.match(body, 'id="receipt%-code">([^<]+)<')
  if found then
    kind, code = "receipt", found
  elseif status == 503 then
    local retry = headers["retry-after"] or headers["Retry-After"]
    if retry and string.find(body, 'lang="zh-Hans"', 1, true) then
      kind = "unavailable"
    else
      kind = "unavailable-bare"
    end
  elseif string.find(body, 'name="challenge_0"', 1, true) then
    kind = "sum"
  end
  out:write(os.time(), " ", status, " ", kind, " ", code, "\n")
  out:flush()
end
"""
)


class Faults(threading.Thread):
    """Stops PostgreSQL at a third of the run and Redis at two thirds, each for ``down`` s."""

    def __init__(self, pg: PrivatePostgres, cache: PrivateRedis, duration: float, down: float):
        super().__init__(daemon=True)
        self.pg, self.cache, self.duration, self.down = pg, cache, duration, down
        self.windows: dict[str, tuple[float, float]] = {}

    def run(self) -> None:
        started = time.time()
        for name, at, stop, start in (
            ("PostgreSQL", 1 / 3, self.pg.stop, self.pg.start),
            ("Redis", 2 / 3, self.cache.stop, self.cache.start),
        ):
            time.sleep(max(0.0, started + self.duration * at - time.time()))
            stopped = time.time()
            stop()
            time.sleep(self.down)
            start()
            self.windows[name] = (stopped, time.time())
            print(f"  {name} stopped at {stopped - started:.0f} s, back at "
                  f"{time.time() - started:.0f} s", flush=True)  # fmt: skip


def _answers(folder: Path) -> list[tuple[int, int, str, str]]:
    rows = []
    for f in sorted(folder.glob("answers-*.txt")):
        for line in f.read_text().splitlines():
            second, status, kind, code = line.split(" ", 3)
            rows.append((int(second), int(status), kind, code))
    return sorted(rows)


def classify(
    rows: list[tuple[int, int, str, str]], windows: dict[str, tuple[float, float]]
) -> dict[str, object]:
    def absent(second: int) -> str | None:
        for name, (stopped, back) in windows.items():
            if int(stopped) <= second <= back + RECOVER_WITHIN:
                return name
        return None

    errors: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    for second, status, kind, _code in rows:
        kinds[f"{status} {kind}"] += 1
        during = absent(second)
        if status == 503 and kind == "unavailable" and during is None:
            errors["503 while both servers were up"] += 1
        elif status == 503 and kind != "unavailable":
            errors["503 without Retry-After or the page in the visitor's language"] += 1
        elif status not in (200, 400, 503):
            errors[f"status {status}"] += 1
        elif kind != "receipt" and during is None:
            errors[f"{status} without a receipt ({kind}) while both servers were up"] += 1
    recovery = {}
    for name, (_stopped, back) in windows.items():
        first = next((s for s, st, k, _ in rows if s >= int(back) and k == "receipt"), None)
        recovery[name] = None if first is None else max(0, first - back)
    return {"errors": errors, "kinds": kinds, "recovery": recovery}


def pace(
    rows: list[tuple[int, int, str, str]], windows: dict[str, tuple[float, float]]
) -> tuple[float, list[int]]:
    """Receipts per second while both servers were up: the whole seconds of the run but its
    first and last (cut short) and those from each server's stop to its first receipt after it
    was back; and the receipts of each minute of the run, to show whether the rate holds."""
    receipts = collections.Counter(s for s, _status, kind, _code in rows if kind == "receipt")
    if not receipts:
        return 0.0, []
    first, last = min(s for s, *_ in rows), max(s for s, *_ in rows)
    away = set()
    for stopped, back in windows.values():
        again = min((s for s in receipts if s >= int(back)), default=last)
        away |= set(range(int(stopped), again + 1))
    up = [s for s in range(first + 1, last) if s not in away]
    rate = sum(receipts[s] for s in up) / max(len(up), 1)
    minutes = [sum(receipts[s] for s in range(m, min(m + 60, last + 1)))
               for m in range(first, last + 1, 60)]  # fmt: skip
    return rate, minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--down", type=float, default=10, help="seconds each server is away")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=10, help="wrk's request timeout")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}, cpus {os.cpu_count()}, {load()}")
    with private_servers("santui-soak-", fsync=True) as (folder, pg, cache, env):
        home = Path(env["SANTUI_HOME"])
        # one address for every wrk connection: without this the door asks for a sum
        env["SANTUI_DECLARE_RATE"] = "100000000/h"
        subprocess.run([SANTUI, "setup"], env=env, check=True, capture_output=True)  # noqa: S603
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [SANTUI, "serve", "--port", str(port), "--workers", str(args.workers),
                   "--no-setup"]  # fmt: skip

        def ready() -> bool:
            with urllib.request.urlopen(base + "/declare/", timeout=30) as response:  # noqa: S310
                return bool(response.status == 200)

        logs = folder / "wrk"
        logs.mkdir()
        script = logs / "soak.lua"
        text = urllib.parse.quote(TEXT)
        script.write_text(f'OUT_DIR = "{logs}"\nOUT_NAME = "answers"\nTEXT = "{text}"\n' + LUA)
        with serving(command, env, home / "serve.log", ready):
            faults = Faults(pg, cache, args.duration, args.down)
            wrk = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration:g}s",
                   f"--timeout={args.timeout:g}s", "--latency", "-s", str(script),
                   base + "/"]  # fmt: skip
            before = load()
            faults.start()
            out = subprocess.run(wrk, capture_output=True, text=True, check=True).stdout  # noqa: S603
            faults.join(timeout=args.down * 2 + 60)
            after = load()
            time.sleep(1)
        rows = _answers(logs)
        verdict = classify(rows, faults.windows)
        receipts = [code for *_, kind, code in rows if kind == "receipt"]
        latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
        sockets = [line.strip() for line in out.splitlines() if "Socket errors" in line]
        print(f"\n{len(rows):,} answers in {args.duration:g} s; {len(receipts):,} receipts "
              f"({len(receipts) / args.duration:,.0f}/s over the whole run, the absences "
              f"included); p50 {latency.get('50')}, p90 {latency.get('90')}, p99 "
              f"{latency.get('99')}; {before} before, {after} after")  # fmt: skip
        rate, minutes = pace(rows, faults.windows)
        print(f"while both servers were up: {rate:,.0f} receipts/s; receipts a minute: "
              + ", ".join(f"{n:,}" for n in minutes))  # fmt: skip
        print("answers:", ", ".join(f"{k} {n:,}" for k, n in sorted(verdict["kinds"].items())))  # type: ignore[attr-defined]
        print("socket errors:", "; ".join(sockets) or "none")
        errors = verdict["errors"]
        print("errors:", ", ".join(f"{k}: {n:,}" for k, n in errors.items()) or "NONE")  # type: ignore[attr-defined]
        for name, took in verdict["recovery"].items():  # type: ignore[attr-defined]
            print(f"{name}: first receipt {took if took is None else f'{took:.0f} s'} after it "
                  f"was back (wrk logs whole seconds)")  # fmt: skip
        print(check_loss(argparse.Namespace(), env, receipts))
        print(f"wrk -t1 -c{args.connections} -d{args.duration:g}s --timeout={args.timeout:g}s "
              f"-s soak.lua; PostgreSQL and Redis each away {args.down:g} s")  # fmt: skip


if __name__ == "__main__":
    main()
