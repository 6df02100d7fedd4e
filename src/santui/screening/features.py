"""What the screener reads of a statement: blind keys, a MinHash signature, and flags.

Every key is a keyed hash (BLAKE2b keyed with a purpose key derived by HMAC from the instance's
key file) truncated to 64 bits: equal inputs give equal keys, and nobody without the key file can
test a guessed name against them. Names and texts are normalized first (NFKC, Traditional to
Simplified, case folded, spacing and punctuation removed), so 張三 and 张 三 are one person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash
from django.conf import settings

from santui.textparse.normalize import to_simplified

NUM_PERM = 64
BANDS, ROWS = 16, 4  # 16 bands of 4 rows: a pair with Jaccard 0.6 shares a band with p = 0.89
assert BANDS * ROWS == NUM_PERM
DISTINCTIVE_CHARS = 25  # masked texts shorter than this are common phrasings, never compared
MASK = "□"
_DROP = frozenset("CPSZ")  # Unicode categories: control/format, punctuation, symbols, spaces
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_OR_DIGIT = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_VOWELS = frozenset("aeiouy")


@cache
def _purpose_key(purpose: str) -> bytes:
    return hmac.new(settings.KEYS.hmac, f"screen:{purpose}".encode(), hashlib.sha256).digest()


def blind_key(purpose: str, value: str | bytes) -> int:
    """A signed 64-bit keyed hash of ``value`` for ``purpose`` (fits a BIGINT column)."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    digest = hashlib.blake2b(data, key=_purpose_key(purpose), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def fold(text: str) -> str:
    """NFKC, Simplified, case folded, without spacing, punctuation, symbols or controls."""
    text = to_simplified(unicodedata.normalize("NFKC", text)).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in _DROP)


def person_key(*, name: str, province: str, organizations: Sequence[str]) -> int | None:
    """The same person again: their folded name, province and the organizations they quit."""
    folded = fold(name)
    if not folded:
        return None
    return blind_key("person", f"{folded}|{province}|{','.join(sorted(organizations))}")


def masked_text(text: str, names: Sequence[str]) -> str:
    """The folded text with every given name in it replaced by one mask character."""
    folded = fold(text)
    for name in sorted({fold(n) for n in names if n}, key=len, reverse=True):
        if len(name) >= 2:
            folded = folded.replace(name, MASK)
    return folded


def template_of(masked: str) -> str:
    """A template: the masked text without digits, and without Latin letters when it is
    Chinese, so that a flood with a counter or a random tag appended is still one template."""
    if _CJK.search(masked):
        return _LATIN_OR_DIGIT.sub("", masked)
    return _DIGITS.sub("", masked)


def shingles(masked: str) -> list[bytes]:
    """Character 2-grams of Chinese text, 3-grams of any other (the text has no spaces left)."""
    n = 2 if _CJK.search(masked) else 3
    if len(masked) < n:
        return [masked.encode("utf-8")] if masked else []
    return [masked[i : i + n].encode("utf-8") for i in range(len(masked) - n + 1)]


def signatures(texts: Sequence[str]) -> list[np.ndarray]:
    """MinHash signatures (NUM_PERM 32-bit values each) of many masked texts at once."""
    sets = [shingles(t) or [b""] for t in texts]
    return [m.hashvalues for m in MinHash.bulk(sets, num_perm=NUM_PERM, seed=20041203)]


def signature_bytes(values: np.ndarray) -> bytes:
    """The stored form: the low 16 bits of each value (b-bit MinHash; chance agreement 2^-16)."""
    return (values & 0xFFFF).astype("<u2").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    x = np.frombuffer(a, dtype="<u2")
    y = np.frombuffer(b, dtype="<u2")
    if x.shape != y.shape or not len(x):
        return 0.0
    return float(np.count_nonzero(x == y)) / len(x)


def band_keys(values: np.ndarray) -> list[int]:
    """The LSH index keys: one per band of ROWS values (texts sharing one are candidates)."""
    raw = values.astype("<u4").tobytes()
    step = ROWS * 4
    return [blind_key(f"band{i}", raw[i * step : (i + 1) * step]) for i in range(BANDS)]


SKETCHES = 8  # flood sketches: single MinHash values (texts with Jaccard J share one with p = J)


def flood_sketches(values: np.ndarray) -> list[int]:
    """Keys that texts varied from one template share often: each is one MinHash value, so a
    flood whose texts are 30 % alike shares each one with about a third of its statements (an
    LSH band of 4 values: with one in a hundred). Counted per window, never looked up; values
    that every statement shares (common words) have a high normal count and never surge."""
    raw = values[:SKETCHES].astype("<u4").tobytes()
    return [blind_key(f"sketch{i}", raw[i * 4 : (i + 1) * 4]) for i in range(SKETCHES)]


def _gb2312_level1(ch: str) -> bool:
    """Whether a character is one of GB 2312's 3,755 common characters (lead byte B0-D7)."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xD7


def random_looking_name(name: str) -> bool:
    """A name a script would make: letters and digits mixed, no vowels, long consonant runs, or
    Chinese characters mostly outside the common set. Aliases in words (自由人) are not."""
    folded = fold(name)
    if not folded:
        return False
    if any(ch.isdigit() for ch in folded) and any(ch.isalpha() for ch in folded):
        return True
    cjk = [ch for ch in folded if _CJK.match(ch)]
    if cjk:
        rare = sum(not _gb2312_level1(ch) for ch in cjk)
        return len(cjk) >= 2 and rare * 2 > len(cjk)
    letters = [ch for ch in folded if ch.isascii() and ch.isalpha()]
    if len(letters) < 5:
        return False
    vowels = sum(ch in _VOWELS for ch in letters)
    run = longest = 0
    for ch in letters:
        run = 0 if ch in _VOWELS else run + 1
        longest = max(longest, run)
    return vowels * 5 < len(letters) or longest >= 5


@dataclass(frozen=True, slots=True)
class TextFeatures:
    text_key: int | None  # the whole folded text
    masked: str
    template: int | None
    signature: bytes | None
    bands: list[int]
    sketches: list[int]
    distinctive: bool


def text_features(texts: Sequence[tuple[str, Sequence[str]]]) -> list[TextFeatures]:
    """Features of many (text, names in it) at once (MinHash is computed in bulk)."""
    masked = [masked_text(text, names) for text, names in texts]
    todo = [i for i, m in enumerate(masked) if m]
    sigs = dict(zip(todo, signatures([masked[i] for i in todo]), strict=True))
    out = []
    for i, (text, _names) in enumerate(texts):
        m = masked[i]
        if not m:
            out.append(TextFeatures(None, "", None, None, [], [], False))
            continue
        values = sigs[i]
        distinctive = len(m) >= DISTINCTIVE_CHARS
        out.append(
            TextFeatures(
                text_key=blind_key("text", fold(text)),
                masked=m,
                template=blind_key("template", template_of(m)),
                signature=signature_bytes(values),
                bands=band_keys(values) if distinctive else [],
                sketches=flood_sketches(values),
                distinctive=distinctive,
            )
        )
    return out
