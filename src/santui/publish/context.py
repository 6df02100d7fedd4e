"""Official membership of the Chinese Communist Party at year ends, as the party reports it:
context for the registry's figures, never mixed with them (/stats/ and /api/v1/context).

Figures from /work/shared/domain.md ("as reported by the party"); the party publishes them in
its yearly intra-party statistical bulletin (中国共产党党内统计公报) of the Central
Organization Department, about half a year after the year end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Membership:
    year: int
    members: int
    as_reported: str  # the figure as the party states it

    @property
    def date(self) -> dt.date:
        return dt.date(self.year, 12, 31)


OFFICIAL_MEMBERSHIP: tuple[Membership, ...] = (
    Membership(2021, 96_710_000, "96.71 million"),
    Membership(2022, 98_040_000, "98.04 million"),
    Membership(2023, 99_185_000, "99.185 million"),
)

SOURCE = (
    "Chinese Communist Party, intra-party statistical bulletins (中国共产党党内统计公报) of its "
    "Central Organization Department, as reported in the news; members at the end of each year."
)
SOURCE_TEXT = _("Intra-party statistical bulletins of the Chinese Communist Party, as reported.")
CAVEAT = _(
    "These are the party's own figures of its current members at each year end; nobody can "
    "check them. The registry counts something else: persons who declared that they quit the "
    "party, added up since 2004. The two cannot be subtracted from one another."
)


def memberships_in(*, date_from: dt.date | None, date_to: dt.date | None) -> list[Membership]:
    """The official figures whose year end lies in the range (inclusive; None: open)."""
    return [
        m
        for m in OFFICIAL_MEMBERSHIP
        if (date_from is None or m.date >= date_from) and (date_to is None or m.date <= date_to)
    ]
