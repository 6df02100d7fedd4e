"""santui.textparse.parse_statement on the kinds of real statement issue 13 measures: life
stories with other people's occupations in them, signatures marked as aliases, co-signers listed
after 声明人, the service center's record layout (the place line), headings that say more than
the declaration under them. The examples are written for these tests."""

from __future__ import annotations

import pytest

from santui.textparse.parse import parse_statement

ALL = {"party", "league", "pioneers"}


def record(body: str, signers: str, place: str | None = None, *, title: str = "退团退队") -> str:
    """A statement laid out as the service center prints it: title, text, 声明人, date, place."""
    lines = [title, body, f"声明人: {signers}", "2020-06-01 21:15"]
    if place is not None:
        lines.append(place)
    return "\n".join(lines)


STORY = (
    "我小时候家里很穷，父亲在镇上的派出所当过几年协警，母亲在村里的小学教书。后来镇政府的官员"
    "来我们村征地，村干部带人拆了好几户人家的房子。看了很多真相以后才明白这个党有多坏。"
)


# --- sector: the declarant's own, not the people of the story ------------------------------


def test_a_life_story_names_occupations_that_are_not_the_declarants() -> None:
    assert parse_statement(STORY + "我声明退出少先队。").sector is None


def test_the_occupation_said_of_oneself_counts_in_a_long_text() -> None:
    text = STORY + "我现在是一名护士，今天声明退出共青团和少先队。"
    assert parse_statement(text).sector == "health"


def test_an_english_story_counts_what_i_am() -> None:
    text = (
        "My uncle was a police officer and my mother worked for the county government for thirty "
        "years. I am a nurse in a small clinic. I quit the Communist Youth League."
    )
    assert parse_statement(text).sector == "health"


def test_doctors_named_as_a_topic_are_not_a_sector() -> None:
    text = record(
        "疫情期间那些说真话的医生都被训诫了，官员们却只顾保住自己的位子。我退出共青团。", "林静"
    )
    assert parse_statement(text).sector is None


# --- aliases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    ["晚风（化名）", "晚风(化名)", "Breeze (化名)", "晚风（网名）"],
)
def test_an_alias_marked_after_the_signature(signature: str) -> None:
    parsed = parse_statement(record("我声明退出共青团和少先队。", signature))
    assert parsed.name_kind == "alias"


def test_an_alias_said_in_words() -> None:
    text = record("因为还在国内，只能用化名，请谅解。我声明退出少先队。", "远山")
    parsed = parse_statement(text)
    assert (parsed.name, parsed.name_kind) == ("远山", "alias")


def test_cannot_use_the_real_name_is_not_a_name_marker() -> None:
    text = record("身在国内，不能用真名来声明，但我退出共青团的决心是真的。", "青禾")
    parsed = parse_statement(text)
    assert (parsed.name, parsed.name_kind) == ("青禾", "alias")


def test_a_plain_signature_stays_real() -> None:
    parsed = parse_statement(record("我声明退出共青团和少先队。", "周晓梅"))
    assert (parsed.name, parsed.name_kind) == ("周晓梅", "real")


# --- co-signers after 声明人 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signers", "expected"),
    [
        ("青山、明月、小溪", 3),
        ("青山 明月", 2),
        ("周晓梅，林静，顾远，白露", 4),
        ("晚风（化名）晨光（化名）", 2),
        ("Wang Lan, Zhou Ming", 2),
        ("周晓梅", 1),
        ("青山 明月 等 12人（详细三退名单请查阅网址）", 12),
        ("朱颖 曾振", 2),  # 曾 is a surname here, not 曾经
        ("天高云淡风轻水长明月 倪悦", 2),  # an alias of ten characters is one signer
    ],
)
def test_signers_listed_after_the_signature_marker(signers: str, expected: int) -> None:
    # the body has no subject: the count is the signers' (我们 alone would make at least two)
    text = record("声明退出共青团和少先队。", signers, "浙江")
    assert parse_statement(text).headcount == expected


def test_a_sentence_after_the_marker_is_not_a_list() -> None:
    text = "声明人：周晓梅，浙江宁波人，曾经加入少先队，现声明全部退出。"
    assert parse_statement(text).headcount == 1


# --- the place line of a record ---------------------------------------------------------------


def test_the_place_line_wins_over_places_that_are_topics() -> None:
    body = "武汉封城的时候，我天天看香港和台湾的新闻，才知道真相。我声明退出少先队。"
    region = parse_statement(record(body, "林静", "广东")).region
    assert region is not None
    assert (region.country, region.province) == ("CN", "440000")


def test_a_record_without_a_place_line_states_no_place() -> None:
    body = "武汉封城的时候，我天天看香港的新闻，才知道真相。我声明退出少先队。"
    assert parse_statement(record(body, "林静")).region is None


@pytest.mark.parametrize("place", ["中国大陆", "中国华南", "华东"])
def test_a_place_line_naming_only_the_mainland(place: str) -> None:
    region = parse_statement(record("我声明退出少先队。", "林静", place)).region
    assert region is not None
    assert (region.country, region.province) == ("CN", None)


def test_an_overseas_place_line() -> None:
    body = "在四川长大，武汉疫情之后看清了共产党。我声明退出共青团。"
    region = parse_statement(record(body, "林静", "加拿大")).region
    assert region is not None
    assert region.country == "CA"


# --- organizations: a general heading, a specific declaration ---------------------------------


def test_a_heading_three_withdrawals_yields_to_the_league_and_pioneers_declared() -> None:
    text = record("看清了这个党的本质，现在我退出共青团和少先队组织！", "林静", title="三退")
    assert set(parse_statement(text).organizations) == {"league", "pioneers"}


def test_quitting_every_organization_adds_to_quitting_the_party() -> None:
    text = record("我早就不交党费了，今天声明退出中共所有组织。", "林静", title="退党声明")
    assert set(parse_statement(text).organizations) == ALL


def test_three_withdrawals_alone_are_all_three() -> None:
    assert (
        set(
            parse_statement(
                record("我今天三退，做个干净的人。", "林静", title="三退")
            ).organizations
        )
        == ALL
    )


@pytest.mark.parametrize(
    "phrase",
    ["中共邪恶团、队组织", "中共附属的团、队组织", "中共邪灵团队", "中共的所有的团、队"],
)
def test_the_party_named_as_the_owner_of_the_league_and_pioneers(phrase: str) -> None:
    text = f"我声明退出曾经加入过的{phrase}。"
    assert set(parse_statement(text).organizations) == {"league", "pioneers"}


@pytest.mark.parametrize(
    "text",
    [
        "看清了真相，我退出中共的一切附属组织。",
        "看清了真相，现在我退出共产党的附属组织，做个自由人。",
    ],
)
def test_the_organizations_under_the_party_are_the_league_and_pioneers(text: str) -> None:
    assert set(parse_statement(text).organizations) == {"league", "pioneers"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a list with commas, then what the list is: the last item is in the list
        ("申明退出共产党，共青团，少先队邪恶组织。", ALL),
        ("声明退出少先队，共青团，共产党这个邪恶的政党", ALL),
        ("我退出共青团，少先队等邪恶组织。", {"league", "pioneers"}),
        # not what the party owns, nor a new clause about the party
        ("我从心里发誓退出少先队(邪党的组织)。", {"pioneers"}),
        ("退出共青团，少先队，共产党没了才有干净的世界", {"league", "pioneers"}),
        # the last item, then the declaration it names (ASCII commas as phones type them)
        ("请她帮我做退出共产党,共青团,少先队组织的声明.我在政府机关工作", ALL),
        ("请她帮我做退出共产党，共青团，少先队的申明。", ALL),
    ],
)
def test_a_list_with_commas_then_what_it_is(text: str, expected: set[str]) -> None:
    assert set(parse_statement(text).organizations) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退出少先队组织、共青团", {"pioneers", "league"}),
        ("我自愿退出少先队组织、共青团、共产党等坏组织，做一个自由公民。", ALL),
        ("我们声明退出少先队组织、共青团和共产党组织！", ALL),
        # 组织 then a new clause: not a list
        ("我退出少先队组织。共青团我没入过。", {"pioneers"}),
    ],
)
def test_an_organization_named_with_its_word_zuzhi_goes_on_a_list(
    text: str, expected: set[str]
) -> None:
    assert set(parse_statement(text).organizations) == expected


def test_the_party_and_its_organizations_are_all_three() -> None:
    assert set(parse_statement("我声明退出中共及其一切附属组织。").organizations) == ALL
    assert set(parse_statement("我声明退出中共的一切组织。").organizations) == ALL
    assert set(parse_statement("我声明退出所有共产党组织。").organizations) == ALL
    assert set(parse_statement("声明退出幼时加入的一切共产党组织。").organizations) == ALL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我决定退出共产党邪党的少先队组织。", {"pioneers"}),
        ("我们声明，退出中国共产党恶党的共青团。", {"league"}),
        ("退出共产党邪党团等各类组织", {"league"}),
        ("在此，我们声明，退出共匪邪党的少先队等邪恶组织。", {"pioneers"}),
        ("特提早退出共匪恶党的少年先锋队附属组织", {"pioneers"}),
        ("我坚决退出曾经加入过的共党邪教共青团。", {"league"}),
        # the name and the pejorative are one party: quit when quit
        ("我声明退出共产党邪教和它的团、队。", ALL),
    ],
)
def test_the_party_named_with_a_pejorative_in_apposition(text: str, expected: set[str]) -> None:
    # 共产党邪党 is one party, as 中共邪党 is: named as an owner, it is not quit
    assert set(parse_statement(text).organizations) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We quit the Communist Youth League.\nLin Hua, Zhou Bo, Gao Ning", 3),
        ("We quit the CCP and its affiliates.\nWang Lei, Sun Mei and two others", 4),
        ("We quit the Young Pioneers. Tang Yu and Song Jie", 2),
        ("I quit the CCP. Hong Kong, Macau and Taiwan are free.", 1),
    ],
)
def test_signers_listed_by_name_in_english(text: str, expected: int) -> None:
    assert parse_statement(text).headcount == expected


@pytest.mark.parametrize("place", ["大陆河北", "大陆 河北", "中国河北"])
def test_a_place_line_with_the_mainland_before_the_province(place: str) -> None:
    region = parse_statement(record("我声明退出少先队。", "林静", place)).region
    assert region is not None
    assert (region.country, region.province) == ("CN", "130000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a withdrawal told as done is declared: its object said before it
        ("中共我早就退了，今天再声明退出共青团。", {"party", "league"}),
        ("少先队我已经退了，现在声明退出共青团。", {"pioneers", "league"}),
        ("我以前入过少先队，早就退了。这次我又声明退出了共青团。", {"pioneers", "league"}),
        # 前一个 points back past the nearest one
        (
            "共青团是我十五岁入的，少先队是八岁入的。前一个我已经退了，后一个今天退。",
            ALL - {"party"},
        ),
    ],
)
def test_a_withdrawal_told_as_done_takes_the_object_before_it(
    text: str, expected: set[str]
) -> None:
    assert set(parse_statement(text).organizations) == expected


@pytest.mark.parametrize(
    "name",
    ["the Communist Young Pioneers", "the Chinese Young Pioneers", "the Young Pioneers of China"],
)
def test_the_pioneers_long_english_names_go_on_a_list(name: str) -> None:
    text = f"I hereby withdraw from the CCP and {name}."
    assert set(parse_statement(text).organizations) == {"party", "pioneers"}
