"""Sort keys for names in the reader's language (lists of countries and areas, tables).

Code-point order puts 阿 after 中 and "Åland" after "Zambia". Each language gets the order its
readers look things up in:

- English (and any other language): the Unicode Collation Algorithm with its default table
  (``pyuca``), which decides by letters first and only then by accents and case: "Åland
  Islands" among the A's, "Côte d’Ivoire" before "Cuba".
- Simplified Chinese: by pinyin, the default of CLDR's ``zh`` collation: syllable by
  syllable, then tone (1 to 4, neutral last), then strokes; characters other than Han before
  Han ones. The reading of a character is its most common one (Unihan via ``pypinyin``'s
  single-character table), as CLDR does: no phrase context (塞尔维亚 under S, 阿 as ā).
- Traditional Chinese: by total strokes (traditional counts, Unihan ``kTotalStrokes`` via
  ``unicodedataplus``), then by code point (radical-stroke order in the CJK block): the
  ``stroke`` order that CLDR makes the default of ``zh-Hant``, as readers in Taiwan and Hong
  Kong expect from an index.

PyICU would give CLDR's tables themselves, but it builds from source against the system's ICU
headers (no wheel on the registry), which a fresh clone cannot count on; these three are
wheels. Pure: no Django.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

import pyuca  # type: ignore[import-untyped]
import unicodedataplus  # type: ignore[import-not-found]

T = TypeVar("T")
Key = tuple[Any, ...]
_import_lock = threading.Lock()


def collation_of(language: str) -> str:
    """The collation of a Django language code or a Babel locale ("zh-hans", "zh_Hant",
    "en", ...): "pinyin", "stroke" or "uca"."""
    code = language.lower().replace("_", "-")
    if code.startswith("zh"):
        return "stroke" if "hant" in code or code in ("zh-tw", "zh-hk", "zh-mo") else "pinyin"
    return "uca"


@cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()


@cache
def _readings() -> tuple[dict[int, str], Callable[..., str]]:
    """pypinyin's single-character readings and its tone converter, without loading its
    phrase dictionary (about 50 MB that a sort by character does not need)."""
    with _import_lock:
        if "pypinyin" in sys.modules:
            from pypinyin.contrib.tone_convert import to_tone3
            from pypinyin.pinyin_dict import pinyin_dict
        else:
            before = os.environ.get("PYPINYIN_NO_PHRASES")
            os.environ["PYPINYIN_NO_PHRASES"] = "true"
            try:
                from pypinyin.contrib.tone_convert import to_tone3
                from pypinyin.pinyin_dict import pinyin_dict
            finally:
                if before is None:
                    del os.environ["PYPINYIN_NO_PHRASES"]
                else:
                    os.environ["PYPINYIN_NO_PHRASES"] = before
    return pinyin_dict, to_tone3


def _is_han(char: str) -> bool:
    return bool(unicodedataplus.script(char) == "Han")


def _strokes(char: str, source: str) -> int:
    count = unicodedataplus.total_strokes(char, source) or unicodedataplus.total_strokes(char)
    return int(count) if count else 99


@cache
def _pinyin_key(char: str) -> Key:
    readings, to_tone3 = _readings()
    reading = readings.get(ord(char), "").split(",")[0]
    if not reading:
        return ("~", 9, _strokes(char, "G"), ord(char))  # no known reading: after all others
    tone3 = to_tone3(reading, neutral_tone_with_five=True)
    tone = int(tone3[-1]) if tone3[-1].isdigit() else 5
    return (tone3.rstrip("012345"), tone, _strokes(char, "G"), ord(char))


@cache
def _stroke_key(char: str) -> Key:
    return (_strokes(char, "T"), ord(char))


def sort_key(text: str, language: str) -> Key:
    """A key that sorts ``text`` in the collation of ``language`` (see the module)."""
    how = collation_of(language)
    if how == "uca":
        return (tuple(_collator().sort_key(text)),)
    han_key = _pinyin_key if how == "pinyin" else _stroke_key
    out: list[Key] = []
    run = ""  # characters other than Han, keyed together by the UCA, before any Han
    for char in text:
        if _is_han(char):
            if run:
                out.append((0, tuple(_collator().sort_key(run))))
                run = ""
            out.append((1, han_key(char)))
        else:
            run += char
    if run:
        out.append((0, tuple(_collator().sort_key(run))))
    return tuple(out)


def collated(items: Iterable[T], language: str, *, key: Callable[[T], str]) -> list[T]:
    """``items`` sorted by ``key(item)`` in the collation of ``language``."""
    return sorted(items, key=lambda item: sort_key(key(item), language))
