"""Where a statement comes from: the place phrases of a text, and the one that is chosen.

A *place phrase* is a run of place names with nothing but 省/市/县/区, spaces or commas between
them (辽宁沈阳, 遼寧省瀋陽市, Shenyang, Liaoning, 美国纽约). Each phrase resolves to the deepest
division its names agree on: a county next to its prefecture or province wins over a namesake
elsewhere (北京朝阳区 is 110105, not Changchun's 朝阳区). When a text names several places, the
one where the declarant lives now wins (现居, 住在, 现在在, live in; a bare 在/in counts a
little), places of origin lose (老家, 籍贯, 原籍, born in), and so do places of the past
(小时候在北京读书时); otherwise the first. A place named right after 不是 is not the declarant's.
Names that are usually ordinary words (朝阳, 黄山, 大陆) and bare county short names count only
with a location word before them or inside a longer phrase. No place: None, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

from santui.textparse import lexicon as lx
from santui.textparse.automaton import COMMON_WORD_PLACES, Token, place_table
from santui.textparse.foreign_places import GONE_TO
from santui.textparse.normalize import CJK, Normalized, bisect_right
from santui.textparse.regions import PlaceName, codes_for, division

# Between two names of one place: 辽宁沈阳, 辽宁省，沈阳市, 台州（浙江）; Taizhou City, Zhejiang;
# Taizhou (Zhejiang Province); Taizhou city of Zhejiang province.
_GLUE: Final = re.compile(
    r"^(?:[\s,，/·\-省市县区的州（(]{0,3}"
    r"|\s+(?:city|prefecture|district|county|province)(?:\s*,?\s*|\s+(?:of|in)\s+))$"
)
_MARKER_GLUE: Final = re.compile(r"^[\s:：,，是了的到]{0,3}$")
_LEVEL_RANK: Final = {"country": 0, "province": 1, "prefecture": 2, "county": 3}
_MARKER_SCORE: Final = {"now": 3.0, "weak": 1.0, "from": 0.5, "origin": -3.0}
_WEAK_NOW: Final = frozenset({"在", "in", "喺", "at", "near"})
# An English division's name with its kind after it (the Inner Mongolia Autonomous Region)
_EN_UNIT_AFTER: Final = re.compile(
    r"\s+(?:[a-z]+ ){0,3}?(?:autonomous|district|county|new area|prefecture|region|province)\b"
)
# Used with .match(text, pos): no "^", which would not match at pos.
_PAST_AFTER: Final = re.compile(
    r".{0,8}?(?:时|的时候|期间|that time|when i was|as a child)"
    r"|.{0,6}?(?:工作|生活|住|待|呆|读书|读|念|上学|学习|留学|访学|进修|当兵|服役|打工|干)过(?!年|节)"
    # 在浙江和广东打了三年工后考上了公务员: a stay of some years, then something after it
    r"|.{0,8}?了[0-9一二三四五六七八九十几两]+年(?:多)?(?:的)?(?:工|书|兵)?(?:后|以后|之后)"
)
_CLAUSE_END: Final = re.compile("[，,。！？!?；;\n]")
_PAST_BEFORE: Final = re.compile("当时|那时|当年|曾经|曾|以前|小时候|年轻时|早年|过去")
_PRESENT: Final = re.compile("现在|目前|如今|现居|现住|现今")
_NOW_AFTER: Final = re.compile("(?:已经|已|一直)?(?:生活|定居|居住|安家|养老)")
_OTHERS_BEFORE: Final = re.compile("打|向|让|对|给|骂|抓|杀|支持|声援|欺负|迫害|镇压|屠杀|同情")
_MAINLAND_CN: Final = frozenset({"CN"})
_GONE_TO: Final = frozenset(word for words in GONE_TO.values() for word in words)
_SELF_IN_CLAUSE: Final = re.compile("我(?!们|們)|本人")
# A place glued to an event or a people is a topic of the story, not where the declarant is:
# 武汉肺炎, 武汉封城, 乌鲁木齐大火, 新疆集中营, 香港反送中, 美国大选, 台湾同胞, 武汉人民.
TOPIC_AFTER: Final = re.compile(
    "(?:那场|那次|这场|这次)?(?:肺炎|病毒|疫情|封城|瘟疫|大火|火灾|集中营|再教育营|大选|选举|总统|反送中|占中|人民|同胞|民众"
    "|百姓|政府|当局|事件|惨案|屠杀|运动|抗议|抗争|示威|游行|黑警|警察|暴政|问题|独立|议会|国会|局势|新闻"
    "|报道|媒体|电视|日报|晚报|时报|晨报|商报|报社|周刊|杂志|电台|人权|真相|抗疫|疫苗|口罩|政权|军队"
    "|大巴|翻车|车祸|暴雨|洪水|地震|矿难|水灾|溃坝|村镇银行|强拆|地铁"
    # a workplace's name (我在大庆油田干了三十年, 我在郑州铁路局上班, 在武汉钢铁公司当工人)
    "|油田|石化|矿务局|电厂|铁路局|铁路分局|钢铁公司|钢铁厂|钢铁集团|钢厂|煤矿|矿业|电业局|供电局|电力局"
    "|机务段|化工厂|机床厂|纺织厂|造船厂|汽车厂"
    "|国安法|安全法|修例|法案"  # a law made for the place (香港国安法实施以后)
    "|被(?:迫害|抓|捕|关|判|打|杀|拘)"  # what was done to someone there (在大连被迫害致死)
    r"|\s?(?:virus|pneumonia|epidemic|lockdown|election|protest|massacre|people\b|government)"
    r"|\s(?:normal |medical |polytechnic )?(?:university|college)\b"  # Lanzhou University
    ")"
)
# English: an event told before its place (when the epidemic broke out in Wuhan, the floods in
# Zhengzhou): the story's, not where the declarant is.
_EN_EVENT_BEFORE: Final = re.compile(
    r"\b(?:epidemic|pandemic|outbreak|virus|lockdowns?|floods?|fire|massacre|crackdown|protests?"
    r"|elections?|earthquake)(?: (?:broke out|began|started|happened|took place|spread"
    r"|first appeared|was covered up|hit))?(?: first)? (?:in|at) $"
)


@dataclass(slots=True)
class Place:
    country: str
    province: str | None
    prefecture: str | None
    county: str | None
    start: int  # norm positions of the phrase
    end: int
    confidence: float


@cache
def _ancestors(code: str) -> frozenset[str]:
    """The codes a place lies in (itself excluded); ISO codes have none."""
    found: set[str] = set()
    d = division(code) if code[:1].isdigit() else None
    while d is not None and d.parent:
        found.add(d.parent)
        d = division(d.parent)
    return frozenset(found)


@cache
def _lineage(code: str) -> frozenset[str]:
    """The code, the codes it lies in, and CN for the mainland (中国辽宁: one place)."""
    if not code[:1].isdigit():
        return frozenset((code,))
    return _ancestors(code) | {code, "CN"}


_COMMA: Final = re.compile("[,，（(]")  # names a comma or a bracket joins must lie one in the other


def nested(a: Token, b: Token) -> bool:
    """Whether two place names may be one place, one inside the other (Haidian, Beijing; 广东，
    深圳), not two places a comma lists (我住在长沙，武汉封城那段时间…)."""
    names_a, names_b = a[2], b[2]
    if not isinstance(names_a, tuple) or not isinstance(names_b, tuple):
        return False
    for x in names_a:
        for y in names_b:
            if (
                isinstance(x, PlaceName)
                and isinstance(y, PlaceName)
                and (x.code in _lineage(y.code) or y.code in _lineage(x.code))
            ):
                return True
    return False


def continues(n: Normalized, before: Token, token: Token) -> bool:
    """Whether place name ``token`` goes on the phrase that ``before`` ends (辽宁沈阳, Haidian,
    Beijing): only glue between them, no sentence end, no verb inside the name (来美), and a comma
    only where one lies inside the other."""
    text = n.compact
    return (
        _GLUE.match(text[before[4] : token[3]]) is not None
        and not n.boundary_between(before[4], token[3])
        and not gone_to(n, token)
        and (not _COMMA.search(text, before[4], token[3]) or nested(before, token))
    )


def _rank(place: PlaceName) -> int:
    return _LEVEL_RANK[place.level]


def read_region(n: Normalized, tokens: list[Token], skip: tuple[int, int] | None) -> Place | None:
    text = n.compact
    phrases: list[tuple[list[int], float]] = []  # (token indexes, score)
    current: list[int] = []
    skip_a, skip_b = (n.to_compact(skip[0]), n.to_compact(skip[1])) if skip else (-1, -1)
    for i, token in enumerate(tokens):
        if token[0] != lx.PLACE:
            continue
        if token[3] < skip_b and skip_a < token[4]:
            continue
        if street(text, token):
            continue  # 上海的乌鲁木齐路, 青岛的江西路: a street named after a place
        if current and continues(n, tokens[current[-1]], token):
            current.append(i)
            continue
        if current:
            phrases.append((current, 0.0))
        current = [i]
    if current:
        phrases.append((current, 0.0))
    if phrases:  # 武汉肺炎, 香港反送中, 黑警打香港人: topics, whatever location word is before them
        # 我的儿子在美国读书, 我打算移民加拿大: another's place, a plan; not where one is
        phrases = [
            ph
            for ph in phrases
            if not _topic(n, tokens, ph[0]) and not _not_ones_own(text, tokens, ph[0][0], n.strong)
        ]
        if not phrases:
            return None
    if n.language == "en":  # — Suzhou River (alias): a name, not a place
        phrases = [ph for ph in phrases if not _alias_line(text, tokens[ph[0][0]][3])]
        if not phrases:
            return None
    cues: dict[int, str | None] = {}  # English: each phrase's clause cue, by its first token
    if n.language == "en":
        cues = {ph[0][0]: _en_clause_cue(text, tokens, ph[0]) for ph in phrases}
    if len(phrases) > 1 and cues:
        # "My son is studying in Canada": another's place, in an English clause of its own
        phrases = [ph for ph in phrases if cues[ph[0][0]] != "other"]
        if not phrases:
            return None
    if len(phrases) == 1:  # the common case: one place phrase, nothing to weigh
        indexes = phrases[0][0]
        marker = _marker(n, tokens, indexes[0])
        cue = cues.get(indexes[0])
        if (cue == "other" or (cue == "past" and marker != "origin")) and not (
            _EN_STILL_THERE.match(text, tokens[indexes[-1]][4]) is not None
        ):
            return None  # I worked in Shenzhen for twenty years…: a former workplace (but I was
            # born in Inner Mongolia, the only place told: where one is from)
        if marker == "negated" or (marker in ("now", "weak") and _past(n, tokens, indexes)):
            return None  # 不是西藏林芝; 我当时在南京上学: a former place is not labelled
        return _resolve(n, tokens, indexes, marker)
    best: tuple[float, int, Place, str | None] | None = None
    chosen: list[Place] = []
    within: list[Place] = []
    for order, (indexes, _) in enumerate(phrases):
        marker = _marker(n, tokens, indexes[0])
        if marker == "negated":
            continue
        place = _resolve(n, tokens, indexes, marker)
        if place is None:
            continue
        score = _MARKER_SCORE.get(marker or "", 0.0)
        if len(indexes) > 1:
            score += 0.25
        end = tokens[indexes[-1]][4]
        if marker in ("now", "weak") and _past(n, tokens, indexes):
            score -= 2.0
        if marker in ("now", "weak") and _PRESENT.search(
            text, max(0, tokens[indexes[0]][3] - 8), end
        ):
            score += 1.0  # 现在在天水县城开了个小卖部: now, said so, over a place of the story
        if _NOW_AFTER.match(text, end):
            score += 2.0  # 重回香港生活: where one lives now
        elif text.endswith("去", 0, tokens[indexes[0]][3]):
            score -= 1.0  # 去武汉读书: a journey
        if _before_kind(tokens, indexes[0], lx.FORMER, 8, n):
            score -= 2.0
        start = tokens[indexes[0]][3]
        if _REGISTERED.search(text, max(0, start - 6), start) is not None:
            score -= 2.0  # 我户口还在甘肃定西老家: a registration, not where one lives
        elif _STAY_SINCE.match(text, end) is not None and "已" in text[max(0, start - 6) : start]:
            score += 1.0  # 人已经在新疆库尔勒打工七八年了: there for years, and still
        if marker != "now" and _BACK_HOME.search(text, end) is not None:
            # 来自广西玉林…在深圳工地干了十年，现在回老家了: back where one is from
            score += 4.0 if marker in ("from", "origin") else -2.0
        if n.language == "en" and _signature_line(text, tokens[indexes[0]][3]):
            # — Zhao Yi, Paris: the signature's place, where the declarant is; "— Xu Meiling,
            # from Shenyang" is an origin, which a place of now in the body outweighs
            score += 0.5 if marker == "from" else 2.0
        elif n.language == "zh" and _dash_signature(n.norm, place.start):
            score += 2.0  # ——贵州毕节 杨春梅: the signature's place, under a story's places
        elif n.language == "en":
            cue = cues[indexes[0]]
            if cue == "past":
                score -= 2.0  # I studied in Nanjing; which I joined while studying in Guangzhou
            elif cue == "now":
                score += 1.0  # Now I work as a nurse in Changsha; I am a clerk in Harbin
                if _EN_PRESENT.search(text, max(0, tokens[indexes[0]][3] - 40), end):
                    score += 1.0  # …and currently a master's student in Taiwan: said so
            if _EN_STILL_THERE.match(text, end) is not None:
                score += 4.0 if marker == "origin" else 2.0  # I grew up in Ningbo and still live
                # there; followed my cousin to Hangzhou, and … I have lived and worked there
            if text.endswith(_EN_ABOUT, 0, tokens[indexes[0]][3]):
                score -= 3.0  # an old song about Shanghai: a topic
        if end < len(text) and text[end] == "人" and marker is None:
            score += 0.5  # 我是香港人: who the declarant is
        elif n.language == "en" and en_resident(text, tokens[indexes[0]][3], end):
            score += 3.0  # I am a Hong Kong resident: where one lives, as 本人澳门居民
        if place.province is None and place.country in _MAINLAND_CN:
            score -= 1.0  # 中国, 大陆: a last resort
        elif place.province is None and marker is None:
            score -= 0.5  # a country named without a location word: often not where one lives
        chosen.append(place)
        if (marker == "now" or (marker == "weak" and n.language == "zh")) and (
            score > 0 and place.province is not None
        ):
            within.append(place)  # a place of now on the mainland, for 来到大陆…在东莞 below
        # two moves told (到深圳创业…移民美国): the later is where one is
        if (
            best is None
            or score > best[0]
            or (score == best[0] and marker == "now" and best[3] == "now" and n.language == "zh")
        ):
            best = (score, order, place, marker)
    if best is None:
        return None
    place = best[2]
    if place.country == "CN" and place.province is None and within:
        place = within[0]  # 九十年代末就來到大陸，在東莞開了一家工廠: where on the mainland
    # A later phrase that refines the chosen one (新疆 ... 新疆克拉玛依) gives the deeper place.
    for other in chosen:
        if other == place or other.country != place.country or other.province is None:
            continue
        deeper = other.province == place.province and _depth(other) > _depth(place)
        if deeper and (place.prefecture is None or other.prefecture == place.prefecture):
            place = other
    return place


_PUNCTUATION: Final = re.compile(r"[^\w\s]")
_NEWS_BEFORE: Final = (
    "看到",
    "听到",
    "听说",
    "得知",
    "想起",
    "关注",
    "天天说",
    "总说",
    "宣传",
    "报道",
)
_AND: Final = frozenset(("、", "和", "与", "及"))
# ...or an event of the place, after 的 (成都的封控, 新疆的棉花 is not one)
_TOPIC_AFTER_OF: Final = re.compile(
    "人?的(?:那场|那次|这场|这次)?(?:封控|封城|疫情|大火|火灾|事件|惨案|新闻|报道|选举|大选|总统|抗议|游行|示威"
    "|运动|那些事|事情|遭遇|暴雨|洪水|地震|爆炸|强拆|疫苗|自由|民主|所作所为|村镇银行|年轻人|人们|抗争"
    # 北京的领导只会说空话, 中国大陆的老百姓太苦了: the people or rulers of a place
    "|(?:广大)?(?:老百姓|百姓|人民|民众|同胞)|领导|官员|贪官|干部|警察|当官的"
    "|水灾|旱灾|大水|泥石流|台风|矿难|车祸|冤案|惨剧|人受|人都|人也)"
)
# A household registration (户口还在甘肃老家), and a stay that lasts until now
# (已经在X打工七八年了).
_REGISTERED: Final = re.compile("(?:户口|户籍)(?:本)?(?:还|仍|仍然|都|也)?(?:在|落在|是)$")
_STAY_SINCE: Final = re.compile(
    "[^，,。！？!?；;\n]{0,8}?(?:[0-9一二三四五六七八九十几多两]+|好几|好多|很多)(?:年|个月)了"
)
# Back home for good (现在回老家了), not for a visit (回老家过年).
_BACK_HOME: Final = re.compile(
    "(?:现在|如今|目前|已经|后来)(?:又|已经|已)?回(?:到)?了?老家(?:了|来了|生活|住|种地|务农|养老|[，,。！!])"
)
# What the people of a place did or suffered, glued to 人 (香港人反送中, 新疆人被关): a topic.
_PEOPLE_ACT: Final = re.compile(
    "(?:在|都|也|又)?(?:反送中|占中|抗争|抗议|游行|示威|上街|被(?:打|抓|捕|杀|关|迫害|镇压|屠杀))"
)
# 成都的朋友告诉我, 武汉的医生护士太辛苦了: the people of a place the story tells of
# (not 我是武汉的医生)
_PEOPLE_OF: Final = re.compile(
    "的(?:朋友|亲戚|同学|同事|网友|亲人|家人|医生|护士|医护|老师|学生|工人|农民|市民|居民)"
)


def _topic(n: Normalized, tokens: list[Token], indexes: list[int]) -> bool:
    """Whether a place phrase is a topic: glued to an event (武汉肺炎) or others of the place acted
    on (打香港人, 让美国人知道); not across a sentence's end (住在广州。疫情期间…)."""
    text = n.compact
    start, end = tokens[indexes[0]][3], tokens[indexes[-1]][4]
    if text.endswith(_NEWS_BEFORE, 0, start):
        return True  # 看到河北唐山…的那些事: what the declarant saw or heard of
    if text[start - 1 : start] == " " and _EN_EVENT_BEFORE.search(text, max(0, start - 48), start):
        return True  # when the epidemic broke out in Wuhan
    j = indexes[-1] + 1  # a list of places (成都、西安的封控): the topic after the last
    while j < len(tokens) and tokens[j][0] == lx.PLACE and text[end : tokens[j][3]] in _AND:
        end = tokens[j][4]
        j += 1
    if n.gap_at_position(end) and _PUNCTUATION.search(n.norm, n.to_norm_end(end), n.to_norm(end)):
        return False  # 我住在广州。疫情期间…, 住在广州，疫情期间: not glued (Urumqi 大火 is)
    if TOPIC_AFTER.match(text, end) is not None or _TOPIC_AFTER_OF.match(text, end) is not None:
        return True
    if _PEOPLE_OF.match(text, end) is not None and not text.endswith(IN_OR_FROM, 0, start):
        return True
    if not text.startswith("人", end):
        return False
    if (
        _PEOPLE_ACT.match(text, end + 1) is not None
        and not n.gap_at_position(end + 1)
        and not text.endswith(("是", "身为", "作为"), 0, start)
    ):
        return True  # 香港人反送中的时候, 新疆人被关进集中营: what a place's people did or bore
    return _OTHERS_BEFORE.search(text, max(0, start - 4), start) is not None


# A place after a location word whose subject is someone else (儿子在美国) or that is planned
# or wished (打算移民加拿大, 想去美国): the rules' places of others, and a wish or a plan.
_OTHERS: Final = (
    "(?:儿子|女儿|孩子|父母|父亲|母亲|爸爸|妈妈|丈夫|妻子|老公|老婆|哥哥|姐姐|弟弟|妹妹|亲戚|[女男]朋友"
    "|(?<![女男])朋友|同学|同事|邻居|亲戚们|他|她|他们|她们|[表堂][哥姐弟妹]|[大二三小][哥姐]|姨妈|姑妈"
    "|舅舅|叔叔|伯伯|爷爷|奶奶|外公|外婆|(?<=我)[哥姐弟妹]"
    # 很多人在武汉去世了 (人在 may be the location word): people of the story
    "|很多人?|许多人?|不少人?|好多人?|有人|人们|大家|别人|他人|百姓|老百姓|民众)"
)
# Others as the subject (儿子在美国, 妻子和孩子还住在浙江老家), not with the declarant
# (现在和女朋友在杭州, 带着两个孩子住在福建长乐: the declarant takes them along).
_OTHER_SUBJECT: Final = re.compile(
    f"(?<![随跟和与同带着]){_OTHERS}(?:[和与跟、及]{_OTHERS})*(?:一家人?)?"
    "(?:现在|目前|如今|也|都|还|仍|仍然|依然|一直|已经|早已)?$"
)
# Words right before a place that make it one the declarant is in or from (我是武汉的医生, 在天津的
# 一家工厂, 来自成都的朋友): the people or things of the place that follow are the declarant's own.
IN_OR_FROM: Final = ("是", "在", "我", "们", "本人", "自", "住", "于")
_STORY_PERSON: Final = re.compile("(?:医生|老师|警察|记者|律师)(?:也|都|还|已经)?$")
_SELF_BEFORE_PERSON: Final = re.compile("我(?!们)|本人|是")  # 我是一名社区医院的医生，在天津
_WITH_THEM: Final = re.compile(
    "(?:带着|带|和|跟|同|与|随)(?:[两二三四五六七八九十几0-9一]+[个位名])$"
)
_PLANNED: Final = re.compile(
    "(?:打算|计划|准备|想|希望|梦想|将要|即将|要)着?"
    "(?:过几年|过两年|[0-9一二三四五六七八九十几]+年(?:后|以后|之后)|明年|以后|将来|有一天|下个?月"
    "|下周|下星期|年底|年后|过几天|过段时间|过些日子|不久)?"
    "(?:能|可以)?(?:移民|移居|去|到|前往|搬到)?$"
)
# A place one has never been to (我不是西藏人，也没去过西藏).
_NEVER_BEEN: Final = re.compile("(?:没|没有|从没|从未|从来没有?|未曾)(?:去|到)过$")
# A visit, not where one lives (去了一趟台湾, 来美国探亲三个月; eval/README.md, the record layout).
_VISIT_BEFORE: Final = re.compile(
    "(?:去|到)(?:了|过)?一(?:趟|次)$"
    # now and then (周末常过来香港买东西, 经常去澳门): a visit
    "|(?:常|经常|时常|偶尔|有时候?|每[周年月]|周末)(?:常|都|会)?(?:过来|过去|来|去|到)$"
)
_HEARSAY: Final = ("当成", "当作", "以为我是", "说我是", "猜我是")
# A plan told after the place (萌生了移民加拿大的想法).
_PLAN_AFTER: Final = ("的想法", "的打算", "的念头", "的计划", "的梦想", "的梦")
# ...after the place, a visit that says its end: a few months, then home (not 来美国探亲，有机会
# 接触到…, nor 来美国看望女儿后，由于疫情至今没能回国: both now where they came).
_VISIT_AFTER: Final = re.compile(
    "(?:旅游|旅行|探亲|探望|出差|游玩|参观|考察|开会|度假|看望|看女儿|看儿子|看孩子|看孙子|看外孙)"
    "[^。！？!?；;]{0,8}?(?:[几两0-9一二三四五六七八九十]+(?:个月|周|天|个星期)|就回去|就回国|回国前"
    "|回去之前|回去前)"
    "|(?:旅游|旅行|游玩|度假)了?一(?:趟|次|圈)"
    # 来台湾旅游, 这次来香港旅游: a tourist's trip, however long (not 旅游业, 旅游公司)
    "|(?:旅游|旅行|游玩|度假|观光)(?!业|公司|局|团|景点|区)"
)
# ...or a trip said with 去 before the place and its purpose after (去年我去台湾旅游).
_TRIP: Final = ("旅游", "旅行", "游玩", "度假", "出差", "玩", "维权", "上访", "告状", "开会")


_PEOPLE_AFTER: Final = (
    "的人",
    "的同胞",
    "的民众",
    "的百姓",
    "的中国人",
    "的朋友",
    "的亲戚",
    "的亲人",
    "的家人",
    "的同学",
    "的同事",
)
# A place where the declarant once was, told with 过 (我在北京上过大学, 曾经在新疆当过兵): a
# former study place, workplace or home, not labelled (eval/README.md).
_ONCE_THERE: Final = re.compile(
    "(?:上|读|念|当|干|做|工作|生活|住|待|呆|打工|学习|服役|插队|上学|读书|念书|求学|当兵)过"
)
_SELF_IS: Final = re.compile("(?:我|本人)(?:也|就|都)?是$|身为$|作为$")


def _phrase_end(tokens: list[Token], first: int) -> int:
    """Where the run of place names starting at token ``first`` ends (辽宁沈阳)."""
    end = tokens[first][4]
    for token in tokens[first + 1 :]:
        if token[0] != lx.PLACE or token[3] - end > 1:
            break
        end = token[4]
    return end


def _not_ones_own(text: str, tokens: list[Token], first: int, strong: list[int]) -> bool:
    """Whether the place phrase starting at token ``first`` is another's (儿子在美国), the
    people's of a place (生活在大陆的人), or a plan (打算移民加拿大), not where the declarant is."""
    place = tokens[first][3]
    m = first  # the location words right before the place (现在住 在 加拿大), if any
    while m and tokens[m - 1][0] == lx.LOCATION and tokens[m - 1][4] >= tokens[m][3] - 1:
        m -= 1
    start = tokens[m][3]
    before = text[max(0, start - 6) : start]
    if m < first:
        other = _OTHER_SUBJECT.search(text, max(0, start - 6), start)
        at = -1 if other is None else other.start()
        if other is not None and _WITH_THEM.search(text, max(0, at - 6), at) is None:
            return True
        other = _STORY_PERSON.search(text, max(0, start - 4), start)
        if other is not None:
            lo = max(0, other.start() - 10)
            k = bisect_right(strong, other.start())
            if k:
                lo = max(lo, strong[k - 1])  # 我声明退党。李文亮医生…: not the sentence before
            if _SELF_BEFORE_PERSON.search(text, lo, other.start()) is None:
                return True  # 李文亮医生在武汉去世了 (not 我是一名幼儿园老师，在重庆工作)
    if (
        text.startswith("人", _phrase_end(tokens, first))
        and text.endswith("是", 0, start)
        and _OTHER_SUBJECT.search(text, max(0, start - 7), start - 1) is not None
    ):
        return True  # 我爷爷是山东人: another's origin
    if (
        m < first
        and text.startswith(_PEOPLE_AFTER, _phrase_end(tokens, first))
        and _SELF_IS.search(before) is None
    ):
        return True  # 让生活在大陆的人看到希望: the people there, not the declarant
    if _VISIT_AFTER.match(text, _phrase_end(tokens, first)) is not None:
        return True  # 来美国探亲三个月: a visit
    if m < first and _ONCE_THERE.match(text, _phrase_end(tokens, first)) is not None:
        return True  # 我在北京上过大学: once there
    if m < first and text.startswith(_PLAN_AFTER, _phrase_end(tokens, first)):
        return True  # 移民加拿大的想法: a plan
    if text.endswith(_HEARSAY, 0, place):
        return True  # 常有人把我当成新疆人: others' guess
    if text.endswith(("去", "去了", "去过"), 0, place) and text.startswith(
        _TRIP, _phrase_end(tokens, first)
    ):
        return True  # 去台湾旅游: a trip
    return (
        _PLANNED.search(text, max(0, start - 10), place) is not None
        or _NEVER_BEEN.search(text, max(0, place - 5), place) is not None
        or _VISIT_BEFORE.search(text, max(0, place - 4), place) is not None
    )


# English: the clause of a place (between commas or sentence marks) says whose it is and when.
_EN_CLAUSE_END: Final = re.compile(
    r"[,;.!?\n]| and (?=have |now |am |then |went |moved |settled )| but | before | after | until "
)
# Others' guesses about the declarant (People keep guessing that I live in Beijing), or a place
# the declarant denies right after it (I am from Tibet, but I am not).
_EN_HEARSAY: Final = re.compile(
    r"\b(?:people|others|someone|they)\b[^.!?]{0,30}\b(?:assume|assumed|think|thought|guess"
    r"|guessing|say|said|wrote|believe|claim)\b"
)
_EN_PLAN: Final = re.compile(
    r"\b(?:thinking about|think about|plan to|planning to|plans to|want to|wants to|hope to"
    r"|would like to|dream of|may)\b[^.!?]{0,12}$"
)
_EN_DENIED: Final = re.compile(r"[\s,;]*(?:but )?(?:i am not|i'm not)\b")
_EN_OTHER: Final = re.compile(
    r"\b(?:my|our) (?:(?:two|three|four|elder|older|younger|little|big|eldest|youngest|old|best)"
    r" )?(?:sons?|daughters?|parents|father|mother|cousins?|sisters?|brothers?|wife|husband"
    r"|children|relatives|friends?|uncles?|aunts?|grandparents|grandfather|grandmother"
    r"|classmates?|colleagues?|customers|clients|neighbou?rs?)\b"
    r"(?! and (?:i|me)\b)"  # not "my husband and I moved to"
)
_EN_NOW: Final = re.compile(
    r"\b(?:now|currently|today|these days|i am|i'm|i live|i have been|i've been|have lived"
    r"|back home|since|still|have (?:worked|taught|been working|been teaching|been back)"
    r"|returned to|went back to)\b"
)
_EN_PAST: Final = re.compile(
    r"\b(?:studied|(?<!have )(?<!i've )(?<!has )worked|grew up|(?<!have )(?<!i've )(?<!has )lived"
    r"|used to|was born|when i was|while i was|while studying|back then|until|spent|did"
    r"|was a student|were students|was studying)\b"
)

# the declarant goes along (followed my cousin to)
_EN_ALONG: Final = ("with ", "followed ", "joined ")
_EN_STILL_THERE: Final = re.compile(
    r"[^.!?;]{0,90}?\b(?:(?:still|now) (?:live|lives|living|work|works|working)"
    r"|(?:have|i've) (?:lived|worked)(?: and (?:lived|worked))?"
    r"|(?:have|i've) been (?:working|living)[a-z ]{0,30}?) (?:there|here)\b"
)
_EN_ABOUT: Final = ("about ", "about the ", "news of ", "news from ")
_EN_PRESENT: Final = re.compile(r"\b(?:currently|at present|nowadays|these days)\b")
_EN_RESIDENT: Final = re.compile(r" (?:permanent )?(?:resident|citizen|local)\b")
_EN_I_AM: Final = ("i am a ", "i'm a ", "i am now a ", "i'm now a ")


def en_resident(text: str, start: int, end: int) -> bool:
    """I am a Hong Kong resident: the place of one's residence said of oneself (English)."""
    return _EN_RESIDENT.match(text, end) is not None and text.endswith(_EN_I_AM, 0, start)


def en_moved_to(text: str, start: int) -> bool:
    """I moved from Shenzhen to Hong Kong: the place a move told with both ends led to."""
    move = _EN_MOVED_FROM.search(text, max(0, start - 80), start)
    return move is not None and move.group(1) is not None


# A trip, a visit or a petition, not where one lives (I have petitioned in Beijing many times).
_EN_TRIP_BEFORE: Final = re.compile(
    r"\b(?:petition(?:ed|ing)?|(?:to |have |had |has )?visit(?:ed|ing)?|a (?:trip|visit|tour)"
    r"|travell?ed|toured|went on (?:a|an) [a-z]+ trip)(?: (?:to|in|at))? $"
)
# A workplace that moved, not the declarant (the factory where I worked moved to Vietnam).
_EN_THING_MOVED: Final = re.compile(
    r"\b(?:the|our|my|his|her|their) (?:[a-z-]+ ){0,2}(?:factory|company|plant|firm|business"
    r"|workshop|mill|employer|production line)\b[^.;!?]{0,50}? (?:moved|relocated|was moved)"
    r"(?: [a-z]+)? (?:to|into) $"
)
# A move told with both ends (I moved from Shenzhen to Hong Kong): the first is the past, the
# second where one is now.
_EN_MOVED_FROM: Final = re.compile(
    r"\b(?:moved|came|relocated|emigrated|went|returned) (?:back )?from(?: [^,.;!?]{1,40}?( to))?"
    r"(?: the)? $"
)
_EN_SENTENCE: Final = re.compile(r"[.!?;]\s|[.!?;]$")
_EN_VISIT: Final = re.compile(
    r"\s*(?:to visit|for a visit|on a visit|on a trip|on vacation|on holiday|for a holiday"
    r"|for (?:a few|several|two|three|four|five|six|\d+) (?:days|weeks|months))\b"
)


# A date line under a signature ("March 2, 2020", "2021-04-05 09:42", "Oct. 22, 2012, 11:21").
_EN_DATE_LINE: Final = re.compile(
    r"\s*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d{0,2},?\s*\d{4}"
    r"|\d{1,2}\s+[a-z]+\.?\s+\d{4}|\d{4}(?:[-/.]\d{1,2}[-/.]\d{1,2})?)"
    r"(?:,?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?)?\s*"
)


def _signature_line(text: str, start: int) -> bool:
    """Whether position ``start`` is on the text's last line, or on the last before its date
    lines, a short one without a sentence mark after a dash or a name ("— Zhao Yi, Paris",
    "Lin Wei, Fuzhou, China", "Zhao Jianguo, Luoyang, Henan Province, China\nMarch 2, 2020")."""
    line_start = text.rfind("\n", 0, start) + 1
    if line_start == 0:
        return False
    line_end = text.find("\n", start)
    if line_end < 0:
        line_end = len(text)
    rest = text[line_end:].strip()
    if rest and not all(_EN_DATE_LINE.fullmatch(r) for r in rest.split("\n") if r.strip()):
        return False
    line = text[line_start:line_end].strip()
    return len(line) <= 60 and _EN_SENTENCE.search(line) is None


def _dash_signature(norm: str, start: int) -> bool:
    """Whether norm position ``start`` is on the text's last line, a short one that opens with a
    dash (——贵州毕节 杨春梅)."""
    line_start = norm.rfind("\n", 0, start) + 1
    if line_start == 0 or "\n" in norm[start:].rstrip():
        return False
    line = norm[line_start:].strip()
    return len(line) <= 30 and line.startswith(("—", "-", "－"))


def _alias_line(text: str, start: int) -> bool:
    """Whether the place at position ``start`` is part of an alias (— Suzhou River (alias); not
    — Yang Xue (alias), Japan): "alias" after it on its line, with no comma between."""
    line_end = text.find("\n", start)
    rest = text[start : len(text) if line_end < 0 else line_end]
    at = max(rest.find("alias"), rest.find("pseudonym"), rest.find("pen name"))
    # on the same short piece of the line (not "I have worked in Guangzhou… I chose my alias")
    return 0 <= at <= 40 and "," not in rest[:at] and _EN_SENTENCE.search(rest, 0, at) is None


def _en_clause_cue(text: str, tokens: list[Token], indexes: list[int]) -> str | None:
    """In an English text: "other" when the place's clause has a relative as its subject, "now"
    when it says the present of the declarant, "past" when it says their past; else None."""
    start, end = tokens[indexes[0]][3], tokens[indexes[-1]][4]
    ends = [m.end() for m in _EN_CLAUSE_END.finditer(text, max(0, start - 80), start)]
    a = ends[-1] if ends else max(0, start - 80)
    m = _EN_CLAUSE_END.search(text, end)
    b = m.start() if m is not None else len(text)
    if (
        _EN_DENIED.match(text, end) is not None
        or _EN_HEARSAY.search(text, a, start) is not None
        or _EN_PLAN.search(text, a, start) is not None
    ):
        return "other"  # others' guesses, a place denied, a plan (thinking about moving to Japan)
    # the cue nearest before the place, then the rest of its clause: "I am a Hong Kong resident
    # who joined the League while studying in Guangzhou" is Guangzhou's past, Hong Kong's now
    near = [(m.end(), kind) for kind, cue in (("now", _EN_NOW), ("past", _EN_PAST))
            for m in cue.finditer(text, a, start)]  # fmt: skip
    clause = text[a:b]
    # a relative before the place, as the subject (not "I live in Fuzhou with my parents")
    if any(not text.endswith(_EN_ALONG, 0, m.start()) for m in _EN_OTHER.finditer(text, a, start)):
        return "other"
    if _EN_VISIT.match(text, end, b) is not None:
        return "other"  # I came to Sydney to visit my daughter for three months: a visit
    if _EN_TRIP_BEFORE.search(text, a, start) is not None:
        return "other"  # I have petitioned in Beijing; we visited Taiwan last year
    if _EN_THING_MOVED.search(text, a, start) is not None:
        return "other"  # the factory where I assembled phones moved to India
    move = _EN_MOVED_FROM.search(text, a, start)
    if move is not None:
        return "now" if move.group(1) else "past"  # I moved from Shenzhen to Hong Kong
    if _EN_NOW.search(text, end, b) is not None:
        return "now"  # I grew up in a village in Gansu and still live there
    if near:
        return max(near)[1]
    if _EN_NOW.search(clause) is not None:
        return "now"
    if _EN_PAST.search(clause) is not None:
        return "past"
    return None


def _past(n: Normalized, tokens: list[Token], indexes: list[int]) -> bool:
    """Whether the place is one of the past: 在…时, 当时在, 小时候在 (in its own clause)."""
    text = n.compact
    end = tokens[indexes[-1]][4]
    # the clause of the place only (我在悉尼留学，国内时入过团: Sydney is now)
    b = n.to_norm_end(end)
    after = _CLAUSE_END.split(n.norm[b : b + 12], maxsplit=1)[0]
    if _PAST_AFTER.match(after.lower()):
        return True
    start = tokens[indexes[0] - 1][3] if indexes[0] else tokens[indexes[0]][3]
    a = max(0, start - 8)
    if n.strong:
        i = bisect_right(n.strong, start)
        if i:
            a = max(a, n.strong[i - 1])
    return _PAST_BEFORE.search(text, a, start) is not None


def _alone(n: Normalized, token: Token) -> bool:
    """Whether the place name stands alone between separators (三退 王明 中国)."""
    a, b = n.to_norm(token[3]), n.to_norm_end(token[4])
    text = n.norm
    return (a == 0 or not text[a - 1].isalnum()) and (b >= len(text) or not text[b].isalnum())


_NAME_AFTER: Final = re.compile(f"[ \t\u3000]+[{CJK}]{{2,4}}[ \t\u3000]*(?:\n|$)")


def _place_then_name(text: str, start: int, end: int) -> bool:
    """Whether a place name opens the last line and a name closes it (仙桃 刘晓军): a signature."""
    return (
        (start == 0 or text[start - 1] == "\n")
        and _NAME_AFTER.match(text, end) is not None
        and not text[end:].strip(" \t\u3000\n").count("\n")
    )


def _depth(p: Place) -> int:
    return (p.province is not None) + (p.prefecture is not None) + (p.county is not None)


def _before_kind(tokens: list[Token], i: int, kind: int, reach: int, n: Normalized) -> bool:
    start = tokens[i][3]
    for j in range(i - 1, max(-1, i - 3), -1):
        if start - tokens[j][4] > reach or n.boundary_between(tokens[j][4], start):
            return False
        if tokens[j][0] == kind:
            return True
    return False


def _marker(n: Normalized, tokens: list[Token], i: int) -> str | None:
    """The location word right before token ``i``: now, weak, from, origin, or negated."""
    if gone_to(n, tokens[i]):  # 我来美多年: the verb is inside the name, said of oneself
        return "now" if _self_clause(n, tokens[i][3]) else None
    if i == 0:
        return None
    kind, _mask, value, _start, end = tokens[i - 1]
    glue = n.compact[end : tokens[i][3]]
    if (
        not _MARKER_GLUE.match(glue)
        and not (glue == " the " and _EN_UNIT_AFTER.match(n.compact, tokens[i][4]) is not None)
        and not _EN_SIDE.fullmatch(glue)
    ):
        return None  # in the Enshi Tujia and Miao Autonomous Prefecture (not: at the Lanzhou…)
    if kind == lx.NEGATION:
        return "negated"
    if kind != lx.LOCATION:
        return None
    if not glue and _CLAUSE_BREAK.search(n.norm, n.to_norm_end(end), n.to_norm(tokens[i][3])):
        return None  # 断绝往来。中方在海外…: a clause ends between them
    start = tokens[i - 1][3]
    if n.language == "zh" and any(n.gap_at_position(p) for p in range(start + 1, end)):
        # 我是台湾人，在大陆…: not 人在 (one is there) read across the comma; a bare 在
        return "weak" if n.compact.endswith("在", start, end) else None
    if value == "now" and n.compact[start:end] in _WEAK_NOW:
        return "weak"
    if value == "origin" and _EN_BACK_HOME.search(n.compact, max(0, tokens[i - 1][3] - 30), end):
        return "now"  # I moved back to my hometown, Hengyang: there now
    return str(value)


_CLAUSE_BREAK: Final = re.compile("[。！？!?；;，,\n]")
# English: a part of a place (I live in a county town in northern Shaanxi)
_EN_SIDE: Final = re.compile(
    r" (?:the )?(?:northern|southern|eastern|western|central|north|south|east|west|northeast"
    r"|northwest|southeast|southwest|north-east|north-west|south-east|south-west|rural|downtown"
    r"|suburban) "
)
# English: a move back to one's hometown (went back to my hometown; came home to my hometown)
_EN_BACK_HOME: Final = re.compile(
    r"\b(?:back|home) to (?:my |our )?(?:home ?town|native place|home village)$"
)


_STREET: Final = ("路", "街", "大道", "大街")
_NOT_STREET: Final = ("路过", "路途", "路线", "路程")


def street(text: str, token: Token) -> bool:
    """Whether a place name is the name of a street (乌鲁木齐路, 南京路上, 北京大街)."""
    end = token[4]
    return text.startswith(_STREET, end) and not text.startswith(_NOT_STREET, end)


def gone_to(n: Normalized, token: Token) -> bool:
    """Whether a place token is a country's short name after a verb of going (来美, 留日)."""
    return token[0] == lx.PLACE and n.compact[token[3] : token[4]] in _GONE_TO


def _self_clause(n: Normalized, start: int) -> bool:
    """Whether the clause before compact position ``start`` has the declarant in it (我, 本人)."""
    text = n.compact
    a = max(0, start - 12)
    for m in _CLAUSE_END.finditer(text, a, start):
        a = m.end()
    return _SELF_IN_CLAUSE.search(text, a, start) is not None


_SELF_IS_BEFORE: Final = re.compile("(?:我|本人|我们|我们都)是(?:土生土长的|地地道道的|地道的)?$")
_SELF_IS_AFTER: Final = re.compile("人|的?(?:一名|一位|一个|普通|退休|某)")


def _self_origin(n: Normalized, token: Token) -> bool:
    """我是延安人, 本人是承德人, 我是土生土长的长春人, 我是黄山的一名教师: a mainland place that is
    also a word, said of oneself as 某某人 or as where one is one of its people."""
    text = n.compact
    start, end = token[3], token[4]
    return (
        _SELF_IS_BEFORE.search(text, max(0, start - 12), start) is not None
        and _SELF_IS_AFTER.match(text, end) is not None
        and all(code.isdigit() for code in codes_for(text[start:end]))
    )


def _resolve(
    n: Normalized, tokens: list[Token], indexes: list[int], marker: str | None
) -> Place | None:
    text = n.compact
    first = tokens[indexes[0]]
    if len(indexes) == 1:
        word = text[first[3] : first[4]]
        common = word in COMMON_WORD_PLACES
        if marker is None and common and not _alone(n, first) and not _self_origin(n, first):
            return None
        # A bare county short name needs a location word, or 某某人 (我是思茅人).
        strict = (
            (marker is None or marker == "origin")
            and text[first[4] : first[4] + 1] != "人"
            and not text.endswith(("我是", "本人是"), 0, first[3])  # 我是安溪的茶农
            and not _place_then_name(n.norm, n.to_norm(first[3]), n.to_norm_end(first[4]))
            and not _dash_signature(n.norm, n.to_norm(first[3]))  # ——义乌 楼小红
            and not (  # Fang Xiaojun, Yiwu (a signature's place, after the name)
                n.language == "en"
                and text.endswith(", ", 0, first[3])
                and _signature_line(text, first[3])
            )
        )
        codes = _codes((word,), strict)
    else:
        codes = _codes(tuple(text[tokens[i][3] : tokens[i][4]] for i in indexes), False)
    if codes is None:
        return None
    start = n.to_norm(first[3])
    end = n.to_norm_end(tokens[indexes[-1]][4])
    confidence = 0.9 if (marker in ("now", "from") or len(indexes) > 1) else 0.7
    return Place(*codes, start, end, confidence)


@lru_cache(maxsize=65_536)
def _codes(
    words: tuple[str, ...], strict: bool
) -> tuple[str, str | None, str | None, str | None] | None:
    """(country, province, prefecture, county) of a place phrase, from its names alone.

    Cached: a phrase always resolves the same way, and statements name the same few thousand
    places over and over.
    """
    table = place_table()
    options = [list(table[word]) for word in words]
    if strict:
        # a county's short or English name alone needs a location word (Haidian, 通州)
        options[0] = [
            c for c in options[0] if not (c.level == "county" and c.form in ("short", "english"))
        ]
        if not options[0]:
            return None
    if len(options) == 1:
        # Alone, the highest level wins (吉林: the province, not the city).
        chosen = min(options[0], key=_rank)
    else:
        found = [{c.code for c in cands} for cands in options]
        # A country (中国大陆河南, 美国纽约) chooses among namesakes in and out of it, but is no
        # reason to go deeper: 中国大陆河南 is the province, not the county 河南 in Qinghai.
        country = [all(c.level == "country" for c in cands) for cands in options]
        best: tuple[int, int, int, int] | None = None
        chosen = options[0][0]
        for position, cands in enumerate(options):
            for cand in cands:
                line = _lineage(cand.code)
                support = within = 0
                for other, codes in enumerate(found):
                    if other != position and not line.isdisjoint(codes):
                        if country[other]:
                            within += 1
                        else:
                            support += 1
                rank = _LEVEL_RANK[cand.level]
                # With support, deeper is better; alone, the higher level.
                key = (support, within, rank if support else -rank, -position)
                if best is None or key > best:
                    best, chosen = key, cand
    if chosen.level == "country":
        return (chosen.code, None, None, None)
    code = chosen.code
    province = code[:2] + "0000"
    if chosen.level == "prefecture":
        return ("CN", province, code, None)
    if chosen.level == "county":
        d = division(code)
        parent = d.parent if d is not None and d.parent and d.parent != province else None
        return ("CN", province, parent, code)
    return ("CN", province, None, None)
