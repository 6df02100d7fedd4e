"""Indexing statements decided without screening (``screening_index_decided``): past the mark,
in id order, a chunk at a time, stopping at the first statement not settled or still waiting
for the screener."""

from __future__ import annotations

import datetime as dt

import pytest

from santui.screening import actions
from santui.screening.actions import SETTLED, screening_index_decided
from santui.screening.models import IndexMark, Screening
from santui.statements.actions import statement_accept
from santui.statements.models import Statement
from tests.screening.conftest import receive

pytestmark = pytest.mark.django_db


def _decided(n: int) -> list[Statement]:
    made = []
    for i in range(n):
        s = receive(name=f"王{i}", name_kind="real", text="", region="110000", source="office")
        statement_accept(statement=s, by=None, via="import")
        made.append(s)
    return made


def _mark() -> int:
    return IndexMark.objects.get(pk=1).up_to


def test_every_settled_decided_statement_is_indexed_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(actions, "HISTORY_CHUNK", 3)
    made = _decided(8)
    later = dt.datetime.now(dt.UTC) + SETTLED * 2
    assert screening_index_decided(batch=100, now=later) == 8
    assert set(Screening.objects.values_list("statement_id", flat=True)) == {s.pk for s in made}
    assert _mark() == made[-1].pk
    assert screening_index_decided(batch=5, now=later) == 0  # nothing past the mark


def test_batch_bounds_a_call_and_the_next_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "HISTORY_CHUNK", 3)
    made = _decided(7)
    later = dt.datetime.now(dt.UTC) + SETTLED * 2
    assert screening_index_decided(batch=5, now=later) == 5
    assert _mark() == made[4].pk
    assert screening_index_decided(batch=5, now=later) == 2
    assert _mark() == made[-1].pk


def test_the_mark_stops_at_the_first_statement_not_settled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A statement with a lower id but a later creation (a transaction that committed late)
    is not passed over: the mark waits before it, even when settled ones follow."""
    monkeypatch.setattr(actions, "HISTORY_CHUNK", 2)
    a, b, c, d = _decided(4)
    now = dt.datetime.now(dt.UTC) + SETTLED * 2
    Statement.objects.filter(pk=b.pk).update(created_at=now)  # b not settled yet at ``now``
    assert screening_index_decided(batch=100, now=now) == 1
    assert _mark() == a.pk
    assert set(Screening.objects.values_list("statement_id", flat=True)) == {a.pk}
    assert screening_index_decided(batch=100, now=now + SETTLED * 2) == 3  # once it settles
    assert _mark() == d.pk
    assert set(Screening.objects.values_list("statement_id", flat=True)) == {
        a.pk, b.pk, c.pk, d.pk,
    }  # fmt: skip
