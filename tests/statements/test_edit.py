"""Staff edits (statement_edit): the audit diff, the two-person rule on counted fields, consent
that only a declarant gives, and the counts staying provable whatever staff do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.screening.run import screen_all
from santui.statements.actions import (
    EditRefused,
    SecondPersonRequired,
    TransitionError,
    statement_accept,
    statement_edit,
    statement_receive,
    statement_reject,
)
from santui.statements.models import LedgerEntry, Statement, StatusChange
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tally.selectors import stats_document
from santui.tally.verify import tally_verify
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory
from tests.screening.conftest import receive as receive_web

pytestmark = pytest.mark.django_db
EARLIER = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
BEIJING = dt.timezone(dt.timedelta(hours=8))


def user(name: str) -> User:
    return User.objects.create_user(name, password="x" * 16)


def web_statement(**overrides: Any) -> Statement:
    """A statement as a web declarant sends it (tests.screening.conftest.receive), on a fixed
    day."""
    return receive_web(**({"received_at": EARLIER} | overrides))


def edit_rows(statement: Statement) -> list[StatusChange]:
    return list(StatusChange.objects.filter(statement=statement, changes__isnull=False))


# --- the audit diff ------------------------------------------------------------------------


def test_an_edit_records_old_and_new_values_and_personal_data_only_as_changed() -> None:
    s = ReceivedStatementFactory(name="旧名字", contact="old@example.org", headcount=1)
    alice = user("alice")
    edited = statement_edit(
        statement=s,
        by=alice,
        changes={
            "headcount": 100000, "region": "310000", "sector": "police", "name": "新名字",
            "contact": "new@example.org", "text": "改写的文字", "league": False,
            "received_at": dt.datetime(2024, 5, 1, 21, 30, tzinfo=BEIJING),
            "channel": "phone",  # unchanged: not in the diff
        },
        via="test",
    )  # fmt: skip
    [row] = edit_rows(s)
    assert row.actor == alice and row.via == "test"
    assert row.changes == {
        "headcount": [1, 100000],
        "region": ["210100", "310000"],
        "sector": ["", "police"],
        "name": ["(changed)", "(changed)"],
        "contact": ["(changed)", "(changed)"],
        "text": ["(changed)", "(changed)"],
        "league": [True, False],
        "received_at": [s.received_at.astimezone(dt.UTC).isoformat(), "2024-05-01T13:30:00+00:00"],
    }
    # a counted field changed on a received statement: held for a person, and the row says so
    assert (row.from_status, row.to_status, edited.status) == ("received", "held", "held")
    s.refresh_from_db()
    assert (s.headcount, s.name, s.contact, s.league) == (
        100000,
        "新名字",
        "new@example.org",
        False,
    )
    # the personal values are nowhere in the audit trail
    trail = str(list(StatusChange.objects.values_list("changes", "note")))
    for secret in ("旧名字", "新名字", "old@example.org", "new@example.org", "改写"):
        assert secret not in trail


def test_an_edit_of_uncounted_fields_leaves_the_statement_to_screening() -> None:
    s = ReceivedStatementFactory(sector="")
    edited = statement_edit(statement=s, by=user("a"), changes={"sector": "farmer"}, via="t")
    assert edited.status == "received"
    assert edit_rows(s)[0].changes == {"sector": ["", "farmer"]}
    # no change, no audit row
    statement_edit(statement=s, by=user("b"), changes={"sector": "farmer"}, via="t")
    assert len(edit_rows(s)) == 1


# --- the two-person rule -------------------------------------------------------------------


def test_the_editor_of_a_counted_field_cannot_accept_another_person_can() -> None:
    s = ReceivedStatementFactory(headcount=1)
    alice, bob = user("alice"), user("bob")
    statement_edit(statement=s, by=alice, changes={"headcount": 7}, via="t")
    with pytest.raises(SecondPersonRequired, match="second moderator"):
        statement_accept(statement=s, by=alice, via="t")
    with pytest.raises(SecondPersonRequired):  # nor the rules (nobody looked)
        statement_accept(statement=s, by=None, via="t")
    assert Statement.objects.get(pk=s.pk).status == "held"
    statement_accept(statement=s, by=bob, via="t")
    assert LedgerEntry.objects.get(statement=s).headcount == 7


def test_who_declares_is_a_counted_field_a_second_person_accepts() -> None:
    """Issue 16: self or on someone's behalf decides what the count means: an edit of it is held
    for a second person, and the ledger counts the kind as corrected."""
    s = ReceivedStatementFactory(headcount=2)
    alice, bob = user("alice"), user("bob")
    edited = statement_edit(statement=s, by=alice, changes={"declarant": "deceased"}, via="t")
    assert (edited.status, edited.declarant) == ("held", "deceased")
    assert edit_rows(s)[0].changes == {"declarant": ["self", "deceased"]}
    with pytest.raises(SecondPersonRequired):
        statement_accept(statement=s, by=alice, via="t")
    statement_accept(statement=s, by=bob, via="t")
    assert LedgerEntry.objects.get(statement=s).declarant == "deceased"


def test_every_editor_of_a_counted_field_is_excluded_not_only_the_last() -> None:
    """Otherwise an editor's change is approved by themselves once a colleague touched another
    counted field after them."""
    s = ReceivedStatementFactory(headcount=1)
    alice, bob, carol = user("alice"), user("bob"), user("carol")
    statement_edit(statement=s, by=alice, changes={"headcount": 100000}, via="t")
    statement_edit(statement=s, by=bob, changes={"region": "110000"}, via="t")
    statement_edit(statement=s, by=carol, changes={"sector": "police"}, via="t")  # not counted
    for editor in (alice, bob):
        with pytest.raises(SecondPersonRequired):
            statement_accept(statement=s, by=editor, via="t")
    assert statement_accept(statement=s, by=carol, via="t").status == "accepted"


def test_an_uncounted_edit_does_not_need_a_second_person() -> None:
    s = ReceivedStatementFactory()
    alice = user("alice")
    statement_edit(statement=s, by=alice, changes={"sector": "police"}, via="t")
    assert statement_accept(statement=s, by=alice, via="t").status == "accepted"


def test_screening_holds_an_edited_statement_instead_of_counting_it() -> None:
    plain = web_statement()
    edited = web_statement(name="另一人", text="我声明退出中共的党、团、队组织。在上海工作。另一人")
    statement_edit(statement=edited, by=user("volunteer"), changes={"headcount": 3}, via="t")
    # indexed by the screener, then edited before it decides: held as well
    from santui.screening.actions import screening_index

    late = web_statement(name="第三人", text="我声明退出中共的党、团、队组织。在北京工作。第三人")
    screening_index(batch=100)
    statement_edit(statement=late, by=user("v2"), changes={"region": "110000"}, via="t")
    screen_all(delay=0)
    statuses = dict(Statement.objects.values_list("pk", "status"))
    assert statuses == {plain.pk: "accepted", edited.pk: "held", late.pk: "held"}
    assert not LedgerEntry.objects.filter(statement__in=[edited, late]).exists()


# --- what staff can never do ---------------------------------------------------------------


@pytest.mark.parametrize("source", ["web", "email"])
def test_staff_cannot_turn_publication_on_for_what_a_declarant_sent(source: str) -> None:
    s = web_statement(source=source, publish=False)
    with pytest.raises(EditRefused, match="only the declarant"):
        statement_edit(statement=s, by=user("v"), changes={"publish": True}, via="t")
    assert Statement.objects.get(pk=s.pk).publish is False
    assert not edit_rows(s)


def test_staff_may_withdraw_consent_and_record_it_for_phone_statements() -> None:
    sent = web_statement(publish=True)
    statement_edit(statement=sent, by=user("a"), changes={"publish": False}, via="t")
    assert Statement.objects.get(pk=sent.pk).publish is False
    phoned = ReceivedStatementFactory(publish=False)  # source office: consent taken by phone
    statement_edit(statement=phoned, by=user("b"), changes={"publish": True}, via="t")
    assert Statement.objects.get(pk=phoned.pk).publish is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"received_at": timezone.now() + dt.timedelta(hours=1)}, "in the future"),
        ({"received_at": dt.datetime(2024, 5, 1, 21, 30)}, "time zone"),
        ({"party": False, "league": False, "pioneers": False}, "at least one organization"),
        ({"headcount": 0}, "persons must be"),
        ({"text": "字" * 5001}, "longer than 5000"),
        ({"region": "999999"}, "GB/T 2260"),
        ({"name_kind": "nonsense"}, "name_kind"),
        ({"declarant": "neighbour"}, "declarant"),
        ({"declarant": ""}, "declarant"),
        ({"status": "accepted"}, "not editable"),
    ],
)
def test_edits_that_break_a_rule_are_refused_and_change_nothing(
    changes: dict[str, Any], message: str
) -> None:
    s = ReceivedStatementFactory()
    before = Statement.objects.filter(pk=s.pk).values().get()
    with pytest.raises(EditRefused, match=message):
        statement_edit(statement=s, by=user("v"), changes=changes, via="t")
    assert Statement.objects.filter(pk=s.pk).values().get() == before
    assert not edit_rows(s)


def test_decided_statements_are_frozen() -> None:
    counted = AcceptedStatementFactory()
    with pytest.raises(TransitionError, match="frozen"):
        statement_edit(statement=counted, by=user("v"), changes={"headcount": 9}, via="t")
    assert Statement.objects.get(pk=counted.pk).headcount == 1


# --- tally = recount = log, whatever staff do ----------------------------------------------

USERS = 2  # staff0, staff1; None is the rules
receive = st.tuples(st.just("receive"), st.integers(1, 50), st.sampled_from(["web", "office"]))
edit = st.tuples(
    st.just("edit"),
    st.integers(0, 2),
    st.integers(0, USERS - 1),
    st.fixed_dictionaries(
        {},
        optional={
            "headcount": st.integers(1, 500),
            "party": st.booleans(),
            "league": st.booleans(),
            "region": st.sampled_from(["110101", "210100", "US", ""]),
            "received_at": st.datetimes(
                min_value=dt.datetime(2010, 1, 1),
                max_value=dt.datetime(2024, 12, 31),
                timezones=st.just(dt.UTC),
            ),
            "sector": st.sampled_from(["", "police", "farmer"]),
            "publish": st.booleans(),
        },
    ),
)
accept = st.tuples(st.just("accept"), st.integers(0, 2), st.sampled_from([None, 0, 1]))
reject = st.tuples(st.just("reject"), st.integers(0, 2))
integrate = st.tuples(st.just("integrate"), st.integers(1, 5))
operations = st.lists(
    st.one_of(receive, edit, edit, accept, accept, reject, integrate), max_size=40
)


class TallyHoldsWhateverStaffDo(TestCase):
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(receive, min_size=1, max_size=4), operations)
    def test_verify_holds_after_any_edits_accepts_and_rejects(
        self, first: list[Any], then: list[Any]
    ) -> None:
        IntegrationState.objects.get_or_create(pk=1)
        staff = [User.objects.get_or_create(username=f"staff{i}")[0] for i in range(USERS)]
        model: dict[int, dict[str, Any]] = {}  # pk -> status, headcount, editors
        for op in first + then:
            if op[0] == "receive":
                s = statement_receive(
                    channel="phone", organizations=["party"], name_kind="anonymous",
                    headcount=op[1], received_at=EARLIER, source=op[2], via="t",
                ).statement  # fmt: skip
                model[s.pk] = {"status": "received", "headcount": op[1], "editors": set()}
                continue
            if op[0] == "integrate":
                tally_integrate(batch_size=op[1])
                report = tally_verify()
                assert report.ok, report.problems
                continue
            if not model:
                continue
            pk = sorted(model)[op[1] % len(model)]
            m, statement = model[pk], Statement.objects.get(pk=pk)
            if op[0] == "edit":
                by, changes = staff[op[2]], op[3]
                try:
                    statement_edit(statement=statement, by=by, changes=changes, via="t")
                except TransitionError:
                    assert m["status"] not in ("received", "held")
                    event("edit refused: frozen")
                    continue
                except EditRefused as exc:
                    event(f"edit refused: {str(exc)[:20]}")
                    continue  # no organization left, or consent on a web statement
                now = Statement.objects.get(pk=pk)
                m["headcount"] = now.headcount
                counted = {"headcount", "party", "league", "region", "received_at"}
                if any(getattr(statement, f) != v for f, v in changes.items() if f in counted):
                    m["editors"].add(by.pk)
                    event("counted edit")
                    if m["status"] == "received":
                        m["status"] = "held"
            elif op[0] == "accept":
                by = None if op[2] is None else staff[op[2]]
                try:
                    statement_accept(statement=statement, by=by, via="t")
                    assert m["status"] in ("received", "held")
                    assert not m["editors"] or (by is not None and by.pk not in m["editors"])
                    m["status"] = "accepted"
                    event("accepted after a counted edit" if m["editors"] else "accepted")
                except SecondPersonRequired:
                    assert m["editors"] and (by is None or by.pk in m["editors"])
                    event("accept refused: needs a second person")
                except TransitionError:
                    assert m["status"] not in ("received", "held")
            else:
                try:
                    statement_reject(statement=statement, by=staff[0], reason="spam", via="t")
                    m["status"] = "rejected"
                except TransitionError:
                    assert m["status"] == "rejected"
        tally_integrate(batch_size=3)
        report = tally_verify()
        assert report.ok, report.problems
        doc = stats_document(public=False)
        counted = [m for m in model.values() if m["status"] == "accepted"]
        assert doc["persons"] == sum(m["headcount"] for m in counted)
        assert doc["statements"] == len(counted)


def test_the_editor_of_a_counted_field_cannot_reinstate_it_as_not_a_duplicate() -> None:
    from django.contrib.auth.models import User

    from santui.statements.actions import (
        SecondPersonRequired,
        statement_edit,
        statement_reinstate,
        statement_reject,
    )
    from tests.factories import ReceivedStatementFactory

    editor = User.objects.create_user("editor2", password="x" * 16)
    other = User.objects.create_user("other2", password="x" * 16)
    s = ReceivedStatementFactory()
    statement_edit(statement=s, by=editor, changes={"headcount": 40}, via="test")
    statement_reject(statement=s, by=editor, reason="duplicate", via="test")
    with pytest.raises(SecondPersonRequired):
        statement_reinstate(statement=s, by=editor, via="test")
    assert statement_reinstate(statement=s, by=other, via="test").status == "accepted"
