"""The window cells a round loads (santui.screening.actions._Windows.load): on PostgreSQL packed
into one bytea, on SQLite as rows; either way exactly the stored cells in range."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.screening import rules as r
from santui.screening.actions import _packed_cells, _Windows
from santui.screening.models import WindowCount

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)


class WindowCellsTest(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        cells=st.dictionaries(
            st.tuples(st.one_of(INT64, st.sampled_from([1, 2, 3])), st.integers(0, 3000)),
            st.integers(1, 2**31 - 1),
            max_size=40,
        ),
        asked=st.lists(st.one_of(INT64, st.sampled_from([1, 2, 3, 4])), max_size=10),
        lo=st.integers(0, 3000),
        span=st.integers(0, 200),
    )
    def test_the_cells_in_range_of_the_keys_asked(
        self, cells: dict[tuple[int, int], int], asked: list[int], lo: int, span: int
    ) -> None:
        WindowCount.objects.all().delete()
        WindowCount.objects.bulk_create(
            [WindowCount(key=k, bucket=b, n=n) for (k, b), n in cells.items()]
        )
        keys = [*asked, *(k for k, _ in list(cells)[:3])]
        windows = _Windows(r.RULES)
        windows.load(keys, lo, lo + span)
        got = sorted(tuple(int(v) for v in row) for row in np.concatenate(windows._parts))
        day = 24 * 60 // r.RULES.bucket_minutes
        start = (
            lo
            - max(
                r.RULES.baseline_days * day,
                (2 * r.RULES.window_buckets + 1) * r.RULES.recent_windows,
            )
            - r.RULES.window_buckets
        )
        end = lo + span + r.RULES.window_buckets
        expected = sorted(
            (k, b, n) for (k, b), n in cells.items() if k in set(keys) and start <= b <= end
        )
        assert got == expected


def _packed(rows: list[tuple[int, int, int]]) -> bytes:
    """Cells packed as PostgreSQL's int8send || int4send || int4send write them."""
    return b"".join(
        k.to_bytes(8, "big", signed=True)
        + b.to_bytes(4, "big", signed=True)
        + n.to_bytes(4, "big", signed=True)
        for k, b, n in rows
    )


@given(st.lists(st.tuples(INT64, INT32, INT32), max_size=30))
def test_packed_cells_reads_what_was_packed(rows: list[tuple[int, int, int]]) -> None:
    got = _packed_cells(_packed(rows))
    assert got.dtype == np.int64
    assert got.shape == (len(rows), 3)
    assert [tuple(int(v) for v in row) for row in got] == rows


def test_no_cells() -> None:
    assert _packed_cells(None).shape == (0, 3)
    assert _packed_cells(b"").shape == (0, 3)


@pytest.mark.parametrize("cut", [1, 8, 15])
def test_packed_cells_refuses_a_cell_cut_short(cut: int) -> None:
    with pytest.raises(ValueError, match="not packed window cells"):
        _packed_cells(_packed([(1, 2, 3), (4, 5, 6)])[:-cut])
