"""Chinese scripts: Simplified -> Traditional with OpenCC (the native library)."""

from __future__ import annotations

from functools import cache

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))
