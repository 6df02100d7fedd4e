"""The build: setuptools reads everything from pyproject.toml except the compiled modules below.

The statement parser's rule modules are compiled with mypyc (it ships with mypy, pinned in
pyproject.toml's build requirements) into C extensions, which read every text exactly as the
Python modules do, about 1.2 to 1.4 times faster (issue 13; docs/textparse.md, "Speed"). It
needs a C compiler and Python's headers. Where an extension cannot be built it is left out
(``optional``) and the Python modules run: slower, never different. ``SANTUI_PURE_PYTHON=1``
at install time builds nothing; at run time it makes the parser ignore what was built
(santui.textparse).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, "src")  # the list of compiled modules, from the package itself
from santui.textparse import BUILD_RECORD, COMPILED, source_digests

PACKAGE = Path("src/santui/textparse")


class BuildExt(build_ext):
    """setuptools' build_ext, which then records the digests of the compiled sources beside the
    extensions (BUILD_RECORD), only when every one of them was built (or found up to date with
    the C that mypyc has just written from those sources): an extension whose compile failed,
    left from an earlier build, is never run (santui.textparse)."""

    def run(self) -> None:
        self.failed: set[str] = set()
        # beside the extensions: the package itself (in place), or the build's copy of it, which
        # may hold a record copied from the package (build_py) or left by an earlier build
        folder = PACKAGE if self.inplace else Path(self.build_lib) / "santui" / "textparse"
        record = folder / BUILD_RECORD
        record.unlink(missing_ok=True)
        super().run()
        outputs = [Path(self.get_ext_fullpath(ext.name)) for ext in self.extensions]
        if self.failed or not outputs or not all(p.exists() for p in outputs):
            return  # not all built (optional ones failed): the sources run
        folder.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(source_digests(), indent=1) + "\n", "utf-8")

    def build_extension(self, ext: Extension) -> None:
        self.failed.add(ext.name)  # an optional extension's error is swallowed above this
        super().build_extension(ext)
        self.failed.discard(ext.name)


def compiled() -> list[Extension]:
    if os.environ.get("SANTUI_PURE_PYTHON") == "1":
        return []
    from mypyc.build import mypycify

    # Typed without pyproject's mypy settings (their Django plugin is not installed in the
    # build's environment); the third-party modules the parser imports are read as Any.
    flags = ["--config-file=", "--ignore-missing-imports", "--follow-imports=silent"]
    extensions = mypycify([*flags, *(str(PACKAGE / f"{name}.py") for name in COMPILED)])
    for extension in extensions:
        extension.optional = True  # no compiler: the Python modules, with a warning
    return extensions


setup(ext_modules=compiled(), cmdclass={"build_ext": BuildExt})
