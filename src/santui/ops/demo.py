"""Demo data that looks like the real history (domain.md): the cumulative curve passes through
the published milestones at scale S, with plausible texts, places, sectors, channels, groups and
name kinds. Deterministic for a given seed; idempotent (external ids ``demo-...``)."""

from __future__ import annotations

import datetime as dt
import queue
import random
import threading
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import TypeVar
from zoneinfo import ZoneInfo

from santui.statements.bulk import StatementRow
from santui.textparse.regions import gazetteer

# (day, cumulative persons at the end of that day), from domain.md.
ANCHORS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2004, 12, 2), 0),  # collection started 2004-12-03
    (dt.date(2005, 4, 21), 1_000_000),
    (dt.date(2005, 5, 31), 2_000_000),
    (dt.date(2005, 7, 15), 3_000_000),
    (dt.date(2005, 8, 30), 4_000_000),
    (dt.date(2005, 10, 18), 5_000_000),
    (dt.date(2005, 12, 1), 6_000_000),
    (dt.date(2006, 1, 8), 7_000_000),
    (dt.date(2006, 2, 14), 8_000_000),
    (dt.date(2006, 3, 20), 9_000_000),
    (dt.date(2006, 4, 25), 10_000_000),
    (dt.date(2006, 6, 27), 11_366_927),
    (dt.date(2022, 6, 30), 398_434_766),
    (dt.date(2022, 8, 3), 400_000_000),
    (dt.date(2024, 9, 15), 435_000_000),
)

ORG_SETS = (  # (party, league, pioneers), weight
    ((True, True, True), 45), ((True, False, False), 10), ((False, True, True), 30),
    ((False, True, False), 8), ((False, False, True), 7),
)  # fmt: skip
CHANNELS = (("web", 55), ("phone", 15), ("volunteer", 12), ("email", 6), ("fax", 3),
            ("courier", 2), ("posting", 1), ("currency", 1))  # fmt: skip
NAME_KINDS = (("alias", 55), ("real", 25), ("anonymous", 20))
SECTORS = (
    ("", 700), ("worker", 60), ("farmer", 55), ("student", 45), ("education", 25),
    ("business", 30), ("retired", 30), ("government", 12), ("police", 4), ("health", 8),
    ("military", 4), ("media", 3), ("state_enterprise", 15), ("judiciary", 1),
    ("discipline_inspection", 1), ("congress_deputy", 1), ("state_security", 1),
    ("central_organs", 1), ("other", 10),
)  # fmt: skip
# Beijing and the three north-eastern provinces led in 2006 (domain.md); others by population.
PROVINCE_WEIGHTS = {
    "110000": 60, "210000": 70, "220000": 45, "230000": 55, "440000": 40, "370000": 35,
    "410000": 32, "510000": 30, "320000": 28, "130000": 28, "430000": 22, "420000": 22,
    "340000": 20, "330000": 20, "450000": 16, "530000": 15, "360000": 15, "140000": 15,
    "350000": 14, "520000": 12, "610000": 14, "500000": 12, "310000": 22, "120000": 12,
    "150000": 10, "620000": 8, "650000": 7, "460000": 4, "640000": 3, "630000": 2,
    "540000": 1,
}  # fmt: skip
OVERSEAS = (("US", 30), ("CA", 12), ("AU", 10), ("TW", 10), ("HK", 10), ("JP", 8),
            ("KR", 5), ("DE", 4), ("GB", 4), ("FR", 3), ("NZ", 3), ("SG", 3), ("MO", 2),
            ("MY", 2), ("TH", 2))  # fmt: skip

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶"
    "程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力国庆春梅东海志云宏波鹏飞"
ALIASES = ("明心", "觉醒", "正义", "天明", "善良", "清醒人", "新生", "自由", "真善忍",
           "看清", "良知", "一个老党员", "东北人", "北京人", "大学生", "老师", "求真",
           "顺天意")  # fmt: skip

# (signed, anonymous): the same statement with and without a name, so that an anonymous one
# reads as written (never "，浙江省…" or "declare. , Beijing" from an empty name).
TEXTS_HANS = (
    ("我声明退出中共的{orgs}。{name}", "我声明退出中共的{orgs}。"),
    ("本人曾在少年时加入{orgs}，现郑重声明退出，抹去兽印。{name}",
     "本人曾在少年时加入{orgs}，现郑重声明退出，抹去兽印。"),
    ("看清了中共的本质，退出{orgs}，不做陪葬品。{name} {place}",
     "看清了中共的本质，退出{orgs}，不做陪葬品。{place}"),
    ("{place}{name}声明：退出曾经加入的{orgs}。", "{place}网友声明：退出曾经加入的{orgs}。"),
    ("我们全家{n}口人声明三退。{name}", "我们全家{n}口人声明三退。"),
    ("{name}，{place}，声明退出{orgs}，与其彻底决裂。",
     "我在{place}，声明退出{orgs}，与其彻底决裂。"),
)  # fmt: skip
TEXTS_HANT = (
    ("我聲明退出中共的{orgs}。{name}", "我聲明退出中共的{orgs}。"),
    ("本人曾在少年時加入{orgs}，現鄭重聲明退出。{name}",
     "本人曾在少年時加入{orgs}，現鄭重聲明退出。"),
    ("看清了中共的本質，退出{orgs}，不做陪葬品。{name} {place}",
     "看清了中共的本質，退出{orgs}，不做陪葬品。{place}"),
    ("我們全家{n}口人聲明三退。{name}", "我們全家{n}口人聲明三退。"),
)  # fmt: skip
TEXTS_EN = (
    ("I hereby withdraw from the {orgs_en}. {name}", "I hereby withdraw from the {orgs_en}."),
    ("I declare that I quit the {orgs_en} that I once joined. {name}, {place}",
     "I declare that I quit the {orgs_en} that I once joined. {place}"),
    ("Our family of {n} declares our withdrawal from the CCP and all its organizations. {name}",
     "Our family of {n} declares our withdrawal from the CCP and all its organizations."),
)  # fmt: skip
ORG_HANS = {"party": "党", "league": "团", "pioneers": "队"}
ORG_HANT = {"party": "黨", "league": "團", "pioneers": "隊"}
ORG_EN = {"party": "Communist Party", "league": "Communist Youth League",
          "pioneers": "Young Pioneers"}  # fmt: skip


def cumulative_targets(
    scale: float, until: dt.date, rng: random.Random
) -> Iterator[tuple[dt.date, int]]:
    """(day, target cumulative persons at its end) for every day from 2004-12-03 to ``until``.

    Exact (rounded) at every anchor; between anchors the daily amounts vary (weekly rhythm and
    noise) but add up to the anchor difference, so milestones fall on their published days.
    """
    anchors = list(ANCHORS)
    last_day, last_total = anchors[-1]
    prev_day, prev_total = anchors[-2]
    slope = (last_total - prev_total) / (last_day - prev_day).days
    if until > last_day:
        anchors.append((until, last_total + round(slope * (until - last_day).days)))
    for (d0, c0), (d1, c1) in pairwise(anchors):
        days = (d1 - d0).days
        weights = [
            (1.0 + 0.15 * (((d0 + dt.timedelta(i)).weekday()) < 5)) * rng.uniform(0.7, 1.3)
            for i in range(1, days + 1)
        ]
        total = sum(weights)
        running = 0.0
        for i, w in enumerate(weights, start=1):
            running += w
            day = d0 + dt.timedelta(i)
            if day > until:
                return
            yield day, round(scale * (c0 + (c1 - c0) * running / total))


@dataclass(frozen=True)
class _Picker:
    values: Sequence[object]
    cum: list[float]

    @classmethod
    def of(cls, pairs: Sequence[tuple[object, float]]) -> _Picker:
        return cls([v for v, _ in pairs], list(accumulate(w for _, w in pairs)))

    def __call__(self, rng: random.Random) -> object:
        return self.values[bisect_right(self.cum, rng.random() * self.cum[-1])]


class DemoGenerator:
    def __init__(self, *, scale: float, seed: int = 2004, until: dt.date | None = None) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed + 1)  # statements; the curve has its own (see rows())
        self.until = until or dt.date.today() - dt.timedelta(days=1)
        self.tz = ZoneInfo("Asia/Shanghai")
        gaz = gazetteer()
        self.prefectures = {p: [d.code for d in gaz.prefectures_of(p)] for p in gaz.provinces}
        self.province_names = {c: d.name for c, d in gaz.provinces.items()}
        self.prefecture_names = {c: d.name for c, d in gaz.prefectures.items()}
        self.orgs = _Picker.of(ORG_SETS)
        self.channels = _Picker.of(CHANNELS)
        self.name_kinds = _Picker.of(NAME_KINDS)
        self.sectors = _Picker.of(SECTORS)
        self.provinces = _Picker.of(list(PROVINCE_WEIGHTS.items()))
        self.overseas = _Picker.of(OVERSEAS)

    def headcount(self, remaining: int) -> int:
        r = self.rng.random()
        if r < 0.95 or remaining == 1:
            return 1
        # a family, or (rarely) a group list
        size = self.rng.randint(2, 6) if r < 0.995 else self.rng.randint(10, 150)
        return min(size, remaining)

    def region(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.004:
            code = str(self.overseas(rng))
            return code, code
        province = str(self.provinces(rng))
        cities = self.prefectures.get(province) or []
        if cities and rng.random() < 0.6:
            city = rng.choice(cities)
            return city, self.province_names[province] + self.prefecture_names[city]
        return province, self.province_names[province]

    def name(self, kind: str) -> str:
        rng = self.rng
        if kind == "anonymous":
            return ""
        if kind == "real":
            return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        return rng.choice(ALIASES)

    def text(self, orgs: tuple[bool, bool, bool], name: str, place: str, n: int) -> str:
        keys = [k for k, on in zip(("party", "league", "pioneers"), orgs, strict=True) if on]
        r = self.rng.random()
        variant = 0 if name else 1  # signed, or the anonymous wording
        if r < 0.1:
            template = self.rng.choice(TEXTS_EN)[variant]
            return template.format(
                orgs_en=", ".join(ORG_EN[k] for k in keys), name=name, place=place, n=n
            )
        if r < 0.3:
            template = self.rng.choice(TEXTS_HANT)[variant]
            orgs_text = "、".join(ORG_HANT[k] for k in keys)
        else:
            template = self.rng.choice(TEXTS_HANS)[variant]
            orgs_text = "、".join(ORG_HANS[k] for k in keys)
        return template.format(orgs=orgs_text, name=name, place=place, n=n)

    def rows(self, *, received_tail: int = 0) -> Iterator[StatementRow]:
        rng = self.rng
        previous = 0
        for day, target in cumulative_targets(self.scale, self.until, random.Random(self.seed)):
            remaining = target - previous
            previous = target
            index = 0
            while remaining > 0:
                n = self.headcount(remaining)
                remaining -= n
                index += 1
                orgs = self.orgs(rng)
                assert isinstance(orgs, tuple)
                channel = "group" if n >= 10 else str(self.channels(rng))
                kind = str(self.name_kinds(rng))
                name = self.name(kind)
                region, place = self.region()
                early = day.year < 2007
                cpm = orgs[0] and rng.random() < (0.6 if early else 0.15)
                seconds = rng.randrange(86400)
                yield StatementRow(
                    external_id=f"demo-{day.isoformat()}-{index}",
                    received_at=dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
                    + dt.timedelta(seconds=seconds),
                    channel=channel,
                    text=self.text(orgs, name, place, n),
                    party=orgs[0],
                    league=orgs[1],
                    pioneers=orgs[2],
                    headcount=n,
                    name=name,
                    name_kind=kind,
                    region=region,
                    sector=str(self.sectors(rng)),
                    current_party_member=True if cpm else (False if orgs[0] else None),
                    publish=rng.random() < 0.3,
                    status="accepted",
                )
        # A few fresh statements awaiting review, so the back office has work to show.
        for i in range(received_tail):
            region, place = self.region()
            yield StatementRow(
                external_id=f"demo-pending-{i}", received_at=dt.datetime.now(self.tz),
                channel="web", text=self.text((True, True, True), "", place, 1),
                party=True, league=True, pioneers=True, headcount=1, name="",
                name_kind="anonymous", region=region, sector="", current_party_member=None,
                publish=False, status="received",
            )  # fmt: skip


def batched(rows: Iterator[StatementRow], size: int) -> Iterator[list[StatementRow]]:
    batch: list[StatementRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


T = TypeVar("T")


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def in_background(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Produce ``items`` in a thread while the caller consumes them.

    Generation is pure Python; loading spends much of its time in SQLite or PostgreSQL with the
    GIL released, so the two overlap on two cores. An error in the producer is raised here.
    """
    channel: queue.Queue[object] = queue.Queue(maxsize=depth)
    finished = object()

    def produce() -> None:
        try:
            for item in items:
                channel.put(item)
        except BaseException as error:  # handed to the consumer, raised there
            channel.put(_Failed(error))
            return
        channel.put(finished)

    threading.Thread(target=produce, name="demo-generator", daemon=True).start()
    while (item := channel.get()) is not finished:
        if isinstance(item, _Failed):
            raise item.error
        yield item  # type: ignore[misc]  # only items of T or the markers above come through


def expected_persons(scale: float, until: dt.date, seed: int) -> int:
    """Persons the demo will hold at ``until`` (for progress bars): the last target."""
    last = 0
    for _, target in cumulative_targets(scale, until, random.Random(seed)):
        last = target
    return last
