"""Country lists in the reader's collation (santui.textparse.collation, intake.places): pinyin
in Simplified Chinese, strokes in Traditional Chinese, letters in English (not case, not
accents), never code points."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from santui.intake.places import country_choices
from santui.textparse.collation import collated, collation_of, sort_key


def names(language: str) -> list[str]:
    with translation.override(language):
        return [name for _code, name in country_choices()]


def codes(language: str) -> list[str]:
    with translation.override(language):
        return [code for code, _name in country_choices()]


def in_order(listed: list[str], expected: list[str]) -> bool:
    positions = [listed.index(name) for name in expected]
    return positions == sorted(positions)


def test_collations_of_the_languages() -> None:
    assert collation_of("zh-hans") == collation_of("zh_Hans") == "pinyin"
    assert collation_of("zh-hant") == collation_of("zh_Hant") == collation_of("zh-tw") == "stroke"
    assert collation_of("en") == collation_of("fr") == "uca"


def test_english_sorts_by_letters_not_case_or_accents() -> None:
    words = ["Zambia", "curaçao", "Åland Islands", "Cuba", "Côte d’Ivoire", "afghanistan"]
    assert collated(words, "en", key=str) == [
        "afghanistan", "Åland Islands", "Côte d’Ivoire", "Cuba", "curaçao", "Zambia",
    ]  # fmt: skip
    assert sorted(words) != collated(words, "en", key=str)  # code points put Å after Z


def test_simplified_chinese_sorts_by_pinyin() -> None:
    words = [
        "中国香港特别行政区",
        "赞比亚",
        "阿富汗",
        "冰岛",
        "德国",
        "阿尔巴尼亚",
        "爱尔兰",
        "乍得",
    ]
    assert collated(words, "zh-hans", key=str) == [
        "阿尔巴尼亚",  # a er
        "阿富汗",  # a fu
        "爱尔兰",  # ai
        "冰岛",  # bing
        "德国",  # de
        "赞比亚",  # zan
        "乍得",  # zha
        "中国香港特别行政区",  # zhong
    ]
    # syllable by syllable (马 ma before 麦 mai before 美 mei), then tone 1 to 4
    assert collated(["美国", "麦", "马里"], "zh-hans", key=str) == ["马里", "麦", "美国"]
    assert collated(["爸", "把", "拔", "巴"], "zh-hans", key=str) == ["巴", "拔", "把", "爸"]


def test_traditional_chinese_sorts_by_strokes() -> None:
    words = ["德國", "日本", "阿富汗", "中國香港特別行政區", "古巴", "美國", "愛爾蘭"]
    assert collated(words, "zh-hant", key=str) == [
        "中國香港特別行政區",  # 中 4 (U+4E2D)
        "日本",  # 日 4 (U+65E5)
        "古巴",  # 古 5
        "阿富汗",  # 阿 7
        "美國",  # 美 9
        "愛爾蘭",  # 愛 13
        "德國",  # 德 15
    ]


def test_other_scripts_come_before_han_and_prefixes_first() -> None:
    assert collated(["刚果（金）", "刚果（布）", "刚果", "B岛"], "zh-hans", key=str) == [
        "B岛", "刚果", "刚果（布）", "刚果（金）",
    ]  # fmt: skip


@given(st.lists(st.text(max_size=30), max_size=20), st.sampled_from(["en", "zh-hans", "zh-hant"]))
def test_any_text_gets_a_key_and_sorting_is_a_total_order(texts: list[str], language: str) -> None:
    once = collated(texts, language, key=str)
    assert sorted(once) == sorted(texts)
    assert collated(once, language, key=str) == once
    keys = [sort_key(t, language) for t in once]
    assert keys == sorted(keys)
    again = collated(list(reversed(texts)), language, key=str)
    assert [sort_key(t, language) for t in again] == keys  # whatever order they came in


@pytest.mark.parametrize("hostile", ["\ud800", "\x00" * 1000, "阿" * 10_000, "\u202e\u0301" * 50])
def test_hostile_text_gets_a_key(hostile: str) -> None:
    for language in ("en", "zh-hans", "zh-hant"):
        assert isinstance(sort_key(hostile, language), tuple)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Afghanistan", "Åland Islands", "Albania", "Côte d’Ivoire", "Cuba", "Zimbabwe"]),
        (
            "zh-hans",
            ["阿尔巴尼亚", "阿富汗", "奥兰群岛", "冰岛", "日本", "赞比亚", "中国香港特别行政区"],
        ),
        ("zh-hant", ["中國香港特別行政區", "日本", "古巴", "冰島", "阿富汗", "尚比亞", "德國"]),
    ],
)
def test_the_country_choices_follow_the_languages_collation(
    language: str, expected: list[str]
) -> None:
    listed = names(language)
    assert in_order(listed, expected), [n for n in listed if n in expected]
    assert listed != sorted(listed)  # not code points
    assert len(set(codes(language))) == len(listed) and "CN" not in codes(language)
    assert set(codes(language)) == set(codes("en"))  # the same places in every language
