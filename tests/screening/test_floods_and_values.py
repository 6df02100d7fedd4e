"""Floods are held (not rejected), with an alert and the door's flag; implausible values are
held with their reason (docs/screening.md)."""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santui.screening.flags import flood_active
from santui.screening.models import Alert, Screening
from santui.statements.models import Statement, Status
from tests.screening.conftest import EARLIER, decisions, receive

pytestmark = pytest.mark.django_db
TEMPLATE = "坚决退出中共邪党及其一切组织，天灭中共，三退保平安！声明人：{}"


def _random_name(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)) + str(rng.randint(1, 99))


def test_a_template_flood_is_held_as_one_cluster_with_an_alert(screen: Any) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=15)
    rng = random.Random(1)
    # a normal week: this template is used a few times a day
    for day in range(1, 8):
        for i in range(3):
            receive(
                name=f"化名{day}{i}", text=TEMPLATE.format(f"化名{day}{i}"),
                received_at=now - dt.timedelta(days=day, minutes=i),
            )  # fmt: skip
    flood = [
        receive(
            name=(name := _random_name(rng)),
            text=TEMPLATE.format(name),
            region="",
            received_at=now + dt.timedelta(seconds=i),
        )
        for i in range(120)
    ]
    genuine = receive(name="老王", text="我声明退出共青团。老王", organizations=["league"],
                      received_at=now)  # fmt: skip
    cache.clear()
    with CaptureQueriesContext(connection) as seen:
        screen()
    if connection.vendor == "postgresql":
        # the round that raises the door's flag (outside the database) waits for its flush
        assert "SET LOCAL synchronous_commit TO ON" in [q["sql"] for q in seen.captured_queries]
    d = decisions()
    held = [d[s.pk] for s in flood]
    assert all(x[0] == "held" for x in held)
    assert all("flood_template" in x[1] for x in held)
    assert d[genuine.pk][0] == "accepted"
    clusters = set(Screening.objects.filter(statement__in=flood).values_list("cluster", flat=True))
    assert len(clusters) == 1 and next(iter(clusters)).startswith("flood:")
    assert Alert.objects.filter(kind="flood_template").exists()
    assert flood_active(channel="web")  # the door asks for a challenge while it lasts
    # the normal week's statements were counted
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == 22


def test_random_looking_names_in_a_burst_are_held(screen: Any) -> None:
    rng = random.Random(2)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    burst = [
        receive(
            name=_random_name(rng),
            text="",
            channel="web",
            region="110000",
            received_at=now + dt.timedelta(seconds=5 * i),
        )
        for i in range(40)
    ]
    screen()
    d = decisions()
    assert all(d[s.pk][0] == "held" and "flood_random_names" in d[s.pk][1] for s in burst)
    assert Alert.objects.filter(kind="flood_random_names", subject="web").exists()


def test_a_few_random_looking_names_are_not_a_flood(screen: Any) -> None:
    rng = random.Random(3)
    for i in range(5):
        receive(name=_random_name(rng), text="", received_at=EARLIER + dt.timedelta(hours=i))
    assert screen().decided == {"accepted": 5}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"received_at": dt.datetime.now(dt.UTC) + dt.timedelta(days=2)}, "future_time"),
        ({"text": "今天天气很好，我们去公园散步了。"}, "no_withdrawal"),
        ({"text": "", "headcount": 500, "channel": "phone"}, "headcount_unsupported"),
        ({"text": "我声明退出中共。", "headcount": 300}, "headcount_unsupported"),
        ({"text": "王明、李红、张强三人声明退出中共。", "headcount": 40}, "headcount_mismatch"),
        ({"text": "我们全家五口人声明三退。", "headcount": 1}, "headcount_mismatch"),
        (
            {"text": "我住在广州，声明退出中共的党、团、队组织。", "region": "210100"},
            "place_contradicted",
        ),
        ({"text": "我声明退出少先队。", "organizations": ["party"]}, "organizations_differ"),
    ],
)
def test_implausible_values_are_held(screen: Any, fields: dict[str, Any], reason: str) -> None:
    s = receive(name="", name_kind="anonymous", **fields)
    screen()
    decision, reasons, _ = decisions()[s.pk]
    assert decision == "held"
    assert reason in reasons
    s.refresh_from_db()
    assert s.status == Status.HELD
    assert not s.entries.exists()  # not counted


def test_consistent_statements_are_counted_without_a_person(screen: Any) -> None:
    sent = [
        receive(
            name="", name_kind="anonymous", text="我声明退出少先队。", organizations=["pioneers"]
        ),
        receive(name="", name_kind="anonymous", text="我们全家五口人声明三退。", headcount=5),
        receive(name="", name_kind="anonymous", text="我是沈阳人，声明三退。", region="210100"),
        receive(name="", name_kind="anonymous", text="", headcount=3, channel="phone"),
    ]
    screen()
    assert [decisions()[s.pk] for s in sent] == [("accepted", [], None)] * 4


def test_a_future_statement_waits_for_the_delay(screen: Any) -> None:
    from santui.screening.run import screen_all

    s = receive(received_at=dt.datetime.now(dt.UTC))
    assert sum(screen_all(delay=600).decided.values()) == 0
    assert decisions()[s.pk][0] == ""  # indexed, not decided yet
    assert sum(screen_all(delay=0).decided.values()) == 1


def test_a_volunteer_far_above_their_normal_rate_raises_an_alert(screen: Any) -> None:
    from django.contrib.auth.models import User

    volunteer = User.objects.create_user("busy", password="x" * 16)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    names = [f"{a}{b}" for a in "王李张刘陈杨赵" for b in "明华强伟芳娜静敏丽军"]
    for i in range(70):
        receive(
            name=names[i], text="", channel="phone", source="office", by=volunteer,
            received_at=now + dt.timedelta(seconds=10 * i),
        )  # fmt: skip
    summary = screen()
    assert summary.decided == {"accepted": 70}  # an evening of calls is counted, not held
    alerts = Alert.objects.filter(kind="volunteer_surge")  # one per hour it spans
    assert {a.subject for a in alerts} == {f"volunteer #{volunteer.pk}"}
    assert max(a.count for a in alerts) >= 60


def test_old_bucket_counts_are_pruned_but_not_those_still_needed(screen: Any) -> None:
    from santui.screening.actions import screening_index, screening_prune_counts
    from santui.screening.models import WindowCount

    receive(received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    screen()
    assert WindowCount.objects.exists()
    receive(name="李四", received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=29))
    screening_index(batch=10)  # indexed, not decided: the counts of its baseline must stay
    assert screening_prune_counts() == 0
    screen()
    assert screening_prune_counts() > 0  # nothing waits any more: a month-old count goes
    assert not WindowCount.objects.exists()
