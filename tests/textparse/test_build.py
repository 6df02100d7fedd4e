"""The parser's compiled build (setup.py, santui.textparse): it is what runs where it was built,
it reads every text exactly as the Python sources do, and a build whose sources have changed
is never run.

``SANTUI_PURE_PYTHON=1`` (at install time: nothing is compiled) skips the first two."""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import santui.textparse as textparse
from santui.textparse.parse import parse_statement

SRC = Path(textparse.__file__).parents[2]
EVAL = Path(__file__).parent / "eval"
PURE = os.environ.get("SANTUI_PURE_PYTHON") == "1"

# Reads texts (JSON lines on stdin) and writes each reading, as the process's build gives it.
READER = """
import importlib, json, sys
import santui.textparse as textparse
from santui.textparse.parse import parse_statement
files = [importlib.import_module("santui.textparse." + m).__file__ for m in textparse.COMPILED]
print(json.dumps([textparse.BUILD, sorted({f.rpartition(".")[2] for f in files})]))
for line in sys.stdin:
    item = json.loads(line)
    print(json.dumps(parse_statement(item["text"], hints=item.get("hints")).to_json(),
                     ensure_ascii=False, sort_keys=True))
"""


def _texts() -> list[dict[str, Any]]:
    """The evaluation set, the real statements, and 2,000 texts cut and joined from their
    sentences at random (seeded), some with the hints a form gives."""
    rows = [json.loads(x) for x in (EVAL / "statements.jsonl").read_text("utf-8").splitlines()]
    real = EVAL / "real" / "statements.jsonl"
    rows += [json.loads(x) for x in real.read_text("utf-8").splitlines() if x.strip()]
    items: list[dict[str, Any]] = [{"text": row["text"]} for row in rows]
    pieces = [p for row in rows for p in row["text"].replace("！", "。").split("。") if p]
    rng = random.Random(13)
    hints = [None, {"headcount": 3}, {"organizations": ["party"]}, {"region": {"country": "TW"}}]
    for _ in range(2_000):
        text = "。".join(rng.sample(pieces, rng.randint(1, 4)))
        items.append({"text": text, "hints": rng.choice(hints)})
    return items


def _read_in(env: dict[str, str], items: list[dict[str, Any]]) -> tuple[str, list[str], list[str]]:
    """The build that ran, the extensions of the files its modules came from ("py" or "so"),
    and the readings."""
    stdin = "\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n"
    done = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", READER],
        input=stdin, capture_output=True, text=True, env=env, timeout=600, check=True,
    )  # fmt: skip
    first, *readings = done.stdout.splitlines()
    build, kinds = json.loads(first)
    return build, kinds, readings


def _is_extension(module: str) -> bool:
    path = importlib.import_module(module).__file__ or ""
    return path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.mark.skipif(PURE, reason="SANTUI_PURE_PYTHON=1: nothing compiled")
def test_the_parser_runs_compiled_where_it_was_built() -> None:
    assert textparse.BUILD == "compiled", (
        f"{textparse.BUILD}: installed without a C compiler? `pip install -e .` with gcc and "
        "Python's headers compiles the parser; SANTUI_PURE_PYTHON=1 tests its sources instead"
    )
    for name in textparse.COMPILED:
        assert _is_extension(f"santui.textparse.{name}"), name


@pytest.mark.skipif(PURE, reason="SANTUI_PURE_PYTHON=1: nothing compiled")
def test_compiled_and_python_read_every_text_alike() -> None:
    items = _texts()
    compiled = [
        json.dumps(
            parse_statement(item["text"], hints=item.get("hints")).to_json(),
            ensure_ascii=False, sort_keys=True,
        )
        for item in items
    ]  # fmt: skip
    build, kinds, python = _read_in({**os.environ, "SANTUI_PURE_PYTHON": "1"}, items)
    assert (build, kinds) == ("python: SANTUI_PURE_PYTHON=1", ["py"])
    assert len(python) == len(items) > 4_000
    differ = [
        (item["text"], a, b) for item, a, b in zip(items, compiled, python, strict=True) if a != b
    ]
    assert differ == []


def test_a_build_whose_sources_changed_is_not_run(tmp_path: Path) -> None:
    """A copy of the package as built; a rule module edited after the build: every module of
    the build is then read from its source (mypyc's modules call each other directly). The
    files' times do not matter (a wheel's install gives the sources and the extensions about
    the same time, in any order): their content does."""
    copy = tmp_path / "src"
    shutil.copytree(SRC / "santui", copy / "santui", ignore=shutil.ignore_patterns("__pycache__"))
    for shared in SRC.glob("*__mypyc*"):  # mypyc's runtime, beside the package
        shutil.copy2(shared, copy / shared.name)
    package = copy / "santui" / "textparse"
    for source in package.glob("*.py"):  # sources newer than the extensions: no matter
        os.utime(source, (source.stat().st_mtime + 60, source.stat().st_mtime + 60))
    env = {**os.environ, "PYTHONPATH": str(copy)}
    env.pop("SANTUI_PURE_PYTHON", None)
    items = [{"text": "我退出共青团和少先队，王明，辽宁沈阳"}]

    build, kinds, before = _read_in(env, items)
    assert (build, kinds) == (("python", ["py"]) if PURE else ("compiled", ["so"]))

    edited = package / "names.py"
    edited.write_text(edited.read_text("utf-8") + "\n# edited after the build\n", "utf-8")
    build, kinds, after = _read_in(env, items)
    if PURE:  # nothing built: the sources run, as they did
        assert build == "python"
    else:
        assert build == "python: names.py changed since the compiled build (pip install -e . again)"
    assert kinds == ["py"]  # all of them, not names.py alone
    assert after == before

    if not PURE:  # a build without its record is not run either
        (package / textparse.BUILD_RECORD).unlink()
        build, kinds, _ = _read_in(env, items)
        assert build.startswith("python: the compiled build has no _build.json")
        assert kinds == ["py"]


def _constants_not_final(path: Path) -> list[str]:
    """Module-level names in capitals bound once at the top level without ``Final``."""
    tree = ast.parse(path.read_text("utf-8"))
    bound: dict[str, int] = {}
    plain: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound[target.id] = bound.get(target.id, 0) + 1
                if not (isinstance(node.value, ast.Call) and
                        getattr(node.value.func, "id", "") == "TypeVar"):  # fmt: skip
                    plain.append(target.id)
    return [n for n in plain if re.fullmatch("_?[A-Z][A-Z0-9_]*", n) and bound[n] == 1]


@pytest.mark.parametrize("module", textparse.COMPILED)
def test_the_compiled_modules_constants_are_final(module: str) -> None:
    """A module-level constant of a compiled module is ``Final``: mypyc then keeps it in a C
    variable (or inlines a number or a string) instead of looking it up in the module's
    dictionary at every use (lx.PARTY: two look-ups). With them the compiled parse runs 14 %
    fewer instructions per evaluation text (docs/benchmarks.md, "Module constants as Final")."""
    path = SRC / "santui" / "textparse" / f"{module}.py"
    assert _constants_not_final(path) == []
