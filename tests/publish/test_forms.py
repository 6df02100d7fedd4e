"""The date range of the dashboard and the API: exactly YYYY-MM-DD, as the OpenAPI document says."""

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from santui.publish.forms import DateRangeForm


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_every_iso_date_is_taken_as_that_day(day: dt.date) -> None:
    form = DateRangeForm({"from": day.isoformat()})
    assert form.is_valid()
    assert form.cleaned_data["from"] == day


@given(st.text(max_size=30))
def test_anything_else_is_refused_or_means_no_bound(value: str) -> None:
    form = DateRangeForm({"to": value})
    if value == "":
        assert form.is_valid() and form.cleaned_data["to"] is None
    elif not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        assert not form.is_valid()
        assert "to" in form.errors


def test_loose_forms_strptime_would_take_are_refused() -> None:
    for value in ("2024-1-1", " 2024-01-01", "２０２４-01-01", "2024-02-30", "2024-01-01\x00"):
        assert not DateRangeForm({"from": value}).is_valid(), value


def test_start_after_end_is_refused() -> None:
    form = DateRangeForm({"from": "2024-02-01", "to": "2024-01-31"})
    assert not form.is_valid()
    assert form.non_field_errors()
