"""Who declares (issue 16) in the counts: a rollup stat of its own, checked by `santui tally
verify` like every other, and each kind apart in `santui stats`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from santui.tally.actions import tally_integrate
from santui.tally.models import Rollup, Stat
from santui.tally.verify import tally_verify
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)


@pytest.fixture
def counted() -> None:
    for declarant, n in (("self", 7), ("family", 2), ("volunteer", 3), ("deceased", 1)):
        AcceptedStatementFactory(headcount=n, received_at=DAY, declarant=declarant)
    tally_integrate()


def test_each_kind_is_a_rollup_cell_adding_up_to_the_persons(counted: None) -> None:
    cells = dict(Rollup.objects.filter(stat=Stat.DECLARANT).values_list("key", "value"))
    assert cells == {"self": 7, "family": 2, "volunteer": 3, "deceased": 1}
    assert sum(cells.values()) == Rollup.objects.get(stat=Stat.PERSONS).value
    assert tally_verify().ok


def test_verify_names_a_changed_declarant_rollup(counted: None) -> None:
    Rollup.objects.filter(stat=Stat.DECLARANT, key="family").update(value=5)
    problems = tally_verify().problems
    cell = "declarant[family] 2024-03-05: rollup 5"
    assert f"{cell}, ledger 2" in problems
    assert f"{cell}, statements 2" in problems


def test_santui_stats_prints_each_kind_apart(counted: None) -> None:
    out = io.StringIO()
    call_command("stats", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("declared by"))
    assert "self 7 · family 2 · volunteer 3 · deceased 1" in line
    assert "exact" in line  # staff: exact figures over the days asked for
