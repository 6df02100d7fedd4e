"""A sentence about other people, a topic or the past, put into a statement, changes nothing the
statement declares (issue 13; eval/README.md: other people's acts, places and occupations, topics
and former places are not the declarant's). The same check runs on the real dev statements in
bench/bench_parse_rewrites.py ("a sentence of the story inserted"); here every statement and
sentence is written for the test."""

from __future__ import annotations

import pytest

from santui.textparse.parse import parse_statement

# Statements of each layout the parser reads: short, a record with and without a place line,
# a vague object, a story with a place said of oneself, an occupation said of oneself.
BASES = (
    "我声明退出共青团和少先队。",
    "我声明退党。",  # the sentence before is short: 我 a few characters back
    "退党声明\n我入党二十年，看清了中共的本质。今天声明退出中国共产党。\n声明人: 王明\n"
    "2020-02-01 12:00",
    "退团 退队\n小时候入过少先队，中学入了团。现声明退出共青团和少先队。\n声明人: 李华\n"
    "2020-03-01 10:00\n河北",
    "中共很邪恶，害死了很多人。我今天退出它的邪恶组织。",
    "我是河南郑州人，在一家工厂上班。中共靠谎言和暴力维持统治，我声明退出共青团。",
    "我是一名中学老师，教了二十年书。我们是支持民主的普通人！我声明退出中国共产党。",
)

# Sentences that say nothing of the declarant's own withdrawal, place, occupation or company.
NEUTRAL = (
    "身边很多朋友都已经退了团。",  # peers' withdrawals
    "我的同学早就退党了。",
    "很多人已经退了团。",
    "隔壁老王去年就退党了。",  # a third person's withdrawal, told as done
    "他早就退了团。",
    "退党的人越来越多了。",  # the movement
    "我身边的党员都不信共产主义。",  # others' membership
    "我在北京上过大学。",  # a former study place
    "我曾经在新疆当过兵。",  # a former service place
    "在美国的亲戚告诉我很多真相。",  # a relative's place
    "香港人的抗争让我看清了中共。",  # a topic
    "北京的领导只会说空话。",
    "很多人在武汉去世了。",  # others' place
    "李文亮医生在武汉去世了。",
    "我有一个同学在加拿大留学。",  # another's study
    "我们村里的干部很坏。",  # others' occupations
    "我去过一次西藏拉萨旅游，看到了很多警察。",
    "法院都是党开的，医院也被中共控制。",  # institutions criticized
    "郑州的水灾淹死了很多人。",  # a place's events and people
    "新闻里天天说美国不好。",
    "西藏和新疆的人受的苦更多。",
    "成都的朋友告诉我那里也封城了。",
    "武汉的医生护士太辛苦了。",
    "看到香港警察打人的视频，我哭了。",  # people seen
    "我的老师是个好人，可惜被打成了右派。",  # the declarant's teacher
    "我舅舅以前在公安局上班。",  # a relative's work
)


def reading(text: str) -> tuple[object, ...]:
    p = parse_statement(text)
    region = None if p.region is None else (p.region.country, p.region.province)
    return (sorted(p.organizations), p.headcount, region, p.sector)


def inserted(base: str, sentence: str) -> list[str]:
    """The sentence after the base's first sentence and at the end of its body (before 声明人)."""
    lines = base.split("\n")
    body_end = next((k for k, line in enumerate(lines) if line.startswith("声明人")), len(lines))
    body = "\n".join(lines[:body_end])
    rest = "\n".join(lines[body_end:])
    first = body.find("。") + 1
    texts = [body[:first] + sentence + body[first:], body + sentence]
    return [t + ("\n" + rest if rest else "") for t in texts]


@pytest.mark.parametrize("sentence", NEUTRAL)
@pytest.mark.parametrize("base", BASES, ids=range(len(BASES)))
def test_a_sentence_of_the_story_changes_no_reading(base: str, sentence: str) -> None:
    want = reading(base)
    for text in inserted(base, sentence):
        assert reading(text) == want, text


def test_the_bases_read_what_they_declare() -> None:
    """The check above means something only if the bases are read right."""
    assert [reading(b) for b in BASES] == [
        (["league", "pioneers"], 1, None, None),
        (["party"], 1, None, None),
        (["party"], 1, None, None),
        (["league", "pioneers"], 1, ("CN", "130000"), None),
        (["party"], 1, None, None),
        (["league"], 1, ("CN", "410000"), "worker"),
        (["party"], 1, None, "education"),
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the declarant with peers, or peers declaring through the statement: still declared
        ("我和朋友郑重退出共产党。", ["party"]),
        ("我们班38名同学集体声明退出共青团。", ["league"]),
        ("因为很多朋友都劝我，我也退出了共青团。", ["league"]),
        # a proxy, and a co-signer who declares: still declared
        ("我父亲年纪大了，我替他声明退党。我自己声明退团。", ["league", "party"]),
        ("我和妻子一起声明：我退出少先队，她退出共青团。", ["league", "pioneers"]),
        ("我，小陈，在此郑重宣布退出共青团。", ["league"]),
    ],
)
def test_peers_with_the_declarant_still_declare(text: str, want: list[str]) -> None:
    assert sorted(parse_statement(text).organizations) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # one's own place said next to an occupation or a company
        ("我是一名幼儿园老师，在重庆工作。我声明退出共青团。", ("CN", "500000")),
        ("我是医生，在美国行医，早年在国内入过团。声明退团。", ("US", None)),
        ("我住在北京朝阳区，是一个快递员。声明三退。", ("CN", "110000")),
        (
            "九十年代我在海南做过几年房地产，后来回到了老家广西北海，一直住到现在。声明三退。",
            ("CN", "450000"),
        ),
    ],
)
def test_the_declarants_own_place_is_still_read(text: str, want: tuple[str, str | None]) -> None:
    region = parse_statement(text).region
    assert region is not None and (region.country, region.province) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我们村的干部都很坏，我声明退党。", 1),  # our village's: a possessive, not a group
        ("我们单位的领导逼着大家入党。今天我声明退出中共。", 1),
        ("我们一家三口声明退出共青团。", 3),
        ("我们在此声明退出中共。", 2),
    ],
)
def test_a_possessive_we_is_not_a_group(text: str, want: int) -> None:
    assert parse_statement(text).headcount == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我和同学五个人一起声明退出共青团。", "student"),  # classmates declaring together
        ("这学期我在台中一所大学交流学习。声明退出共青团和少先队。", "student"),
        ("我是村里的干部，声明退党。", "government"),
        (
            "来到英国以后，我在一家餐馆打工已经七年。老板是台湾人，常常跟我聊大陆的事情，说起大陆的"
            "种种怪事。我小时候在老家入过少先队，中学入了团。今天声明三退。",
            "worker",
        ),
        ("我是武汉方舱医院的一名女医生，在救援武汉疫情时看到了很多乱象。声明退党。", "health"),
        # one of a class said of oneself (我们学生, 我们这些工人), in a story
        (
            "退出少先队、共青团\n政治课本毒害深，中共想要控制我们学生的思想，让我们从小就说假话。\n"
            "声明人: 韩丽\n2020-03-17 16:10",
            "student",
        ),
        (
            "我在县城的化肥厂干了二十年。后来厂子被几个领导低价买走，我们这些工人一分钱补偿都没有。"
            "今天我正式声明退出中共。",
            "worker",
        ),
        ("我是重庆人，在江苏昆山的电子厂打工，住在厂里的宿舍。声明退出共青团。", "worker"),
    ],
)
def test_the_declarants_own_occupation_is_still_read(text: str, want: str) -> None:
    assert parse_statement(text).sector == want
