"""Every division of the mainland, written the ways people write a place, is read as its
province (issue 13). The place names come from the gazetteer (data/divisions.json), the
statements around them are written for the test: what is checked is that no name and no layout
is lost, not one statement's reading."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

import opencc
import pytest
from pypinyin import lazy_pinyin

from santui.textparse.parse import parse_statement
from santui.textparse.regions import (
    PROVINCE_NAMES_EN,
    Division,
    codes_for,
    gazetteer,
    place_names,
    short_name,
)

BODY = (
    "从小被迫加入少先队，长大后入了团，这些年看清了中共的本质。今天郑重声明退出共青团和少先队，"
    "与邪党划清界限。"
)


def record(place: str, signer: str = "王明") -> str:
    """The service center's layout: title, statement, 声明人, date, the place line."""
    return f"退团退队\n{BODY}\n声明人: {signer}\n2020-06-01 21:15\n{place}"


def province(text: str) -> tuple[str, str | None] | None:
    region = parse_statement(text).region
    return None if region is None else (str(region.country), region.province)


def short(d: Division) -> str:
    return short_name(d.name, d.level)


def pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name)).capitalize()


def _owners() -> dict[str, set[str]]:
    """Each official and short name, with the provinces of the divisions it names."""
    found: dict[str, set[str]] = defaultdict(set)
    gaz = gazetteer()
    for d in (*gaz.provinces.values(), *gaz.prefectures.values(), *gaz.counties.values()):
        found[d.name].add(d.province)
        found[short(d)].add(d.province)
    return found


OWNERS = _owners()
GAZ = gazetteer()
PREFECTURES = sorted(GAZ.prefectures.values(), key=lambda d: d.code)

# A place line as people type it: the province, then the prefecture.
LINES: dict[str, Callable[[Division, Division], str]] = {
    "together": lambda p, d: short(p) + short(d),
    "space": lambda p, d: f"{short(p)} {short(d)}",
    "dot": lambda p, d: f"{short(p)}·{short(d)}",
    "dash": lambda p, d: f"{short(p)}-{short(d)}",
    "slash": lambda p, d: f"{short(p)}/{short(d)}",
    "comma": lambda p, d: f"{short(p)}，{short(d)}",
    "official": lambda p, d: f"中国 {p.name} {d.name}",
    "mainland": lambda p, d: f"中国大陆{short(p)}{short(d)}",
    "from": lambda p, d: f"来自{short(p)}{short(d)}",
    "labelled": lambda p, d: f"地区：{short(p)}{short(d)}",
    "person": lambda p, d: f"{short(p)}{short(d)}人",
    "china": lambda p, d: f"China {short(p)}{short(d)}",
    "pinyin": lambda p, d: f"{pinyin(short(p))} {pinyin(short(d))}",
    "pinyin_reversed": lambda p, d: f"{pinyin(short(d))}, {pinyin(short(p))}",
}


@pytest.mark.parametrize("form", sorted(LINES))
def test_every_prefecture_on_a_place_line_in_every_form(form: str) -> None:
    wrong = [
        (line, d.province, got)
        for d in PREFECTURES
        if (got := province(record(line := LINES[form](GAZ.provinces[d.province], d))))
        != ("CN", d.province)
    ]
    assert wrong == []


# A prefecture said in an English sentence, by its English name and its province's (Taizhou
# names a city of Jiangsu and one of Zhejiang: the province after it decides).
ENGLISH: dict[str, str] = {
    "from": "I am from {city}, {province} Province.",
    "china": "I am from {city}, {province}, China.",
    "city": "I live in {city} City, {province}.",
    "signed": "\n- Zhang Wei, {city}, {province}, China",
    "province_first": "\nLi Ming, {province} {city}",
    "bracket": "I live in {city} ({province} Province).",
    "city_of": "I live in {city} city of {province} province.",
}


@pytest.mark.parametrize("form", sorted(ENGLISH))
def test_every_prefecture_said_in_english(form: str) -> None:
    body = "I hereby declare that I quit the Chinese Communist Party and the Youth League. "
    wrong = [
        (said, got)
        for d in PREFECTURES
        if (
            got := province(
                body
                + (
                    said := ENGLISH[form].format(
                        city=d.name_en, province=PROVINCE_NAMES_EN[d.province]
                    )
                )
            )
        )
        != ("CN", d.province)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bracket joins two names of one place, not two places
        ("I live in Changsha (Wuhan was locked down then). I quit the League.", "Changsha"),
        ("本人住在长沙（武汉），声明退出共青团。", "长沙"),
    ],
)
def test_a_bracket_joins_two_names_only_of_one_place(text: str, expected: str) -> None:
    region = parse_statement(text).region
    assert region is not None and region.name == expected


def test_every_prefecture_typed_after_the_name_on_the_signature_line() -> None:
    # 声明人: 王明 河北石家庄, and no place line: the place after the name is the declarant's,
    # and it is not a second signer
    wrong = []
    for d in PREFECTURES:
        line = short(GAZ.provinces[d.province]) + short(d)
        text = f"退团退队\n{BODY}\n声明人: 王明 {line}\n2020-06-01 21:15"
        reading = parse_statement(text)
        if province(text) != ("CN", d.province) or reading.headcount != 1:
            wrong.append((line, reading.headcount))
    assert wrong == []


@pytest.mark.parametrize(
    ("signers", "count"),
    [
        ("王明 李华", 2),
        ("王明 李华 河北石家庄", 2),
        ("王明、李华、张伟 中国 辽宁", 3),
        ("秋实 中国大陆广东", 1),
        ("王明 河北石家庄 李华", 3),  # a place between names is not read as the place
    ],
)
def test_the_place_after_the_signers_is_not_counted_as_one(signers: str, count: int) -> None:
    text = f"退团退队\n{BODY}\n声明人: {signers}\n2020-06-01 21:15"
    assert parse_statement(text).headcount == count


@pytest.mark.parametrize(
    "signer", ["天山", "王明 张家口", "王明 李华", "沧海 毛洋 等 59人（详细）"]
)
def test_a_signature_line_without_a_province_gives_no_place(signer: str) -> None:
    # an alias that is a place's name, or a prefecture without its province, is not read as a
    # place on the signature line (a name never gives the region)
    assert province(f"退团退队\n{BODY}\n声明人: {signer}\n2020-06-01 21:15") is None


def _unique(divisions: Iterator[Division]) -> list[tuple[str, str]]:
    """(name, province) of the official names that name places of one province only."""
    return sorted(
        {(d.name, d.province) for d in divisions if len(OWNERS[d.name]) == 1},
        key=lambda pair: pair[0],
    )


SAID = (
    "我是{}人，今天声明退出共青团和少先队。",
    "本人在{}工作，声明退出中共。",
    "我现在住在{}，声明三退。",
    "我来自{}，在此声明退出少先队。",
    "我是{}的一名教师，今天声明退出共青团和少先队。",
    "我是土生土长的{}人，今天声明退出共青团和少先队。",
    "本人是{}某厂职工，声明退出中共。",
    "我家在{}，声明三退。",
)


@pytest.mark.parametrize("said", SAID)
def test_every_prefecture_said_of_oneself(said: str) -> None:
    names = _unique(iter(PREFECTURES)) + [
        (short(d), d.province) for d in PREFECTURES if len(OWNERS[short(d)]) == 1
    ]
    wrong = [
        (name, got) for name, want in names if (got := province(said.format(name))) != ("CN", want)
    ]
    assert wrong == []


@pytest.mark.parametrize("said", SAID[:2])
def test_every_county_with_a_name_of_its_own_said_of_oneself(said: str) -> None:
    # 矿区 is a plain word, left out of the names on purpose (regions._GENERIC_OFFICIAL). After
    # 在, a county whose first character makes a word with it (在于 "lies in", 在任 "in office":
    # 本人在于洪区工作) is still the county.
    names = [(name, p) for name, p in _unique(iter(GAZ.counties.values())) if name != "矿区"]
    assert len(names) > 2500
    wrong = [
        (name, got) for name, want in names if (got := province(said.format(name))) != ("CN", want)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    ["问题在于都是党员，我声明退出中共。", "他在任期间入了党，今天我声明退出中共。"],
)
def test_the_words_of_zai_stay_words_before_a_short_name(text: str) -> None:
    # 在于都是 is "lies in all being", not 于都 (a county's short name): only a full name after
    # 在于 / 在任 is read as the place
    assert province(text) is None


@pytest.mark.parametrize("config", ["s2t", "s2hk"])
def test_every_prefecture_and_county_written_in_traditional(config: str) -> None:
    # the name as a Traditional text writes it (浚县 is 濬縣, 中卫 中衞 in Hong Kong), made
    # Simplified again by the normalizer, is still the place
    convert = opencc.OpenCC(config).convert
    names = _unique(iter(PREFECTURES)) + [
        (name, p) for name, p in _unique(iter(GAZ.counties.values())) if name != "矿区"
    ]
    wrong = [
        (name, got)
        for name, want in names
        if (got := province(str(convert(SAID[0].format(name))))) != ("CN", want)
    ]
    assert wrong == []


def test_every_name_written_in_traditional_and_made_simplified_again_is_in_the_table() -> None:
    # what OpenCC's s2t then t2s make of a name is a name of the same place (the table
    # TRADITIONAL_KEPT stands for s2t, which takes 66 ms to load)
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    missing = [
        (place.text, again)
        for place in place_names()
        if not place.text.isascii()
        and (again := str(t2s.convert(s2t.convert(place.text)))) != place.text
        and place.code not in codes_for(again)
    ]
    assert missing == []


def test_a_name_the_normalizer_rewrites_is_still_read() -> None:
    # OpenCC t2s writes the 乾 of 乾县 (Shaanxi) and 乾安县 (Jilin) as 干
    assert province("本人在乾县工作，声明退出中共。") == ("CN", "610000")
    assert province(record("吉林乾安")) == ("CN", "220000")
    assert province("我在干部岗位上，声明退出中共。") is None


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Shanxi Xianyang", "610000"),  # 陕西 typed as Shanxi: the prefecture decides
        ("Yulin, Shanxi", "610000"),
        ("Shanxi Xian", "610000"),
        ("Shanxi Taiyuan", "140000"),  # 山西's own
        ("Shanxi Datong", "140000"),
        ("Shanxi", "140000"),
        ("Shaanxi", "610000"),
    ],
)
def test_shaanxi_typed_as_shanxi_is_read_by_the_place_after_it(line: str, want: str) -> None:
    assert province(record(line)) == ("CN", want)


@pytest.mark.parametrize("word", ["延安", "承德", "普洱", "和田", "阿里", "红河", "白山"])
def test_a_city_that_is_also_a_word_said_as_mouren(word: str) -> None:
    # 我是延安人: the declarant's own place, though 延安 alone is usually a topic
    assert province(f"我是{word}人，今天声明退出共青团和少先队。") is not None
    assert province(f"我看了关于{word}的书，今天声明退出共青团和少先队。") is None


def test_a_foreign_people_said_as_mouren_is_not_a_mainland_place() -> None:
    assert province("我是蒙古人，今天声明退出共青团和少先队。") is None
