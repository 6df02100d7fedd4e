"""The declarant's name, as written, and its kind: real, alias or anonymous.

A marker says which kind follows: 化名 (and the typo 化明), 署名, 笔名, 网名, 别名, "alias" for an
alias; 真名, 姓名, 我叫, "my name is" for a real name; 匿名, "anonymous" for none. Without a
marker, a short signature at the end of the text (—— 张三) is read as a name: a real one when it
looks like a Chinese personal name (a common surname and one or two characters), else an alias.
The name's span is returned so that a signer called 长春 is not read as a place. A name is
an alias when the text says so anywhere (声明人: 晚风（化名）, 只能用化名, 不能用真名来声明);
不能用真名 is not a real-name marker.
"""

from __future__ import annotations

import re
from typing import Final

from santui.textparse import lexicon as lx
from santui.textparse.automaton import Token
from santui.textparse.headcount import SURNAMES
from santui.textparse.normalize import CJK, Normalized

_LEAD: Final = " \t\u3000:：=为是叫「『“\"'‘（(【[-—·~～<《>》"
_CJK_NAME: Final = re.compile(f"[{CJK}·•]{{1,12}}")
_LATIN_NAME: Final = re.compile(r"[A-Za-z][A-Za-z .'\-]{0,38}[A-Za-z.]|[A-Za-z]")
# A CJK name runs into the rest of the sentence when no punctuation ends it: cut it there.
_CJK_STOP: Final = re.compile(
    "来自|家住|现住|现居|住在|居住|声明|宣布|郑重|退出|退党|退团|退队|三退|籍贯|老家|是|于|在|"
    "从|今|男|女|年|岁|出生|地址|地区|电话|职业|工作|省|市|县|人士|我|本人|和|及|与"
)
_LATIN_STOP: Final = re.compile(
    r"\s+(?:from|in|of|and|i|who|living|born|age|aged|the|quit|withdraw|declare|hereby)\b.*$",
    re.IGNORECASE,
)


_NEGATED_REAL: Final = re.compile(
    "(?:不能|不敢|不便|无法|没法)(?:用|使用|写|写下|留|以)?(?:自己的)?$"
)
_SEGMENT: Final = re.compile(
    rf"[{CJK}]{{2,4}}|[A-Z][a-z]+(?:[ -][A-Z][a-z]+){{1,2}}|[A-Z][a-z]+ [A-Z]{{1,2}}[a-z]*"
)
_SEPARATORS: Final = set(" \t\u3000\n\r,，、。.！!？?；;：:/|—-()（）「」『』【】~～·\"'“”‘’<>《》")


# Said anywhere in the text, these make the signature an alias: 声明人: 龙月春（化名）,
# 因身处大陆只能用化名, 不能用真名来声明, "I use a pseudonym".
_ALIAS_SAID: Final = re.compile(
    "|".join((
        "化名", "化明", "网名", "笔名", "假名",
        *lx.heads(("不能", "不敢", "不便", "无法", "没法"),
                  "(?:用|使用|写|写下|留|以)?(?:自己的)?(?:真名|真实姓名|真实的姓名)"),
        "alias", "pseudonym", "pen name",
    ))
)  # fmt: skip


def read_name(
    n: Normalized, tokens: list[Token], kinds: frozenset[int] | set[int] | None = None
) -> tuple[str | None, str, tuple[int, int] | None, float]:
    """(name, kind, span in the original text, confidence)."""
    name, kind, span, confidence = _read_name(n, tokens, kinds)
    if kind == "real" and _ALIAS_SAID.search(n.compact) is not None:
        kind = "alias"  # 声明人: 龙月春（化名）; 不能用真名: the signature is an alias
    return name, kind, span, confidence


def _read_name(
    n: Normalized, tokens: list[Token], kinds: frozenset[int] | set[int] | None
) -> tuple[str | None, str, tuple[int, int] | None, float]:
    if kinds is None or lx.NAME in kinds:
        for token in tokens:
            if token[0] != lx.NAME:
                continue
            kind = str(token[2])
            if kind == "anonymous":
                return None, "anonymous", None, 0.9
            if _NEGATED_REAL.search(n.compact, max(0, token[3] - 6), token[3]) is not None:
                continue  # 不能用真名来声明: no name follows
            start = n.to_norm(token[3])
            if start and n.norm[start - 1] in "(（":  # 小雨（化名）, Lily (alias)
                found = _before(n, start - 1)
            else:
                found = _after(n, n.to_norm_end(token[4]))
                if found is not None and kind == "self" and not _personal(n, found, tokens):
                    found = None  # 本人中共党员, 我是一名护士: not a name
            if found is not None:
                name, span = found
                return name, "real" if kind == "self" else kind, span, 0.85
    signed = _signature(n, tokens)
    if signed is not None:
        name, span, kind = signed
        return name, kind, span, 0.6
    return None, "anonymous", None, 0.6


# Phrases a name cannot contain (a name may contain 孙子, 先生 or a place: 孙子豪, 刘长春).
_NOT_IN_NAMES: Final = frozenset((
    lx.ORG, lx.QUIT, lx.QUIT_ORG, lx.ALL_THREE, lx.NEGATION, lx.JOINED, lx.GENERIC, lx.GROUP,
    lx.BREAK,
))  # fmt: skip


def _personal(n: Normalized, found: tuple[str, tuple[int, int]], tokens: list[Token]) -> bool:
    """After 本人/我是: a name only if it looks like one (王秀兰, Wang Qiang)."""
    name, (a, b) = found
    if name.isascii():
        return bool(_SEGMENT.fullmatch(name))
    if not 2 <= len(name) <= 3 or name[0] not in SURNAMES:
        return False
    a, b = n.to_compact(a), n.to_compact(b)
    return not any(t[3] < b and a < t[4] and t[0] != lx.FAMILY for t in tokens)


def _signature(n: Normalized, tokens: list[Token]) -> tuple[str, tuple[int, int], str] | None:
    """A name written without a marker: a segment (between punctuation or spaces) that looks
    like a personal name and is not a keyword. The first of a list of names (张三、李四)."""
    text = n.norm
    size = len(text)
    candidates: list[tuple[int, int, bool]] = []  # norm start, end, one place name exactly
    for m in _SEGMENT.finditer(text):
        start, end = m.span()
        if (start and text[start - 1] not in _SEPARATORS) or (
            end < size and text[end] not in _SEPARATORS
        ):
            continue
        latin = text[start].isascii()
        if not latin and text[start] not in SURNAMES and text[start] not in "老小阿":
            continue
        a, b = n.to_compact(start), n.to_compact(end)
        covered = 0
        exact = False
        rejected = False
        for kind, _mask, _value, s, e in tokens:
            if s >= b:
                break
            if e <= a:
                continue
            if kind in _NOT_IN_NAMES or (
                latin and (kind == lx.SECTOR or (kind == lx.PLACE and s <= a))
            ):
                rejected = True  # a keyword; the Ministry of State Security; Jilin Province
                break
            if kind == lx.PLACE:
                covered += min(e, b) - max(s, a)
                exact = exact or (s == a and e == b)
        if rejected:
            continue
        if covered >= b - a:
            if not exact:
                continue  # 江苏镇江: a place phrase, not a name
            candidates.append((start, end, True))
        elif not latin and not any(not c[2] for c in candidates):
            candidates.append((start, end, False))
            break  # the first free Chinese name is the one: no need to read further
        else:
            candidates.append((start, end, False))
    if not candidates:
        return None
    free = [c for c in candidates if not c[2]]
    if free:
        # The first of a list of Chinese names; the last of Latin ones (the signature closes
        # an English text: "... I quit the CCP. Luo Bo").
        latin_free = [c for c in free if text[c[0]].isascii()]
        chosen = latin_free[-1] if latin_free and len(latin_free) == len(free) else free[0]
    else:
        places = sum(1 for t in tokens if t[0] == lx.PLACE)
        if places > 1 and len(candidates) < places:
            chosen = candidates[0]  # 退团 黄山 江西九江: the lone place-like word is the name
        else:
            return None
    start, end, _ = chosen
    name = n.original[start:end]
    return name, (start, end), "real"


def _before(n: Normalized, pos: int) -> tuple[str, tuple[int, int]] | None:
    text = n.original
    end = pos
    while end > 0 and text[end - 1] in " \t\u3000":
        end -= 1
    start = end
    while start > 0 and text[start - 1] not in _SEPARATORS and end - start < 12:
        start -= 1
    if start == end:
        return None
    name = text[start:end].strip()
    return (name, (start, start + len(name))) if name else None


def _after(n: Normalized, pos: int) -> tuple[str, tuple[int, int]] | None:
    text = n.original
    size = len(text)
    while pos < size and text[pos] in _LEAD:
        pos += 1
    if pos >= size:
        return None
    if text[pos].isascii():
        m = _LATIN_NAME.match(text, pos)
        if m is None:
            return None
        name = _LATIN_STOP.sub("", m.group(0)).strip(" .'-")
    else:
        m = _CJK_NAME.match(n.norm, pos)
        if m is None:
            return None
        value = m.group(0)
        stop = _CJK_STOP.search(value, 2 if len(value) > 2 else len(value))
        if stop is not None:
            value = value[: stop.start()]
        name = text[pos : pos + len(value)]
    if not name:
        return None
    return name, (pos, pos + len(name))
