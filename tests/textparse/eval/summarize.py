"""Print the mix of the evaluation set (statements.jsonl beside this file) as Markdown.

Standard library only:

    .venv/bin/python tests/textparse/eval/summarize.py

The output is what eval/README.md shows between its "summary" markers; tests/textparse/
test_eval_set.py checks that the two agree, so rerun this after changing the set and paste it in.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET = HERE / "statements.jsonl"

TAG_ORDER = (
    "simplified", "traditional", "english", "mixed",
    "real_name", "alias", "anonymous",
    "group", "family",
    "overseas", "no_place", "old_place_name", "two_places", "name_is_place",
    "sector", "current_member", "never_member",
    "negation", "mention_not_quit", "league_only", "pejorative",
    "typo", "punctuation_broken", "short", "long",
)  # fmt: skip
ORG_KEYS = {"party": "P", "league": "L", "pioneers": "Y"}


def load(path: Path = SET) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%"


def _table(title: str, counts: Counter, total: int, order: tuple | None = None) -> list[str]:
    keys = list(order) if order else [k for k, _ in counts.most_common()]
    keys += sorted((k for k in counts if k not in keys), key=str)
    lines = [f"| {title} | items | share |", "|---|---:|---:|"]
    lines += [f"| {k} | {counts[k]} | {_pct(counts[k], total)} |" for k in keys if counts[k]]
    lines.append("")
    return lines


def summarize(rows: list[dict]) -> str:
    total = len(rows)
    tags = Counter(t for row in rows for t in row["tags"])
    orgs = Counter("+".join(ORG_KEYS[o] for o in row["organizations"]) for row in rows)
    per_org = Counter(o for row in rows for o in row["organizations"])
    cpm = Counter({True: "true", False: "false", None: "null"}[row["current_party_member"]]
                  for row in rows)  # fmt: skip
    sectors = Counter(row["sector"] or "(none)" for row in rows)
    countries = Counter(row["region"]["country"] if row["region"] else "(none)" for row in rows)
    mainland = [row["region"] for row in rows if row["region"] and row["region"]["country"] == "CN"]
    provinces = {r["province"] for r in mainland if r["province"]}
    levels = Counter(
        "county" if r["county"] else "prefecture" if r["prefecture"]
        else "province" if r["province"] else "country only"
        for r in mainland
    )  # fmt: skip
    heads = [row["headcount"] for row in rows]
    lengths = sorted(len(row["text"]) for row in rows)

    out = [f"{total} statements; {sum(heads)} persons (headcount sum); "
           f"{sum(1 for h in heads if h > 1)} group or family statements "
           f"(largest {max(heads)}).", ""]  # fmt: skip
    out += _table("tag", tags, total, TAG_ORDER)
    out += _table("organizations (P party, L league, Y pioneers)", orgs, total)
    out += _table("statements quitting", per_org, total, ("party", "league", "pioneers"))
    out += _table("current_party_member", cpm, total, ("true", "false", "null"))
    out += _table("sector", sectors, total)
    out += _table("country", countries, total)
    out += [f"Mainland places: {len(mainland)} statements in {len(provinces)} of 31 provinces; "
            f"labelled to county {levels['county']}, prefecture {levels['prefecture']}, "
            f"province {levels['province']}, country only {levels['country only']}.",
            "",
            f"Text length (characters): shortest {lengths[0]}, median {lengths[total // 2]}, "
            f"longest {lengths[-1]}."]  # fmt: skip
    return "\n".join(out) + "\n"


def main() -> int:
    sys.stdout.write(summarize(load()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
