"""Bulk loading for imports and demo data: many statements per transaction, idempotent by
(source, external_id), which each statement's ExternalKey holds unique (statements migration
0018: the statements table, partitioned on PostgreSQL, cannot).

This is the one place that writes statements with hand-written INSERTs instead of the ORM, for
speed (see docs/benchmarks.md): it writes exactly what the single-statement actions write (the
statement, its creation audit row and, for accepted ones, the add ledger entry) and stays
covered by the same invariant tests (tally verify) as they are. On PostgreSQL the importer
loads through ``statements_copy_load`` instead (issue 15): the same rows, copied into a TEMP
staging table and moved with one set-based statement (tests/intake/test_import_copy.py compares
the two row for row).

Moderators' decisions over many statements (the back office's workbench and its background
jobs) are here too: ``statements_decide_held_bulk`` and ``statements_revoke_bulk`` write, for a
chunk of statements, the rows ``statement_accept`` and ``statement_reject`` write for each
(tests/statements/test_bulk_decisions.py compares them row by row).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from os import urandom
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from santui.statements.actions import COUNTED_FIELDS, SNAPSHOT_FIELDS, counted_snapshot
from santui.statements.crypto import text_sealer
from santui.statements.inserts import bound_cursor
from santui.statements.masking import statement_masked
from santui.statements.models import (
    EntryKind,
    ExternalKey,
    LedgerEntry,
    QueuedEntry,
    RejectReason,
    Statement,
    Status,
    StatusChange,
)
from santui.statements.public import search_columns


@dataclass(slots=True)
class StatementRow:
    external_id: str
    received_at: dt.datetime  # aware
    channel: str
    text: str
    party: bool
    league: bool
    pioneers: bool
    headcount: int
    name: str
    name_kind: str
    region: str
    sector: str
    current_party_member: bool | None
    publish: bool
    status: str  # received or accepted
    declarant: str = "self"  # santui.statements.models.Declarant


@dataclass(frozen=True, slots=True)
class BulkResult:
    inserted: int
    accepted: int
    already_present: int


_STATEMENT_COLUMNS = (
    "source", "external_id", "channel", "received_at", "text", "party", "league", "pioneers",
    "headcount", "name", "contact", "name_kind", "region", "sector", "current_party_member",
    "publish", "status", "reject_reason", "receipt_hash", "commitment", "created_at",
    "name_key", "search_text", "declarant", "text_masked", "decided_at",
)  # fmt: skip
# Statuses that are decisions: a statement entering one gets ``decided_at``, the time of its
# audit row (Statement.decided_at; retention finds the statements past their period by it).
DECISIONS = frozenset({Status.ACCEPTED, Status.REJECTED})
_CHANGE_COLUMNS = (
    "statement_id",
    "from_status",
    "to_status",
    "reason",
    "note",
    "actor_id",
    "via",
    "at",
)
_LEDGER_COLUMNS = ("kind", "statement_id", "revokes_id", *SNAPSHOT_FIELDS, "reason", "queued_at")


def insert_entries(rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert ledger entries (``_LEDGER_COLUMNS``) and queue them for the integrator, in the
    caller's transaction; return their ids. Every writer of the ledger goes through here or
    writes the queue's rows itself in the same statement (statements_copy_load)."""
    ids = [pk for (pk,) in insert_rows(LedgerEntry, _LEDGER_COLUMNS, rows, " RETURNING id")]
    insert_rows(QueuedEntry, ("entry_id",), [(pk,) for pk in ids])
    return ids


# Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
_MAX_PARAMS = 30_000


def int_array(values: Iterable[int | None]) -> str:
    """Integers in PostgreSQL's text form of an array ('{1,-2,NULL}'), for a ``%s::bigint[]``
    parameter. psycopg adapts a list element by element in Python, and Django's cursors quote
    each into the SQL text: 4.8 ms for 5,000 keys, where this string is made and quoted in C in
    1.5 ms (bench/bench_screen_speed.py: the screener sends a dozen such arrays a round)."""
    items = list(values)
    if None in items:
        return "{" + ",".join("NULL" if v is None else str(v) for v in items) + "}"
    return "{" + ",".join(map(str, items)) + "}"


def among(ids: Iterable[int]) -> Any:
    """The right side of ``field__in`` for many ids: on PostgreSQL one array parameter (a list
    of a thousand placeholders costs more in Django and psycopg than the query itself)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [int_array(ids)])
    return list(ids)


_INTEGER_TYPES = frozenset({"bigint", "integer", "smallint"})


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    suffix: str = "",
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` in few round trips; return what ``suffix``'s RETURNING gives back.

    For other bulk writers too (the screener): values as the database takes them (datetimes
    adapted, JSON as text, foreign keys as ids).

    PostgreSQL gets one array per column, unnested server-side (a dozen parameters whatever the
    row count: psycopg splits a query of thousands of placeholders in Python, which took longer
    than the insert itself). SQLite gets multi-row VALUES.
    """
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    statements: list[tuple[str, list[Any]]] = []
    if connection.vendor == "postgresql":
        by_column = {f.column: f for f in model._meta.concrete_fields}
        types = [by_column[c].db_type(connection) for c in columns]
        marks: list[str] = []
        params: list[Any] = []
        for db_type, values in zip(types, zip(*rows, strict=True), strict=True):
            if db_type in _INTEGER_TYPES and all(type(v) is int or v is None for v in values):
                marks.append(f"%s::{db_type}[]")  # integers as one string (int_array)
                params.append(int_array(values))
            else:
                marks.append(f"%b::{db_type}[]")
                params.append(list(values))
        sql = f"INSERT INTO {table} ({quoted}) SELECT * FROM unnest({', '.join(marks)}){suffix}"
        statements.append((sql, params))
    else:
        per_chunk = max(1, _MAX_PARAMS // len(columns))
        row_marks = f"({', '.join(['%s'] * len(columns))})"
        for i in range(0, len(rows), per_chunk):
            chunk = rows[i : i + per_chunk]
            values_list = ", ".join([row_marks] * len(chunk))
            sql = f"INSERT INTO {table} ({quoted}) VALUES {values_list}{suffix}"
            statements.append((sql, [value for row in chunk for value in row]))
    returned: list[tuple[Any, ...]] = []
    with bound_cursor() as cursor:
        for sql, bound in statements:
            cursor.execute(sql, bound)
            if suffix:
                returned += cursor.fetchall()
    return returned


def _sealed(seal: Callable[[str], bytes], text: str) -> bytes | None:
    """A text as its encrypted column stores it (EncryptedTextField: NULL for none), sealed
    with the batch's ``text_sealer``."""
    return seal(text) if text else None


_KEY_COLUMNS = ("source", "external_id", "statement_id")


def _present(source: str, external_ids: Sequence[str]) -> set[str]:
    """Those of ``external_ids`` that have an ExternalKey under ``source``."""
    found: set[str] = set()
    if connection.vendor == "postgresql":  # one array parameter (as ``among``)
        with bound_cursor() as cursor:
            cursor.execute(
                f"SELECT external_id FROM {ExternalKey._meta.db_table} "
                "WHERE source = %s AND external_id = ANY(%s::text[])",
                [source, list(external_ids)],
            )
            found.update(eid for (eid,) in cursor.fetchall())
        return found
    for i in range(0, len(external_ids), _MAX_PARAMS):
        chunk = external_ids[i : i + _MAX_PARAMS]
        keys = ExternalKey.objects.filter(source=source, external_id__in=chunk)
        found.update(keys.values_list("external_id", flat=True))
    return found


def statements_bulk_load(*, rows: Sequence[StatementRow], source: str, via: str) -> BulkResult:
    """Insert the rows not yet present under ``source`` in one transaction.

    The rows whose (source, external_id) has an ExternalKey are skipped; the others are
    inserted with their keys. On SQLite the transaction holds the database's write lock from
    its start (``transaction_mode`` IMMEDIATE), so nothing comes between the look and the
    insert. On PostgreSQL a load of the same source running at the same time makes the later
    batch fail with IntegrityError (a key already present), whole: imports there load through
    statements_copy_load, which skips such rows instead.
    """
    if not rows:
        return BulkResult(0, 0, 0)
    wanted: dict[str, StatementRow] = {}
    for row in rows:
        wanted.setdefault(row.external_id, row)  # a repeated id in one batch: first wins
    adapt_datetime = connection.ops.adapt_datetimefield_value
    now = adapt_datetime(timezone.now())
    seal = text_sealer()
    with transaction.atomic():
        for eid in _present(source, list(wanted)):
            del wanted[eid]
        inserted = insert_rows(
            Statement,
            _STATEMENT_COLUMNS,
            [
                (
                    source, r.external_id, r.channel, adapt_datetime(r.received_at),
                    _sealed(seal, r.text),
                    r.party, r.league, r.pioneers, r.headcount,
                    _sealed(seal, r.name), None, r.name_kind, r.region,
                    r.sector, r.current_party_member, r.publish, r.status, "", None,
                    urandom(32), now,
                    *search_columns(status=r.status, publish=r.publish, name=r.name,
                                    name_kind=r.name_kind, text=r.text),
                    r.declarant,
                    _sealed(seal, statement_masked(text=r.text, name=r.name, bulk=True)),
                    now if r.status in DECISIONS else None,
                )
                for r in wanted.values()
            ],
            " RETURNING id, external_id",
        )  # fmt: skip
        ids = {eid: pk for pk, eid in inserted}
        insert_rows(ExternalKey, _KEY_COLUMNS, [(source, eid, pk) for eid, pk in ids.items()])
        new = list(wanted.values())
        insert_rows(
            StatusChange,
            _CHANGE_COLUMNS,
            [(ids[r.external_id], "", r.status, "", "", None, via, now) for r in new],
        )
        accepted = [r for r in new if r.status == Status.ACCEPTED]
        insert_entries(
            [
                (EntryKind.ADD, ids[r.external_id], None, *counted_snapshot(r), "", now)
                for r in accepted
            ],
        )  # fmt: skip
    return BulkResult(len(new), len(accepted), len(rows) - len(new))


# --- bulk load through COPY (PostgreSQL) -------------------------------------------------------

# The staging table: a TEMP table (session-private, never WAL-logged, never on a replica, gone
# with the session) emptied in the transaction that fills it. It holds only what the real rows
# hold: texts, masked copies and names as their encrypted tokens, the name's keyed hash, the
# folded search copy (set only on accepted rows published with consent, as in the real table).
STAGE_TABLE = "santui_import_stage"
# (column, type): psycopg's binary COPY needs the exact types of the table it fills.
_STAGE_COLUMNS = (
    ("n", "int4"), ("external_id", "text"), ("channel", "text"), ("received_at", "timestamptz"),
    ("text", "bytea"), ("party", "bool"), ("league", "bool"), ("pioneers", "bool"),
    ("headcount", "int4"), ("name", "bytea"), ("name_kind", "text"), ("region", "text"),
    ("sector", "text"), ("current_party_member", "bool"), ("publish", "bool"),
    ("status", "text"), ("commitment", "bytea"), ("name_key", "text"), ("search_text", "text"),
    ("declarant", "text"), ("text_masked", "bytea"),
    # the counted snapshot's two computed values (counted_snapshot), for accepted rows
    ("day", "date"), ("province", "text"),
)  # fmt: skip
_STAGE_CREATE = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} ("
    + ", ".join(f"{c} {t}" for c, t in _STAGE_COLUMNS)
    + ") ON COMMIT DELETE ROWS"
)
_STAGE_COPY = (
    f"COPY {STAGE_TABLE} ({', '.join(c for c, _ in _STAGE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
)
# One statement moves the staged rows: first the keys of the statements not yet present, each
# with the id its statement will have (taken from the statements' sequence in file order, so
# that the ids follow it as in statements_bulk_load; a key another load wrote meanwhile is
# skipped by ON CONFLICT, after waiting for that load's end); then those statements, and for
# each one its creation audit row and, when accepted, its add ledger entry and its row of the
# queue, as statements_bulk_load writes them. The look for keys already present saves a rerun
# from taking an id from the sequence for each row it skips.
_STAGE_MOVE = f"""
WITH keys AS (
    INSERT INTO {ExternalKey._meta.db_table} (source, external_id, statement_id)
    SELECT %(source)s, external_id, nextval('{Statement._meta.db_table}_id_seq')
    FROM (
        SELECT s.external_id FROM {STAGE_TABLE} s
        WHERE NOT EXISTS (SELECT FROM {ExternalKey._meta.db_table} k
                          WHERE k.source = %(source)s AND k.external_id = s.external_id)
        ORDER BY s.n
    ) AS absent
    ON CONFLICT (source, external_id) DO NOTHING
    RETURNING statement_id, external_id
), new AS (
    INSERT INTO {Statement._meta.db_table} (
        id, source, external_id, channel, received_at, text, party, league, pioneers,
        headcount, name, contact, name_kind, region, sector, current_party_member, publish,
        status, reject_reason, receipt_hash, commitment, created_at, name_key, search_text,
        declarant, text_masked, decided_at)
    SELECT k.statement_id, %(source)s, s.external_id, s.channel, s.received_at, s.text, s.party,
        s.league, s.pioneers, s.headcount, s.name, NULL, s.name_kind, s.region, s.sector,
        s.current_party_member, s.publish, s.status, '', NULL, s.commitment, %(now)s,
        s.name_key, s.search_text, s.declarant, s.text_masked,
        CASE WHEN s.status = ANY(%(decisions)s) THEN %(now)s END
    FROM keys k JOIN {STAGE_TABLE} s ON s.external_id = k.external_id ORDER BY k.statement_id
    RETURNING id, external_id, status
), changes AS (
    INSERT INTO {StatusChange._meta.db_table} (
        statement_id, from_status, to_status, reason, note, actor_id, via, at)
    SELECT id, '', status, '', '', NULL, %(via)s, %(now)s FROM new ORDER BY id
), entries AS (
    INSERT INTO {LedgerEntry._meta.db_table} (
        kind, statement_id, revokes_id, day, headcount, party, league, pioneers,
        current_party_member, region, sector, channel, name_kind, declarant, reason, queued_at)
    SELECT %(add)s, new.id, NULL, s.day, s.headcount, s.party, s.league, s.pioneers,
        s.current_party_member IS TRUE, s.province, s.sector, s.channel, s.name_kind,
        s.declarant, '', %(now)s
    FROM new JOIN {STAGE_TABLE} s ON s.external_id = new.external_id
    WHERE new.status = %(accepted)s ORDER BY new.id
    RETURNING id
), queued AS (
    INSERT INTO {QueuedEntry._meta.db_table} (entry_id) SELECT id FROM entries
)
SELECT count(*), count(*) FILTER (WHERE status = %(accepted)s) FROM new
"""


def _staged(n: int, r: StatementRow, seal: Callable[[str], bytes]) -> tuple[Any, ...]:
    """One row of the staging table (_STAGE_COLUMNS): the values statements_bulk_load writes."""
    name_key, search_text = search_columns(
        status=r.status, publish=r.publish, name=r.name, name_kind=r.name_kind, text=r.text
    )
    if r.status == Status.ACCEPTED:
        snapshot = counted_snapshot(r)
        day, province = snapshot[0], snapshot[6]
    else:
        day = province = None
    return (
        n, r.external_id, r.channel, r.received_at, _sealed(seal, r.text), r.party, r.league,
        r.pioneers, r.headcount, _sealed(seal, r.name), r.name_kind,
        r.region, r.sector, r.current_party_member, r.publish, r.status, urandom(32), name_key,
        search_text, r.declarant,
        _sealed(seal, statement_masked(text=r.text, name=r.name, bulk=True)), day, province,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Staged:
    """A batch ready for COPY (statements_stage): its rows of the staging table, and how many
    rows were given (a repeated id in one batch is staged once: the first one)."""

    values: list[tuple[Any, ...]]
    given: int


def statements_stage(*, rows: Sequence[StatementRow]) -> Staged:
    """The Python half of statements_copy_load: each row's staged values (masked copy,
    encryption, search columns, counted snapshot). No database access: it may run anywhere."""
    wanted: dict[str, StatementRow] = {}
    for row in rows:
        wanted.setdefault(row.external_id, row)  # a repeated id in one batch: first wins
    seal = text_sealer()
    return Staged([_staged(n, r, seal) for n, r in enumerate(wanted.values())], len(rows))


def statements_copy_staged(*, staged: Staged, source: str, via: str) -> BulkResult:
    """The database half of statements_copy_load (PostgreSQL only): COPY the staged rows into
    the staging table, move them with _STAGE_MOVE, empty it; one transaction."""
    if not staged.values:
        return BulkResult(0, 0, staged.given)
    params = {
        "source": source, "via": via, "now": timezone.now(), "add": EntryKind.ADD,
        "accepted": Status.ACCEPTED, "decisions": sorted(d.value for d in DECISIONS),
    }  # fmt: skip
    with transaction.atomic(), bound_cursor() as cursor:
        cursor.execute(_STAGE_CREATE)
        with cursor.copy(_STAGE_COPY) as copy:
            copy.set_types([t for _, t in _STAGE_COLUMNS])
            for values in staged.values:
                copy.write_row(values)
        cursor.execute(_STAGE_MOVE, params)
        inserted, accepted = cursor.fetchone()
        # emptied here, not only at commit: a caller's outer transaction may load again
        cursor.execute(f"TRUNCATE {STAGE_TABLE}")
    return BulkResult(inserted, accepted, staged.given - inserted)


def statements_copy_load(*, rows: Sequence[StatementRow], source: str, via: str) -> BulkResult:
    """What statements_bulk_load does, through ``COPY`` on PostgreSQL (issue 15).

    The rows are copied (binary ``COPY FROM STDIN``) into a TEMP staging table, then moved by one
    set-based statement (``_STAGE_MOVE``: ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` for the
    statements, then the audit rows and ledger entries of those inserted), and the staging table
    is emptied, all in one transaction. Same rows, same values as statements_bulk_load
    (tests/intake/test_import_copy.py compares them). Elsewhere (SQLite) it is
    statements_bulk_load.
    """
    if connection.vendor != "postgresql":
        return statements_bulk_load(rows=rows, source=source, via=via)
    return statements_copy_staged(staged=statements_stage(rows=rows), source=source, via=via)


# --- screening decisions ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenedOutcome:
    """What the screener decided for one statement (santui.screening)."""

    statement: Statement  # loaded in the caller's transaction, status received
    decision: str  # accepted | held | duplicate
    note: str  # the rule set and the reasons, for the audit row
    duplicate_of: int | None = None


def _reject_duplicates(links: Sequence[tuple[int, int | None]], at: dt.datetime) -> None:
    """Reject received statements as duplicates of the statements given, decided ``at``, in
    one statement on PostgreSQL (a query per duplicate was a twentieth of a screening round)."""
    if connection.vendor == "postgresql" and links:
        table = connection.ops.quote_name(Statement._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET status = %s, reject_reason = %s,"
                " duplicate_of_id = v.of, decided_at = %s"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, of)"
                " WHERE s.id = v.id AND s.status = %s",
                [Status.REJECTED, RejectReason.DUPLICATE, at, int_array(pk for pk, _ in links),
                 int_array(of for _, of in links), Status.RECEIVED],
            )  # fmt: skip
        return
    for pk, of in links:  # SQLite runs in the process: a statement each costs little
        Statement.objects.filter(pk=pk, status=Status.RECEIVED).update(
            status=Status.REJECTED, reject_reason=RejectReason.DUPLICATE, duplicate_of_id=of,
            decided_at=at,
        )  # fmt: skip


def statements_apply_screening(*, outcomes: list[ScreenedOutcome], via: str) -> dict[str, int]:
    """Apply the screener's decisions to received statements, in bulk, in the caller's
    transaction: accepted ones are counted (an add ledger entry each, as statement_accept),
    held ones wait for a person, duplicates are rejected with reason ``duplicate`` and linked.

    Only rows still ``received`` change (a moderator may have decided one meanwhile: the
    caller locks the rows it loaded). Every change writes its audit row with ``note``.
    Returns how many of each decision were applied.
    """
    by_decision: dict[str, list[ScreenedOutcome]] = {"accepted": [], "held": [], "duplicate": []}
    for outcome in outcomes:
        if outcome.statement.status != Status.RECEIVED:
            continue
        by_decision[outcome.decision].append(outcome)
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    changes: list[tuple[Any, ...]] = []
    with transaction.atomic(savepoint=False):
        accepted = by_decision["accepted"]
        plain = [o.statement.pk for o in accepted if not o.statement.publish]
        if plain:
            Statement.objects.filter(pk__in=among(plain), status=Status.RECEIVED).update(
                status=Status.ACCEPTED, decided_at=moment
            )
        for o in accepted:
            s = o.statement
            s.status, s.decided_at = Status.ACCEPTED, moment
            if s.publish:  # public from now on: its search columns (as statement_accept)
                s.name_key, s.search_text = search_columns(
                    status=s.status, publish=True, name=s.name, name_kind=s.name_kind, text=s.text
                )
                s.save(update_fields=["status", "name_key", "search_text", "decided_at"])
        insert_entries(
            [(EntryKind.ADD, o.statement.pk, None, *counted_snapshot(o.statement), "", now)
             for o in accepted],
        )  # fmt: skip
        held = [o.statement.pk for o in by_decision["held"]]
        if held:
            Statement.objects.filter(pk__in=among(held), status=Status.RECEIVED).update(
                status=Status.HELD
            )
        _reject_duplicates(
            [(o.statement.pk, o.duplicate_of) for o in by_decision["duplicate"]], moment
        )
        for decision, group in by_decision.items():
            to_status = {"accepted": Status.ACCEPTED, "held": Status.HELD}.get(
                decision, Status.REJECTED
            )
            reason = RejectReason.DUPLICATE if decision == "duplicate" else ""
            changes += [
                (o.statement.pk, Status.RECEIVED, to_status, reason, o.note, None, via, now)
                for o in group
            ]
        insert_rows(StatusChange, _CHANGE_COLUMNS, changes)
    return {decision: len(group) for decision, group in by_decision.items()}


# --- moderators' decisions in bulk (the back office's workbench and its jobs) -----------------

# Why a statement of a bulk decision was not decided (keys of BulkDecided.refused)
REFUSED_NOT_HELD = "not_held"  # decided by someone else meanwhile, or never held
REFUSED_NOT_COUNTED = "not_counted"  # not (or no longer) counted: nothing to revoke
REFUSED_SECOND_PERSON = "second_person"  # its counted fields were edited by ``by`` (or by=None)

# What deciding reads of a statement: the counting snapshot, no personal data.
_DECIDE_FIELDS = ("id", "status", "publish", "received_at", *SNAPSHOT_FIELDS[1:])


@dataclass
class BulkDecided:
    """What a bulk decision did: the statements decided (in number order), their persons, and
    how many were refused, per reason."""

    decided: list[int] = field(default_factory=list)
    persons: int = 0
    refused: Counter[str] = field(default_factory=Counter)


def _counted_editors(ids: Sequence[int]) -> dict[int, set[int | None]]:
    """Who edited a counted field of each statement of ``ids`` (as actions.counted_editors)."""
    editors: dict[int, set[int | None]] = {}
    rows = StatusChange.objects.filter(
        statement_id__in=ids, changes__has_any_keys=list(COUNTED_FIELDS)
    ).values_list("statement_id", "actor_id")
    for statement_id, actor_id in rows:
        editors.setdefault(statement_id, set()).add(actor_id)
    return editors


def _locked(ids: Sequence[int], status: str) -> list[Statement]:
    """The statements of ``ids`` still in ``status``, locked, in number order (without their
    names and texts: nothing personal is decrypted)."""
    return list(
        Statement.objects.select_for_update()
        .filter(pk__in=ids, status=status)
        .only(*_DECIDE_FIELDS)
        .order_by("pk")
    )


def statements_decide_held_bulk(
    *,
    ids: Sequence[int],
    accept: bool,
    by: User | None,
    reason: str = "",
    note: str = "",
    via: str,
) -> BulkDecided:
    """Count (``accept``) or reject with ``reason`` the held statements of ``ids``, in the
    caller's transaction (or one of its own), with exactly the rows ``statement_accept`` and
    ``statement_reject`` write for each: the status, the search columns, the audit row (the
    note only on a rejection, as those actions do) and, when counting, the add ledger entry.

    Refused like those actions: a statement no longer held (``REFUSED_NOT_HELD``), and, when
    counting, one whose counted fields ``by`` (or anyone, for ``by=None``) edited
    (``REFUSED_SECOND_PERSON``).
    """
    if not accept and reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    wanted = sorted(set(ids))
    result = BulkDecided()
    if not wanted:
        return result
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    actor = by.pk if by is not None else None
    with transaction.atomic(savepoint=False):
        held = _locked(wanted, Status.HELD)
        result.refused[REFUSED_NOT_HELD] += len(wanted) - len(held)
        if accept:
            editors = _counted_editors([s.pk for s in held])
            blocked = {pk for pk, who in editors.items() if by is None or actor in who}
            result.refused[REFUSED_SECOND_PERSON] += sum(1 for s in held if s.pk in blocked)
            held = [s for s in held if s.pk not in blocked]
        if not held:
            return result
        pks = [s.pk for s in held]
        if accept:
            plain = [s.pk for s in held if not s.publish]
            Statement.objects.filter(pk__in=plain).update(
                status=Status.ACCEPTED, name_key=None, search_text=None, decided_at=moment
            )
            # Public from now on (consented): the search columns, as statement_accept.
            public = list(
                Statement.objects.filter(pk__in=[s.pk for s in held if s.publish]).only(
                    "id", "publish", "name", "name_kind", "text"
                )
            )
            for s in public:
                s.status, s.decided_at = Status.ACCEPTED, moment
                s.name_key, s.search_text = search_columns(
                    status=s.status, publish=True, name=s.name, name_kind=s.name_kind, text=s.text
                )
            Statement.objects.bulk_update(
                public, ["status", "name_key", "search_text", "decided_at"]
            )
            insert_entries(
                [(EntryKind.ADD, s.pk, None, *counted_snapshot(s), "", now)
                 for s in held],
            )  # fmt: skip
            to_status, reason, note = Status.ACCEPTED, "", ""
        else:
            Statement.objects.filter(pk__in=pks).update(
                status=Status.REJECTED, reject_reason=reason, name_key=None, search_text=None,
                decided_at=moment,
            )  # fmt: skip
            to_status = Status.REJECTED
        insert_rows(
            StatusChange,
            _CHANGE_COLUMNS,
            [(pk, Status.HELD, to_status, reason, note, actor, via, now) for pk in pks],
        )
    result.decided = pks
    result.persons = sum(s.headcount for s in held)
    return result


def statements_revoke_bulk(
    *, ids: Sequence[int], by: User | None, reason: str, note: str = "", via: str
) -> BulkDecided:
    """Reject the counted statements of ``ids`` with the public ``reason``, in the caller's
    transaction (or one of its own), with exactly the rows ``statement_reject`` writes for each:
    a revoke ledger entry copying the add it cancels, the status and reason, the search columns
    cleared, the audit row with ``note``. Statements not counted are refused
    (``REFUSED_NOT_COUNTED``), never revoked twice."""
    if reason not in RejectReason.values:
        raise ValueError(f"unknown reject reason {reason!r}")
    wanted = sorted(set(ids))
    result = BulkDecided()
    if not wanted:
        return result
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    with transaction.atomic(savepoint=False):
        counted = _locked(wanted, Status.ACCEPTED)
        result.refused[REFUSED_NOT_COUNTED] += len(wanted) - len(counted)
        if not counted:
            return result
        pks = [s.pk for s in counted]
        adds: dict[int, tuple[Any, ...]] = {}
        live = LedgerEntry.objects.filter(
            statement_id__in=pks, kind=EntryKind.ADD, revoked_by__isnull=True
        ).values_list("statement_id", "id", *SNAPSHOT_FIELDS)
        for statement_id, add_id, *snapshot in live:
            if statement_id in adds:
                raise LedgerEntry.MultipleObjectsReturned(
                    f"statement {statement_id}: more than one add entry to revoke"
                )
            adds[statement_id] = (add_id, *snapshot)
        missing = [pk for pk in pks if pk not in adds]
        if missing:
            raise LedgerEntry.DoesNotExist(f"statement {missing[0]}: no add entry to revoke")
        insert_entries(
            [(EntryKind.REVOKE, pk, adds[pk][0], *adds[pk][1:], reason, now)
             for pk in pks],
        )  # fmt: skip
        Statement.objects.filter(pk__in=pks).update(
            status=Status.REJECTED, reject_reason=reason, name_key=None, search_text=None,
            decided_at=moment,
        )  # fmt: skip
        actor = by.pk if by is not None else None
        insert_rows(
            StatusChange,
            _CHANGE_COLUMNS,
            [(pk, Status.ACCEPTED, Status.REJECTED, reason, note, actor, via, now) for pk in pks],
        )
    result.decided = pks
    result.persons = sum(s.headcount for s in counted)
    return result
