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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
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


@cache
def _keyed(purpose: str) -> hashlib.blake2b:
    """A BLAKE2b state keyed for ``purpose``: copied for each value (keying processes a whole
    block; a copy does not)."""
    return hashlib.blake2b(key=_purpose_key(purpose), digest_size=8)


def blind_key(purpose: str, value: str | bytes) -> int:
    """A signed 64-bit keyed hash of ``value`` for ``purpose`` (fits a BIGINT column)."""
    h = _keyed(purpose).copy()
    h.update(value.encode("utf-8") if isinstance(value, str) else value)
    return int.from_bytes(h.digest(), "big", signed=True)


class _Dropped(dict[int, None]):
    """``str.translate``'s table of the characters ``fold`` drops, filled as characters are
    met: a character seen before costs a lookup in C, not a call of ``unicodedata.category``.
    Its size is bounded by the characters Unicode has (a kept one maps to itself)."""

    def __missing__(self, codepoint: int) -> int | None:
        value = None if unicodedata.category(chr(codepoint))[0] in _DROP else codepoint
        self[codepoint] = value  # type: ignore[assignment]  # None drops, the code keeps
        return value


_DROPPED = _Dropped()


def fold(text: str) -> str:
    """NFKC, Simplified, case folded, without spacing, punctuation, symbols or controls."""
    return to_simplified(unicodedata.normalize("NFKC", text)).casefold().translate(_DROPPED)


def person_key(*, name: str, province: str, organizations: Sequence[str]) -> int | None:
    """The same person again: their folded name, province and the organizations they quit."""
    folded = fold(name)
    if not folded:
        return None
    return blind_key("person", f"{folded}|{province}|{','.join(sorted(organizations))}")


def masked_text(text: str, names: Sequence[str], *, folded: str | None = None) -> str:
    """The folded text (``folded``, if the caller has it) with every given name in it replaced
    by one mask character."""
    folded = fold(text) if folded is None else folded
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


SEED = 20041203
# datasketch's MinHash (its default scheme since 2.0, "affine32"): each shingle's 32-bit SHA-1
# hash, mixed by MurmurHash3's finalizer, then h -> a * h + b mod 2^32 for each of the NUM_PERM
# permutations (a, b) that datasketch draws for SEED; the signature is the minimum per
# permutation. signatures() computes exactly what MinHash.bulk() does, for a whole batch in a
# few array operations (tests/screening/test_features.py holds the two equal).
#
# datasketch is imported at the first signature, not with this module: its package imports
# scipy (0.7 s), which every santui command paid at start-up, the screening ones or not.


@cache
def _minhash() -> tuple[np.ndarray, np.ndarray, Callable[[bytes], int]]:
    """The NUM_PERM permutations (a, b) datasketch draws for SEED, and its shingle hash."""
    from datasketch import MinHash
    from datasketch.hashfunc import sha1_hash32

    a, b = (
        np.asarray(v, dtype=np.uint32) for v in MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    )
    return a, b, sha1_hash32


_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


# datasketch's default hash of each shingle (SHA-1, 32 bits), remembered: texts share most of
# their shingles. A plain dict of bytes and ints, which the garbage collector never walks (an
# lru_cache keeps a linked list of its entries that every full collection would walk).
_SHINGLE_HASHES: dict[bytes, int] = {}
_SHINGLES_KEPT = 1 << 18


def _shingle_hash(shingle: bytes, hash32: Callable[[bytes], int]) -> int:
    value = _SHINGLE_HASHES.get(shingle)
    if value is None:
        if len(_SHINGLE_HASHES) >= _SHINGLES_KEPT:
            _SHINGLE_HASHES.clear()
        value = _SHINGLE_HASHES[shingle] = int(hash32(shingle))
    return value


def signatures(texts: Sequence[str]) -> list[np.ndarray]:
    """MinHash signatures (NUM_PERM 32-bit values each) of many masked texts at once: the
    values of ``MinHash.bulk(sets, num_perm=NUM_PERM, seed=SEED)``, computed for the whole
    batch at once (one Python call per distinct shingle, not one per shingle and text)."""
    if not texts:
        return []
    a, b, hash32 = _minhash()
    sets = [shingles(t) or [b""] for t in texts]
    sizes = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    h = np.fromiter(
        (_shingle_hash(sh, hash32) for s in sets for sh in s),
        dtype=np.uint32,
        count=int(sizes.sum()),
    )
    s1, m1, s2, m2, s3 = _FMIX
    h ^= h >> s1  # uint32 products wrap: arithmetic mod 2^32
    h *= m1
    h ^= h >> s2
    h *= m2
    h ^= h >> s3
    permuted = h[:, None] * a + b
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return list(np.minimum.reduceat(permuted, starts, axis=0))


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


def similarities(
    mine: bytes | memoryview | None, theirs: Sequence[bytes | memoryview | None]
) -> list[float]:
    """``similarity(mine, t)`` for each of ``theirs`` (0 where either is missing or is not a
    signature), in one array operation: a statement may have dozens of candidates."""
    out = [0.0] * len(theirs)
    if mine is None or not theirs or len(mine) % 2:
        return out
    mine = bytes(mine)
    usable = [i for i, t in enumerate(theirs) if t is not None and len(t) == len(mine) > 0]
    if usable:
        joined = b"".join(bytes(theirs[i]) for i in usable)  # type: ignore[arg-type]
        stacked = np.frombuffer(joined, dtype="<u2")
        equal = stacked.reshape(len(usable), -1) == np.frombuffer(mine, dtype="<u2")
        for i, share in zip(usable, equal.mean(axis=1).tolist(), strict=True):
            out[i] = share
    return out


def _keyed_each(purpose: str, raw: bytes, parts: int) -> list[int]:
    """``blind_key(f"{purpose}{i}", part i)`` for ``raw`` cut in ``parts`` equal parts."""
    step = len(raw) // parts
    out = []
    for i in range(parts):
        h = _keyed(f"{purpose}{i}").copy()
        h.update(raw[i * step : (i + 1) * step])
        out.append(int.from_bytes(h.digest(), "big", signed=True))
    return out


def band_keys(values: np.ndarray) -> list[int]:
    """The LSH index keys: one per band of ROWS values (texts sharing one are candidates)."""
    return _keyed_each("band", values.astype("<u4").tobytes(), BANDS)


SKETCHES = 8  # flood sketches: single MinHash values (texts with Jaccard J share one with p = J)


def flood_sketches(values: np.ndarray) -> list[int]:
    """Keys that texts varied from one template share often: each is one MinHash value, so a
    flood whose texts are 30 % alike shares each one with about a third of its statements (an
    LSH band of 4 values: with one in a hundred). Counted per window, never looked up; values
    that every statement shares (common words) have a high normal count and never surge."""
    return _keyed_each("sketch", values[:SKETCHES].astype("<u4").tobytes(), SKETCHES)


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
    folded = [fold(text) for text, _names in texts]
    masked = [
        masked_text(text, names, folded=f) for (text, names), f in zip(texts, folded, strict=True)
    ]
    todo = [i for i, m in enumerate(masked) if m]
    sigs = dict(zip(todo, signatures([masked[i] for i in todo]), strict=True))
    out = []
    for i, m in enumerate(masked):
        if not m:
            out.append(TextFeatures(None, "", None, None, [], [], False))
            continue
        values = sigs[i]
        distinctive = len(m) >= DISTINCTIVE_CHARS
        out.append(
            TextFeatures(
                text_key=blind_key("text", folded[i]),
                masked=m,
                template=blind_key("template", template_of(m)),
                signature=signature_bytes(values),
                bands=band_keys(values) if distinctive else [],
                sketches=flood_sketches(values),
                distinctive=distinctive,
            )
        )
    return out
