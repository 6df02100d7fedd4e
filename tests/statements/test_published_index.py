"""The public statement list's indexes on the published entries (statements migration 0015, issue
15): on PostgreSQL a region or an old date range reads the narrow table of published adds
through its indexes, never the whole ledger, which no longer carries them; the ledger's rows
by their key."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection, transaction

from santui.statements.models import LedgerEntry, PublishedEntry
from santui.statements.public import StatementQuery, _serial_plans, public_page, public_search
from santui.tally.actions import tally_integrate
from tests.backoffice.test_received_index import insert_accepted
from tests.plans import table_scans

pytestmark = pytest.mark.django_db

ROWS = 40_000
PUBLIC_EVERY = 4  # a published table large enough for its indexes to be worth reading
REGIONS = ("110000", "US", "540000", "440000", "HK")


def _queue_adds() -> None:
    """The add entry of every statement inserted by ``insert_accepted``, queued, one region of
    REGIONS in turn, the day of its time received (UTC is enough here)."""
    regions = ", ".join(f"'{r}'" for r in REGIONS)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO statements_ledgerentry (kind, statement_id, revokes_id, day, headcount,"
            " party, league, pioneers, current_party_member, region, sector, channel,"
            " name_kind, declarant, reason, queued_at) "
            f"SELECT 'add', id, NULL, received_at::date, headcount, party, league, pioneers,"
            f" false, (ARRAY[{regions}])[1 + id % {len(REGIONS)}], '', channel, name_kind,"
            " declarant, '', now() FROM statements_statement ORDER BY id"
        )
        cur.execute(
            "INSERT INTO statements_queuedentry (entry_id) SELECT id FROM statements_ledgerentry"
        )


def _plan(query: StatementQuery) -> str:
    with transaction.atomic():
        _serial_plans()  # as public_page reads
        return public_search(query=query)[:51].explain()


def test_the_lists_filters_read_the_published_entries_not_the_ledger() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the plans of PostgreSQL")
    insert_accepted(ROWS, public_every=PUBLIC_EVERY)
    _queue_adds()
    assert tally_integrate().entries == ROWS
    assert PublishedEntry.objects.count() == ROWS // PUBLIC_EVERY
    with connection.cursor() as cur:
        cur.execute("ANALYZE statements_ledgerentry")
        cur.execute("ANALYZE statements_publishedentry")

    region = _plan(StatementQuery(region="540000"))
    assert "published_region" in region, region
    old = _plan(StatementQuery(date_from=dt.date(2020, 1, 3), date_to=dt.date(2020, 1, 4)))
    for plan in (region, old, _plan(StatementQuery())):
        # a lookup by id reads each partition of the ledger (migration 0017) through its key;
        # an empty one (no page: nothing to read) by a scan of nothing, pruned when it runs
        assert table_scans(plan, "statements_ledgerentry") == [], plan
        assert re.search(r"Index Scan using statements_ledgerentry_p\d+_pkey", plan), plan
        assert "Seq Scan on statements_publishedentry" not in plan, plan

    # and the page is right: the newest 50 of that region, newest first
    page = public_page(query=StatementQuery(region="540000"), size=50)
    want = list(
        LedgerEntry.objects.filter(
            kind="add", region="540000", statement__publish=True, log_position__isnull=False
        )
        .order_by("-log_position__position")
        .values_list("log_position__position", flat=True)[:50]
    )
    assert [e.position for e in page.entries] == want and len(want) == 50
