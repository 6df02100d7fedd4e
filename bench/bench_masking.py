"""The masked copy of a text (``santui.statements.masking.statement_masked``) and what it reads
of the parser, on the evaluation texts and on the real statements of tests/textparse/eval/.

    .venv/bin/python bench/bench_masking.py [--rounds 5] [--src DIR]

Per corpus, microseconds a text, best of ``--rounds`` passes in this process: the full reading
(``parse_statement``), the signature alone (``read_signature``, where the tree has it) and
``statement_masked``. ``--src DIR`` imports santui from another tree (``git archive REV src |
tar -x -C /tmp/before``; copy this build's compiled parser into it to compare the masking
alone), to measure a change before and after on the same machine. ``santui.textparse.BUILD``
says whether the parser ran compiled. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

EVAL = Path(__file__).resolve().parent.parent / "tests" / "textparse" / "eval"


def _texts(path: Path) -> list[str]:
    return [json.loads(x)["text"] for x in path.read_text("utf-8").splitlines() if x.strip()]


def _best(fn: Callable[[str], object], texts: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - started)
    return best / len(texts) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--src", type=Path, help="import santui from this tree")
    args = parser.parse_args()
    if args.src is not None:
        sys.path.insert(0, str(args.src.resolve()))
    import santui.textparse
    from santui.statements import masking
    from santui.textparse import parse

    print(
        f"santui from {Path(santui.textparse.__file__).parents[2]}; parser {santui.textparse.BUILD}"
    )
    corpora = {
        "evaluation texts": _texts(EVAL / "statements.jsonl"),
        "real statements": _texts(EVAL / "real" / "statements.jsonl"),
    }
    readers: dict[str, Callable[[str], object]] = {"parse_statement": parse.parse_statement}
    if hasattr(parse, "read_signature"):
        readers["read_signature"] = parse.read_signature
    readers["statement_masked"] = lambda text: masking.statement_masked(text=text, name="")
    print(f"{'µs a text, best of ' + str(args.rounds):<26}" + "".join(f"{c:>18}" for c in corpora))
    for name, fn in readers.items():
        cells = "".join(f"{_best(fn, texts, args.rounds):>18.1f}" for texts in corpora.values())
        print(f"{name:<26}{cells}")


if __name__ == "__main__":
    main()
