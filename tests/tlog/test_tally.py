"""LogTally: what a log adds up to, per day and per organization, from its leaves alone."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tlog.leaf import ORGANIZATION_BITS, LeafError, encode_add, encode_revoke
from santui.tlog.tally import LogTally

DAY = dt.date(2024, 3, 1)
C = bytes(32)


def add(day: dt.date, headcount: int, *orgs: str) -> bytes:
    return encode_add(day, headcount, sum(ORGANIZATION_BITS[o] for o in orgs), C)


def revoke(index: int) -> bytes:
    return encode_revoke(index, "duplicate")


KEYS = ("persons", "statements", "org:party", "org:league", "org:pioneers")


def totals(tally: LogTally) -> dict[str, int]:
    """Every total, zero included (LogTally leaves out keys nothing ever touched)."""
    out = tally.totals()
    assert set(out) <= set(KEYS)
    return {key: out.get(key, 0) for key in KEYS}


def tally_of(*leaves: bytes) -> LogTally:
    tally = LogTally()
    for data in leaves:
        tally.add(data)
    return tally


def test_adds_are_summed_per_day_and_organization() -> None:
    tally = tally_of(
        add(DAY, 1, "party"),
        add(DAY, 3, "league", "pioneers"),
        add(DAY + dt.timedelta(days=1), 2, "party", "league", "pioneers"),
    )
    assert tally.size == 3
    assert totals(tally) == {
        "persons": 6,
        "statements": 3,
        "org:party": 3,
        "org:league": 5,
        "org:pioneers": 5,
    }
    assert tally.daily_persons() == {DAY: 4, DAY + dt.timedelta(days=1): 2}


def test_a_revoke_subtracts_its_add_on_the_add_s_day() -> None:
    later = DAY + dt.timedelta(days=30)
    tally = tally_of(
        add(DAY, 3, "league"),
        add(later, 2, "party"),
        revoke(0),  # written after the day-30 add, but it takes from day 0
    )
    assert tally.size == 3
    assert totals(tally) == {
        "persons": 2,
        "statements": 1,
        "org:party": 2,
        "org:league": 0,
        "org:pioneers": 0,
    }
    assert tally.daily_persons() == {later: 2}  # a day that went to zero is not listed


def test_revoking_a_revoke_is_refused() -> None:
    tally = tally_of(add(DAY, 1, "party"), revoke(0))
    with pytest.raises(LeafError, match="not a counted add"):
        tally.add(revoke(1))


def test_revoking_a_revoked_add_is_refused() -> None:
    tally = tally_of(add(DAY, 1, "party"), add(DAY, 2, "party"), revoke(0))
    before = (tally.totals(), tally.size)
    with pytest.raises(LeafError, match="not a counted add"):
        tally.add(revoke(0))
    assert (tally.totals(), tally.size) == before  # nothing was counted twice


@pytest.mark.parametrize("index", [2, 3, 10**6, 2**64 - 1])
def test_revoking_the_future_or_itself_is_refused(index: int) -> None:
    tally = tally_of(add(DAY, 1, "party"), add(DAY, 1, "league"))
    with pytest.raises(LeafError, match="not a counted add"):
        tally.add(revoke(index))  # this leaf would be at position 2
    assert tally.size == 2


def test_a_skipped_leaf_takes_a_position_and_counts_nothing() -> None:
    tally = tally_of(add(DAY, 1, "party"))
    with pytest.raises(LeafError):
        tally.add(b"\x01\x07 not a leaf")
    tally.skip()
    tally.add(add(DAY, 4, "pioneers"))
    assert tally.size == 3
    assert tally.totals()["persons"] == 5
    with pytest.raises(LeafError):
        tally.add(revoke(1))  # the skipped position is not an add
    tally.add(revoke(2))
    assert tally.totals()["persons"] == 1


@st.composite
def ledgers(draw: st.DrawFn) -> list[bytes]:
    leaves: list[bytes] = []
    live: list[int] = []
    for _ in range(draw(st.integers(0, 60))):
        if live and draw(st.booleans()):
            target = draw(st.sampled_from(live))
            live.remove(target)
            leaves.append(revoke(target))
        else:
            day = DAY + dt.timedelta(days=draw(st.integers(0, 6)))
            orgs = draw(st.sets(st.sampled_from(sorted(ORGANIZATION_BITS)), min_size=1))
            live.append(len(leaves))
            leaves.append(add(day, draw(st.integers(1, 50)), *orgs))
    return leaves


@settings(max_examples=100)
@given(ledgers())
def test_tally_equals_a_recount_of_the_live_adds(leaves: list[bytes]) -> None:
    tally = tally_of(*leaves)
    revoked = {int.from_bytes(x[2:10], "big") for x in leaves if x[1] == 1}
    live = [x for i, x in enumerate(leaves) if x[1] == 0 and i not in revoked]
    persons: Counter[dt.date] = Counter()
    orgs: Counter[str] = Counter()
    for x in live:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int.from_bytes(x[2:6], "big"))
        headcount, bits = int.from_bytes(x[6:10], "big"), x[10]
        persons[day] += headcount
        for org, bit in ORGANIZATION_BITS.items():
            if bits & bit:
                orgs[org] += headcount
    counted = totals(tally)
    assert tally.size == len(leaves)
    assert counted["persons"] == sum(persons.values())
    assert counted["statements"] == len(live)
    for org in ORGANIZATION_BITS:
        assert counted[f"org:{org}"] == orgs[org]
    assert tally.daily_persons() == {d: n for d, n in persons.items() if n}
