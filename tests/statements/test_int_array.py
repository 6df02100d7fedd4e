"""Integer arrays sent to PostgreSQL as one string (santui.statements.bulk.int_array) and
``among``, the right side of ``__in`` for many ids."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.statements.bulk import among, int_array
from santui.statements.models import Statement
from tests.factories import ReceivedStatementFactory

pytestmark = pytest.mark.django_db

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def test_text_form() -> None:
    assert int_array([]) == "{}"
    assert int_array([1, -2, 3]) == "{1,-2,3}"
    assert int_array([7, None]) == "{7,NULL}"
    assert int_array(k for k in (4, 5)) == "{4,5}"  # any iterable, read once


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(INT64, st.none()), max_size=40))
def test_postgresql_reads_back_the_same_integers(values: list[int | None]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the text form of an array is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::bigint[]", [int_array(values)])
        assert cursor.fetchone()[0] == values


def test_a_value_that_is_not_an_integer_is_refused_not_run() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the text form of an array is PostgreSQL's")
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Statement.objects.filter(pk__in=among(["1}; DROP TABLE x; --"])).count()  # type: ignore[list-item]


def test_among_selects_exactly_the_ids() -> None:
    made = ReceivedStatementFactory.create_batch(5)
    wanted = [made[0].pk, made[3].pk, made[4].pk, 10**12]
    assert sorted(Statement.objects.filter(pk__in=among(wanted)).values_list("pk", flat=True)) == [
        made[0].pk,
        made[3].pk,
        made[4].pk,
    ]
    assert not Statement.objects.filter(pk__in=among([])).exists()


@settings(max_examples=25, deadline=None)
@given(keys=st.lists(INT64, min_size=1, max_size=20, unique=True))
def test_insert_rows_stores_integers_as_given(keys: list[int]) -> None:
    """insert_rows sends integer columns as one string each on PostgreSQL: extreme values,
    NULLs and a column of other types beside them arrive as given."""
    from django.db import transaction
    from django.utils import timezone

    from santui.screening.actions import _insert_screenings, _new_screening
    from santui.screening.models import Kind, Screening, ScreenKey
    from santui.statements.bulk import insert_rows

    with transaction.atomic():
        s = ReceivedStatementFactory()
        insert_rows(
            ScreenKey, ("key", "kind", "statement_id"), [(k, Kind.BAND, s.pk) for k in keys]
        )
        stored = ScreenKey.objects.filter(statement_id=s.pk)
        assert sorted(stored.values_list("key", flat=True)) == sorted(keys)
        assert set(stored.values_list("kind", flat=True)) == {Kind.BAND}
        now = timezone.now()
        person = keys[0] if len(keys) % 2 else None
        record = _new_screening(statement_id=s.pk, received_at=now, person_key=person)
        _insert_screenings([record])  # every column, through insert_rows
        record = Screening.objects.get(pk=s.pk)
        assert (record.person_key, record.duplicate_of_id, record.received_at) == (
            person,
            None,
            now,
        )
        transaction.set_rollback(True)
