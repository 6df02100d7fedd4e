"""RFC 9162 section 2.1 Merkle tree hashing, proofs and their verification.

Leaf hash ``SHA-256(0x00 || leaf)``, node hash ``SHA-256(0x01 || left || right)``, any tree
size (the tree of RFC 6962). Proofs are built from a ``subtree(height, index)`` function giving
the hash of the perfect subtree over leaves ``[index * 2**height, (index + 1) * 2**height)``,
so that a tiled store answers them with O(log n) reads (``santui.tlog.tiles``). Verification
follows RFC 9162 sections 2.1.3.2 and 2.1.4.2, with the edge-case rules of
transparency-dev/merkle (as of its PR #236, 2026-06): an index at or past the size fails; a
consistency proof between equal sizes is empty and needs equal roots; one from size 0 is
meaningless and fails (every tree extends the empty one: callers skip the check); a longer or
shorter proof than the sizes imply fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not verify, or that cannot exist for the sizes asked."""


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The root over a power-of-two number of hashes (a perfect subtree)."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


class CompactRange:
    """The right edge of a growing tree: one hash per perfect subtree (a set bit of ``size``).

    Appending costs amortized one node hash; the root of the current size costs O(log n).
    ``santui log verify`` streams every leaf of a log through one of these.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.hashes = list(hashes)  # biggest subtree first
        if len(self.hashes) != size.bit_count():
            raise ValueError("a compact range holds one hash per set bit of its size")

    def append(self, leaf_hash_: bytes) -> None:
        h = leaf_hash_
        size = self.size
        while size & 1:  # merge equal-height subtrees, as a binary counter carries
            h = node_hash(self.hashes.pop(), h)
            size >>= 1
        self.hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over the given leaf hashes (any number of them)."""
    cr = CompactRange()
    for h in leaf_hashes:
        cr.append(h)
    return cr.root()


def range_hash(start: int, end: int, subtree: SubtreeHash) -> bytes:
    """MTH of leaves ``[start, end)`` where ``start`` is aligned to a power of two ≥ the range:
    a right fold over the perfect subtrees the range decomposes into, biggest first."""
    parts: list[bytes] = []
    pos = start
    while pos < end:
        height = (end - pos).bit_length() - 1
        parts.append(subtree(height, pos >> height))
        pos += 1 << height
    if not parts:
        return EMPTY_ROOT
    h = parts[-1]
    for left in reversed(parts[:-1]):
        h = node_hash(left, h)
    return h


def tree_root(size: int, subtree: SubtreeHash) -> bytes:
    return range_hash(0, size, subtree)


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 2.1.3.1, the sibling nearest the leaf first."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    proof: list[bytes] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            proof.append(range_hash(start + k, start + n, subtree))
            n = k
        else:
            proof.append(range_hash(start, start + k, subtree))
            start, n, m = start + k, n - k, m - k
    proof.reverse()
    return proof


def consistency_proof(size1: int, size2: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(size1, D[size2]) of RFC 9162 2.1.4.1; empty for size1 == 0 or size1 == size2."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        return []
    proof: list[bytes] = []
    start, n, m, complete = 0, size2, size1, True
    while m != n:
        k = _split(n)
        if m <= k:
            proof.append(range_hash(start + k, start + n, subtree))
            n = k
        else:
            proof.append(range_hash(start, start + k, subtree))
            start, n, m, complete = start + k, n - k, m - k, False
    if not complete:
        proof.append(range_hash(start, start + n, subtree))
    proof.reverse()
    return proof


def root_from_inclusion(index: int, size: int, leaf_hash_: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that an inclusion proof implies (RFC 9162 2.1.3.2), or ProofError."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    if len(leaf_hash_) != HASH_SIZE:
        raise ProofError("a leaf hash has 32 bytes")
    fn, sn, r = index, size - 1, leaf_hash_
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofError("a proof hash has 32 bytes")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf_hash_: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    if root_from_inclusion(index, size, leaf_hash_, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``size2`` and ``root2`` extends that of ``size1`` and ``root1``."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"size {size2} is smaller than size {size1}")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        if proof:
            raise ProofError("a proof between equal sizes is empty")
        if root1 != root2:
            raise ProofError("two different roots for the same size")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("a proof hash has 32 bytes")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # size1 is a power of two: its root is the first node
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != root2:
        raise ProofError("consistency proof does not lead to the second root")
