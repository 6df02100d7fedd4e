"""Writes a volunteer makes on quarantined mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from santui.intake.mail.access import quarantine_text
from santui.intake.mail.fields import parse_text, stored_suggestion
from santui.intake.mail.ingest import SOURCE
from santui.intake.models import Quarantine
from santui.statements.actions import statement_receive
from santui.statements.models import Statement


class AlreadyResolvedError(Exception):
    """A statement was already made of this message."""


def quarantine_make_statement(
    *,
    quarantine: Quarantine,
    by: User,
    via: str,
    channel: str,
    received_at: dt.datetime,
    text: str,
    organizations: list[str],
    name_kind: str,
    **fields: Any,
) -> Statement:
    """Make the statement a volunteer read in a quarantined message. Its ``external_id`` is the
    message's key, so the statement and the message stay linked and a rerun of ingest-mail still
    sees the message as taken in. ``suggested`` is the parser's reading of the text as given."""
    quarantine_text(quarantine=quarantine, user=by)  # raises PermissionDenied
    with transaction.atomic():
        current = (
            Quarantine.objects.select_for_update().select_related("mail").get(pk=quarantine.pk)
        )
        if current.mail.statement_id is not None:
            raise AlreadyResolvedError(f"quarantine {current.pk} already gave a statement")
        suggested = stored_suggestion(parse_text(text)) if text.strip() else None
        received = statement_receive(
            channel=channel,
            received_at=received_at,
            text=text,
            organizations=organizations,
            name_kind=name_kind,
            suggested=suggested,
            source=SOURCE,
            external_id=current.mail.key,
            by=by,
            via=via,
            **fields,
        )
        current.mail.statement = received.statement
        current.mail.save(update_fields=["statement"])
        current.resolved_at = timezone.now()
        current.resolved_by = by
        current.save(update_fields=["resolved_at", "resolved_by"])
    return received.statement
