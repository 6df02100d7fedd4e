"""Names and contacts at rest: Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`.

MultiFernet encrypts with the first key of the key file and decrypts with any, so keys rotate
by prepending a new one (see docs/operations.md). Keyed hashes (receipts, de-duplication) use
HMAC-SHA256 with the key file's HMAC key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django import forms
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_text(value: str) -> bytes:
    return _fernet(settings.KEYS.fernet).encrypt(value.encode("utf-8"))


def decrypt_text(token: bytes) -> str:
    return _fernet(settings.KEYS.fernet).decrypt(bytes(token)).decode("utf-8")


def keyed_hash(purpose: str, value: bytes) -> str:
    """HMAC-SHA256 of ``value`` under the instance key, domain-separated by ``purpose``."""
    key = hmac.new(settings.KEYS.hmac, purpose.encode("ascii"), hashlib.sha256).digest()
    return hmac.new(key, value, hashlib.sha256).hexdigest()


class EncryptedTextField(models.BinaryField):
    """A text field stored as a Fernet token; the empty string is stored as NULL."""

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

    def formfield(self, **kwargs: Any) -> Any:
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        return models.Field.formfield(self, **{**defaults, **kwargs})
