"""Receipt codes: 160 random bits shown once to the declarant; only a keyed hash is stored.

Format: 32 characters of RFC 4648 base32 (A-Z, 2-7: no 0/1/8/9 to confuse with O/I/B/g), in
eight groups of four joined by dashes, e.g. ``K7QM-2XPA-...``. Look-ups forgive case, spaces,
missing dashes and the look-alike digits 0, 1 and 8.
"""

from __future__ import annotations

import base64
import re
import secrets

from santui.statements.crypto import keyed_hash
from santui.tlog.leaf import receipt_commitment, receipt_secret

RECEIPT_BYTES = 20  # 160 bits
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_VALID = re.compile(r"^[A-Z2-7]{32}$")


class InvalidReceiptCode(ValueError):
    pass


def new_receipt_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize_receipt_code(code: str) -> str:
    """The canonical 32-character form, or InvalidReceiptCode with what is wrong."""
    compact = re.sub(r"[\s\-_]", "", code).upper().translate(_LOOKALIKES)
    if len(compact) != 32:
        raise InvalidReceiptCode(
            f"a receipt code has 32 letters and digits, this has {len(compact)}"
        )
    if not _VALID.match(compact):
        raise InvalidReceiptCode("a receipt code uses only the letters A-Z and the digits 2-7")
    return compact


def receipt_hash(code: str) -> str:
    return keyed_hash("receipt", normalize_receipt_code(code).encode("ascii"))


def commitment_of(code: str) -> bytes:
    """What the statement's add leaf in the public log commits to (santui.tlog.leaf)."""
    return receipt_commitment(receipt_secret(normalize_receipt_code(code)))
