"""What a Dask worker runs: one partition of the history, read over the worker's own connection.

A worker sets Django up from its environment (DJANGO_SETTINGS_MODULE, SANTUI_HOME,
DATABASE_URL: the same as the client's), checks that it sees the client's instance (the
checkpoint of the recounted size has the same root), and reads only: on SQLite the connection
is put in ``query_only`` mode, on PostgreSQL the partition is one READ ONLY, REPEATABLE READ
transaction. A partition returns partial sums and statement ids, never a name or a text: texts
are decrypted and parsed here and dropped, so nothing personal reaches the scheduler, the
client or a spill file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

Cell = tuple[str, str, dt.date]
# The parser's reading as santui.textparse returns it (Parsed.to_json), less the name (never
# stored) and the confidences (not a reading).
READ_FIELDS = (
    "organizations", "current_party_member", "headcount", "name_kind", "region", "sector",
    "script", "language",
)  # fmt: skip
_MAX_LISTED = 20  # problems of one kind listed per partition
HINTED = 1.0  # a field's confidence when a form's answer (a hint) gave it: not the parser's


class InstanceMismatch(RuntimeError):
    """The worker does not see the client's instance (other settings or DATABASE_URL)."""


class IntegratorMoved(RuntimeError):
    """The rollups changed while the recount read them (the integrator ran)."""


@dataclass
class Part:
    """The partial result of one range of statement ids."""

    statements: int = 0
    counted: int = 0
    entries: int = 0  # integrated ledger entries of these statements
    ledger: Counter[Cell] = field(default_factory=Counter)
    recount: Counter[Cell] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    reparsed: int = 0
    unread: int = 0  # texts without a stored reading: nothing to compare
    changed: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class LogPart:
    """The partial result of one range of log positions."""

    leaves: int = 0
    cells: Counter[Cell] = field(default_factory=Counter)
    revokes: list[tuple[int, int]] = field(default_factory=list)  # (position, add index)
    problems: list[str] = field(default_factory=list)


def setup_django() -> None:
    """Set Django up in a worker process once (a no-op in the client)."""
    from django.apps import apps

    if not apps.ready:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
        django.setup()


@contextmanager
def _reading(size: int, root: bytes | None) -> Iterator[None]:
    from django.db import connection, transaction

    from santui.tally.models import Checkpoint

    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = ON")
            _check_instance(Checkpoint, size, root)
            yield
        else:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                _check_instance(Checkpoint, size, root)
                yield
    finally:
        connection.close()


def _check_instance(checkpoint: Any, size: int, root: bytes | None) -> None:
    if root is None:
        return
    found = checkpoint.objects.filter(size=size).values_list("root", flat=True).first()
    if found is None or bytes(found) != root:
        raise InstanceMismatch(
            f"this worker (pid {os.getpid()}) does not see the client's checkpoint {size}: "
            "start it with the client's settings and DATABASE_URL"
        )


def recount_range(lo: int, hi: int, size: int, root: bytes | None, reparse: bool) -> Part:
    """Statements with ids in ``[lo, hi)`` and their ledger entries of positions < ``size``."""
    setup_django()
    with _reading(size, root):
        return _recount_range(lo, hi, size, reparse)


def _recount_range(lo: int, hi: int, size: int, reparse: bool) -> Part:
    from santui.statements.actions import SNAPSHOT_FIELDS, counted_snapshot
    from santui.statements.models import EntryKind, LedgerEntry, Statement, Status
    from santui.tally.cells import Counted, cells_of

    part = Part()
    entries = LedgerEntry.objects.filter(statement_id__gte=lo, statement_id__lt=hi)
    last: dict[int, str] = {}  # statement id -> kind of its last integrated entry
    integrated = (
        entries.filter(log_position__position__lt=size)
        .order_by("log_position__position")
        .values_list("kind", "statement_id", *SNAPSHOT_FIELDS)
    )
    for kind, statement_id, *counted in integrated.iterator(chunk_size=20000):
        part.entries += 1
        sign = 1 if kind == EntryKind.ADD else -1
        for cell, value in cells_of(Counted(*counted)):
            part.ledger[cell] += sign * value
        last[statement_id] = kind
    counted_ids = {sid for sid, kind in last.items() if kind == EntryKind.ADD}
    live = set(
        entries.filter(kind=EntryKind.ADD, revoked_by__isnull=True).values_list(
            "statement_id", flat=True
        )
    )

    columns = ["id", "received_at", "status", *(f for f in SNAPSHOT_FIELDS if f != "day")]
    if reparse:
        columns += ["text", "suggested"]
    rows = Statement.objects.filter(id__gte=lo, id__lt=hi).order_by("id").values(*columns)
    seen: set[int] = set()
    status_problems = 0
    for row in rows.iterator(chunk_size=5000):
        sid = row["id"]
        seen.add(sid)
        part.statements += 1
        if sid in counted_ids:
            part.counted += 1
            for cell, value in cells_of(Counted(*counted_snapshot(SimpleNamespace(**row)))):
                part.recount[cell] += value
        accepted = row["status"] == Status.ACCEPTED
        if accepted != (sid in live):
            status_problems += 1
            if status_problems <= _MAX_LISTED:
                part.problems.append(
                    f"statement {sid} is accepted but has no live add entry"
                    if accepted
                    else f"statement {sid} has a live add entry but is not accepted"
                )
        if reparse:
            text, stored = row.pop("text"), row.pop("suggested")
            if stored is None:
                part.unread += bool(text.strip())
                continue
            part.reparsed += 1
            changed = changed_fields(stored, text)
            if changed:
                part.changed.append((sid, changed))
    if status_problems > _MAX_LISTED:
        part.problems.append(
            f"statements {lo}..{hi - 1}: {status_problems - _MAX_LISTED} more whose status "
            "and ledger disagree"
        )
    for sid in sorted(counted_ids - seen)[:_MAX_LISTED]:
        part.problems.append(f"ledger entry counts statement {sid}, which does not exist")
    return part


def changed_fields(stored: dict[str, Any], text: str) -> list[str]:
    """The fields whose reading by the current parser differs from the stored one. A field a
    form's answer gave (confidence 1.0 in the stored reading) is the declarant's, not a reading:
    it is not compared. A parser error is named by its class only (the message may quote text).
    """
    from santui.textparse.parse import parse_statement

    confidence = stored.get("confidence") or {}
    try:
        now = parse_statement(text).to_json() if text.strip() else {}
    except Exception as exc:  # any parser failure is a finding, not a crash
        return [f"error:{type(exc).__name__}"]
    out = []
    for name in READ_FIELDS:
        if isinstance(confidence, dict) and confidence.get(name) == HINTED:
            continue
        if _norm(stored.get(name)) != _norm(now.get(name)):
            out.append(name)
    return out


def _norm(value: Any) -> Any:
    return sorted(value) if isinstance(value, list | tuple | set | frozenset) else value


def rollup_range(lo: int, hi: int, size: int, root: bytes | None) -> Counter[Cell]:
    """The rollups' cells of row ids ``[lo, hi)`` (zero cells left out), read at the integrated
    size ``size``: if the integrator moved on meanwhile, the figures would not be of the size
    recounted, so the partition fails (IntegratorMoved) rather than report false differences."""
    setup_django()
    with _reading(size, root):
        from santui.tally.models import IntegrationState, Rollup

        before = IntegrationState.objects.values_list("size", flat=True).get(pk=1)
        rows = (
            Rollup.objects.filter(id__gte=lo, id__lt=hi)
            .exclude(value=0)
            .values_list("stat", "key", "day", "value")
        )
        cells = Counter({(stat, key, day): value for stat, key, day, value in rows.iterator()})
        after = IntegrationState.objects.values_list("size", flat=True).get(pk=1)
        if before != size or after != size:
            raise IntegratorMoved(
                f"the integrator moved from size {size} to {after} during the recount: run it "
                "again while the integrator is stopped, or against a replica"
            )
        return cells


def log_range(start: int, end: int, size: int, root: bytes | None) -> LogPart:
    """Leaves of positions ``[start, end)``: the cells of their adds, and their revokes (which
    the client resolves against the adds they name: ``revoked_adds``)."""
    setup_django()
    with _reading(size, root):
        from santui.tally import log
        from santui.tlog import leaf as leafcodec
        from santui.tlog import tiles

        part = LogPart()
        try:
            stored = log.leaves(start, end)
        except (log.LogError, tiles.TileError) as exc:  # a missing bundle is a finding
            part.problems.append(f"leaves {start}..{end}: {exc}")
            return part
        for offset, data in enumerate(stored):
            position = start + offset
            part.leaves += 1
            try:
                leaf = leafcodec.decode(data)
            except leafcodec.LeafError as exc:
                part.problems.append(f"leaf {position}: {exc}")
                continue
            if isinstance(leaf, leafcodec.AddLeaf):
                _add_leaf_cells(part.cells, leaf, 1)
            else:
                part.revokes.append((position, leaf.add_index))
        return part


def revoked_adds(indices: list[int], size: int, root: bytes | None) -> LogPart:
    """Minus the cells of the add leaves at ``indices`` (each named by a revoke leaf)."""
    setup_django()
    with _reading(size, root):
        from santui.tally import log
        from santui.tlog import leaf as leafcodec
        from santui.tlog import tiles

        part = LogPart()
        for index in indices:
            try:
                leaf = leafcodec.decode(log.leaves(index, index + 1)[0])
            except (log.LogError, tiles.TileError, leafcodec.LeafError, IndexError) as exc:
                part.problems.append(f"leaf {index} (revoked): {exc}")
                continue
            if not isinstance(leaf, leafcodec.AddLeaf):
                part.problems.append(f"leaf {index} is revoked but is not an add")
                continue
            _add_leaf_cells(part.cells, leaf, -1)
        return part


def _add_leaf_cells(cells: Counter[Cell], leaf: Any, sign: int) -> None:
    cells[("persons", "", leaf.day)] += sign * leaf.headcount
    cells[("statements", "", leaf.day)] += sign
    for org in leaf.organizations:
        cells[("org", org, leaf.day)] += sign * leaf.headcount
