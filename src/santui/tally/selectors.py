"""Reads of the figures. Public figures come from rollups only, never from a scan of statements.

``stats_document`` builds the document that `santui stats --json` prints and `/api/v1/stats`
serves (schema: docs/stats-format.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Any

from babel import Locale
from django.conf import settings
from django.db.models import Sum

from santui.statements.models import Channel, NameKind
from santui.tally.models import IntegrationState, Rollup, Stat
from santui.textparse.regions import MAINLAND, PROVINCE_NAMES_EN, gazetteer
from santui.textparse.script import to_traditional
from santui.textparse.sectors import SECTORS

SCHEMA_VERSION = 1


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def region_names(code: str) -> tuple[str, str, str]:
    """(English, Simplified Chinese, Traditional Chinese) names of a rollup region key."""
    if not code:
        return "unknown", "不详", "不詳"
    if code == MAINLAND:
        return "Mainland China, province unknown", "中国大陆（省份不详）", "中國大陸（省份不詳）"
    province = gazetteer().provinces.get(code)
    if province is not None:
        return PROVINCE_NAMES_EN.get(code, code), province.name, to_traditional(province.name)
    return tuple(_territories(loc).get(code, code) for loc in ("en", "zh_Hans", "zh_Hant"))  # type: ignore[return-value]


def integrated_size() -> int:
    return IntegrationState.objects.values_list("size", flat=True).get(pk=1)


def milestones(daily: list[tuple[dt.date, int]], *, step: int) -> list[dict[str, Any]]:
    """First day the cumulative total reached each multiple of ``step``."""
    out: list[dict[str, Any]] = []
    cumulative = 0
    next_mark = step
    for day, persons in daily:
        cumulative += persons
        while step > 0 and cumulative >= next_mark:
            out.append({"persons": next_mark, "date": day.isoformat()})
            next_mark += step
    return out


def _cells(
    sums: dict[str, dict[str, int]], stat: str, keys: list[str], *, public: bool, k: int
) -> list[dict[str, Any]]:
    cells = []
    for key in keys:
        persons = sums[stat].get(key, 0)
        if persons == 0:
            continue
        cell: dict[str, Any] = {"key": key or None, "persons": persons}
        if public and persons < k:
            cell["persons"] = None
            cell["suppressed"] = True
        cells.append(cell)
    return cells


def _members(sums: dict[str, dict[str, int]], *, public: bool, k: int) -> int | None:
    """Current party members, or None when public and fewer than k: the figure is not in the
    public log, and over a short range (one quiet day) a small one could point at a declarant
    whose statement is published."""
    members = sums[Stat.CURRENT_PARTY_MEMBERS].get("", 0)
    return None if public and 0 < members < k else members


def stats_document(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None, public: bool
) -> dict[str, Any]:
    state = IntegrationState.objects.get(pk=1)
    k = settings.SANTUI_SUPPRESS_BELOW

    ranged = Rollup.objects.all()
    if date_from:
        ranged = ranged.filter(day__gte=date_from)
    if date_to:
        ranged = ranged.filter(day__lte=date_to)
    sums: dict[str, dict[str, int]] = defaultdict(dict)
    for stat, key, total in (
        ranged.values("stat", "key").annotate(t=Sum("value")).values_list("stat", "key", "t")
    ):
        sums[stat][key] = int(total)

    all_daily = [
        (day, int(value))
        for day, value in Rollup.objects.filter(stat=Stat.PERSONS)
        .order_by("day")
        .values_list("day", "value")
        if value
    ]
    daily = []
    cumulative = 0
    for day, persons in all_daily:
        cumulative += persons
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        daily.append({"date": day.isoformat(), "persons": persons, "cumulative": cumulative})
    marks = [
        m
        for m in milestones(all_daily, step=settings.SANTUI_MILESTONE_STEP)
        if (not date_from or m["date"] >= date_from.isoformat())
        and (not date_to or m["date"] <= date_to.isoformat())
    ]

    region_keys = sorted(sums[Stat.REGION], key=lambda c: (-sums[Stat.REGION][c], c))
    regions = []
    for cell in _cells(sums, Stat.REGION, region_keys, public=public, k=k):
        code = cell.pop("key")
        name_en, name_zh, name_zh_hant = region_names(code or "")
        regions.append(
            {
                "code": code,
                "name": name_en,
                "name_zh": name_zh,
                "name_zh_hant": name_zh_hant,
                **cell,
            }
        )

    def ordered(stat: str, known: list[str]) -> list[str]:
        extra = sorted(set(sums[stat]) - set(known))
        return [key for key in [*known, *extra] if key in sums[stat]]

    return {
        "schema": SCHEMA_VERSION,
        "as_of": state.integrated_at.isoformat() if state.integrated_at else None,
        "log_size": state.size,
        "timezone": settings.SANTUI_REPORTING_TZ,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "public": public,
        "suppress_below": k if public else None,
        "persons": sums[Stat.PERSONS].get("", 0),
        "statements": sums[Stat.STATEMENTS].get("", 0),
        "organizations": {
            org: sums[Stat.ORGANIZATION].get(org, 0) for org in ("party", "league", "pioneers")
        },
        "current_party_members": _members(sums, public=public, k=k),
        "daily": daily,
        "milestone_step": settings.SANTUI_MILESTONE_STEP,
        "milestones": marks,
        "regions": regions,
        "sectors": _cells(
            sums, Stat.SECTOR, ordered(Stat.SECTOR, list(SECTORS)), public=public, k=k
        ),
        "channels": _cells(
            sums, Stat.CHANNEL, ordered(Stat.CHANNEL, list(Channel.values)), public=public, k=k
        ),
        "name_kinds": _cells(
            sums, Stat.NAME_KIND, ordered(Stat.NAME_KIND, list(NameKind.values)), public=public, k=k
        ),
    }
