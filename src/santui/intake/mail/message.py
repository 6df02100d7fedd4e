"""One raw email -> its identity (Message-ID, sender, date), its text and its attachments.

Pure Python (standard library ``email`` with ``policy.default``, lxml for HTML): no Django, so
hostile input can be tried here alone (``bench/fuzz_mail.py`` does). Limits are module constants
with documented defaults (docs/mail-intake.md); what breaks one raises ``Unreadable`` with a
quarantine reason, and nothing else: any other exception out of ``identity`` or ``content`` is
a bug, which ``santui.intake.mail.ingest`` still turns into a quarantine.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime

from santui.intake.mail.charsets import UndecodableError, decode
from santui.intake.mail.html import HtmlError, declared_charset, html_to_text
from santui.intake.mail.trace import strip_trace_headers

__all__ = ["strip_trace_headers"]  # re-exported: the ingestion stores messages through it

MAX_PARTS = 200  # MIME parts in one message, nested ones included
MAX_BOUNDARY_LINES = 4 * MAX_PARTS  # lines starting with "--", counted before parsing
MAX_DEPTH = 8  # multipart and message/rfc822 levels
MAX_ATTACHMENTS = 20  # files kept from one message
MAX_HTML_BYTES = 2 * 1024 * 1024  # all HTML parts of one message together
# 8-bit bytes in one message: the parser holds them as surrogates (4 bytes each), so a 25 MiB
# message of them took 440 MB. Text and HTML fit well within; files come in base64 (ASCII).
MAX_8BIT_BYTES = 4 * 1024 * 1024
_ASCII = bytes(range(128))
MAX_ID_LENGTH = 900
# The standard library's parser of structured header fields (Content-Type, Content-Disposition)
# is quadratic in the number of parameters: 370 KB of Content-Type parameters took a minute.
MAX_FIELD_BYTES = 4 * 1024  # one such field
MAX_FIELD_WORK = 256 * 1024  # such fields' bytes parsed for one message, each reading counted

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MESSAGE_ID = re.compile(rf"<([^<>\s]{{1,{MAX_ID_LENGTH}}})>")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class Unreadable(Exception):
    """The message cannot give a statement by itself: ``reason`` is a quarantine reason.

    ``detail`` is technical (stored in clear, seen by every volunteer): callers put no text of
    the message in it, and what could still slip in (control characters, undecodable bytes) is
    taken out here."""

    def __init__(self, reason: str, detail: str) -> None:
        detail = _CONTROL.sub("", detail.encode("utf-8", "replace").decode("utf-8"))[:300]
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


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
    except Exception:  # broken encoded words: the field as sent, cleaned like the rest
        return " ".join(_CONTROL.sub("", _shown(raw)).split())[:500]
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
    except Exception:  # the standard library's date parser raises many kinds: no date then
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


class _BoundedPolicy(EmailPolicy):
    """``policy.default`` whose structured header fields are parsed within bounds: none longer
    than ``MAX_FIELD_BYTES``, at most ``MAX_FIELD_WORK`` bytes of them for the message (the
    parser reads Content-Type while it splits the parts, and again on each question asked of
    it). One instance per message: the budget is its own."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_budget", [MAX_FIELD_WORK])  # policies are immutable

    def header_fetch_parse(self, name: str, value: str) -> str:
        if len(value) > MAX_FIELD_BYTES:
            raise Unreadable(
                TOO_COMPLEX, f"a MIME header field of {len(value)} bytes, at most {MAX_FIELD_BYTES}"
            )
        budget: list[int] = self._budget  # type: ignore[attr-defined]  # set in __init__
        budget[0] -= len(value)
        if budget[0] < 0:
            raise Unreadable(TOO_COMPLEX, f"more than {MAX_FIELD_WORK} bytes of MIME header fields")
        return super().header_fetch_parse(name, value)  # type: ignore[no-any-return]  # typeshed


def parse(raw: bytes) -> Message:
    """The whole message. Raises Unreadable (malformed, too complex).

    The standard parser takes about a millisecond per MIME part: a message is refused before
    parsing when it has more than ``MAX_BOUNDARY_LINES`` lines that start like a boundary."""
    lines = raw.count(b"\n--") + raw.startswith(b"--")
    if lines > MAX_BOUNDARY_LINES:
        raise Unreadable(TOO_COMPLEX, f"more than {MAX_BOUNDARY_LINES} lines starting with --")
    if not raw.isascii() and len(raw) > MAX_8BIT_BYTES:
        eight_bit = len(raw.translate(None, _ASCII))  # the 8-bit bytes alone, in one C loop
        if eight_bit > MAX_8BIT_BYTES:
            raise Unreadable(TOO_COMPLEX, f"more than {MAX_8BIT_BYTES} bytes of 8-bit data")
    try:
        return BytesParser(policy=_BoundedPolicy()).parsebytes(raw)
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable(TOO_COMPLEX, "nested too deep to parse") from None
    except Exception as exc:  # the parser is lenient; anything else is hostile
        # the exception's type only: its message may quote the header (an address, a name)
        raise Unreadable(MALFORMED, f"the MIME parser failed ({type(exc).__name__})") from None


def parse_head(head: bytes) -> Message:
    """The header alone, of a message too large to read whole."""
    match = _HEADER_END.search(head)
    block = head[: match.end()] if match else head
    try:
        return BytesHeaderParser(policy=_BoundedPolicy()).parsebytes(block)
    except Exception:  # what the header tells is then unknown, nothing more
        return BytesHeaderParser(policy=_BoundedPolicy()).parsebytes(b"\r\n")


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
    except Unreadable:
        raise
    except Exception:  # broken transfer encoding: the part is unreadable
        return b""
    return data if isinstance(data, bytes) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Unreadable:
        raise
    except Exception:
        name = ""
    return _CONTROL.sub("", str(name)).replace("/", "_").replace("\\", "_")[:255]


@dataclass(frozen=True)
class _Part:
    """What a leaf's MIME header says, read once."""

    message: Message
    kind: str  # content type, lower case
    attached: bool
    charset: str | None


def _describe(part: Message, number: int) -> _Part:
    """Raises Unreadable when the part's own header cannot be read: with policy.default a
    header is decoded as a whole, so ``filename*=undefined''%ff`` makes every read of
    Content-Disposition raise UnicodeError (issue 12's poison pills)."""
    try:
        charset = part.get_param("charset")
        return _Part(
            part,
            part.get_content_type(),
            part.get_content_disposition() == "attachment",
            charset if isinstance(charset, str) else None,
        )
    except Unreadable:
        raise
    except (UnicodeError, LookupError) as exc:
        raise Unreadable(
            UNDECODABLE,
            f"the header of MIME part {number} cannot be decoded ({type(exc).__name__})",
        ) from None
    except Exception as exc:  # the parser is lenient; anything else is hostile
        raise Unreadable(
            MALFORMED, f"the header of MIME part {number} cannot be read ({type(exc).__name__})"
        ) from None


def _text_of(part: _Part, html_budget: list[int]) -> str:
    data = _payload(part.message)
    if part.kind == "text/html":
        html_budget[0] -= len(data)
        if html_budget[0] < 0:
            raise Unreadable(
                TOO_COMPLEX, f"more than {MAX_HTML_BYTES} bytes of HTML in one message"
            )
        try:
            markup, _ = decode(data, part.charset or declared_charset(data))
        except UndecodableError as exc:
            raise Unreadable(UNDECODABLE, str(exc)) from None
        try:
            return html_to_text(markup)
        except HtmlError as exc:
            raise Unreadable(MALFORMED, f"the HTML cannot be read ({exc})") from None
    try:
        text, _ = decode(data, part.charset)
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
    plain: list[_Part] = []
    html: list[_Part] = []
    text_files: list[_Part] = []
    files: list[Attachment] = []
    for number, leaf in enumerate(leaves, start=1):
        part = _describe(leaf, number)
        if part.kind == "text/plain" and not part.attached:
            plain.append(part)
        elif part.kind == "text/html" and not part.attached:
            html.append(part)
        elif part.kind == "text/plain":
            text_files.append(part)
        elif len(files) < MAX_ATTACHMENTS:
            data = _payload(leaf)
            sniffed = sniff(data)
            if sniffed:  # archives (zip bombs...), programs and the rest are not kept apart
                files.append(Attachment(_filename(leaf) or "attachment", sniffed, data))
    chosen = plain or html or text_files
    budget = [MAX_HTML_BYTES]
    texts = [clean_text(_text_of(part, budget)) for part in chosen]
    return Content(text="\n\n".join(t for t in texts if t), attachments=tuple(files))
