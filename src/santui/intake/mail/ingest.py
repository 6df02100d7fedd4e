"""One message -> a statement, or the quarantine, or nothing (already taken in).

``mail_ingest`` is the write: one transaction per message, so a crash leaves either nothing or
the message fully recorded, and a rerun picks up where it stopped (DESIGN.md, invariant 1).

No message can stop intake (issue 12): whatever the mail reader or the parser raises on a
message becomes a quarantine (``malformed``, with the exception's type, never its message, which
may quote the mail), so the message is stored once, counted, and the run goes on. Only a
failing database stops the run, as it must.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from santui.intake.mail import message as mime
from santui.intake.mail.fields import parse_text, statement_fields, stored_suggestion, wants_reply
from santui.intake.mail.sources import RawMail
from santui.intake.mail.trace import holds_address
from santui.intake.models import MailAttachment, MailMessage, Quarantine, QuarantineReason
from santui.statements.actions import statement_receive
from santui.statements.crypto import encrypt_bytes, keyed_hash
from santui.statements.models import Channel

log = logging.getLogger(__name__)

SOURCE = "email"  # Statement.source; external_id is the MailMessage key
VIA = "email"
RECEIVED, QUARANTINED, DUPLICATE = "received", "quarantined", "duplicate"
_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Outcome:
    """What became of one message: one line of ``ingest-mail --json``."""

    message_id: str | None
    status: str
    reason: str | None = None
    detail: str = ""
    statement: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": shown_message_id(self.message_id),
            "status": self.status,
            "reason": self.reason,
            "detail": self.detail or None,
            "statement": self.statement,
        }


@dataclass
class IngestSummary:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((RECEIVED, QUARANTINED, DUPLICATE), 0)
    )
    reasons: dict[str, int] = field(default_factory=dict)
    persons: int = 0

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status == QUARANTINED and outcome.reason:
            self.reasons[outcome.reason] = self.reasons.get(outcome.reason, 0) + 1
        if outcome.status == RECEIVED and outcome.statement:
            self.persons += int(outcome.statement.get("headcount") or 1)


def shown_message_id(message_id: str | None) -> str | None:
    """The Message-ID as the command prints it: withheld when it holds an IP address in any
    form (``<abc@[192.0.2.1]>``), since what is printed may end up in a log."""
    if message_id and holds_address(message_id.encode("utf-8", "replace")):
        return "<withheld: it holds an address>"
    return message_id


def message_key(message_id: str | None, raw: bytes, size: int) -> str:
    """The message's identity for idempotency: a keyed hash of its Message-ID, or of the
    message itself (its first part and its size, when it is over the limit) without one.
    Hashed, not kept as sent, because Message-IDs often carry the sender's address or host."""
    if message_id:
        return "mid:" + keyed_hash("mail-message-id", message_id.encode("utf-8"))
    return "raw:" + keyed_hash("mail-raw", raw + b"\0" + str(size).encode("ascii"))


def is_known(message_id: str) -> bool:
    """Whether a message with this Message-ID was taken in already (cheap: one index look-up)."""
    return MailMessage.objects.filter(key=message_key(message_id, b"", 0)).exists()


def _received_at(mail: RawMail, ident: mime.Identity) -> dt.datetime:
    """When the message reached us: the server's INTERNALDATE (IMAP), else its Date header when
    plausible (not before 1990, not in the future), else now."""
    now = timezone.now()
    for moment in (mail.arrived_at, ident.date):
        if moment is not None and _EARLIEST <= moment <= now + dt.timedelta(days=1):
            return min(moment, now)
    return now


@dataclass
class _Read:
    """A message as far as it could be read."""

    ident: mime.Identity
    key: str
    raw: bytes  # what the quarantine keeps (before trace headers are removed)
    truncated: bool
    msg: Message | None = None
    problem: mime.Unreadable | None = None
    content: mime.Content | None = None


def _failed(what: str, exc: BaseException) -> mime.Unreadable:
    """A bug met on hostile mail: logged with where it happened (the traceback's frames, which
    hold code, not data) and the exception's type, never its message, which may quote the
    mail; the message is quarantined as malformed."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s failed on a message (%s)\n%s", what, type(exc).__name__, frames)
    return mime.Unreadable(QuarantineReason.MALFORMED, f"{what} failed ({type(exc).__name__})")


def _identify(mail: RawMail) -> _Read:
    """Header and key only: enough to know a message seen before, without reading its body.
    Never raises: what cannot be read is the message's problem, keyed by its bytes."""
    try:
        return _identify_or_raise(mail)
    except Exception as exc:  # a bug on hostile mail must not stop the run (see above)
        raw = mail.head if mail.data is None else mail.data
        ident = mime.Identity(None, "", "", "", None)
        key = message_key(None, raw, mail.size)
        return _Read(ident, key, raw, mail.data is None, problem=_failed("the mail reader", exc))


def _identify_or_raise(mail: RawMail) -> _Read:
    if mail.data is None:
        ident = mime.identity(mime.parse_head(mail.head))
        limit = mime.Unreadable(QuarantineReason.TOO_LARGE, f"{mail.size} bytes: over the limit")
        key = message_key(ident.message_id, mail.head, mail.size)
        return _Read(ident, key, mail.head, True, problem=limit)
    try:
        msg = mime.parse(mail.data)
    except mime.Unreadable as exc:
        ident = mime.identity(mime.parse_head(mail.head))
        key = message_key(ident.message_id, mail.data, mail.size)
        return _Read(ident, key, mail.data, False, problem=exc)
    ident = mime.identity(msg)
    return _Read(ident, message_key(ident.message_id, mail.data, mail.size), mail.data, False, msg)


def _read_content(read: _Read) -> None:
    if read.msg is None or read.problem is not None:
        return
    try:
        read.content = mime.content(read.msg)
    except mime.Unreadable as exc:
        read.problem = exc
    except RecursionError:
        read.problem = mime.Unreadable(QuarantineReason.TOO_COMPLEX, "nested too deep")
    except Exception as exc:  # a bug on hostile mail must not stop the run (see above)
        read.problem = _failed("the mail reader", exc)


def _parse(text: str, subject: str) -> dict[str, Any]:
    """The parser's reading of the body; of the subject and the body when the body alone names
    no organization (a subject such as "三退声明" over a body that only gives the name)."""
    parsed = parse_text(text)
    if not parsed.get("organizations") and subject:
        with_subject = parse_text(f"{subject}\n{text}")
        if with_subject.get("organizations"):
            return with_subject
    return parsed


def _verdict(read: _Read) -> tuple[str | None, str, dict[str, Any] | None]:
    """(quarantine reason or None, detail, the parser's reading) for a message read so far."""
    text = read.content.text if read.content else ""
    if read.problem is not None:
        return read.problem.reason, read.problem.detail, None
    if not text:
        return QuarantineReason.NO_TEXT, "", None
    most = settings.SANTUI_MAX_TEXT
    if len(text) > most:
        return QuarantineReason.TOO_LONG, f"{len(text)} characters, at most {most}", None
    try:
        parsed = _parse(text, read.ident.subject)
    except Exception as exc:  # a parser bug must not stop the run on every rerun
        log.exception("the parser failed on a message")  # the text stays out of the log
        return QuarantineReason.NO_STATEMENT, f"the parser failed: {type(exc).__name__}", None
    if not parsed.get("organizations"):
        return QuarantineReason.NO_STATEMENT, "", parsed
    persons, most = int(parsed.get("headcount") or 1), settings.SANTUI_MAX_HEADCOUNT
    if persons > most:
        return QuarantineReason.TOO_MANY_PERSONS, f"{persons} persons, at most {most}", parsed
    return None, "", parsed


def mail_ingest(*, mail: RawMail) -> Outcome:
    """Take one message in. Never raises for what the message holds: a message that cannot
    give a statement is quarantined with its reason."""
    read = _identify(mail)
    if MailMessage.objects.filter(key=read.key).exists():
        return Outcome(read.ident.message_id, DUPLICATE)
    _read_content(read)
    reason, detail, parsed = _verdict(read)
    text = read.content.text if read.content else ""
    try:
        with transaction.atomic():
            if reason is None:
                assert parsed is not None
                _record_statement(mail, read, text, parsed)
                return Outcome(read.ident.message_id, RECEIVED, statement=parsed)
            _record_quarantine(mail, read, text, reason, detail)
            return Outcome(read.ident.message_id, QUARANTINED, reason, detail, parsed)
    except IntegrityError as exc:  # another run took the same message in meanwhile?
        if MailMessage.objects.filter(key=read.key).exists():
            return Outcome(read.ident.message_id, DUPLICATE)
        problem = _failed("storing what was read", exc)
    except (OperationalError, InterfaceError):  # the database itself: stop, a rerun resumes
        raise
    except Exception as exc:  # what was read could not be stored: keep the message itself
        problem = _failed("storing what was read", exc)
    # Last resort: the message as it came (encrypted), without the text or files read from it.
    read.content = None
    with transaction.atomic():
        _record_quarantine(mail, read, "", problem.reason, problem.detail)
    return Outcome(read.ident.message_id, QUARANTINED, problem.reason, problem.detail)


def _sender_hash(ident: mime.Identity) -> str:
    return keyed_hash("mail-sender", ident.sender.encode("utf-8")) if ident.sender else ""


def _message_row(mail: RawMail, read: _Read, **extra: Any) -> MailMessage:
    return MailMessage.objects.create(
        key=read.key,
        sender_hash=_sender_hash(read.ident),
        received_at=_received_at(mail, read.ident),
        size=mail.size,
        **extra,
    )


def _attach(message: MailMessage, read: _Read) -> None:
    if read.content is None:
        return
    MailAttachment.objects.bulk_create(
        MailAttachment(
            mail=message,
            filename=a.filename,
            content_type=a.content_type,
            size=len(a.data),
            data=encrypt_bytes(a.data),
        )
        for a in read.content.attachments
    )


def _record_statement(mail: RawMail, read: _Read, text: str, parsed: dict[str, Any]) -> None:
    values = statement_fields(parsed)
    # The sender's address is kept (encrypted) only when the message asks for an answer.
    contact = read.ident.reply_to if wants_reply(read.ident.subject, text) else ""
    received = statement_receive(
        channel=Channel.EMAIL,
        text=text,
        contact=contact,
        suggested=stored_suggestion(parsed),
        received_at=_received_at(mail, read.ident),
        source=SOURCE,
        external_id=read.key,
        via=VIA,
        **values,
    )
    _attach(_message_row(mail, read, statement=received.statement), read)


def _record_quarantine(mail: RawMail, read: _Read, text: str, reason: str, detail: str) -> None:
    message = _message_row(mail, read)
    Quarantine.objects.create(
        mail=message,
        reason=reason,
        detail=detail,
        raw=encrypt_bytes(mime.strip_trace_headers(read.raw)),
        raw_truncated=read.truncated,
        text=text,
    )
    _attach(message, read)
