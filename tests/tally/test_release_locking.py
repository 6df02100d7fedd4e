"""A release plans outside any transaction and writes in a short one (santui.tally.disclosure.
store.stats_release): on SQLite a transaction holds the whole database's write lock, and the
first release of a long history plans for minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from santui.tally.actions import tally_integrate
from santui.tally.disclosure import store
from santui.tally.models import Release
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _history() -> None:
    for day, n in (("2005-01-10", 12), ("2005-02-10", 3), ("2005-03-10", 15)):
        AcceptedStatementFactory(
            headcount=n, received_at=dt.datetime.fromisoformat(f"{day}T12:00:00+08:00")
        )
    tally_integrate()


def test_the_plan_is_made_outside_any_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    _history()
    seen: list[bool] = []
    real_plan = store.plan

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(connection.in_atomic_block)
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(store, "plan", watched)
    made = store.stats_release(now=dt.datetime.fromisoformat("2005-04-08T00:00:00+08:00"))
    assert [r.month.month for r in made] == [1, 2, 3]
    assert seen and not any(seen)


def test_a_release_made_meanwhile_is_planned_from(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process releases while this one plans: this one plans again from there, and
    no month is released twice."""
    _history()
    now = dt.datetime.fromisoformat("2005-04-08T00:00:00+08:00")
    real_plan = store.plan
    raced: list[int] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        if not raced:  # the first plan: another process releases January first
            raced.append(1)
            monkeypatch.setattr(store, "plan", real_plan)
            store.stats_release(now=dt.datetime.fromisoformat("2005-02-08T00:00:00+08:00"))
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(store, "plan", racing)
    made = store.stats_release(now=now)
    assert [r.month.month for r in made] == [2, 3]
    assert list(Release.objects.order_by("number").values_list("month__month", flat=True)) == [
        1,
        2,
        3,
    ]
