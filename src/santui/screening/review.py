"""The blind re-review of automatic acceptances (docs/methodology.md#how-accurate-are-the-totals).

Every day a random sample of the statements the rules accepted that day is drawn
(``review_draw``); moderators judge each one without seeing the screening's decision
(``review_answer``); ``santui.screening.quality`` turns the answers into a published estimate
of how many counted persons should not have been counted.

The draw uses the operating system's randomness (``random.SystemRandom``): nobody can predict
or steer which statements are drawn. It is reproducible by what it stores: the frame (the day
and its number of statements), the settings in force, and every drawn statement in the order
drawn. A day is drawn once.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from santui.screening.models import (
    Decision,
    ReviewAnswer,
    ReviewDraw,
    ReviewSample,
    ReviewVerdict,
    Screening,
)
from santui.statements.models import Statement, StatusChange

log = logging.getLogger(__name__)

# Decisions not made by the rules carry one of these in Screening.rules (docs/screening.md).
NOT_BY_RULES = ("", "person")
# A day is drawn once it has been over this long: a batch decided just before midnight may
# commit a moment after it.
SETTLE = dt.timedelta(minutes=10)
NEXT_CHUNK = 20  # drawn statements looked at at once for the next one to review


class DrawError(ValueError):
    """The day cannot be drawn (yet)."""


class AnswerError(ValueError):
    """The answer cannot be recorded; the message says why, for the moderator."""


def sample_size(population: int, *, share: float, minimum: int) -> int:
    """``share`` of the population rounded up, at least ``minimum``, at most all of it."""
    if population <= 0:
        return 0
    return min(population, max(minimum, math.ceil(share * population)))


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def reporting_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(ZoneInfo(settings.SANTUI_REPORTING_TZ)).date()


def accepted_by_rules(day: dt.date) -> QuerySet[Screening]:
    """The frame: statements the rules (not a person, not an import) accepted on ``day``."""
    start, end = _day_bounds(day)
    return Screening.objects.filter(
        decision=Decision.ACCEPTED, screened_at__gte=start, screened_at__lt=end
    ).exclude(rules__in=NOT_BY_RULES)


@dataclass(frozen=True)
class Drawn:
    draw: ReviewDraw
    new: bool  # False: the day had been drawn before, nothing changed


def review_draw(*, day: dt.date | None = None, now: dt.datetime | None = None) -> Drawn:
    """Draw the sample of ``day`` (default: yesterday in the reporting time zone), once.

    Idempotent: a day already drawn is returned as it is, whatever the settings are now.
    """
    now = now or timezone.now()
    day = day or reporting_today(now) - dt.timedelta(days=1)
    if now < _day_bounds(day)[1] + SETTLE:
        raise DrawError(f"{day} is not over yet (a day is drawn {SETTLE} after it ends)")
    found = ReviewDraw.objects.filter(day=day).first()
    if found is not None:
        return Drawn(found, new=False)
    started = time.monotonic()
    share, minimum = settings.SANTUI_REVIEW_SHARE, settings.SANTUI_REVIEW_MIN
    try:
        with transaction.atomic(durable=True):
            frame = list(
                accepted_by_rules(day)
                .order_by("statement_id")
                .values_list("statement_id", flat=True)
            )
            size = sample_size(len(frame), share=share, minimum=minimum)
            chosen = random.SystemRandom().sample(frame, size)  # in random order
            draw = ReviewDraw.objects.create(
                day=day, population=len(frame), share=share, minimum=minimum, size=size,
                drawn_at=now,
            )  # fmt: skip
            ReviewSample.objects.bulk_create(
                ReviewSample(statement_id=pk, day=day, position=i, drawn_at=now)
                for i, pk in enumerate(chosen)
            )
    except IntegrityError:  # drawn meanwhile by another process: theirs stands
        return Drawn(ReviewDraw.objects.get(day=day), new=False)
    log.info(
        "review draw %s: %d of %d statements in %.2f s",
        day, size, len(frame), time.monotonic() - started,
    )  # fmt: skip
    return Drawn(draw, new=True)


def review_next(*, by: User) -> ReviewSample | None:
    """The next drawn statement nobody has answered, the oldest day first, in the random order
    of its draw; never one that ``by`` recorded or decided (a second pair of eyes).

    The audit trail is looked up by statement (indexed), a few candidates at a time, never by
    actor (not indexed)."""
    pending = (
        ReviewSample.objects.filter(answer__isnull=True)
        .select_related("statement")
        .order_by("day", "position")
    )
    after: tuple[dt.date, int] | None = None
    while True:
        page = pending
        if after is not None:
            day, position = after
            page = page.filter(Q(day__gt=day) | Q(day=day, position__gt=position))
        candidates = list(page[:NEXT_CHUNK])
        if not candidates:
            return None
        own = set(
            StatusChange.objects.filter(
                statement_id__in=[c.statement_id for c in candidates], actor_id=by.pk
            ).values_list("statement_id", flat=True)
        )
        for c in candidates:
            if c.statement_id not in own:
                return c
        after = (candidates[-1].day, candidates[-1].position)


def review_progress() -> tuple[int, int]:
    """(answered, drawn) over every day drawn so far."""
    return ReviewAnswer.objects.count(), ReviewSample.objects.count()


def review_answer(
    *,
    sample: ReviewSample,
    answer: str,
    by: User,
    duplicate_of: int | None = None,
    now: dt.datetime | None = None,
) -> ReviewAnswer:
    """Record a moderator's blind answer about a drawn statement (once per statement)."""
    if answer not in ReviewVerdict.values:
        raise AnswerError(_("Unknown answer."))
    if answer == ReviewVerdict.DUPLICATE:
        if duplicate_of is None:
            raise AnswerError(_("A duplicate needs the number of the statement it repeats."))
        if duplicate_of == sample.statement_id:
            raise AnswerError(_("A statement cannot repeat itself."))
        if not Statement.objects.filter(pk=duplicate_of).exists():
            raise AnswerError(_("There is no statement with that number."))
    else:
        duplicate_of = None
    try:
        with transaction.atomic(durable=True):
            return ReviewAnswer.objects.create(
                sample=sample, answer=answer, duplicate_of_id=duplicate_of, by=by,
                at=now or timezone.now(),
            )  # fmt: skip
    except IntegrityError as e:  # two moderators on one statement: the first answer stands
        raise AnswerError(_("This statement has already been answered.")) from e
