"""The same person again, word for word or reworded, through any channel; and the people who
only write alike (docs/screening.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from santui.screening.models import Screening
from santui.statements.actions import TransitionError, statement_accept, statement_reinstate
from santui.statements.models import RejectReason, Statement, Status
from santui.tally.actions import tally_integrate
from santui.tally.verify import tally_verify
from tests.screening.conftest import EARLIER, decisions, receive

pytestmark = pytest.mark.django_db


def test_twelve_identical_statements_count_once(screen: Any) -> None:
    sent = [receive() for _ in range(12)]
    summary = screen()
    assert summary.decided == {"accepted": 1, "duplicate": 11}
    first = Statement.objects.get(pk=sent[0].pk)
    assert first.status == Status.ACCEPTED
    for s in sent[1:]:
        s.refresh_from_db()
        assert s.status == Status.REJECTED
        assert s.reject_reason == RejectReason.DUPLICATE
        assert s.duplicate_of_id == first.pk
        assert decisions()[s.pk] == ("duplicate", ["exact_repeat"], first.pk)
    tally_integrate()
    report = tally_verify()
    assert report.ok, report.problems


def test_a_reworded_repeat_is_a_duplicate(screen: Any) -> None:
    first = receive(
        text="我声明退出中共的党、团、队组织。本人在沈阳工作多年，早已看清中共的邪恶本质。化名真心"
    )
    again = receive(
        text="本人在沈阳工作多年，早已看清中共的邪恶本质，今天郑重声明退出中共的党、团、队组织！真心",
        received_at=EARLIER + dt.timedelta(days=3),
    )
    screen()
    assert decisions()[again.pk] == ("duplicate", ["reworded_repeat"], first.pk)


def test_the_same_person_by_email_after_the_web_form(screen: Any) -> None:
    web = receive(name="張 三", name_kind="real", text="", channel="web", region="210100")
    mail = receive(
        name="张三", name_kind="real", channel="email", source="email", region="210000", text="",
        received_at=EARLIER + dt.timedelta(days=1),
    )  # fmt: skip
    screen()
    # the same folded name, province and organizations; no text to compare: a person decides
    assert decisions()[mail.pk][:2] == ("held", ["same_person"])
    assert decisions()[web.pk][0] == "accepted"


def test_same_name_and_place_through_another_channel_is_held_not_counted(screen: Any) -> None:
    receive(name="李明", name_kind="real", text="三退 李明 辽宁沈阳", channel="web")
    call = receive(
        name="李明", name_kind="real", channel="phone", source="office",
        text="我是一名退休教师，文革时被迫入团，今天终于下定决心，声明退出共青团和少先队以及中共。",
        received_at=EARLIER + dt.timedelta(days=20),
    )  # fmt: skip
    namesake = receive(
        name="李明", name_kind="real", channel="web",
        text="年轻时在沈阳读书入过团，今天看清了真相，声明退出中共及其团队组织。李明",
        received_at=EARLIER + dt.timedelta(days=10),
    )  # fmt: skip
    screen()
    assert decisions()[call.pk][:2] == ("held", ["same_person"])
    # the same channel, another text: a namesake more often than the same person again
    assert decisions()[namesake.pk][0] == "accepted"


def test_a_common_name_long_ago_is_another_person(screen: Any) -> None:
    for i in range(5):  # five earlier 张伟 of Beijing who quit all three
        receive(name="张伟", text="", region="110000", channel="phone", source="office",
                received_at=EARLIER + dt.timedelta(days=i))  # fmt: skip
    later = receive(name="张伟", text="", region="110000", channel="web",
                    received_at=EARLIER + dt.timedelta(days=50))  # fmt: skip
    screen()
    assert decisions()[later.pk][0] == "accepted"


def test_common_words_from_different_people_are_all_counted(screen: Any) -> None:
    common = "我声明退出中共的党、团、队组织。"
    sent = [receive(name="", name_kind="anonymous", text=common) for _ in range(8)]
    sent += [receive(name=f"化名{i}", text=f"{common}化名{i}") for i in range(8)]
    summary = screen()
    assert summary.decided == {"accepted": 16}
    assert all(d[0] == "accepted" for d in decisions().values())
    del sent


def test_one_common_name_in_different_places_is_different_people(screen: Any) -> None:
    for region in ("110000", "210100", "440300", "510100", "US"):
        receive(name="张伟", text="", region=region)
    assert screen().decided == {"accepted": 5}


def test_an_anonymous_distinctive_text_repeated_from_the_same_province(screen: Any) -> None:
    text = "我在大连港务局干了二十年装卸，年轻时在码头入的团，今天声明退出共青团，再也不受它的骗。"
    first = receive(name="", name_kind="anonymous", text=text, region="210200")
    again = receive(
        name="", name_kind="anonymous", text=text, region="210200",
        received_at=EARLIER + dt.timedelta(minutes=20), organizations=["league"],
    )  # fmt: skip
    elsewhere = receive(
        name="", name_kind="anonymous", text=text, region="440100", organizations=["league"]
    )
    first.league, first.party, first.pioneers = True, False, False
    screen()
    d = decisions()
    assert d[again.pk][0] == "duplicate"
    assert d[again.pk][2] == first.pk
    assert d[elsewhere.pk][0] != "duplicate"  # another province: another person


def test_a_duplicate_of_a_duplicate_links_to_the_first(screen: Any) -> None:
    a = receive()
    screen()
    b = receive(received_at=EARLIER + dt.timedelta(days=1))
    c = receive(received_at=EARLIER + dt.timedelta(days=2))
    screen()
    assert decisions()[b.pk][2] == a.pk
    assert decisions()[c.pk][2] == a.pk


def test_a_moderator_reinstates_a_duplicate_and_it_is_counted(screen: Any) -> None:
    a = receive()
    b = receive()
    screen()
    b.refresh_from_db()
    reinstated = statement_reinstate(statement=b, by=None, note="twins", via="test")
    assert reinstated.status == Status.ACCEPTED and reinstated.duplicate_of_id is None
    with pytest.raises(TransitionError):
        statement_reinstate(statement=a, by=None, via="test")  # never a duplicate
    tally_integrate()
    report = tally_verify()
    assert report.ok, report.problems
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == 2


def test_a_statement_a_moderator_accepted_first_is_left_as_decided(screen: Any) -> None:
    from santui.screening.actions import screening_decide, screening_index

    s = receive()
    screening_index(batch=10)
    statement_accept(statement=s, by=None, via="test")
    decided = screening_decide(batch=10)
    assert [(d.statement_id, d.decision) for d in decided] == [(s.pk, "accepted")]
    assert s.entries.count() == 1  # counted once, by the moderator


def test_a_repeat_of_a_statement_counted_without_screening_is_found() -> None:
    from santui.screening.actions import screening_index_decided
    from santui.screening.run import screen_all
    from santui.statements.actions import statement_accept

    history = receive(
        name="赵六", name_kind="real", text="", region="110000", channel="phone", source="office"
    )
    statement_accept(statement=history, by=None, via="import")  # counted before screening
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # once it has settled
    assert screening_index_decided(batch=100, now=later) == 1
    assert decisions()[history.pk] == ("accepted", [], None)  # recorded as it was decided
    again = receive(name="赵六", name_kind="real", text="", region="110100",
                    received_at=EARLIER + dt.timedelta(days=2))  # fmt: skip
    screen_all(delay=0)
    assert decisions()[again.pk] == ("held", ["same_person"], None)
    # past the mark only the later statement is left, and screening indexed it already
    assert screening_index_decided(batch=100, now=later) == 1
    assert Screening.objects.count() == 2


def test_an_alias_through_another_channel_is_held_only_when_rare_and_recent(
    screen: Any,
) -> None:
    receive(name="真心", text="三退 真心 辽宁", channel="web")
    soon = receive(
        name="真心", channel="phone", source="office", text="",
        received_at=EARLIER + dt.timedelta(days=2),
    )  # fmt: skip
    receive(name="明月", text="三退 明月 辽宁", channel="web")
    later = receive(
        name="明月", channel="phone", source="office", text="",
        received_at=EARLIER + dt.timedelta(days=10),
    )  # fmt: skip
    screen()
    assert decisions()[soon.pk][:2] == ("held", ["same_person"])
    # many people choose the same alias: after a week, another channel alone links nothing
    assert decisions()[later.pk][0] == "accepted"


def test_a_statement_a_person_decides_before_the_screener_saw_it_is_still_indexed() -> None:
    from santui.screening.actions import screening_index_decided
    from santui.screening.run import screen_all

    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # all settled
    text = "我在大连港务局干了二十年装卸，今天声明退出共青团，再也不受它的骗。孙八"
    a = receive(name="钱七", name_kind="real", text="", region="110000", channel="phone",
                source="office")  # fmt: skip
    b = receive(name="孙八", text=text, organizations=["league"])
    statement_accept(statement=a, by=None, via="import")
    screening_index_decided(batch=100, now=later)  # the mark stops before b (still received)
    statement_accept(statement=b, by=None, via="a moderator")  # decided before screening
    screening_index_decided(batch=100, now=later)
    assert {a.pk, b.pk} <= set(Screening.objects.values_list("statement_id", flat=True))
    again = receive(
        name="孙八", text=text, organizations=["league"], received_at=EARLIER + dt.timedelta(days=1)
    )
    screen_all(delay=0)
    assert decisions()[again.pk] == ("duplicate", ["exact_repeat"], b.pk)


def test_further_holders_of_common_wording_are_not_stored(screen: Any) -> None:
    """A sentence that 51 or more statements share is common wording: once a comparison finds
    that, its text and band keys get no further holders, and nothing is decided differently.
    All 16 band keys are stored for anonymous statements (the only ones compared through
    them), the first COMMON_BANDS for named ones (how common the wording is)."""
    from santui.screening.actions import COMMON_BANDS, COUNT_CAP
    from santui.screening.models import HotKey, Kind, ScreenKey

    text = "我声明退出中国共产党及其附属的共青团和少先队组织，从此与它划清界限，不再受它的欺骗。"
    named = [
        receive(name=f"化名{i}", text=text, received_at=EARLIER + dt.timedelta(hours=i))
        for i in range(COUNT_CAP + 4)
    ]
    anonymous = receive(name="", name_kind="anonymous", text=text)
    screen()
    named_bands = ScreenKey.objects.filter(statement__in=named, kind=Kind.BAND)
    assert named_bands.count() == COMMON_BANDS * (COUNT_CAP + 4)
    assert ScreenKey.objects.filter(statement__in=named, kind=Kind.TEXT).count() == COUNT_CAP + 4
    hot = set(HotKey.objects.values_list("key", flat=True))
    text_key = ScreenKey.objects.get(statement=anonymous, kind=Kind.TEXT).key
    bands = list(
        ScreenKey.objects.filter(statement=anonymous, kind=Kind.BAND)
        .order_by("id")
        .values_list("key", flat=True)
    )
    assert len(bands) == 16  # stored before they were known common
    assert hot == {text_key, *bands[:COMMON_BANDS]}  # the others have one holder: itself
    later = [receive(name=f"后来{i}", text=text) for i in range(3)]
    later.append(receive(name="", name_kind="anonymous", text=text, region="440300"))
    screen()
    d = decisions()
    assert all(d[s.pk][0] == "accepted" for s in later)
    assert not ScreenKey.objects.filter(statement__in=later, key__in=hot).exists()
    assert ScreenKey.objects.filter(statement__in=later, kind=Kind.PERSON).count() == 3
    for key in hot:  # the count every rule reads stays at the cap
        assert ScreenKey.objects.filter(key=key).count() >= COUNT_CAP


REWORDED = (
    "我在大连港务局干了二十年装卸，年轻时在码头入的团，今天声明退出共青团，再也不受它的骗，愿天下人都看清真相。",
    "我在大连港务局干了二十年装卸，年轻时在码头入的团，今天郑重声明退出共青团，再也不受它的骗，愿天下人都看清真相。",
)  # fmt: skip


def test_an_anonymous_reworded_repeat_of_a_rare_text_is_a_duplicate(screen: Any) -> None:
    first = receive(name="", name_kind="anonymous", text=REWORDED[0], region="210200")
    again = receive(
        name="", name_kind="anonymous", text=REWORDED[1], region="210200",
        received_at=EARLIER + dt.timedelta(minutes=20),
    )  # fmt: skip
    screen()
    assert decisions()[again.pk] == ("duplicate", ["reworded_repeat"], first.pk)


def test_anonymous_statements_in_wording_many_named_people_use_are_different_people(
    screen: Any,
) -> None:
    """Named statements store their first COMMON_BANDS band keys only to tell how common a
    wording is: once more than 50 people wrote it, two anonymous statements in it from one
    place are not compared through their bands (only the same text would be compared)."""
    from santui.screening.actions import COUNT_CAP

    for i in range(COUNT_CAP + 2):
        receive(name=f"化名{i}", text=REWORDED[0], received_at=EARLIER - dt.timedelta(hours=i + 1))
    first = receive(name="", name_kind="anonymous", text=REWORDED[0], region="210200")
    again = receive(
        name="", name_kind="anonymous", text=REWORDED[1], region="210200",
        received_at=EARLIER + dt.timedelta(minutes=20),
    )  # fmt: skip
    screen()
    d = decisions()
    assert d[first.pk][0] == "accepted"
    assert d[again.pk][0] == "accepted"
