"""Public pages and the JSON API. Read-only: they call selectors, never actions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from santui.publish.forms import DateRangeForm
from santui.publish.openapi import openapi_document
from santui.publish.selectors import public_stats
from santui.statements.models import SECTOR_LABELS, Channel, NameKind


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    doc = public_stats(date_from=None, date_to=None)
    latest = doc["milestones"][-1] if doc["milestones"] else None
    as_of = (  # in the reporting zone, as the days are
        dt.datetime.fromisoformat(doc["as_of"])
        .astimezone(ZoneInfo(doc["timezone"]))
        .strftime("%Y-%m-%d %H:%M")
        if doc["as_of"]
        else None
    )
    context = {"doc": doc, "latest_milestone": latest, "as_of": as_of}
    return render(request, "publish/home.html", context)


def _labelled(cells: list[dict[str, Any]], labels: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**cell, "label": labels.get(cell["key"], cell["key"] or "—")} for cell in cells]


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    form = DateRangeForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    date_from = form.cleaned_data.get("from") if valid else None
    date_to = form.cleaned_data.get("to") if valid else None
    doc = public_stats(date_from=date_from, date_to=date_to)
    context = {
        "form": form,
        "doc": doc,
        "sectors": _labelled(doc["sectors"], SECTOR_LABELS),
        "channels": _labelled(doc["channels"], dict(Channel.choices)),
        "name_kinds": _labelled(doc["name_kinds"], dict(NameKind.choices)),
        "daily": list(reversed(doc["daily"]))[:60],
    }
    status = 400 if form.is_bound and not valid else 200
    return render(request, "publish/stats.html", context, status=status)


@require_GET
def api_stats(request: HttpRequest) -> JsonResponse:
    form = DateRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"error": "bad_request", "detail": form.errors}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    doc = public_stats(date_from=data.get("from"), date_to=data.get("to"))
    return JsonResponse(doc, json_dumps_params={"ensure_ascii": False})


@require_GET
def api_openapi(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        json.dumps(openapi_document(), ensure_ascii=False, indent=2),
        content_type="application/json",
    )
