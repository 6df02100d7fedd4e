"""Public statements: the searchable list /statements/, permalinks /statements/<number>/, and
the same as JSON under /api/v1/statements (docs/public-statements.md). Read-only.

Only statements whose declarants consented, accepted and counted (``public_entries``) are ever
shown; the number of a statement is its leaf index in the public log.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import uri_to_iri
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from santui.publish.caching import public_cache
from santui.publish.charts.tilemap import KEYS
from santui.publish.forms_statements import StatementSearchForm, region_label
from santui.statements.models import SECTOR_LABELS, Channel, LedgerEntry, NameKind, Organization
from santui.statements.public import StatementQuery, public_entry, public_page, public_record
from santui.tally.selectors import region_names
from santui.textparse.regions import MAINLAND, iso_codes

_CHANNELS = dict(Channel.choices)
_ORGANIZATIONS = dict(Organization.choices)
_NAME_KINDS = dict(NameKind.choices)
_JSON = {"ensure_ascii": False}


def _links(number: int) -> dict[str, str]:
    return {
        "url": reverse("publish:statement", kwargs={"number": number}),
        "proof": f"{reverse('publish:api-log-inclusion')}?index={number}",
    }


def _item(entry: LedgerEntry, *, language: str) -> dict[str, Any]:
    """What a page shows of one statement: its public record with labels in the page language."""
    record = public_record(entry)
    return {
        **record,
        **_links(record["number"]),
        "region_name": region_label(record["region"] or "", language=language),
        "sector_label": SECTOR_LABELS.get(record["sector"] or ""),
        "channel_label": _CHANNELS.get(record["channel"], record["channel"]),
        "organization_labels": [_ORGANIZATIONS[o] for o in record["organizations"]],
        "name_kind_label": _NAME_KINDS.get(record["name_kind"], record["name_kind"]),
    }


def _api_record(entry: LedgerEntry) -> dict[str, Any]:
    """The public record, the region's names in English, Simplified and Traditional Chinese
    (as /api/v1/stats gives them), and the statement's page and inclusion proof."""
    record = public_record(entry)
    names = region_names(record["region"]) if record["region"] else (None, None, None)
    return {
        **record,
        "region_name": names[0],
        "region_name_zh": names[1],
        "region_name_zh_hant": names[2],
        **_links(record["number"]),
    }


@functools.cache
def _present_regions() -> list[str]:
    """The choices of the select: every province-level tile of the map, the mainland, then
    every other country and area. A list of the places where someone is would come from the
    breakdowns, and could tell that someone is in a place whose figure is withheld
    (docs/disclosure.md); this one is fixed, and costs no query."""
    fixed = [*sorted(KEYS), MAINLAND]
    return fixed + sorted(iso_codes() - set(fixed) - {"CN"})


@csrf_exempt  # read-only: any other method gets 405 from require_safe, not a CSRF 403
@require_safe
@public_cache(params=("q", "name", "region", "from", "to", "before"))
def statement_list(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    form = StatementSearchForm(request.GET or None, regions=_present_regions(), language=language)
    if form.is_bound and not form.is_valid():
        return render(request, "publish/statements.html", {"form": form}, status=400)
    before = form.page_before()
    page = public_page(query=form.query(), before=before)
    here = reverse("publish:statements")
    api_url = reverse("publish:api-statements") + form.link(before=before)
    context = {
        "form": form,
        "items": [_item(entry, language=language) for entry in page.entries],
        "searching": form.query() != StatementQuery(),
        "paged": before is not None,
        "older_url": here + form.link(before=page.older) if page.older is not None else None,
        "newer_url": here + form.link(before=page.newer) if page.has_newer else None,
        "first_url": here + form.link(before=None),
        "api_url": api_url,  # the same search and page
        "api_label": uri_to_iri(api_url),  # shown: readable (退, not %E9%80%80), still exact
    }
    return render(request, "publish/statements.html", context)


@csrf_exempt  # read-only: any other method gets 405 from require_safe, not a CSRF 403
@require_safe
@public_cache(params=())
def statement_detail(request: HttpRequest, number: int) -> HttpResponse:
    entry = public_entry(number=number)
    if entry is None:
        return render(request, "publish/statement.html", {"number": number}, status=404)
    item = _item(entry, language=get_language() or "en")
    return render(request, "publish/statement.html", {"item": item, "number": number})


def _error(status: int, code: str, detail: Any) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status, json_dumps_params=_JSON)


@csrf_exempt  # read-only: any other method gets 405 from require_safe, not a CSRF 403
@require_safe
@public_cache(params=("q", "name", "region", "from", "to", "before"))
def api_statements(request: HttpRequest) -> JsonResponse:
    form = StatementSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _error(400, "bad_request", form.error_detail())
    page = public_page(query=form.query(), before=form.page_before())
    here = reverse("publish:api-statements")
    return JsonResponse(
        {
            "items": [_api_record(entry) for entry in page.entries],
            "next": here + form.link(before=page.older) if page.older is not None else None,
        },
        json_dumps_params=_JSON,
    )


@csrf_exempt  # read-only: any other method gets 405 from require_safe, not a CSRF 403
@require_safe
@public_cache(params=())
def api_statement(request: HttpRequest, number: int) -> JsonResponse:
    entry = public_entry(number=number)
    if entry is None:
        return _error(404, "not_found", f"no public statement number {number}")
    return JsonResponse(_api_record(entry), json_dumps_params=_JSON)
