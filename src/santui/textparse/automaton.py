"""One Aho–Corasick automaton over every phrase the parser knows: keywords, sectors, places.

Built once per process (about a tenth of a second) from santui.textparse.lexicon,
santui.textparse.sector_phrases and santui.textparse.regions.place_names(). Matching is
leftmost-longest and non-overlapping, so the text is read as a sequence of the longest known
phrases, like a tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import ahocorasick_rs

from santui.textparse import lexicon as lx
from santui.textparse.foreign_places import FOREIGN_PLACES, GONE_TO
from santui.textparse.normalize import Normalized, bisect_left
from santui.textparse.regions import PlaceName, place_names
from santui.textparse.sector_phrases import NOT_SECTOR, SECTOR_PHRASES, WEAK_PHRASES

# Place names that are far more often ordinary words than places: matched only with a
# location marker before them or next to another place (docs/textparse.md).
COMMON_WORD_PLACES: Final = frozenset(
    {
        "中山", "大同", "白银", "北海", "朝阳", "黄山", "日照", "来宾", "长春", "阿里", "红河",
        "海西", "海东", "海北", "文山", "普洱", "玉树", "和田", "安康", "永州", "三沙", "吉安",
        "兴安", "白山", "南平", "长治", "承德", "延安", "大理", "晋中", "汉中", "宜春", "德宏",
        "怒江", "定西", "甘南", "临夏", "果洛", "大陆", "中国", "马里", "苏丹", "乍得", "多哥",
        "海地", "曼岛", "尼日", "蒙古", "汤加", "约旦", "古巴", "不丹", "中非", "关岛", "帕劳",
        "苏俄", "俄国", "中方", "china", "prc", "mainland", "georgia", "jordan", "chad", "niger",
        "mali", "guinea", "turkey", "jersey", "wales", "washington", "rome", "nan", "dan", "lu",
        "an", "ji", "he", "jin", "min", "chu", "long", "tai", "hui", "xin", "yan", "jia", "bai",
        "fu", "su", "ping", "yang", "ming", "cheng", "guang", "hong", "huang", "wu", "xi",
        "zhang", "li", "wang", "liu", "chen", "zhao", "zhou", "sun", "ma", "hu", "guo", "lin",
    }
)  # fmt: skip
# Common words that contain a place name: they hide it (普通话 is not 通化).
PLACE_MASKS: Final = (
    "普通话", "三明治", "阿里巴巴", "阿里山", "柏林墙", "交通", "沟通", "开通", "通化学", "中山装",
    "孙中山",
    "中山大学", "长安街", "大陆人", "大同社会", "世界大同", "黄山风景", "朝阳群众", "吉安娜",
    "美国之音", "日本鬼子", "日本侵略", "英国广播", "苏联", "俄国共产党", "国际", "中国人",
    "中国共产党", "中国少年先锋队", "中国共产主义青年团", "中国公民", "中国人民",
    "中国政府", "中华", "新中国", "全中国", "united states of", "chinese communist",
    "communist china", "china's", "hong kong's",
)  # fmt: skip


# A matched phrase: (kind, mask, value, start, end), positions in the compact text. A plain
# tuple: the parser makes millions of them, and a dataclass costs several times more.
Token = tuple[int, int, object, int, int]


# What a match needs checking for (0: nothing, the common case).
_DROP: Final = 1  # a MASK phrase: dropped
_LEFT: Final = 2  # starts with a letter or digit: must not follow one (word boundary)
_RIGHT: Final = 4  # ends with a letter or digit: must not precede one
_STRADDLE: Final = 8  # a place name of several characters: must not straddle a removed gap
# 来美 (GONE_TO): not when the name goes on (来美国, 赴澳门, 来台北): read from 美
_GONE: Final = 16
_GOES_ON: Final = frozenset("国洲本拿州大门湾北中南东")
# Short names of a county on the mainland list that, alone, name a place outside it far more
# often: 九龙 (Kowloon; 九龙县 in Sichuan keeps its full name), 金门 (Kinmen, governed by Taiwan).
_ABROAD_FIRST: Final = frozenset(("九龙", "金门"))
# 在内蒙古, 在于洪区: not 在内 ("including", a MASK), but 在 and a place named 内…
_INNER: Final = 32
_GONE_WORDS: Final = frozenset(word for words in GONE_TO.values() for word in words)


@dataclass(frozen=True, slots=True)
class _Automaton:
    ac: ahocorasick_rs.AhoCorasick
    entries: tuple[tuple[int, int, object, int], ...]  # per pattern: kind, mask, value, checks
    places: dict[str, tuple[PlaceName, ...]]  # place name -> the places it may name
    gone_verbs: dict[str, tuple[int, int, object]]  # 来 of 来美: its own entry, if it has one
    inner: dict[str, tuple[tuple[int, int, object], ...]]  # 在内蒙古: the entries of 在, 内蒙古


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _checks(text: str, kind: int) -> int:
    checks = _DROP if kind == lx.MASK else 0
    checks |= _LEFT if _word_char(text[0]) else 0
    checks |= _RIGHT if _word_char(text[-1]) else 0
    checks |= _GONE if kind == lx.PLACE and text in _GONE_WORDS else 0
    return checks | (_STRADDLE if kind == lx.PLACE and len(text) > 1 else 0)


@cache
def automaton() -> _Automaton:
    table: dict[str, tuple[int, int, object]] = {}

    def put(text: str, kind: int, mask: int, value: object, *, override: bool) -> None:
        if not text:
            return
        if override or text not in table:
            table[text] = (kind, mask, value)

    for text, kind, mask, value in lx.MASK_PHRASES:
        put(text, kind, mask, value, override=False)
    for text in PLACE_MASKS:
        put(text, lx.MASK, 0, None, override=False)
    for text in NOT_SECTOR:
        put(text, lx.SECTOR, 0, None, override=True)
    for text, key in WEAK_PHRASES.items():
        put(text, lx.SECTOR, 0, key + ":weak", override=True)
    for key, phrases in SECTOR_PHRASES.items():
        for text in phrases:
            if text not in table or table[text][0] == lx.MASK:
                put(text, lx.SECTOR, 0, key, override=True)
    for group in (
        lx.ORGANIZATION_PHRASES,
        lx.FAMILY_PHRASES,
        lx.NAME_PHRASES,
        lx.LOCATION_PHRASES,
    ):
        for text, kind, mask, value in group:
            put(text, kind, mask, value, override=text not in table or table[text][0] == lx.MASK)
    places: dict[str, list[PlaceName]] = {}
    for place in place_names():
        places.setdefault(place.text, []).append(place)
    for code, texts in (*FOREIGN_PLACES.items(), *GONE_TO.items()):
        for text in texts:
            if text not in places or text in _ABROAD_FIRST:
                places[text] = [PlaceName(text, code, "country", True, "city")]
    for text, found in places.items():
        if text not in table:
            put(text, lx.PLACE, 0, tuple(found), override=False)
    # 在 and a place whose name begins as the second character of a word of 在 that hides it:
    # 在内蒙古, not 在内 ("including"); 在于洪区, not 在于 ("lies in"); 在任丘市, not 在任 ("in
    # office"). A short name of two characters stays the word (问题在于都是…: not 于都), but 在内江.
    zai = {w for w, (kind, _mask, _value) in table.items() if kind == lx.MASK and len(w) == 2} & {
        "在" + text[0] for text in places
    }
    inner = [
        "在" + text
        for text in places
        if "在" + text[0] in zai and (len(text) > 2 or text[0] == "内")
    ]
    for text in inner:
        put(text, lx.MASK, 0, None, override=True)
    patterns = list(table)
    inner_set = frozenset(inner)
    entries = tuple(
        (kind, mask, value, _checks(text, kind) | (_INNER if text in inner_set else 0))
        for text, (kind, mask, value) in table.items()
    )
    ac = ahocorasick_rs.AhoCorasick(
        patterns,
        matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST,
    )
    places_by_text = {
        text: value
        for text, (kind, _mask, value) in table.items()
        if kind == lx.PLACE and isinstance(value, tuple)
    }
    verbs = {word[:-1]: table[word[:-1]] for word in _GONE_WORDS if word[:-1] in table}
    at = table["在"]
    return _Automaton(ac, entries, places_by_text, verbs, {w: (at, table[w[1:]]) for w in inner})


def place_table() -> dict[str, tuple[PlaceName, ...]]:
    """Every place name the automaton matches -> the places it may name."""
    return automaton().places


def scan(n: Normalized) -> list[Token]:
    """The known phrases of a text, in order, as tokens (MASK phrases dropped)."""
    auto = automaton()
    text = n.compact
    out: list[Token] = []
    _scan(auto, n, text, 0, len(text), out)
    return out


def _scan(
    auto: _Automaton, n: Normalized, text: str, offset: int, stop: int, out: list[Token]
) -> None:
    entries = auto.entries
    size = len(text)
    gaps = n.gap_at
    matches = auto.ac.find_matches_as_indexes(text[offset:stop] if offset or stop < size else text)
    append = out.append
    for position, (index, start, end) in enumerate(matches):
        kind, mask, value, checks = entries[index]
        if offset:
            start += offset
            end += offset
        if checks:
            if checks & _INNER:  # 我在内蒙古工作: 在 (a location word), then the place
                at, place = auto.inner[text[start:end]]
                append((at[0], at[1], at[2], start, start + 1))
                append((place[0], place[1], place[2], start + 1, end))
                continue
            if checks & _DROP:
                continue
            if checks & _GONE and end < size and text[end] in _GOES_ON:
                # 来美国: the verb (来, a location word) and the name read again from 美
                verb = auto.gone_verbs.get(text[start : end - 1])
                if verb is not None:
                    append((verb[0], verb[1], verb[2], start, end - 1))
                following = (
                    matches[position + 1][1] + offset if position + 1 < len(matches) else stop
                )
                _scan(auto, n, text, end - 1, max(following, end), out)
                continue
            if checks & _LEFT and start and text[start - 1].isascii() and text[start - 1].isalnum():
                continue
            if checks & _RIGHT and end < size and text[end].isascii() and text[end].isalnum():
                continue
            if checks & _STRADDLE and gaps:
                # A place name read across a space or a comma (何小平 湖南 -> 平湖) is not one:
                # read again from the gap, up to the next match.
                last = bisect_left(gaps, end) - 1
                if last >= 0 and gaps[last] > start:
                    following = (
                        matches[position + 1][1] + offset if position + 1 < len(matches) else stop
                    )
                    _scan(auto, n, text, gaps[last], max(following, end), out)
                    continue
        append((kind, mask, value, start, end))
