"""Reading a log one does not trust: the independent verifier and the witness.

A *source* is a log published in the C2SP tlog-tiles layout (``checkpoint``, ``tile/...``), in
a directory (``santui log export``) or under a site's ``/log/`` prefix; the site's stats
document is ``/api/v1/stats``, or ``stats.json`` beside an export. Everything here trusts only
the verifier key it is given and the state it kept itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from santui.tlog import merkle, note, tiles
from santui.tlog.leaf import LeafError
from santui.tlog.tally import LogTally

MAX_FETCH = 16 * 1024 * 1024
USER_AGENT = "santui-log-verify/1"


class SourceError(Exception):
    """A source that cannot be read (missing file, HTTP error, oversized answer)."""


class Source:
    """Files of a published log, by path relative to its tlog-tiles root."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.url = spec.startswith(("http://", "https://"))
        if self.url:
            parsed = urllib.parse.urlsplit(spec)
            path = parsed.path.rstrip("/")
            site_path = path[: -len("/log")] if path.endswith("/log") else path
            log_path = path if path.endswith("/log") else path + "/log"
            self.root = urllib.parse.urlunsplit(
                (parsed.scheme, parsed.netloc, log_path + "/", "", "")
            )
            self.stats_location = urllib.parse.urlunsplit(
                (parsed.scheme, parsed.netloc, site_path + "/api/v1/stats", "", "")
            )
        else:
            self.root = str(Path(spec))
            self.stats_location = str(Path(spec) / "stats.json")
            if not Path(spec).is_dir():
                raise SourceError(f"{spec} is neither an http(s) URL nor a directory")

    def _fetch(self, location: str) -> bytes:
        if not self.url:
            try:
                with open(location, "rb") as fh:
                    data = fh.read(MAX_FETCH + 1)
            except OSError as exc:
                raise SourceError(f"cannot read {location}: {exc.strerror}") from None
        else:
            # http(s) only: the constructor admits nothing else
            request = urllib.request.Request(location, headers={"User-Agent": USER_AGENT})  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    data = response.read(MAX_FETCH + 1)
            except urllib.error.HTTPError as exc:
                raise SourceError(f"{location}: HTTP {exc.code}") from None
            except (urllib.error.URLError, OSError) as exc:
                raise SourceError(f"{location}: {exc}") from None
        if len(data) > MAX_FETCH:
            raise SourceError(f"{location}: more than {MAX_FETCH} bytes")
        return data

    def get(self, path: str) -> bytes:
        if self.url:
            return self._fetch(self.root + path)
        return self._fetch(os.path.join(self.root, *path.split("/")))

    def stats(self) -> dict[str, Any] | None:
        try:
            raw = self._fetch(self.stats_location)
        except SourceError:
            return None
        try:
            doc = json.loads(raw)
        except ValueError:
            raise SourceError("the stats document is not JSON") from None
        return doc if isinstance(doc, dict) else None

    def tile_reader(self, size: int) -> tiles.TileReader:
        """Read hash tiles of the tree of ``size`` leaves (full, or partial at the edge)."""

        def read(level: int, index: int) -> bytes:
            width = min(tiles.WIDTH, tiles.level_count(size, level) - index * tiles.WIDTH)
            if width <= 0:
                raise tiles.TileError(f"tile {level}/{index} is not in a tree of size {size}")
            data = self.get(tiles.tile_path(level, index, width))
            if len(data) != width * merkle.HASH_SIZE:
                raise tiles.TileError(f"tile {level}/{index} has {len(data)} bytes")
            return data

        return read

    def bundle(self, index: int, size: int) -> list[bytes]:
        width = min(tiles.WIDTH, size - index * tiles.WIDTH)
        leaves = tiles.parse_bundle(self.get(tiles.tile_path(tiles.ENTRIES, index, width)))
        if len(leaves) != width:
            raise tiles.TileError(f"entry bundle {index} has {len(leaves)} entries, not {width}")
        return leaves


# --- state kept by a verifier or a witness ----------------------------------------------------


@dataclass
class Seen:
    """The last checkpoint a verifier or witness accepted for a log, and when."""

    origin: str
    size: int
    root: bytes
    note: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "note": self.note,
            "at": self.at,
        }


def load_seen(path: Path) -> Seen | None:
    if not path.exists():
        return None
    raw = json.loads(path.read_text("utf-8"))
    return Seen(raw["origin"], raw["size"], base64.b64decode(raw["root"]), raw["note"], raw["at"])


def save_seen(path: Path, seen: Seen, history: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(seen.to_json(), indent=2), "utf-8")
    tmp.replace(path)
    if history is not None:
        with history.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(seen.to_json()) + "\n")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- the verifier ---------------------------------------------------------------------------------


@dataclass
class Verdict:
    origin: str = ""
    size: int = 0
    root: bytes = b""
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_consistency(
    source: Source, seen: Seen, checkpoint: note.Checkpoint, problems: list[str]
) -> None:
    """Compare a new checkpoint with the last one accepted, using proofs built from tiles."""
    if checkpoint.size < seen.size:
        problems.append(
            f"ROLLBACK: the log now has {checkpoint.size} leaves, but {seen.size} were seen "
            f"at {seen.at}"
        )
        return
    if seen.size == 0:
        return  # every tree extends the empty one
    if checkpoint.size == seen.size:
        if checkpoint.root != seen.root:
            problems.append(
                f"FORK: two checkpoints of size {seen.size} with different roots "
                f"(seen {base64.b64encode(seen.root).decode()} at {seen.at}, "
                f"now {base64.b64encode(checkpoint.root).decode()})"
            )
        return
    try:
        subtree = tiles.subtree_reader(source.tile_reader(checkpoint.size))
        proof = merkle.consistency_proof(seen.size, checkpoint.size, subtree)
        merkle.verify_consistency(seen.size, checkpoint.size, seen.root, checkpoint.root, proof)
    except (merkle.ProofError, tiles.TileError, SourceError) as exc:
        problems.append(
            f"FORK: checkpoint {checkpoint.size} is not consistent with checkpoint {seen.size} "
            f"seen at {seen.at}: {exc}"
        )


class LogVerifier:
    """Audits a log: signature, every leaf, consistency with what it saw, the stats' totals.

    Keeps the leaves' right edge and tally between runs of ``--watch``, so each round fetches
    only the new entry bundles (it re-checks the bundle that was partial).
    """

    def __init__(
        self,
        source: Source,
        verifier: note.Verifier,
        state: Path,
        witnesses: tuple[note.Verifier, ...] = (),
        progress: Callable[[int], object] | None = None,
    ) -> None:
        self.source, self.verifier, self.state, self.witnesses = source, verifier, state, witnesses
        self.progress = progress
        self.range = merkle.CompactRange()
        self.tally = LogTally()
        self.pending: list[bytes] = []  # leaves of the last, partial bundle already folded
        self.edge: dict[tiles.TileKey, bytes] = {}  # our own last tile of each level
        self.partial: dict[tiles.TileKey, bytes] = {}  # partial tiles to compare this round
        self.snapshots: dict[int, tuple[dict[str, int], dict[dt.date, int]]] = {}

    def run(self) -> Verdict:
        verdict = Verdict()
        problems = verdict.problems
        try:
            stats = self.source.stats()
            raw = self.source.get("checkpoint")
            checkpoint, signed = note.open_checkpoint(raw, self.verifier)
        except (SourceError, note.NoteError) as exc:
            problems.append(f"CHECKPOINT: {exc}")
            return verdict
        verdict.origin, verdict.size, verdict.root = (
            checkpoint.origin, checkpoint.size, checkpoint.root,
        )  # fmt: skip
        verdict.checks.append(f"checkpoint signature by {self.verifier.name} verifies")
        for witness in self.witnesses:
            try:
                note.verify_cosignature(signed, witness)
                verdict.checks.append(f"cosigned by witness {witness.name}")
            except note.NoteError as exc:
                problems.append(f"WITNESS: {exc}")

        seen = load_seen(self.state)
        if seen is not None and seen.origin == checkpoint.origin:
            check_consistency(self.source, seen, checkpoint, problems)
            if not problems:
                verdict.checks.append(f"consistent with checkpoint {seen.size} seen at {seen.at}")

        stats_size = stats.get("log_size") if stats else None
        self._fold_leaves(checkpoint, stats_size if isinstance(stats_size, int) else None, problems)
        if self.range.size == checkpoint.size:
            if self.range.root() == checkpoint.root:
                verdict.checks.append(f"all {checkpoint.size} leaves hash to the signed root")
            else:
                problems.append(
                    f"LEAVES: the {checkpoint.size} published leaves do not hash to the signed "
                    "root (a leaf was removed, altered or added)"
                )
            if not any(p.startswith("TILES") for p in problems):
                verdict.checks.append("every hash tile is the hash of the published leaves")

        if stats is not None:
            self._compare_stats(stats, checkpoint.size, verdict)
        else:
            verdict.checks.append("no stats document to compare (skipped)")

        if not problems:
            save_seen(
                self.state,
                Seen(checkpoint.origin, checkpoint.size, checkpoint.root, str(signed), _now()),
                self.state.with_suffix(".history.jsonl"),
            )
        return verdict

    def _fold_leaves(
        self, checkpoint: note.Checkpoint, stats_size: int | None, problems: list[str]
    ) -> None:
        if self.range.size > checkpoint.size:  # rolled back since the last round: start over
            self.range, self.tally, self.pending = merkle.CompactRange(), LogTally(), []
            self.edge = {}
        first = self.range.size // tiles.WIDTH
        for index in range(first, -(-checkpoint.size // tiles.WIDTH)):
            try:
                bundle = self.source.bundle(index, checkpoint.size)
            except (SourceError, tiles.TileError) as exc:
                problems.append(f"LEAVES: {exc}")
                return
            skip = 0
            if index == first and self.pending:  # the bundle that was partial last round
                if bundle[: len(self.pending)] != self.pending:
                    problems.append(f"LEAVES: entries of bundle {index} changed since last round")
                    return
                skip = len(self.pending)
            before = self.range.size
            hashes = []
            for data in bundle[skip:]:
                position = self.range.size
                if position == stats_size:
                    self.snapshots[position] = (self.tally.totals(), self.tally.daily_persons())
                leaf_hash = merkle.leaf_hash(data)
                hashes.append(leaf_hash)
                self.range.append(leaf_hash)
                try:
                    self.tally.add(data)
                except LeafError as exc:
                    problems.append(f"LEAF {position}: {exc}")
                    self.tally.skip()
            self._check_tiles(before, bundle[skip:], hashes, problems)
            self.pending = bundle if len(bundle) < tiles.WIDTH else []
            if self.progress is not None:
                self.progress(len(bundle) - skip)
        self.snapshots[self.range.size] = (self.tally.totals(), self.tally.daily_persons())
        for key, data in sorted(self.partial.items()):
            self._compare_tile(key, data, problems)
        self.partial = {}

    def _compare_tile(self, key: tiles.TileKey, data: bytes, problems: list[str]) -> None:
        path = tiles.tile_path(key[0], key[1], len(data) // merkle.HASH_SIZE)
        try:
            published = self.source.get(path)
        except SourceError as exc:
            problems.append(f"TILES: {exc}")
            return
        if published != data:
            problems.append(f"TILES: tile {path} is not the hash of the published leaves")

    def _check_tiles(
        self, size: int, leaves: list[bytes], hashes: list[bytes], problems: list[str]
    ) -> None:
        """Rebuild the hash tiles these leaves touch and compare each with the published one,
        so that proofs built from the tiles by anyone are proofs about these leaves."""

        def own(level: int, index: int) -> bytes:
            try:
                return self.edge[(level, index)]
            except KeyError:
                raise tiles.TileError(f"no tile {level}/{index} kept") from None

        written = tiles.append_tiles(size, leaves, hashes, own)
        for key, data in written.items():
            if key[0] == tiles.ENTRIES:
                continue
            if len(data) == tiles.WIDTH * merkle.HASH_SIZE:
                self.partial.pop(key, None)  # its partial versions need not be served
                self._compare_tile(key, data, problems)  # full: final, in every copy
            else:
                self.partial[key] = data  # compared at the checkpoint's size, end of round
        self.edge = {
            key: data
            for key, data in {**self.edge, **written}.items()
            if (len(data) < tiles.WIDTH * merkle.HASH_SIZE and key[0] != tiles.ENTRIES)
            or (key[0] == tiles.ENTRIES and len(tiles.parse_bundle(data)) < tiles.WIDTH)
        }

    def _compare_stats(self, stats: dict[str, Any], size: int, verdict: Verdict) -> None:
        problems = verdict.problems
        stats_size = stats.get("log_size")
        if not isinstance(stats_size, int) or stats_size > size or stats_size not in self.snapshots:
            problems.append(f"STATS: published log_size {stats_size!r} is not a size of this log")
            return
        if stats.get("from") is not None or stats.get("to") is not None:
            problems.append("STATS: the stats document is filtered by date")
            return
        totals, daily = self.snapshots[stats_size]
        organizations = stats.get("organizations")
        if not isinstance(organizations, dict):
            problems.append("STATS: organizations is not an object")
            organizations = {}
        published = {
            "persons": stats.get("persons"),
            "statements": stats.get("statements"),
            **{f"org:{o}": organizations.get(o) for o in ("party", "league", "pioneers")},
        }
        for key, value in published.items():
            if value != totals.get(key, 0):
                problems.append(
                    f"STATS: {key} published {value}, the log adds up to {totals.get(key, 0)}"
                )
        rows = stats.get("daily")
        if not isinstance(rows, list):
            problems.append("STATS: daily is not a list")
            rows = []
        published_daily: dict[dt.date, int] = {}
        for row in rows:
            try:
                published_daily[dt.date.fromisoformat(row["date"])] = int(row["persons"])
            except (KeyError, TypeError, ValueError):
                problems.append(f"STATS: malformed daily row {row!r:.80}")
        for day in sorted(set(published_daily) | set(daily)):
            if published_daily.get(day, 0) != daily.get(day, 0):
                problems.append(
                    f"STATS: {day} published {published_daily.get(day, 0)} persons, "
                    f"the log adds up to {daily.get(day, 0)}"
                )
        if not any(p.startswith("STATS") for p in problems):
            verdict.checks.append(
                f"stats at size {stats_size} match the log: {totals.get('persons', 0)} persons, "
                f"{totals.get('statements', 0)} statements, per organization and per day"
            )


# --- the witness ----------------------------------------------------------------------------------


def witness_cosign(
    source: Source, log_key: note.Verifier, witness: note.Signer, state: Path
) -> tuple[str, list[str]]:
    """Cosign the source's checkpoint if it is consistent with everything this witness saw.

    Returns the cosigned note and the problems (empty when it cosigned).
    """
    problems: list[str] = []
    try:
        raw = source.get("checkpoint")
        checkpoint, signed = note.open_checkpoint(raw, log_key)
    except (SourceError, note.NoteError) as exc:
        return "", [f"CHECKPOINT: {exc}"]
    seen = load_seen(state)
    if seen is not None and seen.origin == checkpoint.origin:
        check_consistency(source, seen, checkpoint, problems)
    if problems:
        return "", problems
    cosignature = note.cosign(signed.text, witness, int(time.time()))
    cosigned = str(note.Note(signed.text, (*signed.signatures, cosignature)))
    save_seen(
        state,
        Seen(checkpoint.origin, checkpoint.size, checkpoint.root, cosigned, _now()),
        state.with_suffix(".history.jsonl"),
    )
    return cosigned, []
