"""The public log in the database: tiles, checkpoints, cosignatures and the log's signing key.

The integrator calls ``log_append`` inside its batch transaction, so positions, tiles, rollups
and the signed checkpoint advance together (DESIGN.md invariant 2). Readers ask for proofs,
tiles and leaves here; each proof reads O(log n) tiles.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from santui.statements.models import LedgerEntry, LogPosition, Statement
from santui.tally.models import Checkpoint, Cosignature, LogTile
from santui.tlog import leaf as leafcodec
from santui.tlog import merkle, note, tiles


class LogError(ValueError):
    """A request the log cannot answer (a size it never had, an index past the end...)."""


# --- the signing key ---------------------------------------------------------------------------


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def log_keygen(path: Path | None = None, origin: str | None = None) -> note.Signer:
    """Make the log's Ed25519 key (named by its origin) in a new 0600 file; never overwrite."""
    path = path or settings.SANTUI_LOG_KEY_FILE
    signer = note.Signer.generate(origin or settings.SANTUI_LOG_ORIGIN)
    _write_private(path, signer.skey)
    log_signer.cache_clear()
    return signer


@cache
def log_signer() -> note.Signer:
    """The log's key, made on first use."""
    path: Path = settings.SANTUI_LOG_KEY_FILE
    if not path.exists():
        try:
            return log_keygen(path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    return note.parse_skey(path.read_text("ascii"))


# --- tiles ---------------------------------------------------------------------------------------


def _read_tile_sql() -> str:
    table, index = (
        connection.ops.quote_name(LogTile._meta.db_table),
        connection.ops.quote_name("index"),
    )
    return f"SELECT data FROM {table} WHERE level = %s AND {index} = %s"


def read_tile(level: int, index: int) -> bytes:
    # One SQL string rather than a queryset: proofs read a handful of tiles, and building the
    # ORM query cost more than the read itself (docs/benchmarks.md, "Public log").
    with connection.cursor() as cursor:
        cursor.execute(_read_tile_sql(), [level, index])
        row = cursor.fetchone()
    if row is None:
        raise tiles.TileError(f"no tile {level}/{index}")
    return bytes(row[0])


def tile_data(level: int, index: int, width: int) -> bytes:
    """Tile ``level/index`` cut to ``width`` (a partial tile is a prefix of a wider one)."""
    try:
        data = read_tile(level, index)
    except tiles.TileError:
        raise LogError(f"no tile {level}/{index}") from None
    if level == tiles.ENTRIES:
        leaves = tiles.parse_bundle(data)
        if len(leaves) < width:
            raise LogError(f"entry bundle {index} has {len(leaves)} entries, not {width}")
        return b"".join(len(x).to_bytes(2, "big") + x for x in leaves[:width])
    if len(data) < width * merkle.HASH_SIZE:
        raise LogError(f"tile {level}/{index} has fewer than {width} hashes")
    return data[: width * merkle.HASH_SIZE]


def _subtree() -> merkle.SubtreeHash:
    return tiles.subtree_reader(read_tile)


# --- appending (inside the integrator's transaction) ----------------------------------------------


def _leaf_rows_sql() -> str:
    """What the leaves of ledger positions [start, end) encode, in position order: the add's
    fields with its statement's commitment, or the revoked add's position and the reason; then
    what the public list's row of a published add holds (the entry, its region, the consent).

    The bounds of the entries' ids, given as values, let PostgreSQL read only the ledger's
    partitions that hold them (statements migration 0017): with a join alone it planned a hash
    join over every partition, a read of the whole ledger for each batch."""
    q = connection.ops.quote_name
    ledger, statement = q(LedgerEntry._meta.db_table), q(Statement._meta.db_table)
    positions = q(LogPosition._meta.db_table)
    return (
        f"SELECT p.position, l.kind, l.day, l.headcount, l.party, l.league, l.pioneers, "
        f"s.commitment, r.position, l.reason, l.id, l.region, s.publish FROM {positions} p "
        f"JOIN {ledger} l ON l.id = p.entry_id "
        f"JOIN {statement} s ON s.id = l.statement_id "
        f"LEFT JOIN {positions} r ON r.entry_id = l.revokes_id "
        f"WHERE p.position >= %s AND p.position < %s AND l.id >= %s AND l.id <= %s "
        f"ORDER BY p.position"
    )


def _as_date(value: Any) -> dt.date:
    """A DATE column's value (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def encode_rows(rows: Iterable[Sequence[Any]]) -> list[bytes]:
    out = []
    days: dict[Any, dt.date] = {}
    for row in rows:
        _pos, kind, day, headcount, party, league, pioneers, commitment, revoked, reason = row[:10]
        if kind == "add":
            date = days.get(day)
            if date is None:
                date = days[day] = _as_date(day)
            bits = leafcodec.org_bits(bool(party), bool(league), bool(pioneers))
            out.append(leafcodec.encode_add(date, headcount, bits, bytes(commitment)))
        else:
            out.append(leafcodec.encode_revoke(revoked, reason))
    return out


def _entry_bounds(start: int, end: int) -> tuple[int, int]:
    """The lowest and highest ledger entry id at positions ``[start, end)`` (0, -1 if none).

    ``entry_id + 0``, not the column: PostgreSQL otherwise answers min() and max() from the
    index on entry_id, walking it from either end until a row is in the range, most of the
    table for a range in the middle (0.7 s a call at 3 million)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(entry_id + 0), max(entry_id + 0) FROM "
            f"{connection.ops.quote_name(LogPosition._meta.db_table)} "
            "WHERE position >= %s AND position < %s",
            [start, end],
        )
        low, high = cursor.fetchone()
    return (0, -1) if low is None else (int(low), int(high))


def _ledger_rows(
    start: int, end: int, bounds: tuple[int, int] | None = None
) -> list[tuple[Any, ...]]:
    low, high = bounds or _entry_bounds(start, end)
    with connection.cursor() as cursor:
        cursor.execute(_leaf_rows_sql(), [start, end, low, high])
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    if len(rows) != end - start or (rows and rows[0][0] != start):
        raise LogError(f"expected {end - start} ledger entries from position {start}")
    return rows


def ledger_leaves(start: int, end: int) -> list[bytes]:
    """The leaves that ledger positions ``[start, end)`` encode to, from the ledger itself."""
    return encode_rows(_ledger_rows(start, end))


Published = tuple[int, int, dt.date, str]  # position, ledger entry, day, region


def ledger_batch(
    start: int, end: int, bounds: tuple[int, int]
) -> tuple[list[bytes], list[Published]]:
    """What the integrator writes of ledger positions ``[start, end)`` (entry ids within
    ``bounds``), from one read of the ledger: their leaves, and the public list's rows of the
    adds among them whose statement is published with consent (statements.PublishedEntry)."""
    rows = _ledger_rows(start, end, bounds)
    published = [
        (int(row[0]), int(row[10]), _as_date(row[2]), str(row[11]))
        for row in rows
        if row[1] == "add" and row[12]
    ]
    return encode_rows(rows), published


def log_append(start: int, leaves: Sequence[bytes], now: dt.datetime) -> Checkpoint:
    """Add the leaves of ledger positions ``start...`` to the tree and sign the new checkpoint.

    Must run in the integrator's transaction, after the positions are given.
    """
    end = start + len(leaves)
    leaf_hash = merkle.leaf_hash
    written, root = tiles.append(start, leaves, [leaf_hash(x) for x in leaves], read_tile)
    LogTile.objects.bulk_create(
        [
            LogTile(
                level=level,
                index=index,
                data=data,
                width=(
                    min(tiles.WIDTH, end - index * tiles.WIDTH)
                    if level == tiles.ENTRIES
                    else len(data) // merkle.HASH_SIZE
                ),
            )
            for (level, index), data in written.items()
        ],
        update_conflicts=True,
        unique_fields=["level", "index"],
        update_fields=["data", "width"],
    )
    return _sign(end, root, now)


def _sign(size: int, root: bytes, now: dt.datetime) -> Checkpoint:
    signer = log_signer()
    text = note.Checkpoint(signer.name, size, root).text
    return Checkpoint.objects.create(
        size=size, root=root, note=note.sign(text, signer), signed_at=now
    )


def log_checkpoint_now(size: int) -> Checkpoint:
    """The checkpoint of ``size`` (the integrated size), signed now if the log has none yet."""
    existing = Checkpoint.objects.filter(size=size).first()
    if existing is not None:
        return existing
    root = merkle.tree_root(size, _subtree())
    return _sign(size, root, timezone.now())


# --- reading -------------------------------------------------------------------------------------


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The signed note with the witnesses' cosignature lines appended."""
    lines = checkpoint.cosignatures.order_by("witness").values_list("line", flat=True)
    return checkpoint.note + "".join(lines)


def _known_size(size: int) -> None:
    latest = latest_checkpoint()
    if latest is None or not 0 <= size <= latest.size:
        raise LogError(f"the log has no tree of size {size}")


def inclusion(index: int, size: int) -> list[bytes]:
    _known_size(size)
    try:
        return merkle.inclusion_proof(index, size, _subtree())
    except merkle.ProofError as exc:
        raise LogError(str(exc)) from None


def consistency(size1: int, size2: int) -> list[bytes]:
    _known_size(size2)
    try:
        return merkle.consistency_proof(size1, size2, _subtree())
    except merkle.ProofError as exc:
        raise LogError(str(exc)) from None


def leaves(start: int, end: int) -> list[bytes]:
    """Leaves ``[start, end)`` from the entry bundles."""
    out: list[bytes] = []
    first, last = start // tiles.WIDTH, (end - 1) // tiles.WIDTH
    bundles = dict(
        LogTile.objects.filter(level=tiles.ENTRIES, index__gte=first, index__lte=last).values_list(
            "index", "data"
        )
    )
    for index in range(first, last + 1):
        data = bundles.get(index)
        if data is None:
            raise LogError(f"no entry bundle {index}")
        items = tiles.parse_bundle(bytes(data))
        base = index * tiles.WIDTH
        out += items[max(0, start - base) : max(0, end - base)]
    return out


def leaf_index_of(statement: Statement) -> int | None:
    """The position of the statement's add leaf, once integrated."""
    return (
        LogPosition.objects.filter(entry__statement=statement, entry__kind="add")
        .values_list("position", flat=True)
        .first()
    )


def add_cosignature(note_text: str, witnesses: Sequence[note.Verifier]) -> list[Cosignature]:
    """Store the valid cosignatures of known witnesses on a checkpoint this log signed."""
    parsed = note.parse(note_text)
    size = note.parse_checkpoint(parsed.text).size  # one indexed look-up, never a text scan
    ours = Checkpoint.objects.filter(size=size).first()
    if ours is None or note.parse(ours.note).text != parsed.text:
        raise LogError("this log never signed that checkpoint")
    stored = []
    for witness in witnesses:
        try:
            timestamp = note.verify_cosignature(parsed, witness)
        except note.NoteError:
            continue
        line = next(
            s.line
            for s in parsed.signatures
            if s.name == witness.name and s.key_id == witness.key_id
        )
        cosig, _ = Cosignature.objects.update_or_create(
            checkpoint=ours,
            witness=witness.name,
            defaults={"line": line, "timestamp": timestamp},
        )
        stored.append(cosig)
    if not stored:
        raise LogError("no valid cosignature of a known witness")
    return stored
