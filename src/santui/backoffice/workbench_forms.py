"""Forms of the moderation workbench (santui.backoffice.workbench): plain HTML forms, no
JavaScript. Whatever a browser can send is checked here; a malformed value is a form error."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santui.backoffice.queue import Selection
from santui.screening import rules
from santui.statements.models import Channel, RejectReason

MAX_PAGE = 100_000
MAX_TICKED = 1000
_NUMBER = re.compile(r"[0-9]{1,12}")

REASON_LABELS: dict[str, Any] = {
    rules.EXACT_REPEAT: gettext_lazy("repeats an earlier statement word for word"),
    rules.REWORDED_REPEAT: gettext_lazy("repeats an earlier statement reworded"),
    rules.SAME_PERSON: gettext_lazy("may be the same person as an earlier statement"),
    rules.FLOOD_TEMPLATE: gettext_lazy("one of a flood of one template"),
    rules.FLOOD_RANDOM_NAMES: gettext_lazy("one of a burst of random-looking names"),
    rules.HEADCOUNT_UNSUPPORTED: gettext_lazy("persons not supported by the text"),
    rules.HEADCOUNT_MISMATCH: gettext_lazy("persons differ from the text"),
    rules.PLACE_CONTRADICTED: gettext_lazy("place contradicted by the text"),
    rules.NO_WITHDRAWAL: gettext_lazy("the text quits nothing"),
    rules.ORGANIZATIONS_DIFFER: gettext_lazy("organizations differ from the text"),
    rules.FUTURE_TIME: gettext_lazy("received in the future"),
    rules.LOW_CONFIDENCE: gettext_lazy("the parser is unsure"),
    rules.UNSCREENABLE: gettext_lazy("could not be screened"),
}
assert set(REASON_LABELS) == set(rules.REASONS)


def reason_label(code: str, *, code_too: bool = False) -> str:
    """A screening reason in words; with ``code_too``, its code after it (for a moderator
    who reads docs/screening.md)."""
    if code in REASON_LABELS:
        return f"{REASON_LABELS[code]} ({code})" if code_too else str(REASON_LABELS[code])
    return code or _("held without a screening reason (staff edit)")


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)


class StatementNumbersField(forms.Field):
    """Statement numbers from ticked checkboxes (``name="statement"``, many values)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        if len(values) > MAX_TICKED:
            raise forms.ValidationError(
                _("Tick at most %(n)d statements at once.") % {"n": MAX_TICKED}
            )
        if not all(isinstance(v, str) and _NUMBER.fullmatch(v) for v in values):
            raise forms.ValidationError(_("A statement number is a whole number."))
        return [int(v) for v in values]


DECISION = re.compile(r"(accept|reject):(ticked|all|[0-9]{1,12})")


class DecideForm(forms.Form):
    """What a moderator decided on the queue: ``do`` comes from the button pressed:
    ``accept:ticked``, ``reject:all``, ``accept:<number>`` (a row's own button)..."""

    do = forms.RegexField(regex=DECISION)
    statement = StatementNumbersField(required=False)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for rejecting (public)"),
        choices=[("", "—"), *RejectReason.choices],
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note (staff only)"), max_length=500, required=False)
    upto = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        match = DECISION.fullmatch(data.get("do") or "")
        if match is None:
            return data
        verb, scope = match.groups()
        data["accept"] = verb == "accept"
        data["scope"] = scope
        if verb == "reject" and not data.get("reason"):
            self.add_error("reason", _("Choose the reason for rejecting."))
        if scope == "ticked" and not data.get("statement") and "statement" not in self.errors:
            self.add_error("statement", _("Tick at least one statement."))
        if scope == "all" and data.get("upto") is None:
            self.add_error(None, _("The page is out of date: load it again."))
        return data


class ReportingDateTimeField(forms.DateTimeField):
    """A time typed in the reporting time zone (``SANTUI_REPORTING_TZ``), whatever zone the
    request runs in."""

    def to_python(self, value: Any) -> dt.datetime | None:
        with timezone.override(ZoneInfo(settings.SANTUI_REPORTING_TZ)):
            return super().to_python(value)


def _zone_label(label: str) -> str:
    return _("%(label)s (%(zone)s)") % {"label": label, "zone": settings.SANTUI_REPORTING_TZ}


class SelectionForm(forms.Form):
    """Which counted statements to invalidate: every criterion given must hold."""

    reason = forms.ChoiceField(
        label=gettext_lazy("screening reason"),
        choices=[("", "—"), *((c, REASON_LABELS[c]) for c in rules.REASONS)],
        required=False,
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    volunteer = forms.ModelChoiceField(
        label=gettext_lazy("recorded by (staff account)"),
        queryset=User.objects.filter(is_staff=True).order_by("username"),
        required=False,
    )
    source = forms.CharField(
        label=gettext_lazy("import batch (source)"), max_length=100, required=False
    )
    received_from = ReportingDateTimeField(required=False)
    received_to = ReportingDateTimeField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_from"].label = _zone_label(_("received from"))
        self.fields["received_to"].label = _zone_label(_("received before"))
        for name in ("received_from", "received_to"):
            self.fields[name].help_text = _("Like 2025-01-31 21:30, in %(zone)s.") % {
                "zone": settings.SANTUI_REPORTING_TZ
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start >= end:
            self.add_error("received_to", _("The end of the window must come after its start."))
        if not self.errors and self.selection().empty:
            raise forms.ValidationError(_("Choose at least one criterion."))
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        volunteer = data.get("volunteer")
        return Selection(
            reason=data.get("reason") or "",
            channel=data.get("channel") or "",
            volunteer=volunteer.pk if volunteer is not None else None,
            source=(data.get("source") or "").strip(),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )


class ConfirmForm(SelectionForm):
    """The previewed selection again (hidden), the counts it had, and the public reason."""

    statements = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    persons = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    digest = forms.RegexField(widget=forms.HiddenInput, regex=r"[0-9a-f]{64}")
    public_reason = forms.ChoiceField(
        label=gettext_lazy("Public reason"), choices=[("", "—"), *RejectReason.choices]
    )
    note = forms.CharField(label=gettext_lazy("Note (staff only)"), max_length=500, required=False)
