"""Demo data benchmark: `santui demo --scale S` for about a million statements.

    .venv/bin/python bench/bench_demo.py [--scale S] [--database sqlite|postgres]

1. Generation only: a child process iterates ``DemoGenerator(...).rows()`` (what the command
   generates, pending rows included) without loading anything.
2. The whole command, in a fresh instance (`santui setup`): `santui demo --scale S --until U
   --no-progress`, which generates, loads (statements, audit rows, ledger) and integrates. The
   command prints its load time and its total; the wall time includes start-up.

``--until`` is fixed (benchlib.UNTIL) so that the same scale gives the same rows every day.
The default scale gives about 1,000,000 statements up to that day. Figures are printed, never
asserted; the machine is shared, so compare figures from the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time

from benchlib import PYTHON, SANTUI, UNTIL, fresh_instance, load, machine, rate, run

# ~1,000,000 statements up to UNTIL (0.003 gives 944,090; statements per person fall slightly
# as the scale grows, because larger days allow more families and group lists).
DEFAULT_SCALE = 0.0032
PENDING = 25  # the command's default --pending


def generate_child(scale: float) -> None:
    """Iterate the demo rows without storing them; print the count and the time as JSON."""
    from benchlib import setup_django_here

    setup_django_here()
    from santui.ops.demo import DemoGenerator

    started = time.perf_counter()
    statements = persons = 0
    for row in DemoGenerator(scale=scale, until=UNTIL).rows(received_tail=PENDING):
        statements += 1
        persons += row.headcount
    seconds = time.perf_counter() - started
    print(json.dumps({"statements": statements, "persons": persons, "seconds": seconds}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--generate-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_child:
        generate_child(args.scale)
        return

    print(machine(args.database))
    print(load())
    with fresh_instance(args.database) as env:
        gen_run = run([PYTHON, __file__, "--generate-child", "--scale", str(args.scale)], env)
    gen = json.loads(gen_run.stdout.strip().splitlines()[-1])
    n = gen["statements"]

    command = [SANTUI, "demo", "--scale", str(args.scale), "--until", UNTIL.isoformat(),
               "--no-progress"]  # fmt: skip
    with fresh_instance(args.database) as env:
        demo = run(command, env)
    loaded = re.search(r"loaded in ([\d.]+) s", demo.stdout)
    total = re.search(r"total ([\d.]+) s", demo.stdout)
    if loaded is None or total is None:
        sys.exit(f"cannot read the demo summary:\n{demo.stdout}")
    load_s, total_s = float(loaded.group(1)), float(total.group(1))

    print(f"""
santui demo --scale {args.scale} --until {UNTIL} --no-progress
  statements                {n:>10,}  ({gen["persons"]:,} persons)
  generation only           {gen["seconds"]:>10.1f} s {rate(n, gen["seconds"])}  \
(peak RSS {gen_run.maxrss_mb:.0f} MiB)
  generate + load           {load_s:>10.1f} s {rate(n, load_s)}
  integration               {total_s - load_s:>10.1f} s
  generate + load + integrate {total_s:>8.1f} s {rate(n, total_s)}
  whole command (wall)      {demo.wall:>10.1f} s {rate(n, demo.wall)}  \
(peak RSS {demo.maxrss_mb:.0f} MiB)
  per million statements    {gen["seconds"] * 1e6 / n:>10.1f} s generation, \
{demo.wall * 1e6 / n:.1f} s whole command

{demo.stdout.strip()}
""")  # fmt: skip
    print(load())


if __name__ == "__main__":
    main()
