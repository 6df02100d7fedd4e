"""A new statement and its creation row in one round trip (santui.statements.inserts): the rows
are what the ORM's ``save`` stores, both or neither."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.statements.inserts import insert_with_change
from santui.statements.models import Statement, Status, StatusChange

WHEN = dt.datetime(2026, 12, 4, 23, 59, 30, tzinfo=dt.UTC)


def _statement(**overrides: Any) -> Statement:
    values: dict[str, Any] = {
        "source": "web",
        "channel": "web",
        "received_at": WHEN,
        "text": "我声明退出中共的党、团、队组织。",
        "text_masked": "我声明退出中共的党、团、队组织。",
        "party": True,
        "league": False,
        "pioneers": True,
        "headcount": 3,
        "name": "王小明",
        "contact": "someone@example.org",
        "name_kind": "real",
        "region": "110101",
        "sector": "police",
        "declarant": "family",
        "current_party_member": None,
        "publish": True,
        "status": Status.RECEIVED,
        "commitment": bytes(range(32)),
        "suggested": {"organizations": ["party"], "name": None, "confidence": 0.5},
    }
    return Statement(**(values | overrides))


def _row(model: type[Any], pk: int) -> dict[str, Any]:
    """Everything stored, read back through the ORM (decrypted), but the ids and the times
    ``auto_now_add`` gives."""
    stored = model.objects.values().get(pk=pk)
    return {k: v for k, v in stored.items() if k not in ("id", "statement_id", "created_at", "at")}


def _stored_both_ways(statement: Statement, twin: Statement) -> tuple[int, int]:
    change = StatusChange(statement=statement, from_status="", to_status="received", via="t")
    insert_with_change(statement, change)
    assert statement.pk is not None and not statement._state.adding
    assert change.pk is not None and change.statement_id == statement.pk
    twin.save(force_insert=True)
    StatusChange.objects.create(statement=twin, from_status="", to_status="received", via="t")
    return statement.pk, twin.pk


@pytest.mark.django_db
def test_the_rows_are_what_the_orm_stores() -> None:
    mine, orms = _stored_both_ways(_statement(), _statement())
    assert _row(Statement, mine) == _row(Statement, orms)
    assert _row(StatusChange, StatusChange.objects.get(statement_id=mine).pk) == _row(
        StatusChange, StatusChange.objects.get(statement_id=orms).pk
    )
    stored = Statement.objects.get(pk=mine)
    assert stored.name == "王小明" and stored.created_at is not None
    # encrypted at rest, as through the ORM
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM statements_statement WHERE id = %s", [mine])
        assert "王小明".encode() not in bytes(cursor.fetchone()[0])


# PostgreSQL's text and jsonb hold no NUL, whichever way they are sent
TEXT = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(TEXT),
    name=st.text(TEXT, max_size=200),
    member=st.sampled_from([None, True, False]),
    suggested=st.none()
    | st.dictionaries(
        st.text(TEXT, max_size=8), st.integers() | st.text(TEXT, max_size=8), max_size=4
    ),
)
def test_any_values_are_stored_as_the_orm_stores_them(
    text: str, name: str, member: bool | None, suggested: dict[str, Any] | None
) -> None:
    values = {"text": text, "name": name, "current_party_member": member, "suggested": suggested}
    mine, orms = _stored_both_ways(_statement(**values), _statement(**values))
    assert _row(Statement, mine) == _row(Statement, orms)


@pytest.mark.django_db
def test_one_round_trip_on_postgresql() -> None:
    with CaptureQueriesContext(connection) as queries:
        insert_with_change(_statement(), StatusChange(from_status="", to_status="received"))
    sent = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert len(sent) == 1 and sent[0].startswith("WITH s AS (INSERT INTO")
    else:  # SQLite: two inserts in a transaction
        assert sum(q.startswith("INSERT INTO") for q in sent) == 2


@pytest.mark.django_db(transaction=True)
def test_both_rows_or_neither() -> None:
    """An audit row that cannot be stored (its actor does not exist) takes the statement with
    it."""
    User.objects.create(username="someone")
    missing = User(pk=User.objects.get().pk + 1000)
    change = StatusChange(from_status="", to_status="received", actor=missing, via="t")
    with pytest.raises(IntegrityError):
        insert_with_change(_statement(), change)
    assert not Statement.objects.exists()
    assert not StatusChange.objects.exists()
