"""Screening quality on a labelled scenario: precision and recall per class, and the issue's aims.

    .venv/bin/python bench/bench_screen.py [--scale S] [--database sqlite|postgres]
                                           [--splits dev,heldout] [--no-eval]

1. Generates the labelled statements of each split (bench/screen_scenario.py: genuine persons,
   word-for-word, reworded and other-channel repeats, one common name in many places, template
   floods, a genuine group evening), ~16,000 per split at scale 1, received over 8 quiet
   baseline days and a measured week.
2. Per split, in a fresh instance (`santui setup`; on PostgreSQL a fresh database
   ``santui_bench_screen``), a child process loads them with the bulk loader
   (``statements_bulk_load``, status received) and runs the real screener,
   ``santui.screening.run.screen_all(delay=0)``, writing its report.
3. Scores the decisions against the labels: a confusion table per class (accepted, duplicate,
   held for a flood, held for another reason), precision and recall of each decision, the four
   aims of the issue, the held share per reason code. The parser's evaluation set
   (tests/textparse/eval/statements.jsonl) is screened too, as genuine statements whose declared
   fields are its labels (in-sample for the parser, which was tuned on it).

The dev and held-out splits have disjoint vocabularies (screen_scenario.py); tune on dev only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from benchlib import PYTHON, ROOT, SANTUI, load, machine, run
from screen_scenario import SPLITS, eval_items, generate, read_jsonl, write_jsonl

PG_DB = "santui_bench_screen"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
EVAL_SET = ROOT / "tests" / "textparse" / "eval" / "statements.jsonl"
GENUINE = ("genuine", "common_name", "group_event")
REPEATS = ("exact", "reworded", "other_channel")
CLASSES = (*GENUINE, *REPEATS, "flood")
FLOOD_REASONS = frozenset({"flood_template", "flood_random_names"})
OUTCOMES = ("accepted", "duplicate", "held:flood", "held:other")


def pg_port() -> str:
    """The PostgreSQL server's port: 5432, or a private server's (bench_screen_speed.py
    --private-server) through SANTUI_BENCH_PG_PORT."""
    return os.environ.get("SANTUI_BENCH_PG_PORT", "5432")


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-p", pg_port(), "-U", "postgres", "-d", db, "-q",  # noqa: S607
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True,
    )  # fmt: skip


@contextlib.contextmanager
def instance(database: str, *, pg_db: str = PG_DB, keep: bool = False) -> Iterator[dict[str, str]]:
    """A new SANTUI_HOME (and on PostgreSQL a new database ``pg_db``) after `santui setup`.

    As benchlib.fresh_instance, with a database name of its own (other benches use theirs) and
    without REDIS_URL (the screener's flood flags must not reach a shared Redis).
    """
    home = tempfile.mkdtemp(prefix="santui-bench-screen-")
    drop = ("DATABASE_URL", "SANTUI_KEY_FILE", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["SANTUI_HOME"] = home
    env["DJANGO_SETTINGS_MODULE"] = "santui.config.settings.prod"
    # the bench scripts, then what the caller put first (an export's src/ measured apart)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    if database == "postgres":
        psql(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        psql(f"CREATE DATABASE {pg_db}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{pg_port()}/{pg_db}"
    try:
        run([SANTUI, "setup"], env, cwd=home)
        yield env
    finally:
        if not keep:
            if database == "postgres":
                psql(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
            shutil.rmtree(home, ignore_errors=True)


# --- the child: load, screen, report ---------------------------------------------------------


def child(scenario: str, out: str) -> None:
    import datetime as dt

    import django

    django.setup()
    from santui.screening.run import screen_all
    from santui.statements.bulk import StatementRow, statements_bulk_load
    from santui.statements.models import Statement

    rows = []
    for d in read_jsonl(Path(scenario)):
        orgs = set(d["organizations"])
        rows.append(
            StatementRow(
                external_id=d["eid"], received_at=dt.datetime.fromisoformat(d["received_at"]),
                channel=d["channel"], text=d["text"], party="party" in orgs,
                league="league" in orgs, pioneers="pioneers" in orgs, headcount=d["headcount"],
                name=d["name"], name_kind=d["name_kind"], region=d["region"],
                sector=d["sector"], current_party_member=None, publish=False, status="received",
            )
        )  # fmt: skip
    t0 = time.perf_counter()
    for i in range(0, len(rows), 2000):
        statements_bulk_load(rows=rows[i : i + 2000], source="bench", via="bench")
    t1 = time.perf_counter()
    report = tempfile.TemporaryFile()  # noqa: SIM115  # read back below, closed at exit
    summary = screen_all(delay=0, report=report)
    t2 = time.perf_counter()
    eid_of = dict(Statement.objects.values_list("id", "external_id"))
    report.seek(0)
    decisions = {}
    for line in report:
        d = json.loads(line)
        dup = eid_of.get(d["duplicate_of"]) if d["duplicate_of"] else None
        decisions[d["external_id"]] = [d["decision"], d["reasons"], dup]
    Path(out).write_text(json.dumps({
        "load_s": t1 - t0, "screen_s": t2 - t1, "indexed": summary.indexed,
        "decisions": decisions,
    }))  # fmt: skip


def screen_items(items: list, database: str, workdir: Path, name: str) -> dict:
    path, out = workdir / f"{name}.jsonl", workdir / f"{name}.result.json"
    write_jsonl(items, path)
    with instance(database) as env:
        done = run([PYTHON, __file__, "--child", str(path), "--out", str(out)], env)
    result = json.loads(out.read_text())
    result["wall"], result["rss"] = done.wall, done.maxrss_mb
    return result


# --- scoring ---------------------------------------------------------------------------------


def outcome(decision: str, reasons: list[str]) -> str:
    if decision == "held":
        return "held:flood" if FLOOD_REASONS & set(reasons) else "held:other"
    return decision


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.1f} %" if b else "     - "


def score(items: list[dict], result: dict, title: str) -> dict[str, float]:
    decisions = result["decisions"]
    missing = [i["eid"] for i in items if i["eid"] not in decisions]
    n = len(items)
    baseline = sum(i["period"] == "baseline" for i in items)
    print(f"\n=== {title}: {n:,} statements ({baseline:,} on the baseline days) ===")
    rate = n / result["screen_s"]
    print(
        f"load {result['load_s']:.1f} s, screen_all {result['screen_s']:.1f} s "
        f"({rate:,.0f} statements/s), peak RSS {result['rss']:.0f} MiB"
    )
    if missing:
        print(f"WARNING: {len(missing)} statements without a decision, e.g. {missing[:3]}")
    by_eid = {i["eid"]: i for i in items}
    measured = [i for i in items if i["period"] == "measured" and i["eid"] in decisions]
    table: dict[str, Counter[str]] = defaultdict(Counter)
    subs: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    held_reasons: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_link = Counter()
    for i in measured:
        decision, reasons, dup = decisions[i["eid"]]
        o = outcome(decision, reasons)
        table[i["label"]][o] += 1
        subs[(i["label"], i["sub"])][o] += 1
        if decision == "held":
            held_reasons[i["label"]].update(set(reasons))
        if decision == "duplicate" and (dup is None or by_eid[dup]["person"] != i["person"]
                                        or i["person"] is None):  # fmt: skip
            wrong_link[i["label"]] += 1
    base = [i for i in items if i["period"] == "baseline" and i["eid"] in decisions]
    # The base rate the person rule faces: genuine persons whose (name, province,
    # organizations) equals an earlier other person's (only what this scenario holds; a
    # registry of millions holds far more people of each common name or alias).
    seen_keys: dict[tuple, int] = {}
    shared = genuine_named = 0
    for i in items:
        if i["label"] in GENUINE and i["name"]:
            key = (i["name"], i["meta"].get("province"), tuple(i["organizations"]))
            genuine_named += 1
            shared += key in seen_keys and seen_keys[key] != i["person"]
            seen_keys.setdefault(key, i["person"])
    print(
        f"named genuine persons sharing name, province and organizations with an earlier "
        f"other person: {pct(shared, genuine_named).strip()} ({shared:,} of {genuine_named:,})"
    )
    base_acc = sum(decisions[i["eid"]][0] == "accepted" for i in base)

    print("\nmeasured week, per class (share of the class's statements)")
    print(f"  {'class':<14} {'n':>6} " + " ".join(f"{o:>11}" for o in OUTCOMES)
          + "  wrong link")  # fmt: skip
    for c in CLASSES:
        t = table[c]
        total = sum(t.values())
        print(f"  {c:<14} {total:>6} " + " ".join(f"{pct(t[o], total):>11}" for o in OUTCOMES)
              + f"  {wrong_link[c]:>6}")  # fmt: skip
    print(f"  {'(baseline days: genuine)':<21} {len(base):>6}  accepted {pct(base_acc, len(base))}")

    def pr(pred: str, positives: tuple[str, ...], outcomes_: tuple[str, ...]) -> str:
        tp = sum(table[c][o] for c in positives for o in outcomes_)
        predicted = sum(table[c][o] for c in CLASSES for o in outcomes_)
        actual = sum(sum(table[c].values()) for c in positives)
        return (f"  {pred:<38} precision {pct(tp, predicted)}  recall {pct(tp, actual)}"
                f"  ({tp:,} of {predicted:,} predicted, {actual:,} actual)")  # fmt: skip

    print("\nprecision / recall of each decision (measured week)")
    print(pr("accepted <-> genuine (incl. common name, group)", GENUINE, ("accepted",)))
    print(pr("duplicate <-> any repeat", REPEATS, ("duplicate",)))
    print(pr("not accepted <-> any repeat", REPEATS, ("duplicate", "held:flood", "held:other")))
    print(pr("held:flood <-> flood", ("flood",), ("held:flood",)))
    print(pr("not accepted <-> flood", ("flood",), ("duplicate", "held:flood", "held:other")))
    for c in CLASSES:
        target = {"flood": ("held:flood",)}.get(
            c, ("duplicate",) if c in REPEATS else ("accepted",)
        )
        print(pr(f"{'/'.join(target)} <-> {c}", (c,), target))

    # Persons counted twice: more than one accepted statement of one person.
    accepted_per_person = Counter(
        i["person"] for i in items
        if i["person"] is not None and decisions.get(i["eid"], [""])[0] == "accepted"
    )  # fmt: skip
    repeated_persons = {i["person"] for i in measured if i["label"] in REPEATS}
    twice = sum(accepted_per_person[p] > 1 for p in repeated_persons)

    def share(labels: tuple[str, ...], outs: tuple[str, ...]) -> tuple[int, int]:
        return (sum(table[c][o] for c in labels for o in outs),
                sum(sum(table[c].values()) for c in labels))  # fmt: skip

    aims = {}
    print("\nthe issue's aims (measured week)")
    a, b = share(GENUINE, ("accepted",))
    aims["genuine_accepted"] = a / b
    print(f"  genuine accepted without a person          {pct(a, b)}   aim >= 95 %")
    for c, aim in (("exact", 99), ("reworded", 90), ("other_channel", 90)):
        d, t = share((c,), ("duplicate",))
        h, _ = share((c,), ("held:flood", "held:other"))
        aims[f"{c}_not_twice"] = (d + h) / t
        print(f"  {c:<14} not counted twice          {pct(d + h, t)}   aim >= {aim} %  "
              f"(duplicate {pct(d, t).strip()}, held {pct(h, t).strip()})")  # fmt: skip
    print(
        f"  persons with a repeat counted twice        {pct(twice, len(repeated_persons))}"
        f"   ({twice} of {len(repeated_persons)}; any of their statements accepted twice)"
    )
    a, b = share(("flood",), ("accepted",))
    aims["flood_accepted"] = a / b
    print(f"  flood statements accepted                  {pct(a, b)}   aim <= 1 %")

    print(
        "\nheld, per reason code "
        "(share of the class's held statements; a statement can have several)"
    )
    for c in CLASSES:
        held = sum(table[c][o] for o in ("held:flood", "held:other"))
        if held:
            parts = ", ".join(
                f"{k} {100 * v / held:.0f} %" for k, v in held_reasons[c].most_common()
            )
            print(f"  {c:<14} {held:>5} held: {parts}")
    all_held = Counter()
    for c in CLASSES:
        all_held.update(held_reasons[c])
    total = len(measured)
    print(
        "  all classes, share of all measured statements: "
        + ", ".join(f"{k} {100 * v / total:.1f} %" for k, v in all_held.most_common())
    )

    print("\nper subclass (accepted / duplicate / held:flood / held:other)")
    for (c, sub), t in sorted(subs.items()):
        if c in ("genuine",) and sum(t.values()) < 30:
            continue
        tot = sum(t.values())
        print(
            f"  {c:<14} {sub:<40} {tot:>5}  " + " ".join(f"{pct(t[o], tot):>9}" for o in OUTCOMES)
        )
    return aims


def score_eval(items: list[dict], result: dict) -> None:
    decisions = result["decisions"]
    n = len(items)
    acc = sum(decisions[i["eid"]][0] == "accepted" for i in items)
    dec = Counter(decisions[i["eid"]][0] for i in items)
    reasons = Counter(r for i in items for r in set(decisions[i["eid"]][1]))
    print(f"\n=== parser evaluation set as genuine statements: {n} "
          f"(IN-SAMPLE for the parser, which was tuned on it) ===")  # fmt: skip
    print(f"  accepted {pct(acc, n)}  ({dict(dec)})   aim >= 95 %")
    print("  reasons: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    tags = Counter(t for i in items for t in i["sub"].split(","))
    held_tags = Counter(t for i in items if decisions[i["eid"]][0] != "accepted"
                        for t in i["sub"].split(","))  # fmt: skip
    print(
        "  not accepted per tag: "
        + ", ".join(f"{t} {held_tags[t]}/{tags[t]}" for t, _ in held_tags.most_common())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="~16,000 statements per split")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--splits", default=",".join(SPLITS))
    parser.add_argument("--no-eval", action="store_true", help="skip the parser's evaluation set")
    parser.add_argument("--keep", metavar="DIR", help="keep the scenario and results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.out)
        return
    print(machine(args.database))
    print(load())
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="santui-bench-screen-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        for split in args.splits.split(","):
            items = generate(split, args.scale)
            result = screen_items(items, args.database, workdir, split)
            score([i.to_json() for i in items], result, f"split {split}, scale {args.scale}")
        if not args.no_eval:
            items = eval_items(EVAL_SET)
            result = screen_items(items, args.database, workdir, "eval")
            score_eval([i.to_json() for i in items], result)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s; {load()}")


if __name__ == "__main__":
    if "--child" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
    main()
