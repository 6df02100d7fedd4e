"""Names and contacts at rest: AES-256-GCM (AEAD) from `cryptography`.

A stored value is ``0x01 || key id (4 bytes) || nonce (12 bytes) || ciphertext+tag``. The first
key of the key file encrypts; any key decrypts (found by its id: the first four bytes of its
SHA-256), so keys rotate by prepending a new one (docs/operations.md). AES-GCM rather than
Fernet: the same library, authenticated too, and several times cheaper per value, which the bulk
import feels (docs/benchmarks.md). Keyed hashes (receipts, rate-limit buckets) are HMAC-SHA256
under the key file's HMAC key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.conf import settings
from django.db import models

_VERSION = b"\x01"


class DecryptionError(ValueError):
    """A stored value that no key of the key file can open (wrong key file, or tampering)."""


@cache
def _ciphers(keys: tuple[bytes, ...]) -> tuple[tuple[bytes, AESGCM], dict[bytes, AESGCM]]:
    by_id = {hashlib.sha256(k).digest()[:4]: AESGCM(k) for k in keys}
    first_id = hashlib.sha256(keys[0]).digest()[:4]
    return (first_id, by_id[first_id]), by_id


def encrypt_bytes(value: bytes) -> bytes:
    """Encrypt raw bytes (a mail message, a photo of a paper statement) in the format above."""
    (key_id, cipher), _ = _ciphers(settings.KEYS.data)
    nonce = os.urandom(12)
    return _VERSION + key_id + nonce + cipher.encrypt(nonce, bytes(value), None)


def decrypt_bytes(token: bytes) -> bytes:
    token = bytes(token)
    _, by_id = _ciphers(settings.KEYS.data)
    cipher = by_id.get(token[1:5])
    if token[:1] != _VERSION or cipher is None:
        raise DecryptionError("value was encrypted with a key that is not in the key file")
    try:
        return cipher.decrypt(token[5:17], token[17:], None)
    except InvalidTag:
        raise DecryptionError("stored value failed authentication") from None


def encrypt_text(value: str) -> bytes:
    return encrypt_bytes(value.encode("utf-8"))


def decrypt_text(token: bytes) -> str:
    return decrypt_bytes(token).decode("utf-8")


def keyed_hash(purpose: str, value: bytes) -> str:
    """HMAC-SHA256 of ``value`` under the instance key, domain-separated by ``purpose``."""
    key = hmac.new(settings.KEYS.hmac, purpose.encode("ascii"), hashlib.sha256).digest()
    return hmac.new(key, value, hashlib.sha256).hexdigest()


class EncryptedTextField(models.BinaryField):  # type: ignore[type-arg]  # value is str, not bytes
    """A text field stored encrypted (format above); the empty string is stored as NULL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key in ("null", "blank", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bytes | memoryview):
            return bytes(value)  # already a token
        return super().get_prep_value(encrypt_text(str(value)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value is None:
            return ""
        return decrypt_text(bytes(value))

    def to_python(self, value: Any) -> Any:
        if value is None:
            return ""
        return value if isinstance(value, str) else decrypt_text(bytes(value))

    def value_to_string(self, obj: Any) -> str:
        return str(self.value_from_object(obj) or "")

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # keyword-only use
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        return models.Field.formfield(self, **{**defaults, **kwargs})
