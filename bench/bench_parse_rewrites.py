"""How well the parser's organizations hold when a real statement is rewritten in ways that do not
change what it quits (issue 13): metamorphic checks on the development split.

    .venv/bin/python bench/bench_parse_rewrites.py [--show N]

Of the dev statements the parser reads right (labels.jsonl), each is rewritten one way at a time
and read again: Traditional characters (OpenCC s2t), ASCII punctuation, the lines run together,
the long names of the league and the pioneers, 中共 for 中国共产党, 共产党 for 中共, 脱离 for
退出, 申明 for 声明, broken keywords (退*党), spaces between characters, 共匪 for 中共 and for
共产党, 少先队组织 and 共青团组织 for their short names, 宣布退出 for 退出, 本人 for 我 (not
我们), Hong Kong and Taiwan characters (OpenCC s2hk, s2twp), full-width ASCII, CRLF line ends, a
greeting line before and a thanks line after. A rewrite whose reading no longer matches the
statement's label is counted. Then the places: the dev statements read right on the province,
whose text names it, with that name swapped for another province's (the label swapped too). Only
the dev split is read (the test split is never looked at, tests/textparse/eval/real/README.md). A
rewrite may change a label in rare texts (running the lines together can join a title line to the
body), so a count is an upper bound on the parser's brittleness, and the rewrites listed by --show
are the place to look first.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opencc

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_parse_real as real
from santui.textparse.parse import parse_statement
from santui.textparse.regions import gazetteer, short_name

Rewrite = Callable[[str, random.Random], str]


def _replace(pairs: list[tuple[str, str]]) -> Rewrite:
    def rewrite(text: str, _rng: random.Random) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return rewrite


_S2T = opencc.OpenCC("s2t")
_S2HK = opencc.OpenCC("s2hk")
_S2TWP = opencc.OpenCC("s2twp")
_CJK_PAIR = re.compile(r"([\u4e00-\u9fff])(?=[\u4e00-\u9fff])")
REWRITES: dict[str, Rewrite] = {
    "traditional (s2t)": lambda t, _r: str(_S2T.convert(t)),
    "ASCII punctuation": _replace(
        [("，", ","), ("。", "."), ("：", ":"), ("！", "!"), ("；", ";"), ("、", ",")]
    ),
    "lines run together": lambda t, _r: t.replace("\n", " "),
    "共产主义青年团 for 共青团": _replace([("共青团", "共产主义青年团")]),
    "少年先锋队 for 少先队": _replace([("少先队", "少年先锋队")]),
    "中共 for 中国共产党": _replace([("中国共产党", "中共")]),
    "共产党 for 中共": _replace([("中共", "共产党")]),
    "脱离 for 退出": _replace([("退出", "脱离")]),
    "申明 for 声明": _replace([("声明", "申明")]),
    "broken keywords (退*党)": lambda t, r: re.sub(
        r"(退)(党|团|队)", lambda m: m.group(1) + r.choice("*.-·") + m.group(2), t
    ),
    "spaces between characters (15 %)": lambda t, r: _CJK_PAIR.sub(
        lambda m: m.group(1) + (" " if r.random() < 0.15 else ""), t
    ),
    "共匪 for 中共": _replace([("中共", "共匪")]),
    "共匪 for 共产党 (not 中国共产党, 共产党员)": lambda t, _r: re.sub(
        "(?<!中国)共产党(?!员)", "共匪", t
    ),
    "少先队组织 for 少先队": _replace(
        [("少先队组织", "\0"), ("少先队", "少先队组织"), ("\0", "少先队组织")]
    ),
    "共青团组织 for 共青团": _replace(
        [("共青团组织", "\0"), ("共青团", "共青团组织"), ("\0", "共青团组织")]
    ),
    "宣布退出 for 退出": _replace([("声明退出", "\0"), ("退出", "宣布退出"), ("\0", "声明退出")]),
    "本人 for 我 (not 我们)": lambda t, _r: re.sub("我(?![们們])", "本人", t),
    "Hong Kong characters (s2hk)": lambda t, _r: str(_S2HK.convert(t)),
    "Taiwan characters and phrases (s2twp)": lambda t, _r: str(_S2TWP.convert(t)),
    "full-width ASCII": lambda t, _r: "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t
    ),
    "CRLF line ends": _replace([("\n", "\r\n")]),
    "a greeting line before": lambda t, _r: "你好：\n" + t,
    "a thanks line after": lambda t, _r: t + "\n谢谢大纪元！",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="list N changed readings per rewrite")
    args = parser.parse_args()
    split = real.check_split()
    rows = {r["id"]: r for r in real.read_jsonl(real.REAL / "statements.jsonl")}
    labels = {r["id"]: r for r in real.read_jsonl(real.REAL / "labels.jsonl")}
    want = {i: sorted(labels[i]["organizations"]) for i in split["dev"]}
    right = [
        i for i in split["dev"] if sorted(parse_statement(rows[i]["text"]).organizations) == want[i]
    ]
    print(f"dev statements read right: {len(right)} of {len(split['dev'])}")
    print(f"{'rewrite':34} {'changed':>8} {'rewritten':>10}")
    for name, rewrite in REWRITES.items():
        rng = random.Random(11)
        rewritten = changed = 0
        shown: list[str] = []
        for i in right:
            text = rows[i]["text"]
            new = rewrite(text, rng)
            if new == text:
                continue
            rewritten += 1
            got = sorted(parse_statement(new).organizations)
            if got != want[i]:
                changed += 1
                if len(shown) < args.show:
                    shown.append(f"    {i}: want {want[i]}, got {got}")
        print(f"{name:34} {changed:>8} {rewritten:>10}")
        for line in shown:
            print(line)
    swapped_places(rows, labels, split["dev"])


# Provinces a statement's own province is swapped for (names no other division shares).
SWAPS = (
    "河南",
    "四川",
    "湖南",
    "江苏",
    "浙江",
    "广东",
    "山东",
    "福建",
    "辽宁",
    "安徽",
    "黑龙江",
    "内蒙古",
)


def swapped_places(rows: dict[str, Any], labels: dict[str, Any], ids: list[str]) -> None:
    """The dev statements read right on the province whose text names it: the province's name
    swapped for each of SWAPS (the prefecture's name dropped, as it lies in the old one), with
    the label's province swapped too."""
    provinces = gazetteer().provinces
    short = {code: short_name(d.name, "province") for code, d in provinces.items()}
    code_of = {name: code for code, name in short.items()}
    cases = changed = 0
    for i in ids:
        region, text = labels[i]["region"], rows[i]["text"]
        if not region or region.get("country") != "CN" or not region.get("province"):
            continue
        read = parse_statement(text).region
        name = short[region["province"]]
        if read is None or read.province != region["province"] or name not in text:
            continue
        prefecture = gazetteer().prefectures.get(region.get("prefecture") or "")
        for target in SWAPS:
            if target == name or target in text:
                continue
            new = text.replace(name, target)
            if prefecture is not None:
                new = new.replace(short_name(prefecture.name, "prefecture"), "")
            got = parse_statement(new).region
            cases += 1
            changed += got is None or (got.country, got.province) != ("CN", code_of[target])
    print(f"{'province swapped for another':34} {changed:>8} {cases:>10}")


if __name__ == "__main__":
    main()
