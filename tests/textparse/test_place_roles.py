"""The declarant's place versus the places of the story (issue 13, eval/README.md "Region: the
declarant's place, not the places of the story"). Every statement here is written for the test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.textparse.parse import parse_statement

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def record(body: str, signer: str, place: str | None = None) -> str:
    """The service center's layout: title, statement, 声明人, date, an optional place line."""
    lines = ["退团退队", body, f"声明人: {signer}", "2020-06-01 21:15"]
    if place is not None:
        lines.append(place)
    return "\n".join(lines)


def where(text: str) -> tuple[str, str | None] | None:
    region = parse_statement(text).region
    return None if region is None else (str(region.country), region.province)


# --- topics: a place glued to an event or to other people ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "特别是在武汉肺炎爆发以来，我更加认清了中共的邪恶，所以声明退出共青团和少先队。",
        "看到乌鲁木齐大火烧死了人，我很难过，今天声明退出少先队。",
        "美国大选让我看清了中共，我声明退党。",
        "看到黑警打香港人，我很气愤，今天正式宣布退党，与中共划清界限，再也不和它有任何关系了。",
        "我很同情台湾同胞的遭遇，声明退出共青团。",
    ],
)
def test_a_place_that_is_a_topic_is_not_the_declarants(text: str) -> None:
    assert where(text) is None


TOPICS = ["肺炎", "封城", "疫情", "集中营", "大选", "人民", "同胞", "大火", "反送中"]
PROVINCES = [("湖北", "420000"), ("新疆", "650000"), ("四川", "510000"), ("辽宁", "210000")]


@FAST
@given(st.sampled_from(PROVINCES), st.sampled_from(TOPICS), st.booleans())
def test_a_place_glued_to_an_event_never_gives_the_region(
    province: tuple[str, str], topic: str, located: bool
) -> None:
    """Whatever location word stands before it (在武汉肺炎爆发时), a place glued to an event or
    a people is a topic; the declarant's own place, said apart, is still read."""
    name, _code = province
    story = f"{'在' if located else ''}{name}{topic}的事让我看清了中共，我声明退出共青团。"
    assert where(story) is None
    assert where(story + "我住在广东深圳。") == ("CN", "440000")


@pytest.mark.parametrize(
    "workplace",
    ["郑州铁路局", "郑州钢铁公司", "郑州煤矿", "郑州供电局", "郑州机床厂", "郑州纺织厂"],
)
def test_a_place_inside_a_workplaces_name_is_not_the_declarants(workplace: str) -> None:
    """eval/README.md: places inside the name of an organization or a workplace are not
    labelled (郑州黄河河务局); where the text says the declarant is, that is read."""
    text = f"我在{workplace}上班，声明退出共青团。"
    assert where(text) is None
    assert where("我是郑州人，" + text) == ("CN", "410000")
    assert where("我在郑州一家公司上班，声明退出共青团。") == ("CN", "410000")


def test_a_self_said_people_is_the_declarants_place() -> None:
    assert where("我是香港人，声明退出共青团。") == ("HK", None)
    assert where("身为新疆人的我，声明退出少先队和共青团。") == ("CN", "650000")


# --- former places: where one studied or worked then -------------------------------------------


def test_a_former_study_place_is_not_labelled() -> None:
    assert where("我当时在南京上学，入了团。现在声明退团。") is None
    assert where("我在南京上学时入了团，现在声明退团。") is None


def test_the_place_one_lives_in_now_wins_over_where_one_studied() -> None:
    assert where("从香港去武汉读书，后来重回香港生活。声明退出少先队。") == ("HK", None)


# --- the mainland said of oneself, no province --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "我是中国人，但不是共产党人，声明退出共青团。",
        "我是一名普通中国医生，声明退党。",
        "本人身为中国大陆一名普通公民，声明退出少先队。",
        "我虽在国内，但坚决退出中共的一切组织。",
        "本人还在沦陷区，声明退党。",
        "我们身处中国大陆，在此声明退出共青团。",
        "由于我还未离开中国大陆，故使用化名声明退党。",
    ],
)
def test_the_mainland_said_of_oneself_is_cn(text: str) -> None:
    assert where(text) == ("CN", None)


LONG_STORY = "这些年我看清了中共的谎言和暴力，六四、迫害信仰、隐瞒疫情，一件件都让我心寒。"


@pytest.mark.parametrize(
    ("scene", "tied"),
    [
        # a bare 在 before a whole country, or before a place followed by 的: the scene of a
        # general remark; with 我/本人/住 before it: where the declarant is
        (
            "在中国，加入少先队、共青团或者共产党，很多人其实并不是真心的。",
            "我在中国，加入过少先队和共青团。",
        ),
        ("在大陆的教育体制下，加入党、团、队是一个被动的过程。", "本人在大陆，受的是这样的教育。"),
        ("最近的事件在中国引起了很多人的关注。", "我们在中国，都关注着最近的事件。"),
    ],
)
def test_a_bare_zai_sets_a_scene_not_the_declarants_place(scene: str, tied: str) -> None:
    ending = "今天我声明退出共青团和少先队。"
    assert where(scene + LONG_STORY + ending) is None
    assert where(tied + LONG_STORY + ending) == ("CN", None)


@pytest.mark.parametrize(
    "text",
    [
        "谢谢这个网站，为像我这样在国内的人提供了退党的方便。我声明退党。",
        "在国内，我们没法对身边的人说真话，只能在这里声明退出共青团。",
    ],
)
def test_the_declarant_said_to_be_in_the_country_gives_the_mainland(text: str) -> None:
    assert where(text) == ("CN", None)


def test_another_person_in_the_country_is_not_the_declarant() -> None:
    assert where("他在国内，我却在这里给他写信，他说声明退出共青团也好。") is None


def test_a_story_place_gives_way_to_a_signature_line() -> None:
    """A long text whose first place sets a scene (在中国，如果…) and that is signed with a
    place on a line of its own: the signature's place."""
    story = "在中国，如果有人善良，就会被当成傻子。" + LONG_STORY * 2 + "我们正式声明退出中共。"
    assert where(story + "\n李明、王芳\n辽宁沈阳") == ("CN", "210000")
    assert where(story + "\n李明、王芳\n中国大陆") == ("CN", None)
    assert where(story) is None


ENGLISH_STORY = (
    " For years the party lied to us about the famine, the massacre and the persecution of"
    " people of faith, and I believed it."
)


def test_in_a_country_said_of_others_in_english_sets_a_scene() -> None:
    """Everyone in China is waiting…: a scene; I still live in China: the declarant's place."""
    scene = "Everyone in China is waiting for the CCP to fall." + ENGLISH_STORY
    tied = "I still live in China and cannot say this openly." + ENGLISH_STORY
    ending = " I hereby withdraw from the Communist Youth League."
    assert where(scene + ending) is None
    assert where(tied + ending) == ("CN", None)


def test_coming_to_a_country_in_english_is_living_there_now() -> None:
    text = (
        "I hereby withdraw from the Communist Youth League. I came to the United States "
        "a few years ago and saw the facts that people cannot see in mainland China."
    )
    assert where(text) == ("US", None)


@pytest.mark.parametrize(
    "text",
    [
        "我是中国人民解放军的一名士兵，声明退出共青团。",  # an army, not a people
        "我在国内几十年来所接受的宣传都是假的，今天声明退团。",  # what one was taught
        "做一个善良的中国公民，我声明退出少先队。",  # a wish, not where one is
    ],
)
def test_the_mainland_named_otherwise_gives_no_place(text: str) -> None:
    assert where(text) is None


# --- the service center's records: the body's current place and the place line ------------------


@pytest.mark.parametrize(
    ("body", "line", "expected"),
    [
        ("来到加拿大半年以来，了解了真相，决定退出共青团。", "中国河北", ("CA", None)),
        ("我侨居法国二十年，声明退出共青团。", None, ("FR", None)),
        ("作为一个居美多年的中国青年，我声明退出少先队。", "中国四川", ("US", None)),
        ("自从去年底来美国看望女儿，看了很多真相，我声明退团。", None, ("US", None)),
        ("我是河南郑州的一位老中医，声明退出少先队。", "中国大陆", ("CN", "410000")),
        ("本人现在就在武汉，声明退出少先队。", None, ("CN", "420000")),
        # the declarant goes along with the family: 带我们全家, 和家人
        ("十年前母亲带着我们全家移民到澳大利亚，我声明退出少先队。", "四川成都", ("AU", None)),
        ("毕业后和家人一起逃离中国来到加拿大，今天声明退团。", "辽宁", ("CA", None)),
        # the past named in a later sentence does not make the place a past one
        ("我是一名在美工程师。我曾经加入过共青团，今天声明退出。", "广东深圳", ("US", None)),
    ],
)
def test_the_body_says_where_the_declarant_is_now(
    body: str, line: str | None, expected: tuple[str, str | None]
) -> None:
    assert where(record(body, "李明", line)) == expected


@pytest.mark.parametrize(
    "body",
    [
        "我的领导们都把贪污的钱拿去移民到美国享受了，我声明退党。",  # someone else moved
        "如果我也在香港，一定会上街。我声明退党。",  # a condition
        "我期待我儿子会在美国实现梦想，我声明退党。",  # a son's future
        "我们将会在北京重逢。我声明退党。",  # a wish of a meeting
        "我的同事带着全家移民到美国了，我声明退党。",  # their family, not the declarant's
        "当年和家人来到美国时我还小，后来回国了。我声明退党。",  # the past, in the sentence
    ],
)
def test_places_of_others_and_of_wishes_leave_the_place_line(body: str) -> None:
    assert where(record(body, "李明", "辽宁丹东")) == ("CN", "210000")
    assert where(record(body, "李明")) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Jiang Su", ("CN", "320000")),
        ("NY", ("US", None)),
        ("中共国", ("CN", None)),
        ("昔日大陆", None),  # where one was, not is
    ],
)
def test_place_lines_as_people_type_them(line: str, expected: tuple[str, str | None]) -> None:
    assert where(record("声明退党。", "李明", line)) == expected


def test_a_place_line_that_says_where_it_was_written_gives_that_place() -> None:
    """四川 写于：美国纽约: the origin, then where the statement was written (now)."""
    assert where(record("声明退党。", "李明", "四川 写于：美国纽约")) == ("US", None)
    assert where(record("声明退党。", "李明", "四川")) == ("CN", "510000")


def test_a_place_glued_to_the_date_line_is_the_place_line() -> None:
    text = "退团\n声明退出共青团。\n声明人: 龙云\n2020-01-04 21:28青海"
    assert where(text) == ("CN", "630000")


FOREIGN = [("美国", "US"), ("加拿大", "CA"), ("英国", "GB"), ("法国", "FR"), ("日本", "JP")]
LINES = ["甘肃兰州", "中国河北", "上海", "中国大陆", "四川成都"]
MOVES = ["来到{}后", "移民到{}以后", "我现在在{}", "目前在{}留学"]


@FAST
@given(st.sampled_from(FOREIGN), st.sampled_from(LINES), st.sampled_from(MOVES))
def test_living_abroad_now_wins_over_the_forms_place_line(
    country: tuple[str, str], line: str, move: str
) -> None:
    """The place line is often the origin the form asked for; a body that says the declarant
    lives abroad now gives that country (the current place wins over an origin)."""
    name, code = country
    body = move.format(name) + "，了解了中共的真相，我声明退出共青团。"
    assert where(record(body, "王芳", line)) == (code, None)


# --- abroad now, the country not named (eval/README.md, settled 2026-12-06) ---------------------


@pytest.mark.parametrize(
    "body",
    [
        "在海外生活了十多年，看清了中共，我声明退出少先队。",
        "出国几年后，逐渐从国外看到了一个真实的中国，我声明退党。",
        "现在留学海外，了解信息的渠道多了，我声明退团。",
        "四年前我来到国外随驻，通过外媒知道了真相，我声明退党。",
        "我从小在大陆长大，最后选择了出国留学，不打算回去了。我声明退团。",
        "从前不知中共邪恶，但到海外长时间居住，非常反感，我声明退团。",
    ],
)
def test_abroad_now_without_a_country_leaves_no_place(body: str) -> None:
    """The place line is the origin the form asked for; abroad now with no country named gives
    no place, never the line's province."""
    assert where(record(body, "李明", "辽宁丹东")) is None


@pytest.mark.parametrize(
    "body",
    [
        "五六年前我在海外工作，查到了真相，我声明退团。",  # a stay in the past
        "后来亲自到海外生活了一段时间，深切体会到自由，我声明退团。",  # a stay that ended
        "我有机会来到海外，在旅游景点遇到法轮功学员，我声明退团。",  # a trip
        "在海外朋友的介绍下看了大纪元，我声明退团。",  # friends abroad, not the declarant
        "我儿子在国外读书，我声明退团。",  # someone else
        "我想出国留学，我声明退团。",  # a wish
    ],
)
def test_abroad_in_the_past_on_a_trip_or_of_others_keeps_the_line(body: str) -> None:
    assert where(record(body, "李明", "辽宁丹东")) == ("CN", "210000")


def test_a_place_line_abroad_stays_when_the_body_says_only_abroad() -> None:
    assert where(record("出国以后了解了真相，我声明退团。", "李明", "加拿大")) == ("CA", None)


def test_the_mainland_said_of_oneself_yields_to_abroad_now() -> None:
    text = "我是一名生在大陆、长在大陆的人。最后选择了出国留学，永远不回去了。我声明退出共青团。"
    assert where(text) is None
    assert where("作为一个中国人，我声明退出共青团。") == ("CN", None)
    assert where("在国内，无法公开退党，只能在这里声明退出共产党。") == ("CN", None)
    assert where("作为中国人民解放军的一员，我声明退出共青团。") is None  # an army, not a people


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a country's one-character name after a verb of going, said of oneself
        ("我来美多年，看清了中共，声明退出共青团。", ("US", None)),
        ("我是大陆来美的移民，曾经是中共的党员，现在决定声明退出。", ("US", None)),
        ("本人留日三年，声明退出少先队。", ("JP", None)),
        ("我赴港工作后才知道真相，声明退党。", ("HK", None)),
        # the full name goes on: read as the full name, the verb its location word
        ("我来美国多年，看清了中共，声明退出共青团。", ("US", None)),
        ("本人赴澳门工作，声明退党。", ("MO", None)),
        ("本人来台北工作，声明退党。", ("TW", None)),
    ],
)
def test_a_country_written_short_after_a_verb_of_going(
    text: str, expected: tuple[str, None]
) -> None:
    assert where(text) == expected


def test_a_country_written_short_of_other_people_is_not_the_declarants() -> None:
    """旅美华人, 留美学生 of others: no place of the declarant (rules: the places of others)."""
    story = "很多留美学生和旅美华人都看清了中共。" + LONG_STORY * 2 + "今天我声明退出共青团。"
    assert where(story) is None
    assert where("很多留美学生都知道真相。我在北京，声明退党。") == ("CN", "110000")
    assert where(LONG_STORY * 2 + "我旅美多年，今天声明退出共青团。") == ("US", None)


def test_a_title_that_says_who_writes_it_on_the_mainland() -> None:
    """一名中国监狱民警的退党声明: a job on the mainland said of oneself (eval/README.md, "The
    mainland said of oneself")."""
    body = "\n" + LONG_STORY * 2 + "我决定在此声明：永远退出中国共产党！"
    assert where("一名中国监狱民警的退党声明" + body) == ("CN", None)
    assert where("一名普通中国教师的声明" + body) == ("CN", None)
    assert where("一名中国共产党员的反思" + body) is None


@pytest.mark.parametrize(
    "text",
    [
        # another person's place (eval/README.md: "places of other people")
        "我的儿子在美国读书。" + LONG_STORY + "我声明退出共青团。",
        "我女儿现在住在加拿大。" + LONG_STORY + "我声明退出共青团。",
        # a plan or a wish is not where one is ("a wish or a plan (打算移民)")
        "我打算移民加拿大。" + LONG_STORY + "我声明退出共青团。",
        "我一直想去美国。" + LONG_STORY + "我声明退出共青团。",
    ],
)
def test_a_place_of_another_or_of_a_plan_is_not_the_declarants(text: str) -> None:
    assert where(text) is None
    assert where(text + "我现在住在广东深圳。") == ("CN", "440000")


@pytest.mark.parametrize(
    "text",
    [
        "身在墙内，" + LONG_STORY + "我声明退出共青团。",
        "我是一名中国监狱民警。" + LONG_STORY + "我声明退党。",
        "如今的中国早已成为人间炼狱。我的肉身困在这里，" + LONG_STORY + "我声明退出少先队。",
        "当我明白真相的同时，又感到生活在这种恶党独裁国度，" + LONG_STORY + "我声明退党。",
    ],
)
def test_the_mainland_said_of_oneself_in_the_rules_words(text: str) -> None:
    assert where(text) == ("CN", None)
    assert where("我是一名中国共产党员。" + LONG_STORY + "我声明退党。") is None


# --- English counties, districts and signatures (the ninth round of rule probes) -------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I work for an internet company in Haidian District, Beijing. I quit the CCP.", "110108"),
        ("I live in Xiantao, Hubei. I withdraw from the Youth League.", "429004"),
        ("I live in Pudong New Area, Shanghai. I withdraw from the Youth League.", "310115"),
    ],
)
def test_a_county_named_in_english_after_a_location_word(text: str, expected: str) -> None:
    region = parse_statement(text).region
    assert region is not None and region.county == expected


def test_a_county_name_that_is_an_english_word_is_not_a_place() -> None:
    # 贵德 is Guide county in Qinghai: the English word is left out of the names
    assert where("I was a tour guide for twenty years. I quit the Party.") is None
    # and a county's English name alone, without a location word, is not read as a place
    assert where("Haidian is where the trouble began. I quit the Party.") is None


def test_an_english_signature_above_its_date_line_is_where_the_declarant_is() -> None:
    text = (
        "Statement\n\nI joined the League in Wuhan. I withdraw from the Communist Youth League."
        "\n\nLiang Qing (梁青), Nanchang, Jiangxi\nJuly 21, 2020"
    )
    assert where(text) == ("CN", "360000")
    assert where(text.replace("July 21, 2020", "2020-07-21 08:15")) == ("CN", "360000")
    # a line that is not a date after it: not a signature, and the place of the story stays
    assert where(text.replace("July 21, 2020", "I mean it.")) == ("CN", "420000")


@pytest.mark.parametrize(
    "text",
    [
        "我住在江苏无锡。武汉疫情刚爆发时，说真话的医生被训诫；后来上海封城，又有多少人求救无门。我声明退出共青团。",
        "我住在北京通州，每天坐一个多小时的地铁去国贸上班。前几年赶低端人口的时候，我亲眼看着小饭馆被封了。我声明三退。",
    ],
)
def test_a_place_of_now_is_not_read_into_the_next_sentence_or_clause(text: str) -> None:
    region = parse_statement(text).region
    assert region is not None and region.province in ("320000", "110000")


# --- places abroad on a record's place line: states, provinces, nations and capitals -------------


@pytest.mark.parametrize(
    ("line", "country"),
    [
        ("都柏林", "IE"),  # not 柏林 (Berlin) inside it
        ("Dublin", "IE"),
        ("佛州", "US"),
        ("Florida", "US"),
        ("美东", "US"),
        ("安大略", "CA"),
        ("British Columbia", "CA"),
        ("新南威尔士", "AU"),
        ("苏格兰", "GB"),
        ("布拉格", "CZ"),
        ("Lisbon", "PT"),
        ("柏林", "DE"),
    ],
)
def test_a_place_line_abroad_names_its_country(line: str, country: str) -> None:
    got = where(record("我声明退出共青团和少先队。", "王明", line))
    assert got == (country, None)


# --- English place roles: moves, trips, events, workplaces that moved (issue 13) -----------------

EN_END = " I hereby withdraw from the Communist Youth League."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a move told with both ends: where it led
        ("I moved from Chengdu to Macau nine years ago and have stayed since.", ("MO", None)),
        ("We came from the mainland to Taiwan when I married.", ("TW", None)),
        # a residence said of oneself, over a place of study in the past
        ("I am a Macau resident who joined the League while studying in Zhuhai.", ("MO", None)),
        # back to one's hometown, over the city of the past
        (
            "I lived in Shanghai for six years, selling phones, but in 2019 I moved back to my "
            "hometown, Jiujiang.",
            ("CN", "360000"),
        ),
        # a part of a province
        ("I am a farmer and I live in a village in western Hunan.", ("CN", "430000")),
        ("I live in the US now, far from my parents.", ("US", None)),
    ],
)
def test_where_an_english_statement_says_the_declarant_is_now(
    text: str, expected: tuple[str, str | None]
) -> None:
    assert where(text + EN_END) == expected


@pytest.mark.parametrize(
    "text",
    [
        "When the floods hit Zhengzhou, nobody warned us.",  # an event there
        "When the epidemic broke out in Wuhan, the officials lied to everyone.",
        "I have petitioned in Beijing more times than I remember.",  # a trip with a purpose
        "Last year we visited Taiwan and saw a free election.",  # a visit
        "The shoe factory where I glued soles moved to Cambodia, and all of us lost our jobs.",
        "I graduated from Xiamen University twelve years ago.",  # a place in a school's name
        "I worked at a hospital in Nanning for years and moved abroad in 2020.",  # abroad, unnamed
    ],
)
def test_english_places_of_the_story_are_not_the_declarants(text: str) -> None:
    assert where(text + EN_END) is None


# --- what a move, a visit and a registration say of where one is now (the ninth stop) ----------


@pytest.mark.parametrize(
    "clause",
    [
        "习近平搞一带一路，把钱撒到国外，网络照样封锁",
        "他们把孩子都送到了海外读书",
        "贪官把钱转到国外以后",
    ],
)
def test_what_a_clause_moves_abroad_is_not_the_declarant(clause: str) -> None:
    # 把 with its object: the money or the children go abroad, the form's line stands
    text = record(f"{clause}。我小时候入了少先队，现在宣布退出。", "秋禾", "江西省南昌市")
    assert where(text) == ("CN", "360000")
    # the near miss: the declarant goes abroad (no 把), under the same line: no place
    moved = record("我后来到了国外生活。我小时候入了少先队，现在宣布退出。", "秋禾", "江西省南昌市")
    assert where(moved) is None


def test_a_visit_the_declarant_is_stranded_in_is_where_they_are() -> None:
    stranded = record(
        "我已经退休了。去年十一月底到美国探望女儿女婿，因为新冠疫情，一直到现在都没能回国。"
        "在这边我天天看大纪元的节目。所以我愿意退出共产党。",
        "葛淑芬",
    )
    assert where(stranded) == ("US", None)
    # the near miss: a visit that ended (回来了), read as a trip of the story
    back = stranded.replace("一直到现在都没能回国", "上个月已经回来了")
    assert where(back) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("香港人反送中的时候被打得头破血流，我看清了邪党的真面目，退出少先队。", None),
        ("看了台湾的总统选举，我才知道什么是民主。声明退出共青团。", None),
        ("新疆人被关进集中营，我再也忍不了了，声明退出共青团。", None),
        # who the declarant is, said first: their place
        ("我是香港人，反送中的时候被打得头破血流，退出少先队。", ("HK", None)),
        ("我是台湾人，看了总统选举才知道什么是民主。声明退出共青团。", ("TW", None)),
    ],
)
def test_what_a_places_people_did_is_a_topic(
    text: str, expected: tuple[str, str | None] | None
) -> None:
    assert where(text) == expected


def test_a_household_registration_gives_way_to_where_one_lives_for_years() -> None:
    text = "我户口还在甘肃定西老家，人已经在新疆库尔勒打工七八年了，平时就住在工地宿舍。声明退团。"
    assert where(text) == ("CN", "650000")
    # each alone decides: the registration against a plain 在, the stay against where one grew up
    assert where("我户口在甘肃定西，在新疆库尔勒打工。声明退出共青团。") == ("CN", "650000")
    text = "我在甘肃定西长大，人已经在新疆库尔勒打工七八年了。声明退出共青团。"
    assert where(text) == ("CN", "650000")
    # the registration alone is still the only place told
    assert where("我户口还在甘肃定西老家。声明退出共青团。") == ("CN", "620000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是来自广西玉林的农民工，在深圳工地干了十年，现在回老家了。声明退出共青团。", "450000"),
        ("我老家在河南周口，在深圳打工十年，现在回老家了。声明退团。", "410000"),
        # home for a visit: still where one works
        ("我老家在河南，现在在深圳打工，回老家过年时听说了三退。声明退团。", "440000"),
    ],
)
def test_back_home_for_good_is_where_one_is(text: str, expected: str) -> None:
    assert where(text) == ("CN", expected)


def test_a_mountain_named_like_a_prefecture_is_no_place() -> None:
    text = "我是上海人，这次跟旅行团到台湾玩，在阿里山看到了三退的展板。我入过团，今天声明退出。"
    assert where(text) == ("CN", "310000")


@pytest.mark.parametrize(
    "text",
    [
        "我也算是国内体制里的人，在一家乡镇卫生院当护士。声明退出共青团。",
        "我是中国体制内的人，声明退团。",
    ],
)
def test_one_of_those_in_the_system_is_on_the_mainland(text: str) -> None:
    assert where(text) == ("CN", None)


# --- the record's own reading against the plain one (the ninth stop, metamorphic checks) --------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("中国长春", ("CN", "220000")),
        ("大陆中山", ("CN", "440000")),
        ("中国 大同", ("CN", "140000")),
        ("中国黄山", ("CN", "340000")),
        ("长春", ("CN", "220000")),
        ("中国大陆", ("CN", None)),  # the mainland alone: no province
        ("中国东北", ("CN", None)),
    ],
)
def test_a_place_line_of_one_name_after_china_is_that_place(
    line: str, expected: tuple[str, str | None]
) -> None:
    # 长春, 中山, 大同 are words too: alone on a place line, or after 中国/大陆, they are places
    assert where(record("我声明退出共青团。", "李明", line)) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("我和先生已经在香港生活多年。我声明退党。", ("HK", None)),
        ("我后来赴日留学，在日本生活。我声明退团。", ("JP", None)),
        ("即便我在长大后赴日留学工作也一直保持着低调的作风。我声明退团。", ("JP", None)),
        ("本人旅加多年，看清了中共。我声明退党。", ("CA", None)),
        # the subject of the clause before, after a word of time
        ("我后来辞职了，在深圳打工。我声明退团。", ("CN", "440000")),
        ("我如今退休了，在上海带孙子。我声明退团。", ("CN", "310000")),
        # near misses: another goes; a word goes on (迎来美好); a stay of the past
        ("我儿子赴日留学。我声明退团。", None),
        ("为了做个清白的人，迎来美好的未来，我声明退党。", None),
        ("我当年赴日留学，后来回国了。我声明退团。", None),
        ("我先生已经在香港生活多年。我声明退党。", None),
    ],
)
def test_a_record_reads_the_declarants_moves_as_a_plain_statement_does(
    body: str, expected: tuple[str, str | None] | None
) -> None:
    assert where(record(body, "李明")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("柏林墙终会有倒塌的那天，我声明退党。", None),  # the Berlin Wall, no place
        ("我在柏林生活，声明退党。", ("DE", None)),
        ("我从香港抗争之始就一直关注。声明退党。", None),  # an event of the place
        # a stay of some years with what came after it: the past (the place of now wins)
        (
            "大学毕业后我在浙江打了三年工后考上了公务员，现在在江西工作。声明退党。",
            ("CN", "360000"),
        ),
        ("我在浙江打了三年工后考上了公务员。声明退党。", None),  # a former workplace
        ("我在浙江打工三年了。声明退党。", ("CN", "330000")),  # there still
    ],
)
def test_a_wall_an_event_and_years_done_are_not_where_one_is(
    text: str, expected: tuple[str, str | None] | None
) -> None:
    assert where(text) == expected
