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

Privacy (DESIGN.md, invariant 5; docs/disclosure.md#the-quality-report). Figures over all
channels are live: the share of wrongly counted persons, the statements sampled and reviewed,
and the statements held or marked per screening reason carry no attribute of a declarant; the
revoked persons per reason are what the public log already shows (each revoke leaf carries its
day, persons and reason). Figures **per channel** are published only for a month whose
breakdowns were released (``santui.tally.disclosure``), frozen once by ``quality_freeze`` and
never changed, so that no snapshot taken before and after one review or one decision tells
that statement's channel:

* an estimate per channel shows its share and interval only when at least
  ``max(SANTUI_QUALITY_MIN_REVIEWED, SANTUI_SUPPRESS_BELOW)`` of its statements were reviewed,
  and never its sample sizes (the month's, over all channels, minus the channels shown would
  give a small channel's);
* statements per channel and screening reason below ``SANTUI_SUPPRESS_BELOW`` are suppressed,
  with a second cell when one alone would be (the total over all channels is shown), and a
  reason whose statements came through one channel only shows no channel.

Revoked persons per channel are not published: the released breakdowns show every channel's
net persons, and a live count of revocations per channel would tell the channel of each
revoked statement that the log shows.
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
from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from santui.screening.models import (
    WRONGLY_COUNTED,
    Decision,
    QualityRelease,
    ReviewAnswer,
    ReviewDraw,
    ReviewSample,
    Screening,
)
from santui.screening.review import NOT_BY_RULES
from santui.statements.models import Channel, LedgerEntry
from santui.tally.models import Release

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


def _revoked_by_reason() -> dict[str, list[dict[str, Any]]]:
    """Per month: revoked persons per reason, all channels (as the public log shows them)."""
    rows = (
        LedgerEntry.objects.filter(revokes__isnull=False)
        .annotate(month=TruncMonth("day"))
        .order_by()
        .values("month", "reason")
        .annotate(persons=Sum("headcount"))
        .values_list("month", "reason", "persons")
    )
    per_reason: dict[tuple[str, str], int] = defaultdict(int)
    for month, reason, persons in rows:
        per_reason[(_month(month), reason)] += int(persons)
    reasons: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (month, reason), persons in sorted(per_reason.items()):
        reasons[month].append({"reason": reason, "persons": persons})
    return reasons


def _accepted() -> dict[str, int]:
    accepted: dict[str, int] = defaultdict(int)
    for day, n in ReviewDraw.objects.values_list("day", "population"):
        accepted[_month(day)] += n
    return accepted


def _over_channels(
    estimates: list[dict[str, Any]], reasons: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A month's figures over all channels only: the live view of a month not released."""
    summed: dict[tuple[str, str], int] = defaultdict(int)
    for row in reasons:
        summed[(row["decision"], row["reason"])] += row["statements"]
    return [e for e in estimates if e["channel"] is None], [
        {"channel": None, "decision": d, "reason": r, "statements": n}
        for (d, r), n in sorted(summed.items())
    ]


def frozen_estimates(
    estimates: list[dict[str, Any]], *, min_reviewed: int, k: int
) -> list[dict[str, Any]]:
    """A released month's estimates: all channels as computed, then per channel the share and
    interval only from ``max(min_reviewed, k)`` reviewed statements on, and no sample sizes."""
    floor = max(min_reviewed, k)
    out = [e for e in estimates if e["channel"] is None]
    for e in estimates:
        if e["channel"] is None:
            continue
        shown = e["wrong_share"] is not None and e["reviewed"] >= floor
        out.append({
            "channel": e["channel"], "sampled": None, "reviewed": None, "effective_n": None,
            "wrong_share": e["wrong_share"] if shown else None,
            "ci_low": e["ci_low"] if shown else None,
            "ci_high": e["ci_high"] if shown else None,
            "note": None if shown else NOTE_TOO_FEW,
        })  # fmt: skip
    return out


def frozen_reasons(reasons: list[dict[str, Any]], *, k: int) -> list[dict[str, Any]]:
    """A released month's screening reasons: the totals over all channels, then per channel
    with cells below ``k`` suppressed, and more with them until the suppressed cells are two or
    more and none of them is known to be below ``k``; no channel at all for a reason whose
    statements came through one channel, or whose cells would all be suppressed (its total
    would tell them)."""
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in reasons:
        cells[(row["decision"], row["reason"])][row["channel"]] = row["statements"]
    out = [
        {"channel": None, "decision": d, "reason": r, "statements": sum(by.values())}
        for (d, r), by in sorted(cells.items())
    ]
    for (decision, reason), by in sorted(cells.items()):
        if len(by) == 1:
            continue
        hidden = {c for c, n in by.items() if n < k}
        # Each listed channel had one statement at least, and the total is shown, so a hidden
        # cell lies between 1 and (the hidden cells' sum) - (the other hidden ones): 1 and 1
        # of a hidden 2 would be known. Hide the next smallest until every hidden cell could
        # be k or more; all of them hidden: no channel.
        while hidden and (len(hidden) == 1 or sum(by[c] for c in hidden) - len(hidden) + 1 < k):
            rest = [c for c in by if c not in hidden]
            if not rest:
                break
            hidden.add(min(rest, key=lambda c: (by[c], c)))
        if hidden == set(by):
            continue
        out.extend(
            {"channel": c, "decision": decision, "reason": reason,
             "statements": None if c in hidden else n, "suppressed": c in hidden}
            for c, n in sorted(by.items())
        )  # fmt: skip
    return out


def _live() -> dict[str, dict[str, Any]]:
    """Every month's exact figures, per channel (staff's view; never published as such)."""
    zone = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    estimates = _estimates(settings.SANTUI_QUALITY_MIN_REVIEWED)
    reasons = _screening_reasons(zone)
    accepted = _accepted()
    return {
        month: {
            "accepted_by_rules": accepted.get(month),
            "estimates": estimates.get(month, []),
            "screening_reasons": reasons.get(month, []),
        }
        for month in sorted({*estimates, *reasons, *accepted})
    }


def _compute() -> dict[str, Any]:
    k = settings.SANTUI_SUPPRESS_BELOW
    min_reviewed = settings.SANTUI_QUALITY_MIN_REVIEWED
    live = _live()
    revoked = _revoked_by_reason()
    frozen = {_month(q.month): q for q in QualityRelease.objects.select_related("release")}
    months = []
    for month in sorted({*live, *revoked, *frozen}):
        q = frozen.get(month)
        if q is not None:
            accepted, estimates, reasons = (q.accepted_by_rules, q.estimates, q.screening_reasons)
        else:
            now = live.get(month, {"accepted_by_rules": None, "estimates": [],
                                   "screening_reasons": []})  # fmt: skip
            accepted = now["accepted_by_rules"]
            estimates, reasons = _over_channels(now["estimates"], now["screening_reasons"])
        months.append({
            "month": month,
            "release": q.release.number if q else None,
            "frozen_at": q.frozen_at.isoformat(timespec="seconds") if q else None,
            "accepted_by_rules": accepted,
            "estimates": estimates,
            "screening_reasons": reasons,
            "revoked_by_reason": revoked.get(month, []),
        })  # fmt: skip
    return {
        "schema": 2,
        "computed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "refresh_seconds": REFRESH_SECONDS,
        "timezone": settings.SANTUI_REPORTING_TZ,
        "confidence": 0.95,
        "interval": "wilson",
        "min_reviewed": min_reviewed,
        "suppress_below": k,
        "months": months,
    }


def quality_report(
    *, first: str | None = None, last: str | None = None, channel: str | None = None
) -> dict[str, Any]:
    """The quality report, at most ``REFRESH_SECONDS`` old, for months ``first`` to ``last``
    (``YYYY-MM``, inclusive, either may be None) and one channel or all.

    The whole report is computed once per period for every process (the shared cache); the
    filters only select from it. With ``channel``, a month not released has no rows.
    """
    key = f"quality:v2:{int(time.time() // REFRESH_SECONDS)}"
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
        parts = ("estimates", "screening_reasons")
        months = [
            {**m, **{p: [row for row in m[p] if row["channel"] == channel] for p in parts}}
            for m in months
        ]
    return {**report, "from": first, "to": last, "channel": channel, "months": months}


# --- the one writer -----------------------------------------------------------------------------


def quality_freeze(*, now: dt.datetime | None = None) -> list[QualityRelease]:
    """Freeze the quality report of every month whose breakdowns were released and whose
    report is not frozen yet (idempotent; the screener's loop runs it every round)."""
    waiting = list(
        Release.objects.exclude(pk__in=QualityRelease.objects.values("release_id")).order_by(
            "number"
        )
    )
    if not waiting:
        return []
    k = settings.SANTUI_SUPPRESS_BELOW
    min_reviewed = settings.SANTUI_QUALITY_MIN_REVIEWED
    live = _live()
    at = now or timezone.now()
    made = []
    for release in waiting:
        month = live.get(_month(release.month), {})
        with transaction.atomic():
            q, created = QualityRelease.objects.get_or_create(
                release=release,
                defaults={
                    "month": release.month,
                    "frozen_at": at,
                    "accepted_by_rules": month.get("accepted_by_rules"),
                    "estimates": frozen_estimates(
                        month.get("estimates", []), min_reviewed=min_reviewed, k=k
                    ),
                    "screening_reasons": frozen_reasons(month.get("screening_reasons", []), k=k),
                },
            )
        if created:
            made.append(q)
    if made:
        cache.delete(f"quality:v2:{int(time.time() // REFRESH_SECONDS)}")
    return made
