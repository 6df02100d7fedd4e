"""Which rollup cells one ledger entry touches. Shared by the integrator and the recount, so that
the recount re-derives figures from source with the same counting rules and nothing else."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from santui.tally.models import Stat

Cell = tuple[str, str, dt.date]  # (stat, key, day)


class Counted(NamedTuple):
    """The counted dimensions of one add entry (or of one accepted statement)."""

    day: dt.date
    headcount: int
    party: bool
    league: bool
    pioneers: bool
    current_party_member: bool
    region: str
    sector: str
    channel: str
    name_kind: str
    declarant: str


def cells_of(c: Counted) -> Iterable[tuple[Cell, int]]:
    n = c.headcount
    yield (Stat.PERSONS, "", c.day), n
    yield (Stat.STATEMENTS, "", c.day), 1
    if c.party:
        yield (Stat.ORGANIZATION, "party", c.day), n
    if c.league:
        yield (Stat.ORGANIZATION, "league", c.day), n
    if c.pioneers:
        yield (Stat.ORGANIZATION, "pioneers", c.day), n
    if c.current_party_member:
        yield (Stat.CURRENT_PARTY_MEMBERS, "", c.day), n
    yield (Stat.REGION, c.region, c.day), n
    yield (Stat.SECTOR, c.sector, c.day), n
    yield (Stat.CHANNEL, c.channel, c.day), n
    yield (Stat.NAME_KIND, c.name_kind, c.day), n
    yield (Stat.DECLARANT, c.declarant, c.day), n


def fold(entries: Iterable[tuple[Counted, int]]) -> Counter[Cell]:
    """Sum the cells of (counted, sign) pairs; sign is +1 for adds and -1 for revokes."""
    totals: Counter[Cell] = Counter()
    for counted, sign in entries:
        for cell, value in cells_of(counted):
            totals[cell] += sign * value
    return totals
