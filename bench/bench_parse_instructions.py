"""Instructions, not seconds: `santui parse --jobs 1` counted with valgrind's callgrind.

    .venv/bin/python bench/bench_parse_instructions.py [--lines 2000] [--other PATH]

Wall-clock times on a shared machine move by 10 % and more between runs of the same build;
instruction counts do not (the same binary, input and environment give the same count, whatever
else the machine is doing). For each build (this tree's compiled ``santui``, and ``--other``: the
``santui`` of another build, e.g. a git worktree with its own venv) and each kind of text (the
evaluation set, the real statements; inputs as bench_parse_cli.py writes them), it counts an empty
input, ``--lines`` texts and twice as many: the difference of the last two gives the cost per
text, the rest is fixed (start-up, and the tables built at the first text). The inputs repeat
each corpus (677 and 1,660 texts), so ``--lines`` should be a few thousand, for both halves to
hold every text of it (at 300, the two halves are different texts). Figures are printed, never
asserted (docs/benchmarks.md, "Speed: the regular expressions that cost most"). Needs
valgrind (Debian package ``valgrind``); each run takes about a minute under it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_parse_cli import EVAL, REAL, write_input
from benchlib import SANTUI, revision

_SUMMARY = re.compile(r"^summary:\s*(\d+)", re.M)


def instructions(valgrind: str, santui: str, stdin: Path, folder: Path) -> int:
    """The instructions callgrind counts for one run of ``santui parse --jobs 1``."""
    out = folder / "callgrind.out"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "santui.config.settings.dev"}
    with stdin.open("rb") as inp:
        subprocess.run(  # noqa: S603
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}", santui, "parse",
             "--jobs", "1"],
            stdin=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True,
        )  # fmt: skip
    found = _SUMMARY.search(out.read_text("utf-8", "replace"))
    if found is None:
        sys.exit(f"no summary in callgrind's output for {santui}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--other", help="another build's santui executable")
    args = parser.parse_args()
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    builds = [("this tree", SANTUI)] + ([("other", args.other)] if args.other else [])
    print(f"santui     {revision()}; {args.lines:,} and {2 * args.lines:,} texts per count")
    with tempfile.TemporaryDirectory(prefix="santui-instr-") as tmp:
        folder = Path(tmp)
        empty = folder / "empty.jsonl"
        empty.write_text("", "utf-8")
        inputs = {}
        for texts, source in (("evaluation", EVAL), ("real", REAL)):
            for lines in (args.lines, 2 * args.lines):
                path = folder / f"{texts}-{lines}.jsonl"
                write_input(source, lines, path)
                inputs[texts, lines] = path
        for name, santui in builds:
            start_up = instructions(valgrind, santui, empty, folder)
            print(f"{name:<10} start-up (no input) {start_up / 1e9:8.3f} G", flush=True)
            for texts in ("evaluation", "real"):
                once = instructions(valgrind, santui, inputs[texts, args.lines], folder)
                twice = instructions(valgrind, santui, inputs[texts, 2 * args.lines], folder)
                per_text = (twice - once) / args.lines
                fixed = once - per_text * args.lines
                print(f"{name:<10} {texts:<10} per text {per_text / 1e6:7.3f} M   "
                      f"fixed {fixed / 1e9:6.3f} G", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
