"""The ledger in partitions by ranges of its id on PostgreSQL (statements migration 0017,
santui.statements.partitions): each entry lands in the partition of its id, one past the last
range in the DEFAULT partition and is never refused, the next partitions are made ahead of the
ids (above any stray entry) and not at the cost of waiting behind a long read; SQLite keeps one
table. Migration 0017 back and forward keeps every entry and the ids' sequence."""

from __future__ import annotations

import io
import itertools
import json
import logging
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.intake.importer import run_import
from santui.statements import partitions
from santui.statements.actions import statement_reject
from santui.statements.models import EntryKind, LedgerEntry, QueuedEntry, Statement
from santui.statements.partitions import (
    LEDGER,
    STATEMENTS,
    ledger_partitioned,
    ledger_partitions,
    ledger_partitions_ensure,
)
from santui.tally.actions import _fold_sql, tally_integrate
from santui.tally.log import LogError, _leaf_rows_sql
from santui.tally.models import IntegrationState
from santui.tally.verify import tally_verify
from tests.factories import AcceptedStatementFactory
from tests.statements.partition_support import (  # the fixture: for each test here
    fresh_partition_memory,  # noqa: F401
    home,
    next_ids_from,
    ranges,
)

pytestmark = pytest.mark.django_db(transaction=True)

SPAN = 10_000_000  # the default span, as migration 0017 made the first ranges with it
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps the ledger in one table"
)


def _add(**kwargs: Any) -> LedgerEntry:
    return LedgerEntry.objects.get(statement=AcceptedStatementFactory(**kwargs), kind="add")


@postgresql_only
def test_an_entry_lands_in_the_range_of_its_id_and_past_the_last_range_in_the_default() -> None:
    assert ledger_partitioned()
    first = _add()
    assert home(LEDGER, first.pk) == f"{LEDGER}_p0"
    assert ledger_partitions_ensure() == []  # room enough: nothing to make

    top = max(high for _, high in ranges(LEDGER) if high is not None)
    next_ids_from(LEDGER, top + 5)  # as if the ranges ahead had not been made in time
    stray = _add()
    # stored, not refused
    assert stray.pk == top + 5 and home(LEDGER, stray.pk) == f"{LEDGER}_default"

    made = ledger_partitions_ensure()
    # the next range starts above the stray entry, which stays where it is
    assert made == [f"{LEDGER}_p{top + 6}", f"{LEDGER}_p{top + 6 + SPAN}"]
    assert ranges(LEDGER)[-2:] == [(top + 6, top + 6 + SPAN), (top + 6 + SPAN, top + 6 + 2 * SPAN)]
    after = _add()
    assert home(LEDGER, after.pk) == f"{LEDGER}_p{top + 6}"
    assert home(LEDGER, stray.pk) == f"{LEDGER}_default"

    statement_reject(statement=stray.statement, by=None, reason="spam", via="t")
    revoke = LedgerEntry.objects.get(statement=stray.statement, kind=EntryKind.REVOKE)
    assert home(LEDGER, revoke.pk) == f"{LEDGER}_p{top + 6}"
    assert tally_integrate().entries == 4
    assert tally_verify().ok
    with pytest.raises(IntegrityError), transaction.atomic():  # the keys hold across partitions
        LedgerEntry.objects.filter(pk=revoke.pk).update(revokes_id=top + 3)  # an id of no entry

    # the queue's rows have no foreign key: one naming no entry fails its batch whole, and
    # verify names it
    QueuedEntry.objects.create(entry_id=top + 3)
    with pytest.raises(LogError):
        tally_integrate()
    assert IntegrationState.objects.get(pk=1).size == 4  # nothing of the batch was kept
    assert f"queued entry {top + 3} is not in the ledger" in tally_verify().problems


@postgresql_only
def test_the_integrator_makes_the_next_ranges_as_the_ids_come_near() -> None:
    top = max(high for _, high in ranges(LEDGER) if high is not None)
    next_ids_from(LEDGER, top - 2 * SPAN + 10)  # within two spans of the last range
    _add()
    tally_integrate()
    assert ranges(LEDGER)[-1] == (top, top + SPAN)  # one more, from where the last ended


@postgresql_only
def test_a_long_read_of_the_ledger_is_not_waited_for(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "200ms")
    top = max(high for _, high in ranges(LEDGER) if high is not None)
    next_ids_from(LEDGER, top - SPAN)
    _add()
    settings = connection.settings_dict
    reader = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"], autocommit=False,
    )  # fmt: skip
    try:
        reader.execute(f"SELECT count(*) FROM {LEDGER}")  # holds its lock until it ends
        with caplog.at_level(logging.WARNING, logger="santui.partitions"):
            assert ledger_partitions_ensure() == []
        assert "not made" in caplog.text
        assert ranges(LEDGER)[-1][1] == top
    finally:
        reader.close()
    assert ledger_partitions_ensure() == [f"{LEDGER}_p{top}"]  # tried again, and made


def test_sqlite_keeps_one_table() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL partitions the ledger")
    _add()
    assert not ledger_partitioned()
    assert ledger_partitions() == [] and ledger_partitions_ensure() == []


def test_verify_names_an_add_revoked_twice() -> None:
    add = _add()
    statement_reject(statement=add.statement, by=None, reason="spam", via="t")
    revoke = LedgerEntry.objects.get(kind=EntryKind.REVOKE)
    tally_integrate()
    assert tally_verify().ok
    fields = {f: getattr(revoke, f) for f in ("day", "headcount", "party", "league", "pioneers")}
    again = LedgerEntry.objects.create(
        kind=EntryKind.REVOKE, statement=add.statement, revokes=add, reason="spam",
        current_party_member=revoke.current_party_member, region=revoke.region,
        sector=revoke.sector, channel=revoke.channel, name_kind=revoke.name_kind, **fields,
    )  # fmt: skip
    QueuedEntry.objects.create(entry=again)
    problems = tally_verify().problems
    assert f"ledger entry {add.pk} is revoked 2 times" in problems


def test_verify_names_a_revoke_of_another_statements_add() -> None:
    add, other = _add(), _add()
    statement_reject(statement=add.statement, by=None, reason="spam", via="t")
    revoke = LedgerEntry.objects.get(kind=EntryKind.REVOKE)
    LedgerEntry.objects.filter(pk=revoke.pk).update(revokes=other)
    problems = tally_verify().problems
    assert f"ledger entry {revoke.pk} revokes {other.pk}, not an add of its statement" in problems


def _migrate(target: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target or executor.loader.graph.leaf_nodes())


def _entries() -> list[tuple[Any, ...]]:
    return sorted(
        LedgerEntry.objects.values_list("id", "kind", "statement_id", "revokes_id", "headcount")
    )


def test_migration_0017_back_and_forward_keeps_every_entry_and_the_ids() -> None:
    adds = [_add(headcount=n) for n in (1, 2, 3)]
    statement_reject(statement=adds[0].statement, by=None, reason="spam", via="t")
    tally_integrate()
    before = _entries()
    try:
        _migrate([("statements", "0016_positions_off_ledger")])
        assert not ledger_partitioned()
        assert _entries() == before
        if connection.vendor == "postgresql":  # the unique index is back at 0016
            revoke = LedgerEntry.objects.get(kind=EntryKind.REVOKE)
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
                c.execute(
                    f"INSERT INTO {LEDGER} (kind, statement_id, revokes_id, day, headcount, "
                    "party, league, pioneers, current_party_member, region, sector, channel, "
                    "name_kind, declarant, reason, queued_at) SELECT kind, statement_id, "
                    "revokes_id, day, headcount, party, league, pioneers, current_party_member, "
                    "region, sector, channel, name_kind, declarant, reason, queued_at "
                    f"FROM {LEDGER} WHERE id = %s",
                    [revoke.pk],
                )
    finally:
        _migrate()
    assert ledger_partitioned() == (connection.vendor == "postgresql")
    assert _entries() == before
    later = _add()
    assert later.pk > before[-1][0]  # the ids go on from where they were
    assert tally_integrate().entries == 1
    assert tally_verify().ok


def test_the_tally_partitions_command_lists_them_and_makes_those_due() -> None:
    out = io.StringIO()
    if connection.vendor != "postgresql":
        call_command("tally", "partitions", stdout=out)
        assert "one table" in out.getvalue()
        return
    top = max(high for _, high in ranges(LEDGER) if high is not None)
    next_ids_from(LEDGER, top - SPAN)
    _add()
    call_command("tally", "partitions", stdout=out)
    made, *listed = out.getvalue().splitlines()
    assert made == f"made {LEDGER}_p{top}"
    # the statements' partitions, then the ledger's, each in id order with its DEFAULT last
    statements = [line for line in listed if line.startswith(STATEMENTS)]
    lines = [line for line in listed if line.startswith(LEDGER)]
    assert listed == statements + lines and len(statements) == 4
    assert statements[0].startswith(f"{STATEMENTS}_p0 ") and "ids MINVALUE to" in statements[0]
    assert statements[-1].startswith(f"{STATEMENTS}_default ") and "DEFAULT" in statements[-1]
    assert lines[0].startswith(f"{LEDGER}_p0 ") and "ids MINVALUE to" in lines[0]
    assert f"ids {top} to {top + SPAN}" in lines[-2]
    assert lines[-1].startswith(f"{LEDGER}_default ") and "DEFAULT" in lines[-1]


@postgresql_only
def test_an_import_makes_the_next_ranges_before_its_batches_need_them() -> None:
    top = max(high for _, high in ranges(LEDGER) if high is not None)
    next_ids_from(LEDGER, top - SPAN)  # the next range is due
    rows = [
        {"external_id": f"p{i}", "received_at": "2005-01-03", "channel": "web",
         "organizations": ["party"], "status": "accepted"}
        for i in range(3)
    ]  # fmt: skip
    stream = io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in rows))
    summary = run_import(stream, fmt="jsonl", source="t", rejects=io.BytesIO(), batch_size=2)
    assert summary.imported == 3
    # one range made at each batch: before the first and, two ids on, before the second
    assert ranges(LEDGER)[-2:] == [(top, top + SPAN), (top + SPAN, top + 2 * SPAN)]
    homes = {home(LEDGER, e.pk) for e in LedgerEntry.objects.all()}
    assert homes == {f"{LEDGER}_p{top - SPAN}"}


@postgresql_only
def test_a_batch_reads_only_the_partitions_that_hold_its_entries() -> None:
    (one, _), (other, _) = ranges(LEDGER)[-2:]
    next_ids_from(LEDGER, one)
    _add()
    tally_integrate()  # position 0, in one range
    next_ids_from(LEDGER, other)
    batch = [_add().pk, _add().pk]  # positions 1 and 2, in the next
    params = [1, 3, min(batch), max(batch)]
    with connection.cursor() as cursor:
        for sql in (_fold_sql(), _leaf_rows_sql()):
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
            assert f"{LEDGER}_p{other} " in plan, plan
            assert f"{LEDGER}_p{one} " not in plan, plan
    assert tally_integrate().entries == 2
    assert tally_verify().ok


STEP = st.one_of(
    st.tuples(st.just("jump"), st.integers(0, 40)),  # ids given and never used (rolled back)
    st.tuples(st.just("insert"), st.integers(1, 12)),
    st.tuples(st.just("ensure"), st.just(0)),
)


@postgresql_only
@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=st.lists(STEP, max_size=12))
def test_any_sequence_of_ids_keeps_every_entry_and_the_ranges_in_order(
    steps: list[tuple[str, int]],
) -> None:
    span, ahead = 5, 2
    statement = Statement.objects.first() or AcceptedStatementFactory.create()
    before = {p.name for p in ledger_partitions()}
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {QueuedEntry._meta.db_table}")
        cursor.execute(f"DELETE FROM {LEDGER}")  # only the entries of the steps below
        cursor.execute("SELECT last_value FROM statements_ledgerentry_id_seq")
        (start,) = cursor.fetchone()
    # past the ranges
    next_ids_from(LEDGER, max(high for _, high in ranges(LEDGER) if high is not None))
    written: list[int] = []
    try:
        partitions.forget_seen()
        for step, n in steps:
            with connection.cursor() as cursor:
                if step == "jump":
                    cursor.execute("SELECT nextval('statements_ledgerentry_id_seq') "
                                   "FROM generate_series(1, %s)", [n])  # fmt: skip
                elif step == "insert":
                    written += _raw_adds(cursor, statement.pk, n)
                else:
                    made = ledger_partitions_ensure(span=span, ahead=ahead)
                    assert len(made) <= ahead + 1
                    made_ranges = ranges(LEDGER)
                    assert all(a[1] is not None and b[0] is not None and a[1] <= b[0]
                               for a, b in itertools.pairwise(made_ranges))  # fmt: skip
                    cursor.execute("SELECT last_value FROM statements_ledgerentry_id_seq")
                    assert made_ranges[-1][1] >= cursor.fetchone()[0] + ahead * span
        # every entry is stored once, in the range that holds its id or else in the DEFAULT
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, tableoid::regclass::text FROM {LEDGER}")
            homes = dict(cursor.fetchall())
        assert sorted(homes) == sorted(written)
        by_name = {p.name: p for p in ledger_partitions()}
        for entry_id, home in homes.items():
            p = by_name[home]
            inside = (p.low is None or p.low <= entry_id) and entry_id < (p.high or 0)
            assert p.default or inside
    finally:  # the next example starts from the same ledger
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {LEDGER}")
            for p in ledger_partitions():
                if p.name not in before:  # the keys into the ledger: detached first
                    cursor.execute(f"ALTER TABLE {LEDGER} DETACH PARTITION {p.name}")
                    cursor.execute(f"DROP TABLE {p.name}")
            cursor.execute("SELECT setval('statements_ledgerentry_id_seq', %s)", [start])
        partitions.forget_seen()


def _raw_adds(cursor: Any, statement_id: int, n: int) -> list[int]:
    cursor.execute(
        f"INSERT INTO {LEDGER} (kind, statement_id, day, headcount, party, league, pioneers, "
        "current_party_member, region, sector, channel, name_kind, declarant, reason, "
        "queued_at) SELECT 'add', %s, '2020-01-01', 1, true, false, false, false, '', '', "
        "'web', 'real', 'self', '', now() FROM generate_series(1, %s) RETURNING id",
        [statement_id, n],
    )
    return [entry_id for (entry_id,) in cursor.fetchall()]


@postgresql_only
def test_no_partition_is_made_inside_a_callers_transaction() -> None:
    top = max(high for _, high in ranges(LEDGER) if high is not None)
    next_ids_from(LEDGER, top - SPAN)  # the next range is due
    with transaction.atomic():
        assert ledger_partitions_ensure() == []  # its lock would last the caller's transaction
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "0"  # and no setting of its own left behind
    assert ledger_partitions_ensure() == [f"{LEDGER}_p{top}"]
