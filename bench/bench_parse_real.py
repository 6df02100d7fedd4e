"""The parser on real statements (tests/textparse/eval/real/, issue 13): the issue's measures
per split, and the agreement of the two labellers.

    .venv/bin/python bench/bench_parse_real.py [--split dev|test|both] [--missed N] [--json]
        [--rules-only] [--collections 1,2,3]

The corpus (statements.jsonl) was collected from public pages and labelled by people who read
only the written rules (tests/textparse/eval/README.md), never the parser: labels.jsonl (labeller
A, every item; C for the organizations a title line decides) and labels_b.jsonl (the second
labeller, a sample of 200 drawn by the SHA-256 of the id; B, its organizations B2's).
The split (split.json) is frozen: its hashes are checked first. **The test split is scored once
per parser change and never tuned on**; report dev and test apart.

Measures (as the issue states them): organizations exact (the set quit, [] when nothing is
quit), headcount exact (all; group statements: headcount > 1 in the label), province (country
and, on the mainland, province), country, sector (None = None), alias recall (labelled alias
read as alias), a place given where none is stated (labelled region null, read non-null), a
sector given where none is stated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

REAL = Path(__file__).resolve().parent.parent / "tests" / "textparse" / "eval" / "real"
FLOORS = {  # issue 13's floors on the frozen real test split
    "organizations": 0.95, "headcount": 0.95, "headcount_group": 0.90, "province": 0.95,
    "country": 0.95, "sector": 0.85, "alias_recall": 0.90,
}  # fmt: skip
CEILINGS = {"place_invented": 0.03, "sector_invented": 0.05}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def check_split() -> dict[str, list[str]]:
    """The frozen split, after checking that neither the corpus nor the split moved."""
    split = json.loads((REAL / "split.json").read_text("utf-8"))
    digest = hashlib.sha256((REAL / split["statements_file"]).read_bytes()).hexdigest()
    if digest != split["statements_sha256"]:
        sys.exit(f"statements.jsonl changed: sha256 {digest}, split.json says "
                 f"{split['statements_sha256']}")  # fmt: skip
    for name in ("dev", "test"):  # the lists, and each id on the side its hash gives it
        ids = split[name]
        if hashlib.sha256("\n".join(ids).encode()).hexdigest() != split[f"{name}_ids_sha256"]:
            sys.exit(f"the {name} list changed")
        for i in ids:
            side = int(hashlib.sha256(i.encode()).hexdigest()[:8], 16) % 100 < 60
            if side != (name == "dev"):
                sys.exit(f"{i} is on the wrong side of the split")
    return {"dev": split["dev"], "test": split["test"]}


def collection(item_id: str) -> int:
    """Which collection an item came from (real/README.md): 1 (2026-12-04), 2 (2026-12-05) or
    3 (2026-12-07)."""
    number = int(item_id[1:])
    return 1 if number <= 1574 else 2 if number <= 1667 else 3


def country(region: dict[str, Any] | None) -> str | None:
    return None if region is None else region.get("country")


def province(region: dict[str, Any] | None) -> tuple[str | None, str | None]:
    return (None, None) if region is None else (region.get("country"), region.get("province"))


def score(labels: list[dict[str, Any]], readings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The issue's measures of ``readings`` (id -> parser output, or a second labeller's labels)
    against ``labels``; each measure with its numerator and denominator."""
    tallies: dict[str, list[int]] = {}
    missed: dict[str, list[str]] = {}

    def count(name: str, ok: bool, what: str, *, wrong: bool | None = None) -> None:
        """``ok`` is what the measure counts; ``wrong`` (default: not ``ok``) what is listed."""
        right, total = tallies.setdefault(name, [0, 0])
        tallies[name] = [right + ok, total + 1]
        if (not ok) if wrong is None else wrong:
            missed.setdefault(name, []).append(what)

    for gold in labels:
        got = readings.get(gold["id"])
        if got is None:
            continue
        i = gold["id"]

        def seen(name: str, want: Any, have: Any, i: str = i) -> str:
            return f"{i}: want {want!r}, got {have!r}"

        want_orgs, have_orgs = sorted(gold["organizations"]), sorted(got["organizations"])
        count("organizations", want_orgs == have_orgs, seen("o", want_orgs, have_orgs))
        count("headcount", gold["headcount"] == got["headcount"],
              seen("h", gold["headcount"], got["headcount"]))  # fmt: skip
        if gold["headcount"] > 1:
            count("headcount_group", gold["headcount"] == got["headcount"],
                  seen("h", gold["headcount"], got["headcount"]))  # fmt: skip
        count("province", province(gold["region"]) == province(got["region"]),
              seen("p", province(gold["region"]), province(got["region"])))  # fmt: skip
        count("country", country(gold["region"]) == country(got["region"]),
              seen("c", country(gold["region"]), country(got["region"])))  # fmt: skip
        count("sector", gold["sector"] == got["sector"], seen("s", gold["sector"], got["sector"]))
        if gold["name_kind"] == "alias":
            count("alias_recall", got["name_kind"] == "alias",
                  seen("a", gold["name_kind"], got["name_kind"]))  # fmt: skip
        if gold["region"] is None:  # a wrong answer here is a place invented: count it as such
            invented = got["region"] is not None
            count("place_invented", invented, seen("r", None, got["region"]), wrong=invented)
        if gold["sector"] is None:
            invented = got["sector"] is not None
            count("sector_invented", invented, seen("s", None, got["sector"]), wrong=invented)
    out: dict[str, Any] = {}
    for name, (right, total) in tallies.items():
        out[name] = {"value": right / total if total else None, "n": total, "hits": right}
    out["_missed"] = missed
    return out


def parse_all(rows: list[dict[str, Any]], *, rules_only: bool = False) -> dict[str, dict[str, Any]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.dev")
    from santui.textparse import parse as parse_module
    from santui.textparse.parse import parse_statement

    if rules_only:  # the rules alone, without the learned re-reading (santui.textparse.learned)
        setattr(parse_module, "model", lambda: None)  # noqa: B010 (a bench-only switch)

    readings = {}
    for row in rows:
        data = parse_statement(row["text"]).to_json()
        readings[row["id"]] = data
    return readings


def table(title: str, figures: dict[str, Any], *, aims: bool = True) -> str:
    lines = [title]
    for name in (*FLOORS, *CEILINGS):
        f = figures.get(name)
        if f is None or f["value"] is None:
            continue
        aim = f">= {FLOORS[name]:.2f}" if name in FLOORS else f"<= {CEILINGS[name]:.2f}"
        line = f"  {name:<18} {f['value']:.3f}  ({f['hits']}/{f['n']})"
        lines.append(f"{line:<36} aim {aim}" if aims else line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--missed", type=int, default=0, help="print N misses per measure (dev)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="without the learned re-reading of the organizations (ablation)",
    )
    parser.add_argument(
        "--collections",
        default="1,2,3",
        help="which collections to score (1: r0001-r1574, 2: r1575-r1667, 3: r1668 on); "
        "e.g. 1,2 for the corpus as it was before 2026-12-07",
    )
    args = parser.parse_args()
    split = check_split()
    chosen = {int(c) for c in args.collections.split(",")}
    split = {side: [i for i in ids if collection(i) in chosen] for side, ids in split.items()}
    texts = {r["id"]: r for r in read_jsonl(REAL / "statements.jsonl")}
    labels = {r["id"]: r for r in read_jsonl(REAL / "labels.jsonl")}
    result: dict[str, Any] = {}
    # agreement of the two labellers: B's sample read as if it were the parser's output
    b_path = REAL / "labels_b.jsonl"
    if b_path.exists():
        b = {r["id"]: r for r in read_jsonl(b_path)}
        agreement = score([labels[i] for i in sorted(b) if i in labels], b)
        result["agreement"] = agreement
    wanted = ["dev", "test"] if args.split == "both" else [args.split]
    for name in wanted:
        rows = [texts[i] for i in split[name] if i in labels]
        readings = parse_all(rows, rules_only=args.rules_only)
        result[name] = score([labels[r["id"]] for r in rows], readings)
    if args.json:
        print(json.dumps({k: {m: v for m, v in f.items() if m != "_missed"}
                          for k, f in result.items()}, indent=1))  # fmt: skip
        return
    if "agreement" in result:
        title = f"labeller agreement (the second labeller's {len(b)}, scored against the labels)"
        print(table(title, result["agreement"], aims=False))
    for name in wanted:
        kind = "dev split" if name == "dev" else "TEST split (frozen; never tuned on)"
        print(table(f"parser on the {kind}: {result[name]['organizations']['n']} statements",
                    result[name]))  # fmt: skip
    if args.missed and "dev" in result:
        for measure, items in result["dev"]["_missed"].items():
            print(f"--- dev, {measure}: {len(items)} missed")
            for line in items[: args.missed]:
                print("   ", line, "|", texts[line.split(":")[0]]["text"][:80].replace("\n", " "))


if __name__ == "__main__":
    main()
