"""The blind re-review's draw and the error estimate (santui.screening.review, .quality)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from santui.screening.models import QualityRelease, ReviewDraw, ReviewSample, Screening
from santui.screening.quality import (
    NOTE_NONE_REVIEWED,
    NOTE_TOO_FEW,
    Group,
    estimate,
    frozen_reasons,
    quality_freeze,
    quality_report,
    wilson_interval,
)
from santui.screening.review import (
    SETTLE,
    AnswerError,
    DrawError,
    reporting_today,
    review_answer,
    review_draw,
    sample_size,
)
from santui.screening.run import screen_all, screen_loop_round
from santui.statements.actions import statement_reject
from santui.statements.models import RejectReason, Statement
from santui.tally.models import Release
from tests.factories import AcceptedStatementFactory
from tests.screening.conftest import receive

NAMES = [
    "王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴芳", "徐强", "孙燕",
]  # fmt: skip

# 95 % Wilson intervals from statsmodels 0.15.0, proportion_confint(k, n, method="wilson"); the
# last four are also Newcombe's published values (Stat. Med. 1998;17:857-872, table I: 81/263
# 0.2553-0.3662, 15/148 0.0624-0.1605, 0/20 0-0.1611, 1/29 0.0061-0.1718).
STATSMODELS = [
    (0, 200, 0.0, 0.01884532637726658),
    (5, 200, 0.01072471965176126, 0.05717834040664199),
    (1, 200, 0.0008831687156009797, 0.027773704397892937),
    (200, 200, 0.9811546736227335, 1.0),
    (3, 30, 0.03459988874733416, 0.25621082579184085),
    (81, 263, 0.2552885198782742, 0.36620957698280004),
    (15, 148, 0.06238639953073628, 0.16048724172330803),
    (0, 20, 0.0, 0.1611251580528194),
    (1, 29, 0.006113214292762667, 0.17175521879320294),
]
# A non-integer (effective) sample size: proportion_confint(2.5, 37.3, method="wilson").
STATSMODELS_FRACTIONAL = (2.5, 37.3, 0.021004648995399333, 0.1938992235004121)


@pytest.mark.parametrize(("k", "n", "low", "high"), STATSMODELS)
def test_wilson_interval_matches_statsmodels_and_the_published_values(
    k: int, n: int, low: float, high: float
) -> None:
    got = wilson_interval(k / n, n)
    assert got == pytest.approx((low, high), abs=1e-12)


def test_wilson_interval_takes_an_effective_sample_size() -> None:
    k, n, low, high = STATSMODELS_FRACTIONAL
    assert wilson_interval(k / n, n) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize(("share", "n"), [(0.5, 0), (-0.1, 10), (1.1, 10)])
def test_wilson_interval_refuses_nonsense(share: float, n: float) -> None:
    with pytest.raises(ValueError, match="no interval"):
        wilson_interval(share, n)


@pytest.mark.parametrize(
    ("population", "expected"),
    [(0, 0), (1, 1), (150, 150), (200, 200), (1_000, 200), (20_000, 200), (20_001, 201),
     (70_000, 700)],
)  # fmt: skip
def test_sample_size_is_one_percent_at_least_200_or_all(population: int, expected: int) -> None:
    assert sample_size(population, share=0.01, minimum=200) == expected


def test_the_estimate_with_one_person_per_statement_is_the_textbook_interval() -> None:
    found = estimate([Group(weight=3.5, reviewed=200, persons=200, persons_sq=200,
                            wrong_persons=5)], sampled=210, min_reviewed=30)  # fmt: skip
    assert (found.sampled, found.reviewed, found.note) == (210, 200, None)
    assert found.wrong_share == pytest.approx(5 / 200)
    assert found.effective_n == pytest.approx(200)
    assert (found.low, found.high) == pytest.approx(STATSMODELS[1][2:], abs=1e-12)


def test_the_estimate_weighs_days_and_persons() -> None:
    # Day A: 100 accepted, 10 reviewed (w 10), none wrong. Day B: 20 accepted, 10 reviewed (w 2):
    # one group statement of 5 persons wrong, nine single persons right.
    a = Group(weight=10, reviewed=10, persons=10, persons_sq=10, wrong_persons=0)
    b = Group(weight=2, reviewed=10, persons=14, persons_sq=25 + 9, wrong_persons=5)
    found = estimate([a, b], sampled=20, min_reviewed=20)
    total, wrong = 10 * 10 + 2 * 14, 2 * 5
    assert found.wrong_share == pytest.approx(wrong / total)
    n_eff = total**2 / (100 * 10 + 4 * 34)
    assert found.effective_n == pytest.approx(n_eff)
    assert (found.low, found.high) == pytest.approx(wilson_interval(wrong / total, n_eff))


def test_no_figure_below_the_minimum_sample() -> None:
    group = Group(weight=1, reviewed=29, persons=29, persons_sq=29, wrong_persons=1)
    found = estimate([group], sampled=40, min_reviewed=30)
    assert (found.wrong_share, found.low, found.high, found.effective_n) == (None,) * 4
    assert (found.reviewed, found.note) == (29, NOTE_TOO_FEW)
    assert estimate([], sampled=40, min_reviewed=30).note == NOTE_NONE_REVIEWED


# --- the draw, on statements screened by the real rules -----------------------------------------


def _counted_by_rules(names: list[str], **fields: Any) -> list[Statement]:
    return [
        receive(
            name=name, name_kind="real",
            text=f"我声明退出中共的党、团、队组织，本人{name}在沈阳工作多年，早已看清它的本质。",
            **fields,
        )
        for name in names
    ]  # fmt: skip


def _after_today() -> dt.datetime:
    """A moment when today (reporting time zone) is over and settled."""
    return timezone.now() + dt.timedelta(days=1, minutes=11)


@pytest.fixture
def screened(screen: Any, db: Any) -> dict[str, Any]:
    """Screened today: 10 counted by the rules (4 by phone), 1 held, 1 duplicate; 1 counted by
    a person; 2 counted by the rules, moved to two days ago."""
    by_rules = _counted_by_rules(NAMES[:6]) + _counted_by_rules(NAMES[6:10], channel="phone")
    older = [
        receive(name=n, name_kind="real", text=f"三退声明：我是{n}，在大连退出少先队。")
        for n in NAMES[10:12]
    ]
    held = receive(name="", name_kind="anonymous", text="我声明退出中共。", headcount=300)
    repeat = receive(name=NAMES[0], name_kind="real", text=by_rules[0].text)
    by_person = AcceptedStatementFactory()
    screen()
    decided = {s.statement_id: (s.decision, s.rules) for s in Screening.objects.all()}
    assert {decided[s.pk][0] for s in by_rules + older} == {"accepted"}
    assert decided[held.pk][0] == "held" and decided[repeat.pk][0] == "duplicate"
    assert decided.get(by_person.pk, ("accepted", ""))[1] in ("", "person")
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    Screening.objects.filter(statement__in=older).update(screened_at=two_days_ago)
    return {"by_rules": by_rules, "older": older, "by_person": by_person}


def test_the_draw_takes_only_what_the_rules_accepted_that_day(
    screened: dict[str, Any], settings: Any
) -> None:
    settings.SANTUI_REVIEW_SHARE, settings.SANTUI_REVIEW_MIN = 0.5, 3
    drawn = review_draw(day=reporting_today(), now=_after_today())
    assert drawn.new
    assert (drawn.draw.population, drawn.draw.size) == (10, 5)
    assert (drawn.draw.share, drawn.draw.minimum) == (0.5, 3)
    samples = list(ReviewSample.objects.order_by("position"))
    assert [s.position for s in samples] == [0, 1, 2, 3, 4]
    assert {s.statement_id for s in samples} <= {s.pk for s in screened["by_rules"]}
    assert {s.day for s in samples} == {reporting_today()}


def test_the_draw_is_idempotent(screened: dict[str, Any], settings: Any) -> None:
    settings.SANTUI_REVIEW_SHARE, settings.SANTUI_REVIEW_MIN = 0.1, 2
    first = review_draw(day=reporting_today(), now=_after_today())
    before = list(ReviewSample.objects.order_by("position").values_list("statement_id", flat=True))
    settings.SANTUI_REVIEW_MIN = 10
    again = review_draw(day=reporting_today(), now=_after_today() + dt.timedelta(hours=5))
    assert not again.new
    assert again.draw == first.draw and again.draw.size == 2
    after = list(ReviewSample.objects.order_by("position").values_list("statement_id", flat=True))
    assert after == before
    assert ReviewDraw.objects.count() == 1


def test_all_are_drawn_when_fewer_than_the_minimum(screened: dict[str, Any]) -> None:
    drawn = review_draw(day=reporting_today(), now=_after_today())  # the default minimum: 200
    assert drawn.draw.size == drawn.draw.population == 10
    older = review_draw(day=reporting_today() - dt.timedelta(days=2), now=_after_today()).draw
    assert (older.population, older.size) == (2, 2)
    drawn_then = ReviewSample.objects.filter(day=older.day).values_list("statement_id", flat=True)
    assert set(drawn_then) == {s.pk for s in screened["older"]}


def test_an_empty_day_is_drawn_as_empty(db: Any) -> None:
    drawn = review_draw(day=dt.date(2024, 1, 1))
    assert (drawn.draw.population, drawn.draw.size) == (0, 0)


def test_the_draw_uses_the_systems_randomness(screened: dict[str, Any]) -> None:
    real = random.SystemRandom
    with mock.patch("santui.screening.review.random.SystemRandom", wraps=real) as system:
        review_draw(day=reporting_today(), now=_after_today())
    system.assert_called_once_with()


def test_a_day_not_over_is_not_drawn(db: Any) -> None:
    with pytest.raises(DrawError, match="not over yet"):
        review_draw(day=reporting_today())
    with pytest.raises(CommandError, match="not over yet"):
        call_command("review", "draw", "--day", reporting_today().isoformat())
    with pytest.raises(CommandError, match="not a date"):
        call_command("review", "draw", "--day", "yesterday")
    assert not ReviewDraw.objects.exists()


# A fixed clock: yesterday is drawn only once it has settled (SETTLE after it ends), so with the
# real clock the command's default fails in the first minutes of each day.
NOON = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # noon in Beijing


def test_the_command_draws_yesterday_by_default(db: Any, capsys: Any) -> None:
    with mock.patch("santui.screening.review.timezone.now", return_value=NOON):
        call_command("review", "draw")
        call_command("review", "draw")
    out = capsys.readouterr().out.splitlines()
    yesterday = reporting_today(NOON) - dt.timedelta(days=1)
    assert out == [
        f"{yesterday}: drew 0 of 0 statements accepted by the rules",
        f"{yesterday}: already drawn: 0 of 0 statements accepted by the rules",
    ]


def test_the_command_says_when_yesterday_has_not_settled_yet(db: Any) -> None:
    zone = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    midnight = dt.datetime.combine(reporting_today(NOON), dt.time(), tzinfo=zone)
    with (
        mock.patch("santui.screening.review.timezone.now", return_value=midnight + SETTLE / 2),
        pytest.raises(CommandError, match="is not over yet"),
    ):
        call_command("review", "draw")
    assert not ReviewDraw.objects.exists()


# --- answers and the report -------------------------------------------------------------------


def _moderator() -> User:
    return User.objects.create_user("reviewer", password="x" * 16, is_staff=True)


def test_answers_are_checked_and_recorded_once(screened: dict[str, Any]) -> None:
    review_draw(day=reporting_today(), now=_after_today())
    first, second = ReviewSample.objects.order_by("position")[:2]
    by = _moderator()
    with pytest.raises(AnswerError):
        review_answer(sample=first, answer="duplicate", by=by)
    with pytest.raises(AnswerError):
        review_answer(sample=first, answer="duplicate", duplicate_of=first.statement_id, by=by)
    with pytest.raises(AnswerError):
        review_answer(sample=first, answer="duplicate", duplicate_of=10**9, by=by)
    with pytest.raises(AnswerError):
        review_answer(sample=first, answer="maybe", by=by)
    answer = review_answer(
        sample=first, answer="duplicate", duplicate_of=second.statement_id, by=by
    )
    assert (answer.by, answer.duplicate_of_id) == (by, second.statement_id)
    with translation.override("en"), pytest.raises(AnswerError, match="already been answered"):
        review_answer(sample=first, answer="count", by=by)
    plain = review_answer(sample=second, answer="count", duplicate_of=first.statement_id, by=by)
    assert plain.duplicate_of_id is None


def _release(month: str, number: int = 1) -> Release:
    """A breakdown release of ``month`` (as ``santui stats release`` records one)."""
    first = dt.date.fromisoformat(month + "-01")
    return Release.objects.create(
        number=number, month=first, released_at=timezone.now(), log_size=0, persons=0,
        new_persons=0, late_persons=0, revoked_persons=0, suppress_below=10,
    )  # fmt: skip


def _review_all(*, web_wrong: int) -> None:
    review_draw(day=reporting_today(), now=_after_today())  # all 10: 6 web, 4 phone
    by = _moderator()
    for sample in ReviewSample.objects.select_related("statement").order_by("position"):
        wrong = sample.statement.channel == "web" and web_wrong > 0
        web_wrong -= wrong
        review_answer(sample=sample, answer="dont_count" if wrong else "count", by=by)


def test_the_report_per_month_over_all_channels_until_released(
    screened: dict[str, Any], settings: Any
) -> None:
    settings.SANTUI_QUALITY_MIN_REVIEWED = 5
    _review_all(web_wrong=1)
    # revoked after being counted: one web statement (1 person), by a moderator
    statement_reject(
        statement=screened["by_rules"][1], by=None, reason=RejectReason.SPAM, via="test"
    )
    cache.clear()
    report = quality_report()
    assert report["schema"] == 2
    month = reporting_today().strftime("%Y-%m")
    (m,) = [m for m in report["months"] if m["month"] == month]
    assert (m["release"], m["frozen_at"], m["accepted_by_rules"]) == (None, None, 10)
    (everyone,) = m["estimates"]  # not released: no estimate per channel
    assert everyone["channel"] is None
    assert (everyone["sampled"], everyone["reviewed"], everyone["note"]) == (10, 10, None)
    assert everyone["wrong_share"] == pytest.approx(0.1)
    assert (everyone["ci_low"], everyone["ci_high"]) == pytest.approx(
        wilson_interval(0.1, 10), abs=1e-5
    )
    reasons = {(r["channel"], r["decision"], r["reason"]): r["statements"]
               for r in m["screening_reasons"]}  # fmt: skip
    assert reasons[(None, "held", "headcount_unsupported")] == 1
    assert reasons[(None, "duplicate", "exact_repeat")] == 1
    assert {r["channel"] for r in m["screening_reasons"]} == {None}
    assert m["revoked_by_reason"] == []  # revoked persons are in the month they were counted
    counted = screened["by_rules"][1].entries.get(kind="add").day.strftime("%Y-%m")
    (then,) = [m for m in report["months"] if m["month"] == counted]
    assert then["revoked_by_reason"] == [{"reason": "spam", "persons": 1}]
    assert "revoked_by_channel" not in then  # no revocation is placed in a channel
    assert quality_report(channel="phone")["months"][-1]["estimates"] == []
    assert quality_report(first="2999-01")["months"] == []


def test_a_released_month_is_frozen_with_figures_per_channel(
    screened: dict[str, Any], settings: Any
) -> None:
    settings.SANTUI_QUALITY_MIN_REVIEWED = 5
    settings.SANTUI_SUPPRESS_BELOW = 6
    _review_all(web_wrong=1)
    month = reporting_today().strftime("%Y-%m")
    release = _release(month)
    (frozen,) = quality_freeze()
    assert quality_freeze() == []  # once
    assert frozen.release == release
    cache.clear()
    (m,) = [m for m in quality_report()["months"] if m["month"] == month]
    assert m["release"] == 1 and m["frozen_at"] is not None
    rows = {e["channel"]: e for e in m["estimates"]}
    assert set(rows) == {None, "web", "phone"}
    assert (rows[None]["sampled"], rows[None]["reviewed"]) == (10, 10)
    web, phone = rows["web"], rows["phone"]
    assert web["wrong_share"] == pytest.approx(1 / 6, abs=1e-5)  # 6 reviewed >= max(5, k=6)
    assert (web["sampled"], web["reviewed"], web["effective_n"]) == (None, None, None)
    assert (phone["wrong_share"], phone["note"], phone["reviewed"]) == (None, NOTE_TOO_FEW, None)
    # the held and the duplicate statement came through the web only: no channel rows
    assert {r["channel"] for r in m["screening_reasons"]} == {None}
    assert [e["channel"] for e in quality_report(channel="web")["months"][-1]["estimates"]] == [
        "web"
    ]

    # Later answers, holds and decisions of that month change nothing published for it.
    before = quality_report()["months"]
    receive(name="", name_kind="anonymous", text="我声明退出中共。", headcount=400,
            channel="phone", received_at=timezone.now() - dt.timedelta(minutes=30))  # fmt: skip
    screen_all(delay=0)
    cache.clear()
    assert quality_report()["months"] == before


def test_an_estimate_per_channel_needs_k_reviewed_too(
    screened: dict[str, Any], settings: Any
) -> None:
    settings.SANTUI_QUALITY_MIN_REVIEWED = 5
    settings.SANTUI_SUPPRESS_BELOW = 7  # 6 web statements reviewed: fewer than k
    _review_all(web_wrong=1)
    month = reporting_today().strftime("%Y-%m")
    _release(month)
    quality_freeze()
    cache.clear()
    (m,) = [m for m in quality_report()["months"] if m["month"] == month]
    web = next(e for e in m["estimates"] if e["channel"] == "web")
    assert (web["wrong_share"], web["note"]) == (None, NOTE_TOO_FEW)


def test_the_screeners_loop_freezes_a_release(db: Any) -> None:
    _release("2024-03")
    screen_loop_round(None)
    assert QualityRelease.objects.get().month == dt.date(2024, 3, 1)



def test_two_suppressed_ones_are_not_told_by_their_total() -> None:
    """1 and 1 of a total of 32 beside 30 shown: each would be known to be 1."""
    rows = [
        {"channel": c, "decision": "held", "reason": "flood_template", "statements": n}
        for c, n in {"web": 1, "phone": 1, "email": 30}.items()
    ]
    assert [r["channel"] for r in frozen_reasons(rows, k=10)] == [None]  # no channel shown

# Cells of one screening reason per channel: any mix of small and large counts.
_cells = st.dictionaries(
    st.sampled_from(["web", "phone", "fax", "email", "courier"]),
    st.integers(min_value=1, max_value=40),
    min_size=1,
    max_size=5,
)


@given(cells=_cells, k=st.integers(min_value=2, max_value=15))
def test_no_suppressed_reason_cell_can_be_worked_out(cells: dict[str, int], k: int) -> None:
    rows = [
        {"channel": c, "decision": "held", "reason": "flood_template", "statements": n}
        for c, n in cells.items()
    ]
    out = frozen_reasons(rows, k=k)
    (total,) = [r for r in out if r["channel"] is None]
    assert total["statements"] == sum(cells.values())
    per_channel = [r for r in out if r["channel"] is not None]
    hidden = [r for r in per_channel if r["suppressed"]]
    shown = [r for r in per_channel if not r["suppressed"]]
    assert all(r["statements"] is None for r in hidden)
    assert all(r["statements"] == cells[r["channel"]] >= k for r in shown)
    if per_channel:
        assert len(per_channel) == len(cells) >= 2
        # the total minus the cells shown is a sum of two or more hidden cells, never one
        assert len(hidden) != 1
        if hidden:
            # what an attacker derives for a hidden cell: each listed channel has one at least,
            # so at most (total - shown) - (other hidden); it could always be k or more
            left = total["statements"] - sum(r["statements"] for r in shown)
            assert left - (len(hidden) - 1) >= k
    small = {c for c, n in cells.items() if n < k}
    # a small cell is never shown, with or without the channel rows
    assert not small & {r["channel"] for r in shown}
