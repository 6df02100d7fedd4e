"""The certificate of withdrawal (santui.intake.certificate, /receipt/certificate/): its text in
the three languages, its proof round trip through ``santui log check-proof`` (the QR payload,
the printed proof, the page saved as HTML), and what it does with the name: print it once,
keep it nowhere, refuse hostile input clearly."""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.intake.certificate import qr_svg
from santui.intake.receiptforms import clean_certificate_name
from santui.statements.actions import statement_accept, statement_receive, statement_reject
from santui.statements.models import Statement
from santui.statements.selectors import statement_by_receipt
from santui.tally import log
from santui.tally.actions import tally_integrate
from santui.tlog import cli, proof
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

# 23:30 UTC on 2 January is 3 January in the reporting zone (Asia/Shanghai): the day counted.
RECEIVED = dt.datetime(2007, 1, 2, 23, 30, tzinfo=dt.UTC)
NAME = "王小明"
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def counted() -> str:
    """The receipt code of a counted statement (party and league, 2 persons) in the log."""
    for _ in range(5):
        AcceptedStatementFactory(received_at=RECEIVED)
    got = statement_receive(
        channel="web", organizations=["party", "league"], headcount=2, name_kind="anonymous",
        source="web", via="test", received_at=RECEIVED, issue_receipt=True,
    )  # fmt: skip
    statement_accept(statement=got.statement, by=None, via="test")
    tally_integrate()
    assert got.receipt_code
    return got.receipt_code


def make(client: Client, code: str, name: str = NAME, language: str = "en", **extra: str) -> Any:
    data = {"code": code, "name": name, "language": language, **extra}
    return client.post("/receipt/certificate/", data, **EN)


def shown(page: str, element: str) -> str:
    match = re.search(rf'id="{element}">(.*?)</', page, re.DOTALL)
    assert match, page
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def check_proof(source: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(
            ["check-proof", str(source), "--key", log.log_signer().verifier.vkey, *args]
        )
    return code, out.getvalue()


# --- the text, in the three languages --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "lang", "title", "organizations", "day"),
    [
        ("en", "en", "Certificate of withdrawal",
         "Chinese Communist Party, Communist Youth League", "Jan. 3, 2007"),
        ("zh-hans", "zh-Hans", "退出证明书", "中国共产党、共青团", "2007年1月3日"),
        ("zh-hant", "zh-Hant", "退出證明書", "中國共產黨、共青團", "2007年1月3日"),
    ],
)  # fmt: skip
def test_the_certificate_in_each_language(
    client: Client, counted: str, language: str, lang: str, title: str, organizations: str,
    day: str,
) -> None:  # fmt: skip
    response = make(client, counted, language=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert f'<h1 id="certificate-title">{title}</h1>' in page
    assert shown(page, "certificate-name") == NAME
    assert shown(page, "certificate-organizations") == organizations
    assert shown(page, "certificate-day").startswith(day)
    assert "Asia/Shanghai" in shown(page, "certificate-day")  # the zone is named
    assert shown(page, "certificate-headcount") == "2"
    index = log.leaf_index_of(_statement(counted))
    assert shown(page, "certificate-leaf") == str(index)
    assert shown(page, "certificate-key") == log.log_signer().verifier.vkey
    assert "<svg" in page and 'class="qr"' in page  # the QR code, inline
    made = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:")
    assert made in page  # made at, on the reporting zone's clock
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    if language != "en":  # nothing of the certificate's own text left in English
        for english in ("Certificate of withdrawal", "Withdrawn from", "Counted on", "Leaf in"):
            assert english not in page


def _statement(code: str) -> Statement:
    found = statement_by_receipt(code=code)
    assert found is not None
    return found


def test_the_page_language_is_the_default_and_all_three_are_offered(
    client: Client, counted: str
) -> None:
    page = client.post("/receipt/", {"code": counted}, HTTP_ACCEPT_LANGUAGE="zh-hant")
    text = page.content.decode()
    assert 'action="/receipt/certificate/"' in text
    for value in ("zh-hans", "zh-hant", "en"):
        assert f'value="{value}"' in text
    assert re.search(r'value="zh-hant"[^>]*checked', text)
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', text)
    assert name_input and 'autocomplete="off"' in name_input[0]  # no form history keeps it


def test_the_response_is_kept_by_no_cache_and_the_name_by_nobody(
    client: Client, counted: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_name = "Zhang Secretname"
    response = make(client, counted, name=secret_name)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert secret_name not in caplog.text
    assert secret_name.encode() not in b"".join(str(v).encode() for v in response.headers.values())
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # table names from the catalog
            for row in cursor.fetchall():
                assert secret_name not in repr(row), table
    assert client.get("/receipt/certificate/").status_code == 405  # never by GET, never in a URL


def test_a_name_with_spaces_is_printed_as_one_line(client: Client, counted: str) -> None:
    page = make(client, counted, name="  Li   Ming ").content.decode()
    assert shown(page, "certificate-name") == "Li Ming"


# --- hostile input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 81, "at most 80 characters"),
        ("王" * 5000, "at most 80 characters"),
        ("Li\x00Ming", "Null characters are not allowed"),
        ("Li\nMing", "line breaks"),
        ("Li\u202eMing", "control characters"),  # a right-to-left override
        ("<script>alert(1)</script>", "the characters &lt; and &gt;"),
        ("<b>Li</b>", "the characters &lt; and &gt;"),
        ("   ", "Type the name or alias"),
        ("", "Type the name or alias"),
    ],
)
def test_hostile_names_get_a_clear_error(
    client: Client, counted: str, name: str, message: str
) -> None:
    response = make(client, counted, name=name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "<script>alert" not in page
    assert 'action="/receipt/certificate/"' in page  # the form is back, to try again
    assert response["Cache-Control"] == "no-store"


def test_a_name_in_another_encoding_is_refused(client: Client, counted: str) -> None:
    body = f"code={counted}&language=en&name=".encode() + b"%CD%F5%D0%A1%C3%F7"  # GBK, not UTF-8
    response = client.post(
        "/receipt/certificate/", body, content_type="application/x-www-form-urlencoded", **EN
    )
    assert response.status_code == 400
    assert "did not arrive as readable text" in response.content.decode()


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_any_name_is_printed_as_typed_or_refused_with_a_reason(name: str) -> None:
    refused: str | None = None
    try:
        printed = clean_certificate_name(name)
    except ValidationError as exc:
        refused = exc.code
    if refused is not None:
        assert refused in {"control", "markup", "required", "encoding"}
        return
    assert printed == " ".join(name.split()) and printed
    assert not {"<", ">", "\n", "\r", "\x00"} & set(printed)


def test_an_unknown_language_is_refused(client: Client, counted: str) -> None:
    response = make(client, counted, language="fr")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("", 400, "Type your receipt code"),
        ("A" * 5000, 400, "too long"),
        ("<script>", 400, "This is not a receipt code"),
        ("A" * 32, 404, "No statement has this receipt code"),
    ],
)
def test_a_bad_code_goes_back_to_the_look_up(
    client: Client, counted: str, code: str, status: int, message: str
) -> None:
    response = make(client, code)
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_statement_not_yet_counted_has_no_certificate(client: Client) -> None:
    got = statement_receive(
        channel="web", organizations=["party"], name_kind="anonymous", source="web", via="t",
        received_at=RECEIVED, issue_receipt=True,
    )  # fmt: skip
    response = make(client, got.receipt_code or "")
    assert response.status_code == 409
    assert "certificate-title" not in response.content.decode()
    statement_accept(statement=got.statement, by=None, via="test")  # counted, not in the log yet
    response = make(client, got.receipt_code or "")
    assert response.status_code == 409


def test_a_statement_rejected_after_counting_has_no_certificate(
    client: Client, counted: str
) -> None:
    statement_reject(statement=_statement(counted), by=None, reason="duplicate", via="test")
    response = make(client, counted)
    assert response.status_code == 409
    assert "certificate-title" not in response.content.decode()


# --- the proof round trip ----------------------------------------------------------------


def test_the_qr_payload_and_the_printed_proof_verify_and_tampering_fails(
    client: Client, counted: str, tmp_path: Path
) -> None:
    page = make(client, counted).content.decode()
    block = re.search(r'id="santui-proof">(.*?)</pre>', page, re.DOTALL)
    assert block
    printed = html.unescape(block[1])
    downloaded = client.post("/receipt/proof/", {"code": counted}).content.decode()
    assert printed == downloaded  # the certificate carries the tlog-proof file, verbatim
    assert qr_svg(printed) in page  # and its QR code is of that same text

    payload = tmp_path / "scanned.txt"
    payload.write_text(printed.replace("\n", "\r\n"), encoding="utf-8")  # as a scanner may give
    code, out = check_proof(payload, "--code", counted)
    assert code == 0, out
    assert "VERIFIED: leaf" in out and "2 persons counted on 2007-01-03" in out
    assert "the Chinese Communist Party and the Communist Youth League" in out

    saved = tmp_path / "certificate.html"
    saved.write_text(page, encoding="utf-8")  # the page saved from the browser
    code, out = check_proof(saved)
    assert code == 0 and "VERIFIED" in out, out

    index = log.leaf_index_of(_statement(counted))
    assert index is not None
    lines = printed.split("\n")
    tampered = {
        "another day": printed.replace(lines[1], "extra " + _changed_leaf(lines[1])),
        "another index": printed.replace(f"index {index}\n", f"index {index + 1}\n"),
        "another size": printed.replace("\n6\n", "\n7\n", 1),
        "a proof hash": printed.replace(lines[3], "A" * 43 + "="),
        "cut short": printed[: len(printed) // 2],
    }
    for what, text in tampered.items():
        path = tmp_path / f"{what}.txt"
        path.write_text(text, encoding="utf-8")
        code, out = check_proof(path)
        assert code == 1 and "NOT VERIFIED" in out, (what, out)
        assert "object at 0x" not in out and "Error(" not in out


def _changed_leaf(extra_line: str) -> str:
    import base64

    raw = bytearray(base64.b64decode(extra_line.split(" ", 1)[1]))
    raw[5] += 1  # one day later
    return base64.b64encode(bytes(raw)).decode()


def test_the_qr_code_is_of_the_proof_text() -> None:
    text = proof.HEADER + "\nindex 0\n\nexample\n"
    svg = qr_svg(text)
    assert svg is not None and svg.startswith("<svg") and 'class="qr"' in svg
    assert "style=" not in svg  # strict CSP: no inline styles
    assert qr_svg("x" * 5000) is None  # too long for any QR code: left out, not an error
