"""Background loops are supervised: a failed round is logged, backed off and retried, and every
round records how far behind the loop is."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import OperationalError

from santui.screening.run import screen_loop_round
from santui.tally.loops import Round, backoff_seconds, run_supervised
from santui.tally.management.commands.integrate import integrate_round
from santui.tally.models import LoopState
from tests.screening.conftest import receive

pytestmark = pytest.mark.django_db


def test_a_failing_round_is_retried_with_backoff_and_recorded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []
    waits: list[float] = []

    def flaky() -> Round:
        calls.append(1)
        if len(calls) <= 3:
            raise OperationalError("database is locked")
        return Round(done=5, backlog=0, oldest_waiting_at=None)

    with caplog.at_level(logging.ERROR, logger="santui.loops"):
        failures = run_supervised(
            name="test", round_fn=flaky, interval=1.0, rounds=5, sleep=waits.append,
            tidy=lambda: None,  # the test's own connection stays open
        )  # fmt: skip
    assert failures == 3
    assert len(calls) == 5  # it went on after the failures
    assert waits[:3] == [2.0, 4.0, 8.0]  # doubling while it fails
    assert waits[3:] == [1.0, 1.0]  # back to the interval once it works
    state = LoopState.objects.get(name="test")
    assert state.errors == 0 and state.done == 10
    assert state.last_error == "OperationalError"
    assert "round failed" in caplog.text


def test_consecutive_errors_are_kept_while_failing() -> None:
    def broken() -> Round:
        raise ValueError("no")

    run_supervised(
        name="broken", round_fn=broken, interval=0.0, rounds=4, sleep=lambda s: None,
        tidy=lambda: None,
    )  # fmt: skip
    state = LoopState.objects.get(name="broken")
    assert state.errors == 4
    assert state.ok_at is None and state.heartbeat_at is not None


def test_backoff_is_capped() -> None:
    assert backoff_seconds(0, base=2.0) == 2.0
    assert backoff_seconds(40, base=2.0) == 300.0


def test_the_screener_and_integrator_rounds_say_how_far_behind_they_are() -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    receive(received_at=old)
    receive(received_at=dt.datetime.now(dt.UTC), name="李四")  # too recent for the delay
    screened = screen_loop_round(None)
    assert screened.done == 1
    assert screened.backlog == 1  # the recent one waits
    assert screened.oldest_waiting_at is not None
    integrated = integrate_round(None)
    assert integrated.done == 1 and integrated.backlog == 0
    assert integrated.oldest_waiting_at is None


def test_the_screener_loop_draws_yesterdays_review_sample_once_an_hour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from santui.screening import run
    from santui.screening.models import ReviewDraw
    from santui.screening.review import review_draw

    # at noon in the reporting zone: yesterday is over whenever the suite runs
    noon = dt.datetime.now(ZoneInfo(settings.SANTUI_REPORTING_TZ)).replace(hour=12)
    monkeypatch.setattr(run, "review_draw", lambda: review_draw(now=noon))
    run._last_pruned["at"] = float("-inf")
    ticks = iter([0.0, 0.0, 10.0])
    screen_loop_round(None, clock=lambda: next(ticks))
    assert ReviewDraw.objects.count() == 1  # yesterday, with nothing to draw from
    screen_loop_round(None, clock=lambda: next(ticks))  # ten seconds later: no chores
    assert ReviewDraw.objects.count() == 1


def test_the_integrator_counts_while_releases_have_their_own_loop() -> None:
    from django.core.management import CommandError, call_command

    from santui.tally.management.commands.stats import release_round
    from santui.tally.models import Release
    from tests.factories import AcceptedStatementFactory

    # counted in a month long over: its breakdowns are due
    AcceptedStatementFactory(received_at=dt.datetime(2026, 1, 5, 4, tzinfo=dt.UTC))
    assert integrate_round(None).done == 1
    assert not Release.objects.exists()  # the integrator does not plan releases
    released = release_round()
    assert released.done == Release.objects.count() >= 1
    assert Release.objects.order_by("number").first().month == dt.date(2026, 1, 1)  # type: ignore[union-attr]
    assert release_round().done == 0  # nothing more is due
    with pytest.raises(CommandError, match="goes with `santui stats release` only"):
        call_command("stats", "--loop")
