"""The BRIN index on ``received_at`` (statements migration 0010, issue 15): on PostgreSQL a
bulk invalidation's selection by time reads the pages of that time through it, not the table.
SQLite has no such index (nothing to test there)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection

from santui.backoffice import queue
from santui.backoffice.queue import Selection, counted_selection, selection_size

pytestmark = pytest.mark.django_db

ROWS = 40_000
START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("BRIN is PostgreSQL's")


def _insert_accepted(rows: int) -> None:
    """``rows`` accepted statements, one a minute from START, stored in the order received
    (as a live registry or an import in time order stores them)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO statements_statement (source, external_id, channel, received_at,"
            " text, party, league, pioneers, headcount, name, contact, name_kind, region,"
            " sector, current_party_member, publish, status, reject_reason, receipt_hash,"
            " created_at, commitment, declarant) "
            "SELECT 'test', NULL, 'web', %s + make_interval(mins => i), NULL, true, false,"
            " false, 1 + i %% 3, NULL, NULL, 'anonymous', '', '', NULL, false, 'accepted', '',"
            " NULL, now(), decode(md5(i::text) || md5((i + 7)::text), 'hex'), 'self'"
            " FROM generate_series(0, %s - 1) AS i",
            [START, rows],
        )
        cur.execute("ANALYZE statements_statement")


def test_the_index_is_a_brin_index_on_the_time_received() -> None:
    _postgresql_only()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT am.amname, pg_get_indexdef(c.oid) FROM pg_class c"
            " JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'statement_received_brin'"
        )
        found = cur.fetchone()
    assert found is not None
    method, definition = found
    assert method == "brin"
    assert "statements_statement" in definition and "(received_at)" in definition


def test_a_selection_by_time_reads_only_its_pages_through_the_index() -> None:
    _postgresql_only()
    _insert_accepted(ROWS)
    lo = START + dt.timedelta(minutes=20_000)
    chosen = Selection(received_from=lo, received_to=lo + dt.timedelta(hours=10))

    plan = counted_selection(chosen).explain()
    assert "statement_received_brin" in plan, plan
    assert "Seq Scan" not in plan, plan

    size = selection_size(chosen)  # the rows it reads are exactly the 600 of those ten hours
    assert size.statements == 600
    assert size.persons == sum(1 + i % 3 for i in range(20_000, 20_600))


def test_without_the_index_the_same_selection_reads_the_whole_table() -> None:
    """The counterpart: the plan above is the index's doing, not the table's size."""
    _postgresql_only()
    _insert_accepted(ROWS)
    lo = START + dt.timedelta(minutes=20_000)
    chosen = Selection(received_from=lo, received_to=lo + dt.timedelta(hours=10))
    with connection.cursor() as cur:
        cur.execute("DROP INDEX statement_received_brin")
    plan = counted_selection(chosen).explain()
    assert "statement_received_brin" not in plan
    assert "Seq Scan" in plan, plan
    assert selection_size(chosen).statements == 600


def _valid() -> bool | None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = 'statement_received_brin'"
        )
        found = cur.fetchone()
    return None if found is None else bool(found[0])


@pytest.mark.django_db(transaction=True)
def test_the_migration_builds_the_index_again_when_missing_or_left_invalid() -> None:
    """Built CONCURRENTLY, outside a transaction; a build that failed half-way leaves an
    invalid index, which the migration drops and builds again (a valid one it keeps)."""
    _postgresql_only()
    from django.apps import apps

    migration = importlib.import_module("santui.statements.migrations.0010_received_brin")
    with connection.schema_editor(atomic=False) as editor:
        migration.drop(apps, editor)
    assert _valid() is None
    with connection.schema_editor(atomic=False) as editor:
        migration.create(apps, editor)
    assert _valid() is True

    with connection.cursor() as cur:  # as a failed CREATE INDEX CONCURRENTLY leaves it
        cur.execute(
            "UPDATE pg_index SET indisvalid = false "
            "WHERE indexrelid = 'statement_received_brin'::regclass"
        )
    assert _valid() is False
    with connection.schema_editor(atomic=False) as editor:
        migration.create(apps, editor)
    assert _valid() is True
    with connection.schema_editor(atomic=False) as editor:
        migration.create(apps, editor)  # kept as it is
    assert _valid() is True


def _tuple_fraction() -> float:
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('cursor_tuple_fraction')")
        return float(cur.fetchone()[0])


def test_the_selections_cursor_is_planned_for_every_row_then_the_setting_is_given_back() -> None:
    """Planned for its first tenth (PostgreSQL's default for a cursor), the read in number
    order walks the whole primary key instead of the few pages of its time."""
    _postgresql_only()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL cursor_tuple_fraction = 0.3")  # the caller's, in its transaction
    seen: list[float] = []
    with queue._planned_for_every_row():
        seen.append(_tuple_fraction())
    assert seen == [1.0]
    assert _tuple_fraction() == 0.3

    _insert_accepted(1_000)
    lo = START + dt.timedelta(minutes=100)
    size = selection_size(Selection(received_from=lo, received_to=lo + dt.timedelta(minutes=50)))
    assert size.statements == 50
    assert _tuple_fraction() == 0.3
