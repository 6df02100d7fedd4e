"""Write the open-data files to a directory (`santui export DIR`), each atomically.

Each file is written to a hidden temporary file in the same directory and renamed over its
name once complete, so a reader never sees half a file and an interrupted export leaves the
previous files whole. The files of one dataset are written side by side from one read of its
rows. ``datapackage.json`` comes last, with the size and sha256 of every file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from santui.tally.opendata.datasets import Snapshot
from santui.tally.opendata.package import Digest, descriptor_bytes
from santui.tally.opendata.schemas import DESCRIPTOR, FILES
from santui.tally.opendata.writers import ENCODERS, chunks


class ExportError(ValueError):
    """The export cannot be written there."""


@dataclass(frozen=True)
class Written:
    name: str
    rows: int | None  # None for the descriptor
    digest: Digest


def file_names(formats: Iterable[str] | None = None) -> list[str]:
    """The data files of the given formats (``json`` includes JSON Lines), in a fixed order."""
    if formats is None:
        return list(FILES)
    wanted = set(formats)
    if "json" in wanted:
        wanted.add("jsonl")
    return [name for name, file in FILES.items() if file.fmt in wanted]


def planned_rows(snap: Snapshot, names: Sequence[str]) -> int:
    counts: dict[str, int] = {}
    for name in names:
        dataset = FILES[name].dataset
        if dataset.name not in counts:
            counts[dataset.name] = snap.row_count(dataset)
    return sum(counts[FILES[name].dataset.name] for name in names)


def prepare_dir(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise ExportError(f"{root} exists and is not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {root}: {exc.strerror or exc}") from None


class _AtomicFile:
    """A file written under a hidden temporary name and renamed into place when complete."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.fh = open(self.tmp, "wb")  # noqa: SIM115 (closed in commit or abort)
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        if data:
            self.fh.write(data)
            self.sha.update(data)
            self.size += len(data)

    def commit(self) -> Digest:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)
        return Digest(bytes=self.size, sha256=self.sha.hexdigest())

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def _write_dataset(
    root: Path,
    snap: Snapshot,
    names: Sequence[str],
    on_rows: Callable[[int], object] | None,
) -> list[Written]:
    """Write every file of one dataset in one pass over its rows (read once, fed to each
    format's encoder), so the statements are read once whatever the number of formats."""
    dataset = FILES[names[0]].dataset
    outs = [_AtomicFile(root / name) for name in names]
    encoders = [ENCODERS[FILES[name].fmt](dataset.fields) for name in names]
    rows = 0
    try:
        for out, encoder in zip(outs, encoders, strict=True):
            out.write(encoder.begin())
        for chunk in chunks(snap.rows(dataset)):
            for out, encoder in zip(outs, encoders, strict=True):
                out.write(encoder.feed(chunk))
            rows += len(chunk)
            if on_rows:
                on_rows(len(chunk) * len(names))
        for out, encoder in zip(outs, encoders, strict=True):
            out.write(encoder.end())
        return [Written(name, rows, out.commit()) for name, out in zip(names, outs, strict=True)]
    except BaseException:
        for out in outs:
            out.abort()
        raise
    finally:
        for encoder in encoders:
            encoder.close()


def export_dir(
    root: Path,
    snap: Snapshot,
    names: Sequence[str],
    on_rows: Callable[[int], object] | None = None,
) -> list[Written]:
    """Write the files ``names`` and the descriptor listing them into ``root``."""
    prepare_dir(root)
    by_dataset: dict[str, list[str]] = {}
    for name in names:
        by_dataset.setdefault(FILES[name].dataset.name, []).append(name)
    written = []
    for group in by_dataset.values():
        written += _write_dataset(root, snap, group, on_rows)
    written.sort(key=lambda w: names.index(w.name))
    digests = {w.name: w.digest for w in written}
    descriptor = _AtomicFile(root / DESCRIPTOR)
    try:
        descriptor.write(descriptor_bytes(snap, names=names, digests=digests))
        digest = descriptor.commit()
    except BaseException:
        descriptor.abort()
        raise
    written.append(Written(DESCRIPTOR, None, digest))
    return written
