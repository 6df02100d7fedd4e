"""How many of the rule probes (tests/textparse/eval/probes/) the parser reads as the rules do,
set by set: organizations, region and, where a set labels it, headcount.

    .venv/bin/python bench/bench_rule_probes.py [--sets NAME ...] [--missed]

The probes were written from the labelling rules alone, a set at a time, and the parser was then
fixed where it read them against a rule: each set's figure before its fixes is its held-out
figure (docs/benchmarks.md lists them); after them the set is in-sample. Run it with another
build's interpreter (a git worktree's venv) to read the same probes with that build:

    /tmp/wtvenv/bin/python bench/bench_rule_probes.py --sets families_groups
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from santui.textparse.parse import parse_statement

PROBES = Path(__file__).resolve().parent.parent / "tests" / "textparse" / "eval" / "probes"


def score(rows: list[dict[str, Any]], missed: bool) -> dict[str, tuple[int, int]]:
    right: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        parsed = parse_statement(row["text"])
        checks = {}
        if "organizations" in row:
            checks["organizations"] = sorted(parsed.organizations) == row["organizations"]
        if "country" in row:
            region = parsed.region
            got = (None, None) if region is None else (region.country, region.province)
            checks["region"] = got == (row["country"], row["province"])
        if "headcount" in row:
            checks["headcount"] = parsed.headcount == row["headcount"]
        for field, ok in checks.items():
            counts = right.setdefault(field, [0, 0])
            counts[0] += ok
            counts[1] += 1
            if missed and not ok:
                print(f"    {i} {field}: {row['text'][:70]!r}")
    return {field: (a, b) for field, (a, b) in right.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", help="set names (file stems); default: all")
    parser.add_argument("--missed", action="store_true", help="list the probes read otherwise")
    args = parser.parse_args()
    names = args.sets or sorted(p.stem for p in PROBES.glob("*.jsonl"))
    total = 0
    for name in names:
        path = PROBES / f"{name}.jsonl"
        rows = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
        figures = score(rows, args.missed)
        total += len(rows)
        shown = ", ".join(f"{field} {a}/{b}" for field, (a, b) in figures.items())
        print(f"{name:36} {shown}")
    print(f"{total} probes in {len(names)} sets")


if __name__ == "__main__":
    main()
