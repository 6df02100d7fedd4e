"""Receipt codes with a check character (santui.tlog.receiptcode): typos are recognized as
typos, any spelling of a valid code normalizes to it, old 32-character codes keep working."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tlog.receiptcode import (
    ALPHABET,
    CODE_LENGTH,
    InvalidReceiptCode,
    ReceiptCodeTypo,
    check_character,
    compact,
    format_code,
    normalize,
)

secrets_ = st.binary(min_size=20, max_size=20).map(lambda b: base64.b32encode(b).decode())


def full(secret: str) -> str:
    return secret + check_character(secret)


def test_a_new_code_is_the_secret_and_a_check_character_in_groups_of_three() -> None:
    secret = base64.b32encode(bytes(range(20))).decode()
    shown = format_code(secret)
    groups = shown.split("-")
    assert len(groups) == 11 and all(len(g) == 3 for g in groups)
    assert "".join(groups)[:32] == secret and len("".join(groups)) == CODE_LENGTH
    assert normalize(shown) == secret


@settings(max_examples=300)
@given(secrets_, st.integers(0, CODE_LENGTH - 1), st.sampled_from(ALPHABET))
def test_every_single_substitution_is_a_typo(secret: str, position: int, char: str) -> None:
    code = full(secret)
    if code[position] == char:
        return
    mistyped = code[:position] + char + code[position + 1 :]
    with pytest.raises(ReceiptCodeTypo):
        normalize(mistyped)


@settings(max_examples=300)
@given(secrets_, st.integers(0, CODE_LENGTH - 2))
def test_every_adjacent_transposition_is_a_typo(secret: str, position: int) -> None:
    code = full(secret)
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    with pytest.raises(ReceiptCodeTypo):
        normalize(swapped)


def test_all_substitutions_and_transpositions_of_one_code_exhaustively() -> None:
    # Includes the pair Luhn mod 32 misses (A and 7 side by side) and the check character.
    secret = "A7" * 16
    code = full(secret)
    for i in range(CODE_LENGTH):
        for char in ALPHABET.replace(code[i], ""):
            with pytest.raises(ReceiptCodeTypo):
                normalize(code[:i] + char + code[i + 1 :])
    for i in range(CODE_LENGTH - 1):
        if code[i] != code[i + 1]:
            with pytest.raises(ReceiptCodeTypo):
                normalize(code[:i] + code[i + 1] + code[i] + code[i + 2 :])


SEPARATORS = [" ", "-", "  ", "\u3000", "－", "—", "–", ".", "_", "\n", "\t", "・"]


def fullwidth(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@settings(max_examples=300)
@given(
    secrets_,
    st.lists(st.tuples(st.booleans(), st.booleans(), st.sampled_from(["", *SEPARATORS]))),
)
def test_any_spelling_of_a_valid_code_normalizes_to_it(
    secret: str, spelling: list[tuple[bool, bool, str]]
) -> None:
    code = full(secret)
    out = []
    for i, char in enumerate(code):
        lower, wide, separator = spelling[i] if i < len(spelling) else (False, False, "")
        char = char.lower() if lower else char
        out.append((fullwidth(char) if wide else char) + separator)
    typed = "".join(out)
    assert normalize(typed) == secret
    assert normalize(format_code(secret)) == secret


def test_codes_issued_before_the_check_character_keep_working() -> None:
    secret = base64.b32encode(bytes(range(20))).decode()
    old = "-".join(secret[i : i + 4] for i in range(0, 32, 4))  # how they were shown
    for spelling in (old, old.lower(), secret, " ".join(old.split("-"))):
        assert normalize(spelling) == secret


def test_lookalike_digits_are_read_as_letters() -> None:
    secret = "O" * 10 + "I" * 10 + "B" * 12
    code = full(secret)
    assert normalize(code.replace("O", "0").replace("I", "1").replace("B", "8")) == secret


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A" * 31,
        "A" * 34,
        "A" * 5000,
        "9" * 33,
        "<script>alert(1)</script>" + "A" * 8,
        "A" * 32 + "\x00",
        "甲" * 33,
        "A" * 31 + "=",
    ],
)
def test_what_is_not_a_code_is_refused_as_not_a_code(text: str) -> None:
    with pytest.raises(InvalidReceiptCode) as raised:
        normalize(text)
    assert not isinstance(raised.value, ReceiptCodeTypo)


def test_compact_bounds_what_it_reads() -> None:
    assert len(compact("A" * 10_000)) <= 200
