"""The methodology page and the live counts of rejections. Read-only: selectors only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from santui.publish.caching import public_cache
from santui.publish.selectors import latest_checkpoint
from santui.statements.models import Channel, RejectReason
from santui.statements.rejections import REFRESH_SECONDS, rejection_counts

StrOrPromise = str | Promise
CHANNEL_NOTES: dict[str, StrOrPromise] = {
    Channel.WEB: _("typed into the form on this site, often through a proxy or Tor"),
    Channel.PHONE: _("taken down by hotline volunteers while the caller is on the line"),
    Channel.FAX: _("a written or printed statement sent to the service center"),
    Channel.EMAIL: _("a written or printed statement sent to the service center"),
    Channel.VOLUNTEER: _("recorded by volunteers who talk with people in China"),
    Channel.COURIER: _("carried abroad by relatives and handed to the service center"),
    Channel.GROUP: _("one statement for a family or a group; it counts each person in it"),
    Channel.POSTING: _("posted in a public place and reported by photo"),
    Channel.CURRENCY: _("written on paper money or coins and reported by photo"),
}
REASON_NOTES: dict[str, StrOrPromise] = {
    RejectReason.DUPLICATE: _("the same person's withdrawal was already recorded"),
    RejectReason.SPAM: _("not a withdrawal statement"),
    RejectReason.INCOMPLETE: _("too little to tell who withdraws from what"),
    RejectReason.DECLARANT_REQUEST: _("the declarant asked for it to be withdrawn"),
    RejectReason.OTHER: _("any other reason, recorded in the audit trail"),
}


@require_safe
@public_cache(params=(), refresh=REFRESH_SECONDS)
def methodology(request: HttpRequest) -> HttpResponse:
    counts = rejection_counts()
    labels = dict(RejectReason.choices)
    context = {
        "rejections": [
            {**row, "label": labels[row["reason"]], "note": REASON_NOTES.get(row["reason"], "")}
            for row in counts["reasons"]
        ],
        "rejection_total": counts["total"],
        "counted_at": counts["counted_at"].replace("T", " ").removesuffix("+00:00"),
        "refresh_minutes": REFRESH_SECONDS // 60,
        "channels": [(label, CHANNEL_NOTES.get(key, "")) for key, label in Channel.choices],
        "k": settings.SANTUI_SUPPRESS_BELOW,
        "timezone": settings.SANTUI_REPORTING_TZ,
        "milestone_step": settings.SANTUI_MILESTONE_STEP,
        "checkpoint": latest_checkpoint(),
        "site": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "publish/methodology.html", context)


@csrf_exempt  # read-only: unsafe methods get 405 from require_safe, not 403
@require_safe
@public_cache(params=(), refresh=REFRESH_SECONDS)
def api_rejections(request: HttpRequest) -> JsonResponse:
    return JsonResponse(rejection_counts())
