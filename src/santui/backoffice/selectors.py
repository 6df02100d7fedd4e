"""Reads of the office's background jobs (santui.backoffice.jobs), for their pages and the
office home: what a job chose, its counts in words, whether the runner is alive. Reads only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santui.backoffice.jobs import LOOP_NAME
from santui.backoffice.models import OPEN_STATES, JobKind, JobState, OfficeJob
from santui.backoffice.office import refusal_text
from santui.backoffice.workbench_forms import reason_label
from santui.statements.models import Channel, RejectReason
from santui.tally.models import LoopState

RECENT = 10  # finished jobs on the office home page
# The runner records a round at least this often while it runs (santui.tally.loops).
SILENT_RUNNER = dt.timedelta(minutes=1)

SCOPE_LABELS: dict[str, Any] = {
    "reason": gettext_lazy("screening reason"),
    "cluster": gettext_lazy("cluster"),
    "ticked": gettext_lazy("ticked on the page"),
    "channel": gettext_lazy("channel"),
    "volunteer": gettext_lazy("recorded by (staff account)"),
    "source": gettext_lazy("import batch (source)"),
    "received_from": gettext_lazy("received from"),
    "received_to": gettext_lazy("received before"),
}


def _scope_value(name: str, value: Any) -> str:
    if name == "reason":
        return reason_label(str(value))
    if name == "channel":
        return str(dict(Channel.choices).get(value, value))
    if name == "ticked":
        return _("yes")
    if name in ("received_from", "received_to"):
        try:
            when = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{timezone.localtime(when):%Y-%m-%d %H:%M} ({settings.SANTUI_REPORTING_TZ})"
    return str(value)


def scope_rows(job: OfficeJob) -> list[tuple[str, str]]:
    """What the moderator chose, as (label, value) lines."""
    scope = job.scope if isinstance(job.scope, dict) else {}
    return [
        (str(SCOPE_LABELS.get(name, name)), _scope_value(name, value))
        for name, value in scope.items()
    ]


def job_summary(job: OfficeJob) -> dict[str, Any]:
    """A job as its page, the list and the office home show it."""
    return {
        "job": job,
        "kind": JobKind(job.kind).label,
        "state": JobState(job.state).label,
        "reason": RejectReason(job.reason).label if job.reason else "",
        "refused": refusal_text(job.refused, own=False) if job.refused_total else "",
    }


def runner_silent(*, now: dt.datetime) -> bool:
    """Whether the job runner has not recorded a round for a while (or ever)."""
    state = LoopState.objects.filter(name=LOOP_NAME).first()
    return state is None or state.heartbeat_at is None or now - state.heartbeat_at > SILENT_RUNNER


def open_and_recent_jobs(*, recent: int = RECENT) -> list[dict[str, Any]]:
    """For the office home: every open job, then the latest finished ones."""
    running = list(
        OfficeJob.objects.filter(state__in=OPEN_STATES).select_related("created_by").order_by("id")
    )
    finished = list(
        OfficeJob.objects.exclude(state__in=OPEN_STATES)
        .select_related("created_by")
        .order_by("-id")[:recent]
    )
    return [job_summary(job) for job in running + finished]
