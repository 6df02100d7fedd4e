"""Receipt codes: 160 random bits shown once to the declarant; only a keyed hash is stored.

Format (santui.tlog.receiptcode): the 32-character RFC 4648 base32 secret (A-Z, 2-7: no
0/1/8/9 to confuse with O/I/B/g) and a check character, in eleven groups of three joined by
dashes, e.g. ``K7Q-M2X-PA4-...``. A mistyped code is recognized as mistyped (ReceiptCodeTypo),
not reported "not found". Look-ups forgive case, spaces, dashes, full-width characters (NFKC)
and the look-alike digits 0, 1 and 8; codes issued before the check character (32 characters)
keep working. The stored hash and the log's commitment are of the 32-character secret only.
"""

from __future__ import annotations

import base64
import secrets

from santui.statements.crypto import keyed_hash
from santui.tlog.leaf import receipt_commitment, receipt_secret
from santui.tlog.receiptcode import InvalidReceiptCode, ReceiptCodeTypo, format_code, normalize

RECEIPT_BYTES = 20  # 160 bits


def new_receipt_code() -> str:
    """A new code as the declarant is shown it: secret, check character, groups of three."""
    return format_code(base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode("ascii"))


def normalize_receipt_code(code: str) -> str:
    """The canonical 32-character secret; InvalidReceiptCode (or its subclass ReceiptCodeTypo
    for a code with a typo) saying what is wrong."""
    return normalize(code)


def receipt_hash(code: str) -> str:
    return keyed_hash("receipt", normalize_receipt_code(code).encode("ascii"))


def commitment_of(code: str) -> bytes:
    """What the statement's add leaf in the public log commits to (santui.tlog.leaf)."""
    return receipt_commitment(receipt_secret(normalize_receipt_code(code)))


__all__ = [
    "InvalidReceiptCode",
    "ReceiptCodeTypo",
    "commitment_of",
    "new_receipt_code",
    "normalize_receipt_code",
    "receipt_hash",
]
