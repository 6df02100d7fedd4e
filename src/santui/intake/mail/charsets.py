"""Bytes of a mail part -> text, when the charset label is right, wrong, or missing.

Order (docs/mail-intake.md): the declared charset (GB2312 and GBK read as GB18030, their
superset; Big5 also as Big5-HKSCS; US-ASCII as no label), then HZ when the bytes are 7-bit with
``~{`` shifts, then UTF-8, GB18030, Big5-HKSCS. A Western single-byte label (ISO 8859, Windows
125x), which any bytes decode under, is tried last, after the fallback order has had its chance
to read at least ``_MIN_CJK`` Chinese characters. A label that names a codec of Python's but not
a character set of mail (``undefined``, ``idna``, ``punycode``, ``unicode_escape``, ``rot13``,
``base64``...) counts as no label: those raise other errors than a wrong table, or read any
bytes at all (issue 12: ``charset=undefined`` stopped intake).

A candidate is taken when it decodes without error, yields no private-use character nor U+FFFD,
and, for text with at least ``_MIN_CJK`` Chinese characters, when at least ``_PLAUSIBLE`` of
them are among the frequent characters of GB2312 level 1 or Big5 level 1. That last test
catches Big5 mail labelled GB2312 (and the reverse): the wrong table decodes without error,
into rare characters. Nothing acceptable: ``UndecodableError``.
"""

from __future__ import annotations

import codecs
from functools import cache

# Labels seen in Chinese mail, mapped to the codecs tried for them, in order.
_DECLARED = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "ms936": ("gb18030",),
    "euc-cn": ("gb18030",),
    "x-euc-cn": ("gb18030",),
    "csgb2312": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "chinese": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("big5", "big5hkscs", "cp950"),
    "x-x-big5": ("big5", "big5hkscs", "cp950"),
    "csbig5": ("big5", "big5hkscs", "cp950"),
    "cn-big5": ("big5", "big5hkscs", "cp950"),
    "big5-hkscs": ("big5hkscs",),
    "cp950": ("cp950", "big5hkscs"),
    "hz-gb-2312": ("hz",),
    "hz-gb": ("hz",),
    "hz": ("hz",),
    "us-ascii": (),  # the RFC default, which mailers put on anything: the fallback order
    "ascii": (),
    "unknown-8bit": (),
    "x-unknown": (),
}
FALLBACK = ("utf-8", "gb18030", "big5hkscs")
# Text codecs of Python's that are no character set of mail: a label naming one is no label.
_NOT_CHARSETS = frozenset(
    {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "charmap"}
)
_MIN_CJK = 8
_PLAUSIBLE = 0.75


class UndecodableError(ValueError):
    """No charset of the documented order reads these bytes cleanly."""


@cache
def _frequent() -> frozenset[str]:
    """GB2312 level 1 (3,755 frequent simplified characters) and Big5 level 1 (5,401 frequent
    traditional ones), built from Python's own codec tables."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for code in range(0xA440, 0xC67F):
        try:
            chars.add(code.to_bytes(2, "big").decode("big5"))
        except UnicodeDecodeError:
            continue
    return frozenset(chars)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"


def _clean(text: str) -> bool:
    """No private-use character and no U+FFFD: what a wrong table leaves behind. (Control
    characters are removed later, whatever the charset.)"""
    for ch in text:
        o = ord(ch)
        if 0xE000 <= o <= 0xF8FF or o >= 0xF0000 or ch == "\ufffd":
            return False
    return True


def _plausible(text: str) -> bool:
    cjk = [ch for ch in text if _is_cjk(ch)]
    if len(cjk) < _MIN_CJK:
        return True
    frequent = _frequent()
    return sum(ch in frequent for ch in cjk) >= _PLAUSIBLE * len(cjk)


def _single_byte(name: str) -> bool:
    return name.startswith(("iso8859", "latin", "cp125", "mac-", "koi8", "cp437", "cp850"))


def charset_codec(label: str) -> str | None:
    """The codec a declared charset label names, or None when it names no character set (an
    unknown label, or a codec such as ``undefined``, ``idna`` or ``base64``)."""
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):  # unknown, or not even a codec name
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _label(declared: str | None) -> str:
    return (declared or "").strip().strip('"').lower()


def candidates(declared: str | None, data: bytes) -> list[tuple[str, bool]]:
    """The codecs tried for ``data`` labelled ``declared``, in order, each with whether it must
    read Chinese characters to be taken."""
    declared_codecs: list[str] = []
    label = _label(declared)
    if label in _DECLARED:
        declared_codecs += _DECLARED[label]
    elif label and (codec := charset_codec(label)):  # an unknown label: as if none
        declared_codecs.append(codec)
    fallback = list(FALLBACK)
    if b"~{" in data and data.isascii():
        fallback.insert(0, "hz")
    if declared_codecs and _single_byte(declared_codecs[0]):
        # A Western single-byte label decodes any bytes at all: Chinese mail mislabelled so
        # (webmail does it) is read by the fallback order first, if that reads Chinese.
        out = [(name, True) for name in fallback] + [(name, False) for name in declared_codecs]
    else:
        out = [(name, False) for name in declared_codecs + fallback]
    first: dict[str, bool] = {}
    for name, needs_cjk in out:
        first.setdefault(name, needs_cjk)
    return list(first.items())


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """(text, codec used). Raises UndecodableError."""
    for name, needs_cjk in candidates(declared, data):
        try:
            text = data.decode(name)
        except (ValueError, LookupError):  # UnicodeError is a ValueError; codecs raise both
            continue
        if needs_cjk and sum(map(_is_cjk, text)) < _MIN_CJK:
            continue
        if _clean(text) and _plausible(text):
            return text, name
    raise UndecodableError(f"no charset reads the text cleanly (declared: {_shown(declared)})")


def _shown(declared: str | None) -> str:
    """The declared label as a quarantine's detail may show it (stored in clear, seen by every
    volunteer): a codec's own name, never the sender's text."""
    label = _label(declared)
    if not label:
        return "none"
    if label in _DECLARED:
        return label
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return "an unknown label"
    return name if charset_codec(label) else f"{name}, which is no character set"
