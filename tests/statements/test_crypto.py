import secrets

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from santui.statements.crypto import (
    DecryptionError,
    decrypt_text,
    encrypt_text,
    keyed_hash,
    text_sealer,
)


@given(st.text(max_size=300))
def test_round_trip(text: str) -> None:
    token = encrypt_text(text)
    assert decrypt_text(token) == text
    if len(text.encode()) >= 8:  # shorter byte strings can turn up in random bytes by chance
        assert text.encode() not in token


@given(st.text(max_size=300))
def test_a_batch_sealer_seals_as_encrypt_text_does(text: str) -> None:
    """``text_sealer`` (the bulk loaders' encryption, one epoch for a batch): values of the
    same format, the same length, opened by decrypt_text, each with its own nonce."""
    seal = text_sealer()
    token = seal(text)
    assert decrypt_text(token) == text
    assert len(token) == len(encrypt_text(text)) and token[:33] == encrypt_text(text)[:33]
    assert seal(text) != token
    if len(text.encode()) >= 8:
        assert text.encode() not in token


def test_same_text_encrypts_differently_each_time() -> None:
    assert encrypt_text("王秀英") != encrypt_text("王秀英")


def test_tampering_is_detected() -> None:
    token = bytearray(encrypt_text("张三"))
    token[-1] ^= 1
    with pytest.raises(DecryptionError):
        decrypt_text(bytes(token))


def test_new_values_do_not_depend_on_the_data_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values are sealed to the office key (format 2), not written under the key file's data
    keys, which only open values stored before (tests/statements/test_office_key.py)."""
    token = encrypt_text("李四")
    assert token[0] == 2
    others = type(settings.KEYS)(
        path=settings.KEYS.path,
        django_secret=settings.KEYS.django_secret,
        data=(secrets.token_bytes(32),),
        hmac=settings.KEYS.hmac,
    )
    monkeypatch.setattr(settings, "KEYS", others)
    assert decrypt_text(token) == "李四"
    with pytest.raises(DecryptionError):
        decrypt_text(token[:-1] + bytes([token[-1] ^ 1]))  # tampered: refused, not garbage


def test_keyed_hashes_are_domain_separated() -> None:
    assert keyed_hash("receipt", b"x") != keyed_hash("ratelimit", b"x")
    assert keyed_hash("receipt", b"x") == keyed_hash("receipt", b"x")
