import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from santui.statements.actions import (
    TransitionError,
    counting_day,
    statement_accept,
    statement_receive,
    statement_reject,
)
from santui.statements.models import EntryKind, LedgerEntry, Statement, Status, StatusChange
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db


def test_receive_stores_statement_and_audit_row_and_no_ledger_entry() -> None:
    received = statement_receive(
        channel="web", organizations=["league"], name_kind="anonymous", source="web", via="t",
        issue_receipt=True,
    )  # fmt: skip
    s = received.statement
    assert s.status == Status.RECEIVED
    assert (s.party, s.league, s.pioneers) == (False, True, False)
    assert received.receipt_code and s.receipt_hash
    assert received.receipt_code.replace("-", "") not in s.receipt_hash
    assert list(s.changes.values_list("from_status", "to_status")) == [("", "received")]
    assert not LedgerEntry.objects.exists()


def test_accept_queues_one_add_entry_with_the_counted_snapshot() -> None:
    s = ReceivedStatementFactory(
        headcount=5, region="210102", sector="police", current_party_member=True,
        received_at=dt.datetime(2005, 4, 20, 17, 30, tzinfo=dt.UTC),  # 01:30 on the 21st in Beijing
    )  # fmt: skip
    statement_accept(statement=s, by=None, via="t")
    entry = LedgerEntry.objects.get()
    assert entry.kind == EntryKind.ADD
    assert entry.position is None
    assert entry.day == dt.date(2005, 4, 21)
    assert entry.headcount == 5
    assert entry.region == "210000"  # counted at province level
    assert (entry.sector, entry.current_party_member) == ("police", True)
    assert Statement.objects.get().status == Status.ACCEPTED


def test_reject_of_counted_statement_queues_a_revoke_copying_the_add() -> None:
    s = AcceptedStatementFactory(headcount=3)
    statement_reject(statement=s, by=None, reason="duplicate", note="same as #1", via="t")
    add, revoke = LedgerEntry.objects.order_by("id")
    assert revoke.kind == EntryKind.REVOKE
    assert revoke.revokes_id == add.pk
    assert (revoke.headcount, revoke.day, revoke.reason) == (3, add.day, "duplicate")
    change = StatusChange.objects.order_by("-id").first()
    assert change is not None
    assert (change.from_status, change.to_status, change.reason, change.note) == (
        "accepted", "rejected", "duplicate", "same as #1",
    )  # fmt: skip


def test_reject_of_received_statement_queues_nothing() -> None:
    s = ReceivedStatementFactory()
    statement_reject(statement=s, by=None, reason="spam", via="t")
    assert not LedgerEntry.objects.exists()
    assert Statement.objects.get().reject_reason == "spam"


@pytest.mark.parametrize(
    "status_path", [["accept", "accept"], ["reject", "accept"], ["reject", "reject"]]
)
def test_transitions_that_are_not_allowed_raise_and_change_nothing(status_path: list[str]) -> None:
    s = ReceivedStatementFactory()
    do = {
        "accept": lambda: statement_accept(statement=s, by=None, via="t"),
        "reject": lambda: statement_reject(statement=s, by=None, reason="other", via="t"),
    }
    do[status_path[0]]()
    before = (LedgerEntry.objects.count(), StatusChange.objects.count())
    with pytest.raises(TransitionError):
        do[status_path[1]]()
    assert (LedgerEntry.objects.count(), StatusChange.objects.count()) == before


def test_unknown_reject_reason_is_refused() -> None:
    s = ReceivedStatementFactory()
    with pytest.raises(ValueError, match="unknown reject reason"):
        statement_reject(statement=s, by=None, reason="because", via="t")
    assert Statement.objects.get().status == Status.RECEIVED


def test_counting_day_uses_the_reporting_time_zone(settings) -> None:  # type: ignore[no-untyped-def]
    moment = dt.datetime(2022, 8, 2, 16, 0, tzinfo=dt.UTC)
    assert counting_day(moment) == dt.date(2022, 8, 3)
    settings.SANTUI_REPORTING_TZ = "America/New_York"
    assert counting_day(moment) == dt.date(2022, 8, 2)


def test_names_are_encrypted_at_rest() -> None:
    from django.db import connection

    ReceivedStatementFactory(name="王秀英", contact="+86 138 0000 0000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM statements_statement")
        name, contact = cursor.fetchone()
    assert "王秀英".encode() not in bytes(name)
    assert b"138" not in bytes(contact)
    assert Statement.objects.get().name == "王秀英"


@pytest.mark.parametrize("declarant", ["self", "family", "volunteer", "deceased"])
def test_who_declares_is_stored_and_carried_by_the_add_and_the_revoke(declarant: str) -> None:
    s = AcceptedStatementFactory(headcount=4, declarant=declarant)
    assert Statement.objects.get(pk=s.pk).declarant == declarant
    statement_reject(statement=s, by=None, reason="other", via="t")
    add, revoke = LedgerEntry.objects.order_by("id")
    assert (add.declarant, revoke.declarant) == (declarant, declarant)


def test_who_declares_defaults_to_the_person_themselves() -> None:
    s = statement_receive(channel="phone", organizations=["party"], name_kind="anonymous",
                          source="t", via="t").statement  # fmt: skip
    assert s.declarant == "self"


@pytest.mark.parametrize("bad", ["", "Family", "neighbour", "self ", "家属"])
def test_an_unknown_declarant_is_refused_by_the_action_and_the_database(bad: str) -> None:
    with pytest.raises(ValueError, match="declarant"):
        statement_receive(channel="phone", organizations=["party"], name_kind="anonymous",
                          declarant=bad, source="t", via="t")  # fmt: skip
    assert not Statement.objects.exists()
    s = ReceivedStatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=s.pk).update(declarant=bad)
    accepted = AcceptedStatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(statement=accepted).update(declarant=bad)
