"""The instance's secrets, kept in one key file created on first run with mode 0600.

Path: ``$SANTUI_KEY_FILE``, default ``$SANTUI_HOME/keys/santui-keys.json``. It holds
- ``django_secret``: Django's SECRET_KEY (sessions, CSRF);
- ``data`` (first format only): base64 AES-256 keys that encrypted names and contacts before
  they were encrypted to the office key (santui.statements.crypto). New values never use them;
  ``santui setup`` on the office moves them into the office key file, since they decrypt;
- ``hmac``: the key of the keyed hashes (receipt codes, de-duplication, rate-limit buckets).
Losing the file makes stored names unreadable and receipts unverifiable: back it up apart from
the database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Keys:
    path: Path
    django_secret: str
    data: tuple[bytes, ...]
    hmac: bytes


class AbsentKeys(Keys):
    """Stands for a key file that does not exist, in a command that needs no keys (help,
    ``santui parse``): reading a key is an error naming the file, never a key made up."""

    def __getattribute__(self, name: str) -> object:
        if name in ("django_secret", "data", "hmac"):
            path = object.__getattribute__(self, "path")
            raise RuntimeError(f"no key file at {path}: run `santui setup`")
        return object.__getattribute__(self, name)

    @classmethod
    def at(cls, path: Path) -> Keys:
        return cls(path=path, django_secret="", data=(), hmac=b"")


_MAX_KEY_FILE = 1 << 20  # bytes: a key file is under 1 KiB, even with many rotated keys


def _new_material() -> dict[str, object]:
    return {
        "version": 1,
        "django_secret": secrets.token_urlsafe(50),
        "data": [base64.b64encode(secrets.token_bytes(32)).decode("ascii")],
        "hmac": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
    }


def load_or_create(path: Path) -> Keys:
    """Read the key file, creating it (mode 0600, parents 0700) if it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = json.dumps(_new_material(), indent=2).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    return load(path)


def load(path: Path) -> Keys:
    """Read an existing key file; a file that is not one is a ValueError saying so in a line."""
    try:
        with path.open("rb") as fh:
            text = fh.read(_MAX_KEY_FILE + 1)
        if len(text) > _MAX_KEY_FILE:
            raise ValueError("too large")
        raw = json.loads(text)
        keys = Keys(
            path=path,
            django_secret=str(raw["django_secret"]),
            # Optional: moved to the office key file by `santui setup` (santui.statements.crypto)
            data=tuple(base64.b64decode(k, validate=True) for k in raw.get("data", [])),
            hmac=base64.b64decode(raw["hmac"], validate=True),
        )
    except OSError as exc:
        raise ValueError(f"cannot read the key file {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ValueError(f"{path} is not a santui key file (restore it from a backup)") from None
    if "data" in raw and not keys.data:
        raise ValueError(f"{path} is not a santui key file (restore it from a backup)")
    if not keys.django_secret or any(len(k) != 32 for k in keys.data):
        raise ValueError(f"{path} is not a santui key file (restore it from a backup)")
    if len(keys.hmac) != 32:
        raise ValueError(f"{path} is not a santui key file (restore it from a backup)")
    return keys


def office_key_pair(private_path: Path, public_path: Path) -> bool:
    """Make the office key pair (santui.statements.officekey) unless its public key exists:
    protected by ``SANTUI_OFFICE_PASSPHRASE`` if set. True if it was made now."""
    from santui.statements import officekey

    if public_path.exists() or private_path.exists():
        return False
    try:
        officekey.create(
            private_path,
            public_path,
            passphrase=os.environ.get("SANTUI_OFFICE_PASSPHRASE") or None,
        )
    except officekey.OfficeKeyError:
        return False  # another process made it first
    return True


def without_data(keys: Keys) -> Keys:
    """Rewrite the key file without its ``data`` keys (in one step, mode 0600), once the office
    key file holds them: the public host's copy of the key file then decrypts nothing."""
    path = keys.path
    with path.open("rb") as fh:
        raw = json.loads(fh.read(_MAX_KEY_FILE + 1))
    raw.pop("data", None)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(json.dumps(raw, indent=2).encode())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return load(path)
