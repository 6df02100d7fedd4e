"""Text normalization for the statement parser: script, Traditional -> Simplified, compaction.

The parser matches keywords in a *compact* form of the text: Simplified Chinese (OpenCC t2s),
lower case, and with every run of punctuation or spaces between two CJK characters removed, so
that "三:退." and "退!党!" (keywords broken up on mirror sites) read 三退 and 退党. Positions in
the compact text map back to the original text, which is what names and places are reported
from ("as written").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Final

import opencc

# Work is capped: a statement longer than this is read up to here (the limit of the public
# form is 5,000 characters; the cap only protects batch jobs from hostile input).
MAX_CHARS: Final = 20_000

CJK: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PUNCT: Final = (
    # ASCII punctuation, spaces and control characters, and the spaces beyond ASCII that the
    # ranges below leave out (what \s matches, written out: a class without \s is one table)
    " !-/:-@\\[-`{-~\x00-\x1f\x7f\x85\u1680"
    "\u00a0\u00b7\u2000-\u206f"  # nbsp, middle dot, general punctuation (… — ‘’ “”)
    "\u3000-\u303f"  # CJK symbols and punctuation (。、「」『』【】《》〈〉)
    "\ufe10-\ufe1f\ufe30-\ufe4f\ufe50-\ufe6f"  # vertical and small forms
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # full-width punctuation
    "\u2460-\u24ff\u2500-\u257f\u25a0-\u25ff\u2600-\u27bf"  # circled digits, boxes, shapes
)
HAS_CJK: Final = re.compile(f"[{CJK}]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# Full-width digits and Latin letters (３退, ＣＣＰ), read as their ASCII forms, one for one, and
# the marks of a date, a time or an address typed full-width (２０２０－０１－２３ ２３：１４,
# ｈｔｔｐ：／／ｅｐｏｃｈｔｉｍｅｓ．ｃｏｍ): －．／ anywhere, ： between letters or digits. The
# other full-width marks are Chinese punctuation (，！？：).
_FULL_WIDTH: Final = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_HALF_WIDTH: Final = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
                      for c in range(*r)}  # fmt: skip
_FULL_MARKS: Final = "\uff0d\uff0e\uff0f\uff1a"


def _half_width_marks(text: str) -> str:
    """－．／ as ASCII, and ： between letters or digits (23：14, ｈｔｔｐ：／／), not 声明人：."""
    at: list[int] = []
    last = len(text) - 1
    for mark in _FULL_MARKS:
        i = text.find(mark)
        while i >= 0:
            if mark != "\uff1a" or (
                0 < i < last
                and text[i - 1].isascii()
                and text[i - 1].isalnum()
                and (text[i + 1] in "/\uff0f" or (text[i + 1].isascii() and text[i + 1].isalnum()))
            ):
                at.append(i)
            i = text.find(mark, i + 1)
    if not at:
        return text  # most texts: only the Chinese colon, 声明人：
    chars = list(text)
    for i in at:
        chars[i] = chr(ord(chars[i]) - 0xFEE0)
    return "".join(chars)


_LATIN_WORDS: Final = re.compile(r"[A-Za-z]{2,}[^A-Za-z]+[A-Za-z]{2,}")
# two classes, not [A-Za-z]{2}: a pattern that starts with a class is searched by skipping to it
_LATIN_WORD: Final = re.compile("[A-Za-z][A-Za-z]")
# Punctuation between Chinese characters, and spaces between a Chinese character and a Latin
# letter or digit (我住在 Wuhan 汉口, 来 Canada 看女儿): removed from the compact text.
# Each pattern starts with the punctuation it removes, and looks behind it for the character
# before: the regular-expression engine then skips at once to the marks, instead of trying the
# look-behind at every character of the text.
_GAP: Final = re.compile(f"([{_PUNCT}](?<=[{CJK}][{_PUNCT}])[{_PUNCT}]*)(?=[{CJK}])")
# the same, with the spaces of mixed script (texts with Latin words)
_GAP_MIXED: Final = re.compile(
    f"([{_PUNCT}](?:(?<=[{CJK}][{_PUNCT}])[{_PUNCT}]*(?=[{CJK}])"
    f"|(?<=[{CJK}][ \t\u3000])[ \t\u3000]*(?=[A-Za-z0-9])"
    f"|(?<=[A-Za-z0-9][ \t\u3000])[ \t\u3000]*(?=[{CJK}])))"
)
# Punctuation that ends a clause: the scope of "退出" does not run past it.
_STRONG_CHARS: Final = "。！？!?；;\n\r.．｡"
_STRONG: Final = re.compile(f"[{_STRONG_CHARS}]")
_STRONG_MARKS: Final = frozenset(_STRONG_CHARS)
# An ASCII full stop after a Chinese character (not in 2020.3.5, 中国.com or an ellipsis ...):
# the norm text reads it as 。, as the rules that look for a sentence's end expect.
_CJK_FULL_STOP: Final = re.compile(f"\\.(?<=[{CJK}]\\.)(?![.0-9A-Za-z])")
# More gaps than this per compact character: the text was broken up on purpose (退!党!), and
# its punctuation says nothing about clauses.
_OBFUSCATED_RATIO: Final = 0.3


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


# Hong Kong's variant characters that t2s leaves as they are (衞生, 中衞市, 敍述): what OpenCC's
# hk2s makes of them, as a table (hk2s itself converts at half t2s's speed, and differs from t2s
# on no other character; tests/textparse/test_parse_properties.py checks it).
HK_VARIANTS: Final = {"敍": "叙", "枱": "台", "粧": "妆", "糭": "粽", "衞": "卫", "衹": "只"}
_HK_TABLE: Final = str.maketrans(HK_VARIANTS)


@cache
def _traditional_chars() -> re.Pattern[str]:
    """A character class of every CJK character that t2s changes (about 4,200), and the Hong
    Kong variants."""
    chars = [chr(c) for c in range(0x3400, 0xA000)] + [chr(c) for c in range(0xF900, 0xFB00)]
    converted = str(_converter("t2s").convert("\n".join(chars))).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC keeps one line per line
        return re.compile(f"[{CJK}]")  # then every CJK text goes through t2s
    changed = "".join(c for c, s in zip(chars, converted, strict=True) if c != s)
    return re.compile(f"[{re.escape(changed + ''.join(HK_VARIANTS))}]")


def to_simplified(text: str) -> str:
    if _traditional_chars().search(text) is None:
        return text
    return str(_converter("t2s").convert(text)).translate(_HK_TABLE)


# bisect's two searches, for a sorted list of ints, compiled with the rest (mypyc): the
# positions of gaps and phrases are looked up a few dozen times a text, and a call to the
# bisect module costs several times the search itself (its arguments parsed, each item compared
# as an object).
def bisect_left(a: list[int], x: int) -> int:
    """``bisect.bisect_left(a, x)``: the first index whose item is not below ``x``."""
    lo = 0
    hi = len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def bisect_right(a: list[int], x: int) -> int:
    """``bisect.bisect_right(a, x)``: the first index whose item is above ``x``."""
    lo = 0
    hi = len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(slots=True)
class Normalized:
    original: str  # the text as given (capped at MAX_CHARS; LF line ends, full-width ASCII made
    # half-width)
    norm: str  # Simplified, same length as ``original`` (else ``original`` itself)
    compact: str  # ``norm`` in lower case with the gaps between CJK characters removed
    script: str  # simplified | traditional | mixed (with English words) | latin
    language: str  # zh | en
    gap_at: list[int]  # compact positions where a gap was removed, ascending
    gap_shift: list[int]  # characters removed up to and including each gap (cumulative)
    strong: list[int]  # compact positions of clause-ending gaps, ascending
    gap_end: list[int] | None = None  # norm positions where each gap ends (made when needed)
    title_at: int = -1  # where a title line may begin (title_start), -1 until asked

    def title_start(self) -> int:
        """Where a title line may begin: 0, or after a first line that only greets (您好：)."""
        at = self.title_at
        if at < 0:
            m = _GREETING.match(self.norm)
            at = self.title_at = 0 if m is None else m.end()
        return at

    def to_compact(self, pos: int) -> int:
        """The compact position of norm position ``pos`` (not inside a gap)."""
        if not self.gap_at:
            return pos
        ends = self.gap_end
        if ends is None:
            ends = self.gap_end = [a + s for a, s in zip(self.gap_at, self.gap_shift, strict=True)]
        k = bisect_right(ends, pos)
        return pos - (self.gap_shift[k - 1] if k else 0)

    def to_norm(self, pos: int) -> int:
        """The position in ``norm`` (and ``original``) of compact position ``pos``.

        A position at a gap maps to the character after the gap (a match start).
        """
        i = bisect_right(self.gap_at, pos)
        return pos + (self.gap_shift[i - 1] if i else 0)

    def to_norm_end(self, pos: int) -> int:
        """The position in ``norm`` just after the compact character before ``pos`` (a match
        end): the gap that follows a match is not part of it."""
        if pos <= 0:
            return 0
        return self.to_norm(pos - 1) + 1

    def gap_at_position(self, pos: int) -> bool:
        """Whether punctuation or spaces were removed right before compact position ``pos``."""
        i = bisect_left(self.gap_at, pos)
        return i < len(self.gap_at) and self.gap_at[i] == pos

    def boundary_between(self, start: int, end: int) -> bool:
        """Whether a clause ends between compact positions ``start`` and ``end``."""
        if start > end:
            return False
        if self.strong and bisect_left(self.strong, start) < bisect_right(self.strong, end):
            return True
        return start < end and _STRONG.search(self.compact, start, end) is not None


# A first line that only greets or addresses the reader (您好：, 尊敬的大纪元编辑：, Dear editor,):
# the line after it is where a title would stand. A line that says more is not one (Hello, I
# quit the CCP.).
_GREETING: Final = re.compile(
    r"[ \t\u3000]*(?:[^\n退]{0,12}?(?:你好|您好|大家好|各位好)|(?:尊敬的|亲爱的|致)[^\n退]{1,16}?"
    r"|(?:dear|hello|hi)\b(?:[ \t]+[a-z.']+){0,5})[ \t\u3000!！,，:：.。~～]*\n",
    re.I,
)


_CJK_FEW: Final = 12  # characters: a name in Chinese (梁青) inside an English statement
_LATIN_LETTER: Final = re.compile("[A-Za-z]")


def _english_with_a_few_characters(text: str) -> bool:
    """An English statement with a name or two in Chinese characters ("Liang Qing (梁青),
    Nanchang"): read as English. Not a Chinese one with English words (退出 CCP)."""
    ascii_count = len(text.encode("ascii", "ignore"))
    if len(text) - ascii_count > 3 * _CJK_FEW:
        return False  # most Chinese texts: many characters beyond ASCII, counted in C
    if ascii_count <= 40:  # at most 40 Latin letters: English only if no CJK character at all
        return HAS_CJK.search(text) is None and _LATIN_LETTER.search(text) is not None
    cjk = 0
    for cjk, _ in enumerate(HAS_CJK.finditer(text), 1):
        if cjk > _CJK_FEW:
            return False  # most texts: stops at the thirteenth character
    return len(_LATIN_LETTER.findall(text)) > 40 * cjk


def normalize(text: str) -> Normalized:
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if not text.isascii() and _SURROGATE.search(text) is not None:
        text = _SURROGATE.sub("\ufffd", text)  # not encodable: U+FFFD, same length
    if not text.isascii():
        if _FULL_WIDTH.search(text) is not None:
            text = text.translate(_HALF_WIDTH)
        text = _half_width_marks(text)  # 2020－01－23 23：14, ｈｔｔｐ：／／
    if "\r" in text:  # a form's or a mail's CRLF (and a lone CR) ends a line as LF does
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if HAS_CJK.search(text) is None or _english_with_a_few_characters(text):
        lowered = _lower(text)
        return Normalized(text, text, lowered, "latin", "en", [], [], [])
    script = "simplified"
    norm = text
    if _traditional_chars().search(text) is not None:
        norm = str(_converter("t2s").convert(text)).translate(_HK_TABLE)
        if len(norm) != len(text):  # pragma: no cover - t2s maps character to character
            text = norm
        script = "traditional"
    if "申明" in norm:  # 申明 written for 声明 (申明退出, 申明人): one word to the reading
        norm = norm.replace("申明", "声明")
    if "." in norm:  # 我很心痛.共产党…: a full stop typed in ASCII ends the sentence as 。 does
        norm = _CJK_FULL_STOP.sub("。", norm)
    word = _LATIN_WORD.search(text)  # most Chinese texts have none: one scan, nothing more
    if word is not None and _LATIN_WORDS.search(text, word.start()) is not None:
        script = "mixed"  # Chinese and English together (我是 student, 退出 CCP)
    parts = (_GAP if word is None else _GAP_MIXED).split(norm)
    if len(parts) == 1:
        return Normalized(text, norm, _lower(norm), script, "zh", [], [], [])
    pieces = parts[0::2]
    gaps = parts[1::2]
    compact = "".join(pieces)
    gap_at = list(accumulate(map(len, pieces[:-1])))
    gap_shift = list(accumulate(map(len, gaps)))
    strong: list[int] = []
    if len(gaps) <= _OBFUSCATED_RATIO * len(compact) and _STRONG.search("".join(gaps)):
        # most gaps are one mark (，。): a set look-up, not a search
        strong = [
            at
            for at, gap in zip(gap_at, gaps, strict=True)
            if (gap in _STRONG_MARKS if len(gap) == 1 else _STRONG.search(gap) is not None)
        ]
    return Normalized(text, norm, _lower(compact), script, "zh", gap_at, gap_shift, strong)


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower-case to two (İ): keep positions aligned, lower ASCII only.
    return "".join(c.lower() if c.isascii() else c for c in text)
