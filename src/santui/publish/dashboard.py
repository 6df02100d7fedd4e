"""The dashboard `/stats/` and the context figures `/api/v1/context`. Read-only: selectors.

Charts are SVG drawn on the server (santui.publish.charts, docs/dashboard.md); both views are
cached by integrated size (santui.publish.caching)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from santui.publish import context as official
from santui.publish.caching import public_cache
from santui.publish.charts.dashboard import NAME_FIELDS, YearEnd, build_dashboard
from santui.publish.charts.tilemap import KEYS
from santui.publish.forms import DateRangeForm
from santui.publish.selectors import public_stats
from santui.statements.models import SECTOR_LABELS, Channel, Declarant, NameKind
from santui.tally.disclosure.periods import months_from
from santui.tally.disclosure.read import PeriodUnavailable, catalogue
from santui.tally.selectors import region_names
from santui.tally.series import organization_cumulative_at

CONTEXT_SCHEMA = 1


def _labels() -> dict[str, dict[str, str]]:
    """Translated labels of each breakdown's keys ("" stands for not stated)."""
    not_stated = _("not stated")
    return {
        "sectors": {**{k: str(v) for k, v in SECTOR_LABELS.items()}, "": not_stated},
        "channels": {**{k: str(v) for k, v in Channel.choices}, "": not_stated},
        "name_kinds": {**{k: str(v) for k, v in NameKind.choices}, "": not_stated},
    }


def _declarants(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Persons per kind of declarant, as published, in the taxonomy's order: a table (each kind
    separately, so readers can judge; docs/methodology.md)."""
    labels = dict(Declarant.choices)
    return [
        {
            "key": cell["key"],
            "label": str(labels.get(cell["key"], cell["key"])),
            "persons": cell["persons"],
            "through": cell.get("through"),
        }
        for cell in doc.get("declarants", [])
    ]


def _tile_names(language: str) -> dict[str, str]:
    """Every tile's name in the page's language, as the stats document names regions."""
    index = list(NAME_FIELDS).index(language) if language in NAME_FIELDS else 1
    return {key: region_names(key)[index] for key in KEYS}


def _year_ends(*, date_from: dt.date | None, date_to: dt.date | None) -> list[YearEnd]:
    figures = official.memberships_in(date_from=date_from, date_to=date_to)
    registry = organization_cumulative_at(organization="party", days=[m.date for m in figures])
    return [YearEnd(m.year, m.date, m.members, m.as_reported, registry[m.date]) for m in figures]


def _history(date_from: dt.date | None) -> dict[dt.date, int] | None:
    """The week before the range, for the first 7-day averages (from the cached document)."""
    if date_from is None or date_from - dt.date.min < dt.timedelta(days=7):
        return None
    week = public_stats(
        date_from=date_from - dt.timedelta(days=7), date_to=date_from, breakdowns=False
    )["daily"]
    return {dt.date.fromisoformat(d["date"]): int(d["persons"]) for d in week}


def _periods() -> list[tuple[str, str]]:
    """The released periods, for the period chooser: all time, years, months (newest first)."""
    cat = catalogue()
    out = [("all", str(_("All time")))]
    if cat.first is None or cat.last is None:
        return out
    out += [(f"{y:04d}", f"{y:04d}") for y in reversed(cat.years)]
    months = months_from(cat.first, cat.last)
    out += [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in reversed(months)]
    return out


@require_safe
@public_cache(params=("from", "to", "period"))
def stats(request: HttpRequest) -> HttpResponse:
    form = DateRangeForm(request.GET or None)
    periods = _periods()
    if form.is_bound and not form.is_valid():
        context = {"form": form, "periods": periods}
        return render(request, "publish/stats.html", context, status=400)
    dates = form.cleaned_data if form.is_bound else {}
    date_from, date_to, period = dates.get("from"), dates.get("to"), dates.get("period")
    unavailable = None
    try:
        doc = public_stats(date_from=date_from, date_to=date_to, period=period)
    except PeriodUnavailable as exc:
        unavailable = exc
        doc = public_stats(date_from=date_from, date_to=date_to, breakdowns=False)
    language = translation.get_language() or ""
    board = build_dashboard(
        doc,
        language=language,
        tile_names=_tile_names(language),
        labels=_labels(),
        history=_history(date_from),
        year_ends=_year_ends(date_from=date_from, date_to=date_to),
        panel_titles=(
            _("Party members at year end, as reported by the party"),
            _("Persons who quit the party, counted here up to the same day"),
        ),
    )
    context = {
        "form": form,
        "doc": doc,
        "board": board,
        "declarants": _declarants(doc),
        "filtered": bool(date_from or date_to or period),
        "periods": periods,
        "period": period or (doc["breakdown"] or {}).get("period") or "all",
        "unavailable": unavailable,
        "available": unavailable.available if unavailable else catalogue().describe(),
    }
    return render(request, "publish/stats.html", context)


def context_document() -> dict[str, Any]:
    """The official membership figures, their source and caveat, and beside them the persons
    this registry counted as quitting the party up to each of the same days."""
    year_ends = _year_ends(date_from=None, date_to=None)
    with translation.override("en"):
        caveat = str(official.CAVEAT)
    return {
        "schema": CONTEXT_SCHEMA,
        "official_party_membership": {
            "description": "Members of the Chinese Communist Party at the end of each year, "
            "as reported by the party",
            "source": official.SOURCE,
            "caveat": caveat,
            "figures": [
                {
                    "year": y.year,
                    "date": y.date.isoformat(),
                    "members": y.official,
                    "as_reported": y.as_reported,
                }
                for y in year_ends
            ],
        },
        "party_withdrawals": {
            "description": "Persons this registry counted as quitting the Chinese Communist "
            "Party from the first statement (2004-12-03) up to and including each date: a "
            "cumulative count of declarations, not a count of current members",
            "figures": [
                {"year": y.year, "date": y.date.isoformat(), "persons": y.registry}
                for y in year_ends
            ],
        },
    }


@require_safe
@public_cache(params=())
def api_context(request: HttpRequest) -> HttpResponse:
    return JsonResponse(context_document(), json_dumps_params={"ensure_ascii": False})
