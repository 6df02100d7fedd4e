"""Statement text -> structured fields, and the reference data it needs (gazetteer, sectors).

``santui.textparse.parse.parse_statement`` reads one statement (docs/textparse.md).

Pure Python: nothing here imports Django, so it can run in batch jobs and benchmarks alone.

The rule modules in ``COMPILED`` are also built as C extensions with mypyc when the package is
installed (setup.py), and Python imports an extension before the source beside it. The build
records the SHA-256 of each source it compiled (``_build.json``). A source that differs from
its record (a rule edited since ``pip install -e .``) would leave the old rules running: then,
or with ``SANTUI_PURE_PYTHON=1`` in the environment, they are all imported from their sources
instead (mypyc's modules call each other directly, so it is all or none). ``BUILD`` says which
ran.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Final

# the modules setup.py compiles: typed for mypyc, and read the same compiled or not
COMPILED: Final = (
    "normalize", "automaton", "organizations", "headcount", "names", "places", "learned", "parse",
)  # fmt: skip

_HERE: Final = Path(__file__).parent
BUILD_RECORD: Final = "_build.json"  # written by setup.py: the digests of the sources it compiled


def source_digests() -> dict[str, str]:
    """The SHA-256 of each compiled module's source, as setup.py records them."""
    return {
        name: hashlib.sha256((_HERE / f"{name}.py").read_bytes()).hexdigest() for name in COMPILED
    }


def _build_state() -> str:
    """Which modules run: "compiled"; "python" when nothing was built; "python: <why>" when
    a build is there but its sources run."""
    if os.environ.get("SANTUI_PURE_PYTHON") == "1":
        return "python: SANTUI_PURE_PYTHON=1"
    built = sum(
        any(
            (_HERE / f"{name}{suffix}").exists()
            for suffix in importlib.machinery.EXTENSION_SUFFIXES
        )
        for name in COMPILED
    )
    if built == 0:
        return "python"
    if built < len(COMPILED):
        return f"python: {len(COMPILED) - built} of the compiled modules are missing"
    try:
        recorded = json.loads((_HERE / BUILD_RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return f"python: the compiled build has no {BUILD_RECORD} (pip install -e . again)"
    for name, digest in source_digests().items():
        if recorded.get(name) != digest:
            return f"python: {name}.py changed since the compiled build (pip install -e . again)"
    return "compiled"


class _SourcesFirst(importlib.abc.MetaPathFinder):
    """Finds the modules of COMPILED in their sources, never in an extension."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


BUILD: Final = _build_state()
if BUILD != "compiled" and BUILD != "python":
    sys.meta_path.insert(0, _SourcesFirst())
