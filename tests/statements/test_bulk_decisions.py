"""The bulk decisions (santui.statements.bulk: statements_decide_held_bulk,
statements_revoke_bulk) write, row for row, what statement_accept and statement_reject write
one statement at a time, and refuse what they refuse.

Each case builds the same statements twice through the real actions, decides one copy a
statement at a time and the other in bulk, and compares every row written (statements, audit
rows, ledger entries), leaving out only row numbers and clock times.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.statements.actions import (
    SecondPersonRequired,
    TransitionError,
    statement_accept,
    statement_edit,
    statement_receive,
    statement_reject,
)
from santui.statements.bulk import (
    REFUSED_NOT_COUNTED,
    REFUSED_NOT_HELD,
    REFUSED_SECOND_PERSON,
    BulkDecided,
    statements_decide_held_bulk,
    statements_revoke_bulk,
)
from santui.statements.models import LedgerEntry, Statement, Status, StatusChange
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tally.verify import tally_verify

VIA = "back office"
EARLIER = timezone.now() - dt.timedelta(days=40)

# Statement columns that differ between two copies of one statement whatever is decided
# (decided_at is a clock: _rows compares whether it is set; conftest's _decisions_dated checks
# that it is the audit row's time).
_OWN = {"id", "created_at", "commitment", "decided_at"}
_STATEMENT_FIELDS = [f.attname for f in Statement._meta.concrete_fields if f.attname not in _OWN]
_CHANGE_FIELDS = ["from_status", "to_status", "reason", "note", "actor_id", "via", "changes"]
_LEDGER_FIELDS = [
    f.attname
    for f in LedgerEntry._meta.concrete_fields
    if f.attname not in {"id", "statement_id", "revokes_id", "queued_at"}
]

Spec = dict[str, Any]


def _spec(**overrides: Any) -> Spec:
    spec: Spec = {
        "publish": False, "name_kind": "alias", "headcount": 2, "region": "210102",
        "sector": "", "state": "held", "edited_by": "editor", "offset": 0,
    }  # fmt: skip
    spec.update(overrides)
    return spec


def _make(spec: Spec, users: dict[str, User], i: int) -> Statement:
    """One statement as ``spec`` says, through the actions: received (web form or office),
    edited by staff (a counted field, so it is held for a second person), then left held, or
    accepted or rejected by the second moderator."""
    name = "" if spec["name_kind"] == "anonymous" else f"化名{i}"
    s = statement_receive(
        channel="web" if spec["publish"] else "phone",
        organizations=["party", "league"] if i % 2 else ["pioneers"],
        name_kind=spec["name_kind"], name=name, text=f"我声明退出中共。第{i}号，化名{i}",
        region=spec["region"], sector=spec["sector"], publish=spec["publish"],
        headcount=spec["headcount"] + 1,
        source="web" if spec["publish"] else "office", via="test",
        received_at=EARLIER + dt.timedelta(hours=spec["offset"] + i),
        current_party_member=True if i % 3 == 0 else None,
    ).statement  # fmt: skip
    editor = users[spec["edited_by"]]
    s = statement_edit(statement=s, by=editor, changes={"headcount": spec["headcount"]}, via="t")
    assert s.status == Status.HELD
    if spec["state"] in ("accepted", "rejected"):
        s = statement_accept(statement=s, by=users["second"], via="test")
    if spec["state"] == "rejected":
        s = statement_reject(statement=s, by=users["second"], reason="spam", via="test")
    return s


def _users() -> dict[str, User]:
    return {
        name: User.objects.get_or_create(username=name, defaults={"is_staff": True})[0]
        for name in ("editor", "second", "decider")
    }


def _twins(specs: list[Spec]) -> tuple[list[int], list[int], dict[str, User]]:
    users = _users()
    one = [_make(spec, users, i).pk for i, spec in enumerate(specs)]
    two = [_make(spec, users, i).pk for i, spec in enumerate(specs)]
    return one, two, users


def _single(ids: list[int], *, kind: str, by: User, reason: str, note: str) -> BulkDecided:
    """What the workbench did before bulk decisions: each statement through its action, in
    number order, refusals counted as the workbench counted them."""
    result = BulkDecided()
    for pk in sorted(ids):
        s = Statement.objects.get(pk=pk)
        wanted = Status.ACCEPTED if kind == "revoke" else Status.HELD
        refusal = REFUSED_NOT_COUNTED if kind == "revoke" else REFUSED_NOT_HELD
        if s.status != wanted:
            result.refused[refusal] += 1
            continue
        try:
            if kind == "accept":
                statement_accept(statement=s, by=by, via=VIA)
            else:
                statement_reject(statement=s, by=by, reason=reason, note=note, via=VIA)
        except SecondPersonRequired:
            result.refused[REFUSED_SECOND_PERSON] += 1
        except TransitionError:
            result.refused[refusal] += 1
        else:
            result.decided.append(pk)
            result.persons += s.headcount
    return result


def _bulk(ids: list[int], *, kind: str, by: User, reason: str, note: str) -> BulkDecided:
    if kind == "revoke":
        return statements_revoke_bulk(ids=ids, by=by, reason=reason, note=note, via=VIA)
    return statements_decide_held_bulk(
        ids=ids, accept=kind == "accept", by=by, reason=reason, note=note, via=VIA
    )


def _rows(pk: int) -> dict[str, Any]:
    """Everything stored of one statement, without row numbers, clock times and randomness."""
    statement = Statement.objects.filter(pk=pk).values(*_STATEMENT_FIELDS).get()
    changes = list(
        StatusChange.objects.filter(statement_id=pk).order_by("id").values_list(*_CHANGE_FIELDS)
    )
    entries = list(LedgerEntry.objects.filter(statement_id=pk).order_by("id"))
    ids = [e.pk for e in entries]
    ledger = [
        (
            *(getattr(e, f) for f in _LEDGER_FIELDS),
            ids.index(e.revokes_id) if e.revokes_id else None,  # which of its own entries
        )
        for e in entries
    ]
    dated = Statement.objects.filter(pk=pk, decided_at__isnull=False).exists()
    return {"statement": statement, "dated": dated, "changes": changes, "ledger": ledger}


def _last_entry() -> int:
    return LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0


def _compare(specs: list[Spec], *, kind: str, reason: str = "", note: str = "") -> BulkDecided:
    one, two, users = _twins(specs)
    by = users["decider"]
    before = _last_entry()
    single = _single(one, kind=kind, by=by, reason=reason, note=note)
    middle = _last_entry()
    bulk = _bulk(two, kind=kind, by=by, reason=reason, note=note)
    assert [one.index(pk) for pk in single.decided] == [two.index(pk) for pk in bulk.decided]
    assert single.persons == bulk.persons
    assert +single.refused == +bulk.refused
    for a, b in zip(one, two, strict=True):
        assert _rows(a) == _rows(b), (a, b)
    # the new ledger entries, in the order the log will take them: the same statements' in both
    new = LedgerEntry.objects.order_by("id").values_list("statement_id", flat=True)
    by_single = [one.index(pk) for pk in new.filter(id__gt=before, id__lte=middle)]
    by_bulk = [two.index(pk) for pk in new.filter(id__gt=middle)]
    assert by_single == by_bulk == sorted(by_bulk)
    return bulk


MIXED = [
    _spec(),
    _spec(publish=True, name_kind="real", headcount=1),
    _spec(publish=True, name_kind="anonymous", headcount=5, region="", sector="police"),
    _spec(edited_by="decider"),  # the decider edited it: a second person must count it
    _spec(state="accepted"),  # decided already
    _spec(state="rejected"),
    _spec(headcount=30, region="HK"),
]


@pytest.mark.django_db
def test_counting_held_statements_in_bulk_writes_what_statement_accept_writes() -> None:
    bulk = _compare(MIXED, kind="accept")
    assert bulk.refused == Counter({REFUSED_NOT_HELD: 2, REFUSED_SECOND_PERSON: 1})
    assert len(bulk.decided) == 4
    public = Statement.objects.filter(pk__in=bulk.decided, publish=True)
    assert public.count() == 2 and all(s.search_text for s in public)
    tally_integrate()
    assert tally_verify().ok


@pytest.mark.django_db
def test_rejecting_held_statements_in_bulk_writes_what_statement_reject_writes() -> None:
    bulk = _compare(MIXED, kind="reject", reason="spam", note="one flood")
    # a rejection needs no second person: only the decided ones are refused
    assert bulk.refused == Counter({REFUSED_NOT_HELD: 2})
    assert StatusChange.objects.filter(note="one flood").count() == 2 * 5


@pytest.mark.django_db
def test_revoking_in_bulk_writes_what_statement_reject_writes() -> None:
    specs = [_spec(state="accepted", publish=i % 2 == 1, headcount=i + 1) for i in range(5)]
    specs += [_spec(), _spec(state="rejected")]  # held, rejected: not counted
    bulk = _compare(specs, kind="revoke", reason="declarant_request", note="asked by phone")
    assert bulk.refused == Counter({REFUSED_NOT_COUNTED: 2})
    assert bulk.persons == 1 + 2 + 3 + 4 + 5
    tally_integrate()
    assert tally_verify().ok


@pytest.mark.django_db
def test_a_statement_is_never_revoked_twice() -> None:
    users = _users()
    s = _make(_spec(state="accepted"), users, 0)
    first = statements_revoke_bulk(ids=[s.pk, s.pk], by=users["decider"], reason="spam", via=VIA)
    again = statements_revoke_bulk(ids=[s.pk], by=users["decider"], reason="spam", via=VIA)
    assert (first.decided, again.decided) == ([s.pk], [])
    assert again.refused == Counter({REFUSED_NOT_COUNTED: 1})
    assert LedgerEntry.objects.filter(statement=s, kind="revoke").count() == 1


@pytest.mark.django_db
def test_unknown_reasons_and_empty_chunks() -> None:
    users = _users()
    with pytest.raises(ValueError, match="reject reason"):
        statements_decide_held_bulk(ids=[1], accept=False, by=None, reason="whim", via=VIA)
    with pytest.raises(ValueError, match="reject reason"):
        statements_revoke_bulk(ids=[1], by=None, reason="", via=VIA)
    empty = statements_decide_held_bulk(ids=[], accept=True, by=users["decider"], via=VIA)
    assert (empty.decided, empty.persons, +empty.refused) == ([], 0, Counter())
    missing = statements_revoke_bulk(ids=[10**12], by=None, reason="spam", via=VIA)
    assert missing.refused == Counter({REFUSED_NOT_COUNTED: 1})


@pytest.mark.django_db
def test_the_rules_never_count_a_statement_staff_edited() -> None:
    """by=None (no person) is refused on every edited statement, as statement_accept does."""
    users = _users()
    s = _make(_spec(), users, 0)
    result = statements_decide_held_bulk(ids=[s.pk], accept=True, by=None, via=VIA)
    assert result.refused == Counter({REFUSED_SECOND_PERSON: 1})
    assert Statement.objects.get(pk=s.pk).status == Status.HELD


specs = st.lists(
    st.builds(
        _spec,
        publish=st.booleans(),
        name_kind=st.sampled_from(["real", "alias", "anonymous"]),
        headcount=st.integers(1, 50),
        region=st.sampled_from(["", "210102", "110000", "TW"]),
        sector=st.sampled_from(["", "student", "military"]),
        state=st.sampled_from(["held", "held", "accepted", "rejected"]),
        edited_by=st.sampled_from(["editor", "editor", "decider"]),
    ),
    min_size=1,
    max_size=6,
)


class BulkEqualsSingle(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(specs, st.sampled_from(["accept", "reject", "revoke"]))
    def test_bulk_and_single_write_the_same_rows(self, chosen: list[Spec], kind: str) -> None:
        IntegrationState.objects.get_or_create(pk=1)
        _compare(chosen, kind=kind, reason="" if kind == "accept" else "other", note="n")
        tally_integrate()
        report = tally_verify()
        assert report.ok, report.problems
