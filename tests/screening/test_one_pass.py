"""Indexing and deciding in one pass (``screening_index_and_decide``, what ``screen_round``
runs) decides exactly as the two steps apart (``screening_index`` then ``screening_decide``):
the same decisions, reasons and links, whatever the mix of repeats, floods and batch sizes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.screening.actions import (
    screening_decide,
    screening_index,
    screening_index_and_decide,
    screening_index_decided,
)
from santui.screening.models import Alert, Screening, ScreenKey, WindowCount
from santui.statements.models import Statement
from tests.screening.conftest import EARLIER, decisions, receive

TEXTS = [
    "我声明退出中共的党、团、队组织，本人在沈阳工作多年，早已看清它的本质。",
    "我在大连港务局干了二十年装卸，今天声明退出共青团，再也不受它的骗。",
    "我在大连港务局干了二十年装卸活，今天郑重声明退出共青团，再也不受它的骗了。",
    "退出少先队。",
    "I renounce the CCP and every organization attached to it, for my family's sake.",
]
statement = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["", "", "真心", "李明", "王芳"]),
        "text": st.sampled_from(TEXTS),
        "region": st.sampled_from(["", "210100", "210200", "110000"]),
        "channel": st.sampled_from(["web", "email", "phone"]),
        "minutes": st.integers(0, 600),
    }
)


class _Rollback(Exception):
    pass


# "now" for both: statements from EARLIER to 10 hours later are received around it, some not
# due yet under a delay, some in its future (held at once)
NOW = EARLIER + dt.timedelta(minutes=300)


def _two_steps(batch: int, delay: float) -> None:
    while True:
        n = screening_index(batch=batch, now=NOW)
        n += screening_index_decided(batch=batch * 5, now=NOW)
        n += len(screening_decide(batch=batch, delay=delay, now=NOW))
        if not n:
            return


def _one_pass(batch: int, delay: float) -> None:
    while True:
        history = screening_index_decided(batch=batch * 5, now=NOW)
        indexed, decided = screening_index_and_decide(batch=batch, delay=delay, now=NOW)
        if not (history or indexed or decided):
            return


def _state() -> tuple[Any, ...]:
    return (
        decisions(),
        sorted(Statement.objects.values_list("pk", "status", "duplicate_of_id")),
        sorted(ScreenKey.objects.values_list("key", "kind", "statement_id")),
        sorted(WindowCount.objects.values_list("key", "bucket", "n")),
        sorted(Screening.objects.values_list("statement_id", "cluster", "rules")),
        sorted(Alert.objects.values_list("kind", "subject", "window_start", "count", "expected")),
    )


class OnePassDecidesAsTwoSteps(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(statement, min_size=1, max_size=14),
        st.integers(1, 6),
        st.sampled_from([0.0, 3600.0]),  # all due; or the last hour's not yet
    )
    def test_same_outcome(self, many: list[dict[str, Any]], batch: int, delay: float) -> None:
        for fields in many:
            named = bool(fields["name"])
            receive(
                name=fields["name"],
                name_kind="alias" if named else "anonymous",
                text=fields["text"],
                region=fields["region"],
                channel=fields["channel"],
                received_at=EARLIER + dt.timedelta(minutes=fields["minutes"]),
            )
        # a savepoint the durable blocks of the screener may nest in, as in TestCase's own
        block = transaction.atomic()
        block._from_testcase = True  # type: ignore[attr-defined]
        try:
            with block:
                _two_steps(batch, delay)
                apart = _state()
                raise _Rollback
        except _Rollback:
            pass
        assert not Screening.objects.exists()  # rolled back: screened again from the start
        _one_pass(batch, delay)
        assert _state() == apart
