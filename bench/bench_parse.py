"""Statement text parsing: accuracy on the evaluation set and throughput, beside cpca.

    .venv/bin/python bench/bench_parse.py [--statements N] [--cpca-statements M] [--no-cpca]
        [--texts eval|real] [--src DIR]

``--texts real`` times the 1,574 real statements of tests/textparse/eval/real/ (longer, 170
characters at the median) instead of the evaluation set; ``--src DIR`` imports santui from another
tree (e.g. ``git archive HEAD src | tar -x -C /tmp/before`` then ``--src /tmp/before/src``), to
measure a change before and after in the same run.

1. Accuracy of santui.textparse.parse_statement on tests/textparse/eval/statements.jsonl, per
   field: precision, recall and F1 of each organization (and micro F1 over the three), exact
   accuracy of the organization set, headcount (and precision/recall of "a group"), current
   party member, name and name kind, region at each level (country, province, prefecture,
   county, the whole region; "no place" = "no place" counts as right), and sector (accuracy,
   and precision/recall of the sectors named).
2. Throughput of the full parse in this one process: the evaluation texts repeated to N
   statements (default 200,000), after a warm-up (the automaton is built once per process,
   timed apart). Statements per second per core are measured in CPU time of this process
   (time.process_time), so other work on a shared machine slows the wall clock, not the figure;
   the wall-clock rate is printed too.
3. cpca (PyPI `cpca`, the usual Chinese address extractor; region only, pandas-based) on the
   same texts in the same run: its province accuracy on the evaluation set (its province code,
   or no place; it knows only the mainland, so an item abroad counts as right only if cpca
   finds no place) and its throughput on the texts repeated to M statements (default 20,000:
   cpca is slow). Install it with `.venv/bin/pip install -e '.[bench]'`.

Figures are printed, never asserted (the floors are asserted by tests/textparse/test_accuracy.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from benchlib import ROOT, load, revision

_SRC = str(ROOT / "src")
if "--src" in sys.argv[:-1]:  # before the import below: which tree's parser is measured
    _SRC = sys.argv[sys.argv.index("--src") + 1]
sys.path.insert(0, _SRC)

import santui.textparse  # noqa: E402
from santui.textparse.parse import parse_statement  # noqa: E402

BUILD = getattr(santui.textparse, "BUILD", "python")  # a tree from before the compiled build

EVAL = ROOT / "tests" / "textparse" / "eval" / "statements.jsonl"
REAL = ROOT / "tests" / "textparse" / "eval" / "real" / "statements.jsonl"
KEYS = ("party", "league", "pioneers")
LEVELS = ("country", "province", "prefecture", "county")


def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line.strip()]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def region_of(parsed: dict[str, Any]) -> dict[str, Any] | None:
    region = parsed["region"]
    return None if region is None else {k: region[k] for k in LEVELS}


def accuracy(items: list[dict[str, Any]]) -> list[str]:
    """Per-field figures of parse_statement on the evaluation set, as printable lines."""
    n = len(items)
    org = {k: [0, 0, 0] for k in KEYS}
    right: dict[str, int] = {}
    group = [0, 0, 0]
    sector = [0, 0, 0]
    place = [0, 0, 0]

    def hit(name: str, ok: bool) -> None:
        right[name] = right.get(name, 0) + ok

    for item in items:
        parsed = parse_statement(item["text"]).to_json()
        gold, got = set(item["organizations"]), set(parsed["organizations"])
        for key in KEYS:
            org[key][0] += key in gold and key in got
            org[key][1] += key in got and key not in gold
            org[key][2] += key in gold and key not in got
        hit("organizations (exact set)", gold == got)
        hit("headcount (exact)", item["headcount"] == parsed["headcount"])
        g, p = item["headcount"] > 1, parsed["headcount"] > 1
        group[0] += g and p and item["headcount"] == parsed["headcount"]
        group[1] += p and not (g and item["headcount"] == parsed["headcount"])
        group[2] += g and item["headcount"] != parsed["headcount"]
        hit("current_party_member", item["current_party_member"] == parsed["current_party_member"])
        hit("name (as written)", item["name"] == parsed["name"])
        hit("name_kind", item["name_kind"] == parsed["name_kind"])
        want, have = item["region"], region_of(parsed)
        for depth, level in enumerate(LEVELS, start=1):
            keys = LEVELS[:depth]
            w = None if want is None else tuple(want[k] for k in keys)
            h = None if have is None else tuple(have[k] for k in keys)
            hit(f"region: {level}", w == h)
        hit("region (all levels)", want == have)
        place[0] += want is not None and want == have
        place[1] += have is not None and want != have
        place[2] += want is not None and want != have
        hit("sector", item["sector"] == parsed["sector"])
        sector[0] += item["sector"] is not None and item["sector"] == parsed["sector"]
        sector[1] += parsed["sector"] is not None and item["sector"] != parsed["sector"]
        sector[2] += item["sector"] is not None and item["sector"] != parsed["sector"]
    micro = prf(*(sum(org[k][i] for k in KEYS) for i in range(3)))
    lines = [f"{'field':<34} {'precision':>9} {'recall':>7} {'F1':>6}"]
    for key in KEYS:
        p, r, f = prf(*org[key])
        lines.append(f"{'organizations: ' + key:<34} {p:>9.3f} {r:>7.3f} {f:>6.3f}")
    lines.append(f"{'organizations: micro (floor F1 0.98)':<34} {micro[0]:>9.3f} "
                 f"{micro[1]:>7.3f} {micro[2]:>6.3f}")  # fmt: skip
    for label, counts in (("groups (headcount > 1)", group), ("place found", place),
                          ("sector named", sector)):  # fmt: skip
        p, r, f = prf(*counts)
        lines.append(f"{label:<34} {p:>9.3f} {r:>7.3f} {f:>6.3f}")
    lines.append("")
    lines.append(f"{'field':<34} {'accuracy':>9}   (over {n} items)")
    floors = {"headcount (exact)": 0.95, "region: province": 0.95, "sector": 0.85}
    for name, count in right.items():
        floor = f"   floor {floors[name]}" if name in floors else ""
        lines.append(f"{name:<34} {count / n:>9.3f}{floor}")
    return lines


def throughput(
    texts: list[str], total: int, fn: Callable[[list[str]], object], chunk: int
) -> dict[str, float]:
    """Run ``fn`` over ``texts`` repeated to ``total`` items, in chunks; CPU and wall time."""
    batches = []
    done = 0
    while done < total:
        size = min(chunk, total - done)
        batch = [texts[(done + i) % len(texts)] for i in range(size)]
        batches.append(batch)
        done += size
    cpu, wall = time.process_time(), time.perf_counter()
    for batch in batches:
        fn(batch)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"n": total, "cpu": cpu, "wall": wall, "per_cpu_s": total / cpu, "per_s": total / wall}


def parse_all(batch: list[str]) -> None:
    for text in batch:
        parse_statement(text)


def cpca_figures(items: list[dict[str, Any]], total: int) -> tuple[float, dict[str, float]]:
    warnings.filterwarnings("ignore")
    import cpca

    texts = [item["text"] for item in items]
    frame = cpca.transform(texts)
    codes = [str(c) if isinstance(c, str) and c.strip() else None for c in frame["adcode"]]
    right = 0
    for item, code in zip(items, codes, strict=True):
        want = item["region"]
        if want is None or want["country"] != "CN":
            right += code is None  # cpca knows the mainland only: right if it finds nothing
        else:
            right += code is not None and code[:2] + "0000" == want["province"]
    speed = throughput(texts, total, lambda batch: cpca.transform(batch), chunk=1000)
    return right / len(items), speed


def profile(total: int) -> None:
    """Where the time of the full parse goes (pyinstrument, bench extra), as a call tree."""
    from pyinstrument import Profiler

    texts = [item["text"] for item in rows()]
    parse_statement("三退")
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for i in range(total):
        parse_statement(texts[i % len(texts)])
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=200_000)
    parser.add_argument("--cpca-statements", type=int, default=20_000)
    parser.add_argument("--no-cpca", action="store_true")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="only profile N statements with pyinstrument"
    )
    parser.add_argument("--texts", choices=["eval", "real"], default="eval",
                        help="the texts timed: the evaluation set or the real ones")  # fmt: skip
    parser.add_argument("--src", default=_SRC, help="the source tree whose parser is measured")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return

    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}")
    print(f"cpus       {os.cpu_count()} ({platform.processor() or platform.machine()})")
    print(f"python     {platform.python_version()}")
    print(f"santui     {revision()} (parser from {_SRC}, {BUILD})")
    print(load())
    items = rows()
    texts = [item["text"] for item in items]
    print(f"evaluation set: {len(items)} statements, "
          f"{sum(map(len, texts)) / len(texts):.0f} characters on average")  # fmt: skip

    started = time.process_time()
    parse_statement("三退")  # builds the automaton (once per process)
    print(f"start-up (automaton, OpenCC, gazetteer): {time.process_time() - started:.2f} s CPU")
    print("\n## Accuracy (santui.textparse)\n")
    print("\n".join(accuracy(items)))

    print("\n## Throughput, full parse, one process\n")
    timed = texts
    if args.texts == "real":
        timed = [json.loads(x)["text"] for x in REAL.read_text("utf-8").splitlines() if x.strip()]
        print(f"timed: the {len(timed)} real statements, "
              f"{sum(map(len, timed)) / len(timed):.0f} characters on average")  # fmt: skip
    speed = throughput(timed, args.statements, parse_all, chunk=10_000)
    print(f"santui parse_statement  {speed['n']:>9,} statements  {speed['cpu']:7.2f} s CPU "
          f"{speed['per_cpu_s']:>10,.0f}/s per core   (wall {speed['wall']:.2f} s, "
          f"{speed['per_s']:,.0f}/s)")  # fmt: skip
    print(load())

    if args.no_cpca:
        return
    print("\n## cpca 0.5.5, region only, same texts, same run\n")
    try:
        province, cspeed = cpca_figures(items, args.cpca_statements)
    except ImportError:
        print("cpca is not installed: .venv/bin/pip install -e '.[bench]'")
        return
    ours = sum(
        1
        for item in items
        if (lambda r: None if r is None else (r["country"], r["province"]))(item["region"])
        == (lambda r: None if r is None else (r["country"], r["province"]))(
            parse_statement(item["text"]).to_json()["region"]
        )
    ) / len(items)
    print(f"province accuracy       santui {ours:.3f}   cpca {province:.3f}")
    print(f"cpca.transform          {cspeed['n']:>9,} statements  {cspeed['cpu']:7.2f} s CPU "
          f"{cspeed['per_cpu_s']:>10,.0f}/s per core   (wall {cspeed['wall']:.2f} s)")  # fmt: skip
    print(f"speed ratio (santui full parse / cpca region only): "
          f"{speed['per_cpu_s'] / cspeed['per_cpu_s']:.1f}x")  # fmt: skip
    print(load())


if __name__ == "__main__":
    main()
