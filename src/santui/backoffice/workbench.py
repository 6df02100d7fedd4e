"""The moderation workbench (``/office/queue/``, ``/office/invalidate/``): the held queue by
screening reason and by cluster, decided together or one by one, and bulk invalidation of
counted statements with a preview
(docs/operations.md#the-workbench-held-queue-and-bulk-invalidation). A decision over more than
``SANTUI_OFFICE_JOB_THRESHOLD`` statements, and every bulk invalidation, becomes a background
job with a page of its own (santui.backoffice.jobs, .jobviews).

Its own pages, forms only: they work with JavaScript off under the site's CSP (no inline script
or style). Staff log in through the back office (``site.admin_view``, which also runs the pages
in the reporting time zone); every page needs ``statements.moderate_statement``; names in the
texts are masked for staff without ``statements.view_personal_data`` (the stored masked copy,
santui.statements.masking); for the others each name and text shown is audited
(santui.backoffice.audit).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from santui.backoffice import audit
from santui.backoffice.actions import Outcome, queue_decide
from santui.backoffice.admin import site
from santui.backoffice.jobs import office_job_create
from santui.backoffice.jobviews import job_cancel_view, job_view, jobs_view
from santui.backoffice.labels import cluster_name, place_name, sector_name
from santui.backoffice.models import JobKind, OfficeJob
from santui.backoffice.office import moderator, refusal_text
from santui.backoffice.queue import (
    Selection,
    cluster_anchor,
    held_cluster_counts,
    held_persons,
    held_reason_counts,
    held_statements,
    is_reason,
    selection_frozen,
    selection_size,
)
from santui.backoffice.suggestions import suggestion_table
from santui.backoffice.workbench_forms import (
    ConfirmForm,
    DecideForm,
    PageForm,
    SelectionForm,
    reason_label,
)
from santui.statements.masking import masked_text
from santui.statements.models import Channel, Organization, Statement

PER_PAGE = 50
SELECTION_FIELDS = tuple(SelectionForm.base_fields)


def _row(statement: Statement, *, personal: bool) -> dict[str, Any]:
    try:
        screening = statement.screening
    except ObjectDoesNotExist:
        screening = None
    reasons = list(screening.reasons) if screening is not None else []
    organizations = dict(Organization.choices)
    return {
        "number": statement.pk,
        "status": statement.get_status_display(),
        "text": statement.text if personal else masked_text(statement),
        "name": statement.name if personal else None,
        "channel": dict(Channel.choices).get(statement.channel, statement.channel),
        "received_at": timezone.localtime(statement.received_at),
        "headcount": statement.headcount,
        "organizations": "、".join(str(organizations[o]) for o in statement.organizations),
        "region": place_name(statement.region),
        "sector": sector_name(statement.sector),
        "reasons": [reason_label(code) for code in reasons],
        "cluster": screening.cluster if screening is not None else "",
        "cluster_name": cluster_name(screening.cluster) if screening is not None else "",
        "suggestion": suggestion_table(statement),
    }


def _report(request: HttpRequest, outcome: Outcome, done: str) -> None:
    messages.success(request, done)
    if outcome.refused_total:
        messages.warning(
            request,
            ngettext(
                "%(n)d statement was not decided: %(why)s.",
                "%(n)d statements were not decided: %(why)s.",
                outcome.refused_total,
            )
            % {"n": outcome.refused_total, "why": refusal_text(outcome.refused)},
        )


def _job_started(request: HttpRequest, job: OfficeJob) -> str:
    """Tell the moderator their decision is a background job; the job's page to go to."""
    messages.info(
        request,
        ngettext(
            "Job %(job)d queued: %(n)d statement is decided in the background. This page "
            "shows how far it got.",
            "Job %(job)d queued: %(n)d statements are decided in the background. This page "
            "shows how far it got.",
            job.total,
        )
        % {"job": job.pk, "n": job.total},
    )
    return reverse("workbench:job", args=[job.pk])


def _decide(
    request: HttpRequest, form: DecideForm, *, user: User, reason: str | None, cluster: str | None
) -> str | None:
    """Decide what the form says; where to go next (None: the form has an error). More than
    SANTUI_OFFICE_JOB_THRESHOLD statements become a background job."""
    data = form.cleaned_data
    scope = data["scope"]
    scope_record: dict[str, Any] = {}
    persons: int | None = None
    if scope == "ticked":
        numbers = data["statement"]
        scope_record["ticked"] = True
    elif scope == "all":
        if reason is None and cluster is None:
            form.add_error(None, _("Decide the whole queue one reason or cluster at a time."))
            return None
        group = held_statements(reason=reason, cluster=cluster).filter(pk__lte=data["upto"])
        rows = list(group.values_list("pk", "headcount"))
        numbers = [pk for pk, _headcount in rows]
        persons = sum(headcount for _pk, headcount in rows)
        if reason is not None:
            scope_record["reason"] = reason
        else:
            scope_record["cluster"] = cluster
    else:
        numbers = [int(scope)]
    if len(set(numbers)) > settings.SANTUI_OFFICE_JOB_THRESHOLD:
        job = office_job_create(
            kind=JobKind.ACCEPT if data["accept"] else JobKind.REJECT,
            numbers=numbers,
            by=user,
            reason="" if data["accept"] else data.get("reason") or "",
            note=data.get("note") or "",
            scope=scope_record,
            persons=persons if persons is not None else held_persons(sorted(set(numbers))),
        )
        return _job_started(request, job)
    outcome = queue_decide(
        numbers=numbers,
        accept=data["accept"],
        reason=data.get("reason") or "",
        note=data.get("note") or "",
        by=user,
    )
    done = (
        ngettext("Counted %(n)d statement.", "Counted %(n)d statements.", outcome.done)
        if data["accept"]
        else ngettext("Rejected %(n)d statement.", "Rejected %(n)d statements.", outcome.done)
    )
    _report(request, outcome, done % {"n": outcome.done})
    query = request.GET.urlencode()
    return f"{request.path}?{query}" if query else request.path


def _queue_page(
    request: HttpRequest, *, reason: str | None = None, cluster: str | None = None
) -> HttpResponse:
    user = moderator(request)
    status = 200
    form = DecideForm()
    if request.method == "POST":
        form = DecideForm(request.POST)
        if form.is_valid():
            to = _decide(request, form, user=user, reason=reason, cluster=cluster)
            if to is not None:
                return HttpResponseRedirect(to)
        status = 400
    page_form = PageForm(request.GET)
    if not page_form.is_valid():
        status = 400
    held = held_statements(reason=reason, cluster=cluster)
    paginator = Paginator(held, PER_PAGE)
    number = (page_form.cleaned_data.get("page") if page_form.is_valid() else None) or 1
    page = paginator.get_page(min(number, paginator.num_pages))
    personal = user.has_perm("statements.view_personal_data")
    reasons, without_reason = held_reason_counts()
    anchor = cluster_anchor(cluster) if cluster else None
    if personal:  # names and texts shown: each read audited
        shown = [s.pk for s in page.object_list] + ([anchor.pk] if anchor is not None else [])
        audit.personal_data_read(
            user=user, statements=shown, fields=("name", "text"), via=audit.WORKBENCH
        )
    if reason is not None:
        title = _("Held: %(reason)s") % {"reason": reason_label(reason)}
    elif cluster is not None:
        title = _("Held: %(cluster)s") % {"cluster": cluster_name(cluster)}
    else:
        title = _("Held statements")
    context = {
        **site.each_context(request),
        "title": title,
        "reason": reason,
        "cluster": cluster,
        "overview": reason is None and cluster is None,
        "form": form,
        "page_form": page_form,
        "page": page,
        "rows": [_row(s, personal=personal) for s in page.object_list],
        "anchor": _row(anchor, personal=personal) if anchor is not None else None,
        "personal": personal,
        "reasons": [(code, reason_label(code), n) for code, n in reasons],
        "without_reason": without_reason,
        "clusters": [
            (name, cluster_name(name), n)
            for name, n in (held_cluster_counts() if reason is None and cluster is None else [])
        ],
        "upto": held.aggregate(m=Max("pk"))["m"] or 0,
        "total": paginator.count,
        "job_threshold": settings.SANTUI_OFFICE_JOB_THRESHOLD,
    }
    return TemplateResponse(request, "backoffice/workbench/queue.html", context, status=status)


def queue_view(request: HttpRequest) -> HttpResponse:
    """Every held statement, with the counts per reason and the largest clusters."""
    return _queue_page(request)


def queue_reason_view(request: HttpRequest, reason: str) -> HttpResponse:
    if not is_reason(reason):
        raise Http404(_("No such screening reason."))
    return _queue_page(request, reason=reason)


def queue_cluster_view(request: HttpRequest, cluster: str) -> HttpResponse:
    if len(cluster) > 40:
        raise Http404(_("No such cluster."))
    return _queue_page(request, cluster=cluster)


# --- bulk invalidation ------------------------------------------------------------------------


def _selection_record(selection: Selection) -> dict[str, Any]:
    """A bulk invalidation's criteria as its job keeps them (codes, a staff account's name,
    times in UTC)."""
    record: dict[str, Any] = {}
    for name in ("reason", "channel", "source"):
        if getattr(selection, name):
            record[name] = getattr(selection, name)
    if selection.volunteer is not None:
        found = User.objects.filter(pk=selection.volunteer).values_list("username", flat=True)
        record["volunteer"] = found.first() or str(selection.volunteer)
    for name in ("received_from", "received_to"):
        when = getattr(selection, name)
        if when is not None:
            record[name] = when.isoformat()
    return record


def _raw_selection(data: QueryDict) -> dict[str, str]:
    return {name: data.get(name, "") for name in SELECTION_FIELDS}


def _invalidate_page(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    context = {**site.each_context(request), "title": _("Bulk invalidation"), **context}
    return TemplateResponse(request, "backoffice/workbench/invalidate.html", context, status=status)


def _preview(
    request: HttpRequest,
    selection_form: SelectionForm,
    data: QueryDict,
    *,
    confirm: ConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The preview: what the selection would take from the totals, and the confirm form (the
    selection again as hidden fields, with the counts and digest shown)."""
    size = selection_size(selection_form.selection())
    confirm = confirm or ConfirmForm(
        initial={
            **_raw_selection(data),
            "statements": size.statements,
            "persons": size.persons,
            "digest": size.digest,
            "public_reason": data.get("public_reason", ""),
            "note": data.get("note", ""),
        }
    )
    context = {
        "preview": True,
        "size": size,
        "confirm": confirm,
        "hidden": [
            confirm[name] for name in (*SELECTION_FIELDS, "statements", "persons", "digest")
        ],
        "again": urlencode(_raw_selection(data)),
    }
    return _invalidate_page(request, context, status=status)


def invalidate_view(request: HttpRequest) -> HttpResponse:
    """GET with no criteria: the form. GET with criteria: the preview (how many statements
    and persons the totals would lose) with Confirm and Cancel. POST: cancel, or confirm."""
    user = moderator(request)
    if request.method == "POST":
        if "cancel" in request.POST:
            messages.info(request, _("Cancelled: nothing was changed."))
            return HttpResponseRedirect(reverse("workbench:invalidate"))
        confirm = ConfirmForm(request.POST)
        if not confirm.is_valid():
            selection_form = SelectionForm(request.POST)
            if not selection_form.is_valid():
                return _invalidate_page(request, {"form": selection_form}, status=400)
            return _preview(request, selection_form, request.POST, confirm=confirm, status=400)
        data = confirm.cleaned_data
        selection = confirm.selection()
        size, numbers = selection_frozen(selection)
        previewed = (data["statements"], data["persons"], data["digest"])
        if (size.statements, size.persons, size.digest) != previewed:
            messages.warning(
                request, _("The selection changed since the preview: check the numbers again.")
            )
            return _preview(request, confirm, request.POST)
        if not numbers:
            messages.info(request, _("Nothing counted matches: nothing was changed."))
            return HttpResponseRedirect(reverse("workbench:invalidate"))
        job = office_job_create(
            kind=JobKind.REVOKE,
            numbers=numbers,
            by=user,
            reason=data["public_reason"],
            note=data.get("note") or "",
            scope=_selection_record(selection),
            persons=size.persons,
        )
        return HttpResponseRedirect(_job_started(request, job))
    if not any(request.GET.get(name) for name in SELECTION_FIELDS):
        return _invalidate_page(request, {"form": SelectionForm()})
    selection_form = SelectionForm(request.GET)
    if not selection_form.is_valid():
        return _invalidate_page(request, {"form": selection_form}, status=400)
    return _preview(request, selection_form, request.GET)


app_name = "workbench"
urlpatterns = [
    path("queue/", site.admin_view(queue_view), name="queue"),
    path("queue/reason/<slug:reason>/", site.admin_view(queue_reason_view), name="queue-reason"),
    path("queue/cluster/<str:cluster>/", site.admin_view(queue_cluster_view), name="queue-cluster"),
    path("invalidate/", site.admin_view(invalidate_view), name="invalidate"),
    path("jobs/", site.admin_view(jobs_view), name="jobs"),
    path("jobs/<int:pk>/", site.admin_view(job_view), name="job"),
    path("jobs/<int:pk>/cancel/", site.admin_view(job_cancel_view), name="job-cancel"),
]
