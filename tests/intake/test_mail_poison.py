"""Issue 12: no email can stop intake.

Each "poison pill" below once raised out of `santui ingest-mail` (an uncaught UnicodeError or
a parser's own exception): the command exited 1, the message was never stored, and every later
run stopped at the same message, so no mail after it was ever read. Now each is quarantined
with its reason (or, where it still reads cleanly, taken in), stored once, counted in the
summary, and the run goes on to the message after it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from santui.intake.models import MailMessage, Quarantine, QuarantineReason
from santui.statements.crypto import decrypt_bytes
from santui.statements.models import Statement
from tests.intake.mailmaker import STATEMENT, header, mbox, text_mail

pytestmark = pytest.mark.django_db


def _part(head: str, body: bytes) -> bytes:
    return head.encode() + b"\r\n\r\n" + body


def _multipart(*parts: bytes, **head: Any) -> bytes:
    inner = b"".join(b"--b\r\n" + part + b"\r\n" for part in parts)
    return (
        header(**head).encode()
        + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + inner
        + b"--b--\r\n"
    )


def _plain(charset: str, body: bytes, cte: str = "8bit", **head: Any) -> bytes:
    return (
        header(**head).encode()
        + f"Content-Type: text/plain; charset={charset}\r\n".encode()
        + f"Content-Transfer-Encoding: {cte}\r\n\r\n".encode()
        + body
    )


_TEXT_PART = _part("Content-Type: text/plain; charset=utf-8", STATEMENT.encode())

# (name, raw message): every one of these raised before the fix (see the module docstring).
POISON: list[tuple[str, bytes]] = [
    ("charset=undefined", _plain("undefined", STATEMENT.encode())),
    ("charset=undefined, base64", _plain("undefined", b"5oiR5aOw5piO\r\n", "base64")),
    ("charset=idna", _plain("idna", b"xn--zz")),
    ("charset=punycode", _plain("punycode", b"abc-\xff")),
    ("subject =?undefined?q?", text_mail(subject="=?undefined?q?=E4=B8=89=E9=80=80?=")),
    ("subject =?idna?q?", text_mail(subject="=?idna?q?xn--zz?=")),
    ("from =?undefined?b?", text_mail(sender="=?undefined?b?5byg5LiJ?= <a@example.org>")),
    (
        "filename*=undefined''",
        _multipart(
            _TEXT_PART,
            _part(
                "Content-Type: image/jpeg\r\n"
                "Content-Disposition: attachment; filename*=undefined''%ff%fe",
                b"\xff\xd8\xff\xe0",
            ),
        ),
    ),
    (
        "charset*=undefined'' (RFC 2231)",
        _multipart(_part("Content-Type: text/plain; charset*=undefined''%ff", b"x")),
    ),
    (
        "HTML <meta charset=undefined>",
        header().encode()
        + b"Content-Type: text/html\r\n\r\n<meta charset=undefined><p>"
        + STATEMENT.encode(),
    ),
    (
        "HTML <![ the parser rejects",
        header().encode() + b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>x</p><![" * 3,
    ),
]


def ingest(*paths: Path, **options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("ingest-mail", *map(str, paths), json=True, stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize(("name", "raw"), POISON, ids=[name for name, _ in POISON])
def test_a_poison_pill_is_stored_once_and_the_run_goes_on(
    tmp_path: Path, name: str, raw: bytes
) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "1-poison.eml").write_bytes(raw)
    (folder / "2-next.eml").write_bytes(text_mail(message_id="<next@example.org>"))
    first, second = ingest(folder)
    assert first["status"] in ("quarantined", "received"), first
    if first["status"] == "quarantined":
        assert first["reason"] in QuarantineReason.values
        quarantine = Quarantine.objects.get()
        assert quarantine.reason == first["reason"]
        assert decrypt_bytes(bytes(quarantine.raw))  # the message is kept, encrypted
    assert (second["message_id"], second["status"]) == ("<next@example.org>", "received")
    assert MailMessage.objects.count() == 2
    # stored once: the next run reads neither again
    assert [line["status"] for line in ingest(folder)] == ["duplicate", "duplicate"]


def test_undecodable_charsets_are_quarantined_with_the_reason(tmp_path: Path) -> None:
    """A body whose only label is not a character set, and whose bytes no charset of the
    documented order reads either, is `undecodable`, and the detail names no message text."""
    path = tmp_path / "u.eml"
    path.write_bytes(_plain("undefined", b"\xff\x80" * 40))
    (line,) = ingest(path)
    assert (line["status"], line["reason"]) == ("quarantined", "undecodable")
    assert "declared: undefined" in line["detail"]


def test_a_label_that_is_no_charset_is_read_as_unlabelled(tmp_path: Path) -> None:
    """idna, punycode, undefined, rot13, base64...: codecs, not character sets of mail."""
    for number, label in enumerate(("undefined", "idna", "punycode", "rot13", "base64")):
        path = tmp_path / f"{number}.eml"
        path.write_bytes(_plain(label, STATEMENT.encode(), message_id=f"<{number}@x>"))
        (line,) = ingest(path)
        assert line["status"] == "received", (label, line)
    assert Statement.objects.count() == 5


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("bad base64", _plain("utf-8", b"5oiR5aOw!!!5piO=\r\n===\r\nQQ", "base64")),
        ("bad quoted-printable", _plain("utf-8", b"=E6=88=9=ZZ=\r\n=", "quoted-printable")),
        ("unknown transfer encoding", _plain("utf-8", b"x", "x-bogus")),
        ("8-bit bytes in headers", b"From: \xff\xfe <a@\xc0\xaf>\r\nSubject: \xfe\xff\x00\x1b\r\n"
         b"Message-ID: <\xff@x>\r\nContent-Type: text/plain; charset=\xff\r\n\r\n"
         + STATEMENT.encode()),
        ("NUL in headers and body", b"Subject: a\x00b\r\nMessage-ID: <n\x00@x>\r\n\r\n\x00"),
        ("deeply nested multiparts", header().encode()
         + b'Content-Type: multipart/mixed; boundary="d0"\r\n\r\n'
         + b"".join(f'--d{n}\r\nContent-Type: multipart/mixed; boundary="d{n + 1}"\r\n\r\n'
                    .encode() for n in range(500))),
    ],
)  # fmt: skip
def test_broken_transfer_encodings_and_headers_never_stop_the_run(
    tmp_path: Path, name: str, raw: bytes
) -> None:
    box = tmp_path / "box"
    box.write_bytes(mbox(raw, text_mail(message_id="<after@example.org>")))
    first, second = ingest(box)
    assert first["status"] in ("quarantined", "received"), (name, first)
    assert (second["message_id"], second["status"]) == ("<after@example.org>", "received")


def test_the_summary_counts_poison_pills_with_their_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    for number, (_, raw) in enumerate(POISON):
        unique = raw.replace(b"<s1@example.org>", f"<p{number}@example.org>".encode())
        (folder / f"{number:02}.eml").write_bytes(unique)
    out = io.StringIO()
    call_command("ingest-mail", str(folder), no_progress=True, stdout=out)
    report = out.getvalue()
    stored = MailMessage.objects.count()
    assert stored == len(POISON)
    quarantined = Quarantine.objects.count()
    received = Statement.objects.count()
    assert quarantined + received == len(POISON)
    assert f"quarantined          {quarantined:>10,}" in report
    assert f"received             {received:>10,}" in report


def test_a_bug_in_the_reader_quarantines_the_message_and_logs_no_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: should the reader raise anything but Unreadable on some
    message (a bug the fuzzer has not found yet), that message is quarantined as malformed,
    with the exception's type and never its message (which may quote the mail), and the run
    goes on."""
    from santui.intake.mail import ingest as mail_ingest
    from tests.privacy.test_no_ip_anywhere import capture_all_logging

    real = mail_ingest.mime.content

    def content(msg: Any) -> Any:
        if "bug" in str(msg["subject"]):
            raise RuntimeError(str(msg["subject"]))  # the mail's own words
        return real(msg)

    monkeypatch.setattr(mail_ingest.mime, "content", content)
    folder = tmp_path / "mail"
    folder.mkdir()
    subject = "bug 203.0.113.77 王秀英"
    (folder / "1.eml").write_bytes(text_mail(subject=subject, message_id="<bug@example.org>"))
    (folder / "2.eml").write_bytes(text_mail(message_id="<fine@example.org>"))
    with capture_all_logging() as log:
        first, second = ingest(folder)
    assert (first["status"], first["reason"]) == ("quarantined", "malformed")
    assert first["detail"] == "the mail reader failed (RuntimeError)"
    assert second["status"] == "received"
    assert "RuntimeError" in log.text and "in content" in log.text  # where, for the developers
    assert "203.0.113.77" not in log.text and "王秀英" not in log.text
    assert Quarantine.objects.get().detail == "the mail reader failed (RuntimeError)"
    assert [line["status"] for line in ingest(folder)] == ["duplicate", "duplicate"]
