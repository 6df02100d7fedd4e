"""What the back office's admin pages show of statements and their audit trail, for people:
times in the reporting time zone with the zone named, places, sectors, statuses, reasons and
sources by name in the viewer's language (santui.backoffice.labels), never a bare code.

Every office view runs in the reporting zone (``BackofficeSite.admin_view``), so a time
rendered here is in it; the column or field label says which zone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santui.backoffice import labels
from santui.backoffice.workbench_forms import reason_label
from santui.screening.rules import REASONS
from santui.statements.actions import CHANGED
from santui.statements.models import NameKind, Statement, StatusChange


def _reporting_zone() -> str:
    return str(settings.SANTUI_REPORTING_TZ)


_zone_name = lazy(_reporting_zone, str)


def in_zone(label: Any) -> Any:
    """A column label naming the reporting time zone its times are shown in."""
    return format_lazy("{} ({})", label, _zone_name())


def when(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A time in the active (reporting) zone, "2025-01-31 21:30"; "–" for none."""
    if value is None:
        return "–"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _changed_value(field: str, value: Any) -> str:
    """One value of an audit diff, for staff: times in the active (reporting) zone, places,
    sectors and statuses by name."""
    if value == CHANGED:
        return _("(changed)")
    if value is None or value == "":
        return "–"
    if field == "received_at" and isinstance(value, str):
        try:
            return when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return labels.yes_no(value)
    if field == "region":
        return labels.place_name(str(value))
    if field == "sector":
        return labels.sector_name(str(value))
    if field in ("status", "to_status", "from_status"):
        return labels.status_name(str(value))
    if field == "name_kind":
        return str(dict(NameKind.choices).get(value, value))
    if field in ("reason", "reject_reason"):
        return labels.reject_reason_name(str(value))
    if field == "source":
        return labels.source_name(str(value))
    return str(value)


def diff_html(changes: dict[str, Any], only: tuple[str, ...] | None = None) -> SafeString:
    """An audit row's {field: [old, new]} as lines "field: old → new" (escaped)."""
    names = {f.name: f.verbose_name for f in Statement._meta.concrete_fields}
    rows = [
        (
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": names.get(field, field),
                "old": _changed_value(field, old),
                "new": _changed_value(field, new),
            },
        )
        for field, (old, new) in changes.items()
        if only is None or field in only
    ]
    return format_html_join("", "<div>{}</div>", rows)


def change_message(model: type[Any], form: Any, *, add: bool) -> list[dict[str, Any]]:
    """The admin history's message of a save: the changed fields by their model names,
    untranslated (Django stores the message in English and translates it when shown; its own
    message would store the form's capitalized labels, which have no translation)."""
    if add:
        return [{"added": {}}]
    fields = {
        f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")
    }
    with translation.override(None):
        changed = [
            str(fields.get(name) or form.fields[name].label or name) for name in form.changed_data
        ]
    return [{"changed": {"fields": changed}}] if changed else []


_SCREENER_NOTE = re.compile(r"santui-screen/([0-9]{1,6}): (.*)", re.S)


NOTES: dict[str, Any] = {
    "edited": gettext_lazy("edited by staff"),
    "edited: a second person accepts": gettext_lazy("edited by staff: a second person accepts"),
}


def note_text(note: str) -> str:
    """An audit note: the ones santui writes in words (the screener's "santui-screen/1: code,
    code", a staff edit's); a person's own note as they wrote it."""
    if note in NOTES:
        return str(NOTES[note])
    match = _SCREENER_NOTE.fullmatch(note or "")
    if match is None:
        return note or "–"
    version, rest = match.groups()
    codes = [c.strip() for c in rest.split(",")]
    if all(c in REASONS for c in codes):
        said = "; ".join(reason_label(c) for c in codes)
    elif rest == "no reason to hold":
        said = _("no reason to hold")
    else:
        return note
    return _("screening rules, version %(v)s: %(reasons)s") % {"v": version, "reasons": said}


class AuditDisplay:
    """The audit trail's columns: the time in the reporting zone, statuses, reasons and the
    channel of the change by name, and a staff edit's diff."""

    @admin.display(description=in_zone(gettext_lazy("at")), ordering="at")
    def when(self, obj: StatusChange) -> str:
        return when(obj.at, seconds=True)

    @admin.display(description=gettext_lazy("from"))
    def from_shown(self, obj: StatusChange) -> str:
        return labels.status_name(obj.from_status) if obj.from_status else _("(new)")

    @admin.display(description=gettext_lazy("to"))
    def to_shown(self, obj: StatusChange) -> str:
        return labels.status_name(obj.to_status)

    @admin.display(description=gettext_lazy("reason"))
    def reason_shown(self, obj: StatusChange) -> str:
        return labels.reject_reason_name(obj.reason)

    @admin.display(description=gettext_lazy("via"))
    def via_shown(self, obj: StatusChange) -> str:
        return labels.via_name(obj.via)

    @admin.display(description=gettext_lazy("note"))
    def note_shown(self, obj: StatusChange) -> str:
        return note_text(obj.note)

    @admin.display(description=gettext_lazy("by"))
    def actor_shown(self, obj: StatusChange) -> str:
        return obj.actor.get_username() if obj.actor_id and obj.actor else "–"

    @admin.display(description=gettext_lazy("changes (old → new)"))
    def diff(self, obj: StatusChange) -> SafeString:
        return diff_html(obj.changes or {})


def _yes_no_display(field: str, label: Any) -> Any:
    @admin.display(description=label)
    def shown(self: Any, obj: Statement) -> str:
        return labels.yes_no(getattr(obj, field))

    return shown


class StatementDisplay:
    """A statement's read-only values by name (its change page when frozen or only viewed,
    and the list)."""

    @admin.display(description=gettext_lazy("number"), ordering="id")
    def number(self, obj: Statement) -> int:
        return obj.pk

    @admin.display(description=in_zone(gettext_lazy("received at")), ordering="received_at")
    def received(self, obj: Statement) -> str:
        return when(obj.received_at)

    @admin.display(description=in_zone(gettext_lazy("recorded at")))
    def created(self, obj: Statement) -> str:
        return when(obj.created_at, seconds=True)

    @admin.display(description=gettext_lazy("region"))
    def region_shown(self, obj: Statement) -> str:
        return labels.place_name(obj.region)

    @admin.display(description=gettext_lazy("sector"))
    def sector_shown(self, obj: Statement) -> str:
        return labels.sector_name(obj.sector)

    @admin.display(description=gettext_lazy("source"))
    def source_shown(self, obj: Statement) -> str:
        return labels.source_name(obj.source)

    @admin.display(description=gettext_lazy("current party member"))
    def party_member_shown(self, obj: Statement) -> str:
        return labels.yes_no(obj.current_party_member)

    party_shown = _yes_no_display("party", gettext_lazy("quits the Party"))
    league_shown = _yes_no_display("league", gettext_lazy("quits the Youth League"))
    pioneers_shown = _yes_no_display("pioneers", gettext_lazy("quits the Young Pioneers"))
    publish_shown = _yes_no_display("publish", gettext_lazy("may publish name and text"))

    @admin.display(description=gettext_lazy("screening"))
    def screened(self, obj: Statement) -> str:
        """The screening's reasons in words (docs/screening.md), or the statement it repeats."""
        screening = getattr(obj, "screening", None)
        if screening is None or not screening.decision:
            return ""
        if obj.duplicate_of_id:
            return _("duplicate of #%(id)s") % {"id": obj.duplicate_of_id}
        return "; ".join(reason_label(code) for code in screening.reasons)


# A model field shown read-only -> the display method that names its value.
READ_ONLY_AS = {
    "received_at": "received",
    "created_at": "created",
    "region": "region_shown",
    "source": "source_shown",
    "current_party_member": "party_member_shown",
    "party": "party_shown",
    "league": "league_shown",
    "pioneers": "pioneers_shown",
    "publish": "publish_shown",
}


def shown_read_only(fields: list[str], read_only: set[str] | None = None) -> list[str]:
    """``fields`` with each read-only model field (all, when ``read_only`` is None) replaced by
    the display method that names its value."""
    return [READ_ONLY_AS.get(f, f) if read_only is None or f in read_only else f for f in fields]
