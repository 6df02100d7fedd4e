"""How many persons a statement speaks for: co-signers, lists of names, relatives who join, a
plural subject (issue 13, eval/README.md "Headcount: co-signers, lists, families"). Every
statement here is written for the test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.textparse.parse import parse_statement

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def headcount(text: str) -> int:
    return parse_statement(text).headcount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王某某领衔，共同声明的另有57人，退出中共一切组织。", 58),
        ("Zhang Wei, Li Na and 23 others quit the CCP.", 25),
        ("Ma Lin, Zhou Fang, Wu Gang and others–a total of seven people quit the League.", 7),
        ("Ma Lin, Zhou Fang, Wu Gang and others, altogether 9, quit the CCP.", 9),
        ("我和老伴、儿子一起退出共产党及其一切组织。", 3),
        ("母女二人声明退出少先队。", 2),
        # the declarant and a number of others who withdraw with them
        ("我和三个朋友一起退党。", 4),
        ("本人与两位同事共同声明退出中共。", 3),
        ("I and two friends quit the CCP together.", 3),
        ("Three colleagues and I quit the Communist Youth League.", 4),
        ("My wife, my three children and I quit the Young Pioneers.", 5),
        ("My wife, my six children and I quit the Young Pioneers.", 8),
        ("三退：王平、李华、张强。安徽淮北", 3),
        # the declarant declares for a relative too (替/代 + the relative, then the declaration)
        ("我决定退出共产党。同時也替我妻子孫桂英一併聲明退出共產黨。", 2),
        # ...while a statement made only for another counts that person (eval/README.md: 代表妈妈
        # 声明… → 1; this case read 2 until 2026-12-07)
        ("我代我父亲声明退党。", 1),
    ],
)
def test_co_signers_and_lists(text: str, expected: int) -> None:
    assert headcount(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "家里人都不同意，但我还是要退党。",
        # a number of people in the story, not of signers
        "李文亮等8位医生是造谣吗？我看清了中共，今天声明退出少先队，与它一刀两断，再无瓜葛。",
        "警察到学校来抓人，我就告诉这两位老师快走。现在退休了，我声明退党。",
        # relatives named with the declarant for something else
        "我跟父母都极力反对入团，但还是被迫入了。今天声明退出共青团。",
        "小时候爷爷和我说过土改的事。我声明退党。",
        # 替 a relative for a feeling, not a declaration
        "我替妻子感到难过，声明退党。",
        "我替妻子，声明退党。",
        # others with the declarant in the story, not in the withdrawal
        "我和三个朋友都是党员，今天我声明退党。",
        "小时候我和两个同学被老师逼着入团。今天我声明退出共青团。",
        # names in the story
        "什么毛泽东、方志敏、周恩来，一个个罪行累累，我要退出这个邪恶的组织，我要退党！",
        # an editor's note is not the declarant's
        "我声明退党。单位对这2个人表决过。（编注：为三退人数的准确，此声明不计人数。）",
    ],
)
def test_one_person_although_others_are_named(text: str) -> None:
    assert headcount(text) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们在此郑重声明退出中共的一切组织。", 2),
        ("We hereby withdraw from the Communist Youth League.", 2),
        ("Effective today we withdraw from the League and Pioneers.", 2),
        ("所以我今天正式发出申明，我和我的家人一起，退出邪恶的组织。", 2),
        # a class the signer belongs to, others urged, a passive: not a group
        ("我们这些小公务员都被骗了，我今天声明退党。", 1),
        ("我们中国人都被骗了，我声明退出少先队。", 1),
        ("希望我们都能退出邪党。我声明退党。", 1),
        ("如果不作废，我们就永远被谗害下去，故严正声明：退出少先队。", 1),
        ("We Chinese were deceived. I quit the CCP.", 1),
    ],
)
def test_a_plural_subject_that_declares_is_at_least_two(text: str, expected: int) -> None:
    assert headcount(text) == expected


@FAST
@given(
    st.integers(min_value=2, max_value=9999),
    st.sampled_from(["医生", "老师", "记者", "律师"]),
    st.sampled_from(["声明退出共青团。", "我声明退党。", "本人退出少先队，与中共一刀两断。"]),
)
def test_a_number_in_a_question_about_others_never_counts(
    number: int, who: str, declaration: str
) -> None:
    """A number of people the story asks about (李文亮等8位医生是造谣吗？) is not a number of
    signers: the statement is still one person's."""
    story = f"张某等{number}位{who}是造谣吗？他们说的都是真话。"
    assert headcount(story + declaration) == 1
    assert headcount(declaration + story) == 1


@FAST
@given(st.integers(min_value=2, max_value=9999))
def test_a_number_that_declares_is_counted(number: int) -> None:
    assert headcount(f"张某等{number}人声明退出中共一切组织。") == number
