"""The pages of the office's background jobs (``/office/jobs/``, ``/office/jobs/<n>/``): how far
a large decision got, and its Cancel button (docs/operations.md#background-jobs).

Forms only, no script: while a job is queued or running its page reloads itself every few
seconds with ``<meta http-equiv="refresh">``, which works with JavaScript off under the site's
CSP. Every page needs ``statements.moderate_statement``; any moderator may cancel any job (the
page says who did).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from santui.backoffice.admin import site
from santui.backoffice.jobs import JobClosed, office_job_cancel
from santui.backoffice.models import JobKind, JobState, OfficeJob
from santui.backoffice.office import moderator
from santui.backoffice.selectors import job_summary, runner_silent, scope_rows
from santui.backoffice.workbench_forms import PageForm

REFRESH_SECONDS = 3
PER_PAGE = 50
_MAX_ID = 2**63 - 1


def _job_or_404(pk: int) -> OfficeJob:
    if pk > _MAX_ID:
        raise Http404(_("No such job."))
    job = OfficeJob.objects.select_related("created_by", "cancelled_by").filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such job."))
    return job


def job_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's state, progress, counts and, while it is open, its Cancel button."""
    moderator(request)
    job = _job_or_404(pk)
    context = {
        **site.each_context(request),
        "title": _("Job %(n)d") % {"n": job.pk},
        **job_summary(job),
        "scope": scope_rows(job),
        "refresh": REFRESH_SECONDS,
        "chunk": settings.SANTUI_OFFICE_JOB_CHUNK,
        "silent": job.is_open and runner_silent(now=timezone.now()),
        "counted_kind": job.kind == JobKind.REVOKE,
    }
    return TemplateResponse(request, "backoffice/workbench/job.html", context)


def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST only: cancel the job (it stops before its next chunk)."""
    user = moderator(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = _job_or_404(pk)
    try:
        job = office_job_cancel(job=job, by=user)
    except JobClosed:
        messages.warning(
            request,
            _("Job %(n)d had already ended (%(state)s): there was nothing to cancel.")
            % {"n": job.pk, "state": JobState(job.state).label},
        )
    else:
        messages.success(
            request,
            _(
                "Job %(n)d cancelled: %(done)d statements were decided before it stopped; "
                "they stay decided."
            )
            % {"n": job.pk, "done": job.done},
        )
    return HttpResponseRedirect(reverse("workbench:job", args=[job.pk]))


def jobs_view(request: HttpRequest) -> HttpResponse:
    """Every job, newest first, 50 a page."""
    moderator(request)
    page_form = PageForm(request.GET)
    status = 200 if page_form.is_valid() else 400
    paginator = Paginator(OfficeJob.objects.select_related("created_by").order_by("-id"), PER_PAGE)
    number = (page_form.cleaned_data.get("page") if page_form.is_valid() else None) or 1
    page = paginator.get_page(min(number, paginator.num_pages))
    context = {
        **site.each_context(request),
        "title": _("Background jobs"),
        "page": page,
        "page_form": page_form,
        "jobs": [job_summary(job) for job in page.object_list],
    }
    return TemplateResponse(request, "backoffice/workbench/jobs.html", context, status=status)
