"""`santui history recount`: the whole history recounted on a Dask cluster, compared with the
integrated rollups and the public log.

The client plans partitions (statement ids in ranges of ``partition`` ids; log positions in
ranges of the same width), sends them to the cluster, adds the partial sums up as they arrive
and compares: rollups against the integrated ledger entries, rollups against a recount from the
statements' own fields (the counting rules of santui.tally.cells, as `santui tally verify`),
and the log's size and its persons, statements and organizations per day against the rollups.
Every Stat the integrator fills is covered: the cells come from ``cells_of``, and every rollup
row is compared, whatever its stat. The recount is of the integrated size when it starts;
entries integrated meanwhile are left for the next one.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db.models import Max, Min

from santui.statements.models import Statement
from santui.tally import log
from santui.tally.history import partitions
from santui.tally.history.partitions import Cell, LogPart, Part
from santui.tally.models import IntegrationState, Rollup

LOG_STATS = frozenset({"persons", "statements", "org"})  # what a leaf carries
DEFAULT_PARTITION = 50_000


@dataclass
class RecountReport:
    size: int
    partitions: int = 0
    statements: int = 0
    counted: int = 0
    leaves: int = 0
    reparsed: int = 0
    unread: int = 0
    changed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.changed


def _compare(label_a: str, a: Counter[Cell], label_b: str, b: Counter[Cell]) -> list[str]:
    """Name each cell whose values differ (both sides hold non-zero cells only)."""
    if dict.__eq__(a, b):  # at C speed: the usual case
        return []
    differ = [cell for cell in a.keys() | b.keys() if a.get(cell, 0) != b.get(cell, 0)]
    out = []
    for cell in sorted(differ, key=lambda c: (str(c[0]), c[1], c[2])):
        stat, key, day = cell
        out.append(
            f"{stat}[{key}] {day.isoformat()}: {label_a} {a.get(cell, 0)}, "
            f"{label_b} {b.get(cell, 0)}"
        )
    return out


def _ranges(lo: int, hi: int, width: int) -> list[tuple[int, int]]:
    return [(start, min(hi, start + width)) for start in range(lo, hi, width)]


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local one of ``workers`` processes (one
    thread each; no spilling, no dashboard) that lives as long as the block."""
    import dask
    from distributed import Client, LocalCluster

    # the client's (and a local scheduler's) chatter: warnings and errors only
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    memory = {
        "distributed.worker.memory.spill": False,
        "distributed.worker.memory.target": False,
    }
    with (
        dask.config.set(memory),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # its HTTP server (health), loopback only
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def history_recount(
    client: Any,
    *,
    reparse: bool = False,
    report: TextIO | None = None,
    partition: int = DEFAULT_PARTITION,
    progress: Any = None,
) -> RecountReport:
    """Recount on ``client``'s cluster; with ``reparse``, write one JSON line per statement whose
    reading changed to ``report`` (its id and the fields, nothing else). ``progress``: a tqdm
    bar (or anything with ``total`` and ``update``), advanced as partitions complete."""
    from distributed import as_completed

    size = IntegrationState.objects.get(pk=1).size
    checkpoint = log.latest_checkpoint()
    root = bytes(checkpoint.root) if checkpoint is not None and checkpoint.size == size else None
    out = RecountReport(size=size)
    if checkpoint is None and size:
        out.problems.append(f"integrated size is {size} but the log has no checkpoint")
    elif checkpoint is not None and checkpoint.size != size:
        out.problems.append(f"latest checkpoint is of size {checkpoint.size}, not {size}")

    bounds = Statement.objects.aggregate(lo=Min("id"), hi=Max("id"))
    ids = _ranges(bounds["lo"], bounds["hi"] + 1, partition) if bounds["lo"] is not None else []
    futures = [
        client.submit(partitions.recount_range, lo, hi, size, root, reparse, pure=False)
        for lo, hi in ids
    ] + [
        client.submit(partitions.log_range, start, end, size, root, pure=False)
        for start, end in _ranges(0, size, partition)
    ]
    rows = Rollup.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if rows["lo"] is not None:
        futures += [
            client.submit(partitions.rollup_range, lo, hi, size, root, pure=False)
            for lo, hi in _ranges(rows["lo"], rows["hi"] + 1, 2 * partition)
        ]
    out.partitions = len(futures)
    if progress is not None:
        progress.total = len(futures)
    ledger: Counter[Cell] = Counter()
    recount: Counter[Cell] = Counter()
    log_cells: Counter[Cell] = Counter()
    revokes: list[tuple[int, int]] = []
    changed: list[tuple[int, list[str]]] = []
    rollups: Counter[Cell] = Counter()
    entries = 0
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        result = future.result()
        future.release()
        if progress is not None:
            progress.update(1)
        if isinstance(result, Counter):
            rollups.update(result)
            continue
        if isinstance(result, Part):
            out.statements += result.statements
            out.counted += result.counted
            entries += result.entries
            ledger.update(result.ledger)
            recount.update(result.recount)
            out.reparsed += result.reparsed
            out.unread += result.unread
            changed += result.changed
        else:
            _add_log(out, result, log_cells)
            revokes += result.revokes
        out.problems += result.problems
    out.problems += _resolve_revokes(client, revokes, size, root, log_cells)

    ledger, recount, log_cells = (_nonzero(ledger), _nonzero(recount), _nonzero(log_cells))
    if entries != size:
        out.problems.append(
            f"{entries} ledger entries are integrated, the integrated size is {size}"
        )
    if out.leaves != size:
        out.problems.append(f"the log holds {out.leaves} leaves, the integrated size is {size}")
    out.problems += _compare("rollup", rollups, "ledger", ledger)
    out.problems += _compare("rollup", rollups, "statements", recount)
    log_rollups = Counter({c: v for c, v in rollups.items() if c[0] in LOG_STATS})
    out.problems += _compare("rollup", log_rollups, "log", log_cells)
    changed.sort()
    out.changed = len(changed)
    if report is not None:
        for sid, names in changed:
            report.write(json.dumps({"statement": sid, "changed": names}) + "\n")
    return out


def _add_log(out: RecountReport, part: LogPart, cells: Counter[Cell]) -> None:
    out.leaves += part.leaves
    cells.update(part.cells)


def _resolve_revokes(
    client: Any, revokes: list[tuple[int, int]], size: int, root: bytes | None,
    cells: Counter[Cell],
) -> list[str]:  # fmt: skip
    """Subtract the add leaves that revoke leaves name (each once, and an earlier one)."""
    problems = []
    named: Counter[int] = Counter(index for _, index in revokes)
    for position, index in sorted(revokes):
        if not 0 <= index < position:
            problems.append(f"leaf {position} revokes leaf {index}, which is not before it")
    for index, times in sorted(named.items()):
        if times > 1:
            problems.append(f"leaf {index} is revoked {times} times")
    indices = sorted(i for i in named if 0 <= i < size)
    chunks = [indices[i : i + 10_000] for i in range(0, len(indices), 10_000)]
    for part in client.gather(
        [client.submit(partitions.revoked_adds, c, size, root, pure=False) for c in chunks]
    ):
        cells.update(part.cells)
        problems += part.problems
    return problems


def write_path(path: Path) -> TextIO:
    """The reparse report, made readable by its owner only (it names statement ids)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
    return os.fdopen(fd, "w", encoding="utf-8")


def _nonzero(cells: Counter[Cell]) -> Counter[Cell]:
    return Counter({cell: value for cell, value in cells.items() if value})
