"""Where messages come from: .eml files, mbox files, Maildir folders, an IMAP mailbox.

Each yields ``RawMail``: the message's bytes when it is within the size limit, else only its
first ``HEAD_BYTES`` (a message over the limit is never read whole). Files are told apart by
themselves: a folder with ``cur/`` and ``new/`` is a Maildir, any other folder is read file by
file; a file whose first line starts with ``From `` is an mbox, any other file one message.
The IMAP mailbox is opened read-only: nothing is flagged, moved or deleted there.

Memory is bounded by the size limit, whatever the input (issue 12): an mbox is split by reading
its lines in pieces of at most ``LINE_PIECE`` bytes (the standard library's ``mailbox.mbox``
reads each line whole, so one line of 300 MB took 400-700 MB), and a message is read only up to
the limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import ipaddress
import mailbox
import os
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from santui.intake.mail.message import clean_message_id

HEAD_BYTES = 64 * 1024
LINE_PIECE = 64 * 1024  # an mbox is read at most this much at a time
IMAP_TIMEOUT = 60  # seconds, per network operation
_FETCH_BATCH = 200


class SourceError(Exception):
    """A path or mailbox that cannot be read at all (the command stops with this message)."""


@dataclass(frozen=True)
class RawMail:
    origin: str  # file path, "path#N" in an mbox, "imap UID N": for messages, never stored
    size: int
    data: bytes | None  # the whole message, or None when it is over the size limit
    head: bytes  # its first HEAD_BYTES
    arrived_at: dt.datetime | None = None  # when the server received it (IMAP INTERNALDATE)


def _read(stream: BinaryIO, size: int, max_bytes: int, origin: str) -> RawMail:
    if size > max_bytes:
        return RawMail(origin, size, None, stream.read(HEAD_BYTES))
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew while we read it
        return RawMail(origin, len(data), None, data[:HEAD_BYTES])
    return RawMail(origin, len(data), data, data[:HEAD_BYTES])


def _proxy_size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _maildir(path: Path, max_bytes: int) -> Iterator[RawMail]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys()):
        try:
            stream = box.get_file(key)
        except (KeyError, FileNotFoundError):  # taken away by a mail client meanwhile
            continue
        with contextlib.closing(stream):
            yield _read(stream, _proxy_size(stream), max_bytes, f"{path}/{key}")  # type: ignore[arg-type]  # a _ProxyFile reads like a BinaryIO


def mbox_spans(stream: BinaryIO) -> Iterator[tuple[int, int]]:
    """(start, stop) of each message of an mbox, as ``mailbox.mbox`` splits it: a message starts
    after a line beginning with ``From `` and stops before the next such line, less the blank
    line before it. Lines are read ``LINE_PIECE`` bytes at a time. A caller may read a message
    from the stream before it asks for the next span: the scan seeks back to where it was."""
    start: int | None = None
    last_was_empty = False
    position = stream.tell()
    at_line_start = True
    while True:
        piece = stream.readline(LINE_PIECE)
        if not piece:
            break
        line_start, at_new_line = position, at_line_start
        position += len(piece)
        at_line_start = piece.endswith(b"\n")
        if not at_new_line:  # the rest of a long line
            continue
        if piece.startswith(b"From "):
            while not at_line_start and (rest := stream.readline(LINE_PIECE)):
                position += len(rest)  # the rest of a long From line
                at_line_start = rest.endswith(b"\n")
            if start is not None:
                yield start, line_start - 1 if last_was_empty else line_start
                stream.seek(position)
            start, last_was_empty = position, False
        else:
            last_was_empty = piece == b"\n"
    if start is not None:
        yield start, position - 1 if last_was_empty else position


def _mbox(path: Path, max_bytes: int) -> Iterator[RawMail]:
    with open(path, "rb") as stream:
        for number, (start, stop) in enumerate(mbox_spans(stream), start=1):
            stream.seek(start)  # mbox_spans seeks back to where its scan is
            size = stop - start
            origin = f"{path}#{number}"
            if size > max_bytes:
                yield RawMail(origin, size, None, stream.read(min(size, HEAD_BYTES)))
            else:
                data = stream.read(size)
                yield RawMail(origin, len(data), data, data[:HEAD_BYTES])


def _file(path: Path, max_bytes: int) -> Iterator[RawMail]:
    with open(path, "rb") as stream:
        is_mbox = stream.read(5) == b"From "
        stream.seek(0)
        if not is_mbox:
            yield _read(stream, os.fstat(stream.fileno()).st_size, max_bytes, str(path))
            return
    yield from _mbox(path, max_bytes)


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def read_paths(paths: list[str], *, max_bytes: int) -> Iterator[RawMail]:
    """Every message under ``paths``, in a stable order. Raises SourceError for a missing path."""
    for name in paths:
        if not os.path.exists(name):
            raise SourceError(f"no such file or folder: {name}")
    for name in paths:
        path = Path(name)
        if path.is_dir() and is_maildir(path):
            yield from _maildir(path, max_bytes)
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and not child.name.startswith("."):
                    yield from _file(child, max_bytes)
        else:
            yield from _file(path, max_bytes)


# --- IMAP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapTarget:
    secure: bool  # imaps://
    host: str
    port: int
    user: str
    password: str
    mailbox: str


def parse_imap_url(url: str, *, password: str = "") -> ImapTarget:
    """``imaps://user:pass@host:port/MAILBOX`` (or ``imap://``). The password may come from
    ``password`` (the SANTUI_IMAP_PASSWORD environment variable) instead of the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps"):
        raise SourceError("the IMAP URL must start with imaps:// or imap://")
    try:
        port = parts.port
    except ValueError:
        raise SourceError("bad port in the IMAP URL") from None
    if not parts.hostname or not parts.username:
        raise SourceError("the IMAP URL needs a user and a host: imaps://user@host/INBOX")
    mailbox_name = unquote(parts.path.lstrip("/")) or "INBOX"
    if not mailbox_name.isascii() or any(ch in mailbox_name for ch in '"\\\r\n'):
        raise SourceError("the mailbox name must be plain ASCII without quotes")
    secret = unquote(parts.password or "") or password
    if not secret:
        raise SourceError("no IMAP password: put it in the URL or in SANTUI_IMAP_PASSWORD")
    return ImapTarget(
        secure=parts.scheme == "imaps",
        host=parts.hostname,
        port=port or (993 if parts.scheme == "imaps" else 143),
        user=unquote(parts.username),
        password=secret,
        mailbox=mailbox_name,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connect(target: ImapTarget) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    try:
        if target.secure:
            return imaplib.IMAP4_SSL(
                target.host, target.port, ssl_context=context, timeout=IMAP_TIMEOUT
            )
        conn = imaplib.IMAP4(target.host, target.port, timeout=IMAP_TIMEOUT)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise SourceError(f"cannot reach the IMAP server: {exc}") from None
    if "STARTTLS" in conn.capabilities:
        conn.starttls(ssl_context=context)
    elif not _is_loopback(target.host):
        conn.shutdown()
        raise SourceError(
            "the IMAP server offers no STARTTLS: use imaps://, or imap:// to this machine only"
        )
    return conn


_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')


def _ok(result: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = result
    if status != "OK":
        raise SourceError(f"IMAP {what} failed: {data!r:.200}")
    return data


def _literal(data: list[object]) -> bytes:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return b""


def _internaldate(line: bytes) -> dt.datetime | None:
    found = _DATE.search(line)
    if not found:
        return None
    try:
        return dt.datetime.strptime(found.group(1).decode("ascii"), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def read_imap(
    target: ImapTarget, *, max_bytes: int, known: Callable[[str], bool] | None = None
) -> Iterator[RawMail]:
    """Every message of the mailbox, oldest UID first.

    Each batch first fetches sizes, arrival times and Message-ID fields only. A message whose
    Message-ID ``known`` recognises is not downloaded: it comes as its Message-ID field alone
    (``data`` None), which is all the ingestion needs to report it as a duplicate."""
    conn = _connect(target)
    try:
        try:
            conn.login(target.user, target.password)
        except imaplib.IMAP4.error:
            raise SourceError("the IMAP server refused the user name or password") from None
        _ok(conn.select(f'"{target.mailbox}"', readonly=True), "SELECT")
        found = _ok(conn.uid("SEARCH", "ALL"), "SEARCH")
        uids = [int(u) for u in (found[0] or b"").split()] if found else []
        what = "(RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
        for start in range(0, len(uids), _FETCH_BATCH):
            batch = ",".join(str(u) for u in uids[start : start + _FETCH_BATCH])
            for item in _ok(conn.uid("FETCH", batch, what), "FETCH"):
                meta, field = item if isinstance(item, tuple) else (item, b"")
                if not isinstance(meta, bytes):
                    continue
                uid, size = _UID.search(meta), _SIZE.search(meta)
                if not uid or not size:
                    continue
                number, length, arrived = int(uid.group(1)), int(size.group(1)), _internaldate(meta)
                field = field if isinstance(field, bytes) else b""
                message_id = clean_message_id(_message_id_field(field))
                if message_id and known is not None and known(message_id):
                    yield RawMail(f"imap UID {number}", length, None, field, arrived)
                    continue
                yield _imap_message(conn, number, length, arrived, max_bytes)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()


def _message_id_field(field: bytes) -> str | None:
    text = field.decode("ascii", "replace")
    name, _, value = text.partition(":")
    return " ".join(value.split()) if name.strip().lower() == "message-id" else None


def _imap_message(
    conn: imaplib.IMAP4, uid: int, size: int, arrived: dt.datetime | None, max_bytes: int
) -> RawMail:
    origin = f"imap UID {uid}"
    if size > max_bytes:
        part = f"(BODY.PEEK[]<0.{HEAD_BYTES}>)"
        head = _literal(_ok(conn.uid("FETCH", str(uid), part), "FETCH"))
        return RawMail(origin, size, None, head, arrived)
    data = _literal(_ok(conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH"))
    if len(data) > max_bytes:  # the server's size was wrong
        return RawMail(origin, len(data), None, data[:HEAD_BYTES], arrived)
    return RawMail(origin, len(data), data, data[:HEAD_BYTES], arrived)
