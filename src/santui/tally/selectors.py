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

from santui.statements.models import Channel, Declarant, NameKind
from santui.tally.disclosure.periods import parse_period
from santui.tally.disclosure.read import (
    PeriodUnavailable,
    breakdown,
    catalogue,
    exact_breakdown,
    resolve,
)
from santui.tally.disclosure.store import DIMENSIONS, MEMBER
from santui.tally.models import IntegrationState, Rollup, Stat
from santui.textparse.regions import MAINLAND, PROVINCE_NAMES_EN, gazetteer
from santui.textparse.script import to_traditional
from santui.textparse.sectors import SECTORS

SCHEMA_VERSION = 2
# The names of region key "": no place known, or none given ("prefer not to say").
UNKNOWN_REGION = ("unknown / not said", "不详／未说明", "不詳／未說明")


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def region_names(code: str) -> tuple[str, str, str]:
    """(English, Simplified Chinese, Traditional Chinese) names of a rollup region key."""
    if not code:
        # no place given, or "prefer not to say" on the form (docs/methodology.md)
        return UNKNOWN_REGION
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


def _ordered(cells: dict[str, dict[str, Any]], known: list[str]) -> list[dict[str, Any]]:
    """Cells in taxonomy order (keys outside it after, sorted): ``{key, persons[, through]}``."""
    extra = sorted(set(cells) - set(known))
    return [{"key": key or None, **cells[key]} for key in [*known, *extra] if key in cells]


def _regions(cells: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for code in sorted(cells, key=lambda c: (-cells[c]["persons"], c)):
        name_en, name_zh, name_zh_hant = region_names(code)
        out.append(
            {
                "code": code or None,
                "name": name_en,
                "name_zh": name_zh,
                "name_zh_hant": name_zh_hant,
                **cells[code],
            }
        )
    return out


def _breakdown(
    *, public: bool, period: str | None, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dict[str, Any] | None, dict[str, dict[str, dict[str, Any]]]]:
    """The breakdown part of the document: its description and its cells per dimension.

    Public: the published cells of the released period that answers the request (raises
    PeriodUnavailable); staff: exact cells over the requested days."""
    empty: dict[str, dict[str, dict[str, Any]]] = {d: {} for d in DIMENSIONS}
    info: dict[str, Any]
    if not public:
        info = {
            "period": period,
            "kind": None,
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "exact": True,
        }
        return info, exact_breakdown(date_from=date_from, date_to=date_to)
    cat = catalogue()
    if cat.last is None and period is None and date_from is None and date_to is None:
        return None, empty  # nothing released yet: no breakdown at all
    chosen, snapped = resolve(period=period, date_from=date_from, date_to=date_to)
    found = breakdown(chosen)
    info = {key: value for key, value in found.items() if key != "cells"}
    info |= {"snapped": snapped, "exact": False, "next_release": cat.next_release()}
    return info, found["cells"]


_TOTALS = (Stat.PERSONS, Stat.STATEMENTS, Stat.ORGANIZATION)  # the document's own totals


def stats_document(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    public: bool,
    period: str | None = None,
    breakdowns: bool = True,
) -> dict[str, Any]:
    """Totals and the daily series over ``date_from``..``date_to`` (exact: the public log tells
    them), and the breakdowns: published ones of a released period when ``public`` (the period
    asked for, or the one the range snaps to; PeriodUnavailable when none), exact ones over the
    range for staff. ``period`` without a range sets the range to the period's days.
    ``breakdowns=False``: totals and the daily series only (``breakdown`` is null)."""
    state = IntegrationState.objects.get(pk=1)
    k = settings.SANTUI_SUPPRESS_BELOW
    if period is not None:
        chosen = parse_period(period)
        if chosen is None:
            raise PeriodUnavailable(
                f"not a period: {period!r} (all, YYYY or YYYY-MM)", catalogue().describe()
            )
        if date_from is None and date_to is None and chosen.kind != "all":
            date_from, date_to = chosen.first, chosen.last
    if breakdowns:
        info, cells = _breakdown(public=public, period=period, date_from=date_from, date_to=date_to)
    else:
        info, cells = None, {d: {} for d in DIMENSIONS}

    # Only the stats whose totals the document prints: the breakdowns come from releases (or
    # exact_breakdown), so summing every stat read ten times the rows for nothing (a scan of
    # days x keys: 519,000 rows and 100 ms on PostgreSQL for the history's 7,500 days).
    ranged = Rollup.objects.filter(stat__in=_TOTALS)
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

    member = cells["member"].get(MEMBER)
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
        "daily": daily,
        "milestone_step": settings.SANTUI_MILESTONE_STEP,
        "milestones": marks,
        "breakdown": info,
        # all time: only a current figure (a key's older one is marked "through" in the tables)
        "current_party_members": member["persons"] if member and "through" not in member else None,
        "regions": _regions(cells["region"]),
        "sectors": _ordered(cells["sector"], list(SECTORS)),
        "channels": _ordered(cells["channel"], list(Channel.values)),
        "name_kinds": _ordered(cells["name_kind"], list(NameKind.values)),
        "declarants": _ordered(cells["declarant"], list(Declarant.values)),
    }
