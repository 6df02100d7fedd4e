"""The BRIN index on ``received_at`` (statements migration 0010, issue 15): on PostgreSQL a
bulk invalidation's selection by time reads the pages of that time through it, not the table.
SQLite has no such index (nothing to test there)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from santui.backoffice import queue
from santui.backoffice.queue import Selection, counted_selection, selection_size
from tests.plans import table_scans

pytestmark = pytest.mark.django_db

ROWS = 40_000
START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("BRIN is PostgreSQL's")


def insert_accepted(rows: int, *, public_every: int = 0) -> None:
    """``rows`` accepted statements, one a minute from START, stored in the order received
    (as a live registry or an import in time order stores them); one in ``public_every``
    published with consent (none if 0). PostgreSQL (generate_series)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO statements_statement (source, external_id, channel, received_at,"
            " text, party, league, pioneers, headcount, name, contact, name_kind, region,"
            " sector, current_party_member, publish, status, reject_reason, receipt_hash,"
            " created_at, commitment, declarant) "
            "SELECT 'test', NULL, 'web', %s + make_interval(mins => i), NULL, true, false,"
            " false, 1 + i %% 3, NULL, NULL, 'anonymous', '', '', NULL,"
            " %s > 0 AND i %% greatest(%s, 1) = 0, 'accepted', '', NULL, now(),"
            " decode(md5(i::text) || md5((i + 7)::text), 'hex'), 'self'"
            " FROM generate_series(0, %s - 1) AS i",
            [START, public_every, public_every, rows],
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
    insert_accepted(ROWS)
    lo = START + dt.timedelta(minutes=20_000)
    chosen = Selection(received_from=lo, received_to=lo + dt.timedelta(hours=10))

    plan = counted_selection(chosen).explain()
    assert "statement_received_brin" in plan, plan
    assert table_scans(plan, "statements_statement") == [], plan

    size = selection_size(chosen)  # the rows it reads are exactly the 600 of those ten hours
    assert size.statements == 600
    assert size.persons == sum(1 + i % 3 for i in range(20_000, 20_600))


def test_without_the_index_the_same_selection_reads_the_whole_table() -> None:
    """The counterpart: the plan above is the index's doing, not the table's size."""
    _postgresql_only()
    insert_accepted(ROWS)
    lo = START + dt.timedelta(minutes=20_000)
    chosen = Selection(received_from=lo, received_to=lo + dt.timedelta(hours=10))
    with connection.cursor() as cur:
        cur.execute("DROP INDEX statement_received_brin")
    plan = counted_selection(chosen).explain()
    assert "statement_received_brin" not in plan
    assert "Seq Scan" in plan, plan
    assert selection_size(chosen).statements == 600


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

    insert_accepted(1_000)
    lo = START + dt.timedelta(minutes=100)
    size = selection_size(Selection(received_from=lo, received_to=lo + dt.timedelta(minutes=50)))
    assert size.statements == 50
    assert _tuple_fraction() == 0.3


def test_statements_pages_keep_room_for_a_rewritten_row() -> None:
    """Filled to 90 % (statements migration 0012): a statement rewritten (accepted, say)
    stays in its page, and the BRIN range of that page keeps its span of times."""
    _postgresql_only()
    with connection.cursor() as cur:  # each partition (migration 0018), the first one the
        cur.execute(  # table of migration 0012, the others made by santui.statements.partitions
            "SELECT c.reloptions FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'statements_statement'::regclass"
        )
        options = [row[0] for row in cur.fetchall()]
        assert len(options) == 4 and all("fillfactor=90" in (o or []) for o in options)
    insert_accepted(2_000)
    with connection.cursor() as cur:
        cur.execute("SELECT count(DISTINCT (ctid::text::point)[0]) FROM statements_statement")
        pages = cur.fetchone()[0]
        cur.execute(
            "SELECT array_agg(id ORDER BY id), array_agg((ctid::text::point)[0] ORDER BY id) "
            "FROM statements_statement WHERE id % 20 = 0"
        )
        ids, before = cur.fetchone()
        # a change of publish is never a HOT update here (statement_public's condition)
        cur.execute("UPDATE statements_statement SET publish = true WHERE id % 20 = 0")
        cur.execute(
            "SELECT array_agg((ctid::text::point)[0] ORDER BY id) FROM statements_statement "
            "WHERE id = ANY(%s)",
            [ids],
        )
        after = cur.fetchone()[0]
    assert pages > 10
    assert after == before  # every rewritten row found room in its own page
