"""The statements in partitions by ranges of their id on PostgreSQL, and their external ids
unique through ExternalKey on both databases (statements migration 0018,
santui.statements.partitions): every path that stores a statement with an external id writes
its key with it, a pair already present is refused (one statement) or skipped (bulk loads, a
concurrent load included), the keys and the statements agree (`santui tally verify` says where
not), and migration 0018 back and forward keeps every statement, its id and its key."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.statements.actions import statement_receive
from santui.statements.bulk import statements_bulk_load, statements_copy_load
from santui.statements.models import (
    Channel,
    EntryKind,
    ExternalKey,
    LedgerEntry,
    NameKind,
    PublicCopy,
    Statement,
    StatusChange,
)
from santui.statements.partitions import STATEMENTS, partitioned, partitions_ensure
from santui.tally.verify import tally_verify
from tests.factories import ReceivedStatementFactory
from tests.intake.test_import_copy import row
from tests.statements.migrations_support import migrate, to_latest
from tests.statements.partition_support import (  # the fixture: for each test here
    fresh_partition_memory,  # noqa: F401
    home,
    next_ids_from,
    ranges,
)

pytestmark = pytest.mark.django_db(transaction=True)

SPAN = 10_000_000  # the default span, as migration 0018 made the first ranges with it
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps the statements in one table"
)
LOADS = {"rows": statements_bulk_load, "copy": statements_copy_load}


def _last_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {STATEMENTS}_id_seq")
        return int(cursor.fetchone()[0])


def _keys() -> set[tuple[str, str, int]]:
    return set(ExternalKey.objects.values_list("source", "external_id", "statement_id"))


def _mirrored() -> set[tuple[str, str, int]]:
    """What the keys should be: each statement's source, external id and id."""
    with_one = Statement.objects.filter(external_id__isnull=False)
    return set(with_one.values_list("source", "external_id", "id"))


def _receive(source: str, external_id: str | None) -> Statement:
    return statement_receive(
        channel=Channel.EMAIL, organizations=["party"], name_kind=NameKind.ANONYMOUS,
        text="退党", source=source, external_id=external_id, via="test",
    ).statement  # fmt: skip


@postgresql_only
def test_a_statement_lands_in_the_range_of_its_id_and_the_next_ranges_are_filled_to_90() -> None:
    assert partitioned(STATEMENTS)
    first = ReceivedStatementFactory()
    assert home(STATEMENTS, first.pk) == f"{STATEMENTS}_p0"
    top = max(high for _, high in ranges(STATEMENTS) if high is not None)
    next_ids_from(STATEMENTS, top + 5)  # as if the ranges ahead had not been made in time
    stray = ReceivedStatementFactory()
    # stored, not refused
    assert stray.pk == top + 5 and home(STATEMENTS, stray.pk) == f"{STATEMENTS}_default"

    made = partitions_ensure(STATEMENTS)
    assert made == [f"{STATEMENTS}_p{top + 6}", f"{STATEMENTS}_p{top + 6 + SPAN}"]
    after = ReceivedStatementFactory()
    assert home(STATEMENTS, after.pk) == f"{STATEMENTS}_p{top + 6}"
    with connection.cursor() as cursor:  # rows rewritten in place, as migration 0012 wants
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [made[0]])
        assert cursor.fetchone()[0] == ["fillfactor=90"]
    # the keys into the statements hold across partitions
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicCopy.objects.create(statement_id=top + 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=after.pk).update(
            status="rejected", reject_reason="duplicate", duplicate_of_id=top + 3
        )
    assert tally_verify().ok


@postgresql_only
def test_the_integrator_makes_the_statements_next_ranges_as_their_ids_come_near() -> None:
    from santui.tally.actions import tally_integrate

    top = max(high for _, high in ranges(STATEMENTS) if high is not None)
    next_ids_from(STATEMENTS, top - 2 * SPAN + 10)  # within two spans of the last range
    ReceivedStatementFactory()
    tally_integrate()
    assert ranges(STATEMENTS)[-1] == (top, top + SPAN)


def test_each_statement_with_an_external_id_has_its_key_and_a_second_one_is_refused() -> None:
    mail = _receive("email", "<m1@example.org>")
    _receive("web", None)  # the form's: no external id, no key
    _receive("other", "<m1@example.org>")  # the same id in another source
    assert _keys() == _mirrored() and len(_keys()) == 2
    assert ExternalKey.objects.get(source="email").statement_id == mail.pk
    count = Statement.objects.count()
    with pytest.raises(IntegrityError):
        _receive("email", "<m1@example.org>")
    assert Statement.objects.count() == count  # the statement refused with its key
    assert StatusChange.objects.count() == count
    assert tally_verify().ok


@pytest.mark.parametrize("path", sorted(LOADS))
def test_a_load_skips_the_rows_present_and_keys_those_it_stores(path: str) -> None:
    load = LOADS[path]
    _receive("import", "x1")  # stored before, by another path
    result = load(rows=[row("x1"), row("x2"), row("x3"), row("x2")], source="import", via="t")
    assert (result.inserted, result.already_present) == (2, 2)
    result = load(rows=[row("x3"), row("x4")], source="import", via="t")
    assert (result.inserted, result.already_present) == (1, 1)
    assert _keys() == _mirrored() and len(_keys()) == 4
    by_key = dict(Statement.objects.values_list("external_id", "id"))
    assert by_key["x2"] < by_key["x3"] < by_key["x4"]  # ids in the order the rows came
    assert tally_verify().ok


@postgresql_only
def test_a_rerun_of_the_copy_load_takes_no_id_from_the_sequence() -> None:
    rows = [row(f"r{i}") for i in range(5)]
    statements_copy_load(rows=rows, source="import", via="t")
    last = _last_id()
    assert statements_copy_load(rows=rows, source="import", via="t").already_present == 5
    assert _last_id() == last  # the ids stay a span of time: no gap for the rows skipped
    assert max(Statement.objects.values_list("id", flat=True)) == last


@postgresql_only
def test_a_key_another_load_is_writing_is_waited_for_and_skipped() -> None:
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"], autocommit=False,
    )  # fmt: skip
    theirs = ReceivedStatementFactory()
    results = []

    def load() -> None:
        try:
            rows = [row("c1"), row("c2")]
            results.append(statements_copy_load(rows=rows, source="import", via="t"))
        finally:
            connection.close()

    try:
        other.execute(
            f"INSERT INTO {ExternalKey._meta.db_table} (source, external_id, statement_id) "
            "VALUES ('import', 'c1', %s)",
            [theirs.pk],
        )  # not committed: our look for keys present does not see it
        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive()  # waiting for the other load's key
        other.commit()
        worker.join(timeout=30)
    finally:
        other.close()
    assert not worker.is_alive()
    assert [(r.inserted, r.already_present) for r in results] == [(1, 1)]
    assert ExternalKey.objects.get(external_id="c1").statement_id == theirs.pk
    assert list(Statement.objects.filter(external_id__isnull=False).values_list(
        "external_id", flat=True)) == ["c2"]  # fmt: skip


def test_verify_names_a_key_without_its_statement_and_a_statement_without_its_key() -> None:
    kept, lost = _receive("email", "k1"), _receive("email", "k2")
    ExternalKey.objects.filter(external_id="k2").delete()
    ExternalKey.objects.create(source="email", external_id="k3", statement_id=kept.pk)
    problems = tally_verify().problems
    assert f"statement {lost.pk} has an external id but not its external key" in problems
    assert (
        f"external key email:k3 names statement {kept.pk}, which is not there with that key"
        in problems
    )
    assert len(problems) == 2


def test_verify_names_an_audit_row_or_a_ledger_entry_whose_statement_is_not_there() -> None:
    """Neither has a foreign key constraint since migration 0018."""
    statement = _receive("email", "v1")
    entry = LedgerEntry.objects.create(
        kind=EntryKind.ADD, statement_id=statement.pk + 1000, day="2020-01-01", headcount=1,
        party=True, league=False, pioneers=False, current_party_member=False, channel="web",
        name_kind="anonymous",
    )  # fmt: skip
    change = StatusChange.objects.create(
        statement_id=statement.pk + 1001, to_status="received", via="t"
    )
    problems = tally_verify().problems
    assert f"ledger entry {entry.pk} names statement {statement.pk + 1000}, which is not there" in (
        problems
    )
    assert f"audit row {change.pk} names statement {statement.pk + 1001}, which is not there" in (
        problems
    )


@hsettings(max_examples=20, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    batches=st.lists(
        st.tuples(
            st.sampled_from(sorted(LOADS)),
            st.sampled_from(["a", "b"]),
            st.lists(st.sampled_from([f"e{i}" for i in range(8)]), min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_loads_store_each_pair_once_with_its_key(
    batches: list[tuple[str, str, list[str]]],
) -> None:
    Statement.objects.filter(source__in=["a", "b"]).update(external_id=None)  # earlier examples
    ExternalKey.objects.filter(source__in=["a", "b"]).delete()
    seen: set[tuple[str, str]] = set()
    for path, source, ids in batches:
        result = LOADS[path](rows=[row(e) for e in ids], source=source, via="t")
        fresh = {(source, e) for e in ids} - seen
        assert (result.inserted, result.already_present) == (len(fresh), len(ids) - len(fresh))
        seen |= fresh
    stored = Statement.objects.filter(source__in=["a", "b"], external_id__isnull=False)
    pairs = list(stored.values_list("source", "external_id"))
    assert sorted(pairs) == sorted(seen)  # each pair once
    assert {k for k in _keys() if k[0] in ("a", "b")} == {
        k for k in _mirrored() if k[0] in ("a", "b")
    }


def test_migration_0018_back_and_forward_keeps_every_statement_its_id_and_its_key(
    back_to_latest: None,
) -> None:
    _receive("email", "<one@example.org>")
    statements_bulk_load(rows=[row("m1"), row("m2")], source="import", via="t")
    _receive("web", None)
    before = sorted(Statement.objects.values_list("id", "source", "external_id", "status"))
    keys = _keys()
    migrate([("statements", "0017_ledger_partitions")])
    assert not partitioned(STATEMENTS)
    with connection.cursor() as cursor:  # the statements' own unique constraint is back
        cursor.execute(f"SELECT id, source, external_id, status FROM {STATEMENTS} ORDER BY id")
        assert cursor.fetchall() == before
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(f"UPDATE {STATEMENTS} SET external_id = 'm1' WHERE external_id = 'm2'")
    to_latest()
    assert partitioned(STATEMENTS) == (connection.vendor == "postgresql")
    assert sorted(Statement.objects.values_list("id", "source", "external_id", "status")) == before
    assert _keys() == keys == _mirrored()
    later = _receive("email", "<two@example.org>")
    assert later.pk > before[-1][0]  # the ids go on from where they were
    with pytest.raises(IntegrityError):
        _receive("email", "<one@example.org>")
    assert tally_verify().ok
