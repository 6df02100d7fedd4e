"""One raw email -> its identity (Message-ID, sender, date), its text and its attachments.

Pure Python (standard library ``email`` with ``policy.default``, Beautiful Soup for HTML): no
Django, so hostile input can be tried here alone. Limits are arguments with documented defaults
(docs/mail-intake.md); what breaks one raises ``Unreadable`` with a quarantine reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from santui.intake.mail.charsets import UndecodableError, decode
from santui.intake.mail.html import declared_charset, html_to_text

MAX_PARTS = 200  # MIME parts in one message, nested ones included
MAX_BOUNDARY_LINES = 4 * MAX_PARTS  # lines starting with "--", counted before parsing
MAX_DEPTH = 8  # multipart and message/rfc822 levels
MAX_ATTACHMENTS = 20  # files kept from one message
MAX_HTML_BYTES = 2 * 1024 * 1024  # one HTML part
MAX_ID_LENGTH = 900

# Quarantine reasons (the values of santui.intake.models.QuarantineReason).
MALFORMED = "malformed"
TOO_COMPLEX = "too_complex"
UNDECODABLE = "undecodable"

# Files kept from a message, told by their first bytes, not by what the sender labelled them.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"%PDF-", 0, "application/pdf"),
    (b"BM", 0, "image/bmp"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif"}
# Header fields that carry the path a message took, client addresses included (DESIGN.md,
# invariant 4): removed before a message is stored, even encrypted.
_TRACE_FIELDS = frozenset(
    {
        b"received", b"x-received", b"received-spf", b"authentication-results",
        b"arc-authentication-results", b"arc-seal", b"arc-message-signature",
        b"x-originating-ip", b"x-sender-ip", b"x-forwarded-for", b"x-real-ip",
        b"x-source-ip", b"x-client-ip", b"x-remote-ip", b"x-ms-exchange-organization-authsource",
        b"x-google-smtp-source", b"x-gm-message-state", b"x-ms-publictraffictype",
    }
)  # fmt: skip
_IPV4 = re.compile(rb"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])")
# Full (eight groups) or compressed ("::") IPv6, not clock times such as 10:00:00.
_IPV6 = re.compile(
    rb"(?i)(?<![0-9a-f])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|[0-9a-f:]*::[0-9a-f:]*[0-9a-f])"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MESSAGE_ID = re.compile(rf"<([^<>\s]{{1,{MAX_ID_LENGTH}}})>")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class Unreadable(Exception):
    """The message cannot give a statement by itself: ``reason`` is a quarantine reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail[:300]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Identity:
    """What the header says: enough to recognise a message again and to answer it."""

    message_id: str | None
    sender: str  # the From address, lower case, or ""
    reply_to: str  # where an answer goes: Reply-To, else From
    subject: str
    date: dt.datetime | None


@dataclass(frozen=True)
class Content:
    text: str  # the readable body ("" when there is none)
    attachments: tuple[Attachment, ...]


# --- header ------------------------------------------------------------------------------------


def _raw_header(msg: Message, name: str) -> str | None:
    """The first ``name`` field as sent (unfolded, control characters removed)."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            text = str(value).replace("\r", "").replace("\n", "")
            return _CONTROL.sub("", text).strip()
    return None


def _bytes_of(text: str) -> bytes:
    """Header text as sent: 8-bit bytes reach us as surrogates (surrogateescape)."""
    return text.encode("utf-8", "surrogateescape")


def _shown(text: str) -> str:
    return _bytes_of(text).decode("utf-8", "replace")


def clean_message_id(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = _shown(raw)
    found = _MESSAGE_ID.search(raw)
    if found:
        return f"<{found.group(1)}>"
    token = raw.strip()
    if token and len(token) <= MAX_ID_LENGTH and not any(ch.isspace() for ch in token):
        return token
    return None


def _address(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        pairs = getaddresses([_shown(raw)])
    except Exception:  # a hostile header must not stop the message
        return ""
    for _, addr in pairs:
        addr = addr.strip().lower()
        if "@" in addr and len(addr) <= 320 and not any(ch.isspace() for ch in addr):
            return addr
    return ""


def _subject(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        pieces = decode_header(raw)
    except Exception:
        return _shown(raw)[:500]
    out = []
    for piece, charset in pieces:
        if isinstance(piece, str):  # no encoded words: raw 8-bit text, if any, read as a body
            piece, charset = _bytes_of(piece), None
        try:
            out.append(decode(piece, charset)[0])
        except UndecodableError:
            out.append(piece.decode("utf-8", "replace"))
    return " ".join(_CONTROL.sub("", "".join(out)).split())[:500]


def _date(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def identity(msg: Message) -> Identity:
    sender = _address(_raw_header(msg, "from"))
    return Identity(
        message_id=clean_message_id(_raw_header(msg, "message-id")),
        sender=sender,
        reply_to=_address(_raw_header(msg, "reply-to")) or sender,
        subject=_subject(_raw_header(msg, "subject")),
        date=_date(_raw_header(msg, "date")),
    )


def parse(raw: bytes) -> Message:
    """The whole message. Raises Unreadable (malformed, too complex).

    The standard parser takes about a millisecond per MIME part: a message is refused before
    parsing when it has more than ``MAX_BOUNDARY_LINES`` lines that start like a boundary."""
    lines = raw.count(b"\n--") + raw.startswith(b"--")
    if lines > MAX_BOUNDARY_LINES:
        raise Unreadable(TOO_COMPLEX, f"more than {MAX_BOUNDARY_LINES} lines starting with --")
    try:
        return BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError:
        raise Unreadable(TOO_COMPLEX, "nested too deep to parse") from None
    except Exception as exc:  # the parser is lenient; anything else is hostile
        raise Unreadable(MALFORMED, f"{type(exc).__name__}: {exc}") from None


def parse_head(head: bytes) -> Message:
    """The header alone, of a message too large to read whole."""
    match = _HEADER_END.search(head)
    block = head[: match.end()] if match else head
    try:
        return BytesHeaderParser(policy=policy.default).parsebytes(block)
    except Exception:
        return BytesHeaderParser(policy=policy.default).parsebytes(b"\r\n")


def strip_trace_headers(raw: bytes) -> bytes:
    """The message with trace fields, and any header field holding an IP address, removed."""
    match = _HEADER_END.search(raw)
    head, body = (raw[: match.start()], raw[match.start() :]) if match else (raw, b"")
    fields: list[list[bytes]] = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    kept = []
    for parts in fields:
        name = parts[0].split(b":", 1)[0].strip().lower()
        value = b"".join(parts)
        if name in _TRACE_FIELDS or _IPV4.search(value) or _IPV6.search(value):
            continue
        kept.append(value)
    return b"".join(kept) + body


# --- body --------------------------------------------------------------------------------------


def _leaves(part: Message, depth: int, seen: list[int]) -> list[Message]:
    seen[0] += 1
    if seen[0] > MAX_PARTS:
        raise Unreadable(TOO_COMPLEX, f"more than {MAX_PARTS} MIME parts")
    if depth > MAX_DEPTH:
        raise Unreadable(TOO_COMPLEX, f"nested more than {MAX_DEPTH} levels deep")
    if part.is_multipart():
        payload = part.get_payload()
        children = payload if isinstance(payload, list) else []
        out: list[Message] = []
        for child in children:
            if isinstance(child, Message):
                out += _leaves(child, depth + 1, seen)
        return out
    return [part]


def sniff(data: bytes) -> str | None:
    """The type of a file we keep, from its first bytes; None for anything else."""
    for magic, offset, kind in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic" if data[8:12] != b"avif" else "image/avif"
    return None


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken transfer encoding: the part is unreadable
        return b""
    return data if isinstance(data, bytes) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return _CONTROL.sub("", str(name)).replace("/", "_").replace("\\", "_")[:255]


def _text_of(part: Message) -> str:
    data = _payload(part)
    charset = part.get_param("charset")
    label = charset if isinstance(charset, str) else None
    if part.get_content_type() == "text/html":
        if len(data) > MAX_HTML_BYTES:
            raise Unreadable(
                TOO_COMPLEX, f"HTML part of {len(data)} bytes, at most {MAX_HTML_BYTES}"
            )
        try:
            markup, _ = decode(data, label or declared_charset(data))
        except UndecodableError as exc:
            raise Unreadable(UNDECODABLE, str(exc)) from None
        return html_to_text(markup)
    try:
        text, _ = decode(data, label)
    except UndecodableError as exc:
        raise Unreadable(UNDECODABLE, str(exc)) from None
    return text


def clean_text(text: str) -> str:
    """Control characters (NUL included: PostgreSQL refuses it) out, line ends unified."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def content(msg: Message) -> Content:
    """The readable text (plain parts first, else HTML, else text files) and the kept files.
    Raises Unreadable."""
    try:
        leaves = _leaves(msg, 0, [0])
    except RecursionError:
        raise Unreadable(TOO_COMPLEX, "nested too deep") from None
    plain: list[Message] = []
    html: list[Message] = []
    text_files: list[Message] = []
    files: list[Attachment] = []
    for part in leaves:
        kind = part.get_content_type()
        attached = part.get_content_disposition() == "attachment"
        if kind == "text/plain" and not attached:
            plain.append(part)
        elif kind == "text/html" and not attached:
            html.append(part)
        elif kind == "text/plain":
            text_files.append(part)
        elif len(files) < MAX_ATTACHMENTS:
            data = _payload(part)
            sniffed = sniff(data)
            if sniffed:  # archives (zip bombs...), programs and the rest are not kept apart
                files.append(Attachment(_filename(part) or "attachment", sniffed, data))
    chosen = plain or html or text_files
    texts = [clean_text(_text_of(part)) for part in chosen]
    return Content(text="\n\n".join(t for t in texts if t), attachments=tuple(files))
