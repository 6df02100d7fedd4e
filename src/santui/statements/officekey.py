"""The office key pair: names and contacts are encrypted to its public key, and only the office
holds its private key (issue 12; docs/configuration.md#the-office-key).

Two files, both written mode 0600 in a 0700 folder:

- ``$SANTUI_OFFICE_PUBLIC_KEY_FILE`` (default ``$SANTUI_HOME/keys/office-public.json``): the
  X25519 public key. Every host that takes statements in needs it (the public server, imports,
  ingest-mail); it decrypts nothing.
- ``$SANTUI_OFFICE_KEY_FILE`` (default ``$SANTUI_HOME/keys/office.json``): the X25519 private
  key and the ``data`` keys of the key file's first format (values stored before this split stay
  readable on the office only). Optionally protected by a passphrase: the secret part is then
  encrypted with AES-256-GCM under a key derived from the passphrase with Argon2id
  (``cryptography``), and the office unlocks it when it starts.

Pure: no Django, so that the settings can import it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

_MAX_FILE = 1 << 20
_AAD = b"santui office key v1"
# Argon2id, RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): about 0.3 s.
_KDF = {"name": "argon2id", "iterations": 3, "lanes": 4, "memory_kib": 64 * 1024}


class OfficeKeyError(ValueError):
    """The office key cannot be used: missing, locked or damaged (the message says which)."""


class OfficeKeyLocked(OfficeKeyError):
    pass


@dataclass(frozen=True)
class OfficePrivate:
    path: Path
    private: bytes  # X25519 private key, 32 bytes
    public: bytes  # its public key, 32 bytes
    legacy: tuple[bytes, ...]  # AES-256 keys of the first format (0x01 values)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not base64 text")
    return base64.b64decode(text, validate=True)


def _write_private(path: Path, data: dict[str, object], *, new: bool = False) -> None:
    """Write ``path`` (mode 0600, parents 0700) in one step: readers see the old or new file.
    ``new``: only if there is no file there yet (else OfficeKeyError)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(json.dumps(data, indent=2).encode())
        fh.flush()
        os.fsync(fh.fileno())
    if not new:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if the file exists: two processes never both make a key
    except FileExistsError:
        raise OfficeKeyError(f"{path} exists: santui never replaces an office key") from None
    finally:
        tmp.unlink()


def _read_json(path: Path, what: str) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            text = fh.read(_MAX_FILE + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise OfficeKeyError(f"cannot read the {what} {path}: {exc.strerror}") from None
    try:
        if len(text) > _MAX_FILE:
            raise ValueError("too large")
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("version") != 1:
            raise ValueError("not version 1")
    except (ValueError, RecursionError):
        raise OfficeKeyError(f"{path} is not a santui {what} (restore it from a backup)") from None
    return raw


def _derive(passphrase: str, salt: bytes, kdf: dict[str, object]) -> bytes:
    return Argon2id(
        salt=salt,
        length=32,
        iterations=int(str(kdf["iterations"])),
        lanes=int(str(kdf["lanes"])),
        memory_cost=int(str(kdf["memory_kib"])),
    ).derive(passphrase.encode("utf-8"))


def _secret_part(
    private: bytes, legacy: tuple[bytes, ...], passphrase: str | None
) -> dict[str, object]:
    secret = json.dumps({"private": _b64(private), "legacy": [_b64(k) for k in legacy]}).encode()
    if not passphrase:
        return {"kdf": None, "secret": _b64(secret)}
    salt = secrets.token_bytes(16)
    kdf = dict(_KDF, salt=_b64(salt))
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_derive(passphrase, salt, kdf)).encrypt(nonce, secret, _AAD)
    return {"kdf": kdf, "secret": _b64(nonce + sealed)}


def create(
    private_path: Path,
    public_path: Path,
    *,
    passphrase: str | None = None,
    legacy: tuple[bytes, ...] = (),
) -> OfficePrivate:
    """Make a new key pair: the private file, then the public one. Refuses to replace either."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    for path in (private_path, public_path):
        if path.exists():
            raise OfficeKeyError(f"{path} exists: santui never replaces an office key")
    key = X25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    _write_private(
        private_path,
        {"version": 1, "public": _b64(public), **_secret_part(private, legacy, passphrase)},
        new=True,
    )
    write_public(public_path, public)
    return OfficePrivate(private_path, private, public, legacy)


def write_public(path: Path, public: bytes) -> None:
    _write_private(path, {"version": 1, "public": _b64(public)})


def rewrite(
    office: OfficePrivate, *, passphrase: str | None, legacy: tuple[bytes, ...]
) -> OfficePrivate:
    """The same private key with other legacy keys (or another passphrase), written in one step."""
    _write_private(
        office.path,
        {"version": 1, "public": _b64(office.public),
         **_secret_part(office.private, legacy, passphrase)},
    )  # fmt: skip
    return OfficePrivate(office.path, office.private, office.public, legacy)


def load_public(path: Path) -> bytes:
    """The office's public key; a missing file is an OfficeKeyError saying what to do."""
    try:
        raw = _read_json(path, "office public key file")
    except FileNotFoundError:
        raise OfficeKeyError(
            f"no office public key at {path}: run `santui setup` on the office and copy its "
            "office public key file here (SANTUI_OFFICE_PUBLIC_KEY_FILE)"
        ) from None
    try:
        public = _unb64(raw["public"])
    except (KeyError, TypeError, ValueError):
        public = b""
    if len(public) != 32:
        raise OfficeKeyError(f"{path} is not a santui office public key file")
    return public


def is_protected(path: Path) -> bool:
    try:
        return _read_json(path, "office key file").get("kdf") is not None
    except FileNotFoundError:
        return False


def load_private(path: Path, passphrase: str | None) -> OfficePrivate:
    """The office's private key, unlocked with ``passphrase`` when the file is protected."""
    try:
        raw = _read_json(path, "office key file")
    except FileNotFoundError:
        raise OfficeKeyError(
            f"no office private key at {path} (SANTUI_OFFICE_KEY_FILE): names and contacts can "
            "be read only on the office, where `santui setup` made that file"
        ) from None
    damaged = OfficeKeyError(f"{path} is not a santui office key file (restore it from a backup)")
    try:
        public = _unb64(raw["public"])
        secret = _unb64(raw["secret"])
        kdf = raw["kdf"]
        if kdf is not None:
            if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
                raise damaged
            if not passphrase:
                raise OfficeKeyLocked(
                    f"the office key {path} is protected by a passphrase: give it in "
                    "SANTUI_OFFICE_PASSPHRASE, or start `santui serve --office` in a terminal, "
                    "which asks for it"
                )
            try:
                key = _derive(passphrase, _unb64(kdf["salt"]), kdf)
                secret = AESGCM(key).decrypt(secret[:12], secret[12:], _AAD)
            except InvalidTag:
                raise OfficeKeyLocked(f"wrong passphrase for the office key {path}") from None
        inner = json.loads(secret)
        private = _unb64(inner["private"])
        legacy = tuple(_unb64(k) for k in inner["legacy"])
    except OfficeKeyError:
        raise
    except (KeyError, TypeError, ValueError, RecursionError):
        raise damaged from None
    if len(private) != 32 or len(public) != 32 or any(len(k) != 32 for k in legacy):
        raise damaged
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    derived = (
        X25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    if derived != public:
        raise damaged
    return OfficePrivate(path, private, public, legacy)
