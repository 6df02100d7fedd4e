"""Receipt codes as people read and type them: a check character, and forgiving normalization.

The secret of a receipt is 20 random bytes, written as 32 characters of RFC 4648 base32
(A-Z, 2-7). The public log commits to that secret (``santui.tlog.leaf.receipt_secret``). Codes
issued since issue 16 show one more character at the end, a check character, in eleven groups
of three: ``K7Q-M2X-PA4-...-QRS``. It exists only for display and typing: a code that was
mistyped is recognized as mistyped, not looked up and reported "not found". Codes issued
before (32 characters, no check character) keep working.

The check character is a weighted sum over GF(32) (a one-symbol Reed-Solomon check): with
``a`` a primitive element and ``x_i`` the value of the i-th character, the check ``c`` makes
``sum(a**i * x_i for i in 1..32) + c == 0``. A substitution changes the sum by
``a**i * (x - x') != 0``; swapping neighbours changes it by ``(a**i - a**(i+1)) * (x - y) != 0``
(the check character has weight ``1 = a**0``, distinct from ``a**32 = a``). So every single
substitution and every adjacent transposition is detected. python-stdnum's Luhn mod N and
ISO 7064 Mod 37,36 over this 32-letter alphabet each miss some adjacent transpositions (Luhn:
``A7`` and ``7A``), and its Damm algorithm is for decimal digits only: hence these few lines.

Typing is forgiving: Unicode NFKC first (full-width letters, digits and dashes become ASCII),
then any case, with or without spaces, dashes or dots, and the look-alike digits 0, 1 and 8 are
read as O, I and B (they are not in the alphabet).
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
SECRET_LENGTH = 32
CODE_LENGTH = SECRET_LENGTH + 1
GROUP = 3
MAX_INPUT = 200  # characters looked at, whatever arrives
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
# Separators people type between groups: white space, any dash (Unicode Pd: -, ‐, –, —, －),
# underscores, dots, middle dots and the katakana middle dot an IME may give.
_SEPARATORS = re.compile(r"[\s_.·・\u2010-\u2015\u2212\u30fc\ufe58\ufe63-]")
_VALID = re.compile(r"^[A-Z2-7]+$")

# GF(2^5) with the primitive polynomial x^5 + x^2 + 1: exp and log tables of a = x.
_EXP: list[int] = []
_x = 1
for _ in range(31):
    _EXP.append(_x)
    _x <<= 1
    if _x & 0b100000:
        _x ^= 0b100101
_LOG = {v: i for i, v in enumerate(_EXP)}


class InvalidReceiptCode(ValueError):
    """Not a receipt code at all: wrong length or characters outside the alphabet."""


class ReceiptCodeTypo(InvalidReceiptCode):
    """A code of the right shape whose check character does not match: mistyped."""


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[(_LOG[a] + _LOG[b]) % 31]


def check_character(secret: str) -> str:
    """The check character of a canonical 32-character secret."""
    total = 0
    for i, char in enumerate(secret, start=1):
        total ^= _mul(_EXP[i % 31], _VALUE[char])
    return ALPHABET[total]  # addition in GF(2^5) is XOR: c = sum, so sum + c = 0


def format_code(secret: str) -> str:
    """How a new code is shown: the secret, its check character, in groups of three."""
    full = secret + check_character(secret)
    return "-".join(full[i : i + GROUP] for i in range(0, len(full), GROUP))


def compact(code: str) -> str:
    """``code`` without formatting: NFKC, no separators, upper case, look-alikes read."""
    folded = unicodedata.normalize("NFKC", code[:MAX_INPUT])
    return _SEPARATORS.sub("", folded).upper().translate(_LOOKALIKES)


def normalize(code: str) -> str:
    """The canonical 32-character secret of a typed code (33 characters with a check
    character, or 32 for a code issued before there was one). InvalidReceiptCode when it is
    not a code, ReceiptCodeTypo when it is one with a typo."""
    if len(code) > MAX_INPUT:
        raise InvalidReceiptCode(f"a receipt code is short; this has {len(code)} characters")
    text = compact(code)
    if len(text) not in (SECRET_LENGTH, CODE_LENGTH):
        raise InvalidReceiptCode(
            f"a receipt code has {CODE_LENGTH} letters and digits ({SECRET_LENGTH} for older "
            f"codes), this has {len(text)}"
        )
    if not _VALID.match(text):
        raise InvalidReceiptCode("a receipt code uses only the letters A-Z and the digits 2-7")
    secret = text[:SECRET_LENGTH]
    if len(text) == CODE_LENGTH and check_character(secret) != text[-1]:
        raise ReceiptCodeTypo(
            "this receipt code has a typo: a character is wrong or two are swapped"
        )
    return secret
