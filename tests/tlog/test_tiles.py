"""C2SP tlog-tiles: paths, appending, prefix stability, subtree reads, proofs and entry bundles.

Tile contents are compared with the naive RFC 9162 tree of tests/tlog/helpers.py; paths with
the C2SP text and its examples (tests/tlog/vectors/SPEC-NOTES.md section 5).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.tlog.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_root,
    verify_inclusion,
)
from santui.tlog.tiles import (
    ENTRIES,
    WIDTH,
    MemoryTiles,
    TileError,
    append,
    encode_index,
    level_count,
    parse_bundle,
    parse_tile_path,
    subtree_reader,
    tile_path,
    tiles_for,
)

from .helpers import NaiveTree

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_leaves(count: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return [i.to_bytes(4, "big") + rng.randbytes(rng.randrange(0, 12)) for i in range(count)]


def build(leaves: list[bytes], batches: list[int] | None = None) -> MemoryTiles:
    tiles = MemoryTiles()
    pos = 0
    for n in batches if batches is not None else [len(leaves)]:
        chunk = leaves[pos : pos + n]
        tiles.add(chunk, [leaf_hash(x) for x in chunk])
        pos += n
    assert pos == len(leaves)
    return tiles


@st.composite
def batches(draw: st.DrawFn, total: int) -> list[int]:
    out, left = [], total
    while left:
        n = draw(
            st.sampled_from([1, 2, 3, 7, 100, 255, 256, 257, 513, left]).filter(
                lambda k, left=left: k <= left
            )
        )
        out.append(n)
        left -= n
    return out


# --- paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "index", "width", "path"),
    [
        (0, 0, WIDTH, "tile/0/000"),
        (0, 5, WIDTH, "tile/0/005"),
        (0, 67, WIDTH, "tile/0/067"),
        (0, 999, WIDTH, "tile/0/999"),
        (0, 1000, WIDTH, "tile/0/x001/000"),
        (0, 1234067, WIDTH, "tile/0/x001/x234/067"),
        (1, 1234067, 128, "tile/1/x001/x234/067.p/128"),
        (2, 0, 1, "tile/2/000.p/1"),
        (63, 7, 255, "tile/63/007.p/255"),
        (ENTRIES, 0, WIDTH, "tile/entries/000"),
        (ENTRIES, 1234067, 3, "tile/entries/x001/x234/067.p/3"),
        (0, 10**9, WIDTH, "tile/0/x001/x000/x000/000"),
    ],
)
def test_tile_paths_as_c2sp_writes_them(level: int, index: int, width: int, path: str) -> None:
    assert tile_path(level, index, width) == path
    assert parse_tile_path(path) == (level, index, width)


def test_encode_index_refuses_negative_numbers() -> None:
    with pytest.raises(TileError):
        encode_index(-1)


@SETTINGS
@given(
    st.sampled_from([ENTRIES, *range(64)]),
    st.integers(0, 2**64 - 1) | st.integers(0, 5000),
    st.integers(1, WIDTH),
)
def test_tile_path_round_trip(level: int, index: int, width: int) -> None:
    path = tile_path(level, index, width)
    assert parse_tile_path(path) == (level, index, width)


HOSTILE = [
    "",
    "tile",
    "tile/",
    "tile/0",
    "tile/0/",
    "tile/0/1",
    "tile/0/01",
    "tile/0/0001",
    "tile/0/-01",
    "tile/0/-001",
    "tile/-1/000",
    "tile/00/000",
    "tile/01/000",
    "tile/64/000",
    "tile/100/000",
    "tile/0/x000/001",  # a leading zero group is not canonical
    "tile/0/x000/x000/000",
    "tile/0/x01/000",
    "tile/0/x1000/000",
    "tile/0/001/x002",
    "tile/0/x001",
    "tile/0/x001/",
    "tile/0/001/",
    "/tile/0/000",
    "tile//0/000",
    "tile/0//000",
    "tile/0/../000",
    "tile/0/x001/../000",
    "tile/../../etc/passwd",
    "tile/0/000.p/",
    "tile/0/000.p/0",
    "tile/0/000.p/00",
    "tile/0/000.p/007",
    "tile/0/000.p/256",
    "tile/0/000.p/257",
    "tile/0/000.p/-1",
    "tile/0/000.p/+1",
    "tile/0/000.p/1/",
    "tile/0/000.p/1.p/1",
    "tile/0/000.p",
    "tile/0/000p/1",
    "tile/0/000\n",
    "tile/0/000.p/1\n",
    "tile/0/\u0660\u0660\u0660",  # Arabic-Indic digits
    "tile/\u0660/000",
    "tile/0/000.p/\u0661",
    "tile/data/000",
    "tile/entries/000.p/0",
    "tile/entries/x000/000",
    "TILE/0/000",
    "tile/0/000 ",
    " tile/0/000",
    "tile/0/000\x00",
    "tile/0/" + "x999/" * 1500 + "999",  # 4503 digits: more than int() reads by default
    "tile/0/" + "x999/" * 30_000 + "999",
]


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: f"{p[:30]!r}({len(p)})")
def test_hostile_tile_paths_are_refused_with_tile_error(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


@SETTINGS
@given(st.text(alphabet="tile/entris0123456789xp.-\n ", max_size=40))
def test_a_tile_path_parses_only_if_it_is_canonical(path: str) -> None:
    try:
        parsed = parse_tile_path(path)
    except TileError:
        return
    assert tile_path(*parsed) == path


@SETTINGS
@given(
    st.sampled_from([ENTRIES, 0, 1, 63]),
    st.integers(0, 10**12),
    st.integers(1, WIDTH),
    st.data(),
)
def test_any_one_character_edit_of_a_path_is_refused_or_canonical(
    level: int, index: int, width: int, data: st.DataObject
) -> None:
    path = tile_path(level, index, width)
    i = data.draw(st.integers(0, len(path)), label="position")
    c = data.draw(st.sampled_from("0123456789x/.p-\n"), label="char")
    for edited in (path[:i] + c + path[i:], path[:i] + path[i + 1 :], path[:i] + c + path[i + 1 :]):
        try:
            parsed = parse_tile_path(edited)
        except TileError:
            continue
        assert tile_path(*parsed) == edited


# --- layout ---------------------------------------------------------------------------------


def test_c2sp_examples_of_partial_tiles() -> None:
    def summary(size: int) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for level, _index, width in tiles_for(size):
            out.setdefault(level, []).append(width)
        return out

    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level
    # 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and
    # one partial level 2 tile of width 1."
    tiles = summary(70_000)
    assert tiles[0] == [WIDTH] * 273 + [112]
    assert tiles[1] == [WIDTH, 17]
    assert tiles[2] == [1]
    assert tiles[ENTRIES] == tiles[0]
    assert set(tiles) == {ENTRIES, 0, 1, 2}
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1
    # tile of width 1."
    assert summary(256) == {ENTRIES: [WIDTH], 0: [WIDTH], 1: [1]}
    assert summary(0) == {}
    assert [level_count(70_000, level) for level in range(4)] == [70_000, 273, 1, 0]


@SETTINGS
@given(st.integers(0, 1400))
def test_memory_tiles_hold_exactly_the_tiles_of_their_size(size: int) -> None:
    tiles = build(make_leaves(size, seed=size))
    expected = {(level, index): width for level, index, width in tiles_for(size)}
    assert set(tiles.tiles) == set(expected)
    for (level, index), width in expected.items():
        data = tiles.tiles[(level, index)]
        if level == ENTRIES:
            assert len(parse_bundle(data)) == width
        else:
            assert len(data) == width * 32


# --- appending ------------------------------------------------------------------------------


@SETTINGS
@given(st.integers(0, 800).flatmap(lambda n: st.tuples(st.just(n), batches(n))))
def test_batches_give_the_same_tiles_and_roots_as_one_by_one(case: tuple[int, list[int]]) -> None:
    size, sizes = case
    leaves = make_leaves(size, seed=size)
    one_by_one = build(leaves, [1] * size)
    batched = build(leaves, sizes)
    assert batched.tiles == one_by_one.tiles
    assert batched.root == one_by_one.root == NaiveTree(leaves).root()
    assert batched.size == size


@SETTINGS
@given(st.integers(1, 800).flatmap(lambda n: st.tuples(st.just(n), batches(n))))
def test_tiles_only_grow_and_full_tiles_never_change(case: tuple[int, list[int]]) -> None:
    size, sizes = case
    leaves = make_leaves(size, seed=size + 1)
    naive = NaiveTree(leaves)
    tiles = MemoryTiles()
    pos = 0
    for n in sizes:
        before = dict(tiles.tiles)
        chunk = leaves[pos : pos + n]
        root = tiles.add(chunk, [leaf_hash(x) for x in chunk])
        pos += n
        assert root == tiles.root == naive.root(pos)
        for key, old in before.items():
            new = tiles.tiles[key]
            assert new.startswith(old), key  # a partial tile is a prefix of the later one
            full = len(parse_bundle(old)) == WIDTH if key[0] == ENTRIES else len(old) == 32 * WIDTH
            if full:
                assert new == old, key


def test_appending_nothing_changes_nothing() -> None:
    tiles = build(make_leaves(300))
    written, root = append(300, [], [], tiles.read)
    assert root == tiles.root
    assert all(data == tiles.tiles[key] for key, data in written.items())
    written, root = append(0, [], [], MemoryTiles().read)
    assert written == {} and root == EMPTY_ROOT


def test_append_refuses_stored_tiles_that_do_not_match_the_size() -> None:
    tiles = build(make_leaves(300))
    with pytest.raises(TileError):
        append(301, [b"x"], [leaf_hash(b"x")], tiles.read)  # the level 0 tile holds 44, not 45


def test_leaves_over_65535_bytes_are_refused() -> None:
    tiles = build(make_leaves(10))
    before = dict(tiles.tiles)
    with pytest.raises(TileError, match="65535"):
        tiles.add([b"ok", b"x" * 65536], [leaf_hash(b"ok"), leaf_hash(b"x" * 65536)])
    assert tiles.tiles == before and tiles.size == 10
    big = b"y" * 65535
    tiles.add([big], [leaf_hash(big)])
    assert parse_bundle(tiles.tiles[(ENTRIES, 0)])[-1] == big


# --- reading: subtrees and proofs -----------------------------------------------------------------


@SETTINGS
@given(st.integers(1, 1100))
def test_subtree_reader_matches_naive_subtree_hashes(size: int) -> None:
    leaves = make_leaves(size, seed=size + 2)
    naive = NaiveTree(leaves)
    subtree = subtree_reader(build(leaves).read)
    for height in range(size.bit_length()):
        for index in range(size >> height):
            assert subtree(height, index) == naive.subtree(height, index), (height, index)


def test_subtree_reader_refuses_subtrees_the_tiles_do_not_hold() -> None:
    tiles = build(make_leaves(300))
    subtree = subtree_reader(tiles.read)
    with pytest.raises(TileError):
        subtree(0, 300)  # past the last leaf
    with pytest.raises(TileError):
        subtree(8, 1)  # a 256-leaf subtree that is not complete
    with pytest.raises(TileError):
        subtree(0, 512)  # no such tile at all


@SETTINGS
@given(st.integers(1, 700), st.data())
def test_proofs_from_tiles_equal_proofs_from_the_naive_tree(size: int, data: st.DataObject) -> None:
    leaves = make_leaves(size, seed=size + 3)
    naive = NaiveTree(leaves)
    subtree = subtree_reader(build(leaves).read)
    assert tree_root(size, subtree) == naive.root()
    for index in range(size):
        proof = inclusion_proof(index, size, subtree)
        assert proof == naive.path(index, size)
    for _ in range(20):  # older sizes are answered from the same, newer tiles
        size2 = data.draw(st.integers(1, size), label="size2")
        size1 = data.draw(st.integers(1, size2), label="size1")
        assert tree_root(size2, subtree) == naive.root(size2)
        index = data.draw(st.integers(0, size2 - 1), label="index")
        assert inclusion_proof(index, size2, subtree) == naive.path(index, size2)
        expected = naive.proof(size1, size2) if size1 < size2 else []
        assert consistency_proof(size1, size2, subtree) == expected


@pytest.mark.slow
def test_three_levels_of_tiles() -> None:
    size = 65_536 + 300  # a full level 1 tile, so a level 2 tile of width 1
    leaves = make_leaves(size, seed=7)
    naive = NaiveTree(leaves)
    tiles = build(leaves, [40_000, 1, 25_535, 299, 1])
    assert tiles.root == naive.root()
    assert len(tiles.tiles[(2, 0)]) == 32
    assert tiles.tiles[(2, 0)] == naive.subtree(16, 0)
    subtree = subtree_reader(tiles.read)
    rng = random.Random(1)
    for _ in range(50):
        size2 = rng.randint(1, size)
        index = rng.randrange(size2)
        proof = inclusion_proof(index, size2, subtree)
        assert proof == naive.path(index, size2)
        verify_inclusion(index, size2, naive.hashes[index], proof, naive.root(size2))
        size1 = rng.randint(1, size2)
        expected = naive.proof(size1, size2) if size1 < size2 else []
        assert consistency_proof(size1, size2, subtree) == expected


# --- entry bundles --------------------------------------------------------------------------------


def test_entry_bundle_bytes_are_uint16_length_prefixed() -> None:
    tiles = build([b"", b"ab", b"\xff" * 3])
    assert tiles.tiles[(ENTRIES, 0)] == b"\x00\x00" + b"\x00\x02ab" + b"\x00\x03\xff\xff\xff"


@SETTINGS
@given(st.lists(st.binary(max_size=300), max_size=700))
def test_entry_bundles_round_trip(leaves: list[bytes]) -> None:
    tiles = build(leaves)
    read_back: list[bytes] = []
    for index in range(-(-len(leaves) // WIDTH)):
        bundle = parse_bundle(tiles.tiles[(ENTRIES, index)])
        assert len(bundle) == min(WIDTH, len(leaves) - index * WIDTH)
        read_back += bundle
    assert read_back == leaves


@pytest.mark.parametrize(
    "data",
    [
        b"\x00",
        b"\x00\x05ab",
        b"\x00\x01a\x00",
        b"\x00\x02ab\xff\xff" + b"x" * 100,
        b"\x00\x00" * (WIDTH + 1),
    ],
)
def test_malformed_entry_bundles_are_refused(data: bytes) -> None:
    with pytest.raises(TileError):
        parse_bundle(data)


def test_an_empty_bundle_has_no_entries_and_a_full_one_256() -> None:
    assert parse_bundle(b"") == []
    assert parse_bundle(b"\x00\x00" * WIDTH) == [b""] * WIDTH
