"""Reading one raw email: charsets, transfer encodings, HTML, attachments and hostile MIME.

These go through santui.intake.mail.message and .charsets alone (no database): what the
command does with the result is in test_mail_ingest.py."""

from __future__ import annotations

import mailbox
import time
from pathlib import Path

import pytest

from santui.intake.mail import charsets
from santui.intake.mail import message as mime
from santui.intake.mail.sources import HEAD_BYTES, read_paths
from tests.intake.mailmaker import (
    JPEG,
    PNG,
    STATEMENT,
    STATEMENT_HANT,
    header,
    mbox,
    text_mail,
    with_attachments,
)

# A GBK-only character (not in GB2312), as GB2312-labelled mail often carries: 朱镕基's 镕.
GBK_ONLY = STATEMENT + "朱镕基"
LONG_HANS = "我们全家五口人声明退出中国共产党及其一切附属组织，与邪党划清界限，辽宁沈阳。"
LONG_HANT = "我們全家五口人聲明退出中國共產黨及其一切附屬組織，與邪黨劃清界限，遼寧瀋陽。"


def body(raw: bytes) -> str:
    return mime.content(mime.parse(raw)).text


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "8bit"])
@pytest.mark.parametrize(
    ("text", "charset", "label"),
    [
        (STATEMENT, "utf-8", "utf-8"),
        (GBK_ONLY, "gbk", "gb2312"),  # mislabelled by nearly every mailer: read as GB18030
        (GBK_ONLY, "gbk", "GBK"),
        (GBK_ONLY + "𠀀", "gb18030", "gb18030"),
        (STATEMENT_HANT, "big5", "big5"),
        (STATEMENT_HANT + "嘅", "big5hkscs", "big5"),  # HKSCS character under a Big5 label
        (STATEMENT, "hz", "hz-gb-2312"),
        (STATEMENT, "hz", "us-ascii"),  # HZ is 7-bit: found by its ~{ shifts
        (LONG_HANT, "big5", "gb2312"),  # the wrong table decodes, but into rare characters
        (LONG_HANS, "gbk", "big5"),
        (LONG_HANS, "gbk", "iso-8859-1"),  # webmail's favourite wrong label
        (LONG_HANS, "utf-8", ""),  # no label at all
        (LONG_HANS, "gb18030", ""),
        (LONG_HANT, "big5", ""),
        (LONG_HANS, "gbk", "x-no-such-charset"),
    ],
)
def test_charsets_and_transfer_encodings(text: str, charset: str, label: str, cte: str) -> None:
    assert body(text_mail(text, charset=charset, label=label, cte=cte)) == text


def test_the_fallback_order_is_the_documented_one() -> None:
    assert charsets.FALLBACK == ("utf-8", "gb18030", "big5hkscs")
    assert [name for name, _ in charsets.candidates("gb2312", b"x")] == [
        "gb18030", "utf-8", "big5hkscs",
    ]  # fmt: skip
    assert [name for name, _ in charsets.candidates("big5", b"~{x~}")][:2] == ["big5", "big5hkscs"]
    assert charsets.candidates("windows-1252", b"x")[-1] == ("cp1252", False)


def test_bytes_that_no_charset_reads_are_undecodable() -> None:
    garbage = bytes(range(0x80, 0x100)) * 4
    raw = header().encode() + b"Content-Type: text/plain; charset=gb2312\r\n\r\n" + garbage
    with pytest.raises(mime.Unreadable) as caught:
        body(raw)
    assert caught.value.reason == "undecodable"


def test_encoded_and_raw_8bit_subjects_are_read() -> None:
    raw = text_mail(subject="=?GB2312?B?yP3Nyw==?=")  # 三退, base64 GB2312
    assert mime.identity(mime.parse(raw)).subject == "三退"
    raw = header(subject="").encode().replace(b"Subject: ", b"Subject: " + "三退".encode("gbk"))
    raw += b"Content-Type: text/plain\r\n\r\nx"
    assert mime.identity(mime.parse(raw)).subject == "三退"


def test_html_only_mail_gives_its_text_not_its_markup() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>我声明<b>退</b>出中国共产党。</p><div>辽宁沈阳<br>张三</div>"
        "<script>alert('x')</script><table><tr><td>一</td><td>二</td></tr></table></body></html>"
    )
    text = body(text_mail(html, charset="gbk", label="gb2312", subtype="html"))
    assert text == "我声明退出中国共产党。\n辽宁沈阳\n张三\n一 二"


def test_html_names_its_charset_in_a_meta_tag() -> None:
    html = '<meta charset="big5"><p>' + LONG_HANT + "</p>"
    assert body(text_mail(html, charset="big5", label="", subtype="html")) == LONG_HANT


def test_plain_text_wins_over_html_in_alternative() -> None:
    raw = (
        header().encode()
        + b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "纯文本".encode()
        + b"\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<p>网页</p>".encode() + b"\r\n--b--\r\n"
    )  # fmt: skip
    assert body(raw) == "纯文本"


def test_photos_are_kept_by_what_they_are_and_archives_are_not_opened() -> None:
    zip_bomb = b"PK\x03\x04" + b"\x00" * 26 + b"\xff" * 64  # never decompressed, never kept
    raw = with_attachments(
        STATEMENT,
        [
            ("声明.jpg", "image/jpeg", JPEG),
            ("note.png", "application/octet-stream", PNG),  # labelled wrong: sniffed right
            ("bomb.zip", "application/zip", zip_bomb),
            ("fake.jpg", "image/jpeg", b"MZ\x90\x00 not a picture"),
            ("scan.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n"),
        ],
    )
    found = mime.content(mime.parse(raw))
    assert found.text == STATEMENT
    assert [(a.filename, a.content_type) for a in found.attachments] == [
        ("声明.jpg", "image/jpeg"), ("note.png", "image/png"), ("scan.pdf", "application/pdf"),
    ]  # fmt: skip


def test_a_text_file_is_read_when_the_body_is_empty() -> None:
    raw = with_attachments("", [("statement.txt", "text/plain", STATEMENT.encode())])
    assert body(raw) == STATEMENT


def test_a_forwarded_message_is_read_inside() -> None:
    inner = text_mail(LONG_HANS, charset="gbk", label="gb2312", message_id="<inner@x>")
    raw = (
        header().encode() + b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\n'
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--m--\r\n"
    )
    msg = mime.parse(raw)
    assert mime.identity(msg).message_id == "<s1@example.org>"  # the outer message's
    assert mime.content(msg).text == LONG_HANS


def _nested(levels: int) -> bytes:
    raw = text_mail(STATEMENT, message_id=None)
    for n in range(levels):
        raw = (
            header(message_id=None).encode()
            + f'Content-Type: multipart/mixed; boundary="n{n}"\r\n\r\n--n{n}\r\n'.encode()
            + b"Content-Type: message/rfc822\r\n\r\n" + raw + f"\r\n--n{n}--\r\n".encode()
        )  # fmt: skip
    return raw


def test_nesting_is_bounded() -> None:
    assert body(_nested(2)) == STATEMENT
    with pytest.raises(mime.Unreadable) as caught:
        body(_nested(mime.MAX_DEPTH + 1))
    assert caught.value.reason == "too_complex"


def test_very_deep_nesting_is_refused_without_a_crash() -> None:
    depth = 3000
    raw = header().encode() + b'Content-Type: multipart/mixed; boundary="d0"\r\n\r\n'
    for n in range(depth):
        raw += f'--d{n}\r\nContent-Type: multipart/mixed; boundary="d{n + 1}"\r\n\r\n'.encode()
    with pytest.raises(mime.Unreadable) as caught:
        body(raw)
    assert caught.value.reason == "too_complex"


def test_thousands_of_parts_are_refused_quickly() -> None:
    parts = b"".join(b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(5000))
    raw = header().encode() + b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n' + parts
    started = time.monotonic()
    with pytest.raises(mime.Unreadable) as caught:
        body(raw + b"--p--\r\n")
    assert caught.value.reason == "too_complex"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without any header",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n',
        b"Content-Type: text/plain; charset=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!",
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: x-uue\r\n\r\nx",
        b"From: \r\nSubject: =?utf-8?B?@@@?=\r\nMessage-ID: <<<>>>\r\n\r\n" + STATEMENT.encode(),
        b": no name\r\n\tcontinued\r\n\r\nbody",
    ],
)
def test_malformed_mime_never_raises_anything_but_unreadable(raw: bytes) -> None:
    try:
        msg = mime.parse(raw)
        mime.identity(msg)
        mime.content(msg)
    except mime.Unreadable:
        pass


def test_header_injection_stays_in_its_header() -> None:
    raw = (
        b"From: a@example.org\r\nMessage-ID: <id@x>\x1b[2J\x00\r\n"
        b"Subject: hello\r\n Bcc: victim@example.org\r\n\r\n" + STATEMENT.encode()
    )
    ident = mime.identity(mime.parse(raw))
    assert ident.message_id == "<id@x>"
    assert "\n" not in ident.subject and "\x1b" not in (ident.message_id or "")
    assert ident.subject == "hello Bcc: victim@example.org"


def test_huge_html_is_refused_and_deep_html_is_read() -> None:
    deep = "<div>" * 20000 + STATEMENT + "</div>" * 20000
    assert body(text_mail(deep, subtype="html")) == STATEMENT
    huge = "<p>x</p>" * (mime.MAX_HTML_BYTES // 8 + 1)
    with pytest.raises(mime.Unreadable):
        body(text_mail(huge, subtype="html", cte="8bit"))


def test_trace_headers_and_addresses_are_stripped_before_storing() -> None:
    raw = (
        b"Received: from [203.0.113.77] (helo=x)\r\n  by mx with ESMTP\r\n"
        b"X-Originating-IP: [198.51.100.23]\r\nX-Other: via 2001:db8::1\r\n"
        b"From: a@example.org\r\nDate: Wed, 01 May 2024 10:00:00 +0000\r\n"
        b"Message-ID: <m@x>\r\n\r\nbody 203.0.113.77 stays: the sender wrote it\r\n"
    )
    kept = mime.strip_trace_headers(raw)
    head = kept.split(b"\r\n\r\n")[0]
    assert b"203.0.113.77" not in head and b"198.51.100.23" not in head and b"2001:db8" not in head
    assert b"Date: Wed, 01 May 2024 10:00:00 +0000" in head and b"Message-ID: <m@x>" in head
    assert kept.endswith(b"body 203.0.113.77 stays: the sender wrote it\r\n")


def test_messages_over_the_limit_are_not_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.eml"
    big.write_bytes(text_mail(message_id="<big@x>") + b"x" * (3 * HEAD_BYTES))
    (found,) = read_paths([str(big)], max_bytes=2 * HEAD_BYTES)
    assert found.data is None and len(found.head) == HEAD_BYTES
    assert found.size == big.stat().st_size


def test_mbox_and_maildir_entries_over_the_limit_are_measured_not_read(tmp_path: Path) -> None:
    big = text_mail(message_id="<big@x>") + b"y" * (3 * HEAD_BYTES)
    small = text_mail(message_id="<small@x>")
    (tmp_path / "box").write_bytes(mbox(big, small))
    folder = mailbox.Maildir(str(tmp_path / "md"), create=True)
    folder.add(big)
    found = list(
        read_paths([str(tmp_path / "box"), str(tmp_path / "md")], max_bytes=2 * HEAD_BYTES)
    )
    assert [m.data is None for m in found] == [True, False, True]
    assert found[0].head.startswith(b"From: ") and len(found[0].head) == HEAD_BYTES
    assert found[0].size > 3 * HEAD_BYTES and found[1].data is not None
    assert mime.identity(mime.parse_head(found[2].head)).message_id == "<big@x>"
