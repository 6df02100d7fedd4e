"""How accurate are the totals: the published error estimate
(docs/methodology.md#how-accurate-are-the-totals).

Read-only selectors for the methodology page and ``GET /api/v1/quality``, per month and
channel:

* **the estimate**: the share of persons counted by the rules' automatic acceptance that a
  moderator, judging blind (``santui.screening.review``), would not have counted (answers
  *don't count* and *duplicate*), with a 95 % Wilson score interval;
* **the sample sizes**: statements drawn and reviewed;
* **the screening reasons**: statements the rules held or marked as duplicates, per reason;
* **the revoked persons**: persons taken off the totals after they were counted, per reason.

The estimator. Each day's sample is a simple random sample of that day's automatic
acceptances, drawn with its own fraction (1 % of a busy day, all of a quiet one), so a reviewed
statement of day *d* stands for ``w_d = population_d / reviewed_d`` statements. A statement
counts ``x`` persons and is wrongly counted (``y = 1``) or not, all its persons together. The
share of wrongly counted persons is the ratio estimate ``p = Σ w·x·y / Σ w·x``. Its interval is
Wilson's score interval with Kish's effective sample size ``n_eff = (Σ w·x)² / Σ (w·x)²``, the
usual adjustment for unequal weights (Kish 1965; Korn and Graubard 1998): with equal weights and
one person per statement it is the textbook interval on ``n`` statements.

Why the formula and not statsmodels' ``proportion_confint(method="wilson")``: statsmodels
would bring scipy, pandas and patsy (about 400 MB installed) for five lines; the tests compare
this function with statsmodels 0.15.0's results and with Newcombe's published values.

Privacy (DESIGN.md, invariant 5): an estimate is shown only when at least
``SANTUI_QUALITY_MIN_REVIEWED`` statements of its cell were reviewed; the counts per screening
reason are statements, not persons. Revoked persons are published per month and reason (which
the public log already shows: each revoke leaf carries its day, persons and reason) and per
month and channel, where a cell of fewer than ``SANTUI_SUPPRESS_BELOW`` persons is suppressed,
and one more cell with it when it would be the only one suppressed in its month (the month's
total is known from the log, so a lone suppressed cell could be worked out); a month whose
only channel is below k shows no channel at all.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from santui.screening.models import (
    WRONGLY_COUNTED,
    Decision,
    ReviewAnswer,
    ReviewDraw,
    ReviewSample,
    Screening,
)
from santui.screening.review import NOT_BY_RULES
from santui.statements.models import Channel, LedgerEntry

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval
REFRESH_SECONDS = 600  # the report is recomputed at most this often (the shared cache)
NOTE_NONE_REVIEWED = "none_reviewed"
NOTE_TOO_FEW = "too_few_reviewed"


def wilson_interval(share: float, n: float, *, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``share`` observed in ``n`` trials (``n`` may be
    an effective sample size, not a whole number)."""
    if n <= 0 or not 0.0 <= share <= 1.0:
        raise ValueError(f"no interval for share {share} of n {n}")
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Group:
    """Reviewed statements of one day (and channel): what the estimate needs of them."""

    weight: float  # statements each reviewed one stands for: population / reviewed, that day
    reviewed: int
    persons: int  # Σ x
    persons_sq: int  # Σ x²
    wrong_persons: int  # Σ x·y


@dataclass(frozen=True)
class Estimate:
    sampled: int
    reviewed: int
    effective_n: float | None
    wrong_share: float | None
    low: float | None
    high: float | None
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sampled": self.sampled,
            "reviewed": self.reviewed,
            "effective_n": _round(self.effective_n, 1),
            "wrong_share": _round(self.wrong_share, 5),
            "ci_low": _round(self.low, 5),
            "ci_high": _round(self.high, 5),
            "note": self.note,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def estimate(groups: Iterable[Group], *, sampled: int, min_reviewed: int) -> Estimate:
    """The weighted share of wrongly counted persons and its Wilson interval (module doc)."""
    groups = [g for g in groups if g.reviewed > 0]
    reviewed = sum(g.reviewed for g in groups)
    if reviewed == 0:
        return Estimate(sampled, 0, None, None, None, None, NOTE_NONE_REVIEWED)
    if reviewed < min_reviewed:
        return Estimate(sampled, reviewed, None, None, None, None, NOTE_TOO_FEW)
    total = sum(g.weight * g.persons for g in groups)
    wrong = sum(g.weight * g.wrong_persons for g in groups)
    squares = sum(g.weight * g.weight * g.persons_sq for g in groups)
    share = min(1.0, wrong / total)
    n_eff = total * total / squares
    low, high = wilson_interval(share, n_eff)
    return Estimate(sampled, reviewed, n_eff, share, low, high, None)


# --- reading the database -----------------------------------------------------------------------


def _month(value: dt.date | dt.datetime) -> str:
    return value.strftime("%Y-%m")


def _estimates(min_reviewed: int) -> dict[str, list[dict[str, Any]]]:
    """Per month: the all-channel estimate first (channel null), then one per channel."""
    population = dict(ReviewDraw.objects.values_list("day", "population"))
    answered: dict[tuple[dt.date, str], dict[str, int]] = defaultdict(
        lambda: {"reviewed": 0, "persons": 0, "persons_sq": 0, "wrong_persons": 0}
    )
    headcount = F("sample__statement__headcount")
    rows = (
        ReviewAnswer.objects.order_by()
        .values("sample__day", "sample__statement__channel", "answer")
        .annotate(n=Count("*"), persons=Sum(headcount), persons_sq=Sum(headcount * headcount))
    )
    reviewed_on: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        day, channel = row["sample__day"], row["sample__statement__channel"]
        cell = answered[(day, channel)]
        cell["reviewed"] += row["n"]
        cell["persons"] += int(row["persons"])
        cell["persons_sq"] += int(row["persons_sq"])
        if row["answer"] in WRONGLY_COUNTED:
            cell["wrong_persons"] += int(row["persons"])
        reviewed_on[day] += row["n"]
    sampled: dict[tuple[str, str | None], int] = defaultdict(int)
    for day, channel, n in (
        ReviewSample.objects.order_by()
        .values("day", "statement__channel")
        .annotate(n=Count("*"))
        .values_list("day", "statement__channel", "n")
    ):
        sampled[(_month(day), channel)] += n
        sampled[(_month(day), None)] += n
    groups: dict[tuple[str, str | None], list[Group]] = defaultdict(list)
    for (day, channel), c in answered.items():
        group = Group(
            weight=population.get(day, reviewed_on[day]) / reviewed_on[day],
            reviewed=c["reviewed"], persons=c["persons"], persons_sq=c["persons_sq"],
            wrong_persons=c["wrong_persons"],
        )  # fmt: skip
        groups[(_month(day), channel)].append(group)
        groups[(_month(day), None)].append(group)
    order = {c: i for i, c in enumerate([None, *Channel.values])}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for month, channel in sorted(sampled, key=lambda k: (k[0], order.get(k[1], len(order)))):
        found = estimate(
            groups.get((month, channel), []),
            sampled=sampled[(month, channel)],
            min_reviewed=min_reviewed,
        )
        out[month].append({"channel": channel, **found.as_dict()})
    return out


def _screening_reasons(zone: ZoneInfo) -> dict[str, list[dict[str, Any]]]:
    """Per month: statements the rules held or marked as duplicates, per channel and reason."""
    rows = (
        Screening.objects.filter(decision__in=[Decision.HELD, Decision.DUPLICATE])
        .exclude(rules__in=NOT_BY_RULES)
        .annotate(month=TruncMonth("screened_at", tzinfo=zone))
        .order_by()
        .values("month", "statement__channel", "decision", "reasons")
        .annotate(n=Count("*"))
    )
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for row in rows:
        for reason in row["reasons"] or ["none"]:
            key = (_month(row["month"]), row["statement__channel"], row["decision"], reason)
            counts[key] += row["n"]
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (month, channel, decision, reason), n in sorted(counts.items()):
        out[month].append(
            {"channel": channel, "decision": decision, "reason": reason, "statements": n}
        )
    return out


def _revoked(k: int) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Per month: revoked persons per reason (all channels), and per channel (all reasons,
    suppressed below ``k`` with a second cell when one alone would be)."""
    rows = (
        LedgerEntry.objects.filter(revokes__isnull=False)
        .annotate(month=TruncMonth("day"))
        .order_by()
        .values("month", "channel", "reason")
        .annotate(persons=Sum("headcount"))
        .values_list("month", "channel", "reason", "persons")
    )
    per_reason: dict[tuple[str, str], int] = defaultdict(int)
    per_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, channel, reason, persons in rows:
        per_reason[(_month(month), reason)] += int(persons)
        per_channel[_month(month)][channel] += int(persons)
    reasons: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (month, reason), persons in sorted(per_reason.items()):
        reasons[month].append({"reason": reason, "persons": persons})
    channels: dict[str, list[dict[str, Any]]] = {}
    for month, cells in sorted(per_channel.items()):
        hidden = {c for c, n in cells.items() if n < k}
        # The month's total is public (the log), so the hidden cells' sum is known: one hidden
        # cell alone would be that sum. Hide a second; if there is none, show no channel.
        if len(hidden) == 1 and len(cells) == 1:
            channels[month] = []
            continue
        if len(hidden) == 1:
            hidden.add(min((c for c in cells if c not in hidden), key=lambda c: (cells[c], c)))
        channels[month] = [
            {"channel": c, "persons": None if c in hidden else n, "suppressed": c in hidden}
            for c, n in sorted(cells.items())
        ]
    return reasons, channels


def _compute() -> dict[str, Any]:
    zone = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    k = settings.SANTUI_SUPPRESS_BELOW
    min_reviewed = settings.SANTUI_QUALITY_MIN_REVIEWED
    estimates = _estimates(min_reviewed)
    reasons = _screening_reasons(zone)
    revoked_reasons, revoked_channels = _revoked(k)
    accepted: dict[str, int] = defaultdict(int)
    for day, n in ReviewDraw.objects.values_list("day", "population"):
        accepted[_month(day)] += n
    months = sorted({*estimates, *reasons, *revoked_reasons, *accepted})
    return {
        "schema": 1,
        "computed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "refresh_seconds": REFRESH_SECONDS,
        "timezone": settings.SANTUI_REPORTING_TZ,
        "confidence": 0.95,
        "interval": "wilson",
        "min_reviewed": min_reviewed,
        "suppress_below": k,
        "months": [
            {
                "month": month,
                "accepted_by_rules": accepted.get(month),
                "estimates": estimates.get(month, []),
                "screening_reasons": reasons.get(month, []),
                "revoked_by_reason": revoked_reasons.get(month, []),
                "revoked_by_channel": revoked_channels.get(month, []),
            }
            for month in months
        ],
    }


def quality_report(
    *, first: str | None = None, last: str | None = None, channel: str | None = None
) -> dict[str, Any]:
    """The quality report, at most ``REFRESH_SECONDS`` old, for months ``first`` to ``last``
    (``YYYY-MM``, inclusive, either may be None) and one channel or all.

    The whole report is computed once per period for every process (the shared cache); the
    filters only select from it.
    """
    key = f"quality:v1:{int(time.time() // REFRESH_SECONDS)}"
    report: dict[str, Any] | None = cache.get(key)
    if report is None:
        report = _compute()
        cache.set(key, report, REFRESH_SECONDS * 2)
    months = [
        m
        for m in report["months"]
        if (first is None or m["month"] >= first) and (last is None or m["month"] <= last)
    ]
    if channel is not None:
        parts = ("estimates", "screening_reasons", "revoked_by_channel")
        months = [
            {**m, **{p: [row for row in m[p] if row["channel"] == channel] for p in parts}}
            for m in months
        ]
    return {**report, "from": first, "to": last, "channel": channel, "months": months}
