"""Reads of rollup series beyond the stats document. Rollups only, never statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, Sum

from santui.tally.models import Rollup, Stat


def organization_cumulative_at(*, organization: str, days: Iterable[dt.date]) -> dict[dt.date, int]:
    """Persons counted as quitting ``organization`` (party, league, pioneers) from the first
    day up to and including each of ``days``: one query, whatever the number of days."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    sums = Rollup.objects.filter(stat=Stat.ORGANIZATION, key=organization).aggregate(
        **{f"d{i}": Sum("value", filter=Q(day__lte=day), default=0) for i, day in enumerate(wanted)}
    )
    return {day: int(sums[f"d{i}"]) for i, day in enumerate(wanted)}
