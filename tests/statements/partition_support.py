"""What the tests of the partitioned ledger and statements share (statements migrations 0017
and 0018, santui.statements.partitions): where a row is stored, the ids a table gives next, and
its ranges; and a fixture that empties the module's memory of the ranges made."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from santui.statements import partitions


@pytest.fixture(autouse=True)
def fresh_partition_memory() -> Iterator[None]:
    """Imported by a test module, for each of its tests."""
    partitions.forget_seen()
    yield
    partitions.forget_seen()


def home(table: str, row_id: int) -> str:
    """The partition that holds the row ``row_id`` of ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])
        return str(cursor.fetchone()[0])


def next_ids_from(table: str, first: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first - 1])


def ranges(table: str) -> list[tuple[int | None, int | None]]:
    return [(p.low, p.high) for p in partitions.partitions(table) if not p.default]
