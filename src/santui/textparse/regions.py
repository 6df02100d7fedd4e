"""Places: GB/T 2260 codes for the mainland, ISO 3166-1 alpha-2 codes for everywhere else.

The division list ships as ``data/divisions.json``: every province, prefecture and county-level
division of the Ministry of Civil Affairs' 2024 list, with English names of the provinces,
prefectures and counties. ``data/historical.json`` holds the old names of prefectures since
1980, the other old names and the old codes since 1995, each resolved to today's code.
Sources, licences and vintage are recorded in the files and in docs/regions.md;
``scripts/build_divisions.py`` rebuilds both. Hong Kong, Macau and Taiwan are addressed by their
ISO codes (HK, MO, TW), not by their GB/T 2260 codes (81, 82, 71), as the import format
requires.

``place_names()`` lists every name the statement parser matches: official and short names of
the divisions, historical names, English names, and countries and areas by their CLDR names.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Literal

import pycountry
from babel import Locale

if TYPE_CHECKING:
    import opencc

MAINLAND: Final = "CN"
_GB_CODE: Final = re.compile(r"^[1-6][0-9]{5}$")
_ISO_CODE: Final = re.compile(r"^[A-Z]{2}$")
# GB/T 2260 provincial codes of the areas that the registry addresses by ISO code instead.
_NOT_MAINLAND_PREFIXES: Final = {"71", "81", "82"}
_GB_TO_ISO: Final = {"710000": "TW", "810000": "HK", "820000": "MO"}

PROVINCE_NAMES_EN: Final = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin",
    "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang",
    "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
    "410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong",
    "450000": "Guangxi", "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan",
    "520000": "Guizhou", "530000": "Yunnan", "540000": "Tibet", "610000": "Shaanxi",
    "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang",
}  # fmt: skip

Level = Literal["country", "province", "prefecture", "county"]
LEVELS: tuple[Level, ...] = ("country", "province", "prefecture", "county")


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str  # official name in simplified Chinese
    province: str  # code of its province
    level: Level = "prefecture"  # "province", "prefecture" or "county"
    parent: str | None = None  # its prefecture, else its province (None for a province)
    name_en: str = ""  # English name of a province or prefecture ("" for a county)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    source: str
    vintage: str
    provinces: dict[str, Division]
    prefectures: dict[str, Division]
    counties: dict[str, Division]

    def prefectures_of(self, province_code: str) -> list[Division]:
        return [d for d in self.prefectures.values() if d.province == province_code]

    def counties_of(self, code: str) -> list[Division]:
        """County-level divisions directly under a prefecture (or a province: 省直辖县)."""
        return [d for d in self.counties.values() if d.parent == code]


def _data(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(f"data/{name}").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    return raw


@cache
def _raw_divisions() -> dict[str, Any]:
    return _data("divisions.json")


@cache
def _raw_historical() -> dict[str, Any]:
    return _data("historical.json")


def _capitalized(english: list[str]) -> str:
    return " ".join(w.capitalize() for w in english[0].split()) if english else ""


@cache
def gazetteer() -> Gazetteer:
    raw = _raw_divisions()
    english: dict[str, list[str]] = raw["english"]
    provinces = {
        code: Division(code, name, code, "province", None, PROVINCE_NAMES_EN[code])
        for code, name in raw["provinces"].items()
        if code[:2] not in _NOT_MAINLAND_PREFIXES
    }
    prefectures = {}
    for code, name in raw["prefectures"].items():
        province = code[:2] + "0000"
        if province in provinces:
            en = _capitalized(english.get(code, []))
            prefectures[code] = Division(code, name, province, "prefecture", province, en)
    counties = {}
    for code, name in raw["counties"].items():
        province = code[:2] + "0000"
        if province in provinces:
            parent = code[:4] + "00" if code[:4] + "00" in prefectures else province
            counties[code] = Division(code, name, province, "county", parent)
    return Gazetteer(raw["source"], raw["vintage"], provinces, prefectures, counties)


def division(code: str) -> Division | None:
    """The mainland division of a current six-digit GB/T 2260 code, or None."""
    gaz = gazetteer()
    return gaz.provinces.get(code) or gaz.prefectures.get(code) or gaz.counties.get(code)


@cache
def replaced_codes() -> dict[str, str]:
    """Codes of divisions that were renamed or merged since 1995 -> today's code.

    Only codes whose division lies wholly inside one current division are listed (renamings,
    county -> district or city, mergers); a code whose division was split is not.
    """
    codes: dict[str, str] = _raw_historical()["codes"]
    return codes


@cache
def _old_codes() -> dict[str, tuple[str, int]]:
    """Codes of the historical names (all, split ones too) -> (old name, year of the change)."""
    return {n["old_code"]: (n["name"], n["year"]) for n in _raw_historical()["names"]}


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (pycountry's copy of the standard)."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


class RegionError(ValueError):
    """A region code that is neither a known GB/T 2260 code nor an ISO 3166-1 alpha-2 code."""


def _shown(value: str) -> str:
    """A value for an error message: repr, cut short (a hostile value may be megabytes)."""
    shown = repr(value)
    return shown if len(shown) <= 30 else f"{shown[:24]}...' ({len(value)} chars)"


def normalize_region(code: str) -> str:
    """Return the canonical form of a region code, or raise RegionError saying why.

    Mainland codes must be a province, prefecture or county-level division of the shipped list;
    the code of a division renamed or merged since 1995 gives today's code when that is safe
    (see ``replaced_codes``). Other places are ISO 3166-1 alpha-2 codes; ``CN`` alone means
    "mainland, province unknown".
    """
    if not isinstance(code, str):
        raise RegionError(f"region must be text, not {type(code).__name__}")
    value = code.strip()
    if not value:
        raise RegionError("region is empty")
    if not value.isascii() or not value.isalnum():
        raise RegionError(
            f"region {_shown(value)} is neither a six-digit GB/T 2260 code nor an ISO 3166-1 "
            "alpha-2 code (ASCII digits or letters only)"
        )
    value = value.upper()
    if value.isdigit() and len(value) == 6 and value[:2] in _NOT_MAINLAND_PREFIXES:
        iso = _GB_TO_ISO[value[:2] + "0000"]
        raise RegionError(f"GB/T 2260 code {value!r}: use the ISO 3166-1 code {iso}")
    if _GB_CODE.match(value):
        return _mainland(value)
    if _ISO_CODE.match(value):
        if value not in iso_codes():
            raise RegionError(f"unknown ISO 3166-1 alpha-2 code {value!r}")
        return value
    raise RegionError(
        f"region {_shown(value)} is neither a six-digit GB/T 2260 code nor an ISO 3166-1 "
        "alpha-2 code"
    )


def _mainland(value: str) -> str:
    gaz = gazetteer()
    if division(value) is not None:
        return value
    if value in replaced_codes():
        return replaced_codes()[value]
    if value in _old_codes():
        name, year = _old_codes()[value]
        raise RegionError(
            f"GB/T 2260 code {value!r} ({name}) went out of use in {year} and has no single "
            "successor: give today's code"
        )
    province = value[:2] + "0000"
    if province not in gaz.provinces:
        raise RegionError(f"unknown province in GB/T 2260 code {value!r}")
    if value.endswith("00"):
        raise RegionError(f"unknown prefecture in GB/T 2260 code {value!r}")
    raise RegionError(
        f"unknown GB/T 2260 code {value!r}: no such county-level division in the {gaz.vintage} list"
    )


def province_of(code: str) -> str:
    """The rollup key of a region: the province code on the mainland, else the ISO code."""
    if _GB_CODE.match(code):
        return code[:2] + "0000"
    return code


def is_mainland(code: str) -> bool:
    return bool(_GB_CODE.match(code)) or code == MAINLAND


# --- names the statement parser matches ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceName:
    """One name of one place: the parser matches ``text`` and reports ``code``.

    ``text`` is Simplified Chinese (the parser converts Traditional first) or lower-case English.
    ``code`` is a six-digit GB/T 2260 code on the mainland, else an ISO 3166-1 alpha-2 code
    (Hong Kong, Macau and Taiwan included). ``current`` is False for a name no longer in use
    (its code is today's). ``form`` says what kind of name it is: "official", "short",
    "abbreviation", "historical", "english" or "alias"; a short name is more often an ordinary
    word than an official one, and the parser may ask for context before trusting it.
    """

    text: str
    code: str
    level: Level
    current: bool
    form: str = "official"


# Suffixes of province-level names, longest first.
_PROVINCE_SUFFIXES: Final = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市",
)  # fmt: skip
# The 56 officially recognised ethnic groups, as they appear inside autonomous-area names.
_ETHNIC_GROUPS: Final = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶",
    "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水",
    "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南",
    "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂",
    "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip
_ETHNIC: Final = sorted(
    [g + "族" for g in _ETHNIC_GROUPS] + [g for g in _ETHNIC_GROUPS if len(g) > 1] + ["各族"],
    key=len,
    reverse=True,
)
_AUTONOMOUS: Final = ("自治州", "自治县", "自治旗")


def _without_groups(stem: str) -> str:
    """``stem`` without the ethnic groups it ends with, keeping at least two characters."""
    while True:
        for group in _ETHNIC:
            if stem.endswith(group) and len(stem) - len(group) >= 2:
                stem = stem[: -len(group)]
                break
        else:
            return stem


def short_name(name: str, level: Level) -> str:
    """The usual short form of an official name: 辽宁省 -> 辽宁, 延边朝鲜族自治州 -> 延边.

    Returns ``name`` itself when nothing can be stripped safely (the result must keep at least
    two characters: 沛县 stays 沛县).
    """
    if level == "province":
        for suffix in _PROVINCE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                return name[: -len(suffix)]
        return name
    for suffix in _AUTONOMOUS:
        if name.endswith(suffix):  # 宽甸满族自治县 -> 宽甸; 鄂温克族自治旗 -> 鄂温克
            stem = _without_groups(name[: -len(suffix)])
            if stem.endswith("族") and len(stem) >= 3:
                stem = stem[:-1]
            return stem if len(stem) >= 2 else name
    if name.endswith("族区"):  # 管城回族区 -> 管城
        return _without_groups(name[:-1])
    if name == "神农架林区":  # the one forest area (万柏林区, 碑林区 are plain districts)
        return "神农架"
    for suffix in ("地区", "新区", "特区", "市", "盟", "县", "区", "旗"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# Names that are ordinary words or shared by dozens of cities (城关, 市中, 新华, 和平...): as
# bare words they say nothing about a place. Official county names that are plain words (城区,
# 郊区, 矿区) are left out of place_names, and so are the short forms below; the parser can
# still look them up under a prefecture it has found (Gazetteer.counties_of).
_GENERIC_OFFICIAL: Final = frozenset(("城区", "郊区", "矿区"))
_COMMON_WORDS: Final = frozenset((
    "和平", "新华", "人民", "解放", "胜利", "前进", "建设", "红旗", "向阳", "东风", "工农",
    "友好", "中山", "长安", "开发", "高新", "经济", "光明", "团结", "新兴", "兴隆", "永安",
    "永和", "太平", "安定", "平安", "长寿", "白云", "青山", "铁西", "铁东", "河东", "河西",
    "江北", "江南", "城郊", "海港", "港口", "清河", "滨海", "市中", "城中", "城关", "城东",
    "城西", "城南", "城北", "新城", "老城", "新市", "西市", "市南", "市北", "南关", "北关",
    "新北", "南城", "东区", "西区", "南区", "北区", "中区", "新区", "市区",
))  # fmt: skip


@cache
def province_start() -> str:
    """A pattern for the beginning of a place typed by itself: a province's short name, after
    中国, 大陆 or 中国大陆 if given (河北石家庄, 中国辽宁). The signature line
    声明人: 王明 河北石家庄 ends with such a place: parse reads it as the place and headcount
    does not count it as a signer."""
    provinces = sorted(
        {short_name(d.name, "province") for d in gazetteer().provinces.values()},
        key=len,
        reverse=True,
    )
    return rf"(?:中国大陆|中国|大陆)?[ \t\u3000]*(?:{'|'.join(provinces)})"


def _generic(text: str) -> bool:
    return len(text) < 2 or text in _COMMON_WORDS or text in _GENERIC_OFFICIAL


# Two-character (or longer) abbreviations of provinces that are not merely the short name.
# Single characters (京, 沪, 辽...) are left out: they are too often ordinary words.
_ABBREVIATIONS: Final = {"内蒙": "150000"}

# Names in common use that CLDR does not give (Simplified Chinese or lower-case English).
_COUNTRY_ALIASES: Final = {
    "CN": ("中华人民共和国", "中国大陆", "大陆", "china", "mainland china", "prc",
           "people's republic of china"),
    "TW": ("台湾", "台湾省", "taiwan"),
    "HK": ("香港", "香港特别行政区", "hong kong", "hongkong"),
    "MO": ("澳门", "澳门特别行政区", "macau", "macao"),
    "US": ("美利坚合众国", "美利坚", "usa", "u.s.", "u.s.a.", "america",
           "united states of america"),
    "GB": ("英格兰", "苏格兰", "威尔士", "大不列颠", "联合王国", "uk", "u.k.", "britain",
           "great britain", "england", "scotland", "wales"),
    "AU": ("澳洲", "澳大利亚"),
    "NZ": ("纽西兰", "新西兰"),
    "KR": ("南韩", "大韩民国", "south korea", "korea"),
    "KP": ("北韩", "north korea"),
    "RU": ("俄国", "苏俄"),
    "NL": ("holland",),
    "IT": ("义大利",),
    "SG": ("星加坡",),
    "DE": ("西德",),
    "CA": ("加国",),
}  # fmt: skip


class _Names:
    """Collects PlaceNames, each (text, code) pair once, the first form found winning."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], PlaceName] = {}

    def add(self, text: str, code: str, level: Level, form: str, *, current: bool = True) -> None:
        if text and (text, code) not in self.found:
            self.found[(text, code)] = PlaceName(text, code, level, current, form)

    def texts(self) -> set[str]:
        return {text for text, _ in self.found}


def _division_names(names: _Names, d: Division, english: list[str]) -> None:
    short = short_name(d.name, d.level)
    if d.level == "county" and d.name in _GENERIC_OFFICIAL:
        return  # see _GENERIC_OFFICIAL
    names.add(d.name, d.code, d.level, "official")
    if short != d.name and not (d.level == "county" and _generic(short)):
        names.add(short, d.code, d.level, "short")
    if d.name_en:
        names.add(d.name_en.lower(), d.code, d.level, "english")
    for text in english:
        names.add(text, d.code, d.level, "english")


# Characters of mainland names that OpenCC's s2t writes as a Traditional variant which t2s keeps:
# 浚县 is 濬縣 in Traditional, made 濬县 again by the normalizer; 澄江 is 澂江. (OpenCC's s2t itself
# takes 66 ms to load; tests/textparse/test_place_forms.py checks the table against it.)
TRADITIONAL_KEPT: Final = {"浚": "濬", "澄": "澂"}


def _as_normalized(names: _Names, t2s: opencc.OpenCC) -> None:
    """The mainland's names as the parser's normalizer writes them: OpenCC t2s turns the 乾 of
    乾县 and 乾安县 into 干 (read as Traditional for 乾 "dry"), so 干县 names 乾县 too (one
    conversion of every name at once, under a millisecond); and as a Traditional text writes
    them, made Simplified again (TRADITIONAL_KEPT)."""
    found = list(names.found.values())
    converted = str(t2s.convert("\n".join(p.text for p in found))).split("\n")
    if len(converted) != len(found):  # pragma: no cover - OpenCC keeps one line per line
        converted = [p.text for p in found]
    kept = str.maketrans(TRADITIONAL_KEPT)
    for place, text in zip(found, converted, strict=True):
        for form in (text, place.text.translate(kept)):
            if form != place.text:
                names.add(form, place.code, place.level, "alias", current=place.current)


def _historical_names(names: _Names, in_use: set[str]) -> None:
    """Old names (current=False) under today's code, unless the text still names a place."""
    for entry in _raw_historical()["names"]:
        found = division(entry["code"])
        if found is None:  # the build script resolves every name to a current code
            continue
        short = short_name(entry["name"], found.level)
        for text in (entry["name"], short, *entry.get("en", ())):
            if text not in in_use and not _generic(text):
                names.add(text, found.code, found.level, "historical", current=False)


def _country_names(names: _Names, t2s: opencc.OpenCC) -> None:
    # Traditional CLDR names, made Simplified, are aliases (澳洲, 紐西蘭)
    codes = sorted(iso_codes())
    for code in codes:
        for text in _COUNTRY_ALIASES.get(code, ()):
            names.add(text, code, "country", "alias")
    for gb, iso in _GB_TO_ISO.items():
        name = _raw_divisions()["provinces"][gb]
        names.add(name, iso, "country", "official")
        names.add(short_name(name, "province"), iso, "country", "short")
    hans = Locale.parse("zh_Hans").territories
    en = Locale.parse("en").territories
    hant = [Locale.parse(loc).territories for loc in ("zh_Hant", "zh_Hant_HK")]
    for code in codes:
        if code in hans:
            names.add(hans[code], code, "country", "official")
        for territories in hant:
            if code in territories:
                names.add(str(t2s.convert(territories[code])), code, "country", "alias")
        country = pycountry.countries.get(alpha_2=code)
        english = [en.get(code, "")]
        english += [getattr(country, a, "") for a in ("name", "official_name", "common_name")]
        for text in english:
            text = text.lower().replace("\u2019", "'")
            if not text or "," in text:
                continue
            names.add(text, code, "country", "english")
            if " (" in text:  # "myanmar (burma)": both names
                outer, inner = text.rstrip(")").split(" (", 1)
                names.add(outer, code, "country", "english")
                names.add(inner, code, "country", "english")


@cache
def place_names() -> tuple[PlaceName, ...]:
    """Every name the parser matches, each (text, code) pair once; built once and cached.

    In order: provinces, prefectures and counties of the mainland (official, short and English
    names), historical names, then countries and areas. A text may name several places (吉林:
    the province and the city; 朝阳: a city and two districts; 和平区: districts of Tianjin and
    Shenyang): every pair is kept and the parser chooses from context.
    """
    gaz = gazetteer()
    english: dict[str, list[str]] = _raw_divisions()["english"]
    names = _Names()
    for d in gaz.provinces.values():
        _division_names(names, d, english.get(d.code, []))
    for text, code in _ABBREVIATIONS.items():
        names.add(text, code, "province", "abbreviation")
    for d in gaz.prefectures.values():
        _division_names(names, d, english.get(d.code, []))
    for d in gaz.counties.values():
        _division_names(names, d, english.get(d.code, []))
    import opencc  # here: the gazetteer alone does not need it

    t2s = opencc.OpenCC("t2s")
    countries = _Names()
    _country_names(countries, t2s)
    _historical_names(names, names.texts() | countries.texts())
    _as_normalized(names, t2s)
    return (*names.found.values(), *countries.found.values())


@cache
def _codes_by_text() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for name in place_names():
        found[name.text].append(name.code)
    return {text: tuple(codes) for text, codes in found.items()}


def codes_for(text: str) -> tuple[str, ...]:
    """Codes of every place that ``text`` (Simplified Chinese or lower-case English) names."""
    return _codes_by_text().get(text, ())
