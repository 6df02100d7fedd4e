"""santui.textparse.parse_statement: one test per phenomenon of issue 3, section 1."""

from __future__ import annotations

import json

import pytest

from santui.textparse.parse import Parsed, Region, parse_statement
from santui.textparse.sectors import SECTORS

ALL = {"party", "league", "pioneers"}


def orgs(text: str) -> set[str]:
    return set(parse_statement(text).organizations)


# --- organizations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三退", ALL),
        ("退党", {"party"}),
        ("退团", {"league"}),
        ("退队", {"pioneers"}),
        ("退党退团退队 张伟", ALL),
        ("声明退出中共及其一切组织。", ALL),
        ("我声明退出中共的党、团、队组织。", ALL),
        ("退出共产党、共青团、少先队。", ALL),
        ("本人退出中国共产党。", {"party"}),
        ("我是团员，声明退出共青团。", {"league"}),
        ("小时候戴过红领巾，声明退出少先队。", {"pioneers"}),
        ("声明退出共青团和少先队。", {"league", "pioneers"}),
        ("本人曾加入共青团和少先队，现声明退出。", {"league", "pioneers"}),
        ("退出中共一切组织！", ALL),
        ("退出以上组织。我入过团，戴过红领巾。", {"league", "pioneers"}),
    ],
)
def test_withdrawals(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退出邪党", {"party"}),
        ("声明退出恶党。", {"party"}),
        ("退出共匪组织", {"party"}),
        ("我宣布退出中共邪教。", {"party"}),
    ],
)
def test_pejoratives_mean_the_party(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


def test_party_named_as_parent_of_the_league_is_not_quit() -> None:
    assert orgs("本人鄭重聲明退出中國共產黨的下屬組織「共青團」。香港 梁嘉儀") == {"league"}
    assert orgs("退出中共的团、队组织。") == {"league", "pioneers"}
    assert orgs("声明：退出中共少年先锋队。") == {"pioneers"}
    assert orgs("I quit the CCP's Youth League and Young Pioneers.") == {"league", "pioneers"}


def test_party_renounced_but_not_quit() -> None:
    assert orgs("和这个党划清界限，退出少先队和共青团。") == {"league", "pioneers"}
    assert orgs("声明退团，天灭中共！") == {"league"}


def test_a_withdrawal_ends_with_its_sentence() -> None:
    assert orgs("声明退出少先队。中共是邪教。") == {"pioneers"}
    assert orgs("退出共青团，我从没入过党") == {"league"}
    assert orgs("我是团员，声明退出!共青团") == {"league"}


def test_negations_and_never_a_member() -> None:
    parsed = parse_statement("我从来没有入过党，只入过少先队和团。现声明退出。")
    assert set(parsed.organizations) == {"league", "pioneers"}
    assert parsed.current_party_member is False
    assert orgs("我從沒入過黨，只入過少先隊。聲明退出。") == {"pioneers"}
    english = parse_statement(
        "I was never a member of the Party, but I joined the Young Pioneers and the Communist"
        " Youth League at school. I now quit both."
    )
    assert set(english.organizations) == {"league", "pioneers"}
    assert english.current_party_member is False


def test_once_joined() -> None:
    assert orgs("曾经加入少先队、共青团，现声明全部退出。") == {"league", "pioneers"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I quit the Chinese Communist Party.", {"party"}),
        ("I quit the Communist Youth League.", {"league"}),
        ("Withdraw from the Young Pioneers.", {"pioneers"}),
        ("I quit the Party, the League and the Pioneers.", ALL),
        ("Withdrawal from the CCP and all its affiliated organizations.", ALL),
        ("tuidang tuituan tuidui", ALL),
        # the names translators give them (real statements of the dev split, issue 13)
        ("I solemnly declare that I quit the CYL and the Communist Youth Pioneers.",
         {"league", "pioneers"}),
        ("I withdraw from the affiliated Youth Group and Pioneer Group of the CCP.",
         {"league", "pioneers"}),
        ("I quit the CCP Young Pioneers and the CCP Youth League.", {"league", "pioneers"}),
        # "all … organizations" as the verb's object: all three, as 退出中共的一切组织
        ("I resolutely withdraw from all the CCP organizations I joined.", ALL),
        ("I withdraw from all the evil organizations of the Communist Party.", ALL),
        ("I quit every communist organization.", ALL),
        # ...not the party's affiliates, nor its own units
        ("I withdraw from all organizations affiliated with the Party.", {"league", "pioneers"}),
        ("I quit every affiliated organization of the CCP.", {"league", "pioneers"}),
        ("I was in the Youth League. I quit all party organizations.", {"party"}),
        # others urged: every Chinese person should quit
        ("Every Chinese person should quit the Communist Party.", set()),
    ],
)  # fmt: skip
def test_english(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三:退.", ALL),
        ("退!党! 退!团! 退!队!", ALL),
        ("三、退！", ALL),
        ("退-团-退-队", {"league", "pioneers"}),
        ("退 党 退 团", {"party", "league"}),
        ("声.明.退.出.共.青.团", {"league"}),
    ],
)
def test_keywords_broken_by_punctuation(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


def test_current_party_member() -> None:
    assert parse_statement("本人中共党员，今天声明退党。").current_party_member is True
    assert parse_statement("I am a Party member. I quit the CCP.").current_party_member is True
    assert parse_statement("本人非党员，入过团。声明退团。").current_party_member is False
    assert parse_statement("三退 张伟").current_party_member is None


def test_no_organization_named() -> None:
    parsed = parse_statement("今天天气很好。")
    assert parsed.organizations == frozenset()
    assert parsed.confidence["organizations"] == 0.0


# --- headcount -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三退 张伟", 1),
        ("我们全家五口人声明三退", 5),
        ("本人及妻子女儿声明三退", 3),
        ("本人及妻子、女儿声明三退", 3),
        ("我和我的丈夫声明退出少先队和共青团", 2),
        ("黑龙江鹤岗 张铁柱等114人声明三退", 114),
        ("我们两人声明退党", 2),
        ("我们单位140人声明退出中共及其附属组织", 140),
        ("三退：赵丽、赵刚、赵小红，湖南长沙", 3),
        ("我们夫妻二人声明三退。", 2),
        ("一家三口声明三退", 3),
        ("我们宿舍六个同学一起三退", 6),
        ("Our family of four quits all CCP organizations.", 4),
        ("Three of us quit the Young Pioneers.", 3),
        ("My wife and I quit the CCP.", 2),
        ("中共杀害了八千万人，我声明退党。", 1),
    ],
)
def test_headcount(text: str, expected: int) -> None:
    assert parse_statement(text).headcount == expected


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("三退 化名：平安 河北保定", "平安", "alias"),
        ("三退 化明：金鱼 辽宁盘锦", "金鱼", "alias"),
        ("声明退出共青团。署名：小溪", "小溪", "alias"),
        ("三退 笔名：听雨", "听雨", "alias"),
        ("退党 网名：自由鸟", "自由鸟", "alias"),
        ("退队。陕西西安 小雨（化名）", "小雨", "alias"),
        ("I quit the Youth League. Alias: Westlake", "Westlake", "alias"),
        ("三退 李明 辽宁", "李明", "real"),
        ("我叫李晓东，声明退出共青团。", "李晓东", "real"),
        ("I quit the CCP. Li Ming, Shenyang, Liaoning", "Li Ming", "real"),
        ("大陆民众 匿名 山西太原 三退", None, "anonymous"),
        ("I quit the evil Party! Anonymous, Japan", None, "anonymous"),
        ("声明退出中共。", None, "anonymous"),
    ],
)
def test_names(text: str, name: str | None, kind: str) -> None:
    parsed = parse_statement(text)
    assert (parsed.name, parsed.name_kind) == (name, kind)


def test_name_is_kept_as_written() -> None:
    assert parse_statement("三退 張建軍 河南鄭州").name == "張建軍"


def test_signers_named_after_places() -> None:
    parsed = parse_statement("三退 刘长春 广西桂林")
    assert parsed.name == "刘长春"
    assert parsed.region is not None and parsed.region.prefecture == "450300"
    parsed = parse_statement("退团 黄山 江西九江")
    assert parsed.name == "黄山"
    assert parsed.region is not None and parsed.region.prefecture == "360400"
    parsed = parse_statement("我叫吉林，住在廣西南寧。聲明退出少先隊。")
    assert parsed.name == "吉林"
    assert parsed.region is not None and parsed.region.province == "450000"
    assert parse_statement("三退保平安 王朝阳").region is None


# --- places --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "province", "prefecture"),
    [
        ("三退 辽宁沈阳", "210000", "210100"),
        ("三退 沈阳市", "210000", "210100"),
        ("三退 遼寧瀋陽", "210000", "210100"),
        ("三退 黑龙江省哈尔滨", "230000", "230100"),
        ("I quit the CCP. Shenyang, Liaoning", "210000", "210100"),
        ("三退 吉林", "220000", None),
        ("三退 吉林长春", "220000", "220100"),
        ("三退 化名：顺心 湖北襄樊", "420000", "420600"),  # Xiangfan: Xiangyang since 2010
    ],
)
def test_places(text: str, province: str, prefecture: str | None) -> None:
    region = parse_statement(text).region
    assert region is not None
    assert (region.country, region.province, region.prefecture) == ("CN", province, prefecture)


def test_county_next_to_its_city_wins_over_namesakes() -> None:
    region = parse_statement("我家住在北京朝阳区，声明三退。").region
    assert region is not None
    assert (region.province, region.prefecture, region.county) == ("110000", None, "110105")


def test_two_places_the_one_lived_in_now_wins() -> None:
    region = parse_statement("老家在湖南邵阳，现在上海浦东打工，声明三退。").region
    assert region is not None and region.province == "310000"
    region = parse_statement("现居美国纽约，原籍福建福清。声明三退。").region
    assert region is not None and region.country == "US" and region.province is None
    region = parse_statement("我叫林芝，不是西藏林芝，是福建福州的。声明退出少先队。").region
    assert region is not None and region.prefecture == "350100"


def test_two_places_without_a_word_of_when_the_first_wins() -> None:
    region = parse_statement("辽宁沈阳 三退 吉林长春").region
    assert region is not None and region.prefecture == "210100"


def test_overseas() -> None:
    region = parse_statement("本人在加拿大多伦多，声明退出中共及其一切组织。").region
    assert region is not None and region.country == "CA"
    region = parse_statement("I live in Hong Kong. I quit the Young Pioneers.").region
    assert region is not None and region.country == "HK"
    region = parse_statement("聲明三退。台灣台中 林志明").region
    assert region is not None and region.country == "TW"


def test_no_place_is_none_never_a_guess() -> None:
    assert parse_statement("声明退出中共。").region is None
    assert parse_statement("I quit the CCP.").region is None


def test_region_name_is_the_text_as_written() -> None:
    region = parse_statement("三退 遼寧瀋陽 張三").region
    assert region is not None and region.name == "遼寧瀋陽"


# --- sectors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("我是公务员，声明退党。", "government"),
        ("本人在派出所工作，声明退党。", "police"),
        ("我是国保，声明退党。", "police"),
        ("我在市纪委工作，声明退党。", "discipline_inspection"),
        ("本人是人大代表，声明三退。", "congress_deputy"),
        ("我是法官，声明退党。", "judiciary"),
        ("我在国安局工作，声明退党。", "state_security"),
        ("我在中南海工作过，声明退党。", "central_organs"),
        ("我是解放军军官，声明退党。", "military"),
        ("我是中学老师，声明退团。", "education"),
        ("我是大学生，声明退团。", "student"),
        ("我是护士，声明退团。", "health"),
        ("我是记者，声明退党。", "media"),
        ("我在国企上班，声明退党。", "state_enterprise"),
        ("我是个体户，声明退团。", "business"),
        ("我是农民，声明退团。", "farmer"),
        ("我是工人，声明退团。", "worker"),
        ("我退休了，声明退党。", "retired"),
        ("我是律师，声明三退。", "other"),
        ("我是退休教师，声明退党。", "education"),
        ("我父亲是军人，我声明退队。", None),
        ("学生时代入过团，声明退团。", None),
        ("I am a police officer and a Party member. I quit the CCP today.", "police"),
    ],
)
def test_sectors(text: str, sector: str | None) -> None:
    assert parse_statement(text).sector == sector


def test_every_sector_key_has_phrases() -> None:
    from santui.textparse.sector_phrases import PRIORITY, SECTOR_PHRASES

    assert set(SECTOR_PHRASES) == set(SECTORS) == set(PRIORITY)
    assert all(SECTOR_PHRASES[key] for key in SECTORS)


# --- script, language, hints, JSON ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "script", "language"),
    [
        ("我声明退出中共。", "simplified", "zh"),
        ("我聲明退出中共。", "traditional", "zh"),
        ("I quit the CCP.", "latin", "en"),
        ("我是 student，quit 共青团。", "mixed", "zh"),
    ],
)
def test_script_and_language(text: str, script: str, language: str) -> None:
    parsed = parse_statement(text)
    assert (parsed.script, parsed.language) == (script, language)


def test_hints_win_with_full_confidence() -> None:
    parsed = parse_statement(
        "三退 李明 辽宁沈阳",
        hints={"organizations": ["league"], "headcount": 3, "region": "110105", "sector": "farmer"},
    )
    assert parsed.organizations == frozenset({"league"})
    assert parsed.headcount == 3
    assert parsed.region == Region("CN", "110000", None, "110105", None)
    assert parsed.sector == "farmer"
    assert parsed.confidence["organizations"] == parsed.confidence["region"] == 1.0
    assert parsed.name == "李明"  # not hinted: the parser's reading stays


def test_invalid_hints_are_ignored() -> None:
    parsed = parse_statement(
        "三退 辽宁沈阳",
        hints={"organizations": ["bogus"], "headcount": 0, "region": "999999", "sector": "x"},
    )
    assert parsed.organizations == frozenset(ALL)
    assert parsed.headcount == 1
    assert parsed.region is not None and parsed.region.prefecture == "210100"
    assert parsed.sector is None


def test_hint_region_codes() -> None:
    assert parse_statement("x", hints={"region": "210100"}).region == Region(
        "CN", "210000", "210100", None, None
    )
    assert parse_statement("x", hints={"region": "tw"}).region == Region(
        "TW", None, None, None, None
    )


def test_to_json_is_json_ready() -> None:
    parsed = parse_statement("三退 化名：平安 河北保定")
    data = parsed.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["organizations"] == ["league", "party", "pioneers"]
    assert data["region"] == {
        "country": "CN", "province": "130000", "prefecture": "130600", "county": None,
        "name": "河北保定",
    }  # fmt: skip
    assert set(data) == {
        "organizations", "current_party_member", "headcount", "name", "name_kind", "region",
        "sector", "script", "language", "confidence",
    }  # fmt: skip
    assert isinstance(parsed, Parsed)
    assert parse_statement("退党").to_json()["region"] is None


def test_the_sector_table_in_the_docs_is_the_module() -> None:
    from pathlib import Path

    from santui.textparse.sector_phrases import PRIORITY, SECTOR_PHRASES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "textparse.md").read_text("utf-8")
    table = doc.split("<!-- sectors:start -->")[1].split("<!-- sectors:end -->")[0]
    for key, phrases in SECTOR_PHRASES.items():
        assert f"| `{key}` | {PRIORITY[key]} | {', '.join(phrases)} |" in table, key


# --- issue 13: the kinds of error found on real statements (examples written for the issue) ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # mentioned is not quit
        ("我今天退出少先队；至于中共，我从来不想加入", {"pioneers"}),
        ("早就听说三退，今天终于退出了共青团", {"league"}),
        ("看到大家都在退党，我也声明退出少先队", {"pioneers"}),
        ("I left the Young Pioneers through the Tuidang site", {"pioneers"}),
        ("我声明退出共青团少先队，共产党没了才有干净的世界！", {"league", "pioneers"}),
        ("我在YouTube上看到了退党声明。今天我郑重声明退出少先队。", {"pioneers"}),
        # all three said indirectly; one named through the party
        ("退出中共和它下面的所有组织", ALL),
        ("I renounce the CCP and every organization attached to it", ALL),
        ("退出党团队", ALL),
        ("退出邪党及其外围的团、队", ALL),
        ("坚决退出邪恶中国共产党及其相关邪恶组织。", ALL),
        ("我今天声明退出与共产党有关的一切组织。", ALL),
        # "every organization" as the verb's first object, words inside it; not a list inside
        # it, nor the party's own units
        ("我声明退出与他们有关的一切机构，从此再无关系。", ALL),
        ("本人声明：退出共青团，退出任何中国大陆任何政治组织。", ALL),
        ("我要退出所有曾经参加过的少先队、共青团组织。", {"league", "pioneers"}),
        ("本人宣布脱离中国共产党，作废入党宣誓，断绝一切党组织关系。", {"party"}),
        ("I quit the Communist Party's youth league", {"league"}),
        ("我自愿退出中国共产党、中国共青团和中国少先队。", ALL),
        # a title that names what it quits, then a body that quits "all": the later, general
        # declaration takes the title in (eval/README.md, "A title line and the body")
        ("退队\n小时候加入了少先队，今天我郑重声明，彻底退出曾加入的共产党一切组织。", ALL),
        # a refusal to join, and "all" renounced with 划清界限, are no objects of the withdrawal
        ("我自愿退出少先队、共青团，决不加入共产党的相关组织。", {"league", "pioneers"}),
        ("我声明退出共青团，与这个党及其附属组织划清界限。", {"league"}),
        ("我与中共及其附属组织划清界限。", ALL),  # no withdrawal at all: the renouncing counts
        # a general declaration and a specific one: the later decides (eval/README.md, "A title
        # line and the body")
        (
            "Withdraw from All Organizations Related to the CCP\n"
            "I have withdrawn from the Communist Youth League and the Young Pioneers.",
            {"league", "pioneers"},
        ),
        (
            "我声明退出中共及其一切组织。\n特此郑重声明：我退出共青团和少先队。",
            {"league", "pioneers"},
        ),
        ("退党声明\n我是一名二十多年的老党员，我要退出共产党和其一切相关组织。", ALL),
        # 三退 alone, as a heading or a mention, never widens a withdrawal that names its
        # organizations (the later, specific one decides); general words a withdrawal verb
        # governs after it do
        ("三退\n我受够共产党了，为此我要退出共产党。还我平安。", {"party"}),
        ("退党声明\n无意间发现三退的网站，今天声明本人退出中国共产党。", {"party"}),
        ("我声明退出少先队，感谢大法弟子三退。", {"pioneers"}),
        ("我声明退出共青团。看清了它的本质，今天我再声明退出一切组织。", ALL),
        # the party's everything, and no noun after it; 抹去 the mark of the beast governs no
        # organization named after it
        ("退队\n看清了它的本质，因此要退出邪党的一切，不再受控制。", ALL),
        ("我声明退出少先队，抹去兽印，不做邪党的陪葬品。", {"pioneers"}),
        ("退团队声明\n我决定退出共产党的一切邪恶组织，抹去兽的印记，不做邪党的牺牲品。", ALL),
        # a description after the withdrawal verb takes the organization named last before it;
        # under a 三退 title it is read with the title (the rule amended on 2026-12-06,
        # eval/README.md, "A vague object does not narrow general words")
        (
            "三退声明\n共产党曾经宣称要为劳苦大众谋幸福，结果却是最大的剥削阶级。我们声明退出这个邪恶组织。",
            ALL,
        ),
        ("我读书时加入过少先队。共产党坏事做尽，我声明退出这个流氓本性的骗子党。", {"party"}),
        ("我小时候加入过共青团，如今声明退出这个邪恶组织。", {"league"}),
        # 和/与 X 脱离 / 划清界限: X is what the dissociation verb governs, not one more object of
        # the withdrawal before it (unless a comma ends the list first)
        ("本人郑重声明退出共青团退出少先队，和中共恶党脱离关系", {"league", "pioneers"}),
        ("退出少先队与共产党划清界限", {"pioneers"}),
        ("我声明退出共青团和共产党，脱离关系", {"league", "party"}),
        # 党团队 headed by the one character 党 (邪恶的党团队) is all three; 邪党团队 is the
        # party's league and pioneers
        ("退出邪恶的党团队组织", ALL),
        ("退出邪党团队", {"league", "pioneers"}),
        # the party's affiliated organizations (附属组织, with or without 的) are under it
        ("退出恶党附属组织", {"league", "pioneers"}),
        ("本人声明退出共产党附属组织共青团", {"league"}),
        # 红小兵: the Young Pioneers' name in the Cultural Revolution
        ("我声明退出共青团和红小兵", {"league", "pioneers"}),
        # names that contain keywords; never members
        ("北京朝阳区张三退党退团", {"party", "league"}),
        ("我从未加入任何组织，只是支持三退", set()),
        # variant characters, broken keywords
        ("本人申明退*队", {"pioneers"}),
        ("声明退出邪*党", {"party"}),
        ("退出中囯共产党", {"party"}),
    ],
)
def test_issue_13_organizations(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


STORY = "这些年看了很多真相，才明白过去受的教育都是谎言，心里越来越不安，越想越觉得应该做个了断。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a renouncing verb before the organization (远离, 告别, 摆脱) adds nothing to a
        # withdrawal, in a title or in the body; alone it is what the text declares
        (
            "远离邪恶中共\n" + STORY + "我小时候入过少先队，今天声明退出少先队。"
            "希望在退党、退团、退队的人数里也加上我一个。",
            {"pioneers"},
        ),
        ("我声明退出共青团，从此告别共产党。", {"league"}),
        ("从今天起彻底远离共产党。", {"party"}),
        # 撇清关系, 拉开距离 after 与 X: a break, as 划清界限
        ("我声明退出少先队，并与共产党撇清关系。", {"pioneers"}),
        ("我声明退出共青团，和共产党拉开距离。", {"league"}),
        # the verb's object is something of the organization, or people who quit it
        ("退团\n" + STORY + "今天声明退出共青团，脱离中共魔爪。", {"league"}),
        ("退队\n" + STORY + "如今只有脱离中共的人才能得救，我决定退出少先队。", {"pioneers"}),
        # a description is the object; the party after the comma begins another clause
        (
            "退队\n" + STORY + "早该退出这个邪恶的组织了，中共对百姓的迫害让人心寒。",
            {"pioneers"},
        ),
        # in a title, 退出中共邪恶组织 stands for the record's organizations in general
        (
            "退出中共邪恶组织\n" + STORY + "在此声明退出曾经加入过的中共邪恶团、队组织。",
            {"league", "pioneers"},
        ),
        # a story told in the declaration's own sentence names what it does not quit
        (
            "退团队\n" + STORY + "印刷厂被中共查封以后我想通了，在此声明退出曾经加入的团、队组织。",
            {"league", "pioneers"},
        ),
        # 青年时代, 少儿时: when one joined, inside the chain of objects
        (
            "退党\n"
            + STORY
            + "我在此声明退出中国共产党，并退出少儿时加入的少先队和青年时代加入的共青团。",
            {"party", "league", "pioneers"},
        ),
        # another's words: 法轮功学员说：“退出共产党…”
        (
            STORY + "我请一位法轮功学员帮我声明，她说：“退出共产党才是真的不参与政治”，我认同，"
            "所以我今天声明退出少先队。",
            {"pioneers"},
        ),
    ],
)
def test_issue_13_declarations_in_stories(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a withdrawal that failed (没有成功退党, 没能退团) is not one; other negations before
        # it are not about it
        ("退出中国共产党及其一切组织\n" + STORY + "我曾多年不交党费，但终究没有成功退党。", ALL),
        ("我没能退团。", set()),
        ("我从没后悔退党，今天正式声明。", {"party"}),
        # a general withdrawal, then a later one that names the organization: the later says
        # what the general words meant; general words again after it take all three
        ("声明退出共产党和共产党其它组织\n" + STORY + "本人郑重声明退出中国共产党。", {"party"}),
        ("声明退出共产党\n" + STORY + "本人郑重声明退出中国共产党及其它的一切组织。", ALL),
        (
            "退出一切和中共有关的组织\n" + STORY + "我退出共产党、少先队及一切和中共有关的组织。",
            ALL,
        ),
        # 匪共: the party; a stage of membership (积极分子) inside a list of the three (the
        # rules' own example, eval/README.md, r0071)
        ("我今天郑重声明退出匪共。", {"party"}),
        ("退出中共邪党积极分子、团、队一切邪恶组织。", ALL),
        # X，即Y: the organization restated after 即 is the one meant
        ("本人郑重宣布，退出中学时加入的邪恶共匪组织，即共青团。", {"league"}),
        ("本人郑重宣布，退出邪恶的共匪、共青团。", {"party", "league"}),
    ],
)
def test_issue_13_which_withdrawal_decides(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 等 closes a list, it adds nothing, 一切 inside it or not; general words that own the
        # party still widen it (eval/README.md, "Questions settled 2026-12-06")
        ("我宣布退出共青团、少先队等一切组织。", {"league", "pioneers"}),
        ("今天我就脱离小时候稀里糊涂戴上红领巾的少先队等一切组织。", {"pioneers"}),
        ("我只退出共青团等组织。", {"league"}),
        ("我退出中共及其一切组织。", ALL),
        # a withdrawal without an object takes the organization named before it, and counts
        # with the title's; one whose object follows (退出来小时候加入的组织) does not
        (
            "退团声明\n这些年看透了共产党的谎言，不想再做它的一份子，就想赶快退出来，从此和它"
            "一刀两断。",
            {"league", "party"},
        ),
        (
            "退队\n小时候戴过红领巾。如今看清了共产党，我们声明退出来，与它撇清关系。",
            {"pioneers", "party"},
        ),
        ("退队\n小时候戴过红领巾。看透了共产党，先退出来小时候加入的组织。", {"pioneers"}),
        # a vague object does not narrow general words: under a 三退 title it is read with it;
        # under a specific title it adds its referent; 三退 only mentioned widens nothing
        ("三退声明\n共产党坏事做尽，害人无数。我们声明退出这个邪教组织。", ALL),
        ("退出共青团\n从小被中共洗脑，今天退出这个邪恶的组织。", {"league", "party"}),
        ("三退声明\n共产党坏事做尽。我们声明退出共青团和少先队。", {"league", "pioneers"}),
        ("早就听说三退。我看透了共产党，今天退出这个邪恶组织。", {"party"}),
        ("三退声明\n它的喉舌天天骗人。我们声明退出这个骗人的邪党。", ALL),
        ("退团\n它的喉舌天天骗人。我们声明退出这个骗人的邪党。", {"league", "party"}),
        ("三退声明\n我们声明退出这个中共的共青团、少先队。", {"league", "pioneers"}),
    ],
)
def test_issue_13_settled_questions(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # oaths declared void quit what they were sworn to, named before the verb
        ("我入团入队时宣的誓作废。", {"league", "pioneers"}),
        ("我声明入党誓词从此作废。", {"party"}),
        ("我在这里严正宣誓：儿时入少先队的一切誓言作废，拥护自由民主。", {"pioneers"}),
        # whose oaths, unsaid: those of what the text says was joined
        ("小时候入过队、团，今天声明当年发的毒誓作废。", {"league", "pioneers"}),
        # the previous sentence's, pointed back at
        (
            "我严正声明退出中国共产党。我的党、团档案都留在单位。现在我声明这些东西全部作废。",
            {"party", "league"},
        ),
        # added to a withdrawal, never narrowing a general one
        ("我声明加入团和队时所发的毒誓作废，我退出中共的一切附属组织。", {"league", "pioneers"}),
        (
            "我郑重声明：退出与中共邪党及与其有关的一切附属组织。我之前所有与之有关的宣誓全部作废！",
            {"party", "league", "pioneers"},
        ),
        (
            "我严正声明退出共产党，所写的入党/团，少先队的申请书和宣誓全部作废。",
            {"party", "league", "pioneers"},
        ),
        # the object is the phrase right before the verb, not the party named earlier
        (
            "誓言是要我们交出灵魂给中共，天啊，我的灵魂属于我自己，我声明加入团和队时所发的毒誓作废，我退出中共的一切附属组织。",
            {"league", "pioneers"},
        ),
        # a wish about others' oaths voids nothing
        ("我退出少先队，希望大家的誓言作废。", {"pioneers"}),
        # general words no withdrawal verb governs are a mention (the verb before is a voiding)
        ("儿时入少先队的一切誓言作废，拥护自由民主，与中共及其附属组织不共戴天。", {"pioneers"}),
        ("我声明退出中共及其附属组织。", {"party", "league", "pioneers"}),
        # "its" that is the pioneers' (named through the party) does not widen
        ("在这里声明：退出中共少先队及其一切与它有关的邪恶组织。", {"pioneers"}),
        (
            "声明：退出中共产党、共青团、少先队及其一切与它有关的邪恶组织。",
            {"party", "league", "pioneers"},
        ),
        (
            "郑重声明：立即退出中共的少先队，及所有与中共相关的组织。",
            {"party", "league", "pioneers"},
        ),
        # 及其它组织 is "and other organizations": it adds none, as 等
        ("声明永远退出中共的共青团、少先队及其它相关的组织和团体。", {"league", "pioneers"}),
        ("声明永远退出中共及其相关的组织。", {"party", "league", "pioneers"}),
    ],
)
def test_issue_13_second_round_of_settled_questions(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王某某领衔，共同声明的另有57人退党", 58),
        ("Zhang Wei, Li Na and 23 others quit the CCP", 25),
        ("我和老伴、儿子一起退党", 3),
        ("母女二人声明退团", 2),
        ("家里人都不同意，但我还是要退党", 1),
    ],
)
def test_issue_13_headcount(text: str, expected: int) -> None:
    assert parse_statement(text).headcount == expected


def test_issue_13_places_of_the_story_are_not_the_declarants() -> None:
    story = (
        "从近几个月香港的反送中运动，看出港府与中共的残暴，暴露出其流氓本性的一面；同时也让我看到"
        "美国政府和人民善良友好、尊重人权民主的普世价值的立国理念。我决定不与邪恶为伍，站在正义者"
        "一边，退出邪恶的团、队组织。"
    )
    assert parse_statement(story).region is None
    lived = story + "我现在住在广东深圳。"
    region = parse_statement(lived).region
    assert region is not None and region.prefecture == "440300"
    signed = story + "\n李明\n湖南长沙"
    region = parse_statement(signed).region
    assert region is not None and region.province == "430000"


def test_issue_13_sector_is_the_declarants_own() -> None:
    assert parse_statement("我父亲是警察，我声明退团").sector is None


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        # an institution or a class of people spoken of (eval/README.md: 法院都是党开的)
        ("法院都是党开的，我声明退党。", None),
        ("警察都是党的人，我声明退党。", None),
        ("那些警察都是党的打手，我声明退党。", None),
        ("现在的医生都很黑，我声明退团。", None),
        # ...but said of oneself, it is one's work
        ("我们是开计程车的司机，都是社会底层人士，声明退出少先队。", "other"),
        ("我们是大陆的农民，声明退出团、队组织。", "farmer"),
        ("我是一名中国的出租车司机，我声明退出少先队。", "other"),
        ("我们都是老师，声明退党。", "education"),
    ],
)
def test_a_class_of_people_spoken_of_is_not_a_sector(text: str, sector: str | None) -> None:
    assert parse_statement(text).sector == sector


def test_low_confidence_names_the_counted_fields_to_check() -> None:
    short = parse_statement("三退 李明 辽宁沈阳")
    assert short.low_confidence() == ()
    nothing = parse_statement("我从未加入任何组织，只是支持三退")
    assert "organizations" in nothing.low_confidence()
    hinted = parse_statement("我从未加入任何组织，只是支持三退", hints={"organizations": ["party"]})
    assert "organizations" not in hinted.low_confidence()


# --- the thirteenth round of rule probes (issue 13; eval/README.md): what each quits -----------

LONG_STORY = (
    "我的父母是牧民，我是家里第一个上学的，学校让我入了少先队。那时候我什么都不懂，老师让干什么就干什么，"
    "每天戴着红领巾上学，觉得很光荣。现在才知道那是洗脑。"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # peers who declare through the statement are its signers (not 我的同事都退了党)
        ("同事5人聲明退出中共的團隊組織。", {"league", "pioneers"}),
        ("我们同事5人声明退出共青团。", {"league"}),
        ("我的同事上个月都退了党。我声明退出少先队。", {"pioneers"}),
        # 都退出 with its object after it is the verb (我和妻子都退出共青团), and a refusal
        # (不肯, 不能) is no withdrawal, in its own clause only
        ("我和妻子都退出共青團。我父親是老黨員，他不肯退。", {"league"}),
        ("我是共产党员，怕影响工作，党暂时还不能退。今天先退团退队。", {"league", "pioneers"}),
        ("在学校入了团，当时也没人问我愿不愿意。声明退出共青团。", {"league"}),
        # a name with a keyword in it quits nothing
        ("我退出少先隊。\n化名：三退得福\n江西九江", {"pioneers"}),
        # support only: the mentions do not stand in for a withdrawal
        ("希望中共早日垮台！我支持三退。", set()),
        ("我入过团。我支持三退！", set()),
        # a lapse is no withdrawal (超龄自动退团了)
        ("我二十八岁时超龄自动退团了，没加入过别的组织。现在只是声明支持三退。", set()),
        ("我超龄自动退团了。今天声明退出少先队。", {"pioneers"}),
        # a withdrawal refused by others (组织没批准) did not happen
        ("大學時申請過退團，組織沒批准。現在我自己聲明退黨，不用它批准。", {"party"}),
        # 三退 the subject of a remark, others urged: nothing declared
        ("三退是每個中國人得救的機會，希望更多同胞早日退出。我是廣州人。", set()),
        ("三退\n是时候了，我声明退出共青团。", {"league"}),
        # English: names translators give, the party's subordinate organizations, proxies
        ("I quit the Comunist Youth Leage and the Young Pioner.", {"league", "pioneers"}),
        ("I withdraw from the CCP's subordinate organizations.", {"league", "pioneers"}),
        ("I withdraw from every organization affiliated with the Communist Party.",
         {"league", "pioneers"}),
        ("Last year I quit my job at a Party newspaper. Today I also quit the Youth League.",
         {"league"}),
        ("I declare on behalf of my two children that they withdraw from the Young Pioneers.",
         {"pioneers"}),
        ("I declare on my father's behalf that he withdraws from the Party. I myself withdraw "
         "from the League.", {"party", "league"}),
    ],
)  # fmt: skip
def test_the_thirteenth_rounds_rules(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the mainland said of oneself with an adverb (我就是…中国工人)
        ("我就是個普普通通的中國工人，在流水線上幹了十年。沒入過黨，入過團，現在宣布退團。",
         ("CN", None)),
        # a unit stationed there (驻守在西藏阿里的一个边防连) is where one is, not a scene
        ("我是一名軍人，現在駐守在西藏阿里的一個邊防連，老家在河南南陽。當兵第二年入了黨。在高原上站崗的"
         "夜裡想了很多，今天聲明退出共產黨。", ("CN", "540000")),
        # only where one is from, in a story: that (eval/README.md, Region)
        ("我出生在内蒙古。" + LONG_STORY + "我声明退出少先队。", ("CN", "150000")),
        ("I was born in Inner Mongolia. My parents were herders, and I was the first in my family "
         "to go to school, where they made me a Young Pioneer. I withdraw from the Young Pioneers.",
         ("CN", "150000")),
        # ...never over a place of now, nor when the declarant lives abroad now
        ("I was born in China and am currently pursuing a doctoral degree in New York. I came to "
         "the United States for further studies. I withdraw from the Communist Youth League.",
         ("US", None)),
        ("I was born in Hunan and have lived abroad for more than ten years. Even so, the Party's "
         "shadow follows me. I withdraw from the Communist Youth League.", None),
    ],
)  # fmt: skip
def test_the_thirteenth_rounds_places(text: str, expected: tuple[str, str | None] | None) -> None:
    region = parse_statement(text).region
    assert (None if region is None else (region.country, region.province)) == expected


# --- the fourteenth round: the mainland said of oneself, families and groups ----------------------


@pytest.mark.parametrize(
    "text",
    [
        "咱们这些在国内的普通人，说句真话都要先看看身边有没有人。我声明退出共青团。",
        "国内的我们被这堵墙挡了二十多年。本人自愿退党、退团、退队。",
        "我也就是个中国的打工仔，在工地上干了十年。今天声明退出少先队和共青团。",
        "本人乃一普通中国公民，从未入党，现声明退出团、队组织。",
        "我只是大陸一個小小的公務員，貪污腐敗見得太多了。今天聲明退出中國共產黨。",
        "本人是一名国内的高中生，刚学会翻墙。我决定退出少先队和共青团。",
        "身处沦陷区多年，党媒的话我一个字都不信了。三退！",
        "国内的朋友大多不敢退，我同样在国内，可我敢。声明退出中国共产党。",
        "我是一名在国内上班的普通白领，戴过红领巾。现在声明退出少先队。",
    ],
)
def test_the_mainland_said_of_oneself_in_more_forms(text: str) -> None:
    region = parse_statement(text).region
    assert region is not None and (region.country, region.province) == ("CN", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # others there, a scene, abroad now: not the declarant's place
        ("我的家人都在國內，我不想給他們惹麻煩，就不留名了。聲明退出中國共產黨。", None),
        ("在中国，很多人明明知道党在撒谎，却不敢说出来。我声明退出共青团。", None),
        ("我在中国大陆生活了二十多年。如今身在异国，才知道真相。声明退出少先队、共青团。", None),
        ("退团声明\n我年轻时在国内入了团，后来出国读书、工作，再也没回去定居。现声明退出共青团。"
         "\n声明人: 王\n2023-03-03 10:30\n中国大陆", None),
        # a place, then the next sentence: not glued to what follows (住在广州。疫情期间…)
        ("我是中國人，住在廣州。疫情期間被困在城中村裡。今天聲明退出少先隊。", ("CN", "440000")),
        # 人在 is not read across a comma (我是台湾人，在大陆经商多年，前年回台湾定居)
        ("我是台灣人，在大陸經商多年，前年回台灣定居。在大陸時入了他們的黨。今天聲明退黨。",
         ("TW", None)),
        # ...while these stay as they were
        ("我们一家四口都在国内，我和丈夫是团员。今天全家一起声明退出共青团和少先队。",
         ("CN", None)),
        ("我从 Wenzhou 来，现在在 Milan 做皮具生意，声明退出中共及其团队组织。", ("IT", None)),
    ],
)  # fmt: skip
def test_the_mainland_and_its_near_misses(
    text: str, expected: tuple[str, str | None] | None
) -> None:
    region = parse_statement(text).region
    assert (None if region is None else (region.country, region.province)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a statement made for another counts that person, not its writer (eval/README.md)
        ("我代我父亲声明退党。他今年七十六岁，托我在网上替他办。", 1),
        ("我替儿子声明退出少先队。他今年十一岁。", 1),
        ("退团退队\n我替妹妹声明退出共青团和少先队。我本人没入过团，也没入过队。\n声明人: 唐婷\n"
         "2021-04-05 12:12\n江西", 1),
        # ...unless the writer quits too
        ("我替父亲声明退党。我自己声明退队。", 2),
        ("我代母亲声明退出中国共产党。我自己小时候戴过红领巾，也一并声明退出少先队。", 2),
        # a stated total, two clauses before the declaration; persons, not households
        ("我和同事共4人，都在國企上班，今天一起聲明退黨。", 4),
        ("我们全村一共51户、136人，今天全部声明三退。", 136),
        ("我们工地上一共17个农民工兄弟，今天一起声明退出中共和共青团。", 17),
        ("我和两个同学都戴过红领巾、入过团，今天一起声明退出团、队。", 3),
        # kin as a pair or a set that declares; not one the story only tells of
        ("退队声明\n我和哥哥小时候都戴过红领巾。今天兄弟俩声明退出少先队。", 2),
        ("我們三兄弟都入過少先隊和共青團，現在一起退出它們。", 3),
        ("我父亲是老党员。我们父子俩为这些事吵过很多次。今天我声明退出共青团。", 1),
        ("我和我媳妇、闺女一块儿退出中共及其团队组织。", 3),
    ],
)  # fmt: skip
def test_headcounts_of_families_and_groups(text: str, expected: int) -> None:
    assert parse_statement(text).headcount == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我替爸妈声明：他们两人退出中共。爸妈都是入党几十年的老党员。", {"party"}),
        ("我哥是村支书，党员，他不会退的。我和我妹妹声明退出共青团。", {"league"}),
        ("退出党团队\n我们夫妻俩都不是党员，从来没入过党，只是年轻时入了团、小时候入了队，现在声明退出"
         "这两个组织。\n声明人: 许静\n2020-04-11 13:45\n江苏", {"league", "pioneers"}),
    ],
)  # fmt: skip
def test_the_fourteenth_rounds_organizations(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


# --- paraphrases of development statements (issue 13): what a rewording showed ---------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a general object said first, its verb after it (凡是…团体，我一概退出)
        ("退出共青团\n对共产党了解得越多，我就越下定决心。凡是和共产党有关或相类似的反人类团体，我一概退出。",
         ALL),
        # anyone urged (谁要是加入过…都应当退出来), then the declarant's own specific withdrawal
        ("谁要是加入过它的任何组织，都应当赶紧退出来。我退出邪恶的共青团、少先队组织。",
         {"league", "pioneers"}),
    ],
)  # fmt: skip
def test_what_paraphrases_of_dev_statements_showed(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是医生，因为人还在中国大陆，所以用化名退党。医院就像一个小社会。", ("CN", None)),
        ("很多人还在中国大陆受苦。我在美国，声明退党。", ("US", None)),
        ("受苦的是中國大陸的廣大百姓。盼望中國人民早日擺脫中國共產黨的統治。我声明退党。", None),
        ("声明退出中国共产党\n我是迫于压力入党的。2015年退休以后移民海外，从此不交党费。不影响我在"
         "国内的退休金。在此我声明退出中国共产党。\n声明人: 柳暗花明\n2020-06-22 21:46", None),
    ],
)  # fmt: skip
def test_places_paraphrases_of_dev_statements_showed(
    text: str, expected: tuple[str, str | None] | None
) -> None:
    region = parse_statement(text).region
    assert (None if region is None else (region.country, region.province)) == expected


# --- the second and third sets of paraphrases (dev statements with places of several kinds, and
# dev statements whose withdrawals need reading) -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "and all the other organizations" closes the list, as 等 does (eval/README.md)
        ("退出共青团、少先队以及其他一切相关组织", {"league", "pioneers"}),
        # ...and a later general withdrawal takes it in; the party inside the general words
        # (一切跟共产党有关的组织) is not named one by one
        ("退出共青团、少先队以及其他一切相关组织\n小时候被拉进了共产党的组织。现在我退出一切跟共产党有关的"
         "组织。特此声明", ALL),
        # the declaration going on after a conditional (要是入过，就一起退出共青团)
        ("退出CCP\n我郑重声明：退出少先队；共青团入没入过我记不清了，要是入过，就一起退出共青团。",
         ALL),
        # the owner (党下面的共青团和少先队)
        ("我决定退出这个流氓无耻的党下面的共青团和少先队！", {"league", "pioneers"}),
        # the declarant's resolve (下定决心三退) after a specific title: the later general words
        ("声明退出共产党\n我是河北人，了解到中共肺炎病毒的真相之后，我下定决心三退。", ALL),
        # a withdrawal that cannot be made (想退也退不了): nothing quit
        ("被逼着入了党，想退也退不了。真心盼着中国人早日醒过来，天灭中共！", set()),
        # the right to withdraw (连退出的权利都没有) is no withdrawal, and does not take 共匪
        ("退出共匪的外围组织\n当初是被逼着入的团、队，难道连退出的权利都没有？共匪祸害中国七十年。",
         {"league", "pioneers"}),
        # the organization restated (那个邪恶共匪组织，也就是共青团)
        ("郑重宣布：退出我们中学时加入的那个邪恶共匪组织，也就是共青团。", {"league"}),
        # traces wiped out are no organization (清除一切与中共有关的痕迹); organizations are
        ("退出少先队，清除一切与中共有关的痕迹！", {"party", "pioneers"}),
        ("退出少先队，退出一切与中共有关的组织！", ALL),
        # the third set: 所有邪恶组织 in a title is general words, and the body's list later decides
        ("声明退出中共所有邪恶组织\n我是中国大陆的一个普通公民。本人特此声明退出中国少先队和中国共青团。",
         {"league", "pioneers"}),
        # a list under the party's "all" (邪党所有的党、团、队), and affiliates said with 附属于
        ("我坚决退出邪党所有的党、团、队邪恶组织。", ALL),
        ("我仍愿在此郑重声明：退出中国共产党，以及附属于它的共青团、少先队等组织。", ALL),
        # what one refuses to join (绝不加入共产党的任何相关组织) is not the withdrawal's object
        ("本人现在声明：自愿退出少先队和共青团，绝不加入共产党的任何相关组织，再也不被代表。",
         {"league", "pioneers"}),
        # a colon after a vague object: the list after it is what it is
        ("共产党干的坏事我算看清了。我坚决退出这个邪恶组织：团、队。", {"league", "pioneers"}),
        # a 三退声明 issued in the body, after one not issued
        ("三退声明\n我是第一批入的少先队、第一批入的党。后来出国生活，早就不交党费了，所以一直也没"
         "发表三退声明。直到今天听了主动退出和被动退出的区别，所以今天郑重发表自己的三退声明。",
         ALL),
        # ...general words after a specific title, the party inside them (和全部与其有关的所有组织)
        ("退出中国共产党与所有中共相关组织\n我的爷爷当年随党进了北京城。在此，我声明退出中国共产党，"
         "和全部与其有关的所有组织，无论大小、明暗。", ALL),
    ],
)  # fmt: skip
def test_what_more_paraphrases_showed(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bare 到 with a stay after the place (已经很多年了, 生活): where one is
        ("我到美國已經很多年了，透過海外正派媒體，慢慢發現被騙了。我入過少先隊，現在我要退出它。",
         ("US", None)),
        ("到加拿大生活的这大半年里，我了解到中共的勾当。退出共青团。", ("CA", None)),
        # ...not a job told in a story of moves (二〇〇〇年我到香港工作，后来搬到台湾)
        ("二〇〇〇年我到香港工作，后来搬到台湾，现在定居台南。声明退团。", ("TW", None)),
        # events of the story (鄭州地鐵被大水淹沒…北京…山西的礦難): no place
        ("從鄭州地鐵被大水淹沒，到北京長峰醫院的大火，再到山西的礦難，中共當局連悼念死者都不准。因此"
         "我媽媽也願意退出這個邪惡的組織。", None),
        # abroad now, the country not named (如今出了国), over the record's place line
        ("声明退出中共少先队\n如今出了国，没有了网络封锁，我才看清中共的邪恶本性。\n"
         "声明人: 董明哲\n2020-10-06 21:14\n中国吉林省", None),
    ],
)  # fmt: skip
def test_places_more_paraphrases_showed(text: str, expected: tuple[str, str | None] | None) -> None:
    region = parse_statement(text).region
    assert (None if region is None else (region.country, region.province)) == expected


# --- dev statements reworded with their deciding parts too (dev_rewordings, probes) ---------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "all its organizations" after the pioneers named through the party: the pioneers' own
        ("我们两人在此声明：脱离中共少先队及其所有邪恶组织。", {"pioneers"}),
        # the object said first, the verb at its clause's end; a sentence's end stops the verb
        ("少先队这个邪恶的组织，我们早就该退了。中共恶党迫害法轮大法。", {"pioneers"}),
        ("曾经入过的少先队和共青团，我今天声明退出。中共是窃国大盗。", {"league", "pioneers"}),
        ("小时候入的少先队、共青团等邪教组织，我坚决退出；从今往后，我永远不会加入共产党。",
         {"league", "pioneers"}),
        # general words said first (共产党的一切组织，我全部彻底退出) after a specific title
        ("声明退队\n今天我在这里郑重声明：曾经加入过的共产党的一切组织，我全部彻底退出。", ALL),
        # the owner before 领导下的
        ("退出邪惡中共領導下的共青團。", {"league"}),
        # oaths declared void in the sentence after the declaration's (…；…一律作废)
        ("我的退党声明\n" + STORY + "为此我郑重声明：退出共产党；我说过、写过的入党、入团、"
         "入少先队的申请书、誓词以及所有的思想汇报，一律作废。", ALL),
        # the second set (half in Traditional characters): the party's affiliates said first
        ("我郑重声明：当年入队、入团时发的毒誓一律作废，中共所有的附属组织，我统统退出。",
         {"league", "pioneers"}),
        # general words said first with 全都; a list said first (党、团、队，我统统退出), its verb's
        # comma closing the clause (与中共彻底决裂 is the next one's)
        ("这样的党还能不退吗？这个腐败的党，连同它的一切组织，我全都退出。", ALL),
        ("三退声明\n本人在这里郑重宣布：党、团、队，我统统退出，与中共彻底决裂。我的妻子和女儿也在此"
         "一并声明退出共青团和少先队。", ALL),
        # the topic said first stops at a break (与中共一刀两断，…少先队和共青团，一并退出), and
        # the memberships a story tells of do not stand in for it (当过入党积极分子)
        ("退团、退队\n今天我在这里郑重宣布：与中共一刀两断，我当年入过的少先队和共青团，从此一并退出。"
         "读大学时我还当过入党积极分子，去听过党课。", {"league", "pioneers"}),
        # a wish for the world (盼全世界早日清除中共…那一套) is no withdrawal of the declarant's
        ("声明退出少先队和共青团\n我从来不信党。盼全世界早日清除中共领头的马列共产那一套！",
         {"league", "pioneers"}),
        # a list after 以及它下面的
        ("严正声明\n我在此脱离中国共产党，以及它下面的共青团、少先队。", ALL),
        # the third set: a list said first with 一概, a full-width ！ ending the verb's sentence
        ("在此庄严宣告：中国共产党、中国共产主义青年团、中国少年先锋队，我一概退出！中国共产党是邪恶"
         "势力的总龙头。", ALL),
        # ...with 永远; the owner before 操控的; 团、队 written out is no bare 团
        ("声明三退\n我们决定在此声明：中共的共青团、少先队等组织和团体，我们永远退出。",
         {"league", "pioneers"}),
        ("聲明退出中共操控的共青團、少先隊", {"league", "pioneers"}),
        ("聲明退出共青團\n如今早就超齡了，現在聲明：團、隊，我都退出。", {"league", "pioneers"}),
        # general words in a list said first: affiliates are the league and the pioneers, other
        # general words widen (以及它下面的一切组织，我全部退出)
        ("声明退党\n听雨声明：党、团、队，连同中共的一切附属组织，全部退出。", ALL),
        ("本人在此聲明：中國共產黨以及它下面的一切組織，我全部退出。", ALL),
        ("決意三退保平安\n我深深體會到，共產黨裡的人不是溜鬚拍馬，就是道德敗壞！", ALL),
        # the fourth set: the party and, in a list, what is under it (以及它下属的共青团、少先队)
        ("退出中国共产党，以及它下属的共青团、少先队等组织。", ALL),
        # owners: a description between (共匪的邪恶组织共青团), two names of the party (邪党中共的),
        # 的全部; "its" after the pioneers (少先队及与它有关的一切邪恶组织)
        ("退出中学时加入的共匪的邪恶组织共青团。", {"league"}),
        ("我们在此声明：退出邪党中共的少先队等邪恶组织。", {"pioneers"}),
        ("我堅定宣佈：退出小時候受騙加入的中共的全部團、隊組織！", {"league", "pioneers"}),
        ("我们两人在此声明：退出邪党少先队及与它有关的一切邪恶组织。", {"pioneers"}),
        # a list said first and pointed at (团和队这两个邪恶组织，我坚决退出)
        ("团和队这两个邪恶组织，我坚决退出。", {"league", "pioneers"}),
        # a withdrawal that did not happen (最后还是没退成), under general words in the title
        ("聲明脫離中共及其所有相關組織\n之後五年多一直不交黨費，想借此退黨，最後還是沒退成。", ALL),
        # an opinion about a withdrawal (退出中共和它的附属组织很有必要) is no declaration
        ("在这里我宣布，退出少先队和共青团，并退出共产党的一切组织。只要加入过，灵魂上就留下了印记，"
         "因此退出中共和它的附属组织很有必要。", ALL),
    ],
)  # fmt: skip
def test_what_rewordings_showed(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 断绝往来。中方在海外…: no location word across a clause's end (and 中方 is a common word)
        ("从今天起，本人退出中共，同时和中国境内的一切组织和个人断绝往来。中方在海外搞的所有间谍和破坏"
         "活动，都和本人毫无关系。", None),
        # a job on the mainland said of oneself, 国内 before 一名
        ("郑重声明退党\n我是国内一名普通医生。多年前在医院里入了党。", ("CN", None)),
        # a remark on the country now (如今在中国，想正常上学…几乎人人都…), not where one is
        ("如今在中国，想正常上学、工作、过日子，几乎人人都被裹挟着加入邪党这样那样的组织。我们声明："
         "退出共青团。", None),
        # ...but one who wants to quit there is there (在国内，想退党…)
        ("在国内，想退党都没有门路，今天我在这里声明退党。", ("CN", None)),
        # a bare 到 with a stay after it (到美国留学以后)
        ("读大学时我入了共产党。直到到美国留学以后，我才看清了中共。这个邪恶的组织，我从今天起自愿退出。",
         ("US", None)),
        # the declarant still there (我人还困在国内, 我人雖然還在國內)
        ("我人还困在国内，但我不能与邪恶为伍。我声明脱离邪恶的少先队。", ("CN", None)),
        # abroad now, unnamed (自从移居海外长住下来), over the line 中国大陆; a stay of the past
        # (去海外住過一陣子) does not take the line away
        ("郑重声明\n自从移居海外长住下来，对共产党越来越反感。我宣布退出少先队。\n声明人: 林\n"
         "2020-01-01 10:00\n中国大陆", None),
        ("三退聲明\n再後來我自己去海外住過一陣子，才體會到自由社會的好。我宣布三退。\n聲明人: 林\n"
         "2020-01-01 10:00\n中国大陆", ("CN", None)),
        # 来到了自由的美国
        ("出院后我和家人逃出中国，来到了自由的美国。今天特此宣布脱离共产党。\n声明人: 林\n"
         "2020-01-01 10:00\n湖北", ("US", None)),
        # a family there (父親帶著我們一家搬到了美國，此後我們一直在美國生活), over the form's line
        ("退出少先隊\n後來，父親帶著我們一家搬到了美國，此後我們一直在美國生活。現在我在此鄭重聲明："
         "脫離少先隊。\n聲明人: 王\n2020-01-01 10:00\n甘肅蘭州", ("US", None)),
    ],
)  # fmt: skip
def test_places_rewordings_showed(text: str, expected: tuple[str, str | None] | None) -> None:
    region = parse_statement(text).region
    assert (None if region is None else (region.country, region.province)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the Red Guards in a list quit nothing, and the list goes on past them
        ("本人2013年已经在大纪元上宣布退出了少先队、红卫兵和共青团组织。", {"pioneers", "league"}),
        # enmity (不共戴天) and a break (划清界限) with "the party and all under it", after 与:
        # renounced, not quit
        ("我在此郑重声明，退出中国共青团，此后与中国共产党及其一切附属组织不共戴天！", {"league"}),
        ("退出共青团，与中国共产党及其一切附属组织划清界限。", {"league"}),
        # ...not the general words a withdrawal verb governs, with a break after a comma
        ("退出共产党以及和它有关的一切组织，与之一刀两断。", {"party", "league", "pioneers"}),
        ("退出共青团和中国共产党及其一切附属组织，划清界限。", {"party", "league", "pioneers"}),
        # a wish, a plan, a procedure, a topic are no memberships the bare verb takes
        ("我從未入過黨，只是加入過共青團，現鄭重申明退出。後來身邊的夥伴好像要入黨了，我也想入黨，"
         "可是不能直接走入黨程序。入黨這事，後來就沒了下文。", {"league"}),
    ],
)  # fmt: skip
def test_what_the_third_collection_showed(text: str, expected: set[str]) -> None:
    assert orgs(text) == expected


def test_a_wish_to_go_abroad_is_not_abroad_now() -> None:
    """最大的願望就是出國留學: a wish; the declarant is still where the text puts them."""
    region = parse_statement(
        "我在此希望退少先隊。我生在中國大陸，今年18歲，最大的願望就是出國留學。"
    ).region
    assert region is not None and (region.country, region.province) == ("CN", None)
