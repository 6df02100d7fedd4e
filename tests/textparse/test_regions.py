"""The division list, the names the parser matches, and region code normalization."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from santui.textparse.regions import (
    LEVELS,
    MAINLAND,
    Division,
    Level,
    PlaceName,
    RegionError,
    codes_for,
    division,
    gazetteer,
    is_mainland,
    iso_codes,
    normalize_region,
    place_names,
    province_of,
    replaced_codes,
    short_name,
)


def _data(name: str) -> dict[str, Any]:
    text = resources.files("santui.textparse").joinpath(f"data/{name}").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    return raw


def _d(code: str) -> Division:
    found = division(code)
    assert found is not None, code
    return found


GAZ = gazetteer()
MAINLAND_CODES = sorted({**GAZ.provinces, **GAZ.prefectures, **GAZ.counties})
HISTORICAL = _data("historical.json")

# --- the division list -----------------------------------------------------------------------


def test_source_licence_and_vintage_are_recorded() -> None:
    raw = _data("divisions.json")
    assert raw["vintage"] == GAZ.vintage == "2024"
    assert "Ministry of Civil Affairs" in raw["source"]
    assert "MIT" in raw["licence"]
    assert "CC BY 4.0" in HISTORICAL["licence"]
    assert raw["generated_by"] == HISTORICAL["generated_by"] == "scripts/build_divisions.py"


def test_counts_per_level_are_the_published_ones() -> None:
    # The National Bureau of Statistics gives, for the end of 2024: 34 province-level (Taiwan,
    # Hong Kong and Macau included), 333 prefecture-level and 2,846 county-level divisions.
    raw = _data("divisions.json")
    assert raw["counts"] == {"province": 34, "prefecture": 333, "county": 2846}
    assert (len(GAZ.provinces), len(GAZ.prefectures), len(GAZ.counties)) == (31, 333, 2846)


def test_county_level_kinds_add_up_to_the_published_breakdown() -> None:
    # 2024: 977 districts, 397 county-level cities, 1,301 counties, 117 autonomous counties,
    # 49 banners, 3 autonomous banners, 1 special district (六枝特区), 1 forest area (神农架林区).
    kinds: Counter[str] = Counter()
    for d in GAZ.counties.values():
        kind = re.search(r"(自治县|自治旗|特区|林区|区|县|市|旗)$", d.name)
        assert kind is not None, d
        kinds[kind.group(1)] += 1
    kinds["区"] += kinds.pop("林区") - 1  # 万柏林区, 碑林区, 金林区, 北林区 are districts
    kinds["林区"] = 1
    assert kinds == {"区": 977, "市": 397, "县": 1301, "自治县": 117, "旗": 49, "自治旗": 3,
                     "特区": 1, "林区": 1}  # fmt: skip


def test_prefecture_kinds_add_up_to_the_published_breakdown() -> None:
    kinds = Counter(
        re.sub(r".*?(自治州|地区|盟|市)$", r"\1", d.name) for d in GAZ.prefectures.values()
    )
    assert kinds == {"市": 293, "自治州": 30, "地区": 7, "盟": 3}


def test_every_division_has_a_well_formed_code_name_and_parent() -> None:
    for code in MAINLAND_CODES:
        d = division(code)
        assert d is not None and d.code == code
        assert re.fullmatch(r"[1-6][0-9]{5}", code)
        assert d.name and d.name == d.name.strip()
        assert d.province == code[:2] + "0000" and d.province in GAZ.provinces
        if d.level == "province":
            assert d.parent is None and code.endswith("0000")
            assert d.name_en
        else:
            assert d.parent is not None and division(d.parent) is not None
            parent = division(d.parent)
            assert parent is not None
            assert LEVELS.index(parent.level) < LEVELS.index(d.level)
            assert code.startswith(d.parent.rstrip("0")[:2])
        if d.level == "prefecture":
            assert code.endswith("00") and d.parent == d.province and d.name_en
        if d.level == "county":
            assert not code.endswith("00") and not d.name_en


def test_counties_hang_under_their_prefecture_or_their_province() -> None:
    assert _d("210102").parent == "210100"  # 沈阳 和平区
    assert _d("110105").parent == "110000"  # 北京 朝阳区: the municipalities have no prefectures
    assert _d("419001").parent == "410000"  # 济源, governed by the province
    assert _d("659001").parent == "650000"  # 石河子
    assert {d.name for d in GAZ.counties_of("210100")} >= {"和平区", "沈河区", "新民市"}
    assert len(GAZ.counties_of("110000")) == 16


def test_existing_interfaces_still_work() -> None:
    assert len(GAZ.provinces) == 31
    assert GAZ.prefectures_of("210000")[0].name == "沈阳市"
    assert not GAZ.prefectures_of("110000")  # the municipalities have no prefectures
    assert normalize_region(" cn ") == MAINLAND
    assert province_of("210102") == "210000"
    assert is_mainland("210102") and is_mainland(MAINLAND) and not is_mainland("HK")
    with pytest.raises(RegionError, match="unknown ISO"):
        normalize_region("ZZ")


# --- normalize_region --------------------------------------------------------------------------


@given(st.sampled_from(MAINLAND_CODES))
def test_every_current_code_is_its_own_canonical_form(code: str) -> None:
    assert normalize_region(code) == code
    assert normalize_region(f" {code}\n") == code
    assert province_of(normalize_region(code)) in GAZ.provinces


@given(st.sampled_from(sorted(replaced_codes())))
def test_every_replaced_code_maps_to_a_current_division_in_the_same_province_or_beyond(
    code: str,
) -> None:
    now = normalize_region(code)
    assert now != code and division(now) is not None
    assert province_of(now) in GAZ.provinces
    assert normalize_region(now) == now  # idempotent


@given(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
def test_any_six_digit_code_is_known_replaced_or_refused(code: str) -> None:
    if division(code) is None and code not in replaced_codes():
        with pytest.raises(RegionError, match=code):
            normalize_region(code)
    else:
        assert normalize_region(code) == replaced_codes().get(code, code)


@pytest.mark.parametrize(
    ("old", "now"),
    [
        ("110103", "110101"),  # 崇文区 -> 东城区, 2010
        ("110104", "110102"),  # 宣武区 -> 西城区, 2010
        ("310103", "310101"),  # 卢湾区 -> 黄浦区, 2011
        ("310108", "310106"),  # 闸北区 -> 静安区, 2015
        ("310119", "310115"),  # 南汇区 -> 浦东新区, 2009
        ("120107", "120116"),  # 塘沽区 -> 滨海新区, 2009
        ("120108", "120116"),  # 汉沽区
        ("120109", "120116"),  # 大港区
        ("420621", "420607"),  # 襄阳县 -> 襄阳区 (2001) -> 襄州区 (2010)
    ],
)
def test_replaced_codes_map_to_todays_code(old: str, now: str) -> None:
    assert normalize_region(old) == now


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("110199", "unknown GB/T 2260 code '110199'"),  # no such district of Beijing
        ("219901", "unknown GB/T 2260 code '219901'"),
        ("219900", "unknown prefecture"),
        ("110100", "unknown prefecture"),  # 市辖区: a placeholder, not a division
        ("190000", "unknown province"),
        ("999999", "neither a six-digit GB/T 2260 code"),
        ("341400", "巢湖市"),  # abolished 2011 and split: no single successor
        ("710000", "use the ISO 3166-1 code TW"),
        ("810000", "use the ISO 3166-1 code HK"),
        ("820100", "use the ISO 3166-1 code MO"),
    ],
)
def test_unknown_and_split_codes_are_refused_with_the_reason(code: str, message: str) -> None:
    with pytest.raises(RegionError, match=re.escape(message)):
        normalize_region(code)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "region is empty"),
        ("   \t", "region is empty"),
        ("１１００００", "ASCII digits or letters only"),  # full-width digits
        ("11٠١٠١", "ASCII digits or letters only"),  # Arabic-Indic digits
        ("1100\x0000", "ASCII digits or letters only"),
        ("11 0000", "ASCII digits or letters only"),
        ("\x00", "ASCII digits or letters only"),
        ("ß", "ASCII digits or letters only"),  # upper() would make it "SS"
        ("1" * 7, "neither a six-digit"),
        ("21010", "neither a six-digit"),
        ("USA", "neither a six-digit"),
        ("-11000", "ASCII digits or letters only"),
    ],
)
def test_malformed_input_is_refused_with_a_clear_message(value: str, message: str) -> None:
    with pytest.raises(RegionError, match=re.escape(message)):
        normalize_region(value)


def test_a_huge_value_is_refused_and_not_repeated_whole_in_the_message() -> None:
    for value in ("1" * 1_000_000, "退" * 100_000, "\x00" * 100_000):
        with pytest.raises(RegionError) as exc:
            normalize_region(value)
        assert len(str(exc.value)) < 200
        assert f"({len(value)} chars)" in str(exc.value)


def test_a_value_that_is_not_text_is_refused() -> None:
    with pytest.raises(RegionError, match="must be text"):
        normalize_region(110000)  # type: ignore[arg-type]  # the point of the test


@given(st.text(max_size=30))
def test_any_text_is_normalized_or_refused_with_region_error(value: str) -> None:
    try:
        now = normalize_region(value)
    except RegionError:
        return
    assert now == MAINLAND or division(now) is not None or now in iso_codes()


# --- historical names --------------------------------------------------------------------------


def test_historical_table_is_sourced_and_large_enough() -> None:
    names = HISTORICAL["names"]
    assert len(names) >= 40
    assert len([n for n in names if 2004 <= n["year"] <= 2015]) >= 40
    for n in names:
        assert n["source"] in HISTORICAL["sources"], n
        assert n["change"] in HISTORICAL["changes"], n
        assert 1980 <= n["year"] <= 2024, n
        assert re.fullmatch(r"[1-6][0-9]{5}", n["old_code"]), n
        now = division(n["code"])
        assert now is not None and now.name == n["now"], n  # maps to an existing current code


def test_replaced_codes_are_old_codes_that_map_to_current_ones() -> None:
    for old, now in replaced_codes().items():
        assert division(old) is None and division(now) is not None, (old, now)
        if old.endswith("00"):  # a prefecture maps only to a whole prefecture
            assert now.endswith("00"), (old, now)


@pytest.mark.parametrize(
    ("old", "now"),
    [
        ("思茅市", "530800"),  # renamed 普洱市 2007
        ("思茅地区", "530800"),
        ("襄樊市", "420600"),  # renamed 襄阳市 2010
        ("襄樊", "420600"),
        ("xiangfan", "420600"),
        ("崇文区", "110101"),  # merged into 东城区 2010
        ("宣武区", "110102"),  # merged into 西城区 2010
        ("卢湾区", "310101"),  # merged into 黄浦区 2011
        ("闸北区", "310106"),  # merged into 静安区 2015
        ("南汇区", "310115"),  # merged into 浦东新区 2009
        ("塘沽区", "120116"),  # 塘沽, 汉沽, 大港 -> 滨海新区 2009
        ("汉沽区", "120116"),
        ("大港区", "120116"),
        ("巢湖地区", "340100"),  # 巢湖: split 2011, mapped to 合肥市 (see the note)
        ("通县", "110112"),  # 通州区
        ("昌平县", "110114"),  # county -> district, 1999
        ("余杭市", "330110"),  # county-level city -> district, 2001
        ("腾冲县", "530581"),  # county -> county-level city, 2015
        ("蓟县", "120119"),  # 蓟州区, 2016
        ("哲里木盟", "150500"),  # 通辽市, 1999
        ("伊克昭盟", "150600"),  # 鄂尔多斯市, 2001
    ],
)
def test_historical_names_map_to_todays_codes(old: str, now: str) -> None:
    assert now in codes_for(old)
    found = [n for n in place_names() if n.text == old and n.code == now]
    assert found and not found[0].current


def test_chaohu_is_documented_as_a_split() -> None:
    (entry,) = [n for n in HISTORICAL["names"] if n["name"] == "巢湖市"]
    assert (entry["year"], entry["code"], entry["source"]) == (2011, "340100", "santui")
    assert "split" in entry["note"]
    assert set(codes_for("巢湖市")) == {"340181"}  # the current county-level city wins
    assert _d("340181").parent == "340100"


def test_a_historical_name_never_hides_a_current_one() -> None:
    current = {n.text for n in place_names() if n.current}
    assert not [n for n in place_names() if not n.current and n.text in current]


# --- names the parser matches --------------------------------------------------------------------


def test_place_names_are_built_once_and_well_formed() -> None:
    names = place_names()
    assert names is place_names()
    assert all(isinstance(n, PlaceName) for n in names)
    assert all(n.text and n.text == n.text.strip() for n in names)
    assert all(len(n.text) >= 2 for n in names)
    assert all(n.level in LEVELS for n in names)
    assert all(n.text == n.text.lower() for n in names if n.text.isascii())
    assert len({(n.text, n.code) for n in names}) == len(names)


def test_place_name_counts_per_level_are_plausible() -> None:
    by_level = Counter(n.level for n in place_names() if n.form == "official" and n.current)
    assert by_level["province"] == 31
    assert by_level["prefecture"] == 333
    assert 2830 <= by_level["county"] <= 2846  # 城区, 郊区, 矿区 are left out
    assert by_level["country"] >= 240


def test_every_code_of_place_names_is_a_division_or_an_iso_code() -> None:
    for n in place_names():
        if n.code.isdigit():
            found = division(n.code)
            assert found is not None, n
            assert found.level == n.level, n
        else:
            assert normalize_region(n.code) == n.code, n
            assert n.level == "country", n


def test_every_division_is_named_by_its_official_name() -> None:
    pairs = {(n.text, n.code) for n in place_names()}
    missing = {_d(c).name for c in MAINLAND_CODES if (_d(c).name, c) not in pairs}
    assert missing == {"城区", "郊区", "矿区"}


@pytest.mark.parametrize(
    ("text", "code", "level"),
    [
        ("辽宁省", "210000", "province"),
        ("辽宁", "210000", "province"),
        ("liaoning", "210000", "province"),
        ("沈阳市", "210100", "prefecture"),
        ("沈阳", "210100", "prefecture"),
        ("shenyang", "210100", "prefecture"),
        ("和平区", "210102", "county"),
        ("黑龙江省", "230000", "province"),
        ("heilongjiang", "230000", "province"),
        ("哈尔滨", "230100", "prefecture"),
        ("harbin", "230100", "prefecture"),
        ("内蒙古", "150000", "province"),
        ("内蒙", "150000", "province"),
        ("inner mongolia", "150000", "province"),
        ("广西", "450000", "province"),
        ("新疆", "650000", "province"),
        ("宁夏", "640000", "province"),
        ("西藏", "540000", "province"),
        ("tibet", "540000", "province"),
        ("延边", "222400", "prefecture"),
        ("湘西", "433100", "prefecture"),
        ("伊犁", "654000", "prefecture"),
        ("urumqi", "650100", "prefecture"),
        ("xi'an", "610100", "prefecture"),
        ("xian", "610100", "prefecture"),
        ("chaoyang", "211300", "prefecture"),  # pypinyin alone says zhaoyang
        ("海淀区", "110108", "county"),
        ("海淀", "110108", "county"),
        ("浦东新区", "310115", "county"),
        ("浦东", "310115", "county"),
        ("神农架", "429021", "county"),
        ("宽甸", "210624", "county"),  # 宽甸满族自治县
        ("美国", "US", "country"),
        ("usa", "US", "country"),
        ("u.s.", "US", "country"),
        ("america", "US", "country"),
        ("加拿大", "CA", "country"),
        ("canada", "CA", "country"),
        ("澳洲", "AU", "country"),
        ("uk", "GB", "country"),
        ("britain", "GB", "country"),
        ("台湾", "TW", "country"),
        ("taiwan", "TW", "country"),
        ("香港", "HK", "country"),
        ("hong kong", "HK", "country"),
        ("澳门", "MO", "country"),
        ("macau", "MO", "country"),
        ("新西兰", "NZ", "country"),
        ("纽西兰", "NZ", "country"),  # Traditional CLDR name 紐西蘭, made Simplified
        ("myanmar", "MM", "country"),
        ("burma", "MM", "country"),
    ],
)
def test_known_place_names(text: str, code: str, level: Level) -> None:
    assert code in codes_for(text)
    assert PlaceName(text, code, level, True) in {
        PlaceName(n.text, n.code, n.level, n.current) for n in place_names()
    }


def test_a_name_shared_by_several_places_keeps_every_code() -> None:
    assert set(codes_for("吉林")) == {"220000", "220200"}  # the province and the city
    assert set(codes_for("海南")) >= {"460000", "632500"}  # the province, 海南藏族自治州
    assert set(codes_for("和平区")) == {"120101", "210102"}  # Tianjin and Shenyang
    assert set(codes_for("朝阳")) >= {"211300", "110105", "220104", "211321"}


def test_single_characters_plain_words_and_unknown_texts_are_not_names() -> None:
    for text in ("京", "沪", "", "郊区", "城区", "城关", "市中", "和平", "新华", "nowhere"):
        assert codes_for(text) == (), text


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("辽宁省", "province", "辽宁"),
        ("广西壮族自治区", "province", "广西"),
        ("新疆维吾尔自治区", "province", "新疆"),
        ("宁夏回族自治区", "province", "宁夏"),
        ("内蒙古自治区", "province", "内蒙古"),
        ("香港特别行政区", "province", "香港"),
        ("延边朝鲜族自治州", "prefecture", "延边"),
        ("黔东南苗族侗族自治州", "prefecture", "黔东南"),
        ("克孜勒苏柯尔克孜自治州", "prefecture", "克孜勒苏"),
        ("大兴安岭地区", "prefecture", "大兴安岭"),
        ("锡林郭勒盟", "prefecture", "锡林郭勒"),
        ("龙胜各族自治县", "county", "龙胜"),
        ("鄂温克族自治旗", "county", "鄂温克"),
        ("东乡族自治县", "county", "东乡"),
        ("管城回族区", "county", "管城"),
        ("梅里斯达斡尔族区", "county", "梅里斯"),
        ("阜新蒙古族自治县", "county", "阜新"),
        ("沈北新区", "county", "沈北"),
        ("六枝特区", "county", "六枝"),
        ("神农架林区", "county", "神农架"),
        ("万柏林区", "county", "万柏林"),
        ("碑林区", "county", "碑林"),
        ("沛县", "county", "沛县"),
        ("城区", "county", "城区"),
    ],
)
def test_short_name(name: str, level: Level, short: str) -> None:
    assert short_name(name, level) == short


@given(st.sampled_from(MAINLAND_CODES))
def test_short_names_are_at_least_two_characters_and_part_of_the_name(code: str) -> None:
    d = division(code)
    assert d is not None
    short = short_name(d.name, d.level)
    assert len(short) >= 2 and d.name.startswith(short)


def test_division_knows_its_level_and_parent() -> None:
    city = division("210100")
    assert city is not None
    assert (city.name, city.level, city.parent, city.name_en) == (
        "沈阳市",
        "prefecture",
        "210000",
        "Shenyang",
    )
    province = division("210000")
    assert province is not None
    assert (province.level, province.parent, province.name_en) == ("province", None, "Liaoning")
    assert division("HK") is None
    assert division("110100") is None
    assert division("999999") is None
