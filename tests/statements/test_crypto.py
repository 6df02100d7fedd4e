import secrets

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from santui.statements.crypto import DecryptionError, decrypt_text, encrypt_text, keyed_hash


@given(st.text(max_size=300))
def test_round_trip(text: str) -> None:
    token = encrypt_text(text)
    assert decrypt_text(token) == text
    if len(text.encode()) >= 8:  # shorter byte strings can turn up in random bytes by chance
        assert text.encode() not in token


def test_same_text_encrypts_differently_each_time() -> None:
    assert encrypt_text("王秀英") != encrypt_text("王秀英")


def test_tampering_is_detected() -> None:
    token = bytearray(encrypt_text("张三"))
    token[-1] ^= 1
    with pytest.raises(DecryptionError):
        decrypt_text(bytes(token))


def test_rotation_keeps_old_values_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    old_token = encrypt_text("李四")
    new_key = secrets.token_bytes(32)
    rotated = type(settings.KEYS)(
        path=settings.KEYS.path,
        django_secret=settings.KEYS.django_secret,
        data=(new_key, *settings.KEYS.data),
        hmac=settings.KEYS.hmac,
    )
    monkeypatch.setattr(settings, "KEYS", rotated)
    assert decrypt_text(old_token) == "李四"
    new_token = encrypt_text("李四")
    assert new_token[1:5] != old_token[1:5]  # written under the new key's id
    monkeypatch.setattr(
        settings,
        "KEYS",
        type(rotated)(rotated.path, rotated.django_secret, (new_key,), rotated.hmac),
    )
    with pytest.raises(DecryptionError):
        decrypt_text(old_token)  # the old key is gone: refused, not garbage


def test_keyed_hashes_are_domain_separated() -> None:
    assert keyed_hash("receipt", b"x") != keyed_hash("ratelimit", b"x")
    assert keyed_hash("receipt", b"x") == keyed_hash("receipt", b"x")
