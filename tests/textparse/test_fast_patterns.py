"""The patterns written for speed find what their readable forms find.

Python's regular-expression engine skips ahead to the characters that can start a match only
when a pattern starts with a character or a class (a look-behind, a group of alternatives of
classes, or ``[0-9]{1,6}`` first make it try every position of the text). Some of the parser's
patterns are written that way for speed: the look-behind moved after the first character, the
character before a list matched instead of looked behind, a number's first character first,
a list of names separated by spaces searched from where it can begin.
Here each is checked against the readable pattern it replaced, on random strings of the
characters that matter and on every text of the corpora.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.textparse import headcount, normalize
from santui.textparse.normalize import CJK
from santui.textparse.organizations import _clause_tail

EVAL = Path(__file__).parent / "eval"
_PUNCT_READABLE = (
    r"\s!-/:-@\[-`{-~\x00-\x1f\x7f\u00a0\u00b7\u2000-\u206f\u3000-\u303f\ufe10-\ufe1f\ufe30-\ufe4f"
    r"\ufe50-\ufe6f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2460-\u24ff\u2500-\u257f"
    r"\u25a0-\u25ff\u2600-\u27bf"
)
GAP = re.compile(f"(?<=[{CJK}])([{_PUNCT_READABLE}]+)(?=[{CJK}])")
GAP_MIXED = re.compile(
    f"((?<=[{CJK}])[{_PUNCT_READABLE}]+(?=[{CJK}])"
    f"|(?<=[{CJK}])[ \t\u3000]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])[ \t\u3000]+(?=[{CJK}]))"
)
_ITEM = f"[{CJK}]{{2,4}}"
NAME_LIST = re.compile(rf"(?<![{CJK}])(?:{_ITEM}\s*[、,，;；]\s*){{1,}}{_ITEM}")
SPACE_LIST = re.compile(rf"(?:(?<![{CJK}]){_ITEM}[ \t\u3000]+){{2,}}{_ITEM}(?![{CJK}])")
_NUM = "零〇一二两三四五六七八九十百千万"
CORE = re.compile(rf"([0-9]{{1,6}}|[{_NUM}]{{1,6}})\s*(口人|个人|口|人|位|名)")
CLAUSE_TAIL = re.compile("[^，,。！？!?；;\n]*$")

# the characters the patterns turn on, and a few others
ALPHABET = list(
    "王李张明华小老阿退党我们人三十5０a-_ \t\u3000\n、,，;；。！?（)\u00a0\u1680\u2028·…"
)
STRINGS = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)


def _corpus() -> list[str]:
    texts = []
    for path in [EVAL / "statements.jsonl", EVAL / "real" / "statements.jsonl"]:
        texts += [orjson.loads(line)["text"] for line in path.read_bytes().splitlines()]
    return texts


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    texts = _corpus()
    return texts + [normalize.normalize(t).norm for t in texts]


def _lists(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of name lists in ``text``, as headcount finds them (in the text after one space)."""
    padded = " " + text
    return (
        [(m.start(1) - 1, m.end(1) - 1) for m in headcount._NAME_LIST.finditer(padded)],
        [(m.start(1) - 1, m.end(1) - 1) for m in headcount._space_lists(text, padded)],
    )


def _same(text: str) -> None:
    assert normalize._GAP.split(text) == GAP.split(text)
    assert normalize._GAP_MIXED.split(text) == GAP_MIXED.split(text)
    assert _lists(text) == (
        [m.span() for m in NAME_LIST.finditer(text)],
        # searched when the text holds two spaces (or ideographic ones)
        [m.span() for m in SPACE_LIST.finditer(text)]
        if text.count(" ") + text.count("\u3000") >= 2
        else [],
    )
    assert [m.groups() for m in headcount._CORE.finditer(text)] == [
        m.groups() for m in CORE.finditer(text)
    ]
    for start in range(0, len(text) + 1, 3):
        for end in (start, min(len(text), start + 7), min(len(text), start + 16)):
            assert _clause_tail(text, start, end) == CLAUSE_TAIL.search(text, start, end).group()


@settings(max_examples=600, deadline=None)
@given(STRINGS)
def test_the_fast_patterns_find_what_the_readable_ones_find(text: str) -> None:
    _same(text)


def test_the_fast_patterns_on_every_corpus_text(corpus: list[str]) -> None:
    for text in corpus:
        _same(text)


def test_the_punctuation_class_is_the_readable_one() -> None:
    fast = re.compile(f"[{normalize._PUNCT}]")
    readable = re.compile(f"[{_PUNCT_READABLE}]")
    differ = [
        c for c in range(0x110000) if bool(fast.match(chr(c))) != bool(readable.match(chr(c)))
    ]
    assert differ == []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ahi_ 1我让人们多的,")), max_size=20))
def test_a_look_behind_after_the_first_character_is_the_same(text: str) -> None:
    """The two rewrites the alternations use: ``x(?<!\\wx)`` for ``\\bx`` before a letter, and
    ``x(?<![C]x)`` for ``(?<![C])x``."""
    for fast, readable in [
        (r"h(?<!\wh)i", r"\bhi"),
        (r"i(?<!\wi) a", r"\bi a"),
        ("人(?<![多的们]人)们?", "(?<![多的们])人们?"),
        ("我(?<![让把]我)们", "(?<!让|把)我们"),
        ("人(?<=我人)们?", "(?<=我)人们?"),
    ]:
        assert [m.span() for m in re.finditer(fast, text)] == [
            m.span() for m in re.finditer(readable, text)
        ]


def _starts(pattern: re.Pattern[str]) -> bool:
    """Whether the engine can skip to the characters that start a match: the pattern's compiled
    form opens with a literal prefix or a character set (sre's INFO block)."""
    from re import _compiler, _constants, _parser  # type: ignore[attr-defined]

    code = _compiler._code(_parser.parse(pattern.pattern, pattern.flags), pattern.flags)
    return code[0] == _constants.INFO and code[2] & (1 | 4) != 0


@pytest.mark.parametrize(
    "pattern",
    [
        "normalize._GAP", "normalize._GAP_MIXED", "normalize._LATIN_WORD", "headcount._CORE",
        "headcount._PEOPLE", "headcount._WE_ZH", "headcount._NAME_LIST", "headcount._SPACE_LIST",
        "organizations._NOT_MINE_HINT", "organizations._DECLARES", "parse._SELF",
        "parse._MAINLAND_SELF",
    ],
)  # fmt: skip
def test_the_patterns_written_for_speed_start_with_a_character(pattern: str) -> None:
    from importlib import import_module

    module, name = pattern.split(".")
    assert _starts(getattr(import_module(f"santui.textparse.{module}"), name))
