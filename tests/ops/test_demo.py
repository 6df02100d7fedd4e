import datetime as dt
import random
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from santui.ops.demo import ANCHORS, DemoGenerator, cumulative_targets
from santui.statements.models import Statement
from santui.tally.selectors import stats_document
from santui.tally.verify import tally_verify

PUBLISHED = [(d, c) for d, c in ANCHORS[1:11]]  # the nine whole millions of 2005-2006 and 10M


@pytest.mark.parametrize("scale", [0.001, 0.0002])
def test_curve_reaches_each_published_million_on_its_day(scale: float) -> None:
    targets = dict(cumulative_targets(scale, dt.date(2006, 7, 1), random.Random(1)))
    for day, persons in PUBLISHED:
        mark = round(scale * persons)
        assert targets[day] >= mark, day
        assert targets[day - dt.timedelta(days=1)] < mark, day
    assert targets[dt.date(2006, 6, 27)] == round(scale * 11_366_927)


def test_scale_thousandth_matches_the_issue_examples() -> None:
    targets = dict(cumulative_targets(0.001, dt.date(2006, 7, 1), random.Random(1)))
    assert targets[dt.date(2005, 4, 21)] == 1000
    assert targets[dt.date(2006, 6, 27)] == 11_367
    assert dt.date(2004, 12, 2) not in targets  # collection began 2004-12-03
    assert min(targets) == dt.date(2004, 12, 3)


def test_rows_add_up_to_the_curve_and_look_plausible() -> None:
    gen = DemoGenerator(scale=0.01, until=dt.date(2005, 5, 31))
    rows = list(gen.rows())
    per_day: dict[dt.date, int] = {}
    for r in rows:
        day = r.received_at.date()
        per_day[day] = per_day.get(day, 0) + r.headcount
    targets = dict(cumulative_targets(0.01, dt.date(2005, 5, 31), random.Random(2004)))
    previous = 0
    for day, target in sorted(targets.items()):
        assert per_day.get(day, 0) == target - previous, day
        previous = target
    assert len({r.external_id for r in rows}) == len(rows)
    channels = {r.channel for r in rows}
    assert {"web", "phone", "group"} <= channels
    texts = " ".join(r.text for r in rows)
    assert "声明" in texts and "聲明" in texts and "withdraw" in texts
    assert any(r.headcount > 1 for r in rows)
    assert {r.name_kind for r in rows} == {"real", "alias", "anonymous"}
    assert all(not r.name for r in rows if r.name_kind == "anonymous")
    anonymous = [r.text for r in rows if r.name_kind == "anonymous"]  # no hole for the name
    assert anonymous and all(t == t.strip() and t[0] not in "，,。. " for t in anonymous)
    mainland = sum(1 for r in rows if r.region[:1].isdigit())
    assert mainland / len(rows) > 0.95


@pytest.mark.django_db
def test_demo_command_loads_integrates_and_is_idempotent(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_MILESTONE_STEP = 1000
    call_command("demo", "--scale", "0.001", "--until", "2005-06-10", "--pending", "3",
                 "--no-progress")  # fmt: skip
    doc = stats_document(public=False)
    assert doc["milestones"] == [
        {"persons": 1000, "date": "2005-04-21"},
        {"persons": 2000, "date": "2005-05-31"},
    ]
    count = Statement.objects.count()
    assert Statement.objects.filter(status="received").count() == 3
    call_command("demo", "--scale", "0.001", "--until", "2005-06-10", "--pending", "3",
                 "--no-progress")  # fmt: skip
    assert Statement.objects.count() == count
    assert stats_document(public=False)["persons"] == doc["persons"]
    assert tally_verify().ok


def test_in_background_yields_everything_in_order_and_raises_producer_errors() -> None:
    from santui.ops.demo import in_background

    assert list(in_background(iter(range(1000)), depth=3)) == list(range(1000))

    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("generator broke")

    items = in_background(broken())
    assert next(items) == 1
    with pytest.raises(ValueError, match="generator broke"):
        next(items)
