"""The instance's secrets, kept in one key file created on first run with mode 0600.

Path: ``$SANTUI_KEY_FILE``, default ``$SANTUI_HOME/keys/santui-keys.json``. It holds
- ``django_secret``: Django's SECRET_KEY (sessions, CSRF);
- ``data``: a list of base64 AES-256 keys encrypting names and contacts at rest (the first one
  encrypts, all decrypt, so keys can be rotated by prepending a new one);
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
    raw = json.loads(path.read_text("utf-8"))
    return Keys(
        path=path,
        django_secret=raw["django_secret"],
        data=tuple(base64.b64decode(k) for k in raw["data"]),
        hmac=base64.b64decode(raw["hmac"]),
    )
