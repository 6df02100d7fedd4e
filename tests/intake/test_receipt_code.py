"""The receipt page with check-character codes: a mistyped code is told apart from an unknown
one, any spelling of a code is found (case, separators, full width), codes issued before the
check character keep working, and the page's instructions are in the page's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from santui.statements.actions import statement_accept, statement_receive
from santui.statements.receipts import normalize_receipt_code
from santui.tally.actions import tally_integrate
from santui.tlog.receiptcode import ALPHABET, check_character
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


def new_code() -> str:
    got = statement_receive(
        channel="web", organizations=["party"], name_kind="anonymous", source="web", via="t",
        issue_receipt=True,
    )  # fmt: skip
    assert got.receipt_code
    return got.receipt_code


def lookup(client: Client, code: str, language: str = "en") -> Any:
    return client.post("/receipt/", {"code": code}, HTTP_ACCEPT_LANGUAGE=language)


def test_new_codes_are_shown_with_a_check_character_in_groups_of_three(client: Client) -> None:
    code = new_code()
    assert re.fullmatch(r"[A-Z2-7]{3}(-[A-Z2-7]{3}){10}", code)
    secret = normalize_receipt_code(code)
    assert code.replace("-", "") == secret + check_character(secret)


def test_a_typo_is_recognized_as_a_typo_not_as_not_found(client: Client) -> None:
    code = new_code()
    i = code.index("-") + 1  # a character of the second group
    wrong = code[:i] + ALPHABET[(ALPHABET.index(code[i]) + 1) % 32] + code[i + 1 :]
    response = lookup(client, wrong)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This code has a typo" in page and "No statement has this receipt code" not in page
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    if swapped != code:
        assert "This code has a typo" in lookup(client, swapped).content.decode()
    zh = lookup(client, wrong, "zh-hans").content.decode()
    assert "有输入错误" in zh


def test_an_unknown_code_is_not_found(client: Client) -> None:
    secret = "A" * 32
    response = lookup(client, secret + check_character(secret))
    assert response.status_code == 404
    assert "No statement has this receipt code" in response.content.decode()


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_any_spelling_finds_the_statement(client: Client) -> None:
    code = new_code()
    compact = code.replace("-", "")
    for spelling in (
        code, code.lower(), compact, " ".join(code.split("-")), fullwidth(code),
        fullwidth(compact.lower()), "\u3000".join(code.split("-")), code.replace("-", "－"),
        code.replace("-", "—"), f"  {code}\n",
    ):  # fmt: skip
        response = lookup(client, spelling)
        assert response.status_code == 200, spelling
        assert 'id="receipt-status"' in response.content.decode()


def test_a_code_without_its_check_character_still_works(client: Client) -> None:
    # Codes issued before the check character: 32 characters, in eight groups of four.
    secret = normalize_receipt_code(new_code())
    old = "-".join(secret[i : i + 4] for i in range(0, 32, 4))
    assert lookup(client, old).status_code == 200
    assert lookup(client, secret.lower()).status_code == 200


@pytest.mark.parametrize(
    "text", ["A" * 5000, "<script>alert(1)</script>", "A" * 31, "\x00" * 33, "甲乙丙" * 11]
)
def test_what_is_not_a_code_is_said_to_be_not_a_code(client: Client, text: str) -> None:
    response = lookup(client, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "This code has a typo" not in page


def test_the_proof_instructions_are_in_the_page_language(client: Client) -> None:
    AcceptedStatementFactory()
    got = statement_receive(
        channel="web", organizations=["party"], name_kind="anonymous", source="web", via="t",
        issue_receipt=True,
    )  # fmt: skip
    statement_accept(statement=got.statement, by=None, via="t")
    tally_integrate()
    for language, words in (
        ("zh-hans", ("要离线核验", "您的回执码", "退出证明书", "生成证明书")),
        ("zh-hant", ("要離線核驗", "您的回執碼", "退出證明書", "產生證明書")),
        ("en", ("To check it offline", "YOUR-RECEIPT-CODE", "certificate of withdrawal", "")),
    ):
        page = lookup(client, got.receipt_code or "", language).content.decode()
        for word in words:
            assert word in page, (language, word)
        command = re.search(r'id="check-proof-command">(.*?)</pre>', page, re.DOTALL)
        assert command
        if language != "en":
            assert "YOUR" not in command[1] and "YOUR-CODE" not in page
            for english in ("To check it offline", "Check the proof yourself", "It prints"):
                assert english not in page


def test_the_proof_file_says_what_is_wrong_with_a_code(client: Client) -> None:
    code = new_code()
    wrong = code[:-1] + ALPHABET[(ALPHABET.index(code[-1]) + 1) % 32]
    response = client.post("/receipt/proof/", {"code": wrong}, **EN)
    assert response.status_code == 400
    assert "typo" in response.content.decode()
