"""`santui ingest-mail` through its stable interface, the management command: .eml, mbox and
Maildir input, idempotency, the quarantine, attachments, limits and the privacy rules."""

from __future__ import annotations

import datetime as dt
import io
import json
import mailbox
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from santui.intake.mail.ingest import message_key
from santui.intake.models import MailAttachment, MailMessage, Quarantine, QuarantineReason
from santui.statements.crypto import decrypt_bytes
from santui.statements.models import Statement, StatusChange
from tests.intake.mailmaker import (
    JPEG,
    STATEMENT,
    STATEMENT_HANT,
    header,
    mbox,
    text_mail,
    with_attachments,
)
from tests.privacy.test_no_ip_anywhere import capture_all_logging

pytestmark = pytest.mark.django_db
SENDER = "declarant@example.org"


def ingest(*paths: Path | str, **options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("ingest-mail", *map(str, paths), json=True, stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def database_bytes() -> bytes:
    """Every value of every table of ours, as bytes, for searching."""
    blob = bytearray()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith(("statements_", "intake_", "tally_")):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        blob += bytes(value)
                    elif value is not None:
                        blob += str(value).encode("utf-8", "surrogatepass")
                    blob += b"\x1f"
    return bytes(blob)


# --- one message, one statement ----------------------------------------------------------------


def test_an_eml_file_becomes_a_statement_with_the_parser_reading(tmp_path: Path) -> None:
    text = STATEMENT + "化名：自由人，辽宁沈阳"
    eml = write(tmp_path, "one.eml", text_mail(text, charset="gbk", label="gb2312"))
    (line,) = ingest(eml)
    assert line["message_id"] == "<s1@example.org>"
    assert (line["status"], line["reason"]) == ("received", None)
    assert set(line["statement"]["organizations"]) == {"party", "league", "pioneers"}
    assert line["statement"]["name"] == "自由人"  # as `santui parse` prints it
    s = Statement.objects.get()
    assert (s.channel, s.source, s.status, s.text) == ("email", "email", "received", text)
    assert (s.party, s.league, s.pioneers, s.name, s.name_kind) == (
        True, True, True, "自由人", "alias",
    )  # fmt: skip
    assert s.region == "210100"
    assert s.external_id == message_key("<s1@example.org>", b"", 0)
    assert s.suggested is not None and "name" not in s.suggested  # the name is stored encrypted
    assert s.suggested["organizations"] == line["statement"]["organizations"]
    assert StatusChange.objects.get(statement=s).via == "email"
    assert MailMessage.objects.get().statement == s


def test_a_group_email_is_one_statement_of_many_persons(tmp_path: Path) -> None:
    eml = write(tmp_path, "g.eml", text_mail("我们全家五口人声明退出中共党团队组织。"))
    (line,) = ingest(eml)
    assert line["status"] == "received" and line["statement"]["headcount"] == 5
    assert Statement.objects.get().headcount == 5


def test_traditional_big5_html_only_mail(tmp_path: Path) -> None:
    html = f"<html><body><p>{STATEMENT_HANT}</p><p>遼寧瀋陽</p></body></html>"
    eml = write(tmp_path, "h.eml", text_mail(html, charset="big5", subtype="html", cte="8bit"))
    (line,) = ingest(eml)
    assert line["status"] == "received"
    s = Statement.objects.get()
    assert s.text == f"{STATEMENT_HANT}\n遼寧瀋陽" and "<p>" not in s.text
    assert s.region.startswith("21")


def test_the_subject_helps_when_the_body_only_names_the_declarant(tmp_path: Path) -> None:
    eml = write(tmp_path, "s.eml", text_mail("化名：明心", subject="=?UTF-8?B?5LiJ6YCA?="))  # 三退
    (line,) = ingest(eml)
    assert line["status"] == "received"
    assert set(line["statement"]["organizations"]) == {"party", "league", "pioneers"}


# --- formats and idempotency -------------------------------------------------------------------


def test_eml_mbox_and_maildir_are_told_apart_and_a_rerun_is_all_duplicates(
    tmp_path: Path,
) -> None:
    eml = write(tmp_path, "a.eml", text_mail(message_id="<a@x>"))
    box = write(tmp_path, "box.mbox", mbox(text_mail(message_id="<b@x>"),
                                           text_mail(message_id="<c@x>", cte="8bit")))  # fmt: skip
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    maildir.add(text_mail(message_id="<d@x>"))
    maildir.add(text_mail("not a statement, just hello", message_id="<e@x>"))
    first = ingest(eml, box, tmp_path / "Maildir")
    assert sorted((line["message_id"], line["status"]) for line in first) == [
        ("<a@x>", "received"), ("<b@x>", "received"), ("<c@x>", "received"),
        ("<d@x>", "received"), ("<e@x>", "quarantined"),
    ]  # fmt: skip
    second = ingest(eml, box, tmp_path / "Maildir")
    assert len(second) == 5
    assert {(line["status"], line["reason"], line["statement"]) for line in second} == {
        ("duplicate", None, None)
    }
    assert Statement.objects.count() == 4 and Quarantine.objects.count() == 1


def test_a_folder_of_eml_files_is_read_file_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    folder.mkdir()
    write(folder, "1.eml", text_mail(message_id="<f1@x>"))
    write(folder, "2.eml", text_mail(message_id="<f2@x>"))
    assert [line["status"] for line in ingest(folder)] == ["received", "received"]


def test_without_a_message_id_the_message_itself_is_the_key(tmp_path: Path) -> None:
    eml = write(tmp_path, "n.eml", text_mail(message_id=None))
    other = write(tmp_path, "m.eml", text_mail(STATEMENT + "辽宁", message_id=None))
    assert [line["status"] for line in ingest(eml, other)] == ["received", "received"]
    assert [line["status"] for line in ingest(other, eml)] == ["duplicate", "duplicate"]
    keys = sorted(Statement.objects.values_list("external_id", flat=True))
    assert all(k.startswith("raw:") and len(k) == 68 for k in keys)


def test_the_same_message_twice_in_one_run_is_taken_once(tmp_path: Path) -> None:
    eml = write(tmp_path, "a.eml", text_mail())
    assert [line["status"] for line in ingest(eml, eml)] == ["received", "duplicate"]


def test_without_json_a_summary_is_printed(tmp_path: Path) -> None:
    eml = write(tmp_path, "a.eml", text_mail(message_id="<a@x>"))
    bad = write(tmp_path, "b.eml", text_mail("hello", message_id="<b@x>"))
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest-mail", str(eml), str(bad), stdout=out, stderr=err)
    summary = out.getvalue()
    assert "received                      1  (1 persons)" in summary
    assert "quarantined                   1" in summary and "no_statement" in summary
    assert "duplicate                     0" in summary
    assert "ingest-mail" in err.getvalue()  # the progress bar


def test_missing_paths_and_bad_urls_are_explained(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        ingest(tmp_path / "nope.eml")
    with pytest.raises(CommandError, match="PATH"):
        ingest()
    with pytest.raises(CommandError, match="imaps://"):
        ingest(imap="http://x/INBOX")
    with pytest.raises(CommandError, match="password"):
        ingest(imap="imaps://user@127.0.0.1/INBOX")


# --- quarantine --------------------------------------------------------------------------------


def test_mail_without_a_statement_is_quarantined_encrypted(tmp_path: Path) -> None:
    text = "你好，请问如何联系你们？王秀英"
    eml = write(tmp_path, "q.eml", text_mail(text, charset="gbk", label="gb2312"))
    (line,) = ingest(eml)
    assert (line["status"], line["reason"]) == ("quarantined", "no_statement")
    assert line["statement"]["organizations"] == []
    q = Quarantine.objects.get()
    assert (q.reason, q.text, q.mail.statement) == ("no_statement", text, None)
    raw = decrypt_bytes(bytes(q.raw))
    assert b"Message-ID: <s1@example.org>" in raw
    stored = database_bytes()
    assert "王秀英".encode() not in stored and "王秀英".encode("gbk") not in stored
    assert not Statement.objects.exists()


def test_undecodable_mail_is_quarantined_with_the_reason(tmp_path: Path) -> None:
    raw = header().encode() + b"Content-Type: text/plain; charset=big5\r\n\r\n" + b"\xff\x80" * 40
    (line,) = ingest(write(tmp_path, "u.eml", raw))
    assert (line["status"], line["reason"], line["statement"]) == (
        "quarantined", "undecodable", None,
    )  # fmt: skip
    assert "big5" in line["detail"]


def test_a_message_over_the_limit_is_quarantined_unread(tmp_path: Path) -> None:
    big = text_mail(message_id="<big@x>") + b"A" * 300_000
    (line,) = ingest(write(tmp_path, "big.eml", big), max_size=100_000)
    assert (line["message_id"], line["status"], line["reason"]) == (
        "<big@x>", "quarantined", "too_large",
    )  # fmt: skip
    q = Quarantine.objects.get()
    assert q.raw_truncated and len(decrypt_bytes(bytes(q.raw))) < 100_000
    assert q.mail.size == len(big)
    assert ingest(write(tmp_path, "big.eml", big), max_size=100_000)[0]["status"] == "duplicate"


def test_text_longer_than_the_statement_limit_is_quarantined(tmp_path: Path, settings: Any) -> None:
    settings.SANTUI_MAX_TEXT = 50
    (line,) = ingest(write(tmp_path, "l.eml", text_mail(STATEMENT * 5)))
    assert (line["status"], line["reason"]) == ("quarantined", "too_long")


def test_more_persons_than_a_statement_may_carry_is_quarantined(
    tmp_path: Path, settings: Any
) -> None:
    settings.SANTUI_MAX_HEADCOUNT = 3
    (line,) = ingest(write(tmp_path, "g.eml", text_mail("我们全家五口人声明退出中共党团队组织。")))
    assert (line["status"], line["reason"], line["detail"]) == (
        "quarantined", "too_many_persons", "5 persons, at most 3",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (header().encode() + b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n'
         + b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n" * 3000 + b"--p--\r\n", "too_complex"),
        (header().encode() + b"Content-Type: text/plain\r\n\r\n", "no_text"),
        (b"\x00\x01\x02 not mail at all", "no_statement"),
    ],
)  # fmt: skip
def test_hostile_or_empty_mail_is_quarantined_not_fatal(
    tmp_path: Path, raw: bytes, reason: str
) -> None:
    (line,) = ingest(write(tmp_path, "h.eml", raw))
    assert (line["status"], line["reason"]) == ("quarantined", reason)
    assert Quarantine.objects.get().reason in QuarantineReason.values


def test_a_photo_only_mail_waits_in_quarantine_with_its_photo(tmp_path: Path) -> None:
    raw = with_attachments("", [("声明.jpg", "image/jpeg", JPEG)], message_id="<photo@x>")
    (line,) = ingest(write(tmp_path, "p.eml", raw))
    assert (line["status"], line["reason"]) == ("quarantined", "no_text")
    attachment = MailAttachment.objects.get()
    assert attachment.mail.quarantine.reason == "no_text"
    assert (attachment.filename, attachment.content_type) == ("声明.jpg", "image/jpeg")
    assert decrypt_bytes(bytes(attachment.data)) == JPEG
    assert JPEG not in database_bytes() and "声明.jpg".encode() not in database_bytes()


def test_photos_of_a_statement_are_kept_encrypted_beside_it(tmp_path: Path) -> None:
    raw = with_attachments(
        STATEMENT, [("paper.jpg", "image/jpeg", JPEG), ("x.zip", "application/zip", b"PK\3\4")]
    )
    (line,) = ingest(write(tmp_path, "a.eml", raw))
    assert line["status"] == "received"
    (attachment,) = MailAttachment.objects.filter(mail__statement=Statement.objects.get())
    assert decrypt_bytes(bytes(attachment.data)) == JPEG


# --- privacy -----------------------------------------------------------------------------------


def test_sender_addresses_are_hashed_and_kept_only_when_a_reply_is_asked(tmp_path: Path) -> None:
    plain = write(tmp_path, "a.eml", text_mail(message_id="<a@x>", sender=f"张三 <{SENDER}>"))
    asks = write(
        tmp_path, "b.eml",
        text_mail(STATEMENT + "请回复确认。", message_id="<b@x>",
                  sender="Li <LI@Example.org>", extra="Reply-To: reply@example.org\r\n"),
    )  # fmt: skip
    ingest(plain, asks)
    by_id = {m.statement.text: m for m in MailMessage.objects.select_related("statement")}
    first, second = by_id[STATEMENT], by_id[STATEMENT + "请回复确认。"]
    assert first.statement is not None and second.statement is not None
    assert first.statement.contact == "" and second.statement.contact == "reply@example.org"
    assert len(first.sender_hash) == 64 and first.sender_hash != second.sender_hash
    stored = database_bytes()
    for needle in (SENDER, "li@example.org", "LI@Example.org", "reply@example.org", "张三"):
        assert needle.encode() not in stored, needle
    assert b"<a@x>" not in stored  # Message-IDs are hashed too


def test_two_messages_from_one_sender_share_the_hash(tmp_path: Path) -> None:
    a = write(tmp_path, "a.eml", text_mail(message_id="<a@x>", sender=SENDER))
    b = write(tmp_path, "b.eml", text_mail("hello", message_id="<b@x>", sender=SENDER.upper()))
    ingest(a, b)
    assert len(set(MailMessage.objects.values_list("sender_hash", flat=True))) == 1


def test_no_ip_address_is_stored_from_trace_headers(tmp_path: Path) -> None:
    trace = (
        "Received: from [203.0.113.77] by mx.example.org\r\nX-Originating-IP: [198.51.100.23]\r\n"
    )
    raw = trace.encode() + text_mail("hello there")
    with capture_all_logging() as log:
        (line,) = ingest(write(tmp_path, "ip.eml", raw))
    assert line["status"] == "quarantined"
    kept = decrypt_bytes(bytes(Quarantine.objects.get().raw))
    for address in (b"203.0.113.77", b"198.51.100.23"):
        assert address not in kept
        assert address not in database_bytes()
        assert address.decode() not in log.text
    home = Path(settings.SANTUI_HOME)  # keys, attachments: every file the intake may write
    for path in home.rglob("*"):
        if path.is_file():
            assert b"203.0.113.77" not in path.read_bytes(), path


def test_a_dated_message_counts_on_its_date_and_a_future_one_on_arrival(tmp_path: Path) -> None:
    old = write(
        tmp_path,
        "o.eml",
        text_mail(message_id="<o@x>", date=dt.datetime(2006, 3, 1, 12, tzinfo=dt.UTC)),
    )
    future = write(
        tmp_path,
        "f.eml",
        text_mail(message_id="<f@x>", date=dt.datetime(2099, 1, 1, tzinfo=dt.UTC)),
    )
    ingest(old, future)
    dates = sorted(s.received_at.year for s in Statement.objects.all())
    assert dates[0] == 2006 and dates[1] < 2099
