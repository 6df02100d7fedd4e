"""The parser's reading of a statement beside what staff recorded, field by field.

``Statement.suggested`` keeps what santui.textparse read when the statement arrived; staff
corrections change the statement's own fields only. This module lines the two up so the back
office can show where they differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santui.backoffice.labels import place_name, sector_name
from santui.intake.mail.fields import statement_fields
from santui.statements.models import NameKind, Organization, Statement


@dataclass(frozen=True)
class Row:
    label: str
    suggested: str
    recorded: str

    @property
    def differs(self) -> bool:
        return self.suggested != self.recorded


FIELDS = (
    ("organizations", gettext_lazy("organizations")),
    ("headcount", gettext_lazy("persons")),
    ("name_kind", gettext_lazy("name kind")),
    ("region", gettext_lazy("region")),
    ("sector", gettext_lazy("sector")),
    ("current_party_member", gettext_lazy("current party member")),
)


def _shown(field: str, value: Any) -> str:
    if field == "organizations":  # in one order, whatever order they came in
        labels = dict(Organization.choices)
        return "、".join(str(labels[o]) for o in Organization.values if o in value) or "—"
    if field == "name_kind":
        return str(dict(NameKind.choices).get(value, value))
    if field == "region":
        return place_name(str(value or ""))
    if field == "sector":
        return sector_name(str(value or ""))
    if field == "current_party_member":
        return {True: _("yes"), False: _("no")}.get(value, _("unknown"))
    return str(value)


def suggestion_rows(statement: Statement) -> list[Row]:
    """One row per field the parser suggests; empty when the statement has no suggestion."""
    if not isinstance(statement.suggested, Mapping):
        return []
    suggested = statement_fields(statement.suggested)
    recorded = {
        "organizations": statement.organizations,
        "headcount": statement.headcount,
        "name_kind": statement.name_kind,
        "region": statement.region,
        "sector": statement.sector,
        "current_party_member": statement.current_party_member,
    }
    return [
        Row(str(label), _shown(field, suggested[field]), _shown(field, recorded[field]))
        for field, label in FIELDS
    ]


def suggestion_table(statement: Statement) -> SafeString:
    rows = suggestion_rows(statement)
    if not rows:
        return format_html("<p>{}</p>", _("The parser did not read this statement."))
    body = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((r.label, r.suggested, r.recorded, _("corrected") if r.differs else "") for r in rows),
    )
    return format_html(
        '<table class="suggestion"><thead><tr><th></th><th>{}</th><th>{}</th><th></th></tr>'
        "</thead><tbody>{}</tbody></table>",
        _("the parser read"),
        _("recorded"),
        body,
    )
