"""Read one withdrawal statement: what it quits, who and how many, from where, in what sector.

``parse_statement(text, hints=...)`` is pure and fast (tens of thousands of statements per second
per core): the text is normalized once (Traditional -> Simplified with OpenCC, punctuation
between CJK characters removed, lower case), every known phrase is found in one pass of one
Aho–Corasick automaton, and small rule functions read the fields from that list of phrases.
docs/textparse.md describes the rules and the phrase tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from typing import Any, Final

from santui.textparse import lexicon as lx
from santui.textparse.automaton import Token, place_table, scan
from santui.textparse.foreign_places import GONE_TO
from santui.textparse.headcount import MAX_HEADCOUNT, read_headcount
from santui.textparse.learned import model
from santui.textparse.names import read_name
from santui.textparse.normalize import Normalized, bisect_right, normalize
from santui.textparse.organizations import along_with_object, read_declared, read_organizations
from santui.textparse.places import (
    _EN_STILL_THERE,
    IN_OR_FROM,
    Place,
    _codes,
    continues,
    en_moved_to,
    en_resident,
    read_region,
    street,
)
from santui.textparse.places import _marker as _place_marker
from santui.textparse.regions import (
    PlaceName,
    RegionError,
    division,
    normalize_region,
    province_start,
)
from santui.textparse.sector_phrases import PRIORITY
from santui.textparse.sectors import SECTORS

ORGANIZATIONS: Final = ("party", "league", "pioneers")
NAME_KINDS: Final = ("real", "alias", "anonymous")
# The fields a count uses: the ones whose confidence says whether a person should check them.
COUNTED: Final = ("organizations", "headcount", "region", "sector")
FIELDS: Final = (
    "organizations", "current_party_member", "headcount", "name", "name_kind", "region", "sector",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Region:
    country: str | None  # ISO 3166-1 alpha-2 (CN for the mainland)
    province: str | None  # GB/T 2260 six-digit codes on the mainland, else None
    prefecture: str | None
    county: str | None
    name: str | None  # the place text as written

    def to_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "province": self.province,
            "prefecture": self.prefecture,
            "county": self.county,
            "name": self.name,
        }

    @property
    def code(self) -> str:
        """The most precise code: county, prefecture, province, or the country's ISO code."""
        return self.county or self.prefecture or self.province or self.country or ""


@dataclass(frozen=True, slots=True)
class Parsed:
    organizations: frozenset[str]  # subset of {"party", "league", "pioneers"}: what is quit
    current_party_member: bool | None
    headcount: int
    name: str | None
    name_kind: str  # real | alias | anonymous
    region: Region | None  # None when no place is mentioned: never a guess
    sector: str | None  # a key of santui.textparse.sectors.SECTORS
    script: str  # simplified | traditional | mixed | latin
    language: str  # zh | en
    confidence: dict[str, float]  # per field, 0..1

    def low_confidence(self, threshold: float = 0.7) -> tuple[str, ...]:
        """The counted fields (COUNTED) read with a confidence below ``threshold``
        (LOW_CONFIDENCE): what a person should check before the reading is counted. A hint's
        1.0 is never low."""
        return tuple(f for f in COUNTED if self.confidence.get(f, 1.0) < threshold)

    def to_json(self) -> dict[str, Any]:
        return {
            "organizations": sorted(self.organizations),
            "current_party_member": self.current_party_member,
            "headcount": self.headcount,
            "name": self.name,
            "name_kind": self.name_kind,
            "region": self.region.to_json() if self.region is not None else None,
            "sector": self.sector,
            "script": self.script,
            "language": self.language,
            "confidence": self.confidence,
        }


# The kinds of phrase the organization rules look at (the others: places, names, sectors…).
_ORG_KINDS: Final = frozenset((lx.ORG, lx.QUIT_ORG, lx.ALL_THREE, lx.QUIT, lx.NEGATION, lx.JOINED,
                        lx.PARENT, lx.GENERIC, lx.BREAK, lx.FORMER, lx.CURRENT))  # fmt: skip
_MASK_SETS: Final = {
    mask: frozenset(key for bit, key in lx.ORG_KEYS if mask & bit) for mask in range(8)
}  # fmt: skip
_RELATIVES: Final = re.compile(
    "父亲|母亲|爸|妈|丈夫|妻子|老公|老婆|儿子|女儿|哥哥|姐姐|弟弟|妹妹|爷爷|奶奶|爹|老伴|父母|father|mother"
    "|同学|朋友|同事|邻居|亲戚|战友"  # 我有一个同学在加拿大留学: another's
    "|前夫|前妻|舅舅|叔叔|伯伯|姑姑|阿姨|姨妈|姑妈|舅妈|表哥|表姐|表弟|表妹|堂哥|堂姐|岳父|岳母|公公|婆婆"
    "|女婿|儿媳|孙子|孙女|外公|外婆|姥姥|姥爷|侄子|外甥"
    "|husband|wife|son|daughter|brother|sister|parents"
)
_STUDY: Final = frozenset(("study in", "studying in"))
# characters: a text this long tells a story, with other people's occupations in it
_LONG: Final = 60
_SELF: Final = re.compile(
    "我是|本人是|我们是|我们都是|我在|本人在|我曾在|我当|我做|本人为|本人系|我系|本人任|我任|作为|身为"
    "|我从事|本人从事|本人|我现在是|现在是一名|我目前是|目前是一名|现为|现任"
    r"|i(?<!\wi) am an? |i(?<!\wi)'m an? |i(?<!\wi) work|i(?<!\wi) worked|a(?<!\wa)s an? "
    r"|i(?<!\wi) served|w(?<!\ww)e are"
)
# A phrase said of oneself: a self word earlier in its clause, at most this far before it.
_SELF_REACH: Final = 16
_SELF_REACH_EN: Final = 48
_SELF_EN: Final = re.compile(r"\b(?:i|i'm|we|we're|my work|our)\b")
_CLAUSE_ENDS: Final = "。！？!?；;\n.．"
_CHILDHOOD: Final = re.compile("小时候|细个|年轻的时候|年轻时|小学时|读书时|上学时|when i was")
_PAST: Final = ("时", "的时候", "期间", "那会")
# A class of people or an institution spoken of, not the declarant's work (eval/README.md: 法院都是
# 党开的, 警察都是党的人, 那些警察, 现在的医生都很黑).
_CLASS_AFTER: Final = ("都", "全是", "全都", "们", "也都", "是党", "也是党", "就是党", "全被")
_CLASS_BEFORE: Final = re.compile(
    "(?:那些|这些|所有的?|现在的|如今的|中国的|大陆的|国内的|各级|整个|中共的"
    # 看到了很多警察, 我们村里的干部很坏: many of them, or those of a place (not 我是村里的干部)
    "|很多的?|许多的?|不少的?|好多的?|一些|一群|大批的?|成群的|村里的|当地的|那里的|这里的|地方上的)$"
)
_OTHERS: Final = ("让", "说", "要求", "告诉", "叫我", "点名", "逼")
_PAST_OR_OTHERS: Final = _PAST + _OTHERS
_STORY_AFTER: Final = ("在", "去世", "牺牲", "死")
_WE: Final = ("我们", "我们这些", "咱们", "俺们", "我们这样的")
_SEEN: Final = re.compile("看到|看见|听说|听到|得知|看了")
_WHOSE: Final = ("我的", "我们的", "他的", "她的", "他们的", "她们的", "我家的")
_SELF_BEFORE_TITLE: Final = re.compile("我(?!们)|本人|是|为|当|做|任")


def parse_statement(text: str, *, hints: Mapping[str, Any] | None = None) -> Parsed:
    """Parse one statement. ``hints``: values a form or a volunteer gave (they win)."""
    if not isinstance(text, str):
        text = str(text)
    n = normalize(text)
    tokens = scan(n)
    kinds = {t[0] for t in tokens}
    mask, current, org_conf, whole, moved, org_tokens = rules_organizations(n, tokens, kinds)
    if mask:  # the learned model re-reads what the rules are not sure of (learned.py)
        learned = model()
        if learned is not None:
            found = org_conf > _NO_WITHDRAWAL
            mask, org_conf = learned.reread(n, org_tokens, mask, whole, moved, org_conf)
            if not found:
                # organizations named, no withdrawal found (我当年入过共青团和少先队): a guess
                # however sure the model is of it, held for a person (issue 13)
                org_conf = min(org_conf, LOW_CONFIDENCE - 0.05)
    headcount, head_conf = read_headcount(n, tokens, kinds)
    name, name_kind, name_span, name_conf = read_name(n, tokens, kinds)
    record = _record_place_line(n) if "声明人" in n.norm else None
    if record is None:
        place = read_region(n, tokens, name_span) if lx.PLACE in kinds else None
        if place is not None and len(n.compact) > _LONG and not _anchored(n, tokens, place):
            # 香港的反送中运动, 武汉肺炎: a place the story is about; another place the text
            # ties to the declarant may still be theirs (在中国，如果有人… 何长福 \n 中国大陆)
            place = _first_anchored(n, tokens, name_span)
        elif place is not None and place.province is None and _bare_scene(n, tokens, place):
            place = None  # 在中国，很多人明明知道…: a scene in a short text too
    else:
        place = _record_place(n, tokens, record)
        place = _record_body_place(n, tokens, name_span, place)
    if place is None or (
        record is None
        and (
            place.country == "CN"
            # 我是香港人，國安法實施後已移居海外 (not 在香港生活多年…身在海外多年: Hong Kong)
            or (place.country in _NOT_ABROAD and n.norm.startswith("人", place.end))
        )
    ):
        # 我是河南人…现在留学海外, 生在大陆…最后选择了出国留学: abroad now, the country not named
        if _abroad_unnamed(n.norm, len(n.norm)) or (
            n.language == "en" and _ABROAD_NOW_EN.search(n.compact) is not None
        ):
            place = None
        elif place is None and n.language == "zh" and _MAINLAND_HINT.search(n.norm) is not None:
            place = _mainland_self(n)  # 我是中国人, 我虽在国内, 本人还在沦陷区: the mainland
        elif place is None and n.language == "en" and _MAINLAND_HINT_EN.search(n.compact):
            place = _mainland_self_en(n)  # I am an ordinary Chinese doctor; inside the Firewall
    sector, sector_conf = (
        _sector(n, tokens, name_span)
        if lx.SECTOR in kinds or (lx.LOCATION in kinds)
        else (None, 0.6)
    )
    region = None
    region_conf = 0.8
    if place is not None:
        region = Region(
            place.country,
            place.province,
            place.prefecture,
            place.county,
            n.original[place.start : place.end],
        )
        region_conf = place.confidence
    if len(n.compact) > _LONG:
        sector_conf = 0.65 if sector is not None else 0.9  # told in a story: often another's
    else:
        sector_conf = 0.8 if sector is not None else 0.95
    confidence = {
        "organizations": org_conf,
        "current_party_member": 0.8 if current is not None else 0.5,
        "headcount": head_conf,
        "name": name_conf,
        "name_kind": name_conf,
        "region": region_conf,
        "sector": sector_conf,
    }
    parsed = Parsed(
        _MASK_SETS[mask],
        current,
        headcount,
        name,
        name_kind,
        region,
        sector,
        n.script,
        n.language,
        confidence,
    )
    if hints:
        parsed = _apply_hints(parsed, hints)
    return parsed


def read_signature(text: str) -> str | None:
    """The name the text is signed with: ``parse_statement(text).name``, read without the
    rest of the statement (organizations, headcount, place, sector). The masked copy of every
    stored text needs only this; on a real statement it is about a quarter of a full parse."""
    if not isinstance(text, str):
        text = str(text)
    n = normalize(text)
    tokens = scan(n)
    return read_name(n, tokens, {t[0] for t in tokens})[0]


def rules_organizations(
    n: Normalized, tokens: list[Token], kinds: set[int]
) -> tuple[int, bool | None, float, int, bool, list[Token]]:
    """The rules' reading of the organizations quit: (mask, current party member, confidence,
    the whole text's mask, whether the declaration reading moved it, the phrases about
    organizations)."""
    if lx.GENERIC in kinds:
        tokens = along_with_object(n, tokens)  # 我和妻子都退出共青团: the verb and its object
    mask, current, base = read_organizations(n, tokens, kinds)
    whole = mask
    moved = False
    conf = base
    org_tokens = tokens
    if mask:
        # the declaration sentences and the model need only the phrases about organizations
        if len(tokens) > 12:
            org_tokens = [t for t in tokens if t[0] in _ORG_KINDS]
        if len(tokens) > 2:
            mask, moved = read_declared(n, org_tokens, kinds, mask)
        conf = _organizations_confidence(base, mask, moved, len(n.compact))
    return mask, current, conf, whole, moved, org_tokens


# Below this confidence a field is a guess a person should check (the screener holds such a
# reading, import does not count organizations read so): the confidences are set from what the
# parser got right on the development split of the real corpus (docs/textparse.md#confidence).
LOW_CONFIDENCE: Final = 0.7
_MID: Final = 250  # compact characters: beyond this a text is a long story


# the rules' confidence when the text names organizations but no withdrawal
_NO_WITHDRAWAL: Final = 0.5


def _organizations_confidence(base: float, mask: int, moved: bool, length: int) -> float:
    """How often readings like this one were right on the development split: short texts
    almost always; "all three" in a long story less often (the party named in the story
    is easily taken for a withdrawal); a reading without a withdrawal phrase, or one where the
    declaration and the whole text disagree, less still."""
    if base < 0.7:
        return _NO_WITHDRAWAL  # organizations named, no withdrawal found
    if length <= _LONG:
        conf = 0.95
    elif length <= _MID:
        conf = 0.85 if mask == lx.ALL else 0.92
    else:
        conf = 0.65 if mask == lx.ALL else 0.87
    if base < 0.9:  # a withdrawal without an object: the memberships the text states
        conf = min(conf, 0.65 if length > _LONG else 0.75)
    if moved:
        conf = min(conf, 0.8)
    return conf


# The service center's record layout: title, statement, 声明人: …, a date line and often a place
# line (the place the declarant entered in the form). Where the layout is there, the place line
# is the declarant's place and places in the statement are topics (武汉封城, 香港反送中).
# The date line as the service center writes it (2019-12-27 17:05), or as people type it
# (2024年1月25日, 2024/1/25, 2024.1.25).
_RECORD_TAIL: Final = re.compile(
    r"声明人\s*[:：][^\n]*?(?:\n\s*)?[0-9]{4}(?:-[0-9]{1,2}-[0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日"
    r"|/[0-9]{1,2}/[0-9]{1,2}|\.[0-9]{1,2}\.[0-9]{1,2})(?:\s*[0-9]{1,2}:[0-9]{2})?([^\n]*)"
    r"(?:\n\s*([^\n]*?))?\s*$"
)


@cache
def _signed_place() -> re.Pattern[str]:
    """A place typed on the signature line after the name, when the record has no place line:
    声明人: 王明 河北石家庄, 声明人：李华 中国辽宁. Only a place that begins with a province or the
    mainland (a name or an alias after the name may be a place's name: 天山, 张家口 as a
    signature). Built on first use: the gazetteer is not loaded when the module is imported."""
    return re.compile(rf"声明人\s*[:：][^\n]*?\S[ \t\u3000]+({province_start()}\S*)[ \t\u3000]*\n")


_MAINLAND_WORDS: Final = frozenset(("中国", "大陆", "中国大陆", "内地", "中国内地", "china"))
_CHINA_WORDS: Final = re.compile(
    "中国|大陆|内地|华东|华南|华北|华中|华西|西南|西北|东北|中华|中共国|沦陷区|墙内|国内|china",
    re.I,
)
_FORMER_LINE: Final = re.compile("昔日|以前|曾经|原来|原籍|过去")  # 昔日大陆: where one was, not is


_NOT_ABROAD: Final = frozenset(("CN", "HK", "MO", "TW"))  # the mainland, and its neighbours' areas


def _record_place_line(n: Normalized) -> tuple[int, int] | None:
    """The span (norm positions) of the place line of a service-center record, (end, end) when
    the record has none; None when the text is not laid out as a record."""
    m = _RECORD_TAIL.search(n.norm)
    if m is None:
        return None
    if m.group(2) is not None and m.group(2).strip():
        return m.start(2), m.end(2)
    if m.group(1).strip():  # 2020-01-04 21:28青海: the place glued to the date line
        return m.start(1), m.end(1)
    signed = _signed_place().search(n.norm, m.start(), m.start(1))
    if signed is not None:  # 声明人: 王明 河北石家庄: the place after the name, no place line
        return signed.start(1), signed.end(1)
    return m.end(), m.end()


# A place line in Latin letters the phrase table does not hold as written: pinyin in two words
# (Jiang Su, Hei Long Jiang) and the short forms of American places (NY, LA, SF).
_US_SHORT_LINES: Final = frozenset(("ny", "nyc", "la", "sf", "nj", "dc", "tx", "usa", "us"))
_HK_LINES: Final = frozenset(("hk", "h.k.", "hksar"))
# 陕西's pinyin is Shaanxi, but most people type Shanxi, which is 山西's (Shanxi Xi'an).
_PINYIN_TWINS: Final = {"shanxi": "shaanxi"}
_LATIN_LINE: Final = re.compile(r"[A-Za-z][A-Za-z .,]{1,40}")


def _pinyin_twin(line: str) -> tuple[str, str | None, str | None, str | None] | None:
    """A place line Shanxi Xianyang or Yulin, Shanxi: 陕西 typed as 山西 is; a place of 陕西 with it
    decides (Shanxi Taiyuan and Shanxi alone stay 山西)."""
    line = line.strip()
    if _LATIN_LINE.fullmatch(line) is None:
        return None
    words = line.lower().replace(",", " ").replace(".", " ").split()
    if len(words) < 2:
        return None
    for k in (0, len(words) - 1):
        twin = _PINYIN_TWINS.get(words[k])
        if twin is not None:
            rest = "".join(words[1:] if k == 0 else words[:-1])
            if rest not in place_table():
                continue
            codes = _codes((twin, rest), False)
            if codes is not None and codes[2] is not None:
                return codes
    return None


def _latin_place(line: str) -> tuple[str, str | None, str | None, str | None] | None:
    line = line.strip()
    if _LATIN_LINE.fullmatch(line) is None:
        return None
    words = line.lower().replace(",", " ").replace(".", " ").split()
    if words and all(w in _US_SHORT_LINES for w in words):
        return ("US", None, None, None)
    if line.lower() in _HK_LINES:
        return ("HK", None, None, None)
    joined = "".join(words)
    table = place_table()
    if joined in table and len(words) > 1:
        return _codes((joined,), False)
    # pinyin run together (heilongjianghaerbin): a province and a place in it
    for cut in range(4, len(joined) - 3):
        head, tail = joined[:cut], joined[cut:]
        if head in table and tail in table:
            codes = _codes((head, tail), False)
            if codes is not None and codes[1] is not None:
                return codes
    # a province's pinyin mistyped by a letter (Guandong, Sichuang): the one close match
    if len(words) == 1 and len(joined) >= 5:
        close = get_close_matches(joined, _province_pinyin(), n=2, cutoff=0.88)
        if len(close) == 1:
            return _codes((close[0],), False)
    return None


@cache
def _province_pinyin() -> list[str]:
    """The Latin names of the provinces (guangdong, inner mongolia), for mistyped place lines."""
    return sorted(
        name
        for name, places in place_table().items()
        if name.isascii() and any(p.level == "province" for p in places)
    )


_LINE_GLUE: Final = re.compile(r"[\s,，、]")


def _record_place(n: Normalized, tokens: list[Token], span: tuple[int, int]) -> Place | None:
    a, b = span
    if a == b:
        return None  # a record without a place line: the statement's places are topics
    twin = _pinyin_twin(n.norm[a:b])
    if twin is not None:
        return Place(*twin, a, b, 0.7)
    ca, cb = n.to_compact(a), n.to_compact(b)
    line = [t for t in tokens if ca <= t[3] and t[4] <= cb]
    places = [t for t in line if t[0] == lx.PLACE]
    named = sum(t[4] - t[3] for t in places)  # characters the place names cover
    if len(places) > 1 and n.compact[places[0][3] : places[0][4]] in _MAINLAND_WORDS:
        line = [t for t in line if t != places[0]]  # 大陆河北: the province, not 河北区
        places = places[1:]
    place = read_region(n, line, None) if any(t[0] == lx.PLACE for t in line) else None
    # the line is one place name, alone or after 中国/大陆 (中国长春: not the word 长春)
    whole = len(places) == 1 and len(_LINE_GLUE.sub("", n.compact[ca:cb])) == named
    if place is None and whole:
        # 义乌, 晋江, 石河子: a place line of one short name is a place, as 某某人 would be
        codes = _codes((n.compact[places[0][3] : places[0][4]],), False)
        if codes is not None:
            place = Place(*codes, a, b, 0.7)
    if _FORMER_LINE.search(n.norm, a, b) is not None:
        return None
    if not any(t[0] == lx.PLACE for t in line):
        latin = _latin_place(n.norm[a:b])
        if latin is not None:
            return Place(*latin, a, b, 0.7)
    if place is None and _CHINA_WORDS.search(n.norm, a, b) is not None:
        return Place("CN", None, None, None, a, b, 0.6)  # 中国华南, 中国内地: the mainland
    return place


# Where the body of a record says where the declarant lives now, that wins over the place line
# when the line gives less: the line is often the origin entered in the form (甘肃兰州 for one
# now in the US), or only the country (中国大陆 for one who says 我是河南郑州新郑市的一位老中医).
# A record without a place line takes a place the body ties to the declarant (本人现在就在武汉).
# Not now: the past (当年在, 在…时), a condition or a wish (如果我也在香港, 希望去美国).
_BEFORE_PAST: Final = re.compile(
    "曾|以前|过去|当年|那时|早年|小时候|年轻时|时$|期间$|如果|假如|要是|若|想|希望|打算|将来|^以后|梦想"
    "|愿望|心愿"  # 最大的愿望就是出国留学: a wish
)
# in the same clause (在南京上学时), not the next (住在锦西，年轻时…; 住在通州，每天坐一个多小时)
_AFTER_PAST: Final = re.compile(
    "^[^。！？!?；;，,\n]{0,8}?(?:(?<!小)时(?!间)|的时候|期间|曾|后回|回国|长大"
    "|^(?:读|上|念)的)"  # 我在北京读的大学: told as done
)
# "美" alone for the United States after a residence word: 居美多年, 来美留学, 在美程式师, 赴美.
_US_SHORT: Final = re.compile(
    "(?:居|在|赴|来|旅|留)美(?!元|好|丽|术|食|德|容|梦|妙|化|女|味|景|满|誉|感|国)"
)
# Words that put the declarant in a place now (compact text, right before the place).
_RESIDE: Final = re.compile(
    "(?:现居|现住|居住在|居住于|住在|家住|定居在|定居于|定居|侨居|旅居|移民到|移民|移居到?|迁到|迁居到?"
    "|来到|来了|(?<![原后本看起出回进未将想说])来|搬到|生活在|身在|身处|人在|现在在|目前在|现在就在|就在"
    "|留学|赴|居|留在|落户在?|(?<![老原])家(?:就)?在|嫁到|嫁来|远嫁"
    "|旅|留|抵"  # the verb of 旅日, 留英, 抵美 (GONE_TO), the place read after it
    "|回到|重回|(?:搬|调|迁)回(?:到|了)?"
    # sent or moved there for work: 分配到四川成都工作, 跳槽到山东烟台, 被学校派到台湾
    "|分配到|调到|调入|跳槽到|派到|派驻到?"
    # a bare 到, when a stay follows the place (我到美国已经很多年了, 到加拿大生活): _STAY_AFTER
    "|(?<![看收接览投听想找得传流卖逃回送寄拿提说讲谈做办遇碰达直等受])到)了?$"
)
# ...a life there (生活, 定居), or a stay that lasts until now (留学已经十几年了, 已经很多年了);
# not a job or a study alone (二〇〇〇年我到香港工作: a move of the story, told in order).
_STAY_AFTER: Final = re.compile(
    "(?:生活|定居|居住|安家)"
    # 到了加拿大半年以来, 到了美国这个自由的国度: there since, and living there
    "|(?:[0-9一二三四五六七八九十几多两半]+(?:年|个月)多?)?以来|这个(?:自由|民主|自由民主)的?(?:国度|国家)"
    "|(?:留学|读书|求学|上学|念书|工作|打工|谋生|打拼)(?:以后|之后|后|以来)"  # 直到到美国留学以后
    "|(?:留学|读书|求学|上学|念书|工作|打工|谋生|打拼)?(?:已经|已|都)(?:有)?(?:快|近|将近)?"
    "(?:[0-9一二三四五六七八九十几多两]+年|很多年|好多年|好几年|多年|这些年|这么多年)"
)
# A trip that became a stay: 到美国探望女儿，因为疫情，一直到现在都没能回国 (still there).
_STUCK: Final = re.compile(
    "(?:没能|没法|无法|不能|未能|没有|没办法|不了)回(?:国|来|去|中国|大陆)|回不(?:了|去|来)|滞留"
)
_STOP: Final = re.compile("[。！？!?\n]")


def _stuck(text: str, end: int) -> bool:
    """Whether the sentence after norm position ``end`` says the declarant cannot go back."""
    stop = _STOP.search(text, end)
    return _STUCK.search(text, end, len(text) if stop is None else stop.start()) is not None


_FREE_BEFORE: Final = re.compile("(?:自由|民主|自由民主|民主自由)的$")
_AT_LEFT_OUT: Final = re.compile("(?:现在|目前|如今|一直|还|仍)?在")
# 我后来赴日留学，在日本生活: the declarant, the subject of the clause before
_SELF_SUBJECT: Final = re.compile(
    "(?:我|本人)(?!们)(?:是|在|已|也|就|现|今年|后来|又|如今|目前|一直)"
)
# A bare 在 counts only with the declarant as its subject: 我在, 本人现在就在, 我虽在.
_HOME_TOWN: Final = re.compile(
    "(?<![他她们])老家(?:是|在)$"
)  # 我是中国人，老家在山东菏泽: an origin
_FROM_SELF: Final = re.compile("(?:我|本人)(?!们)(?:也|就|是)?来自$")  # 我来自甘肃定西的一个山村
_SELF_AT: Final = re.compile(
    "(?:我|本人)(?!们|的)(?:现在|目前|虽|还|仍|就|也|一直|现)*在$|是一[名个位]在$"
    # 我和先生已经在香港生活多年: the declarant with the family
    "|(?:我|本人)(?:和|与|跟|同)(?:先生|丈夫|妻子|太太|老公|老婆|爱人|老伴|家人|孩子|父母|女儿|儿子)"
    "(?:现在|目前|已经|早已|一直|都|也|还|仍)*在$"
    "|我们(?:现在|目前|一直|如今)+(?:都|也|还)?在$"  # 此后我们一直在美国生活: a family there
)
# A clause opened by when it happened, its subject left out: the declarant (自从去年11月底来美国).
_TIME_HEAD: Final = re.compile(
    r"(?:自从|自|从|去年|今年|前年|近年|[0-9一二三四五六七八九十两几多]+(?:年|个月|月|日|号)前?|底|初|中旬"
    r"|已经|早已"
    r"|后来|随后|之后|最近|近来|今天|\s)*"
)
# Another subject in the clause: the place is someone else's (我的领导们都把黑钱移民到美国).
_OTHER_SUBJECT: Final = re.compile(
    "他|她|它|(?<!我)们|领导|儿子|女儿|孩子|父|母|爸|妈|丈夫|妻子|老公|老婆|朋友|同事|同学|邻居|亲戚|[表堂]?[哥姐弟妹]"
    "|姨|姑|舅|叔|伯|爷|奶|外公|外婆"
)
# ...unless the declarant is taken along: 我父亲带我们全家迁到美国.
_TAKEN_ALONG: Final = re.compile("带(?:着|著|领)?(?:我们|我)")
# The declarant with the family, the subject left out: 出院后和家人逃离中国来到美国.
# ...or the whole family, the declarant in it: 三年前全家移居加拿大.
_WITH_FAMILY: Final = re.compile(
    "(?:和|与|跟|同|随|带)着?(?:家人|全家|家里人|女儿|儿子|孩子|子女|老伴|父母|丈夫|妻子|老公|老婆)"
    "|全家|一家(?:人|[三四五六七八两]口)"
)


def _record_body_place(
    n: Normalized, tokens: list[Token], name_span: tuple[int, int] | None, line: Place | None
) -> Place | None:
    if line is not None and line.country not in _NOT_ABROAD:
        return line  # a place line abroad: where the declarant is
    body_end = n.norm.find("声明人")
    if body_end < 0:
        body_end = len(n.norm)
    cut = n.to_compact(body_end)
    # a line with a province, or Hong Kong, Macao or Taiwan, gives way only to a place abroad
    # now (香港 over 我二〇二〇年離開香港，現住倫敦): look at those alone
    abroad_only = line is not None and (line.province is not None or line.country != "CN")
    place = None
    for t in tokens:
        if t[4] > cut:
            break
        if t[0] == lx.PLACE and (not abroad_only or _abroad(t)):
            body = [t for t in tokens if t[4] <= cut]
            place = _body_residence(n, body, name_span, abroad_only)
            break
    unnamed = line is not None and line.country == "CN" and _abroad_unnamed(n.norm, body_end)
    if place is None and unnamed:
        return None  # 在海外生活了十多年 above the line 辽宁: abroad now, the country not named
    if place is None:
        if "美" not in n.norm[:body_end]:
            return line
        us = _US_SHORT.search(n.norm, 0, body_end)
        if us is None or not _declarant_there(n.norm, us.start() + 1, us.start() + 1):
            return line
        return Place("US", None, None, None, us.start() + 1, us.end(), 0.7)
    if place.country != "CN":
        return place  # 来美国后, 侨居法国: abroad now, whatever the form's origin
    if line is None and _abroad_unnamed(n.norm, body_end):
        return None  # 我生在陕西…后来我就留在了国外: abroad now, the country not named
    if line is None or (line.province is None and place.province is not None):
        return place  # 中国大陆 + 我是河南郑州新郑市的…: the deeper place the body gives
    return line


# The declarant abroad now, no country named (eval/README.md: going abroad without a named
# country gives no place; the current place wins over the form's place line, an origin).
_ABROAD_NOW: Final = re.compile(
    "(?:(?<![看收接览投听想找得传流卖逃])到了?|来到|去了?|在|留在了?|移居|移民|定居|旅居|侨居|留学"
    "|生活在|身在|身处|现居|滞留)(?:海外|国外|西方国家|外国|异国(?:他乡)?|[西北东南]?欧(?:洲)?(?:一个|某)?国?家?"
    "|北美|南美|东南亚)"
    # where one lives, not what comes from there (海外朋友, 国外真实报导, 海外的信息)
    "(?=生活|居住|定居|留学|读书|读高中|读大学|读博|读研|读硕士|攻读|上学|念书|求学|工作|打工|随驻|陪读"
    "|通过|了解|才|多年|已经|已|住|打拼|奋斗|谋生|闯荡"
    "|长时间|这些年|再也|长住|常住|住下"
    "|[0-9一二三四五六七八九十几多]+年"
    "|后|以后|以来|之后|[，,。！!；;\n]|$)"
    "|出国(?:留学|读书|工作|定居)?(?:已经|已)?(?:快|近|将近|有)?"
    "(?:后|以后|以来|之后|[0-9一二三四五六七八九十几多]+年|这些年|这么多年|这几年)"
    "|出国(?:留学|读书|工作|定居)了?(?=[，,。！!；;、\n]|$)"
    "|出了国(?=[，,。！!；;、\n]|$|后|以后|之后|以来)"  # 如今出了国，没有了网络封锁
)
_ABROAD_WORDS: Final = (  # one is in every match of _ABROAD_NOW
    "海外", "国外", "出国", "西方国家", "外国", "异国", "欧", "北美", "南美", "东南亚", "出了国",
)  # fmt: skip
# A stay, not a move (五六年前在海外 is the past; 四年前来到国外, there since).
_STAY: Final = frozenset(("在", "身在", "生活在", "身处"))
# ...not a stay that ended or lay in the past: 五六年前在海外, 到海外生活了一段时间.
_ABROAD_PAST_BEFORE: Final = re.compile("年前|之前|前几年|那几年|要么|或者")  # 要么在国外: others
_VISIT: Final = re.compile("[^。！？!?；;\n]{0,16}?(?:旅游|旅行|探亲|出差|访问|开会|考察|游玩)")
_ABROAD_PAST_AFTER: Final = re.compile(
    "[^。！？!?；;，,\n]{0,8}?(?:一段时间|一阵子|期间|的时候|时(?!间)|回国|回到)"
)


# 把 with its object (把钱投到国外, 把孩子送到海外): the object goes abroad (not 把家搬到国外).
_MOVED_OBJECT: Final = re.compile("把(?!家|自己|全家)")
_CAME_BACK: Final = re.compile(
    "回国(?:后|以后|之后|这|工作|定居|发展)|回到(?:了)?(?:国内|大陆|中国)|归国"
)


def _abroad_unnamed(text: str, end: int) -> bool:
    """Whether the body (norm text up to ``end``) says the declarant lives abroad now without
    naming the country: 在海外生活了十多年, 出国几年后, 现在留学海外; not the past (以前在国外),
    a wish (希望出国后), or someone else (儿子在国外)."""
    if not any(word in text for word in _ABROAD_WORDS):
        return False  # the common case, without the search
    for m in _ABROAD_NOW.finditer(text, 0, end):
        before = text[max(0, m.start() - 24) : m.start()]
        clause = before[max(before.rfind(c) for c in "。！？!?；;，,\n") + 1 :]
        if _BEFORE_PAST.search(clause) is not None or _OTHER_SUBJECT.search(clause) is not None:
            continue
        if _MOVED_OBJECT.search(clause) is not None:
            continue  # 把钱撒到国外, 把孩子送到国外: what the clause moves, not the declarant
        stay = any(m.group().startswith(w) for w in _STAY)
        if stay and _ABROAD_PAST_BEFORE.search(clause) is not None:
            continue  # 五六年前在海外上网; but 四年前来到国外: there since
        if _ABROAD_PAST_AFTER.match(text, m.end(), end) is not None:
            continue
        if _VISIT.match(text, m.end(), end) is not None:
            continue  # 来到海外，在旅游景点遇到…: a trip, not where one lives
        if _CAME_BACK.search(text, m.end(), end) is not None:
            continue  # 第一次在国外生活。回国后我回到天津: a stay the declarant came back from
        return True
    return False


def _place_groups(n: Normalized, tokens: list[Token]) -> list[tuple[int, list[int]]]:
    """The text's place phrases: the indexes of each run of place names (辽宁沈阳), with where
    its reading starts (the location word right before it, if any: 来到加拿大)."""
    text = n.compact
    groups: list[list[int]] = []
    for i, token in enumerate(tokens):
        if token[0] != lx.PLACE or street(text, token):
            continue
        if groups and groups[-1][-1] == i - 1 and continues(n, tokens[i - 1], token):
            groups[-1].append(i)
        else:
            groups.append([i])
    found = []
    for group in groups:
        first = group[0]
        if first and tokens[first - 1][0] != lx.PLACE:
            first -= 1  # the location word before the phrase, for its reading
        found.append((first, group))
    return found


def _body_residence(
    n: Normalized, tokens: list[Token], name_span: tuple[int, int] | None, abroad_only: bool
) -> Place | None:
    """The place the body ties to the declarant: the first abroad now (来到美国), else the first
    on the mainland (我是河南郑州新郑市的…); None when the body's places are all the story's."""
    found: Place | None = None
    origin: Place | None = None  # 我是河南信阳人: who one is, when no place of now is told
    for first, group in _place_groups(n, tokens):
        if abroad_only and not any(_abroad(tokens[i]) for i in group):
            continue
        place = read_region(n, tokens[first : group[-1] + 1], name_span)
        if place is None:
            continue
        kind = _residence(n, place)
        if kind is None:
            continue
        if kind == "from":
            if origin is None or (origin.province is None and place.province is not None):
                origin = place  # 我是台湾人…现在一家人都住在东莞: an origin, even abroad
        elif place.country != "CN":
            return place
        elif found is None or (found.province is None and place.province is not None):
            found = place  # 来到浙江宁波打工，现在在这边: where one lives now wins over an origin
    # under a place line, an origin abroad (我是台灣人 above 中國江蘇) does not replace it
    return found or (None if abroad_only else origin)


def _abroad(token: Token) -> bool:
    """Whether a place name may be a country or area other than the mainland (美国, 香港)."""
    names = token[2]
    if not isinstance(names, tuple):
        return False
    return any(isinstance(c, PlaceName) and c.level == "country" and c.code != "CN" for c in names)


_GONE_FORMS: Final = frozenset(w for words in GONE_TO.values() for w in words)
_WORD_GOES_ON: Final = frozenset("元好丽术食德容梦妙化女味景满誉感国语文本")


def _residence(n: Normalized, place: Place) -> str | None:
    """How the text ties a place to the declarant: now (住在, 来到, 我在…), from (我是X人, 身为X人),
    or None (a place of the story)."""
    text = n.compact
    start, end = _unspaced(text, n.to_compact(place.start), n.to_compact(place.end))
    if text[start:end] in _GONE_FORMS:
        # 我赴日留学工作, 本人旅加多年: the verb inside the name, a move of the declarant's (not
        # 迎来美好的未来: a word goes on after it)
        if text[end : end + 1] in _WORD_GOES_ON:
            return None
        return "now" if _declarant_there(n.norm, place.start + 1, place.end) else None
    if (
        text.endswith(_SELF_PLACE, 0, start)
        or (text.startswith("人", end) and _self_person(n, start))
        or _FROM_SELF.search(text, max(0, start - 6), start) is not None
        or _HOME_TOWN.search(text, max(0, start - 6), start) is not None
    ):
        return "from"
    if text.startswith(_RESIDENT, end) and text.endswith(("本人", "我是", "我"), 0, start):
        return "now"  # 本人澳门居民
    return "now" if _declarant_there(n.norm, place.start, place.end) else None


def _unspaced(text: str, start: int, end: int) -> tuple[int, int]:
    """A place's compact span widened over the spaces around it (我是 HK 人, 住在 Houston，)."""
    while start and text[start - 1] == " ":
        start -= 1
    while end < len(text) and text[end] == " ":
        end += 1
    return start, end


def _declarant_there(text: str, start: int, end: int) -> bool:
    """Whether a residence word before norm position ``start`` puts the declarant there now:
    the clause's subject is the declarant (said or left out), not in the past (当年在, 在…时)."""
    before = text[max(0, start - 24) : start].rstrip(" ")  # 我住在 Wuhan (mixed script)
    clause_start = max(before.rfind(c) for c in "。！？!?；;，,\n") + 1
    previous = before[:clause_start]
    before = before[clause_start:]
    verb = _RESIDE.search(_FREE_BEFORE.sub("", before))  # 来到了自由的美国
    if (
        verb is not None
        and verb.group().startswith("到")
        and not _STAY_AFTER.match(text, end)
        and not _stuck(text, end)
    ):
        verb = None  # 到北京上访, 到香港旅游: a trip, not where one lives
    if verb is None:
        verb = _SELF_AT.search(before)
        if (
            verb is None
            and _AT_LEFT_OUT.fullmatch(before) is not None
            and previous.endswith(("，", ","))
            and _SELF_SUBJECT.search(previous, max(previous.rfind(c) for c in "。！？!?；;\n") + 1)
        ):
            # 我是武警，在西藏服役第六年: the subject of the clause before, left out
            return _AFTER_PAST.match(text[end : end + 12]) is None
        if verb is None:
            return False
    head = before[: verb.start()]
    if _BEFORE_PAST.search(head) is not None or _AFTER_PAST.match(text[end : end + 12]):
        return False
    along = _TAKEN_ALONG.search(head) is not None
    # 跟着女儿住在西安: the relative goes along with the declarant, not instead of them
    own = _WITH_FAMILY.sub("", head)
    if _OTHER_SUBJECT.search(own) is not None and not along:
        return False
    if not head or len(head) <= 4 or _TIME_HEAD.fullmatch(head) is not None:
        return True
    if along or _WITH_FAMILY.search(head) is not None:
        return True
    return re.search("我|本人|鄙人", head) is not None


# The declarant says they are on the mainland, naming no province: 我是中国人, 我是一名普通中国医生,
# 本人身为中国大陆一名普通公民, 我虽在国内, 本人还在沦陷区, 我们身处中国大陆, 大陆居民, 我生于大陆.
# Compact text (no punctuation between Chinese characters); a clause's worth of words between.
_MAINLAND: Final = "(?:中华人民共和国|中国大陆|中国内地|中国|大陆|内地)"
_NO_END: Final = "[^，。,.！？!?\\n]"  # a character inside the clause
_I: Final = ("我(?!们)", "本人(?!们)")  # the declarant, heading an alternative
_NOW: Final = ("现在", "目前", "如今")


# A place of now, not of the past (我在中国大陆几十年来所接受的): after every form but the first
# two.
_NOT_PAST: Final = "(?![几多]|[0-9一二三四五六七八九十]+年|的时候|时|期间|所|大陆|内地)"
# The forms of now: each followed by _NOT_PAST.
_NOW_FORMS: Final = (
    *lx.heads(
        _I,
        "(?:虽|还|目前|现在|仍|也|一直)*(?:在|身在|身处|住在|生活在|生于)"
        rf"(?:(?:中共|共产党|共党|邪党)(?:统治|控制|极权|专制)下的)?{_MAINLAND}",
    ),
    *lx.heads(
        _I,
        "人?(?:虽|还|目前|现在|仍|仍然|依然|至今|也|一直|这样的?|这种|同样|自己|本身|就|都)*"
        "(?:在|身在|身处|住在|生活在)(?:国内|沦陷区|墙内)(?!的(?:亲戚|朋友|家人|父母|同学|同事|亲人|孩子))",
    ),
    # 在国内，我们无法…: the place set first, the declarant the subject of the clause after it
    # (not 我的家人都在国内，我不想给他们惹麻烦: others there)
    "在(?<![他她它]在)(?<!家人都在)(?<!亲人都在)(?<!父母都在)(?<!亲戚都在)(?<!家人在)(?<!父母在)"
    rf"(?:国内|{_MAINLAND})[，,]?(?:我|本人|无法|不能|没法|不敢|想(?=退))(?!国)",
    *lx.heads(
        ("身处", "生活在", "居住在"), rf"{_MAINLAND}(?!的(?:人|同胞|民众|百姓|朋友|中国人))"
    ),
    "目前在国内生活",
    *lx.heads(("大陆", "内地", "国内"), "居民"),
    # 我的肉身困在这里, 肉身被困在墙内: the body still there (as 肉身在墙内)
    "肉身(?:还|仍|仍然|依然)?(?:被)?(?:困|留|囚禁|禁锢)在(?:这里|这片土地上?|墙内|国内|大陆)",
    # 又感到生活在这种恶党独裁国度: living in this country, said of oneself
    rf"生(?<![他她们]生)活在这(?:种|个|样的?){_NO_END}{{0,8}}?(?:国度|国家)",
    rf"住(?<![他她们]住)在这(?:种|个|样的?){_NO_END}{{0,8}}?(?:国度|国家)",
    # 我们这些生活在国内的普通人 (as 像我这样在国内的人): the declarant among them
    *lx.heads(
        ("我们", "咱们", "咱"), "这些(?:还|仍)?(?:在|身在|身处|生活在|住在)?(?:国内|大陆|墙内)"
    ),
    # 由于我还未离开中国大陆, 我至今没有离开大陆: still there
    *lx.heads(
        _I,
        "(?:这辈子|一辈子|还|仍|至今|一直|从来)*(?:未|没有|没|从未|从没)(?:离开|出)过?"
        + _MAINLAND,
    ),
    # 我这辈子没出过国; 回国后一直在国内教书: still in the country
    *lx.heads(_I, f"{_NO_END}{{0,4}}?(?:没|没有|从没|从未|从来没)出过国"),
    rf"回(?:国|来)(?:后|以后|之后)(?:我|本人)?(?:一直|就)?(?:在|留在|生活在)(?:国内|{_MAINLAND})",
    # 像我们这种在国内过日子的普通人 (as 像我这样在国内的人)
    "像我们?这(?:样|种|些)的?(?:还|仍)?(?:在|身在|生活在|住在)(?:国内|大陆|墙内)",
    # 本人是中国一家国企的普通职工: a job on the mainland said of oneself
    *lx.heads(
        _I,
        rf"(?:是|系)(?:在)?{_MAINLAND}(?:的)?一[家所个间]{_NO_END}{{0,8}}?的"
        "(?:普通)?(?:职工|员工|职员|工人|老师|教师|医生|护士|司机|干部|会计|技术员|工程师)",
    ),
    # 现在仍然住在国内, 现在在国内一家公司做会计, 如今回到国内工作: there now, the subject left
    # out
    *lx.heads(_NOW, "(?:仍然|还|依然|仍|也|一直)?(?:住在|生活在|居住在)(?:国内|大陆|墙内)"),
    *lx.heads(_NOW, "(?:还|仍)?在国内(?:一[家所个间]|工作|生活|上班|教书)"),
    *lx.heads(_NOW, rf"回到了?(?:国内|{_MAINLAND})"),
)  # fmt: skip
# Who one is (我是一名普通的中国医生, 我也就是个中国的打工仔, 本人乃一普通中国公民): the nouns.
_SELF_NOUNS: Final = (
    "(?:人(?!民)|公民|居民|百姓|老百姓|民众|医生|教师|老师|(?<!留)学生|工人|农民|青年|民警|警察|公务员"
    "|干部|军人|记者|律师|护士|工程师|大学生|职员|员工|司机|打工仔|打工者|农民工|白领|上班族|个体户"
    "|商人|高中生|初中生|中学生|研究生|市民|职工|会计)"
)
# ...and the words between the declarant and 是: 我也就是个…, 我也不过是…, 本人乃…, 我只是….
_SELF_IS: Final = "(?:也|就|只|只不过|不过|算|都)*(?:是|系|乃)"
_MAINLAND_SELF: Final = re.compile(
    "|".join((
        *lx.heads(
            (*(i + _SELF_IS for i in _I), "身为", "作为"),
            rf"{_NO_END}{{0,10}}?(?:{_MAINLAND}|国内(?=的|一[名个位]|体制))(?:体制[内里]的?)?(?:的)?(?:一[名个位])?"
            "(?:普通|小小|普普通通|平凡|最普通|底层)?(?:的)?"
            # a job after a word or two of where (监狱民警, 小学老师)
            "(?:(?!共产|共青|少先)[^，。,.！？!?\n的]{0,4}?(?=民警|警察|公务员|干部|军人|记者|律师|护士"
            f"|工程师|职员|员工|医生|教师|老师|工人|农民|司机))?{_SELF_NOUNS}",
        ),
        # 作为一名在国内教书的老师: a job on the mainland, said of oneself
        *lx.heads(
            (*(i + _SELF_IS for i in _I), "身为", "作为"),
            rf"(?:一[名个位])?(?:普通的?)?在(?:国内|{_MAINLAND}){_NO_END}{{0,6}}?的(?:普通的?)?"
            + _SELF_NOUNS,
        ),
        # 身处沦陷区多年, 身在墙内: there, however long (not 身处国内时)
        *lx.heads(
            ("身在", "身处", "人在", "肉身"),
            "(?:还|仍|仍然|依然)?在?(?:墙内|国内|沦陷区)(?!时|的时候|期间)",
        ),
        # 因为人还在中国大陆, 人在大陆: the declarant still there (not 很多人还在大陆受苦)
        rf"人(?<![多少些的们个家]人)(?:还|仍|仍然|依然)?在{_MAINLAND}(?!的|受|生活在|过着)",
        # 我人还困在国内, 我人虽然还在国内: the declarant still there
        "人(?<=我人)(?:虽然|虽|还|仍|仍然|依然|被)*(?:困|留|关)?在国内(?!的|时|的时候)",
        # 国内的我们, 生活在墙内的我: the declarant among those there
        *lx.heads(("国内", "墙内", "大陆", "沦陷区"), "的(?:我们|咱们|我(?![们的]))"),
        # a title that says who writes it: 一名中国监狱民警的退党声明
        rf"一(?<=^一)[名位](?:普通)?(?:的)?{_MAINLAND}(?!共产党|共青团|少先队|人民)",
        *(form + _NOT_PAST for form in _NOW_FORMS),
    ))
)  # fmt: skip


_MAINLAND_HINT: Final = re.compile("国|陆|区|墙")
# The mainland said of oneself, in English (eval/README.md, "The mainland said of oneself").
_MAINLAND_HINT_EN: Final = re.compile("chin|wall|country|mainland")
# Abroad now, the country not named, in English (I am studying abroad now; since moving overseas).
_ABROAD_NOW_EN: Final = re.compile(
    r"\b(?:i|we) (?:am |are |have |now |also )*(?:moved|emigrated|living|live|studying|study"
    r"|working|work|settled|been living|lived)[^.!?]{0,15}\b(?:overseas|abroad)\b"
    # since I left China and settled in a Western country
    r"|\bsettled (?:down )?in (?:a |the )?(?:western|foreign|free) (?:country|world)\b"
    r"|\bsince (?:moving|emigrating|i moved|i emigrated|we moved) (?:overseas|abroad)\b"
    # I taught at a school in Kunming for years and moved abroad in 2019
    r"|\b(?:i|we)\b[^.!?]{0,80}? and (?:then |later |finally |now |have |have been )?"
    r"(?:moved|emigrated|settled|lived|living|live) (?:overseas|abroad)\b"
)
_MAINLAND_SELF_EN: Final = re.compile(
    r"\b(?:inside|behind) the (?:great )?(?:fire)?wall\b"
    r"|\bhere (?:in|on) (?:the )?(?:mainland|china|mainland china)\b"
    r"|\b(?:people|someone) like me (?:inside|in) (?:the country"
    r"|china)\b"
    r"|\b(?:i am|i'm|as) an? (?:ordinary |regular |common )?chinese (?:citizen|doctor|teacher"
    r"|worker|farmer|police officer|policeman|civil servant|official|soldier|nurse|engineer)\b"
    r"|\b(?:i am|i'm) an? [a-z ]{1,30}? in (?:mainland )?china\b"
    r"|\b(?:i am|i'm|i) (?:still )?(?:a chinese )?(?:living|live) (?:on|in) (?:the )?(?:mainland"
    r"|china|prc)\b"
)


def _mainland_self_en(n: Normalized) -> Place | None:
    m = _MAINLAND_SELF_EN.search(n.compact)
    if m is None:
        return None
    return Place("CN", None, None, None, m.start(), m.end(), 0.6)


def _mainland_self(n: Normalized) -> Place | None:
    m = _MAINLAND_SELF.search(n.compact)
    if m is None:
        return None
    return Place("CN", None, None, None, n.to_norm(m.start()), n.to_norm_end(m.end()), 0.6)


# A place in a story is the declarant's only when the text ties it to them: a location word
# before it (住在, 来自, 在), 我是X人, or a line of its own (a signature line).
_SENTENCE_MARKS: Final = re.compile("[。！？!?；]")
_PIECE_ENDS: Final = "。！？!?；\n."
_SELF_PLACE: Final = (
    "我是", "本人是", "我们是", "我们都是", "本人系", "我系", "身为", "作为", "我本是",
    # where one is from: 我老家在江西赣州 (an origin, which a place of now outweighs)
    "我老家在", "我的老家在", "本人老家在", "我老家是", "我的老家是", "我原籍", "本人原籍",
    "我籍贯", "本人籍贯",
)  # fmt: skip
# 我是香港人, 身为新疆人的我, 我是一个地道的北京人: the declarant; 黑警打香港人, 让美国人知道:
# others.
_SELF_PERSON: Final = re.compile("(?:我|本人)(?:也|本|就|都)?是|身为|作为|我们都是")
_SELF_PERSON_REACH: Final = 10


_SELF_BEFORE: Final = ("我", "人", "们", "俺")  # 我在, 本人在, 我们在
_RESIDENT: Final = ("居民", "市民", "永久居民")  # 本人澳门居民


_SCENE_EN: Final = frozenset(("in", "at"))
_SELF_IN_EN: Final = re.compile(
    r"\b(?:i|we|i'm|i am|we are|me|us|myself|my family|live|living|lived|reside|residing|stay"
    r"|staying|work|working|study|studying|still)\b\W*(?:\w+\W+){0,7}$"
)


def _scene(n: Normalized, marker: Token, place: Place, end: int) -> bool:
    """在中国，加入少先队…很多人; 在大陆的教育体制下; 在中國引起了关注: a bare 在 with nobody
    before it sets the scene of a general remark, when the place is a whole country or is
    followed by 的; 我在中国, 住在大陆 tie it to the declarant."""
    text = n.compact
    start = marker[3]
    word = text[start : marker[4]]
    if word in _SCENE_EN:  # Everyone in China is waiting…; I live in China: the declarant
        before = text[max(0, start - 48) : start]
        return place.province is None and _SELF_IN_EN.search(before) is None
    if word != "在" or text.endswith(_SELF_BEFORE, 0, start):
        return False
    if _LIVES_AFTER.match(text, end) is not None:
        return False  # 如今在香港已经生活了六年: where the declarant lives, said so
    if text.endswith(_NOW_WORDS, 0, start):
        # 如今在中国，想正常上学…几乎人人都…: a remark on the country now, not where one is
        return place.province is None and n.gap_at_position(end) and _general_after(text, end)
    if text.startswith(("的一", "的某"), end):
        return False  # 驻守在西藏阿里的一个边防连: a unit there, where one is
    return place.province is None or text.startswith("的", end)


def _bare_scene(n: Normalized, tokens: list[Token], place: Place) -> bool:
    """Whether a whole country opens a clause after a bare 在 and the clause after it has others
    as its subject: 在中国，很多人明明知道…; 听说在中国，很多大学生… (not 在中国，我…)."""
    start, end = n.to_compact(place.start), n.to_compact(place.end)
    text = n.compact
    if start < 1 or text[start - 1] != "在" or not n.gap_at_position(end):
        return False
    if _CLAUSE_MARK.search(n.norm, n.to_norm_end(end), n.to_norm(end)) is None:
        return False  # 在 Canada 温哥华 (a space, not a clause's end)
    head = _CLAUSE_HEAD.search(n.norm, 0, n.to_norm(start - 1))
    return head is not None and head.group().strip() in _SCENE_HEADS and _general_after(text, end)


def _general_after(text: str, end: int) -> bool:
    """Whether the clause after compact position ``end`` has others or anyone as its subject
    (很多人…, 大家…, 想正常上学…几乎人人; not 想退党, the declarant's own wish)."""
    return text.startswith(_OTHERS_AFTER_SCENE, end) or (
        text.startswith(("想", "要想"), end) and not text.startswith(("想退", "要想退"), end)
    )


_CLAUSE_MARK: Final = re.compile("[，,。！？!?；;：:\n]")
_CLAUSE_HEAD: Final = re.compile("[^，,。！？!?；;：:\n]*$")
_SCENE_HEADS: Final = frozenset(
    ("", "听说", "据说", "看到", "听到", "知道", "如今", "现在", "现今", "当今")
)
_OTHERS_AFTER_SCENE: Final = (
    "很多", "许多", "不少", "大家", "人们", "有人", "老百姓", "百姓", "人人", "大多数", "每个人",
    "所有人", "到处", "几乎", "谁", "任何人",
)  # fmt: skip


_NOW_WORDS: Final = ("如今", "现在", "目前", "现今")
_LIVES_AFTER: Final = re.compile("(?:已经|已|一直)?(?:生活|定居|居住|安家)")


_TIES: Final = frozenset(("now", "weak", "from"))
_TIES_ORIGIN: Final = _TIES | {"origin"}


def _anchored(n: Normalized, tokens: list[Token], place: Place, origin: bool = True) -> bool:
    """Whether the text ties the place to the declarant (see _SENTENCE_MARKS); with ``origin``,
    also as where they are from (我出生在内蒙古, I was born in Lanzhou: eval/README.md, "if it
    says only where they are from, that")."""
    start = n.to_compact(place.start)
    end = n.to_compact(place.end)
    ties = _TIES_ORIGIN if origin else _TIES
    for i, token in enumerate(tokens):
        if token[3] == start and token[0] == lx.PLACE:
            marker = _place_marker(n, tokens, i)
            if marker in ties and not _scene(n, tokens[i - 1], place, end):
                return True
            if n.language == "en" and (
                _EN_STILL_THERE.match(n.compact, end) is not None
                or en_resident(n.compact, start, end)
                or en_moved_to(n.compact, start)
            ):
                return True  # I grew up in Ningbo and still live there; I moved from X to Y
            break
    text = n.compact
    start, end = _unspaced(text, start, end)  # 我是 Hubei Xiangyang 人 (mixed script)
    if text.endswith(_SELF_PLACE, 0, start):
        return True  # 我是黑龙江哈尔滨的一名教师
    if text.startswith("人", end) and _self_person(n, start):
        return True  # 我是香港人
    if text.startswith(_RESIDENT, end) and (
        text.endswith(("本人", "我是", "我"), 0, start) or _self_person(n, start)
    ):
        return True  # 本人澳门居民
    if (
        text.endswith("到", 0, start)
        and _STAY_AFTER.match(text, end) is not None
        and _declarant_there(n.norm, place.start, place.end)
    ):
        return True  # 我到美国已经很多年了: there since
    a, b = place.start, place.end
    norm = n.norm
    # the closing piece of the text (a signature: "…退出中共。 李明 辽宁沈阳", "Xu Gang, Jilin")
    last_mark = max(norm.rfind(c, 0, a) for c in _PIECE_ENDS)
    if _SENTENCE_MARKS.search(norm, b) is None and len(norm) - last_mark <= 48:
        return True
    line_start = norm.rfind("\n", 0, a) + 1
    line_end = norm.find("\n", b)
    line = norm[line_start : len(norm) if line_end < 0 else line_end]
    tail = norm.count("\n", b) <= 2 or b > len(norm) * 0.8
    return tail and len(line.strip()) <= 60 and _SENTENCE_MARKS.search(line) is None


def _first_anchored(
    n: Normalized, tokens: list[Token], name_span: tuple[int, int] | None
) -> Place | None:
    """The first place phrase of a long text that the text ties to the declarant, each phrase
    read alone with the location word before it; None when every place is the story's."""
    origin: Place | None = None  # where one is from, when the text ties no other place
    for first, group in _place_groups(n, tokens):
        place = read_region(n, tokens[first : group[-1] + 1], name_span)
        if place is None:
            continue
        if _anchored(n, tokens, place, origin=False):
            return place
        if origin is None and _anchored(n, tokens, place):
            origin = place
    return origin


def _self_person(n: Normalized, start: int) -> bool:
    """Whether the clause before compact position ``start`` says who the declarant is (我是…)."""
    a = max(0, start - _SELF_PERSON_REACH)
    if n.strong:
        i = bisect_right(n.strong, start)
        if i:
            a = max(a, n.strong[i - 1])
    return _SELF_PERSON.search(n.compact, a, start) is not None


def _sector(
    n: Normalized, tokens: list[Token], skip: tuple[int, int] | None
) -> tuple[str | None, float]:
    """The declarant's sector: the most specific one named (PRIORITY), not a relative's, not
    one of the past (当兵时), not inside the name (刘海军)."""
    best: str | None = None
    best_rank = -1
    text = n.compact
    skip_a, skip_b = (n.to_compact(skip[0]), n.to_compact(skip[1])) if skip else (-1, -1)
    long_text = len(text) > _LONG
    for kind, _mask, value, start, end in tokens:
        if kind == lx.LOCATION and text[start:end] in _STUDY:
            key, rank = "student", 5
        elif kind != lx.SECTOR or value is None:
            continue
        else:
            key = str(value)
            if key.endswith(":weak"):
                key, rank = key[:-5], 5
            else:
                rank = PRIORITY[key]
        before = text[max(0, start - 8) : start]
        if long_text:
            # In a life story many occupations are named, of the people the story is about:
            # only the one said of oneself counts (我是一名医生, 我在国安厅工作).
            if not _said_of_self(n, start):
                continue
            rank += 100
        if rank <= best_rank:
            continue
        if start < skip_b and skip_a < end:
            continue
        after = text[end : end + 3]
        if after.startswith(_PAST_OR_OTHERS):
            continue  # 当兵时; 老师让我们入团
        if (
            n.norm.startswith(_STORY_AFTER, n.to_norm_end(end))
            and _SELF_BEFORE_TITLE.search(before[-4:]) is None
            and not _said_of_self(n, start)
        ):
            continue  # 李文亮医生在武汉去世了: a person of the story (not 我是医生，在美国行医)
        if (
            after.startswith(_CLASS_AFTER) or _CLASS_BEFORE.search(before) is not None
        ) and not _said_of_self(n, start):
            continue  # 法院都是党开的, 那些警察: a class or an institution, not one's work
        if _RELATIVES.search(before[-6:]) is not None and "我是" not in before:
            continue  # 我父亲是军人: a relative's occupation is not the declarant's
        if before.endswith(_WHOSE):
            continue  # 我的老师是个好人: the declarant's teacher, not the declarant
        if _SEEN.search(before) is not None and not _said_of_self(n, start):
            continue  # 看到香港警察打人的视频: people seen or heard of
        if (
            "的" in before[-5:]
            and _people_of_place(text, tokens, start)
            and not _said_of_self(n, start)
        ):
            continue  # 武汉的医生护士太辛苦了: the people of a place
        if _CHILDHOOD.search(before) is not None:
            continue  # 细个喺深圳读书, 小时候: not what one does now
        best, best_rank = key, rank
    return best, (0.8 if best is not None else 0.6)


def _people_of_place(text: str, tokens: list[Token], start: int) -> bool:
    """Whether the phrase at compact ``start`` names the people of a place spoken of (武汉的医生,
    香港的警察): a place, 的, then the phrase; not a place one is in or from (在天津的一家工厂,
    是重庆的一名中学老师, 我们在英国的五个留学生)."""
    for k, t in enumerate(tokens):
        if t[0] != lx.PLACE or not start - 5 <= t[4] < start or text[t[4]] != "的":
            continue
        first = t[3]
        while k and tokens[k - 1][0] == lx.PLACE and tokens[k - 1][4] >= first - 1:
            k -= 1
            first = tokens[k][3]  # 在江苏昆山的电子厂: the whole name
        return "一" not in text[t[4] : start] and not text.endswith(IN_OR_FROM, 0, first)
    return False


def _said_of_self(n: Normalized, start: int) -> bool:
    """Whether the clause before compact position ``start`` says who the declarant is: 我是 /
    本人 / 作为 … (a few characters before), "I am a" / "I work" … (a few words before)."""
    text = n.compact
    english = text[start - 1 : start].isascii()
    reach = _SELF_REACH_EN if english else _SELF_REACH
    a = max(0, start - reach)
    if n.strong:
        i = bisect_right(n.strong, start)
        if i:
            a = max(a, n.strong[i - 1])
    before = text[a:start]
    cut = max(before.rfind(c) for c in _CLAUSE_ENDS)
    if cut >= 0:
        before = before[cut + 1 :]
    if _SELF.search(before) is not None or before.endswith(_WE):
        return True  # 我是一名医生; 中共想要控制我们学生的思想
    return english and _SELF_EN.search(before) is not None


# --- hints ---------------------------------------------------------------------------------


def _apply_hints(parsed: Parsed, hints: Mapping[str, Any]) -> Parsed:
    """Replace parsed fields with the valid values a form or volunteer gave (confidence 1.0).

    An invalid hint is ignored: the parser's own reading stays.
    """
    values: dict[str, Any] = {}
    orgs = _hint_organizations(hints.get("organizations"))
    if orgs:
        values["organizations"] = orgs
    headcount = hints.get("headcount")
    if isinstance(headcount, str) and headcount.strip().isdigit():
        headcount = int(headcount.strip())
    if (
        isinstance(headcount, int)
        and not isinstance(headcount, bool)
        and (1 <= headcount <= MAX_HEADCOUNT)
    ):
        values["headcount"] = headcount
    name = hints.get("name")
    if isinstance(name, str) and name.strip():
        values["name"] = name.strip()
    kind = hints.get("name_kind")
    if isinstance(kind, str) and kind in NAME_KINDS:
        values["name_kind"] = kind
        if kind == "anonymous":
            values["name"] = None
    sector = hints.get("sector")
    if isinstance(sector, str) and sector in SECTORS:
        values["sector"] = sector
    member = hints.get("current_party_member")
    if isinstance(member, bool):
        values["current_party_member"] = member
    region = _hint_region(hints.get("region"))
    if region is not None:
        values["region"] = region
    if not values:
        return parsed
    confidence = dict(parsed.confidence)
    for key in values:
        confidence[key] = 1.0
    if "name" in values:
        confidence["name"] = 1.0
    fields: dict[str, Any] = {
        "organizations": parsed.organizations,
        "current_party_member": parsed.current_party_member,
        "headcount": parsed.headcount,
        "name": parsed.name,
        "name_kind": parsed.name_kind,
        "region": parsed.region,
        "sector": parsed.sector,
    }
    fields.update(values)
    return Parsed(script=parsed.script, language=parsed.language, confidence=confidence, **fields)


def _hint_organizations(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = value.replace(";", " ").replace(",", " ").replace("|", " ").split()
    if not isinstance(value, list | tuple | set | frozenset):
        return frozenset()
    found = frozenset(v for v in value if isinstance(v, str) and v in ORGANIZATIONS)
    return found if len(found) == len(set(value)) else frozenset()


def _hint_region(value: Any) -> Region | None:
    if isinstance(value, Region):
        return value
    if isinstance(value, Mapping):
        value = (
            value.get("county")
            or value.get("prefecture")
            or value.get("province")
            or (value.get("country"))
        )
    if not isinstance(value, str) or not value.strip() or not value.strip().isascii():
        return None
    try:
        code = normalize_region(value)
    except RegionError:
        return None
    if not code[:1].isdigit():
        return Region(code, None, None, None, None)
    province = code[:2] + "0000"
    d = division(code)
    level = d.level if d is not None else ("province" if code == province else "county")
    if level == "province":
        return Region("CN", province, None, None, None)
    if level == "prefecture":
        return Region("CN", province, code, None, None)
    parent = d.parent if d is not None else code[:4] + "00"
    prefecture = parent if parent and parent != province and division(parent) else None
    return Region("CN", province, prefecture, code, None)
