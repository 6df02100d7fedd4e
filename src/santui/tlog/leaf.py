"""The leaf encoding of the public log, version 1 (docs/log-format.md).

A leaf says what one ledger entry adds to or takes from the counts, and nothing about who:

    add    = 0x01 0x00 || day (uint32, days since 1970-01-01) || headcount (uint32)
             || organizations (uint8 bit set: 1 party, 2 league, 4 pioneers) || commitment (32)
    revoke = 0x01 0x01 || index of the add leaf (uint64) || reason length (uint8) || reason (ASCII)

All integers are big-endian. The commitment is HMAC-SHA256 keyed by the secret of the statement's
receipt code over ``COMMITMENT_LABEL``: whoever holds the receipt can find their leaf, nobody else
can link a leaf to anything. Statements without a receipt commit to 32 random bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

VERSION = 1
ADD, REVOKE = 0, 1
ORGANIZATION_BITS = {"party": 1, "league": 2, "pioneers": 4}
COMMITMENT_LABEL = b"santui log commitment v1"
_EPOCH = dt.date(1970, 1, 1)
_ADD = struct.Struct(">BBIIB32s")
_REVOKE_HEAD = struct.Struct(">BBQB")
MAX_REASON = 64
_UINT32 = 2**32 - 1
_MAX_DAYS = (dt.date.max - _EPOCH).days


class LeafError(ValueError):
    """Bytes that are not a leaf of this format."""


@dataclass(frozen=True, slots=True)
class AddLeaf:
    day: dt.date
    headcount: int
    organizations: frozenset[str]
    commitment: bytes


@dataclass(frozen=True, slots=True)
class RevokeLeaf:
    add_index: int
    reason: str


Leaf = AddLeaf | RevokeLeaf


def org_bits(party: bool, league: bool, pioneers: bool) -> int:
    return (1 if party else 0) | (2 if league else 0) | (4 if pioneers else 0)


def encode_add(day: dt.date, headcount: int, bits: int, commitment: bytes) -> bytes:
    """An add leaf, or LeafError for values the format cannot carry (the decoder would refuse
    them, so they must never reach the log)."""
    if not 0 < bits < 8:
        raise LeafError("an add leaf quits at least one organization")
    if len(commitment) != 32:
        raise LeafError("a commitment has 32 bytes")
    if not 0 < headcount <= _UINT32:
        raise LeafError("an add leaf counts 1 to 2**32-1 persons")
    if day < _EPOCH:
        raise LeafError("a counted day is not before 1970-01-01")
    return _ADD.pack(VERSION, ADD, (day - _EPOCH).days, headcount, bits, commitment)


def encode_revoke(add_index: int, reason: str) -> bytes:
    if not reason.isascii() or not 0 < len(reason) <= MAX_REASON:
        raise LeafError(f"a revoke reason has 1 to {MAX_REASON} ASCII characters")
    if not 0 <= add_index < 2**64:
        raise LeafError("a leaf index is an unsigned 64-bit integer")
    raw = reason.encode("ascii")
    return _REVOKE_HEAD.pack(VERSION, REVOKE, add_index, len(raw)) + raw


def encode(leaf: Leaf) -> bytes:
    if isinstance(leaf, AddLeaf):
        bits = sum(ORGANIZATION_BITS[o] for o in leaf.organizations)
        return encode_add(leaf.day, leaf.headcount, bits, leaf.commitment)
    return encode_revoke(leaf.add_index, leaf.reason)


def decode(data: bytes) -> Leaf:
    """The leaf in ``data``, or LeafError saying what is wrong (the encoding is canonical)."""
    if len(data) < 2 or data[0] != VERSION:
        raise LeafError(f"not a version {VERSION} leaf")
    if data[1] == ADD:
        if len(data) != _ADD.size:
            raise LeafError(f"an add leaf has {_ADD.size} bytes, not {len(data)}")
        _, _, days, headcount, bits, commitment = _ADD.unpack(data)
        if not 0 < bits < 8:
            raise LeafError(f"bad organization bits {bits}")
        if headcount < 1:
            raise LeafError("an add leaf counts at least one person")
        if days > _MAX_DAYS:
            raise LeafError(f"day {days} is past the year 9999")
        orgs = frozenset(o for o, b in ORGANIZATION_BITS.items() if bits & b)
        return AddLeaf(_EPOCH + dt.timedelta(days=days), headcount, orgs, commitment)
    if data[1] == REVOKE:
        if len(data) < _REVOKE_HEAD.size:
            raise LeafError("truncated revoke leaf")
        _, _, index, length = _REVOKE_HEAD.unpack_from(data)
        reason = data[_REVOKE_HEAD.size :]
        if not 0 < length <= MAX_REASON or len(reason) != length:
            raise LeafError("bad revoke reason length")
        if not reason.isascii():
            raise LeafError("a revoke reason is ASCII")
        return RevokeLeaf(index, reason.decode("ascii"))
    raise LeafError(f"unknown leaf kind {data[1]}")


def receipt_commitment(receipt_secret: bytes) -> bytes:
    """The commitment of a statement whose receipt code carries ``receipt_secret`` (raw bytes)."""
    return hmac.new(receipt_secret, COMMITMENT_LABEL, hashlib.sha256).digest()


def receipt_secret(code: str) -> bytes:
    """The raw secret of a canonical receipt code (32 base32 characters, no dashes)."""
    return base64.b32decode(code)


def random_commitment() -> bytes:
    return os.urandom(32)
