"""`santui parse` on N texts, start-up included: the compiled build, its Python sources, and
``--jobs``, alternated in rounds, each output compared byte for byte.

    .venv/bin/python bench/bench_parse_cli.py [--lines 100000] [--rounds 2] [--src DIR]
        [--santui PATH]

The inputs are the evaluation texts (tests/textparse/eval/statements.jsonl) and the real
statements (tests/textparse/eval/real/statements.jsonl), each repeated to ``--lines`` JSON
lines. Each variant is timed as a child process (wall clock, and its CPU time from
``os.wait4``). ``--src DIR`` adds another tree's parser, one process (``git archive REV src |
tar -x -C /tmp/before``, then ``--src /tmp/before/src``): its output is not compared, it may
read differently. ``--santui PATH`` adds another build's ``santui`` executable, compiled as it
was built, one process (``git worktree add /tmp/wt REV``, ``python3.11 -m venv /tmp/wtvenv``,
``/tmp/wtvenv/bin/pip install -e /tmp/wt``, then ``--santui /tmp/wtvenv/bin/santui``): the
fair comparison of two compiled parsers. Figures are printed, never asserted
(docs/benchmarks.md, "The parser compiled, and santui parse --jobs").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, SANTUI, load, revision

EVAL = ROOT / "tests" / "textparse" / "eval" / "statements.jsonl"
REAL = ROOT / "tests" / "textparse" / "eval" / "real" / "statements.jsonl"
Variant = tuple[str, dict[str, str], list[str], str]  # name, environment, arguments, program


def write_input(source: Path, lines: int, path: Path) -> None:
    texts = [json.loads(x)["text"] for x in source.read_text("utf-8").splitlines() if x.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            out.write(json.dumps({"text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")


def timed(variant: Variant, stdin: Path, stdout: Path) -> tuple[float, float]:
    """Wall clock and CPU seconds (user + system) of one run."""
    _, extra, args, program = variant
    env = {**os.environ, **extra}
    started = time.perf_counter()
    with stdin.open("rb") as inp, stdout.open("wb") as out:
        child = subprocess.Popen([program, "parse", *args], stdin=inp, stdout=out, env=env)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{variant[0]}: santui parse failed")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--src", help="another tree's src, measured in one process")
    parser.add_argument("--santui", help="another build's santui executable, --jobs 1")
    args = parser.parse_args()

    program = str(SANTUI)
    variants: list[Variant] = [
        ("compiled, --jobs 1", {"SANTUI_PURE_PYTHON": "0"}, ["--jobs", "1"], program),
        ("compiled, --jobs 2", {"SANTUI_PURE_PYTHON": "0"}, ["--jobs", "2"], program),
        ("Python, --jobs 1", {"SANTUI_PURE_PYTHON": "1"}, ["--jobs", "1"], program),
    ]
    if args.src:
        variants.append((f"{args.src}, one process", {"PYTHONPATH": args.src}, [], program))
    if args.santui:
        variants.append((f"{args.santui}, --jobs 1", {}, ["--jobs", "1"], args.santui))
    build = subprocess.run(
        [sys.executable, "-c", "import santui.textparse as t; print(t.BUILD)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}, cpus {os.cpu_count()}")
    print(f"santui     {revision()} (this tree's parser: {build})")
    print(load())
    with tempfile.TemporaryDirectory(prefix="santui-parse-") as tmp:
        folder = Path(tmp)
        for texts, source in (("evaluation", EVAL), ("real", REAL)):
            stdin = folder / f"{texts}.jsonl"
            write_input(source, args.lines, stdin)
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.rounds):
                outputs: dict[str, bytes] = {}
                for variant in variants:
                    out = folder / "out.jsonl"
                    wall, cpu = timed(variant, stdin, out)
                    if variant[0] not in best or wall < best[variant[0]][0]:
                        best[variant[0]] = (wall, cpu)
                    if variant in variants[:3]:  # this tree's: they must read alike
                        outputs[variant[0]] = out.read_bytes()
                same = len(set(outputs.values())) == 1
                print(f"{texts}: outputs of {', '.join(outputs)}: "
                      f"{'the same' if same else 'DIFFERENT'}")  # fmt: skip
            print(f"\n{args.lines:,} {texts} texts, best of {args.rounds}:")
            for name, (wall, cpu) in best.items():
                print(f"  {name:<40} {wall:6.2f} s wall {args.lines / wall:>9,.0f}/s   "
                      f"CPU {cpu:6.2f} s")  # fmt: skip
            print(load())
        started = time.perf_counter()
        timed(variants[0], Path(os.devnull), folder / "empty.jsonl")
        print(f"start-up (empty input, compiled): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
