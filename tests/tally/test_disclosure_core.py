"""The pure core of disclosure control (santui.tally.disclosure): the schedule, and that the
suppression it plans passes its own audit, never revises a frozen release, and that withholding
everything new is always safe (the premise of hardening)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tally.disclosure.audit import audit
from santui.tally.disclosure.periods import (
    due_at,
    last_due_month,
    month_end,
    next_month,
    parse_period,
)
from santui.tally.disclosure.plan import plan
from santui.tally.disclosure.tables import Release, harden

K = 10
ZONE = "Asia/Shanghai"


MOMENTS = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC))


@given(now=MOMENTS, lag=st.integers(0, 27))
def test_the_last_due_month_is_due_and_the_next_is_not(now: dt.datetime, lag: int) -> None:
    month = last_due_month(now, zone=ZONE, lag_days=lag)
    assert month.day == 1
    assert (
        due_at(month, zone=ZONE, lag_days=lag)
        <= now
        < due_at(next_month(month), zone=ZONE, lag_days=lag)
    )
    # nothing of a day that has not begun: the month ended before it was due
    assert month_end(month) < now.astimezone(ZoneInfo(ZONE)).date()


def test_periods_parse() -> None:
    assert parse_period("2025-10").last == dt.date(2025, 10, 31)  # type: ignore[union-attr]
    assert parse_period("2024").kind == "year"  # type: ignore[union-attr]
    assert parse_period("all").kind == "all"  # type: ignore[union-attr]
    for bad in ("2025-13", "2025-1", "0000", "alltime", ""):
        assert parse_period(bad) is None, bad


KEYS = ["a", "b", "c", "d", "e"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Release], int]:
    n = draw(st.integers(1, 14))
    start = draw(st.integers(1, 12))
    releases: list[Release] = []
    for i in range(n):
        month = (start - 1 + i) % 12 + 1
        year = 2020 + (start - 1 + i) // 12
        values = {x: draw(st.sampled_from([0, 0, 1, 2, 5, 9, 10, 14, 30])) for x in KEYS}
        revoked: dict[tuple[int, str], int] = {}
        if i and draw(st.booleans()):
            origin = draw(st.integers(0, i - 1))
            key = draw(st.sampled_from(KEYS))
            counted = releases[origin].new(key) - sum(
                rel.revoked.get((origin, key), 0) for rel in releases
            )
            if counted > 0:
                persons = draw(st.integers(1, counted))
                revoked[(origin, key)] = persons
                values[key] -= persons
        releases.append(Release(year, month, {x: v for x, v in values.items() if v}, revoked))
    return releases, draw(st.sampled_from([len(KEYS), 40]))


@settings(max_examples=40)
@given(history=histories(), split=st.integers(0, 14))
def test_planned_releases_pass_the_audit_and_stay_frozen(
    history: tuple[list[Release], int], split: int
) -> None:
    releases, universe = history
    split = min(split, len(releases))
    first = plan(releases[:split], [], k=K, universe=universe)
    rest = plan(releases, first, k=K, universe=universe)
    decided = first + rest
    assert len(decided) == len(releases)
    assert audit(releases, decided, k=K, universe=universe) == []
    for rel, pub in zip(releases, decided, strict=True):
        assert all(abs(rel.values.get(x, 0)) >= K for x in pub.month)


@settings(max_examples=40)
@given(history=histories())
def test_withholding_everything_is_always_safe(history: tuple[list[Release], int]) -> None:
    releases, universe = history
    nothing = [harden(p, 3) for p in plan(releases, [], k=K, universe=universe)]
    assert audit(releases, nothing, k=K, universe=universe) == []
