"""The tree stored as C2SP tlog-tiles: tiles of height 8, so a proof reads O(log n) tiles.

A hash tile at level ``L``, index ``N`` holds up to 256 consecutive hashes of the subtrees of
height ``8L`` starting at subtree ``256N``: level 0 holds leaf hashes, level 1 the roots of
256-leaf subtrees, and so on. A tile with fewer than 256 hashes is *partial* (width ``W``); it
only ever grows, and a partial tile of width W is the first W hashes of any wider one. Entry
bundles (``tile/entries/N``) hold the leaves themselves, 256 per bundle, each prefixed by its
length as a big-endian uint16.

Only the last tile of each level changes when leaves are appended: ``append`` reads those and
returns every tile it wrote, which the caller stores in the same transaction as the rest.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence

from santui.tlog.merkle import EMPTY_ROOT, HASH_SIZE, SubtreeHash, perfect_root, range_hash

HEIGHT = 8
WIDTH = 1 << HEIGHT
ENTRIES = -1  # the level under which entry bundles are kept beside hash tiles

TileKey = tuple[int, int]  # (level, index); level ENTRIES for entry bundles
TileReader = Callable[[int, int], bytes]  # (level, index) -> tile data as stored, possibly partial


class TileError(ValueError):
    """A tile that is missing, too short, or malformed."""


def encode_index(n: int) -> str:
    """Tile index as a path: three-digit elements, all but the last prefixed with ``x``."""
    if n < 0:
        raise TileError("a tile index is not negative")
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int, index: int, width: int = WIDTH) -> str:
    name = "entries" if level == ENTRIES else str(level)
    path = f"tile/{name}/{encode_index(index)}"
    return path if width == WIDTH else f"{path}.p/{width}"


_PATH = re.compile(
    r"tile/(entries|[0-9]|[1-5][0-9]|6[0-3])/((?:x[0-9]{3}/){0,6}[0-9]{3})(?:\.p/([0-9]{1,3}))?"
)


def parse_tile_path(path: str) -> tuple[int, int, int]:
    """``(level, index, width)`` of a tile path, or TileError."""
    match = _PATH.fullmatch(path)
    if not match:
        raise TileError(f"not a tile path: {path[:100]!r}")
    name, digits, width_text = match.groups()
    level = ENTRIES if name == "entries" else int(name)
    index = int(digits.replace("x", "").replace("/", ""))
    if encode_index(index) != digits:
        raise TileError(f"non-canonical tile index in {path!r}")
    width = WIDTH if width_text is None else int(width_text)
    if not 0 < width <= WIDTH or (width_text is not None and width == WIDTH):
        raise TileError(f"bad tile width in {path!r}")
    if width_text is not None and width_text != str(width):
        raise TileError(f"non-canonical width in {path!r}")
    return level, index, width


def level_count(size: int, level: int) -> int:
    """How many hashes level ``level``'s tiles hold for a tree of ``size`` leaves."""
    return size >> (HEIGHT * level)


def tiles_for(size: int) -> Iterator[tuple[int, int, int]]:
    """Every ``(level, index, width)`` of a tree of ``size`` leaves, entries included."""
    count = size
    for index in range(-(-count // WIDTH)):
        yield ENTRIES, index, min(WIDTH, count - index * WIDTH)
    level = 0
    while (count := level_count(size, level)) > 0:
        for index in range(-(-count // WIDTH)):
            yield level, index, min(WIDTH, count - index * WIDTH)
        level += 1


def tile_hashes(data: bytes) -> list[bytes]:
    if len(data) % HASH_SIZE:
        raise TileError("a hash tile is a whole number of 32-byte hashes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def subtree_reader(read: TileReader) -> SubtreeHash:
    """``subtree(height, index)`` computed from at most one tile, for proofs and roots."""
    cache: dict[tuple[int, int], bytes] = {}
    tile_cache: dict[tuple[int, int], bytes] = {}  # each tile read once per reader

    def subtree(height: int, index: int) -> bytes:
        key = (height, index)
        if key in cache:
            return cache[key]
        level, rest = divmod(height, HEIGHT)
        first = index << rest  # first hash of the tile level that the subtree covers
        count = 1 << rest
        tile_index, offset = divmod(first, WIDTH)
        data = tile_cache.get((level, tile_index))
        if data is None:
            data = tile_cache[(level, tile_index)] = read(level, tile_index)
        part = data[offset * HASH_SIZE : (offset + count) * HASH_SIZE]
        if len(part) != count * HASH_SIZE:
            raise TileError(f"tile {level}/{tile_index} lacks hashes for subtree {key}")
        h = perfect_root(tile_hashes(part))
        cache[key] = h
        return h

    return subtree


def append(
    size: int, leaves: Sequence[bytes], leaf_hashes: Sequence[bytes], read: TileReader
) -> tuple[dict[TileKey, bytes], bytes]:
    """Append leaves to a tree of ``size``: return the tiles written and the new root."""
    written = append_tiles(size, leaves, leaf_hashes, read)

    def overlay(level: int, index: int) -> bytes:
        data = written.get((level, index))
        return data if data is not None else read(level, index)

    end = size + len(leaf_hashes)
    return written, range_hash(0, end, subtree_reader(overlay))


def append_tiles(
    size: int, leaves: Sequence[bytes], leaf_hashes: Sequence[bytes], read: TileReader
) -> dict[TileKey, bytes]:
    """The tiles that appending leaves to a tree of ``size`` writes (new or grown).

    ``read`` gives the stored tiles; only the last, partial tile of each level (and of the
    entry bundles) is read. Returned tiles replace stored ones of the same key.
    """
    written: dict[TileKey, bytes] = {}

    def current(level: int, index: int, count: int) -> bytearray:
        """The tile that holds item ``count`` of this level, as stored so far."""
        if count % WIDTH == 0:
            return bytearray()
        return bytearray(written.get((level, index)) or read(level, index))

    # entry bundles
    for leaf in leaves:
        if len(leaf) > 0xFFFF:
            raise TileError("a leaf has at most 65535 bytes")
    index = size // WIDTH
    bundle = current(ENTRIES, index, size)
    pos = size
    for leaf in leaves:
        bundle += struct.pack(">H", len(leaf)) + leaf
        pos += 1
        if pos % WIDTH == 0:
            written[(ENTRIES, index)] = bytes(bundle)
            index, bundle = index + 1, bytearray()
    if bundle:
        written[(ENTRIES, index)] = bytes(bundle)

    # hash tiles, level by level: a completed tile's root is the next level's new hash
    new = list(leaf_hashes)
    level, old_count = 0, size
    while new:
        index = old_count // WIDTH
        tile = current(level, index, old_count)
        if len(tile) != (old_count % WIDTH) * HASH_SIZE:
            raise TileError(f"stored tile {level}/{index} does not match size {size}")
        promoted: list[bytes] = []
        count = old_count
        for h in new:
            tile += h
            count += 1
            if count % WIDTH == 0:
                written[(level, index)] = bytes(tile)
                promoted.append(perfect_root(tile_hashes(bytes(tile))))
                index, tile = index + 1, bytearray()
        if tile:
            written[(level, index)] = bytes(tile)
        new, old_count, level = promoted, old_count // WIDTH, level + 1
    return written


def parse_bundle(data: bytes) -> list[bytes]:
    """The leaves of an entry bundle, or TileError."""
    leaves = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError("truncated entry length")
        (length,) = struct.unpack_from(">H", data, pos)
        pos += 2
        if pos + length > len(data):
            raise TileError("truncated entry")
        leaves.append(data[pos : pos + length])
        pos += length
    if len(leaves) > WIDTH:
        raise TileError("an entry bundle holds at most 256 entries")
    return leaves


class MemoryTiles(Mapping[TileKey, bytes]):
    """Tiles in a dict: for tests, benchmarks and the verifier's scratch work."""

    def __init__(self) -> None:
        self.tiles: dict[TileKey, bytes] = {}
        self.size = 0
        self.root = EMPTY_ROOT

    def __getitem__(self, key: TileKey) -> bytes:
        return self.tiles[key]

    def __iter__(self) -> Iterator[TileKey]:
        return iter(self.tiles)

    def __len__(self) -> int:
        return len(self.tiles)

    def read(self, level: int, index: int) -> bytes:
        try:
            return self.tiles[(level, index)]
        except KeyError:
            raise TileError(f"no tile {level}/{index}") from None

    def add(self, leaves: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> bytes:
        written, self.root = append(self.size, leaves, leaf_hashes, self.read)
        self.tiles.update(written)
        self.size += len(leaves)
        return self.root
