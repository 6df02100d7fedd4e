"""Writes on statements. Each action is one transaction; each status change writes an audit row;
accepting queues an *add* ledger entry and rejecting a counted statement queues a *revoke*."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from santui.statements.inserts import insert_with_change
from santui.statements.masking import statement_masked
from santui.statements.models import (
    MODERATABLE_STATES,
    REJECTABLE_STATES,
    Declarant,
    EntryKind,
    LedgerEntry,
    QueuedEntry,
    RejectReason,
    Statement,
    Status,
    StatusChange,
)
from santui.statements.public import search_columns
from santui.statements.receipts import commitment_of, new_receipt_code, receipt_hash
from santui.textparse.regions import RegionError, normalize_region, province_of
from santui.tlog.leaf import random_commitment

MAX_NAMES_TEXT = 50_000  # a joined list of names (a group statement)
# What a ledger entry records of a statement: the dimensions its persons are counted under.
SNAPSHOT_FIELDS = (
    "day", "headcount", "party", "league", "pioneers", "current_party_member",
    "region", "sector", "channel", "name_kind", "declarant",
)  # fmt: skip


# What staff may change on a statement awaiting a decision (the back office form's fields).
EDITABLE_FIELDS = frozenset({
    "channel", "received_at", "text", "party", "league", "pioneers", "headcount", "name",
    "name_kind", "contact", "region", "sector", "current_party_member", "publish", "declarant",
})  # fmt: skip
# A change to one of these changes what is counted: a second person must accept the statement.
# Who declares decides whether it counts as the person's own withdrawal (docs/methodology.md).
COUNTED_FIELDS = (
    "party", "league", "pioneers", "headcount", "received_at", "region", "declarant",
)  # fmt: skip
# Personal data: the audit trail records that it changed, never the values (DESIGN.md, inv. 5).
PERSONAL_FIELDS = frozenset({"name", "contact", "text"})
CHANGED = "(changed)"
# Sent by the declarant themselves: only they can consent to publication, never staff.
DECLARANT_SOURCES = frozenset({"web", "email"})


class TransitionError(Exception):
    """The statement is not in a state that allows this action."""


class SecondPersonRequired(TransitionError):
    """A statement whose counted fields someone edited is accepted by someone else."""


class EditRefused(ValueError):
    """A staff edit that would break a rule of statements (the message says which)."""


@dataclass(frozen=True)
class Received:
    statement: Statement
    receipt_code: str | None  # shown once, never stored


def counting_day(received_at: dt.datetime) -> dt.date:
    """The day a statement's persons are counted on: its receipt day in the reporting zone."""
    return received_at.astimezone(ZoneInfo(settings.SANTUI_REPORTING_TZ)).date()


def stored_suggestion(suggested: dict[str, Any] | None) -> dict[str, Any] | None:
    """What of the parser's reading may be kept in ``Statement.suggested`` (plain JSON): all of
    it but the name, which lives only encrypted in ``Statement.name`` (DESIGN.md invariant 5)."""
    if suggested is None:
        return None
    return {k: v for k, v in suggested.items() if k != "name"}


def statement_receive(
    *,
    channel: str,
    organizations: list[str] | set[str] | tuple[str, ...],
    name_kind: str,
    text: str = "",
    headcount: int = 1,
    name: str = "",
    contact: str = "",
    region: str = "",
    sector: str = "",
    declarant: str = Declarant.SELF,
    current_party_member: bool | None = None,
    publish: bool = False,
    suggested: dict[str, Any] | None = None,
    received_at: dt.datetime | None = None,
    source: str,
    external_id: str | None = None,
    issue_receipt: bool = False,
    by: User | None = None,
    via: str,
) -> Received:
    """Store a new statement (status received) and its creation audit row.

    ``suggested`` is what santui.textparse read in the text (kept beside the values staff
    confirm or correct). A receipt code, when issued, keys the statement's log commitment.
    """
    if declarant not in Declarant.values:
        raise ValueError(f"unknown declarant {declarant!r}")
    code = new_receipt_code() if issue_receipt else None
    statement = Statement(
        source=source,
        external_id=external_id,
        channel=channel,
        received_at=received_at or timezone.now(),
        text=text,
        text_masked=statement_masked(
            text=text, name=name, suggested_name=(suggested or {}).get("name")
        ),
        party="party" in organizations,
        league="league" in organizations,
        pioneers="pioneers" in organizations,
        headcount=headcount,
        name=name,
        contact=contact,
        name_kind=name_kind,
        region=region,
        sector=sector,
        declarant=declarant,
        current_party_member=current_party_member,
        publish=publish,
        status=Status.RECEIVED,
        receipt_hash=receipt_hash(code) if code else None,
        commitment=commitment_of(code) if code else random_commitment(),
        suggested=stored_suggestion(suggested),
    )
    change = StatusChange(
        statement=statement, from_status="", to_status=Status.RECEIVED, actor=by, via=via
    )
    insert_with_change(statement, change)
    return Received(statement, code)


class Countable(Protocol):
    """What counting reads of a statement (a Statement, or a row on its way in bulk)."""

    received_at: dt.datetime
    headcount: int
    party: bool
    league: bool
    pioneers: bool
    current_party_member: bool | None
    region: str
    sector: str
    channel: str
    name_kind: str
    declarant: str


def counted_snapshot(statement: Countable) -> tuple[Any, ...]:
    """The values of SNAPSHOT_FIELDS for a statement: the counting rules in one place."""
    return (
        counting_day(statement.received_at),
        statement.headcount,
        statement.party,
        statement.league,
        statement.pioneers,
        statement.current_party_member is True,
        province_of(statement.region) if statement.region else "",  # counted per province
        statement.sector,
        statement.channel,
        statement.name_kind,
        statement.declarant,
    )


def ledger_add_entry(statement: Statement) -> LedgerEntry:
    """The (unsaved) add entry that counts an accepted statement."""
    snapshot = dict(zip(SNAPSHOT_FIELDS, counted_snapshot(statement), strict=True))
    return LedgerEntry(kind=EntryKind.ADD, statement=statement, **snapshot)


def ledger_write(entry: LedgerEntry) -> LedgerEntry:
    """Insert a ledger entry and its row of the integrator's queue (QueuedEntry), in the
    caller's transaction. The bulk writers do the same (santui.statements.bulk.insert_entries)."""
    entry.save(force_insert=True)
    QueuedEntry.objects.create(entry=entry)
    return entry


def _locked(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement.pk)


def counted_editors(statement: Statement) -> set[int | None]:
    """Who (user ids) edited a counted field of the statement."""
    return set(
        StatusChange.objects.filter(
            statement=statement, changes__has_any_keys=list(COUNTED_FIELDS)
        ).values_list("actor_id", flat=True)
    )


def statement_accept(*, statement: Statement, by: User | None, via: str) -> Statement:
    """Count a statement awaiting a decision. One whose counted fields staff edited needs a
    second person: neither an editor of those fields nor the rules (``by=None``) may accept it."""
    with transaction.atomic():
        current = _locked(statement)
        if current.status not in MODERATABLE_STATES:
            raise TransitionError(f"statement {current.pk} is {current.status}, not received")
        editors = counted_editors(current)
        if editors and (by is None or by.pk in editors):
            raise SecondPersonRequired(
                f"statement {current.pk}: its counted fields were edited "
                + ("by staff" if by is None else "by you")
                + "; a second moderator must accept it"
            )
        previous = current.status
        current.status = Status.ACCEPTED
        # Public from now on if consented: the search columns (santui.statements.public).
        current.name_key, current.search_text = search_columns(
            status=current.status,
            publish=current.publish,
            name=current.name,
            name_kind=current.name_kind,
            text=current.text,
        )
        change = StatusChange.objects.create(
            statement=current, from_status=previous, to_status=current.status, actor=by, via=via
        )
        current.decided_at = change.at  # the audit row's time (retention reads it)
        current.save(update_fields=["status", "name_key", "search_text", "decided_at"])
        ledger_write(ledger_add_entry(current))
    return current


def statement_reject(
    *, statement: Statement, by: User | None, reason: str, note: str = "", via: str
) -> Statement:
    if reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    with transaction.atomic():
        current = _locked(statement)
        if current.status not in REJECTABLE_STATES:
            raise TransitionError(f"statement {current.pk} is {current.status}: cannot reject")
        previous = current.status
        if previous == Status.ACCEPTED:
            add = LedgerEntry.objects.get(
                statement=current, kind=EntryKind.ADD, revoked_by__isnull=True
            )
            ledger_write(
                LedgerEntry(
                    kind=EntryKind.REVOKE,
                    statement=current,
                    revokes=add,
                    reason=reason,
                    **{field: getattr(add, field) for field in SNAPSHOT_FIELDS},
                )
            )
        current.status = Status.REJECTED
        current.reject_reason = reason
        current.name_key, current.search_text = None, None  # no longer public
        change = StatusChange.objects.create(
            statement=current,
            from_status=previous,
            to_status=current.status,
            reason=reason,
            note=note,
            actor=by,
            via=via,
        )
        current.decided_at = change.at
        current.save(
            update_fields=["status", "reject_reason", "name_key", "search_text", "decided_at"]
        )
    return current


def statement_reinstate(
    *, statement: Statement, by: User | None, note: str = "", via: str
) -> Statement:
    """A moderator's "not a duplicate after all": a statement rejected as a duplicate that was
    never counted is accepted and counted. Its audit row names who and why."""
    with transaction.atomic():
        current = _locked(statement)
        if current.status != Status.REJECTED or current.reject_reason != RejectReason.DUPLICATE:
            raise TransitionError(f"statement {current.pk} is not a rejected duplicate")
        if LedgerEntry.objects.filter(statement=current).exists():
            raise TransitionError(f"statement {current.pk} was counted before: not reinstated")
        editors = counted_editors(current)
        if editors and (by is None or by.pk in editors):
            raise SecondPersonRequired(
                f"statement {current.pk}: its counted fields were edited by "
                + ("staff" if by is None else "you")
                + "; a second moderator must reinstate it"
            )
        current.status = Status.ACCEPTED
        current.reject_reason = ""
        current.duplicate_of = None
        current.name_key, current.search_text = search_columns(
            status=current.status,
            publish=current.publish,
            name=current.name,
            name_kind=current.name_kind,
            text=current.text,
        )
        change = StatusChange.objects.create(
            statement=current,
            from_status=Status.REJECTED,
            to_status=Status.ACCEPTED,
            note=note or "reinstated: not a duplicate",
            actor=by,
            via=via,
        )
        current.decided_at = change.at
        current.save(
            update_fields=[
                "status", "reject_reason", "duplicate_of", "name_key", "search_text", "decided_at"
            ]
        )  # fmt: skip
        ledger_write(ledger_add_entry(current))
    return current


def _audit_value(field: str, value: Any) -> Any:
    """A value as the audit trail keeps it (JSON): times in UTC, personal data never."""
    if field in PERSONAL_FIELDS:
        return CHANGED
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def _check_edit(current: Statement, diff: dict[str, tuple[Any, Any]]) -> None:
    """The rules a statement must still keep after staff changed ``diff`` ({field: (old, new)})
    on ``current`` (already set): raise EditRefused saying which one it breaks."""
    if "publish" in diff and current.publish and current.source in DECLARANT_SOURCES:
        raise EditRefused(
            "only the declarant can consent to publication: staff cannot turn it on for a "
            f"statement sent through {current.source}"
        )
    if "received_at" in diff:
        if timezone.is_naive(current.received_at):
            raise EditRefused("received_at needs a time zone")
        if current.received_at > timezone.now():
            raise EditRefused("received_at is in the future")
    if not (current.party or current.league or current.pioneers):
        raise EditRefused("choose at least one organization")
    if "headcount" in diff and not 1 <= current.headcount <= settings.SANTUI_MAX_HEADCOUNT:
        raise EditRefused(f"persons must be from 1 to {settings.SANTUI_MAX_HEADCOUNT}")
    if "text" in diff and len(current.text) > settings.SANTUI_MAX_TEXT:
        raise EditRefused(f"the text is longer than {settings.SANTUI_MAX_TEXT} characters")
    if "region" in diff and current.region:
        try:
            current.region = normalize_region(current.region)
        except RegionError as exc:
            raise EditRefused(str(exc)) from None
    # choices and lengths of the changed fields (a list of names is longer than one name's 200)
    others = {f.name for f in Statement._meta.concrete_fields} - (set(diff) - {"name"})
    try:
        current.clean_fields(exclude=others)
    except ValidationError as exc:
        messages = (f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise EditRefused("; ".join(messages)) from None
    if "name" in diff and len(current.name) > MAX_NAMES_TEXT:
        raise EditRefused("the name or list of names is too long")


def statement_edit(
    *, statement: Statement, by: User, changes: Mapping[str, Any], via: str
) -> Statement:
    """Change fields of a statement awaiting a decision, as staff corrected them; decided
    statements are frozen. The audit row holds {field: [old, new]} of every field that changed
    (personal data only as changed).

    A change to a counted field (COUNTED_FIELDS) needs a second person: a received statement is
    held, so that the screening rules do not count it, and ``statement_accept`` refuses both its
    editors and the rules (docs/operations.md#staff-edits). Staff can never turn publication
    consent on for a statement the declarant sent (DECLARANT_SOURCES).
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise EditRefused(f"not editable: {', '.join(sorted(unknown))}")
    # Not durable: the back office's change view wraps its save in a transaction of its own,
    # which holds nothing but this edit.
    with transaction.atomic():
        current = _locked(statement)
        if current.status not in MODERATABLE_STATES:
            raise TransitionError(f"statement {current.pk} is {current.status}: it is frozen")
        diff = {
            field: (getattr(current, field), value)
            for field, value in changes.items()
            if getattr(current, field) != value
        }
        if not diff:
            return current
        for field, (_, new) in diff.items():
            setattr(current, field, new)
        _check_edit(current, diff)
        previous = current.status
        counted = [f for f in COUNTED_FIELDS if f in diff]
        if counted and previous == Status.RECEIVED:
            current.status = Status.HELD  # for a person: the rules never count an edited one
        masked = []
        if "text" in diff or "name" in diff:  # the masked copy follows (santui...masking)
            current.text_masked = statement_masked(text=current.text, name=current.name)
            masked = ["text_masked"]
        current.save(
            update_fields=[*diff, *masked, *(["status"] if current.status != previous else [])]
        )
        StatusChange.objects.create(
            statement=current,
            from_status=previous,
            to_status=current.status,
            note="edited: a second person accepts" if counted else "edited",
            actor=by,
            via=via,
            changes={
                field: [_audit_value(field, old), _audit_value(field, new)]
                for field, (old, new) in diff.items()
            },
        )
    return current
