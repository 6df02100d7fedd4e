"""Label widths without a font engine: an estimate per character, on the safe side.

The charts are drawn with the system's sans-serif font (CJK via the platform font), so exact
metrics are unknown on the server; the estimate errs wide so labels do not collide.
"""

from __future__ import annotations

import unicodedata

_NARROW = frozenset(" .,:;'!|()[]-/ilIjtf")
BOLD = 1.1  # bold text is about this much wider


def char_em(char: str) -> float:
    """Estimated advance of one character in em (about DejaVu Sans, a wide common fallback:
    system fonts elsewhere are narrower, so labels err on the roomy side)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in _NARROW:
        return 0.34
    if char.isdigit():
        return 0.64
    if char.isupper() or char in "mwMW%":
        return 0.76
    return 0.61


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font size ``size`` (same unit as the size)."""
    return sum(char_em(c) for c in text) * size


def wrap(text: str, *, size: float, width: float, max_lines: int = 2) -> list[str]:
    """Split ``text`` into at most ``max_lines`` lines that fit ``width``; the last line is
    shortened with an ellipsis when the text does not fit. Breaks at spaces, or anywhere
    between CJK characters."""
    if text_width(text, size) <= width:
        return [text]
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines:
        if text_width(rest, size) <= width:
            lines.append(rest)
            rest = ""
            break
        cut = _fit(rest, size=size, width=width)
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0 and not _cjk(rest[cut - 1 : cut + 1]):
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def _fit(text: str, *, size: float, width: float) -> int:
    used = 0.0
    for i, char in enumerate(text):
        used += char_em(char) * size
        if used > width:
            return max(i, 1)
    return len(text)


def _cjk(pair: str) -> bool:
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in pair)
