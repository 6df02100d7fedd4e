"""Choices of places for forms: mainland provinces and prefectures, other countries and areas."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.utils.translation import get_language

from santui.textparse.collation import sort_key
from santui.textparse.regions import MAINLAND, PROVINCE_NAMES_EN, gazetteer, iso_codes
from santui.textparse.script import to_traditional

_BABEL_LOCALE = {"zh-hans": "zh_Hans", "zh-hant": "zh_Hant", "en": "en"}


@cache
def _country_choices(lang: str) -> tuple[tuple[str, str], ...]:
    """Sorted by name in the language's collation (santui.textparse.collation): pinyin in
    Simplified Chinese, strokes in Traditional Chinese, letters (not case or accents) in
    English; ties by code."""
    locale = _BABEL_LOCALE.get(lang, "zh_Hans")
    names = Locale.parse(locale).territories
    codes = iso_codes() - {MAINLAND}
    pairs = sorted((c, names.get(c, c)) for c in codes)
    return tuple(sorted(pairs, key=lambda p: sort_key(p[1], locale)))


def country_choices() -> list[tuple[str, str]]:
    return list(_country_choices(get_language() or "zh-hans"))


def _label(code: str, name_zh: str, lang: str) -> str:
    if lang == "en":
        return f"{PROVINCE_NAMES_EN.get(code, name_zh)} {name_zh}"
    return to_traditional(name_zh) if lang == "zh-hant" else name_zh


def province_choices() -> list[tuple[str, str]]:
    lang = get_language() or "zh-hans"
    return [(d.code, _label(d.code, d.name, lang)) for d in gazetteer().provinces.values()]


def prefecture_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Prefectures grouped under their province, for a <select> with <optgroup>s."""
    gaz = gazetteer()
    lang = get_language() or "zh-hans"
    groups = []
    for province in gaz.provinces.values():
        options = [
            (d.code, _label(d.code, d.name, lang)) for d in gaz.prefectures_of(province.code)
        ]
        if options:
            groups.append((_label(province.code, province.name, lang), options))
    return groups
