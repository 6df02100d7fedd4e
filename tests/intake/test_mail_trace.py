"""Issue 12: no IP address survives in the quarantine's copy of a message, in any encoding.

santui.intake.mail.trace keeps only the header fields a volunteer needs, and drops those too
when they hold an address in any form: dotted, in RFC 2047 encoded words (base64 or Q, in
UTF-8 or UTF-16), %-escaped, as a decimal or hex number, with octal or hex parts, as IPv6."""

from __future__ import annotations

import base64
import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from santui.intake.mail import message as mime
from santui.intake.mail.trace import KEPT_FIELDS, holds_address, strip_trace_headers
from santui.intake.models import Quarantine
from santui.statements.crypto import decrypt_bytes
from tests.intake.mailmaker import STATEMENT, header, text_mail
from tests.intake.test_mail_ingest import database_bytes, ingest, write
from tests.privacy.test_no_ip_anywhere import capture_all_logging

ADDRESS = ipaddress.IPv4Address("192.168.1.1")


def _b64(text: str, codec: str = "utf-8") -> str:
    return base64.b64encode(text.encode(codec)).decode()


# Every form an address was seen in (or could be): each must go.
FORMS = {
    "dotted": "192.168.1.1",
    "bracketed": "[192.168.1.1]",
    "base64 encoded word": f"=?utf-8?B?{_b64('192.168.1.1')}?=",
    "base64 encoded word, UTF-16": f"=?utf-16-le?B?{_b64('192.168.1.1', 'utf-16-le')}?=",
    "Q encoded word": "=?utf-8?Q?192=2E168=2E1=2E1?=",
    "%-escaped": "%31%39%32%2E%31%36%38%2E%31%2E%31",
    "hex number": "0xC0A80101",
    "hex parts": "0xc0.0xa8.0x01.0x01",
    "octal parts": "0300.0250.0001.0001",
    "leading zeros": "192.168.001.001",
    "IPv6": "2001:db8::1",
    "IPv6, full": "2001:0db8:0000:0000:0000:0000:0000:0001",
    "IPv6 literal": "[IPv6:2001:db8::1]",
    "IPv4-mapped IPv6": "::ffff:192.168.1.1",
    "IPv6 with a zone": "fe80::1%eth0",
}


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
@pytest.mark.parametrize("field", ["Subject", "From", "References", "Content-Type"])
def test_a_kept_field_holding_an_address_in_any_form_goes(field: str, form: str) -> None:
    value = FORMS[form]
    raw = f"{field}: x {value} y\r\nDate: Wed, 01 May 2024 10:00:00 +0000\r\n\r\nbody\r\n"
    kept = strip_trace_headers(raw.encode())
    assert kept == b"Date: Wed, 01 May 2024 10:00:00 +0000\r\n\r\nbody\r\n", form


def test_decimal_addresses_go_from_trace_and_identifier_fields() -> None:
    decimal = str(int(ADDRESS))  # 3232235777
    raw = (
        f"X-Originating-IP: {decimal}\r\nReceived: from [{decimal}] by mx\r\n"
        f"Message-ID: <a1@{decimal}>\r\nIn-Reply-To: <b2@[{decimal}]>\r\n"
        f"References: <1714557600.5@mail.example.org>\r\nFrom: {decimal}@qq.com\r\n\r\nbody"
    ).encode()
    kept = strip_trace_headers(raw)
    # a QQ number (From) and a time stamp before the @ are no address; the rest goes
    assert kept == (
        b"References: <1714557600.5@mail.example.org>\r\nFrom: 3232235777@qq.com\r\n\r\nbody"
    )


def test_every_trace_field_goes_whatever_its_name_or_encoding() -> None:
    raw = (
        b"Received: from x (x [203.0.113.77])\r\n\tby mx.example.org\r\n"
        b"X-Originating-IP: =?utf-8?B?MjAzLjAuMTEzLjc3?=\r\n"
        b"X-QQ-SSF: 0000000000000\r\nX-Mailer-Source: 0xCB00714D\r\n"
        b"Authentication-Results: spf=pass smtp.mailfrom=x\r\nX-Unknown-Vendor: anything\r\n"
        b"From: a@example.org\r\nSubject: =?utf-8?B?5LiJ6YCA?=\r\n"
        b"Date: Wed, 01 May 2024 10:00:00 +0000\r\nMessage-ID: <m@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
    )
    kept = strip_trace_headers(raw)
    names = [line.split(b":")[0].lower() for line in kept.split(b"\r\n\r\n")[0].splitlines()]
    assert names == [
        b"from", b"subject", b"date", b"message-id", b"mime-version", b"content-type"
    ]  # fmt: skip
    assert set(names) <= KEPT_FIELDS


def test_what_is_kept_still_reads_as_the_same_message() -> None:
    raw = (
        b"Received: from [203.0.113.77] by mx\r\n"
        + header(message_id="<1714557600.12345@example.org>").encode()
        + b'Content-Type: multipart/mixed; boundary="----=_Part_3232235777_1714557600"\r\n\r\n'
        b"------=_Part_3232235777_1714557600\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + STATEMENT.encode()
        + b"\r\n------=_Part_3232235777_1714557600--\r\n"
    )
    kept = strip_trace_headers(raw)
    assert b"203.0.113.77" not in kept
    original, stored = mime.parse(raw), mime.parse(kept)
    assert mime.content(stored).text == mime.content(original).text == STATEMENT
    assert mime.identity(stored) == mime.identity(original)


@given(
    address=st.ip_addresses(v=4).filter(lambda a: int(a) >= 1 << 24),
    form=st.sampled_from(["dotted", "hex", "b64", "q", "ipv6-mapped", "hexparts"]),
    field=st.sampled_from(sorted(KEPT_FIELDS)),
)
def test_any_address_in_any_kept_field_goes(
    address: ipaddress.IPv4Address, form: str, field: bytes
) -> None:
    text = str(address)
    shown = {
        "dotted": text,
        "hex": hex(int(address)),
        "b64": f"=?utf-8?b?{_b64(text)}?=",
        "q": "=?utf-8?q?" + text.replace(".", "=2E") + "?=",
        "ipv6-mapped": f"::ffff:{text}",
        "hexparts": ".".join(hex(int(p)) for p in text.split(".")),
    }[form]
    raw = field + b": <a@" + shown.encode() + b">\r\nDate: today\r\n\r\nbody"
    assert strip_trace_headers(raw) == b"Date: today\r\n\r\nbody"


@pytest.mark.parametrize(
    "value",
    ["10:00:00 +0800", "version 1.0", "1.2.3.4.5 (an OID)", "std::string", "QQ 1234567890",
     "0x123", "三退声明", "phone 13912345678"],
)  # fmt: skip
def test_things_that_are_not_addresses_stay(value: str) -> None:
    assert not holds_address(value.encode())


@pytest.mark.django_db
def test_ingested_mail_stores_and_logs_no_address_in_any_form(tmp_path: Path) -> None:
    trace = "".join(
        f"X-Trace-{n}: {value}\r\nSubject: {value}\r\n" for n, value in enumerate(FORMS.values())
    )
    raw = trace.encode() + text_mail("hello there", message_id="<q@[IPv6:2001:db8::1]>")
    with capture_all_logging() as log:
        (line,) = ingest(write(tmp_path, "ip.eml", raw))
    assert line["status"] == "quarantined"
    assert line["message_id"] == "<withheld: it holds an address>"  # printed output is a log
    kept = decrypt_bytes(bytes(Quarantine.objects.get().raw))
    assert kept.startswith(b"From: Declarant <declarant@example.org>\r\n")
    stored = database_bytes()
    for value in FORMS.values():
        assert value.encode() not in kept, value
        assert value.encode() not in stored, value
        assert value not in log.text, value
    assert not holds_address(kept.split(b"\r\n\r\n")[0])
