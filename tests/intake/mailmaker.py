"""Raw email messages for the tests, built byte by byte where the charset or the transfer
encoding matters (the standard library would re-encode them its own way)."""

from __future__ import annotations

import base64
import datetime as dt
import quopri
from email.message import EmailMessage
from email.utils import format_datetime

STATEMENT = "我声明退出中国共产党、共青团和少先队组织。"
STATEMENT_HANT = "我聲明退出中國共產黨、共青團和少先隊組織。"
# 1x1 pixel images, real enough for the type sniffing
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0"
    "000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bff"
    "da0008010100003f00d2cf20ffd9"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001" "0d0a2db40000000049454e44ae426082"
)  # fmt: skip


def header(
    message_id: str | None = "<s1@example.org>",
    *,
    sender: str = "Declarant <declarant@example.org>",
    subject: str = "statement",
    date: dt.datetime | None = None,
    extra: str = "",
) -> str:
    lines = [f"From: {sender}", "To: intake@santui.example", f"Subject: {subject}"]
    moment = date or dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)
    lines.append(f"Date: {format_datetime(moment)}")
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    lines.append("MIME-Version: 1.0")
    return "\r\n".join(lines) + "\r\n" + extra


def text_mail(
    text: str = STATEMENT,
    *,
    charset: str = "utf-8",
    label: str | None = None,
    cte: str = "base64",
    subtype: str = "plain",
    **head: object,
) -> bytes:
    """One text part: ``text`` encoded in ``charset``, labelled ``label`` (default: charset;
    "" for no charset parameter), in transfer encoding ``cte`` (base64, quoted-printable, 8bit)."""
    data = text.encode(charset)
    if cte == "base64":
        body = base64.encodebytes(data)
    elif cte == "quoted-printable":
        body = quopri.encodestring(data)
    else:
        body = data
    label = charset if label is None else label
    param = f"; charset={label}" if label else ""
    ctype = f"Content-Type: text/{subtype}{param}\r\nContent-Transfer-Encoding: {cte}\r\n"
    return (header(**head) + ctype + "\r\n").encode("utf-8") + body  # type: ignore[arg-type]


def with_attachments(text: str, files: list[tuple[str, str, bytes]], **head: object) -> bytes:
    msg = EmailMessage()
    msg["From"] = str(head.get("sender", "declarant@example.org"))
    msg["To"] = "intake@santui.example"
    msg["Subject"] = "statement"
    msg["Message-ID"] = str(head.get("message_id", "<att@example.org>"))
    msg["Date"] = "Wed, 01 May 2024 10:00:00 +0000"
    if text:
        msg.set_content(text)
    for filename, ctype, data in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def mbox(*messages: bytes) -> bytes:
    out = b""
    for raw in messages:
        body = raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
        out += b"From declarant@example.org Wed May  1 10:00:00 2024\n" + body + b"\n\n"
    return out
