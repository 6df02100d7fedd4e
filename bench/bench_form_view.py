"""The form's CPU per statement inside one process (issue 15): Django's test client sends the
declaration form as a browser does (a GET for the CSRF cookie, then POSTs, each with a new
text) through the middleware and the view, on PostgreSQL + Redis, without the HTTP server
(and without the test environment's template instrumentation, which would weigh on rendering).

The machine's speed swings from one minute to the next, more than a change to the view moves
the whole server's rate (bench_form_load.py). With ``--src DIR`` another tree (``git archive REV
src``) is measured too, in turns with this one, each turn a fresh process on a database of its
own, so that the two are compared in the same minutes: read the ratio of each pair.

    .venv/bin/python bench/bench_form_view.py                                   # this tree
    git archive REV src | tar -x -C /tmp/before
    .venv/bin/python bench/bench_form_view.py --src /tmp/before/src --rounds 5

Printed per turn: CPU µs per statement sent (process time, the client's share included: it is
the same for both trees), and per GET of the form. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import SANTUI, load, psql_admin

PG = "postgres://postgres@127.0.0.1:5432/santui_fv{}"
REDIS = "redis://127.0.0.1:6379/{}"

CHILD = r"""
import sys, time
import django
django.setup()
from django.test import Client

n = int(sys.argv[1])
client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
page = client.get("/declare/")
token = page.cookies["csrftoken"].value
sent = {"csrfmiddlewaretoken": token, "organizations": ["party", "league"], "headcount": "1",
        "name": "", "name_kind": "alias", "declarant": "self", "current_party_member": "unknown",
        "place_unsaid": "on", "language": "zh-hans"}


def post(i):
    answer = client.post("/declare/", {**sent, "text": f"我声明退出中共的党、团、队组织。{i}"})
    assert answer.status_code == 200 and b'id="receipt-code"' in answer.content, answer.status_code


for i in range(n // 5):  # warm: caches, prepared statements, the pool
    post(-i)
started = time.process_time()
for i in range(n):
    post(i)
posts = (time.process_time() - started) / n
started = time.process_time()
for i in range(n):
    assert client.get("/declare/").status_code == 200
gets = (time.process_time() - started) / n
print(posts * 1e6, gets * 1e6)
"""


def prepare(index: int, src: str | None, home: Path) -> dict[str, str]:
    url, cache = PG.format(index), REDIS.format(6 + index)
    name = url.rsplit("/", 1)[1]
    psql_admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql_admin(url, f"CREATE DATABASE {name}")
    subprocess.run(["redis-cli", "-u", cache, "FLUSHDB"], check=True, capture_output=True)  # noqa: S603, S607
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "SANTUI_HOME": str(home / str(index)),
        "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod",
        "DATABASE_URL": url,
        "REDIS_URL": cache,
        "SANTUI_DECLARE_RATE": "100000000/h",  # one client: the door would ask for a sum
        "SANTUI_ALLOWED_HOSTS": "testserver",  # the test client's host
    }
    if src:
        env["PYTHONPATH"] = src
    subprocess.run([SANTUI, "setup"], env=env, check=True, capture_output=True)  # noqa: S603
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", help="another tree's src folder, measured in turns with this")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1500, help="statements per turn")
    parser.add_argument("--home", type=Path, default=Path("/tmp/santui-bench-view"))  # noqa: S108
    args = parser.parse_args()
    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}, cpus {os.cpu_count()}, {load()}")
    trees = {"this tree": None} | ({f"--src {args.src}": args.src} if args.src else {})
    envs = {name: prepare(i, src, args.home) for i, (name, src) in enumerate(trees.items())}
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for turn in range(args.rounds):
        order = list(trees) if turn % 2 == 0 else list(reversed(trees))  # who goes first turns
        for name in order:
            out = subprocess.run(  # noqa: S603
                [sys.executable, "-c", CHILD, str(args.requests)],
                env=envs[name], capture_output=True, text=True,
            )  # fmt: skip
            if out.returncode:
                sys.exit(out.stderr[-3000:])
            post, get = map(float, out.stdout.split()[-2:])
            figures[name].append((post, get))
            print(f"turn {turn + 1}  {name:28s} POST {post:7,.0f} µs  GET {get:6,.0f} µs",
                  flush=True)  # fmt: skip
    for name, runs in figures.items():
        print(f"median {name:28s} POST {statistics.median(p for p, _ in runs):7,.0f} µs  "
              f"GET {statistics.median(g for _, g in runs):6,.0f} µs")  # fmt: skip
    if args.src:
        mine, other = figures["this tree"], figures[f"--src {args.src}"]
        ratios = [m[0] / o[0] for m, o in zip(mine, other, strict=True)]
        print("this tree / --src, POST, per turn:", ", ".join(f"{r:.2f}" for r in ratios))
    print(f"{load()}; bench/bench_form_view.py --rounds {args.rounds} --requests {args.requests}"
          f"{' --src ' + args.src if args.src else ''}")  # fmt: skip


if __name__ == "__main__":
    main()
