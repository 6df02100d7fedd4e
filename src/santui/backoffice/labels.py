"""How the back office names things in the viewer's language: places, sectors, screening
reasons, the channels and sources of a statement, audit trail values, loops, alerts and roles.

Codes stay what is stored; these are for people. Places are named as the public site names
them (santui.tally.selectors.region_names for provinces and countries, the gazetteer for
prefectures and counties, script conversion for Traditional Chinese). An unknown code is shown
as it is: a label never hides a value.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from santui.backoffice.roles import ADMINISTRATOR, INTAKE_VOLUNTEER, MODERATOR
from santui.statements.models import SECTOR_LABELS, Channel, EntryKind, RejectReason, Status
from santui.tally.selectors import region_names
from santui.textparse.regions import MAINLAND, division, gazetteer
from santui.textparse.script import to_traditional

_INDEX = {"zh-hans": 1, "zh-hant": 2}


def _language() -> str:
    return get_language() or "zh-hans"


def _division_name(code: str, lang: str) -> str | None:
    """A mainland division with the divisions above it: 辽宁省 沈阳市 和平区 (Chinese),
    "Heping, Shenyang, Liaoning" in English where the gazetteer has English names."""
    place = division(code)
    if place is None:
        return None
    gaz = gazetteer()
    chain = [place]
    while chain[-1].parent is not None:
        parent = gaz.provinces.get(chain[-1].parent) or gaz.prefectures.get(chain[-1].parent)
        if parent is None:
            break
        chain.append(parent)
    if lang == "en":
        return ", ".join(d.name_en or d.name for d in chain)
    names = " ".join(d.name for d in reversed(chain))
    return to_traditional(names) if lang == "zh-hant" else names


def place_name(code: str) -> str:
    """The name of a stored region code (GB/T 2260 or ISO 3166-1) in the active language;
    "—" for none."""
    if not code:
        return "—"
    lang = _language()
    name = _division_name(code, lang)
    if name is not None:
        return name
    if code == MAINLAND or (len(code) == 2 and code.isascii() and code.isalpha()):
        found = region_names(code)[_INDEX.get(lang, 0)]
        return found if found != code else code
    return code


def sector_name(key: str) -> str:
    if not key:
        return "—"
    return str(SECTOR_LABELS.get(key, key))


def status_name(value: str) -> str:
    if not value:
        return "—"
    return str(dict(Status.choices).get(value, value))


def reject_reason_name(value: str) -> str:
    if not value:
        return "—"
    return str(dict(RejectReason.choices).get(value, value))


ENTRY_KINDS: dict[str, Any] = {
    EntryKind.ADD.value: gettext_lazy("added to the count"),
    EntryKind.REVOKE.value: gettext_lazy("taken off the count"),
}


def entry_kind_name(value: str) -> str:
    return str(ENTRY_KINDS.get(value, value))


# Who or what wrote an audit row (StatusChange.via); others are shown as they are.
VIAS: dict[str, Any] = {
    "back office": gettext_lazy("back office"),
    "screening": gettext_lazy("screening"),
    "public form": gettext_lazy("web form"),
    "email": gettext_lazy("email intake"),
    "import": gettext_lazy("import"),
    "demo": gettext_lazy("demonstration data"),
    "retention": gettext_lazy("retention (personal data deleted)"),
    "test": gettext_lazy("test"),
}


def via_name(value: str) -> str:
    if not value:
        return "—"
    return str(VIAS.get(value, value))


# Where a statement came from (Statement.source); an import batch keeps its own name.
SOURCES: dict[str, Any] = {
    "web": gettext_lazy("web form"),
    "office": gettext_lazy("back office"),
    "email": gettext_lazy("email intake"),
    "demo": gettext_lazy("demonstration data"),
}


def source_name(value: str) -> str:
    if not value:
        return "—"
    return str(SOURCES.get(value, value))


LOOPS: dict[str, Any] = {
    "integrator": gettext_lazy("integrator"),
    "screener": gettext_lazy("screener"),
    "office-jobs": gettext_lazy("office background jobs"),
    "releaser": gettext_lazy("breakdown releases"),
}


def loop_name(value: str) -> str:
    return str(LOOPS.get(value, value))


ALERT_KINDS: dict[str, Any] = {
    "volunteer_surge": gettext_lazy("a volunteer recorded far more than usual"),
    "flood_template": gettext_lazy("a flood of one template"),
    "flood_random_names": gettext_lazy("a burst of random-looking names"),
    "duplicate_spike": gettext_lazy("a spike of duplicates"),
    "channel_surge": gettext_lazy("a channel far above its usual volume"),
}


def alert_kind_name(value: str) -> str:
    return str(ALERT_KINDS.get(value, value))


_VOLUNTEER = re.compile(r"volunteer #([0-9]{1,12})")


def alert_subject_name(kind: str, subject: str) -> str:
    """An alert's subject: a channel, a staff account, a template cluster or everything."""
    if subject == "all":
        return _("all statements")
    channels = dict(Channel.choices)
    if ":" in subject:
        return cluster_name(subject)
    if subject in channels:
        return str(channels[subject])
    match = _VOLUNTEER.fullmatch(subject)
    if match:
        return _("staff account #%(n)s") % {"n": match.group(1)}
    return subject


ROLES: dict[str, Any] = {
    INTAKE_VOLUNTEER: gettext_lazy("intake volunteer"),
    MODERATOR: gettext_lazy("moderator"),
    ADMINISTRATOR: gettext_lazy("administrator"),
}


def role_name(value: str) -> str:
    return str(ROLES.get(value, value))


PERMISSION_ACTIONS: dict[str, Any] = {
    "view": gettext_lazy("view"),
    "add": gettext_lazy("add"),
    "change": gettext_lazy("change"),
    "delete": gettext_lazy("delete"),
}
PERMISSIONS: dict[str, Any] = {
    "moderate_statement": gettext_lazy("accept or reject statements"),
    "view_personal_data": gettext_lazy("see names and contacts"),
}


def permission_name(permission: Any) -> str:
    """A permission as "statement: view" in the viewer's language (Django stores its names in
    English: "Can view statement")."""
    model = permission.content_type.model_class()
    subject = str(model._meta.verbose_name) if model is not None else permission.content_type.model
    action, _sep, _rest = permission.codename.partition("_")
    if permission.codename in PERMISSIONS:
        said = str(PERMISSIONS[permission.codename])
    else:
        said = str(PERMISSION_ACTIONS.get(action, permission.codename))
    return _("%(subject)s: %(action)s") % {"subject": subject, "action": said}


def yes_no(value: bool | None) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


def cluster_name(cluster: str) -> str:
    """A screening cluster in words: "dup:12" (statements that may repeat #12), "flood:<hex>"
    (one template), "names:<channel>:<window>" (random-looking names)."""
    kind, _sep, rest = cluster.partition(":")
    if kind == "dup" and rest.isdigit():
        return _("may repeat statement #%(n)s") % {"n": rest}
    if kind == "flood" and rest:
        return _("flood of one template %(id)s") % {"id": rest}
    if kind == "names" and rest:
        channel, _sep, window = rest.partition(":")
        said = str(dict(Channel.choices).get(channel, channel))
        return _("random-looking names, %(channel)s, window %(window)s") % {
            "channel": said, "window": window,
        }  # fmt: skip
    return cluster
