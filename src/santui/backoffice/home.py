"""What the office home page shows besides the admin's list of models: the screening's latest
alerts, how far behind each background loop is, how many statements wait for a person, and the
office's background jobs (running ones and the latest finished).

Each part only for staff allowed to see it (``screening.view_alert``, ``tally.view_loopstate``,
``statements.view_statement``, ``statements.moderate_statement``; roles in
``santui.backoffice.roles``). Reads only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext

from santui.backoffice.labels import alert_kind_name, alert_subject_name, loop_name
from santui.backoffice.selectors import open_and_recent_jobs
from santui.screening.models import Alert
from santui.statements.models import Statement, Status
from santui.tally.models import LoopState

LATEST_ALERTS = 10


@dataclass(frozen=True)
class LoopRow:
    """A loop's state, and how far behind it is at ``now``: the wait of the oldest item it has
    left (none when nothing waits)."""

    state: LoopState
    now: dt.datetime

    @property
    def behind(self) -> dt.timedelta | None:
        oldest = self.state.oldest_waiting_at
        if self.state.backlog <= 0 or oldest is None:
            return None
        return max(self.now - oldest, dt.timedelta(0))

    @property
    def label(self) -> str:
        return loop_name(self.state.name)

    @property
    def behind_text(self) -> str:
        """For a person: "up to date", seconds under a minute, else Django's timesince."""
        behind = self.behind
        if behind is None:
            return gettext("up to date")
        if behind < dt.timedelta(minutes=1):
            seconds = int(behind.total_seconds())
            return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
        return timesince(self.now - behind, self.now)


@dataclass(frozen=True)
class AlertRow:
    """An alert with its kind and subject in words (santui.backoffice.labels)."""

    alert: Alert

    @property
    def kind(self) -> str:
        return alert_kind_name(self.alert.kind)

    @property
    def subject(self) -> str:
        return alert_subject_name(self.alert.kind, self.alert.subject)


def latest_alerts(*, limit: int = LATEST_ALERTS) -> list[AlertRow]:
    return [AlertRow(a) for a in Alert.objects.order_by("-raised_at", "-id")[:limit]]


def loop_rows(*, now: dt.datetime) -> list[LoopRow]:
    return [LoopRow(state=state, now=now) for state in LoopState.objects.order_by("name")]


def held_count() -> int:
    return Statement.objects.filter(status=Status.HELD).count()  # partial index statement_held


def held_url() -> str:
    changelist = reverse("office:statements_statement_changelist")
    return f"{changelist}?status__exact={Status.HELD.value}"


def office_home(*, user: User, now: dt.datetime) -> dict[str, Any]:
    """The home page's extra context: only the parts ``user`` may see."""
    context: dict[str, Any] = {"now": now}
    if user.has_perm("screening.view_alert"):
        context["alerts"] = latest_alerts()
        context["alerts_url"] = reverse("office:screening_alert_changelist")
    if user.has_perm("tally.view_loopstate"):
        context["loops"] = loop_rows(now=now)
    if user.has_perm("statements.view_statement"):
        context["held"] = held_count()
        context["held_url"] = held_url()
    if user.has_perm("statements.moderate_statement"):
        context["jobs"] = open_and_recent_jobs()
    return context
