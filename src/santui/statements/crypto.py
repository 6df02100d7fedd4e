"""Names, contacts and raw mail at rest, encrypted to the office (issue 12; DESIGN.md, invariant 5).

The public server takes statements in but must not be able to read them back, so values are
encrypted to the **office key pair** (``santui.statements.officekey``): anyone with the public
key encrypts, only the office's private key decrypts.

**Format 2** (every value written now), an envelope per process and hour: a process that
encrypts makes an ephemeral X25519 key pair (its *epoch*, kept in memory only, replaced every
hour and in each new process), derives an AES-256 key from its shared secret with the office's
public key (HKDF-SHA256), and encrypts each value with AES-256-GCM under it::

    0x02 || epoch public key (32 bytes) || nonce (12 bytes) || ciphertext+tag

The epoch's private key and AES key are never written anywhere and are forgotten at the next
epoch, so a copy of the public host's files and database decrypts nothing. The office derives
each epoch's AES key once (one X25519 exchange per epoch, cached), then decrypts each value with
AES-GCM only: as cheap as the first format. X25519 + HKDF + AES-GCM from ``cryptography`` (the
ECIES construction a sealed box also uses), rather than PyNaCl's SealedBox: no new dependency,
and the per-epoch key makes decryption as cheap as a symmetric key.

**Format 1** (values stored before this split): ``0x01 || key id (4 bytes) || nonce ||
ciphertext+tag`` under an AES-256 ``data`` key of the key file. Still read, on the office only:
``santui setup`` moves those keys into the office key file (docs/operations.md).

A process that holds no office private key (the public server, ``SANTUI_ROLE=public``, or a host
without the file) never decrypts: loading a row gives a :class:`Sealed` value, which keeps its
token when saved again and raises :class:`OfficeKeyMissing`, naming what is missing, on any use.

Keyed hashes (receipts, rate-limit buckets) are HMAC-SHA256 under the key file's HMAC key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django import forms
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models

from santui.statements import officekey

_V1 = b"\x01"
_V2 = b"\x02"
_V2_HEADER = 1 + 32 + 12
EPOCH_SECONDS = 3600.0  # a process makes a new epoch key every hour
_INFO = b"santui office envelope v2"

logger = logging.getLogger("santui.crypto")


class DecryptionError(ValueError):
    """A stored value that cannot be opened (wrong key, or tampering)."""


class OfficeKeyMissing(DecryptionError):
    """This process holds no office private key: it can encrypt, never decrypt."""


# --- the office's public key and this process's epoch ----------------------------------------


@dataclass(frozen=True)
class _Epoch:
    public: bytes  # the epoch's X25519 public key, written in every token
    cipher: AESGCM
    made: float
    pid: int
    office: bytes  # the office public key it was made for


_lock = threading.Lock()
_epoch: _Epoch | None = None


@cache
def _office_public(path: Path) -> bytes:
    return officekey.load_public(path)


def _epoch_key(shared: bytes, epoch_public: bytes, office_public: bytes) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + epoch_public + office_public
    ).derive(shared)
    return AESGCM(key)


# The office public key of the setting last seen: building a Path and hashing it for the
# cache above cost 12 µs a value, most of an encryption (docs/benchmarks.md, the COPY path).
_office_seen: tuple[object, bytes] | None = None


def _office_now() -> bytes:
    global _office_seen
    setting = settings.SANTUI_OFFICE_PUBLIC_KEY_FILE
    seen = _office_seen
    if seen is not None and seen[0] is setting:
        return seen[1]
    office = _office_public(Path(setting))
    _office_seen = (setting, office)
    return office


def _current_epoch() -> _Epoch:
    global _epoch
    office = _office_now()
    now = time.monotonic()
    epoch = _epoch
    if (
        epoch is not None
        and epoch.office == office
        and epoch.pid == os.getpid()
        and now - epoch.made < EPOCH_SECONDS
    ):
        return epoch
    with _lock:
        epoch = _epoch
        if epoch is None or epoch.office != office or epoch.pid != os.getpid() or (
            now - epoch.made >= EPOCH_SECONDS
        ):
            private = X25519PrivateKey.generate()
            public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            shared = private.exchange(X25519PublicKey.from_public_bytes(office))
            epoch = _Epoch(public, _epoch_key(shared, public, office), now, os.getpid(), office)
            _epoch = epoch  # the epoch's private key goes out of scope here: never stored
        return epoch


def new_epoch() -> None:
    """Forget this process's epoch: the next value starts a new one (tests, key changes)."""
    global _epoch
    with _lock:
        _epoch = None


# --- the office's private key ------------------------------------------------------------------

_office: officekey.OfficePrivate | None = None
# Why the key could not be unlocked (no passphrase, a wrong one): remembered, so that a process
# without the passphrase does not derive the passphrase's key again for every value it loads.
_unavailable: str | None = None


def _role() -> str:
    return str(getattr(settings, "SANTUI_ROLE", "") or "")


def can_decrypt() -> bool:
    """Whether this process may hold the office private key: not the public server, and the
    key file is here (it may still be locked: then reading a value says so)."""
    if _role() == "public" or (_office is None and _unavailable is not None):
        return False
    return _office is not None or Path(settings.SANTUI_OFFICE_KEY_FILE).is_file()


def unlock_office(passphrase: str | None = None) -> officekey.OfficePrivate:
    """Load the office private key (once per process). The passphrase, if the file has one,
    comes from the argument or ``SANTUI_OFFICE_PASSPHRASE``. Refused on the public server."""
    global _office, _unavailable
    if _role() == "public":
        _refuse()
    if _office is None:
        given = passphrase if passphrase is not None else os.environ.get("SANTUI_OFFICE_PASSPHRASE")
        try:
            _office = officekey.load_private(Path(settings.SANTUI_OFFICE_KEY_FILE), given or None)
        except officekey.OfficeKeyError as exc:
            _unavailable = str(exc)
            raise
        _unavailable = None
        _opener.cache_clear()
    return _office


def forget_office() -> None:
    """Drop the office key and the epoch keys derived from it from this process's memory."""
    global _office, _unavailable
    _office = _unavailable = None
    _opener.cache_clear()


def _refuse() -> NoReturn:
    if _unavailable is not None and _role() != "public":
        raise OfficeKeyMissing(_unavailable)
    if _role() == "public":
        raise OfficeKeyMissing(
            "this is the public server (SANTUI_ROLE=public): it holds no office private key and "
            "decrypts nothing; names and contacts are read on the office (`santui serve --office`)"
        )
    raise OfficeKeyMissing(
        f"no office private key at {settings.SANTUI_OFFICE_KEY_FILE} (SANTUI_OFFICE_KEY_FILE): "
        "names and contacts can be read only on the office, where `santui setup` made that file"
    )


def _office_key() -> officekey.OfficePrivate:
    if _office is not None and _role() != "public":
        return _office
    if not can_decrypt():
        _refuse()
    try:
        return unlock_office()
    except officekey.OfficeKeyLocked as exc:
        raise OfficeKeyMissing(str(exc)) from None
    except officekey.OfficeKeyError as exc:
        raise OfficeKeyMissing(str(exc)) from None


@lru_cache(maxsize=4096)
def _opener(private: bytes, epoch_public: bytes) -> AESGCM:
    """The AES key of one epoch, derived once per process (one X25519 exchange)."""
    try:
        peer = X25519PublicKey.from_public_bytes(epoch_public)
        key = X25519PrivateKey.from_private_bytes(private)
        shared = key.exchange(peer)
        office = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    except ValueError:  # a low-order point: not a value we wrote
        raise DecryptionError("stored value failed authentication") from None
    return _epoch_key(shared, epoch_public, office)


@cache
def _legacy_ciphers(keys: tuple[bytes, ...]) -> dict[bytes, AESGCM]:
    return {hashlib.sha256(k).digest()[:4]: AESGCM(k) for k in keys}


def _legacy_keys(office: officekey.OfficePrivate) -> tuple[bytes, ...]:
    keys = getattr(settings, "KEYS", None)
    try:
        in_key_file = tuple(keys.data) if keys is not None else ()
    except RuntimeError:  # AbsentKeys: no key file in this process
        in_key_file = ()
    return tuple(dict.fromkeys((*office.legacy, *in_key_file)))


# --- encrypt and decrypt -------------------------------------------------------------------------


def encrypt_bytes(value: bytes) -> bytes:
    """Encrypt raw bytes (a name, a mail message, a photo) to the office, format 2."""
    epoch = _current_epoch()
    nonce = os.urandom(12)
    header = _V2 + epoch.public
    return header + nonce + epoch.cipher.encrypt(nonce, bytes(value), header)


def decrypt_bytes(token: bytes) -> bytes:
    """Open a value of either format; only where the office private key is."""
    token = bytes(token)
    office = _office_key()
    version = token[:1]
    if version == _V2 and len(token) >= _V2_HEADER + 16:
        cipher = _opener(office.private, token[1:33])
        try:
            return cipher.decrypt(token[33:45], token[45:], token[:33])
        except InvalidTag:
            raise DecryptionError("stored value failed authentication") from None
    if version == _V1:
        legacy = _legacy_ciphers(_legacy_keys(office)).get(token[1:5])
        if legacy is None:
            raise DecryptionError(
                "value was encrypted with a data key that is neither in the key file nor in "
                "the office key file"
            )
        try:
            return legacy.decrypt(token[5:17], token[17:], None)
        except InvalidTag:
            raise DecryptionError("stored value failed authentication") from None
    raise DecryptionError("not a santui encrypted value")


def encrypt_text(value: str) -> bytes:
    return encrypt_bytes(value.encode("utf-8"))


def text_sealer() -> Callable[[str], bytes]:
    """``encrypt_text`` for a batch: the epoch looked up once, not once a value (about 2 µs
    of the 4 µs of a short value; the bulk loaders seal three texts a row). The values are
    the same format; use it for one batch and let it go (it keeps the epoch it found)."""
    epoch = _current_epoch()
    header = _V2 + epoch.public
    encrypt = epoch.cipher.encrypt
    urandom = os.urandom

    def seal(value: str) -> bytes:
        nonce = urandom(12)
        return header + nonce + encrypt(nonce, value.encode("utf-8"), header)

    return seal


def decrypt_text(token: bytes) -> str:
    return decrypt_bytes(token).decode("utf-8")


def keyed_hash(purpose: str, value: bytes) -> str:
    """HMAC-SHA256 of ``value`` under the instance key, domain-separated by ``purpose``."""
    key = hmac.new(settings.KEYS.hmac, purpose.encode("ascii"), hashlib.sha256).digest()
    return hmac.new(key, value, hashlib.sha256).hexdigest()


def _reset(*, setting: str, **kwargs: Any) -> None:
    global _office_seen
    if setting in ("SANTUI_ROLE", "SANTUI_OFFICE_KEY_FILE", "SANTUI_OFFICE_PUBLIC_KEY_FILE"):
        forget_office()
        new_epoch()
        _office_public.cache_clear()
        _office_seen = None


setting_changed.connect(_reset)


# --- a value this process cannot read --------------------------------------------------------


class Sealed:
    """An encrypted value loaded where there is no office private key (the public server).

    Saved again, it is written back as it was; any other use (printing, comparing, its length,
    its truth) raises :class:`OfficeKeyMissing` saying why, never a wrong or empty value."""

    __slots__ = ("token",)

    def __init__(self, token: bytes) -> None:
        self.token = bytes(token)

    def __repr__(self) -> str:
        return "<Sealed: readable on the office only>"

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        _refuse()

    __str__ = __len__ = __bool__ = __iter__ = __contains__ = __hash__ = _refuse
    __add__ = __radd__ = __getitem__ = __format__ = _refuse

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sealed):
            return self.token == other.token
        return self._refuse()

    def __getattr__(self, name: str) -> NoReturn:
        try:
            _refuse()
        except OfficeKeyMissing as exc:
            # Also an AttributeError, so that probes (hasattr, as Django makes on saving) see
            # no attribute, while a real use still says what is missing.
            raise _SealedAttribute(str(exc)) from None


class _SealedAttribute(OfficeKeyMissing, AttributeError):
    pass


def _open(value: bytes) -> str | Sealed:
    """A loaded value: in clear where the office key is unlocked, else sealed (any use of it
    then says why: the public server, no key file, no passphrase)."""
    if not can_decrypt():
        return Sealed(value)
    try:
        return decrypt_text(value)
    except OfficeKeyMissing:
        return Sealed(value)
    except DecryptionError:
        # sealed to another office key (an instance made apart, say), or damaged: the row still
        # loads, and whatever reads the value stops on it (the screener holds that statement as
        # unscreenable), instead of every query that loads it failing
        logger.error("a stored value does not open with this office key: left sealed")
        return Sealed(value)


class EncryptedTextField(models.BinaryField):  # type: ignore[type-arg]  # value is str, not bytes
    """A text field stored encrypted to the office (format above); "" is stored as NULL. Where
    the office key is not, a loaded value is :class:`Sealed`."""

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
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token  # written back as it was
        if value == "":
            return None
        if isinstance(value, bytes | memoryview):
            return bytes(value)  # already a token
        return super().get_prep_value(encrypt_text(str(value)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | Sealed:
        if value is None:
            return ""
        return _open(bytes(value))

    def to_python(self, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str | Sealed):
            return value
        return _open(bytes(value))

    def value_to_string(self, obj: Any) -> str:
        return str(self.value_from_object(obj) or "")

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # keyword-only use
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        return models.Field.formfield(self, **{**defaults, **kwargs})

