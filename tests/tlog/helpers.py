"""Naive reference implementations and builders shared by the tlog tests.

Everything here is written from the RFC 9162 and C2SP texts directly, without the code under
test, so that comparing with it means something: the recursive MTH, PATH and PROOF of RFC 9162
section 2.1, and a log published in the C2SP tlog-tiles layout in a directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from santui.tlog import leaf as leafcodec
from santui.tlog import note
from santui.tlog.merkle import leaf_hash
from santui.tlog.tiles import ENTRIES, MemoryTiles, parse_bundle, tile_path

# --- RFC 9162 section 2.1, as written ------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc_leaf(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def rfc_node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def largest_power_below(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class NaiveTree:
    """MTH, PATH and PROOF over fixed leaves by the recursive definitions, memoized by range."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.hashes = [rfc_leaf(x) for x in leaves]
        self.mth = cache(self._mth)

    def _mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return sha256(b"")
        if n == 1:
            return self.hashes[start]
        k = largest_power_below(n)
        return rfc_node(self.mth(start, start + k), self.mth(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self.mth(0, len(self.hashes) if size is None else size)

    def subtree(self, height: int, index: int) -> bytes:
        return self.mth(index << height, (index + 1) << height)

    def path(self, m: int, size: int) -> list[bytes]:
        """PATH(m, D[0:size]), the sibling nearest the leaf first."""

        def rec(m: int, start: int, end: int) -> list[bytes]:
            n = end - start
            if n == 1:
                return []
            k = largest_power_below(n)
            if m < k:
                return [*rec(m, start, start + k), self.mth(start + k, end)]
            return [*rec(m - k, start + k, end), self.mth(start, start + k)]

        return rec(m, 0, size)

    def proof(self, m: int, size: int) -> list[bytes]:
        """PROOF(m, D[0:size]) = SUBPROOF(m, D[0:size], true), for 0 < m < size."""

        def sub(m: int, start: int, end: int, b: bool) -> list[bytes]:
            n = end - start
            if m == n:
                return [] if b else [self.mth(start, end)]
            k = largest_power_below(n)
            if m <= k:
                return [*sub(m, start, start + k, b), self.mth(start + k, end)]
            return [*sub(m - k, start + k, end, False), self.mth(start, start + k)]

        return sub(m, 0, size, True)


# --- a log in the C2SP tlog-tiles layout ----------------------------------------------------------

EPOCH_DAY = dt.date(2024, 1, 1)


def add_leaf(i: int, *, day: dt.date | None = None, headcount: int | None = None) -> bytes:
    """A valid add leaf that differs from every other i's (its commitment is derived from i)."""
    return leafcodec.encode_add(
        day or EPOCH_DAY + dt.timedelta(days=i % 5),
        headcount if headcount is not None else 1 + i % 3,
        1 + i % 7,
        sha256(b"commitment %d" % i),
    )


def stats_document(leaves: Sequence[bytes]) -> dict[str, Any]:
    """The stats document an honest site publishes for these leaves (only the fields verified)."""
    persons: dict[dt.date, int] = {}
    orgs = {"party": 0, "league": 0, "pioneers": 0}
    live: dict[int, leafcodec.AddLeaf] = {}
    statements = 0
    for i, data in enumerate(leaves):
        entry = leafcodec.decode(data)
        sign = 1
        if isinstance(entry, leafcodec.RevokeLeaf):
            entry, sign = live.pop(entry.add_index), -1
        else:
            live[i] = entry
        persons[entry.day] = persons.get(entry.day, 0) + sign * entry.headcount
        statements += sign
        for org in entry.organizations:
            orgs[org] += sign * entry.headcount
    daily, cumulative = [], 0
    for day in sorted(persons):
        cumulative += persons[day]
        if persons[day]:
            daily.append(
                {"date": day.isoformat(), "persons": persons[day], "cumulative": cumulative}
            )
    return {
        "schema": 1,
        "log_size": len(leaves),
        "from": None,
        "to": None,
        "persons": sum(persons.values()),
        "statements": statements,
        "organizations": orgs,
        "daily": daily,
    }


def write_log(
    directory: Path,
    signer: note.Signer,
    leaves: Sequence[bytes],
    *,
    witnesses: Sequence[note.Signer] = (),
    stats: dict[str, Any] | None = None,
) -> str:
    """Publish ``leaves`` in ``directory`` as a tlog-tiles log signed by ``signer``.

    Writes ``checkpoint``, every ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, and
    ``stats.json`` (the honest stats unless ``stats`` is given). Returns the signed checkpoint.
    """
    tiles = MemoryTiles()
    if leaves:
        tiles.add(list(leaves), [leaf_hash(x) for x in leaves])
    for (level, index), data in tiles.tiles.items():
        width = len(parse_bundle(data)) if level == ENTRIES else len(data) // 32
        path = directory / tile_path(level, index, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    text = note.Checkpoint(signer.name, len(leaves), tiles.root).text
    signed = note.parse(note.sign(text, signer))
    cosignatures = tuple(note.cosign(text, w, 1_700_000_000 + i) for i, w in enumerate(witnesses))
    checkpoint = str(note.Note(signed.text, (*signed.signatures, *cosignatures)))
    (directory / "checkpoint").write_text(checkpoint, "utf-8")
    doc = stats_document(leaves) if stats is None else stats
    (directory / "stats.json").write_text(json.dumps(doc), "utf-8")
    return checkpoint
