"""`santui tally verify`: recount from source and name every difference with the rollups.

Three figures must agree at the integrated size (DESIGN.md invariant 2):
1. the rollup tables,
2. a fold of the integrated ledger entries (adds minus revokes),
3. a recount from the statements themselves: every statement whose add entry is integrated and
   not revoked, counted from its own current fields with the same counting rules.
It also checks that positions are exactly 0..size-1, that each ledger entry is either queued or
has its position, that statuses match the ledger, that each revoke cancels an add of its own
statement and no add is revoked twice, that the public list (PublishedEntry) has a
row for the integrated add of each public statement, as the ledger has it, and the public log:
the latest checkpoint is of the integrated size and signed by the log's key, its root is the
root of the stored leaves (recomputed from every leaf) and of the stored tiles, each leaf is the
encoding of its ledger entry, and the leaves alone add up to the rollups' persons, statements and
organizations per day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q

from santui.statements.actions import ledger_add_entry
from santui.statements.models import (
    EntryKind,
    ExternalKey,
    LedgerEntry,
    LogPosition,
    PublishedEntry,
    QueuedEntry,
    Statement,
    Status,
    StatusChange,
)
from santui.tally import log
from santui.tally.cells import Cell, Counted, cells_of, fold
from santui.tally.models import IntegrationState, Rollup, Stat
from santui.tlog import merkle, note, tiles
from santui.tlog.leaf import LeafError
from santui.tlog.tally import LogTally

_COUNTED = Counted._fields
_STATEMENT_FIELDS = (
    "id", "received_at", "headcount", "party", "league", "pioneers", "current_party_member",
    "region", "sector", "channel", "name_kind", "declarant", "status",
)  # fmt: skip


@dataclass
class VerifyReport:
    size: int
    queued: int
    statements_counted: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _compare(label_a: str, a: Counter[Cell], label_b: str, b: Counter[Cell]) -> list[str]:
    out = []
    for cell in sorted(set(a) | set(b), key=lambda c: (c[0], c[1], c[2])):
        if a.get(cell, 0) != b.get(cell, 0):
            stat, key, day = cell
            out.append(
                f"{stat}[{key}] {day.isoformat()}: {label_a} {a.get(cell, 0)}, "
                f"{label_b} {b.get(cell, 0)}"
            )
    return out


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """Every read of the verification in one snapshot of the database, so that an integration
    that commits while it runs is seen whole or not at all (not the rollups before it and the
    log after it): a read-only transaction at REPEATABLE READ on PostgreSQL; on SQLite a
    deferred read transaction, which in WAL mode keeps its snapshot and blocks no writer
    (santui's own SQLite transactions are IMMEDIATE: they would hold the write lock, and stop
    the integrator, for the whole run). Inside a caller's transaction, its snapshot rules."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def tally_verify() -> VerifyReport:
    with _one_snapshot():
        return _tally_verify()


def _tally_verify() -> VerifyReport:
    state = IntegrationState.objects.get(pk=1)
    rollups: Counter[Cell] = Counter()
    for stat, key, day, value in Rollup.objects.values_list("stat", "key", "day", "value").iterator(
        chunk_size=20000
    ):
        if value:
            rollups[(stat, key, day)] = value

    counted_ids: set[int] = set()
    positions = 0
    max_position = -1
    ledger: Counter[Cell] = Counter()
    integrated = LogPosition.objects.order_by("position").values_list(
        "position", "entry__kind", "entry__statement_id", *(f"entry__{f}" for f in _COUNTED)
    )
    for position, kind, statement_id, *counted in integrated.iterator(chunk_size=20000):
        positions += 1
        max_position = max(max_position, position)
        sign = 1 if kind == EntryKind.ADD else -1
        for cell, value in cells_of(Counted(*counted)):
            ledger[cell] += sign * value
        if sign > 0:
            counted_ids.add(statement_id)
        else:
            counted_ids.discard(statement_id)

    problems: list[str] = []
    if positions != state.size or max_position != state.size - 1:
        problems.append(
            f"integrated size is {state.size} but {positions} entries have positions "
            f"(highest {max_position})"
        )
    # read through their entries (a join): a position whose entry is not in the ledger (the
    # table has no foreign key constraint) is not among them
    orphans = LogPosition.objects.count() - positions
    if orphans:
        problems.append(f"{orphans} log positions name no ledger entry")
    problems += _compare("rollup", rollups, "ledger", ledger)

    recount = fold(
        (Counted(*(getattr(entry, f) for f in _COUNTED)), 1)
        for entry in (
            ledger_add_entry(statement)
            for statement in Statement.objects.only(*_STATEMENT_FIELDS).iterator(chunk_size=20000)
            if statement.pk in counted_ids
        )
    )
    problems += _compare("rollup", rollups, "statements", recount)

    # Statuses against the ledger: accepted <=> a live add entry (integrated or queued).
    live = set(
        LedgerEntry.objects.filter(kind=EntryKind.ADD, revoked_by__isnull=True).values_list(
            "statement_id", flat=True
        )
    )
    accepted = set(Statement.objects.filter(status=Status.ACCEPTED).values_list("id", flat=True))
    for sid in sorted(accepted - live)[:20]:
        problems.append(f"statement {sid} is accepted but has no live add entry")
    for sid in sorted(live - accepted)[:20]:
        problems.append(f"statement {sid} has a live add entry but is not accepted")

    # Each revoke cancels an add of its own statement, and no add twice: the database's unique
    # index on revokes went with the ledger's partitions (statements migration 0017).
    revokes = LedgerEntry.objects.filter(revokes__isnull=False)
    twice = revokes.values("revokes").annotate(n=Count("id")).filter(n__gt=1)
    for add_id, n in twice.values_list("revokes", "n")[:20]:
        problems.append(f"ledger entry {add_id} is revoked {n} times")
    for entry_id, add_id in revokes.filter(
        ~Q(revokes__kind=EntryKind.ADD) | ~Q(revokes__statement=F("statement"))
    ).values_list("id", "revokes")[:20]:
        problems.append(f"ledger entry {entry_id} revokes {add_id}, not an add of its statement")

    problems += _verify_published()
    problems += _verify_log(state.size, rollups)

    # Each entry is queued or has its position: one of the two, never both, never neither.
    for entry_id, both in LedgerEntry.objects.filter(
        Q(queued__isnull=True, log_position__isnull=True)
        | Q(queued__isnull=False, log_position__isnull=False)
    ).values_list("id", "queued__entry_id")[:20]:
        problems.append(
            f"ledger entry {entry_id} is "
            + ("both queued and integrated" if both else "neither queued nor integrated")
        )

    # The queue has no foreign key constraint either (statements migration 0017).
    lost = QueuedEntry.objects.filter(~Exists(LedgerEntry.objects.filter(pk=OuterRef("entry_id"))))
    for (entry_id,) in lost.values_list("entry_id")[:20]:
        problems.append(f"queued entry {entry_id} is not in the ledger")
    problems += _verify_external_keys()
    problems += _verify_statements_named()

    queued = QueuedEntry.objects.count()
    return VerifyReport(
        size=state.size, queued=queued, statements_counted=len(counted_ids), problems=problems
    )


def _verify_external_keys() -> list[str]:
    """The external keys have no foreign key constraint (statements migration 0018): each names
    a statement with its source and external id, and each statement with an external id has its
    key (two statements with one pair cannot both have it)."""
    problems = []
    own = Statement.objects.filter(
        pk=OuterRef("statement_id"), source=OuterRef("source"), external_id=OuterRef("external_id")
    )
    stray = ExternalKey.objects.filter(~Exists(own))
    for source, external_id, statement_id in stray.values_list(
        "source", "external_id", "statement_id"
    )[:20]:
        problems.append(
            f"external key {source}:{external_id} names statement {statement_id}, "
            "which is not there with that key"
        )
    key = ExternalKey.objects.filter(
        source=OuterRef("source"), external_id=OuterRef("external_id"), statement_id=OuterRef("pk")
    )
    keyless = Statement.objects.filter(external_id__isnull=False).filter(~Exists(key))
    for statement_id in keyless.values_list("pk", flat=True)[:20]:
        problems.append(f"statement {statement_id} has an external id but not its external key")
    return problems


def _verify_statements_named() -> list[str]:
    """Audit rows and ledger entries have no foreign key constraint either (statements migration
    0018): each names a statement that is there."""
    problems = []
    there = Statement.objects.filter(pk=OuterRef("statement_id"))
    for model, what in ((StatusChange, "audit row"), (LedgerEntry, "ledger entry")):
        lost = model.objects.filter(~Exists(there)).values_list("pk", "statement_id")[:20]
        problems += [f"{what} {pk} names statement {sid}, which is not there" for pk, sid in lost]
    return problems


def _verify_published() -> list[str]:
    """The public list's rows against the ledger: the integrated add of every public statement
    (accepted, published with consent) has one, and each row holds its add's position, day and
    region. (The row of a statement rejected since stays: the list reads accepted statements.)"""
    missing = (
        LedgerEntry.objects.filter(
            kind=EntryKind.ADD,
            log_position__isnull=False,
            statement__status=Status.ACCEPTED,
            statement__publish=True,
            published__isnull=True,
        )
        .order_by("log_position__position")
        .values_list("id", "log_position__position")[:20]
    )
    wrong = (
        PublishedEntry.objects.exclude(
            entry__kind=EntryKind.ADD,
            position=F("entry__log_position__position"),
            day=F("entry__day"),
            region=F("entry__region"),
        )
        .order_by("position")
        .values_list("entry_id", "position", "day", "region")[:20]
    )
    return [
        f"ledger entry {entry_id} (position {position}) is published but not in the public list"
        for entry_id, position in missing
    ] + [
        f"the public list has ledger entry {entry_id} at position {position}, day {day}, region "
        f"{region!r}: not what the ledger says"
        for entry_id, position, day, region in wrong
    ]


_LOG_STATS = {Stat.PERSONS, Stat.STATEMENTS, Stat.ORGANIZATION}
_CHUNK = 256 * 64


def _verify_log(size: int, rollups: Counter[Cell]) -> list[str]:
    problems: list[str] = []
    checkpoint = log.latest_checkpoint()
    if checkpoint is None:
        return [] if size == 0 else [f"integrated size is {size} but the log has no checkpoint"]
    if checkpoint.size != size:
        problems.append(f"latest checkpoint is of size {checkpoint.size}, not {size}")
    try:
        signed, _ = note.open_checkpoint(checkpoint.note, log.log_signer().verifier)
    except note.NoteError as exc:
        return [*problems, f"checkpoint {checkpoint.size}: {exc}"]
    if signed.size != checkpoint.size or signed.root != bytes(checkpoint.root):
        problems.append(f"checkpoint {checkpoint.size}: signed note differs from its row")
    try:
        tile_root = merkle.tree_root(signed.size, tiles.subtree_reader(log.read_tile))
    except tiles.TileError as exc:
        return [*problems, f"tiles: {exc}"]
    if tile_root != signed.root:
        problems.append(f"root from the tiles differs from checkpoint {signed.size}")

    leaf_range = merkle.CompactRange()
    tally = LogTally()
    for start in range(0, signed.size, _CHUNK):
        end = min(signed.size, start + _CHUNK)
        try:
            stored = log.leaves(start, end)
            expected = log.ledger_leaves(start, end)
        except (log.LogError, tiles.TileError) as exc:
            return [*problems, f"leaves {start}..{end}: {exc}"]
        for offset, (data, want) in enumerate(zip(stored, expected, strict=False)):
            if data != want:
                problems.append(f"leaf {start + offset} differs from its ledger entry")
            leaf_range.append(merkle.leaf_hash(data))
            try:
                tally.add(data)
            except LeafError as exc:
                problems.append(f"leaf {start + offset}: {exc}")
        if len(stored) != end - start:
            problems.append(f"leaves {start}..{end}: {len(stored)} stored")
    if leaf_range.root() != signed.root:
        problems.append(f"root of the stored leaves differs from checkpoint {signed.size}")
    expected_cells = Counter({c: v for c, v in rollups.items() if c[0] in _LOG_STATS})
    log_cells = Counter({c: v for c, v in tally.cells.items() if v})
    problems += _compare("rollup", expected_cells, "log", log_cells)
    return problems
