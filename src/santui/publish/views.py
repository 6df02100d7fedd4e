"""Public pages and the JSON API. Read-only: they call selectors, never actions."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import etag, require_safe

from santui.publish.caching import integration_state, public_cache
from santui.publish.forms import DateRangeForm
from santui.publish.openapi import openapi_document
from santui.publish.selectors import home_figures, latest_checkpoint, public_stats
from santui.tally.disclosure.read import PeriodUnavailable


def _local_time(value: dt.datetime | str | None) -> str | None:
    """A time in the reporting zone, as the days are counted, to the minute."""
    if value is None:
        return None
    at = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(ZoneInfo(settings.SANTUI_REPORTING_TZ)).strftime("%Y-%m-%d %H:%M")


@require_safe
@public_cache(params=())
def home(request: HttpRequest) -> HttpResponse:
    figures = home_figures(today=integration_state().day)
    checkpoint = latest_checkpoint()
    context = {
        "figures": figures,
        "as_of": _local_time(figures["as_of"]),
        "checkpoint": checkpoint,
        "signed_at": _local_time(checkpoint["signed_at"]) if checkpoint else None,
    }
    return render(request, "publish/home.html", context)


@csrf_exempt  # read-only: unsafe methods get 405 from require_safe, not 403
@require_safe
@public_cache(params=("from", "to", "period"))
def api_stats(request: HttpRequest) -> JsonResponse:
    form = DateRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"error": "bad_request", "detail": form.errors}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        doc = public_stats(
            date_from=data.get("from"), date_to=data.get("to"), period=data.get("period")
        )
    except PeriodUnavailable as exc:
        body = {"error": "period_unavailable", "detail": str(exc), "available": exc.available}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(doc, json_dumps_params={"ensure_ascii": False})


@functools.cache
def _openapi_json() -> tuple[bytes, str]:
    """The document and its hash: it changes with the code only, never with the data."""
    body = json.dumps(openapi_document(), ensure_ascii=False, indent=2).encode()
    return body, hashlib.blake2b(body, digest_size=16).hexdigest()


@csrf_exempt  # read-only: unsafe methods get 405 from require_safe, not 403
@require_safe
@etag(lambda request: _openapi_json()[1])
def api_openapi(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_openapi_json()[0], content_type="application/json")
    response["Cache-Control"] = "public, max-age=300"
    return response
