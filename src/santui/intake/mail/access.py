"""Permission-checked reads of what a message holds: its text, its raw form, its attachments.

Only staff with ``statements.view_personal_data`` (moderators, administrators) read them; the
others see that a message is there and why it is in the quarantine, nothing of its content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from santui.intake.models import MailAttachment, Quarantine
from santui.statements.crypto import decrypt_bytes

PERSONAL_DATA = "statements.view_personal_data"


def can_read_mail(user: Any) -> bool:
    return bool(user.has_perm(PERSONAL_DATA))


def _check(user: Any) -> None:
    if not can_read_mail(user):
        raise PermissionDenied("reading mail needs the permission to see personal data")


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    data: bytes


def quarantine_text(*, quarantine: Quarantine, user: Any) -> str:
    _check(user)
    return str(quarantine.text)


def quarantine_raw(*, quarantine_id: int, user: Any) -> File:
    """The message as kept (trace headers removed), as an .eml file."""
    _check(user)
    quarantine = Quarantine.objects.only("id", "raw").get(pk=quarantine_id)
    raw = bytes(quarantine.raw)
    # Deleted under the retention policy (santui.retention): an empty file, not an error.
    data = decrypt_bytes(raw) if raw else b""
    return File(f"quarantine-{quarantine.pk}.eml", "message/rfc822", data)


def attachment_file(*, attachment_id: int, user: Any) -> File:
    _check(user)
    attachment = MailAttachment.objects.get(pk=attachment_id)
    return File(attachment.filename, attachment.content_type, decrypt_bytes(bytes(attachment.data)))
