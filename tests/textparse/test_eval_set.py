"""Checks of the evaluation set itself (tests/textparse/eval/statements.jsonl).

The set is the ground truth the statement parser is measured against, so its own form is tested
here: every line parses, every field has its type and allowed values, place codes exist and agree
with each other, tags agree with the labels they describe, and the mix stays as documented in
tests/textparse/eval/README.md. Nothing here runs the parser.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import opencc
import pytest

from santui.textparse.regions import RegionError, gazetteer, normalize_region
from santui.textparse.sectors import SECTORS

EVAL = Path(__file__).parent / "eval" / "statements.jsonl"

KEYS = {
    "id", "text", "organizations", "current_party_member", "headcount", "name", "name_kind",
    "region", "sector", "tags",
}  # fmt: skip
ORGANIZATIONS = {"league", "party", "pioneers"}
NAME_KINDS = {"real", "alias", "anonymous"}
REGION_KEYS = {"country", "province", "prefecture", "county"}
TAGS = {
    "simplified", "traditional", "english", "mixed", "typo", "group", "family", "alias",
    "anonymous", "real_name", "negation", "never_member", "mention_not_quit", "pejorative",
    "league_only", "overseas", "old_place_name", "two_places", "punctuation_broken", "no_place",
    "sector", "current_member", "name_is_place", "long", "short",
}  # fmt: skip
SCRIPT_TAGS = {"simplified", "traditional", "english", "mixed"}
NAME_KIND_TAG = {"real": "real_name", "alias": "alias", "anonymous": "anonymous"}
SHORT_MAX = 40  # characters: a text this short or shorter carries the tag "short"
LONG_MIN = 200  # characters: a text this long or longer carries the tag "long"
MIN_ITEMS = 600
MIN_PER_TAG = 10
CJK = re.compile(r"[\u3400-\u9fff]")
ID = re.compile(r"^e[0-9]{4}$")


@cache
def items() -> tuple[dict[str, Any], ...]:
    rows = []
    for number, line in enumerate(EVAL.read_text("utf-8").splitlines(), 1):
        assert line.strip(), f"line {number} is empty"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number} is not a JSON object"
        rows.append(row)
    return tuple(rows)


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _ids(rows: tuple[dict[str, Any], ...]) -> list[str]:
    return [row.get("id", "?") for row in rows]


def test_every_line_is_utf8_json_without_ascii_escapes() -> None:
    raw = EVAL.read_bytes()
    text = raw.decode("utf-8")
    assert "\\u" not in text, "write the set with ensure_ascii=False"
    assert text.endswith("\n")
    assert len(items()) == len(text.splitlines())


def test_size() -> None:
    assert len(items()) >= MIN_ITEMS


def test_ids_are_unique_and_in_order() -> None:
    ids = _ids(items())
    assert all(ID.match(i) for i in ids), [i for i in ids if not ID.match(i)]
    assert len(set(ids)) == len(ids)
    assert ids == [f"e{n:04d}" for n in range(1, len(ids) + 1)]


def test_texts_are_unique() -> None:
    seen: dict[str, str] = {}
    for row in items():
        key = re.sub(r"\s+", "", row["text"])
        assert key not in seen, f"{row['id']} repeats {seen[key]}"
        seen[key] = row["id"]


def test_keys_and_types() -> None:
    for row in items():
        where = row.get("id", row)
        assert set(row) == KEYS, where
        assert isinstance(row["text"], str) and row["text"] == row["text"].strip(), where
        assert row["text"], where
        assert row["current_party_member"] in (True, False, None), where
        headcount = row["headcount"]
        assert isinstance(headcount, int) and not isinstance(headcount, bool), where
        assert headcount >= 1, where
        assert row["sector"] is None or row["sector"] in SECTORS, where
        assert isinstance(row["tags"], list), where
        assert all(isinstance(t, str) for t in row["tags"]), where


def test_organizations_non_empty_sorted_known() -> None:
    for row in items():
        orgs = row["organizations"]
        assert isinstance(orgs, list) and orgs, row["id"]
        assert orgs == sorted(set(orgs)), row["id"]
        assert set(orgs) <= ORGANIZATIONS, row["id"]


def test_names() -> None:
    for row in items():
        name, kind = row["name"], row["name_kind"]
        assert kind in NAME_KINDS, row["id"]
        if kind == "anonymous":
            assert name is None, row["id"]
        else:
            assert isinstance(name, str) and name and name == name.strip(), row["id"]
            # The signature is labelled as written, so it is found in the text as it stands.
            assert name in row["text"], row["id"]


def _check_region(rid: str, region: dict[str, Any]) -> None:
    assert isinstance(region, dict) and set(region) == REGION_KEYS, rid
    country = region["country"]
    assert isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country), rid
    assert normalize_region(country) == country, rid
    province, prefecture, county = region["province"], region["prefecture"], region["county"]
    if country != "CN":
        # Hong Kong, Macau, Taiwan and other countries are addressed by the ISO code alone.
        assert province is None and prefecture is None and county is None, rid
        return
    gaz = gazetteer()
    if province is None:
        assert prefecture is None and county is None, rid
        return
    assert province in gaz.provinces, rid
    assert normalize_region(province) == province, rid
    if prefecture is not None:
        assert prefecture in gaz.prefectures, rid
        assert normalize_region(prefecture) == prefecture, rid
        assert prefecture[:2] == province[:2], rid
    if county is not None:
        assert re.fullmatch(r"[1-6][0-9]{3}(0[1-9]|[1-9][0-9])", county), rid
        try:
            # A current county-level code comes back unchanged; an old one would be replaced.
            assert normalize_region(county) == county, rid
        except RegionError as exc:
            pytest.fail(f"{rid}: {exc}")
        assert county[:2] == province[:2], rid
        parent = prefecture or province
        counties = getattr(gaz, "counties", None)
        if counties is not None:
            assert county in counties, rid
            assert counties[county].parent == parent, rid
        # Without a county list (older gazetteer), only the form and the prefixes can be checked:
        # a county lacks a prefecture only in the municipalities and under a province directly.
        elif prefecture is not None:
            assert county[:4] + "00" == prefecture, rid
        else:
            assert county[:4] + "00" not in gaz.prefectures, rid


def test_regions_exist_and_agree() -> None:
    for row in items():
        if row["region"] is not None:
            _check_region(row["id"], row["region"])


def test_tags_known_and_not_repeated() -> None:
    for row in items():
        tags = row["tags"]
        assert len(tags) == len(set(tags)), row["id"]
        assert set(tags) <= TAGS, (row["id"], set(tags) - TAGS)


def test_each_tag_used_often_enough() -> None:
    counts = Counter(t for row in items() for t in row["tags"])
    thin = {t: counts[t] for t in TAGS if counts[t] < MIN_PER_TAG}
    assert not thin, thin


def test_tags_agree_with_labels() -> None:
    for row in items():
        rid, tags, text = row["id"], set(row["tags"]), row["text"]
        assert len(tags & SCRIPT_TAGS) == 1, rid
        assert NAME_KIND_TAG[row["name_kind"]] in tags, rid
        assert len(tags & set(NAME_KIND_TAG.values())) == 1, rid
        assert ("no_place" in tags) == (row["region"] is None), rid
        overseas = row["region"] is not None and row["region"]["country"] != "CN"
        assert ("overseas" in tags) == overseas, rid
        assert ("sector" in tags) == (row["sector"] is not None), rid
        assert ("current_member" in tags) == (row["current_party_member"] is True), rid
        assert ("league_only" in tags) == (row["organizations"] == ["league"]), rid
        assert (bool(tags & {"group", "family"})) == (row["headcount"] > 1), rid
        assert not {"group", "family"} <= tags, rid
        if "never_member" in tags:
            assert row["current_party_member"] is False, rid
        assert ("short" in tags) == (len(text) <= SHORT_MAX), rid
        assert ("long" in tags) == (len(text) >= LONG_MIN), rid


def test_script_tags_match_the_text() -> None:
    t2s = _t2s()
    for row in items():
        tags, text = set(row["tags"]), row["text"]
        if "english" in tags:
            assert not CJK.search(text), row["id"]
        if {"simplified", "traditional"} & tags:
            assert CJK.search(text), row["id"]
        if "simplified" in tags:
            assert t2s.convert(text) == text, row["id"]
        if "traditional" in tags:
            assert t2s.convert(text) != text, row["id"]


def test_mix_is_as_documented() -> None:
    rows = items()
    n = len(rows)
    counts = Counter(t for row in rows for t in row["tags"])

    def share(*tags: str) -> float:
        return sum(1 for row in rows if set(row["tags"]) & set(tags)) / n

    assert 0.45 <= share("simplified") <= 0.65
    assert 0.15 <= share("traditional") <= 0.30
    assert 0.12 <= share("english") <= 0.20
    assert 0.06 <= share("mixed") <= 0.15
    assert share("group", "family") >= 0.12
    assert share("alias", "anonymous") >= 0.12
    assert share("overseas") >= 0.08
    assert share("sector") >= 0.35
    adversarial = ("negation", "never_member", "mention_not_quit", "two_places")
    assert share(*adversarial) >= 0.10
    # Every sector key is exercised, and so is each combination of organizations that occurs.
    sectors = Counter(row["sector"] for row in rows if row["sector"])
    assert set(sectors) == set(SECTORS), set(SECTORS) - set(sectors)
    assert counts["typo"] >= MIN_PER_TAG
    assert any("化明" in row["text"] for row in rows)


def test_readme_shows_the_current_mix() -> None:
    spec = importlib.util.spec_from_file_location("eval_summarize", EVAL.with_name("summarize.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = EVAL.with_name("README.md").read_text("utf-8")
    start, end = "<!-- summary:start -->\n", "<!-- summary:end -->"
    shown = readme[readme.index(start) + len(start) : readme.index(end)]
    assert shown == module.summarize(module.load(EVAL)), (
        "rerun tests/textparse/eval/summarize.py and paste its output into eval/README.md"
    )
