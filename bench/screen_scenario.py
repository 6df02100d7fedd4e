"""A labelled scenario for the screener (bench/bench_screen.py): statements with ground truth.

Pure Python (it imports only santui.textparse, no Django). ``generate(split, scale)`` returns the
statements of one split, in the order received, each with its class:

- ``genuine``        a person's first statement (most of the data; a third of them use one of the
                     split's few common template sentences, anonymous ones too);
- ``common_name``    a genuine person whose name is one of a few very common names, in another
                     place than the others of that name (must be accepted);
- ``group_event``    genuine people from one place in one evening (a volunteer's evening of phone
                     calls; a local mass event on the web form), varied texts;
- ``exact``          the same person sends the identical statement again, minutes to weeks later;
- ``reworded``       the same person, same name, place and organizations, text reworded;
- ``other_channel``  the same person again through another channel (a phone or email record after
                     a web form): another text style, same name, place and organizations;
- ``flood``          hundreds to a thousand+ templated statements within ~20 minutes, generated or
                     random-looking names, one channel (subclasses: identical, counter, random
                     names, spun = a script picking each sentence from alternatives).

**Honest evaluation.** The two splits, ``dev`` and ``heldout``, share no template sentence, no
name (surnames and given-name characters are split in two), no alias, no rewording operation and
no synonym list, and use different seeds. They were fixed before the first scoring and must not
change afterwards (thresholds may be tuned on dev only). The phrasings of the organizations
(党、团、队 ...) and the places (real GB/T 2260 codes) are shared: they are what the parser reads.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from santui.textparse.regions import PROVINCE_NAMES_EN, gazetteer

SPLITS = ("dev", "heldout")
SEEDS = {"dev": 20250101, "heldout": 77031259}
CST = dt.timezone(dt.timedelta(hours=8))
# The measured period and the quiet days before it (flood baselines compare 7 days back).
BASELINE_DAYS = 8
MEASURED_DAYS = 7
START = dt.datetime(2025, 5, 1, tzinfo=CST)
MEASURED_FROM = START + dt.timedelta(days=BASELINE_DAYS)

# Statements per day, local hour weights (evening peak, night trough).
HOUR_WEIGHTS = (3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 10, 12, 12, 9, 5)


# --- vocabularies: one per split, disjoint ---------------------------------------------------

SURNAMES_ALL = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶"
    "程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
)
GIVEN_ALL = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力国庆春梅东海志云宏波鹏飞"
    "鑫宇浩凯佳欣怡晨阳雪琳婷倩颖慧嘉俊博翔德亮永福林斌"
)
# Pinyin of the same surnames and given names, for English texts (position-aligned subsets).
PINYIN_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
                   "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao")  # fmt: skip
PINYIN_GIVEN = ("Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong",
                "Yan", "Jie", "Juan", "Tao", "Ming", "Chao", "Xiu", "Xia", "Ping")  # fmt: skip

ORG_SETS = (  # organizations, weight
    (("league", "party", "pioneers"), 55), (("party",), 10), (("league", "pioneers"), 15),
    (("pioneers",), 10), (("league",), 7), (("league", "party"), 3),
)  # fmt: skip
ORG_WORDS = {  # how a text names what it quits (shared: this is what the parser reads)
    ("league", "party", "pioneers"): ("党、团、队", "中共党、团、队组织", "中共及其一切组织",
                                      "共产党、共青团、少先队"),
    ("party",): ("中国共产党", "中共"),
    ("league", "pioneers"): ("共青团和少先队", "团、队组织"),
    ("pioneers",): ("少先队",),
    ("league",): ("共青团",),
    ("league", "party"): ("中共和共青团",),
}  # fmt: skip
ORG_WORDS_EN = {
    ("league", "party", "pioneers"): "the CCP, the Communist Youth League and the Young Pioneers",
    ("party",): "the Chinese Communist Party",
    ("league", "pioneers"): "the Communist Youth League and the Young Pioneers",
    ("pioneers",): "the Young Pioneers",
    ("league",): "the Communist Youth League",
    ("league", "party"): "the CCP and the Communist Youth League",
}
CHANNELS = (("web", 60), ("phone", 12), ("volunteer", 10), ("email", 8), ("fax", 3),
            ("courier", 2), ("posting", 5))  # fmt: skip
PROVINCE_WEIGHTS = {
    "440000": 10, "370000": 8, "410000": 8, "510000": 7, "320000": 7, "130000": 6, "430000": 6,
    "420000": 6, "340000": 5, "330000": 5, "210000": 5, "230000": 4, "220000": 3, "360000": 4,
    "450000": 4, "530000": 3, "520000": 3, "350000": 3, "140000": 3, "610000": 3, "110000": 3,
    "310000": 3, "500000": 3, "120000": 2, "150000": 2, "620000": 2, "650000": 1, "460000": 1,
    "640000": 1, "630000": 1,
}  # fmt: skip


@dataclass(frozen=True)
class Vocab:
    surnames: str
    given: str
    aliases: tuple[str, ...]
    pinyin_surnames: tuple[str, ...]
    pinyin_given: tuple[str, ...]
    aliases_en: tuple[str, ...]
    # common template sentences ({orgs} {sig} {place}); many genuine people use them verbatim
    common: tuple[str, ...]
    # free texts are built from these parts
    openers: tuple[str, ...]
    reasons: tuple[str, ...]
    declarations: tuple[str, ...]  # must contain {orgs}
    wishes: tuple[str, ...]
    signatures: tuple[str, ...]  # {name} {place}
    anonymous_signatures: tuple[str, ...]  # {place}
    english: tuple[str, ...]  # {orgs_en} {name} {place_en}
    records: tuple[str, ...]  # a volunteer's phone/email record: {name} {place} {orgs} {note}
    record_notes: tuple[str, ...]
    floods: tuple[str, ...]  # flood texts: {orgs}
    spun: tuple[tuple[str, ...], ...]  # a spun flood: one alternative per slot
    synonyms: tuple[tuple[str, str], ...]  # rewording: (this, that), either way
    extra: tuple[str, ...]  # sentences a reworded repeat may add
    ops: tuple[str, ...]  # rewording operations of this split
    common_names: tuple[str, ...]
    alias_parts: tuple[str, str] = ("", "")  # first and second characters of generated aliases


def _half(seq: str | tuple[str, ...], which: int) -> tuple[str, ...]:
    return tuple(seq[which::2])


VOCABS: dict[str, Vocab] = {
    "dev": Vocab(
        surnames="".join(_half(SURNAMES_ALL, 0)),
        given="".join(_half(GIVEN_ALL, 0)),
        aliases=("明心", "觉醒", "正义", "天明", "善良", "清醒人", "新生", "自由人", "真心",
                 "看清", "良知", "老党员", "东北人", "大学生", "求真", "顺天意"),
        pinyin_surnames=_half(PINYIN_SURNAMES, 0),
        pinyin_given=_half(PINYIN_GIVEN, 0),
        aliases_en=("Freedom", "Awakened", "Truth Seeker", "New Life", "Clear Mind"),
        common=(
            "我声明退出中共的{orgs}。{sig}",
            "本人曾在少年时加入{orgs}，现郑重声明退出，抹去兽印。{sig}",
            "看清了中共的本质，退出{orgs}，不做陪葬品。{sig}",
            "天灭中共，退出{orgs}，保平安。{sig}",
            "声明：退出曾经加入的{orgs}，从此与其划清界限。{sig}",
            "郑重声明退出{orgs}，永不反悔。{sig}",
        ),
        openers=("我是一名退休工人。", "我今年五十多岁了。", "我在外地打工多年。",
                 "我是农民，一辈子种地。", "我是个体户，做点小生意。", "我是一名护士。"),
        reasons=("这些年看透了中共的谎言，贪官越来越多，老百姓说理的地方都没有。",
                 "疫情的时候被封在家里几个月，才知道什么叫没有自由。",
                 "我们村的地被强行征走了，补偿款一分没拿到。",
                 "看了九评以后才明白，历次运动害死了那么多人。",
                 "孩子上学要交各种费用，看病也看不起，这个党只顾自己。"),
        declarations=("今天郑重声明退出{orgs}。", "我声明退出{orgs}，不再做它的一员。",
                      "特此声明退出{orgs}。", "我要退出{orgs}，抹去兽印。"),
        wishes=("愿大家早日明白真相。", "希望家人平安。", "天灭中共，退出保平安。"),
        signatures=("{name} {place}", "化名：{name}，{place}", "{place} {name}", "署名：{name}"
                    " {place}"),
        anonymous_signatures=("{place}", "{place}网友", ""),
        english=(
            "I hereby declare that I withdraw from {orgs_en}. {name}, {place_en}",
            "I joined {orgs_en} when I was young. Today I quit. {name} from {place_en}",
            "Having seen the lies of the regime, I renounce {orgs_en}. {name}",
        ),
        records=("电话记录：{name}，{place}，退出{orgs}。{note}",
                 "来电：{place}的{name}声明退出{orgs}。{note}",
                 "义工代录：{name}（{place}）要求退出{orgs}。{note}"),
        record_notes=("", "本人同意公开化名。", "通话中很激动。", "请帮她家人也退。"),
        floods=("我们坚决拥护退出{orgs}的伟大行动，大家都来退吧，一起签名支持！",
                "全体网民声明退出{orgs}，这是历史的选择，人民的选择，请转发。",
                "本人响应号召声明退出{orgs}，请大家踊跃参加，不要犹豫，今天就退。",
                "号召所有同胞退出{orgs}！时间紧迫，马上行动，转发给十个人。"),
        spun=(("我", "本人", "在下"), ("今天", "现在", "此刻"),
              ("坚决", "郑重", "正式"), ("退出{orgs}", "宣布退出{orgs}"),
              ("，大家快来签名！", "，请大家转发！", "，支持的都来！")),
        synonyms=(("声明", "宣布"), ("退出", "脱离"), ("郑重", "正式"), ("今天", "今日"),
                  ("现在", "如今"), ("曾经", "以前"), ("看清", "看透"), ("本人", "我")),
        extra=(),
        ops=("reorder", "synonym", "punctuation", "traditional"),
        common_names=("王伟", "张伟", "李伟", "王芳", "刘伟"),
        alias_parts=("明清正善真新晨光", "心远路月山风雨石"),
    ),
    "heldout": Vocab(
        surnames="".join(_half(SURNAMES_ALL, 1)),
        given="".join(_half(GIVEN_ALL, 1)),
        aliases=("醒悟者", "平安", "光明", "一农民", "老教师", "良心人", "正念", "求平安",
                 "明白人", "晓真", "山东汉子", "退休职工", "知情人", "心安", "向善", "新人"),
        pinyin_surnames=_half(PINYIN_SURNAMES, 1),
        pinyin_given=_half(PINYIN_GIVEN, 1),
        aliases_en=("Hope", "Peaceful Heart", "Kind One", "Awake Now", "Honest Man"),
        common=(
            "声明退出{orgs}，恢复自由身，不再受其控制。{sig}",
            "我曾经入过{orgs}，今天声明全部退出，不再受其控制。{sig}",
            "为了自己和家人的平安，我声明退出{orgs}。{sig}",
            "认清邪党真面目，即日起退出{orgs}。{sig}",
            "为求平安，本人自愿退出{orgs}。{sig}",
            "从今天起我与{orgs}再无关系，特此声明。{sig}",
        ),
        openers=("我是一名教师，教书二十年。", "我今年刚上大学。", "我是开出租车的司机。",
                 "我退休前在国企上班。", "我是乡村医生。", "我在工厂当了多年的工人。"),
        reasons=("单位里天天开会学习，说的全是假话，谁也不信。",
                 "我父亲在文革中被批斗致死，这个仇我记一辈子。",
                 "房子被强拆，告状无门，反被关押了半个月。",
                 "翻墙看到了外面的真实消息，才知道被骗了几十年。",
                 "工资常常被拖欠，上访还被威胁，这样的党不值得留恋。"),
        declarations=("我决定退出{orgs}，从此不再是它的人。", "现声明退出{orgs}。",
                      "在此宣誓退出{orgs}，永不回头。", "我自愿声明退出{orgs}。"),
        wishes=("祝所有善良的人平安。", "盼望中国早日自由。", "真相终将大白。"),
        signatures=("{name}，{place}", "{place}人 {name}", "化名{name}  {place}",
                    "{name}（{place}）"),
        anonymous_signatures=("{place}", "{place}一网友", ""),
        english=(
            "Statement: I quit {orgs_en} today, of my own free will. {name}, {place_en}",
            "My name is {name}. I am from {place_en}. I renounce {orgs_en}.",
            "Please record my withdrawal from {orgs_en}. Signed {name}",
        ),
        records=("热线记录：{name}，家住{place}，声明退出{orgs}。{note}",
                 "{place}来电，{name}说要退出{orgs}。{note}",
                 "邮件转录：{name}，{place}，退{orgs}。{note}"),
        record_notes=("", "已核实姓名。", "声音很小，说怕被监听。", "她说全家都想退。"),
        floods=("热烈响应退出{orgs}运动，人人有责，请把这段话发给所有亲友吧。",
                "我们一起退出{orgs}，团结起来力量大，现在就签名，不要再等了。",
                "本网站全体用户宣布退出{orgs}，欢迎更多人加入我们的队伍。",
                "退出{orgs}大签名活动正在进行，每人签一次，快快行动起来！"),
        spun=(("我们", "大家", "各位"), ("马上", "立即", "赶快"),
              ("一起", "共同", "全部"), ("退出{orgs}", "脱离{orgs}"),
              ("，转给亲友！", "，别再犹豫！", "，请多签名！")),
        synonyms=(("退出", "退离"), ("声明", "申明"), ("自由", "自在"), ("平安", "安全"),
                  ("今天", "当天"), ("决定", "打算"), ("家人", "家里人"), ("从此", "从今以后")),
        extra=("这是我深思熟虑后的决定。", "请帮我登记一下，谢谢。", "之前提交过，怕没收到，再发一次。"),
        ops=("add_sentence", "drop_sentence", "synonym", "spacing"),
        common_names=("李娜", "张敏", "王磊", "李强", "陈静"),
        alias_parts=("安和德信仁慧诚朗", "泉林舟云溪松竹星"),
    ),
}


# --- the statements --------------------------------------------------------------------------


@dataclass
class Item:
    eid: str
    label: str
    sub: str
    person: int | None  # ground truth: the person (None: a flood has no person)
    original: str | None  # a repeat: the eid of the person's first statement
    received_at: dt.datetime
    channel: str
    text: str
    name: str
    name_kind: str
    organizations: tuple[str, ...]
    headcount: int = 1
    region: str = ""
    sector: str = ""
    period: str = "measured"
    meta: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        d = asdict(self)
        d["received_at"] = self.received_at.isoformat()
        return d


@dataclass(frozen=True)
class Place:
    region: str  # the code declared
    province: str
    text: str  # as written in Chinese
    text_en: str


def _short(name: str) -> str:
    return re.sub(r"(壮族|回族|维吾尔)?(自治区|省|市)$", "", name)


@cache
def _places() -> dict[str, list[tuple[str, str, str]]]:
    """Per province: (code, Chinese name, English name) of its prefectures (or itself)."""
    g = gazetteer()
    out = {}
    for code in PROVINCE_WEIGHTS:
        prov = g.provinces[code]
        prefs = [p for p in g.prefectures_of(code) if p.name.endswith("市")]
        out[code] = [(p.code, p.name, p.name_en) for p in prefs] or [(code, prov.name, prov.name_en)]
    return out


@cache
def _s2t():  # noqa: ANN202
    import opencc

    return opencc.OpenCC("s2t")


class _Gen:
    def __init__(self, split: str, scale: float) -> None:
        self.split = split
        self.v = VOCABS[split]
        self.rng = random.Random(SEEDS[split])
        self.scale = scale
        self.items: list[Item] = []
        self.persons = 0
        self._eid = 0
        provs = list(PROVINCE_WEIGHTS)
        self._prov_weights = [PROVINCE_WEIGHTS[p] for p in provs]
        self._provs = provs
        # Zipf-like surname frequencies, as real ones are
        self._surname_w = [1 / (i + 1) ** 0.8 for i in range(len(self.v.surnames))]
        self._alias_w = [1 / (i + 1) for i in range(len(self.v.aliases))]

    # -- pieces
    def eid(self) -> str:
        self._eid += 1
        return f"{self.split}-{self._eid:07d}"

    def place(self, province: str | None = None) -> Place:
        rng = self.rng
        prov = province or rng.choices(self._provs, self._prov_weights)[0]
        g = gazetteer()
        pname = _short(g.provinces[prov].name)
        code, name, name_en = rng.choice(_places()[prov])
        short = _short(name)
        if code == prov:
            return Place(prov, prov, pname, PROVINCE_NAMES_EN[prov])
        style = rng.random()
        if style < 0.5:
            text = f"{pname}{short}"
        elif style < 0.7:
            text = f"{g.provinces[prov].name}{name}"
        elif style < 0.85:
            return Place(prov, prov, pname, PROVINCE_NAMES_EN[prov])
        else:
            text = short
        return Place(code, prov, text, f"{name_en}, {PROVINCE_NAMES_EN[prov]}")

    def real_name(self) -> str:
        s = self.rng.choices(self.v.surnames, self._surname_w)[0]
        n = 1 if self.rng.random() < 0.2 else 2
        return s + "".join(self.rng.choice(self.v.given) for _ in range(n))

    def person_name(self) -> tuple[str, str]:
        x = self.rng.random()
        if x < 0.45:
            return self.real_name(), "real"
        if x < 0.85:
            return self.alias(), "alias"
        return "", "anonymous"

    def alias(self) -> str:
        """Popular aliases repeat (Zipf over the split's list, half of the alias users); the
        others are two-character words built from the split's own characters."""
        rng = self.rng
        if rng.random() < 0.5:
            return rng.choices(self.v.aliases, self._alias_w)[0]
        a, b = self.v.alias_parts
        return rng.choice(a) + rng.choice(b)

    def orgs(self) -> tuple[str, ...]:
        return self.rng.choices([o for o, _ in ORG_SETS], [w for _, w in ORG_SETS])[0]

    def channel(self) -> str:
        return self.rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]

    def sig(self, name: str, kind: str, place: Place) -> str:
        if not name:
            return self.rng.choice(self.v.anonymous_signatures).format(place=place.text)
        form = self.rng.choice(self.v.signatures)
        if kind == "real" and form.startswith("化名"):
            form = "{name} {place}"
        return form.format(name=name, place=place.text)

    def text(self, orgs: tuple[str, ...], name: str, kind: str, place: Place, *,
             style: str | None = None) -> tuple[str, str]:  # fmt: skip
        """A genuine text and its style (common | free | english | record)."""
        rng = self.rng
        words = rng.choice(ORG_WORDS[orgs])
        style = style or rng.choices(["common", "free", "english"], [35, 57, 8])[0]
        if style == "record":
            return rng.choice(self.v.records).format(
                name=name or "匿名", place=place.text, orgs=words,
                note=rng.choice(self.v.record_notes)), style  # fmt: skip
        if style == "english":
            en = name if kind != "real" else ""
            if not en:
                en = (f"{rng.choice(self.v.pinyin_surnames)} {rng.choice(self.v.pinyin_given)}"
                      if kind == "real" else rng.choice(self.v.aliases_en))  # fmt: skip
            return rng.choice(self.v.english).format(
                orgs_en=ORG_WORDS_EN[orgs], name=en, place_en=place.text_en), style  # fmt: skip
        sig = self.sig(name, kind, place)
        if style == "common":
            return rng.choice(self.v.common).format(orgs=words, sig=sig).strip(), style
        parts = []
        if rng.random() < 0.5:
            parts.append(rng.choice(self.v.openers))
        if rng.random() < 0.6:
            parts += rng.sample(self.v.reasons, rng.choice((1, 1, 2)))
        parts.append(rng.choice(self.v.declarations).format(orgs=words))
        if rng.random() < 0.4:
            parts.append(rng.choice(self.v.wishes))
        text = "".join(parts) + sig
        return (_s2t().convert(text) if rng.random() < 0.25 else text), style

    def moment(self, start: dt.datetime, days: float) -> dt.datetime:
        """A time in [start, start + days) following the diurnal curve (local time)."""
        rng = self.rng
        day = rng.randrange(max(1, int(days)))
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        return start + dt.timedelta(days=day, hours=hour, seconds=rng.uniform(0, 3600))

    def genuine(self, when: dt.datetime, *, label: str = "genuine", sub: str = "",
                place: Place | None = None, name: tuple[str, str] | None = None,
                channel: str | None = None, style: str | None = None,
                period: str = "measured") -> Item:  # fmt: skip
        self.persons += 1
        place = place or self.place()
        name_, kind = name or self.person_name()
        orgs = self.orgs()
        channel = channel or self.channel()
        if style is None and channel in ("phone", "volunteer") and self.rng.random() < 0.7:
            style = "record"
        if style is None:
            style = self.rng.choices(["common", "free", "english"], [35, 57, 8])[0]
        if style == "english" and kind == "alias":
            name_ = self.rng.choice(self.v.aliases_en)
        text, used = self.text(orgs, name_, kind, place, style=style)
        headcount = 1
        if used == "free" and self.rng.random() < 0.04:  # a family
            headcount = self.rng.choice((2, 3, 4, 5))
            cn = "零一二三四五"[headcount]
            text = f"我们全家{cn}口人一起声明退出{ORG_WORDS[orgs][0]}。" + text
        item = Item(self.eid(), label, sub or f"{kind}/{used}", self.persons, None, when, channel,
                    text, name_, kind, orgs, headcount, place.region, period=period,
                    meta={"province": place.province, "place": place.text})  # fmt: skip
        self.items.append(item)
        return item

    # -- rewording (this split's operations only)
    def reword(self, text: str, ops: list[str]) -> str:
        rng = self.rng
        sentences = [s for s in re.split(r"(?<=[。！!？?])", text) if s]
        for op in ops:
            if op == "reorder" and len(sentences) > 2:
                body, last = sentences[:-1], sentences[-1]
                rng.shuffle(body)
                sentences = [*body, last]
            elif op == "drop_sentence" and len(sentences) > 2:
                i = rng.randrange(len(sentences) - 1)
                if "退" not in sentences[i]:
                    del sentences[i]
            elif op == "add_sentence":
                sentences.insert(rng.randrange(len(sentences)), rng.choice(self.v.extra))
            elif op == "synonym":
                joined = "".join(sentences)
                pairs = [p for p in self.v.synonyms if p[0] in joined or p[1] in joined]
                for a, b in rng.sample(pairs, min(len(pairs), rng.choice((1, 2, 3)))):
                    joined = joined.replace(a, b, 1) if a in joined else joined.replace(b, a, 1)
                sentences = [joined]
            elif op == "punctuation":
                joined = "".join(sentences)
                joined = joined.replace("，", rng.choice((",", " ", "、"))).replace(
                    "。", rng.choice(("！", ".", "。\n")))
                sentences = [joined]
            elif op == "traditional":
                sentences = [_s2t().convert("".join(sentences))]
            elif op == "spacing":
                joined = "".join(sentences)
                joined = re.sub(r"([，。])", lambda m: m.group(1) + " " * rng.choice((0, 1, 2)),
                                joined).replace("。", "．", 1)
                sentences = [joined]
        return "".join(sentences)

    def english_reword(self, text: str) -> str:
        # English texts: the same operations, on words
        ops = {"dev": [("hereby ", ""), ("declare", "state"), ("quit", "leave")],
               "heldout": [("Today", "Now"), ("renounce", "give up"), ("Please", "Kindly")]}
        for a, b in ops[self.split]:
            if a in text:
                return text.replace(a, b, 1)
        return text + (" Thank you." if self.split == "dev" else " Regards.")

    def repeat(self, orig: Item, label: str, delay: dt.timedelta) -> Item:
        rng = self.rng
        when = orig.received_at + delay
        text, channel, name, sub = orig.text, orig.channel, orig.name, ""
        if label == "reworded":
            if re.search(r"[\u4e00-\u9fff]", text):
                ops = rng.sample(self.v.ops, rng.choice((1, 2, 2, 3)))
                text = self.reword(text, ops)
                sub = "+".join(sorted(ops))
            else:
                text, sub = self.english_reword(text), "english"
            if text == orig.text:  # nothing to reword: at least a sentence more or other words
                text = self.reword(text, ["synonym"]) if self.split == "dev" else self.reword(
                    text, ["add_sentence"])
        elif label == "other_channel":
            channel = rng.choice(("email", "phone", "volunteer"))
            place = Place(orig.region, str(orig.meta["province"]), str(orig.meta["place"]), "")
            text = rng.choice(self.v.records).format(
                name=name or "匿名", place=place.text, orgs=rng.choice(ORG_WORDS[orig.organizations]),
                note=rng.choice(self.v.record_notes))  # fmt: skip
            if name and rng.random() < 0.1:
                name = _s2t().convert(name)  # the office typed it in traditional script
            sub = "traditional name" if name != orig.name else channel
        else:
            sub = "anonymous" if not name else "named"
        region = orig.region
        if label == "other_channel" and rng.random() < 0.3:
            region = str(orig.meta["province"])  # the volunteer wrote the province only
        item = Item(self.eid(), label, sub, orig.person, orig.eid, when, channel, text, name,
                    orig.name_kind, orig.organizations, orig.headcount, region,
                    meta={**orig.meta, "delay_h": delay.total_seconds() / 3600})  # fmt: skip
        self.items.append(item)
        return item

    def random_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:  # rare characters (outside GB 2312 level 1)
            return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.choice((2, 3))))
        letters = "bcdfghjklmnpqrstvwxz"
        return "".join(rng.choice(letters + "0123456789") for _ in range(rng.randrange(6, 10)))

    def flood(self, start: dt.datetime, n: int, sub: str, minutes: float = 20) -> None:
        rng = self.rng
        orgs = ("league", "party", "pioneers")
        base = rng.choice(self.v.floods)
        for _ in range(n):
            when = start + dt.timedelta(seconds=rng.uniform(0, minutes * 60))
            place = self.place()
            words = rng.choice(ORG_WORDS[orgs])
            if sub == "identical":  # generated plausible names, appended
                name, kind = self.real_name(), "real"
                text = base.format(orgs=ORG_WORDS[orgs][0]) + name
            elif sub == "counter":  # anonymous, a counter or a random tag appended
                name, kind = "", "anonymous"
                text = base.format(orgs=words) + rng.choice(
                    (f" No.{rng.randrange(100000)}", f" #{rng.getrandbits(24):06x}"))
            elif sub == "random_names":
                name, kind = self.random_name(), "real"
                text = base.format(orgs=ORG_WORDS[orgs][0]) + " " + name
            else:  # spun: every sentence slot picked at random, plausible names
                name, kind = self.real_name(), "real"
                text = "".join(rng.choice(slot) for slot in self.v.spun).format(orgs=words)
                text += " " + name + " " + place.text
            self.items.append(Item(self.eid(), "flood", sub, None, None, when, "web", text, name,
                                   kind, orgs, 1, place.region))  # fmt: skip


def generate(split: str, scale: float = 1.0) -> list[Item]:
    """The statements of one split, oldest first (about 16,000 at scale 1)."""
    g = _Gen(split, scale)
    rng = g.rng
    per_day_base = int(700 * scale)
    per_day = int(800 * scale)
    # baseline days: genuine only (the originals of some later repeats)
    for _ in range(per_day_base * BASELINE_DAYS):
        g.genuine(g.moment(START, BASELINE_DAYS), period="baseline")
    for _ in range(per_day * MEASURED_DAYS):
        g.genuine(g.moment(MEASURED_FROM, MEASURED_DAYS))
    # one very common name in many places (different persons, same name)
    used: set[tuple[str, str]] = set()
    for name in g.v.common_names:
        for _ in range(max(2, int(15 * scale))):
            place = g.place()
            if (name, place.province) in used:
                continue
            used.add((name, place.province))
            g.genuine(g.moment(MEASURED_FROM, MEASURED_DAYS), label="common_name",
                      place=place, name=(name, "real"))  # fmt: skip
    # a volunteer's evening of phone calls to one city, and a local mass event on the web form
    day = MEASURED_FROM + dt.timedelta(days=2)
    city = g.place("370000")
    for _ in range(int(150 * scale)):
        when = day + dt.timedelta(hours=19, seconds=rng.uniform(0, 4 * 3600))
        g.genuine(when, label="group_event", sub="volunteer_calls", place=g.place("370000")
                  if rng.random() < 0.3 else city, name=(g.real_name(), "real"), channel="phone",
                  style="record")  # fmt: skip
    day = MEASURED_FROM + dt.timedelta(days=4)
    town = g.place("440000")
    for _ in range(int(400 * scale)):
        when = day + dt.timedelta(hours=19, seconds=rng.uniform(0, 2 * 3600))
        g.genuine(when, label="group_event", sub="mass_event", place=town, channel="web")
    # repeats of earlier genuine statements (the original is before, the repeat in the period)
    originals = [i for i in g.items if i.label == "genuine"]
    n_rep = int(600 * scale)
    for label, n in (("exact", n_rep), ("reworded", n_rep), ("other_channel", n_rep // 2)):
        done = 0
        while done < n:
            orig = rng.choice(originals)
            if label != "exact" and not orig.name:
                continue  # reworded or other-channel repeats: named ones only
            if label == "exact" and not orig.name and rng.random() < 0.8:
                continue  # anonymous exact repeats: fewer
            # minutes to weeks later (log-uniform), landing in the measured period
            delay = dt.timedelta(minutes=math.exp(rng.uniform(math.log(3), math.log(21 * 1440))))
            when = orig.received_at + delay
            if not (MEASURED_FROM <= when < MEASURED_FROM + dt.timedelta(days=MEASURED_DAYS)):
                continue
            g.repeat(orig, label, delay)
            done += 1
    # floods: one channel, ~20 minutes each, in the evening of different days
    for k, (sub, n) in enumerate((("identical", 600), ("counter", 400), ("random_names", 300),
                                  ("spun", 1200))):  # fmt: skip
        start = MEASURED_FROM + dt.timedelta(days=1 + k, hours=rng.choice((14, 20, 22)),
                                             minutes=rng.randrange(60))  # fmt: skip
        g.flood(start, int(n * scale), sub)
    g.items.sort(key=lambda i: (i.received_at, i.eid))
    return g.items


def eval_items(path: Path) -> list[Item]:
    """The parser's labelled evaluation set as genuine statements (declared fields = labels)."""
    rng = random.Random(5)
    out = []
    for k, line in enumerate(path.read_text("utf-8").splitlines()):
        d = json.loads(line)
        region = d["region"] or {}
        code = (region.get("county") or region.get("prefecture") or region.get("province")
                or (region.get("country") if region.get("country") != "CN" else "") or "")  # fmt: skip
        when = MEASURED_FROM + dt.timedelta(minutes=k * 13 + rng.uniform(0, 10))
        out.append(Item(f"eval-{d['id']}", "eval", ",".join(d["tags"]), k, None, when,
                        rng.choice(("web", "web", "phone", "email")), d["text"], d["name"] or "",
                        d["name_kind"], tuple(d["organizations"]), d["headcount"], code,
                        d["sector"] or ""))  # fmt: skip
    return out


def write_jsonl(items: list[Item], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            yield json.loads(line)
