"""Reading PostgreSQL's plans in tests, with the statements and the ledger partitioned by ranges
of their id (statements migrations 0017 and 0018)."""

from __future__ import annotations

import re


def table_scans(plan: str, table: str) -> list[str]:
    """The lines of ``plan`` that scan ``table``, or a partition of it, sequentially and read
    something. The ranges made ahead of the ids and the DEFAULT partition are empty: a scan of
    one (no page: cost 0.00..0.00) reads nothing, and the planner cannot leave it out of a
    query that does not say the id."""
    scans = re.findall(rf"Seq Scan on {table}(?:_p\d+|_default)? .*", plan)
    return [scan for scan in scans if "cost=0.00..0.00 " not in scan]
