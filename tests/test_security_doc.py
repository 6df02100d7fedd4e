"""docs/security.md points each protection at a test: every `tests/...py` and
`tests/...py::test_name` it names must exist, so the threat model cannot point at tests that are
gone or renamed."""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"

# tests/x/test_y.py, tests/x/test_y.py::test_z, tests/x/test_y.py::Class::test_z
REFERENCE = re.compile(r"\btests/[\w./-]*?\.py(?:::\w+)*")


@cache
def _defined(path: Path) -> frozenset[str]:
    """Every function name in the file, as `name` (module level) and `Class::name` (methods)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names |= {f"{node.name}::{f.name}" for f in node.body if isinstance(f, functions)}
    return frozenset(names)


def broken_references(text: str, root: Path = ROOT) -> list[str]:
    """The references in ``text`` whose file or test does not exist under ``root``."""
    broken = []
    for reference in REFERENCE.findall(text):
        file, _, test = reference.partition("::")
        path = root / file
        if not path.is_file():
            broken.append(f"{reference}: no such file")
        elif test and (not test.split("::")[-1].startswith("test") or test not in _defined(path)):
            broken.append(f"{reference}: no such test in {file}")
    return broken


def test_every_test_the_threat_model_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) >= 40, "the threat model points at fewer tests than it did"
    assert not broken_references(text), "\n".join(broken_references(text))


def test_a_wrong_reference_is_caught() -> None:
    here = "tests/test_security_doc.py"
    assert broken_references(f"`{here}::test_a_wrong_reference_is_caught`") == []
    assert broken_references(f"`{here}`") == []
    assert broken_references(f"`{here}::test_gone`") == [
        f"{here}::test_gone: no such test in {here}"
    ]
    assert broken_references(f"`{here}::broken_references`")  # a helper is not a test
    assert broken_references("`tests/nowhere/test_gone.py::test_x`") == [
        "tests/nowhere/test_gone.py::test_x: no such file"
    ]
    method = (
        "tests/tally/test_invariants.py::TallyEqualsRecount"
        "::test_tally_equals_recount_after_any_sequence"
    )
    assert broken_references(f"`{method}`") == []
    assert broken_references(f"`{method}x`")


def test_the_threat_model_names_every_adversary_and_what_is_not_protected() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in (
        "## Assets",
        "## A state watching the public site, its API and the network",
        "## A compromised volunteer account",
        "## A seized public host",
        "## A seized office host",
        "## A flooder or spammer",
        "## A curious insider",
    ):
        assert heading in text, heading
    assert text.count("**Not protected.**") == 6
