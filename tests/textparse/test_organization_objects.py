"""What a withdrawal verb takes, in forms the real statements of the dev split showed (issue 13;
eval/README.md): an object after a long description, an organization its maker names, a typo in
"everything to do with the party", a negation that stops at a comma, a sentence end that ends a
list, a solemn declaration that narrows an earlier 三退, and a withdrawal told as done with its
object said first. Each with a near miss that keeps its reading. The texts are written for
these tests."""

from __future__ import annotations

import pytest

from santui.textparse.parse import parse_statement

ALL = {"party", "league", "pioneers"}


def orgs(text: str) -> set[str]:
    return set(parse_statement(text).organizations)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the object after a description that ends in 的, however long
        ("我郑重声明，退出一个残害了无数中国人的中共邪教组织。", {"party"}),
        ("退出共青团\n我今天声明，退出一个给世界带来灾难的中共邪教组织。", {"league", "party"}),
        ("我声明退出这个依靠谎言和暴力维持统治的共产党。", {"party"}),
        # near miss: a description that does not end in 的 before the organization keeps the reach
        ("我声明退出，一个人也要说真话，中共邪教组织必亡。", {"party"}),
    ],
)
def test_an_object_after_a_long_description(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们声明退出共产党建立的党团队这些邪恶组织。", ALL),  # 党团队 under its maker
        ("我声明退出共产党建立的少先队。", {"pioneers"}),  # the maker is the owner, not quit
        ("我声明退出共产党创建的共青团和少先队。", {"league", "pioneers"}),
        ("我声明退出共产党和它建立的少先队。", {"party", "pioneers"}),  # a list: both
    ],
)
def test_organizations_the_party_made(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


def test_you_typed_for_yu_before_everything_to_do_with_the_party() -> None:
    assert orgs("三退声明\n反正我就是要退出有共产党有关的一切。") == ALL
    assert orgs("反正我就是要退出与共产党有关的一切。") == ALL
    # near miss: 有 as a verb before the party, with no 有关 after it
    assert orgs("我声明退出共产党，有共产党在就没有好日子。") == {"party"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the verb's negation does not reach over a comma
        ("退团声明\n现在都知道共产党不是个好东西，我们声明退出来。", {"league", "party"}),
        ("本人从未入党，今天声明退出团队。", {"league", "pioneers"}),
        # near misses: a negation next to the verb still negates it
        ("我从未退出共青团，今天声明退出少先队。", {"pioneers"}),
    ],
)
def test_a_negation_stops_at_a_comma(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sentence's end before 与 ends the list: 与中共势不两立 is another sentence
        ("我声明：从此退队退团。与共匪势不两立！", {"league", "pioneers"}),
        ("我退团退队。与中共势不两立！", {"league", "pioneers"}),
        # near misses: 与 inside the sentence still joins the list; so does 和 after a mark
        # that breaks the list up (a keyword broken by marks reads as it is meant)
        ("我声明退出共青团与中国共产党。", {"league", "party"}),
        ("我声明退出共青团。和少先队。", {"league", "pioneers"}),
        ("我声明退出共青团.和少先队.", {"league", "pioneers"}),
        ("我声明退出共青团，与中国共产党。", {"league", "party"}),
    ],
)
def test_a_sentence_end_ends_a_list(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 三退 said early, then a solemn declaration that names fewer: the specific one wins
        ("我们于是决定三退。我在这里郑重声明，退出中国共产党。", {"party"}),
        ("我宣布三退。郑重声明：本人退出中国少年先锋队。", {"pioneers"}),
        (
            "看清了中共，我们一家决定三退。\n我在这里郑重声明，我王明，妻子李华，自即日起退出中国共产党。",
            {"party"},
        ),
        # near misses: a later withdrawal that is not solemn, or 三退 after the specific one
        ("我们于是决定三退。后来又退出中国共产党。", ALL),
        ("我郑重声明退出中国共产党。我决定三退。", ALL),
        ("我决定三退。", ALL),
    ],
)
def test_a_solemn_declaration_after_san_tui(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a withdrawal told as done, its object said first in the sentence
        ("团我在大学时已经主动退了。今天声明退出少先队。", {"league", "pioneers"}),
        ("少先队那个早在初中就退了。今天声明退出共青团。", {"league", "pioneers"}),
        ("团和队我都退过了。这次再补上退党。", ALL),
        ("共青团和少先队这两个，我前年已经在网上退掉了。今天再声明退出中国共产党。", ALL),
        ("团我是入过的，早在大学时就主动退了。", {"league"}),
        # near misses: another's withdrawal, an object after the verb
        ("团他们早就退了。今天我声明退出少先队。", {"pioneers"}),
        ("共青团的同学早就退了。今天我声明退出少先队。", {"pioneers"}),
        ("共青团的名额早在去年就退了。今天我声明退出少先队。", {"pioneers"}),  # a quota given back
        ("共青团我已经退了少先队。", {"pioneers"}),
    ],
)
def test_a_withdrawal_told_as_done_with_its_object_first(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # general words, then a solemn declaration naming fewer with 退出少先队: it decides
        ("我声明退出中共和它的附属组织。经过深思，特此声明：我退出少先队。", {"pioneers"}),
        # near miss: a later 退党 that is not solemn does not narrow them
        ("我决定在此声明：永远退出中国共产党及其相关团体组织！从我做起，立言退党！", ALL),
    ],
)
def test_a_solemn_withdrawal_after_general_words(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 三退 declared solemnly after a specific withdrawal: all three
        ("我退出共青团。后来到了日本留学。在这里我也要正式声明三退。", ALL),
        ("我退出少先队。今天我严正声明三退。", ALL),
        # the party's reserve named as the owner (共匪预备队少先队), not quit
        ("我宣布退出共匪预备队少先队、共青团。", {"league", "pioneers"}),
        ("我宣布退出共产党的预备队共青团。", {"league"}),
        # near miss: a list is a list
        ("我宣布退出共产党、预备队少先队。", {"party", "pioneers"}),
    ],
)
def test_declared_san_tui_and_the_partys_reserve(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


def test_a_withdrawal_told_as_done_in_the_story_counts_beside_the_declaration() -> None:
    # 还坚决退出了共青团 (told as done, in a sentence of the story) and 把少先队也一并退掉
    text = (
        "当我认清共产党的邪恶本质后，坚决要求提前退役，共产党百般阻挠，许诺给我党票来拉拢我，"
        "可我意已决，非但不入党，还坚决退出了共青团，退出了军队。现在大纪元又给了我一个机会，"
        "我决定把少先队也一并退掉，和中共彻底划清界限。"
    )
    assert orgs(text) == {"league", "pioneers"}
    # near misses: a withdrawal wished for in the story, not done, stays out; so does a
    # relative's, told as done
    wished = text.replace("还坚决退出了共青团，退出了军队", "还想过退出共青团")
    assert orgs(wished) == {"pioneers"}
    grandmother = "退队声明\n我外婆当年退出了党，她一直劝我也退。我是团员，今天一起退出共青团。"
    assert orgs(grandmother) == {"league", "pioneers"}
    # and 大法弟子 in the sentence is no relative (弟 alone is not 弟弟)
    disciple = text.replace("可我意已决，", "可我意已决，作为大法弟子，")
    assert orgs(disciple) == {"league", "pioneers"}
