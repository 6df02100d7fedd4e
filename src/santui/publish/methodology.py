"""The methodology page, the live counts of rejections and the error estimate (quality).
Read-only: selectors only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from santui.publish.caching import public_cache
from santui.publish.selectors import latest_checkpoint
from santui.screening.models import Decision
from santui.screening.quality import NOTE_NONE_REVIEWED, NOTE_TOO_FEW, quality_report
from santui.screening.quality import REFRESH_SECONDS as QUALITY_REFRESH_SECONDS
from santui.statements.models import Channel, Declarant, RejectReason
from santui.statements.rejections import REFRESH_SECONDS, rejection_counts

StrOrPromise = str | Promise
CHANNEL_NOTES: dict[str, StrOrPromise] = {
    Channel.WEB: _("typed into the form on this site, often through a proxy or Tor"),
    Channel.PHONE: _("taken down by hotline volunteers while the caller is on the line"),
    Channel.FAX: _("a written or printed statement sent to the service center"),
    Channel.EMAIL: _("a statement sent to the service center by email"),
    Channel.VOLUNTEER: _("recorded by volunteers who talk with people in China"),
    Channel.COURIER: _("carried abroad by relatives and handed to the service center"),
    Channel.GROUP: _("one statement for a family or a group; it counts each person in it"),
    Channel.POSTING: _("posted in a public place and reported by photo"),
    Channel.CURRENCY: _("written on paper money or coins and reported by photo"),
}
# Who declares (issue 16): what each kind means for the count; every kind is shown apart.
DECLARANT_NOTES: dict[str, StrOrPromise] = {
    Declarant.SELF: _(
        "the person who withdraws declares it, also when a volunteer writes down what they "
        "say on the phone"
    ),
    Declarant.FAMILY: _(
        "a relative declares it for the person, who asked them to or cannot reach us safely"
    ),
    Declarant.VOLUNTEER: _(
        "a volunteer declares it for the person, who asked them to but does not declare it "
        "themselves"
    ),
    Declarant.DECEASED: _(
        "sent by family or friends for a person who has died, who they say had wished to quit"
    ),
}
REASON_NOTES: dict[str, StrOrPromise] = {
    RejectReason.DUPLICATE: _("the same person's withdrawal was already recorded"),
    RejectReason.SPAM: _("not a withdrawal statement"),
    RejectReason.INCOMPLETE: _("too little to tell who withdraws from what"),
    RejectReason.DECLARANT_REQUEST: _("the declarant asked for it to be withdrawn"),
    RejectReason.OTHER: _("any other reason, recorded in the audit trail"),
}


QUALITY_MONTHS = 12  # months of the error estimate shown on the page (all of them in the API)
QUALITY_NOTES: dict[str, StrOrPromise] = {
    NOTE_NONE_REVIEWED: _("none reviewed yet"),
    NOTE_TOO_FEW: _("too few reviewed to estimate"),
}


def _quality_context() -> dict[str, Any]:
    """The last months of the error estimate, for the page: every month's estimate over all
    channels (and per channel once the month is released), the screening reasons over all
    channels and the revoked persons per reason (per channel: the JSON)."""
    report = quality_report()
    channels = dict(Channel.choices)
    decisions = dict(Decision.choices)
    revoke_reasons = dict(RejectReason.choices)
    months = []
    for m in report["months"][-QUALITY_MONTHS:]:
        reasons = {
            (r["reason"], r["decision"]): r["statements"]
            for r in m["screening_reasons"]
            if r["channel"] is None  # the totals over all channels
        }
        months.append(
            {
                "month": m["month"],
                "accepted": m["accepted_by_rules"],
                "estimates": [
                    {
                        **e,
                        "label": channels.get(e["channel"], e["channel"])
                        if e["channel"]
                        else _("all channels"),
                        "note_text": QUALITY_NOTES.get(e["note"] or "", ""),
                        "percent": _percent(e["wrong_share"]),
                        "low_percent": _percent(e["ci_low"]),
                        "high_percent": _percent(e["ci_high"]),
                    }
                    for e in m["estimates"]
                ],
                "reasons": [
                    {"reason": code, "decision": decisions.get(decision, decision), "statements": n}
                    for (code, decision), n in sorted(reasons.items())
                ],
                "revoked": [
                    {**r, "label": revoke_reasons.get(r["reason"], r["reason"])}
                    for r in m["revoked_by_reason"]
                ],
            }
        )
    return {
        "quality_months": months,
        "quality_min_reviewed": report["min_reviewed"],
        "review_share": f"{100 * settings.SANTUI_REVIEW_SHARE:g}",
        "review_min": settings.SANTUI_REVIEW_MIN,
    }


def _percent(share: float | None) -> str | None:
    """A share as a percentage with two decimals ("1.25")."""
    return None if share is None else f"{100 * share:.2f}"


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
        "declarants": [(label, DECLARANT_NOTES[key]) for key, label in Declarant.choices],
        "k": settings.SANTUI_SUPPRESS_BELOW,
        "timezone": settings.SANTUI_REPORTING_TZ,
        "milestone_step": settings.SANTUI_MILESTONE_STEP,
        "checkpoint": latest_checkpoint(),
        "site": request.build_absolute_uri("/").rstrip("/"),
        **_quality_context(),
    }
    return render(request, "publish/methodology.html", context)


@csrf_exempt  # read-only: unsafe methods get 405 from require_safe, not 403
@require_safe
@public_cache(params=(), refresh=REFRESH_SECONDS)
def api_rejections(request: HttpRequest) -> JsonResponse:
    return JsonResponse(rejection_counts())


class QualityQuery(forms.Form):
    """?from=YYYY-MM&to=YYYY-MM&channel=CHANNEL, all optional (empty means no filter)."""

    from_ = forms.RegexField(regex=r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", required=False)
    to = forms.RegexField(regex=r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", required=False)
    channel = forms.ChoiceField(choices=[("", ""), *Channel.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")


@csrf_exempt  # read-only: unsafe methods get 405 from require_safe, not 403
@require_safe
@public_cache(params=("from", "to", "channel"), refresh=QUALITY_REFRESH_SECONDS)
def api_quality(request: HttpRequest) -> JsonResponse:
    form = QualityQuery(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": "bad_request", "detail": form.errors}, status=400)
    data = form.cleaned_data
    report = quality_report(
        first=data["from"] or None, last=data["to"] or None, channel=data["channel"] or None
    )
    return JsonResponse(report)
