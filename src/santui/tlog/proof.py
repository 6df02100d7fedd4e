"""C2SP tlog-proof files: an offline-verifiable proof that a leaf is in the log.

    c2sp.org/tlog-proof@v1
    extra <base64 of the leaf itself>
    index <decimal>
    <base64 hash>            (inclusion proof, the leaf's sibling first)
    ...
    <empty line>
    <the signed checkpoint, verbatim, cosignatures included>

santui puts the leaf's bytes in the ``extra`` line: the checker hashes them and checks the
inclusion proof, so they are authenticated by the proof, and the receipt holder can check that
the leaf commits to their receipt code (``santui log check-proof FILE --key VKEY --code CODE``).

A certificate of withdrawal carries the same text twice: in its QR code (the payload is the
tlog-proof file, verbatim) and printed in a ``<pre>`` block. ``find`` takes what a person has
(the file, the text a scanner shows, an HTML file saved from the certificate) and returns the
tlog-proof text inside it.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF = 100_000
MAX_DOCUMENT = 4_000_000  # an HTML page saved from a certificate, QR code and all
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.DOTALL | re.IGNORECASE)


class ProofFileError(ValueError):
    """A tlog-proof file that is malformed."""


@dataclass(frozen=True)
class ProofFile:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str  # the signed note
    extra: bytes | None = None


def format_proof(index: int, hashes: Sequence[bytes], checkpoint: str, extra: bytes | None) -> str:
    lines = [HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines += [base64.b64encode(h).decode() for h in hashes]
    return "\n".join(lines) + "\n\n" + checkpoint


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ProofFileError(f"a line is not base64: {text[:40]}") from None


def parse(data: bytes | str) -> ProofFile:
    if len(data) > MAX_PROOF:
        raise ProofFileError("proof file too large")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofFileError("a proof file is UTF-8 text") from None
    head, sep, checkpoint = data.partition("\n\n")
    if not sep or not checkpoint:
        raise ProofFileError("a proof file has its proof, an empty line, then the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ProofFileError(f"the first line of a proof file is {HEADER}")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = _b64(rest[0][len("extra ") :])
        rest = rest[1:]
    if not rest or not rest[0].startswith("index "):
        raise ProofFileError("missing index line")
    digits = rest[0][len("index ") :]
    if not digits.isascii() or not digits.isdigit() or (digits != "0" and digits[0] == "0"):
        raise ProofFileError("the index is a decimal with no leading zeroes")
    if len(digits) > 20 or int(digits) >= 2**64:
        raise ProofFileError("the index is an unsigned 64-bit integer")
    hashes = tuple(_b64(line) for line in rest[1:])
    if any(len(h) != 32 for h in hashes):
        raise ProofFileError("each proof line is a base64 SHA-256 hash")
    if len(hashes) > 64:
        raise ProofFileError("too many proof hashes")
    return ProofFile(int(digits), hashes, checkpoint, extra)


def find(data: bytes | str) -> str:
    """The tlog-proof text in ``data``: a tlog-proof file, the text of a certificate's QR code
    (as a scanner shows it, perhaps with CRLF line ends or a byte-order mark), or an HTML page
    saved from a certificate. ProofFileError when there is none."""
    if len(data) > MAX_DOCUMENT:
        raise ProofFileError("the file is too large to hold a proof")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofFileError("a proof file is UTF-8 text") from None
    text = data.lstrip("\ufeff").replace("\r\n", "\n")
    if text.startswith(HEADER):
        return text
    for match in _PRE.finditer(text):  # an HTML page: the proof is printed in a <pre> block
        block = html.unescape(match.group(1)).strip("\n")
        if block.startswith(HEADER):
            return block + "\n"
    start = text.find(HEADER)
    if start > 0 and text[start - 1] == "\n":  # pasted after other text
        return text[start:]
    raise ProofFileError(
        f"no proof found: a proof starts with the line {HEADER} (a tlog-proof file, the "
        "text of a certificate's QR code, or a certificate saved as HTML)"
    )
