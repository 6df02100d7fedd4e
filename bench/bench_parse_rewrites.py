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
whose text names it, with that name swapped for another province's (the label swapped too).
Last, sentences of a story (others' withdrawals and memberships, topics, former places, others'
occupations), each put into every dev statement in Chinese: a reading that changes is counted. Only
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
    inserted_sentences(rows, split["dev"], args.show)


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


# Sentences about other people, topics and the past: put into a statement they change nothing it
# declares (eval/README.md: others' acts, places and occupations, topics and former places are not
# the declarant's). STORY_SENTENCES were written with the fixes they led to, or were measured once
# and then led to fixes (docs/benchmarks.md tells which, and when); STORY_SENTENCES_HELD_OUT were
# written after the last of those fixes and have never been tuned on.
STORY_SENTENCES = (
    "身边很多朋友都已经退了团。",
    "我的同学早就退党了。",
    "看到大纪元上每天都有很多人退党。",
    "希望更多的人能早日三退。",
    "很多人已经退了团。",
    "我的父亲是老党员，一辈子听党的话。",
    "法院都是党开的，医院也被中共控制。",
    "我在北京上过大学。",
    "二〇二〇年春节武汉封城，我们都很害怕。",
    "我去过一次西藏拉萨旅游，看到了很多警察。",
    "香港人的抗争让我看清了中共。",
    "我曾经在新疆当过兵。",
    "在美国的亲戚告诉我很多真相。",
    "我有一个同学在加拿大留学。",
    "看到台湾的选举，我很羡慕。",
    "李文亮医生在武汉去世了。",
    "我们村里的干部很坏。",
    "我女儿在日本读书。",
    "听说四川地震的时候很多学校倒塌了。",
    "我的父母都是党员。",
    "我爷爷是国民党员，当年被共产党整得很惨。",
    "我身边的党员都不信共产主义。",
    "退党的人越来越多了。",
    "大纪元的退党网站办得很好。",
    "我在网上看到了乌鲁木齐大火的视频。",
    "中国大陆的老百姓太苦了。",
    "北京的领导只会说空话。",
    "我们这里的官员都很贪。",
    "我有两个孩子。",
    "我儿子在部队当兵。",
    "上海的疫情封控让很多人失去了工作。",
    # measured once as held out at fd25b38, then the places and occupations they showed fixed
    "我表哥在深圳开了一家公司。",
    "同事们都说退党没用。",
    "我的老师是个好人，可惜被打成了右派。",
    "很多警察也在偷偷看大纪元。",
    "郑州的水灾淹死了很多人。",
    "我小时候在广州住过几年。",
    "我妹妹嫁到了台湾。",
    "新闻里天天说美国不好。",
    "西藏和新疆的人受的苦更多。",
    "听朋友说他们村的支书贪了很多钱。",
    "我邻居是个退休的老党员。",
    "成都的朋友告诉我那里也封城了。",
    "我舅舅以前在公安局上班。",
    "听说深圳的房价又涨了。",
    "我们单位有几个人已经退党了。",
    "很多大学生都被逼着入党。",
    "我的好朋友是共青团员。",
    "武汉的医生护士太辛苦了。",
    "台湾的朋友给我寄了一本书。",
    "他们都说三退是好事。",
    "我前夫是个党员干部。",
    "日本的地震让我想了很多。",
    "村支书逼着大家交党费。",
    "看到香港警察打人的视频，我哭了。",
    # held out at f56a924 (docs/benchmarks.md), then fixed: a third person's done withdrawal
    "隔壁老王去年就退党了。",
)
STORY_SENTENCES_HELD_OUT = (
    "我的几个老同学都是公务员。",
    "听说北京又抓了很多维权律师。",
    "前几天有两个同事悄悄退了团。",
    "我岳父是老红军，入党七十年了。",
    "广州的工厂很多都倒闭了。",
    "我们老家的村干部天天喊口号。",
    "很多退休老干部也在看九评。",
    "表姐在新加坡工作，她说外面很自由。",
    "电视上天天宣传中共的伟大。",
    "有的老师在课堂上偷偷讲真话。",
    "四川的亲戚说那边也封控了。",
    "我们家族有好几个党员。",
    "我的一个远房亲戚在加拿大定居多年。",
    "听说温州那边的教堂被拆了。",
    "好几个同学都在国外读书。",
    "我丈夫的单位天天组织学习。",
    "东北的冬天很冷，老百姓日子不好过。",
    "她爸爸是派出所的所长。",
    "我们公司的老板是党员。",
    "看了大纪元的报道，我才知道新疆的真相。",
    "我以前在深圳打过几年工。",
    "那些贪官都把孩子送到美国去了。",
    "我儿子的老师是个党员。",
    # written after 2bfb1f7, measured once there
    "小李前年就把团退了。",
    "我嫂子在医院当护士。",
    "兰州的拉面很好吃。",
    "很多海外华人也都退了党。",
    "我们厂的书记天天开会。",
    "听说天津那边又出事了。",
    "我姐夫在县政府上班。",
    "他们单位的人都入了党。",
    "我从小在农村长大，家里很穷。",
    "去年我们一家去了一趟三亚。",
    "那个派出所的所长很凶。",
    "我闺蜜早就三退了。",
)


def _insertion_points(text: str) -> list[int]:
    """Where a sentence goes: after a title line, after the body's middle sentence and after its
    last one (before 声明人 and what follows it)."""
    lines = text.split("\n")
    body_end = next(
        (k for k, line in enumerate(lines) if line.startswith(("声明人", "聲明人"))), len(lines)
    )
    body = "\n".join(lines[:body_end])
    points = []
    if len(lines) > 1 and body_end > 1 and len(lines[0]) <= 40:
        points.append(len(lines[0]) + 1)
    marks = [m.end() for m in re.finditer("[。！？!?]", body)]
    if len(marks) > 1:
        points.append(marks[len(marks) // 2 - 1])
    if marks:
        points.append(marks[-1])
    return sorted(set(points))


def _reading(text: str) -> tuple[Any, ...]:
    p = parse_statement(text)
    region = None if p.region is None else (p.region.country, p.region.province)
    return (sorted(p.organizations), p.headcount, region, p.sector)


def inserted_sentences(rows: dict[str, Any], ids: list[str], show: int) -> None:
    """Each story sentence put into every dev statement in Chinese (after its title, in the middle,
    at the end of its body): a reading (organizations, headcount, province, sector) that differs
    from the statement's own is counted."""
    texts = {i: rows[i]["text"] for i in ids if rows[i]["script"] != "english"}
    base = {i: _reading(t) for i, t in texts.items()}
    fields = ("organizations", "headcount", "region", "sector")
    print(f"\n{'a sentence of the story inserted':46} {'changed':>8} {'of':>6}  by field")
    for block, sentences in (("written with fixes, or fixed after", STORY_SENTENCES),
                             ("held out", STORY_SENTENCES_HELD_OUT)):  # fmt: skip
        total = changed_all = 0
        print(f"  {block}:")
        for sentence in sentences:
            changed = cases = 0
            by_field = dict.fromkeys(fields, 0)
            shown: list[str] = []
            for i, text in texts.items():
                for at in _insertion_points(text):
                    got = _reading(text[:at] + sentence + text[at:])
                    cases += 1
                    if got != base[i]:
                        changed += 1
                        for name, a, b in zip(fields, base[i], got, strict=True):
                            by_field[name] += a != b
                        if len(shown) < show:
                            shown.append(f"      {i}@{at}: {base[i]} -> {got}")
            total += cases
            changed_all += changed
            counts = ", ".join(f"{k} {v}" for k, v in by_field.items() if v)
            print(f"  {sentence:{46 - len(sentence)}} {changed:>8} {cases:>6}  {counts}")
            for line in shown:
                print(line)
        print(f"  {'together':44} {changed_all:>8} {total:>6}")


if __name__ == "__main__":
    main()
