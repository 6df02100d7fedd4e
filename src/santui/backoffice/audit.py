"""The audit of personal data read by staff, and of staff security changes (issue 12).

Every page or command that shows staff a name, a contact, a statement's text, a quarantined
email or one of its files calls ``personal_data_read`` for what it shows: one row per statement
and field (who, when, which, where), never the value and never an address. Admins read them in
the office (``reads of personal data``). ``security_change`` records a second step reset, a
lockout lifted, a password or role set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santui.backoffice.models import (
    PersonalDataRead,
    PersonalField,
    SecurityChange,
    StaffSecurityEvent,
)

# Where a read happened (PersonalDataRead.via)
STATEMENT_PAGE = "statement page"
WORKBENCH = "workbench"
REVIEW = "blind review"
MAIL = "quarantined email"
EXPORT = "export"
STAFF_COMMAND = "santui staff"  # StaffSecurityEvent.via of the command line

# Where, as staff read it (the stored code is English, shown in the viewer's language).
VIA_LABELS = {
    STATEMENT_PAGE: _("a statement's page"),
    WORKBENCH: _("the held queue"),
    REVIEW: _("the blind review"),
    MAIL: _("a quarantined email's page or files"),
    EXPORT: _("an export"),
    STAFF_COMMAND: _("the command line (santui staff)"),
}


def via_label(via: str) -> str:
    return str(VIA_LABELS.get(via, via))


def personal_data_read(
    *,
    user: Any,
    fields: Iterable[str],
    via: str,
    statements: Iterable[int] = (),
    mail: int | None = None,
) -> int:
    """Record that ``user`` was shown ``fields`` of each statement of ``statements`` (ids), or
    of the email message ``mail`` (a quarantined one, or the one a statement came in; kept
    beside each statement when both are given). Returns the number of rows written."""
    if not isinstance(user, User) or user.pk is None:
        return 0
    wanted = [f for f in dict.fromkeys(fields) if f in PersonalField.values]
    unknown = set(fields) - set(PersonalField.values)
    if unknown:
        raise ValueError(f"not personal data fields: {sorted(unknown)}")
    now = timezone.now()
    ids = list(dict.fromkeys(statements))
    subjects: list[int | None] = list(ids) if ids else ([None] if mail is not None else [])
    rows = [
        PersonalDataRead(at=now, user=user, statement_id=pk, mail_id=mail, field=f, via=via)
        for pk in subjects
        for f in wanted
    ]
    with transaction.atomic():
        PersonalDataRead.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def security_change(
    *, account: User, kind: str, by: User | None = None, via: str, detail: str = ""
) -> StaffSecurityEvent:
    if kind not in SecurityChange.values:
        raise ValueError(f"unknown security change {kind!r}")
    return StaffSecurityEvent.objects.create(
        at=timezone.now(), account=account, by=by, kind=kind, via=via, detail=detail[:200]
    )
