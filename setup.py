"""The build: setuptools reads everything from pyproject.toml except the compiled modules below.

The statement parser's rule modules are compiled with mypyc (it ships with mypy, pinned in
pyproject.toml's build requirements) into C extensions, which read every text exactly as the
Python modules do, about 1.3 to 1.6 times faster (issue 13; docs/textparse.md, "Speed"). It
needs a C compiler and Python's headers. Where an extension cannot be built it is left out
(``optional``) and the Python modules run: slower, never different. ``SANTUI_PURE_PYTHON=1``
at install time builds nothing; at run time it makes the parser ignore what was built
(santui.textparse).
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup

sys.path.insert(0, "src")  # the list of compiled modules, from the package itself
from santui.textparse import COMPILED


def compiled() -> list[Extension]:
    if os.environ.get("SANTUI_PURE_PYTHON") == "1":
        return []
    from mypyc.build import mypycify

    # Typed without pyproject's mypy settings (their Django plugin is not installed in the
    # build's environment); the third-party modules the parser imports are read as Any.
    flags = ["--config-file=", "--ignore-missing-imports", "--follow-imports=silent"]
    extensions = mypycify([*flags, *(f"src/santui/textparse/{name}.py" for name in COMPILED)])
    for extension in extensions:
        extension.optional = True  # no compiler: the Python modules, with a warning
    return extensions


setup(ext_modules=compiled())
