"""What a log adds up to: persons and statements per day and per organization, from leaves alone.

The registry's ``santui tally verify`` and the independent ``santui log verify`` both fold
leaves through this, so "the totals are what the log adds up to" is checked by code that reads
nothing but the log. A revoke subtracts the add it names, on that add's day; a revoke of a leaf
that is not a live add makes the log invalid.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter

from santui.tlog import leaf as leafcodec

Cell = tuple[str, str, dt.date]  # (stat, key, day): stat names as in the rollups
ORGS = tuple(leafcodec.ORGANIZATION_BITS.items())


class LogTally:
    __slots__ = ("bits", "cells", "days", "heads", "size")

    def __init__(self) -> None:
        self.cells: Counter[Cell] = Counter()
        # per position: the day (days since 1970), headcount and organization bits of live adds;
        # 0 bits for revokes and revoked adds. Nine bytes per leaf.
        self.days = array("i")
        self.heads = array("I")
        self.bits = array("B")
        self.size = 0

    def _count(self, day: dt.date, headcount: int, bits: int, sign: int) -> None:
        cells = self.cells
        cells[("persons", "", day)] += sign * headcount
        cells[("statements", "", day)] += sign
        for org, bit in ORGS:
            if bits & bit:
                cells[("org", org, day)] += sign * headcount

    def add(self, data: bytes) -> None:
        """Fold the next leaf (position ``self.size``), or raise LeafError."""
        leaf = leafcodec.decode(data)
        if isinstance(leaf, leafcodec.AddLeaf):
            bits = sum(leafcodec.ORGANIZATION_BITS[o] for o in leaf.organizations)
            days = (leaf.day - dt.date(1970, 1, 1)).days
            self.days.append(days)
            self.heads.append(leaf.headcount)
            self.bits.append(bits)
            self._count(leaf.day, leaf.headcount, bits, 1)
        else:
            i = leaf.add_index
            if not 0 <= i < self.size or self.bits[i] == 0:
                raise leafcodec.LeafError(
                    f"leaf {self.size} revokes leaf {i}, which is not a counted add"
                )
            day = dt.date(1970, 1, 1) + dt.timedelta(days=self.days[i])
            self._count(day, self.heads[i], self.bits[i], -1)
            self.bits[i] = 0
            self.days.append(0)
            self.heads.append(0)
            self.bits.append(0)
        self.size += 1

    def skip(self) -> None:
        """Take the place of a leaf that could not be folded (the verifier reports it)."""
        self.days.append(0)
        self.heads.append(0)
        self.bits.append(0)
        self.size += 1

    def totals(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (stat, key, _day), value in self.cells.items():
            out[f"{stat}:{key}" if key else stat] += value
        return dict(out)

    def daily_persons(self) -> dict[dt.date, int]:
        return {
            day: value
            for (stat, _key, day), value in self.cells.items()
            if stat == "persons" and value
        }
