"""The partial index of public statements (statements migration 0011, issue 15): the office's
round of published copies (``refresh_public_copies``, every two seconds) reads the public
statements through it, never the whole statements table."""

from __future__ import annotations

import pytest
from django.db import connection

from santui.statements.models import PublicCopy, Statement
from santui.statements.public import _public_statements, refresh_public_copies
from tests.backoffice.test_received_index import insert_accepted
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory
from tests.plans import table_scans

pytestmark = pytest.mark.django_db


def _waiting_plan() -> str:
    """The plan of the round's two reads: public statements without a copy (in number order,
    as many as a round takes), and copies whose statement is no longer public."""
    waiting = Statement.objects.filter(_public_statements(), public_copy__isnull=True)
    stale = PublicCopy.objects.exclude(statement__in=Statement.objects.filter(_public_statements()))
    return waiting.order_by("pk").only("pk")[:2000].explain() + "\n" + stale.explain()


def test_the_round_reads_the_public_statements_through_their_index() -> None:
    if connection.vendor == "postgresql":
        insert_accepted(40_000, public_every=50)
    else:
        AcceptedStatementFactory(publish=True)
        AcceptedStatementFactory(publish=False)
        ReceivedStatementFactory(publish=True)
    plan = _waiting_plan()
    assert "statement_public" in plan, plan
    if connection.vendor == "postgresql":
        assert table_scans(plan, "statements_statement") == [], plan
    else:  # every scan of the statements goes through the index, none over the table
        scans = [line for line in plan.splitlines() if "SCAN statements_statement" in line
                 or "SCAN U0" in line]  # fmt: skip
        assert scans and all("USING INDEX statement_public" in line for line in scans), plan


def test_the_round_still_writes_and_deletes_the_right_copies() -> None:
    public = AcceptedStatementFactory(publish=True, name="李平", text="我退出少先队。李平")
    hidden = AcceptedStatementFactory(publish=False, text="我退出共青团")
    ReceivedStatementFactory(publish=True)
    assert refresh_public_copies() == (1, 0, 0)
    assert list(PublicCopy.objects.values_list("statement_id", flat=True)) == [public.pk]
    Statement.objects.filter(pk=public.pk).update(publish=False)  # consent withdrawn
    assert refresh_public_copies() == (0, 1, 0)
    assert not PublicCopy.objects.exists()
    assert hidden.pk not in PublicCopy.objects.values_list("statement_id", flat=True)
