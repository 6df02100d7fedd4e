"""The screener builds its working records positionally (``_new_screening``, for speed): the
same record as Django's keyword construction, field for field, with fresh mutable defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from santui.screening.actions import _new_screening
from santui.screening.models import Screening

values = st.fixed_dictionaries(
    {},
    optional={
        "statement_id": st.integers(1, 2**40),
        "received_at": st.datetimes(timezones=st.just(dt.UTC)),
        "province": st.text(max_size=3),
        "place": st.text(max_size=6),
        "channel": st.sampled_from(["web", "email", "phone"]),
        "named": st.booleans(),
        "real_name": st.booleans(),
        "person_key": st.none() | st.integers(-(2**63), 2**63 - 1),
        "found": st.lists(st.sampled_from(["future", "unscreenable", "no_quitting"])),
        "random_name": st.booleans(),
        "decision": st.sampled_from(["pending", "accepted", "held"]),
    },
)


@given(values)
def test_the_same_record_as_keywords(given_values: dict[str, Any]) -> None:
    fast, slow = _new_screening(**given_values), Screening(**given_values)
    for field in Screening._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.attname
    assert vars(fast).keys() == vars(slow).keys()  # nothing more, nothing less set
    assert fast._state.adding and fast._state.db is None
    assert (fast._state.adding, fast._state.db) == (slow._state.adding, slow._state.db)


def test_no_signal_receivers_nor_descriptors_that_the_fast_path_would_skip() -> None:
    from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
    from django.db.models.signals import post_init, pre_init

    assert not pre_init.has_listeners(Screening) and not post_init.has_listeners(Screening)
    for field in Screening._meta.concrete_fields:  # attributes set through a __set__
        descriptor = type(getattr(Screening, field.attname, None))
        # a foreign key's id: its __set__ only forgets a cached related object (a new record
        # has none) before it sets the attribute
        assert descriptor is ForeignKeyDeferredAttribute or not hasattr(descriptor, "__set__")


@pytest.mark.django_db
def test_a_record_made_fast_saves_and_reads_back() -> None:
    from tests.screening.conftest import receive

    s = receive()
    record = _new_screening(statement_id=s.pk, received_at=s.received_at, found=["future"])
    record.save()
    again = Screening.objects.get(pk=s.pk)
    assert again.found == ["future"] and again.received_at == s.received_at


def test_defaults_are_not_shared_and_unknown_names_refused() -> None:
    a, b = _new_screening(statement_id=1), _new_screening(statement_id=2)
    a.reasons.append("duplicate")
    assert b.reasons == [] and a.found is not b.found
    with pytest.raises(TypeError, match="persn_key"):
        _new_screening(statement_id=1, persn_key=3)


@pytest.mark.django_db
def test_keys_have_no_database_constraint_but_django_protects_their_statements() -> None:
    """The key index is written without a foreign key check (a round's 4,500 deferred checks
    were 8 % of it); deleting a statement a key holds is still refused, by Django."""
    from django.db import connection
    from django.db.models import ProtectedError

    from santui.screening.models import Kind, ScreenKey
    from tests.screening.conftest import receive

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "screening_screenkey")
    assert not [c for c in constraints.values() if c["foreign_key"]]
    s = receive()
    ScreenKey.objects.create(key=7, kind=Kind.PERSON, statement=s)
    with pytest.raises(ProtectedError):
        s.delete()
