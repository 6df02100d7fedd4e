"""RFC 9162 hashing, proofs and verification against a naive tree and against pymerkle.

The naive tree (tests/tlog/helpers.py) is the recursive MTH/PATH/PROOF of RFC 9162 section 2.1
as written; pymerkle is an independent implementation of the same hashing. Mutated proofs must
fail, and the edge cases follow transparency-dev/merkle (tests/tlog/test_vectors.py checks the
library's own vectors).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from santui.tlog.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    root_of,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

from .helpers import NaiveTree

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def trees(draw: st.DrawFn, min_size: int = 0, max_size: int = 600) -> list[bytes]:
    """Random leaves, possibly repeated (the hashing must not care)."""
    size = draw(st.integers(min_size, max_size))
    return draw(st.lists(st.binary(max_size=12), min_size=size, max_size=size))


@st.composite
def distinct_trees(draw: st.DrawFn, min_size: int = 1, max_size: int = 600) -> list[bytes]:
    """Random leaves that are pairwise distinct, so that a proof names exactly one position."""
    leaves = draw(trees(min_size, max_size))
    return [i.to_bytes(4, "big") + x for i, x in enumerate(leaves)]


def flip(h: bytes, bit: int) -> bytes:
    return bytes([h[0] ^ (1 << (bit % 8))]) + h[1:] if bit < 8 else h[:-1] + bytes([h[-1] ^ 1])


# --- hashing ----------------------------------------------------------------------------------


def test_leaf_and_node_hashes_are_domain_separated_sha256() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()
    )
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert root_of([]) == EMPTY_ROOT
    # a leaf is never confused with the node that has the same 64 bytes
    assert leaf_hash(b"l" * 32 + b"r" * 32) != node_hash(b"l" * 32, b"r" * 32)


@SETTINGS
@given(trees())
def test_root_equals_the_naive_recursive_mth(leaves: list[bytes]) -> None:
    naive = NaiveTree(leaves)
    hashes = [leaf_hash(x) for x in leaves]
    assert root_of(hashes) == naive.root()
    assert tree_root(len(leaves), naive.subtree) == naive.root()


@SETTINGS
@given(trees(max_size=300))
def test_compact_range_gives_the_root_of_every_prefix(leaves: list[bytes]) -> None:
    naive = NaiveTree(leaves)
    cr = CompactRange()
    assert cr.root() == EMPTY_ROOT
    for i, x in enumerate(leaves):
        cr.append(leaf_hash(x))
        assert cr.size == i + 1
        assert len(cr.hashes) == cr.size.bit_count()
        assert cr.root() == naive.root(i + 1)
    # restarting from the saved right edge continues the same tree
    resumed = CompactRange(cr.size, cr.hashes)
    resumed.append(leaf_hash(b"next"))
    assert resumed.root() == NaiveTree([*leaves, b"next"]).root()


def test_compact_range_refuses_a_right_edge_that_does_not_fit_its_size() -> None:
    with pytest.raises(ValueError, match="set bit"):
        CompactRange(3, [EMPTY_ROOT])
    with pytest.raises(ValueError, match="set bit"):
        CompactRange(0, [EMPTY_ROOT])


# --- inclusion ----------------------------------------------------------------------------------


@SETTINGS
@given(trees(min_size=1))
def test_every_inclusion_proof_is_rfc_path_and_verifies(leaves: list[bytes]) -> None:
    naive = NaiveTree(leaves)
    size, root = len(leaves), naive.root()
    for index in range(size):
        proof = inclusion_proof(index, size, naive.subtree)
        assert proof == naive.path(index, size)
        verify_inclusion(index, size, naive.hashes[index], proof, root)
        assert root_from_inclusion(index, size, naive.hashes[index], proof) == root


@SETTINGS
@given(trees(min_size=2), st.data())
def test_inclusion_proofs_into_older_sizes(leaves: list[bytes], data: st.DataObject) -> None:
    naive = NaiveTree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(index, size, naive.subtree)
    assert proof == naive.path(index, size)
    verify_inclusion(index, size, naive.hashes[index], proof, naive.root(size))


@SETTINGS
@given(distinct_trees(min_size=2), st.data())
def test_mutated_inclusion_proofs_fail(leaves: list[bytes], data: st.DataObject) -> None:
    naive = NaiveTree(leaves)
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    h, root = naive.hashes[index], naive.root()
    proof = inclusion_proof(index, size, naive.subtree)
    assert proof  # size >= 2

    def fails(i: int, n: int, leaf: bytes, p: list[bytes], r: bytes) -> None:
        with pytest.raises(ProofError):
            verify_inclusion(i, n, leaf, p, r)

    k = data.draw(st.integers(0, len(proof) - 1), label="position")
    bit = data.draw(st.integers(0, 15), label="bit")
    fails(index, size, h, [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]], root)
    fails(index, size, flip(h, bit), proof, root)
    fails(index, size, h, proof, flip(root, bit))
    fails(index, size, h, proof[:k] + proof[k + 1 :], root)  # a hash dropped
    fails(index, size, h, [*proof[:k], proof[k], *proof[k:]], root)  # a hash repeated
    fails(index, size, h, [*proof, root], root)  # one too many
    fails(index, size, h, [*proof, EMPTY_ROOT], root)
    if len(proof) > 1:
        j = (k + 1) % len(proof)
        swapped = list(proof)
        swapped[k], swapped[j] = swapped[j], swapped[k]
        fails(index, size, h, swapped, root)
    fails(index, size, h, [*proof[:k], proof[k][:31], *proof[k + 1 :]], root)  # short hash
    other = data.draw(st.integers(0, size - 1).filter(lambda j: j != index), label="other")
    fails(other, size, h, proof, root)  # the leaf claimed at another index
    fails(other, size, naive.hashes[other], proof, root)
    # a proof for this size does not prove inclusion in the tree of another size
    if index < size - 1:
        fails(index, size - 1, h, proof, naive.root(size - 1))
    bigger = NaiveTree([*leaves, b"\xff" * 5])
    fails(index, size + 1, h, proof, bigger.root())


def test_inclusion_edge_cases_follow_transparency_dev() -> None:
    naive = NaiveTree([b"a", b"b", b"c"])
    h0, root = naive.hashes[0], naive.root()
    proof = inclusion_proof(0, 3, naive.subtree)
    verify_inclusion(0, 3, h0, proof, root)
    for index, size in [(3, 3), (4, 3), (-1, 3), (0, 0), (1, 0)]:
        with pytest.raises(ProofError):
            verify_inclusion(index, size, h0, proof, root)
        with pytest.raises(ProofError):
            inclusion_proof(index, size, naive.subtree)
    # a tree of one leaf: its root is the leaf hash and the proof is empty
    single = NaiveTree([b"only"])
    assert inclusion_proof(0, 1, single.subtree) == []
    verify_inclusion(0, 1, single.hashes[0], [], single.root())
    with pytest.raises(ProofError, match="too long"):
        verify_inclusion(0, 1, single.hashes[0], [single.hashes[0]], single.root())
    with pytest.raises(ProofError, match="too short"):
        verify_inclusion(0, 2, single.hashes[0], [], single.root())


# --- consistency --------------------------------------------------------------------------------


@st.composite
def sizes(draw: st.DrawFn, size: int) -> tuple[int, int]:
    size2 = draw(st.integers(1, size), label="size2")
    size1 = draw(st.integers(1, size2), label="size1")
    return size1, size2


@SETTINGS
@given(trees(min_size=1), st.data())
def test_every_consistency_proof_is_rfc_proof_and_verifies(
    leaves: list[bytes], data: st.DataObject
) -> None:
    naive = NaiveTree(leaves)
    for _ in range(10):
        size1, size2 = data.draw(sizes(len(leaves)))
        proof = consistency_proof(size1, size2, naive.subtree)
        if size1 < size2:
            assert proof == naive.proof(size1, size2)
        else:
            assert proof == []
        verify_consistency(size1, size2, naive.root(size1), naive.root(size2), proof)


@settings(max_examples=5, deadline=None)
@given(trees(min_size=1, max_size=70))
def test_consistency_between_all_sizes_of_small_trees(leaves: list[bytes]) -> None:
    naive = NaiveTree(leaves)
    for size2 in range(1, len(leaves) + 1):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof(size1, size2, naive.subtree)
            verify_consistency(size1, size2, naive.root(size1), naive.root(size2), proof)


@SETTINGS
@given(distinct_trees(min_size=3), st.data())
def test_mutated_consistency_proofs_fail(leaves: list[bytes], data: st.DataObject) -> None:
    naive = NaiveTree(leaves)
    size2 = data.draw(st.integers(2, len(leaves)), label="size2")
    size1 = data.draw(st.integers(1, size2 - 1), label="size1")
    r1, r2 = naive.root(size1), naive.root(size2)
    proof = consistency_proof(size1, size2, naive.subtree)
    assert proof

    def fails(m: int, n: int, a: bytes, b: bytes, p: list[bytes]) -> None:
        with pytest.raises(ProofError):
            verify_consistency(m, n, a, b, p)

    k = data.draw(st.integers(0, len(proof) - 1), label="position")
    bit = data.draw(st.integers(0, 15), label="bit")
    fails(size1, size2, r1, r2, [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]])
    fails(size1, size2, flip(r1, bit), r2, proof)
    fails(size1, size2, r1, flip(r2, bit), proof)
    fails(size1, size2, r2, r1, proof)
    fails(size1, size2, r1, r2, proof[:k] + proof[k + 1 :])
    fails(size1, size2, r1, r2, [*proof[:k], proof[k], *proof[k:]])
    fails(size1, size2, r1, r2, [*proof, EMPTY_ROOT])
    fails(size1, size2, r1, r2, [])
    if len(proof) > 1:
        j = (k + 1) % len(proof)
        swapped = list(proof)
        swapped[k], swapped[j] = swapped[j], swapped[k]
        fails(size1, size2, r1, r2, swapped)
    fails(size1, size2, r1, r2, [*proof[:k], proof[k] + b"\x00", *proof[k + 1 :]])
    # the same proof read for other sizes, against those sizes' true roots
    if size1 + 1 < size2:
        fails(size1 + 1, size2, naive.root(size1 + 1), r2, proof)
    if size1 > 1:
        fails(size1 - 1, size2, naive.root(size1 - 1), r2, proof)
    if size2 < len(leaves):
        fails(size1, size2 + 1, r1, naive.root(size2 + 1), proof)
    if size2 - 1 > size1:
        fails(size1, size2 - 1, r1, naive.root(size2 - 1), proof)
    # a tree that differs in its first size1 leaves is not consistent with them
    forked = NaiveTree([b"fork", *leaves[1:]])
    fails(size1, size2, r1, forked.root(size2), forked.proof(size1, size2))


def test_consistency_edge_cases_follow_transparency_dev() -> None:
    naive = NaiveTree([bytes([i]) for i in range(8)])
    r3, r5 = naive.root(3), naive.root(5)
    # equal sizes: the proof is empty and the roots must be equal
    assert consistency_proof(5, 5, naive.subtree) == []
    verify_consistency(5, 5, r5, r5, [])
    with pytest.raises(ProofError, match="same size"):
        verify_consistency(5, 5, r5, r3, [])
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(5, 5, r5, r5, [r5])
    # size1 > size2 has no proof, and nothing verifies it
    with pytest.raises(ProofError):
        consistency_proof(5, 3, naive.subtree)
    with pytest.raises(ProofError):
        verify_consistency(5, 3, r5, r3, [])
    with pytest.raises(ProofError):
        verify_consistency(5, 3, r5, r3, consistency_proof(3, 5, naive.subtree))
    with pytest.raises(ProofError):
        consistency_proof(-1, 3, naive.subtree)
    # a proof between different sizes is never empty
    with pytest.raises(ProofError):
        verify_consistency(3, 5, r3, r5, [])


def test_no_consistency_proof_from_the_empty_tree() -> None:
    """transparency-dev/merkle PR #140 and #236: a proof from size 0 is meaningless, an error."""
    naive = NaiveTree([bytes([i]) for i in range(8)])
    for size2 in (0, 1, 8):
        with pytest.raises(ProofError):
            consistency_proof(0, size2, naive.subtree)
        for proof in ([], [EMPTY_ROOT]):
            with pytest.raises(ProofError):
                verify_consistency(0, size2, EMPTY_ROOT, naive.root(size2), proof)


def test_inclusion_needs_a_32_byte_leaf_hash() -> None:
    """transparency-dev/merkle checks the leaf hash's length (its single-entry vectors)."""
    for leaf in (b"", b"x" * 31, b"x" * 33):
        with pytest.raises(ProofError):
            verify_inclusion(0, 1, leaf, [], leaf)


# --- pymerkle, an independent implementation ------------------------------------------------------


@SETTINGS
@given(trees(), st.data())
def test_roots_and_inclusion_paths_equal_pymerkles(
    leaves: list[bytes], data: st.DataObject
) -> None:
    theirs = InmemoryTree.init_from_entries(leaves, algorithm="sha256")
    hashes = [leaf_hash(x) for x in leaves]
    assert theirs.get_root() == root_of(hashes)
    for _ in range(5):
        size = data.draw(st.integers(0, len(leaves)), label="size")
        assert theirs.get_root(size) == root_of(hashes[:size])
        if size:
            index = data.draw(st.integers(0, size - 1), label="index")
            # pymerkle counts leaves from one and puts the leaf hash first in its path
            path = theirs.prove_inclusion(index + 1, size).path
            ours = inclusion_proof(index, size, NaiveTree(leaves).subtree)
            assert path == [hashes[index], *ours]
