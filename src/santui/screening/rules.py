"""The screening rules and their thresholds, in one versioned rule set (docs/screening.md).

Every decision's audit row names ``RULES.name``; change a threshold, change the version. The
functions here are pure: they read a statement's fields and what the screener looked up, and
say which reasons apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from santui.textparse.parse import Parsed
from santui.textparse.regions import province_of


@dataclass(frozen=True)
class RuleSet:
    name: str = "santui-screen/1"
    # the same person again: a reworded repeat is at least this similar (estimated Jaccard of
    # character shingles of the masked texts); a less similar one is held for a person
    reworded: float = 0.5
    # ... if it came within this many days and few others share the name, province and
    # organizations (a common name is many people: only a similar text links them)
    same_person_days: int = 30
    common_person: int = 3
    # an alias through another channel is held only within this many days and when no other
    # statement has it (many people choose the same words)
    alias_days: int = 7
    # anonymous statements: a repeat of a distinctive text from the same province
    anonymous_near: float = 0.8
    # a text used by more than this many earlier statements is a common phrasing, not a repeat
    common_text: int = 3
    # floods: within the window (the statement's ten-minute bucket and the two beside it),
    # at least ``flood_min`` statements of one template, and ``flood_ratio`` times the
    # template's normal count for that window (the larger of: the mean of the same window on
    # the 7 days before; the mean of the 6 windows before it)
    bucket_minutes: int = 10
    window_buckets: int = 1  # on each side
    baseline_days: int = 7
    recent_windows: int = 6  # and the mean of the six windows (three hours) before it
    flood_min: int = 30
    flood_sketches: int = 2  # a text varied from a flood's: this many of its sketches surge
    flood_ratio: float = 5.0
    random_names_min: int = 15  # random-looking names per channel in the window
    # alerts only (never a hold): a channel or a volunteer far above its normal rate
    surge_min: int = 200
    volunteer_surge_min: int = 60
    duplicates_min: int = 30
    # implausible values
    large_headcount: int = 10  # needs names or group wording in the text
    headcount_gap: int = 3  # declared and read may differ by fewer persons than this...
    headcount_factor: float = 2.0  # ...or by less than this factor
    confident: float = 0.8  # parser readings at or above this are compared with the fields
    low_confidence: float = 0.7  # below this, a field the parser filled in is held
    future_slack: dt.timedelta = dt.timedelta(minutes=5)


RULES = RuleSet()

# Reason codes (docs/screening.md lists each with its rule).
EXACT_REPEAT = "exact_repeat"
REWORDED_REPEAT = "reworded_repeat"
SAME_PERSON = "same_person"
FLOOD_TEMPLATE = "flood_template"
FLOOD_RANDOM_NAMES = "flood_random_names"
HEADCOUNT_UNSUPPORTED = "headcount_unsupported"
HEADCOUNT_MISMATCH = "headcount_mismatch"
PLACE_CONTRADICTED = "place_contradicted"
NO_WITHDRAWAL = "no_withdrawal"
ORGANIZATIONS_DIFFER = "organizations_differ"
FUTURE_TIME = "future_time"
LOW_CONFIDENCE = "low_confidence"
UNSCREENABLE = "unscreenable"
REASONS = (
    EXACT_REPEAT, REWORDED_REPEAT, SAME_PERSON, FLOOD_TEMPLATE, FLOOD_RANDOM_NAMES,
    HEADCOUNT_UNSUPPORTED, HEADCOUNT_MISMATCH, PLACE_CONTRADICTED, NO_WITHDRAWAL,
    ORGANIZATIONS_DIFFER, FUTURE_TIME, LOW_CONFIDENCE, UNSCREENABLE,
)  # fmt: skip
DUPLICATE_REASONS = frozenset({EXACT_REPEAT, REWORDED_REPEAT})
# Sources whose missing fields were filled in from the text by the parser (santui import).
STAFF_OR_FORM_SOURCES = frozenset({"web", "office", "email"})
# Words of quitting or naming the organizations, in either script and in English: a text with
# one of them is not held as saying nothing about quitting, even where the parser reads none.
_WITHDRAWAL_WORDS = re.compile(
    r"退|脫離|脱离|声明|聲明|三退|中共|共产|共產|党|黨|团|團|队|隊|"
    r"quit|withdraw|renounc|leav|left|resign|tuidang|ccp|communist|party|league|pioneer",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Declared:
    """The fields a statement declares (what would be counted)."""

    text: str
    organizations: frozenset[str]
    headcount: int
    region: str
    received_at: dt.datetime
    source: str
    suggested: dict[str, object] | None


def intrinsic_reasons(
    d: Declared, parsed: Parsed | None, *, now: dt.datetime, rules: RuleSet = RULES
) -> list[str]:
    """Reasons found in the statement alone: implausible values and the parser disagreeing.

    ``parsed`` is the parser's own reading of the text, without the declared fields as hints.
    """
    reasons = []
    if d.received_at > now + rules.future_slack:
        reasons.append(FUTURE_TIME)
    if d.headcount >= rules.large_headcount and not d.text.strip():
        reasons.append(HEADCOUNT_UNSUPPORTED)  # a large group, and no text to show it
    if parsed is not None and d.text.strip():
        if not parsed.organizations and _WITHDRAWAL_WORDS.search(d.text) is None:
            reasons.append(NO_WITHDRAWAL)  # not one word of quitting or of the organizations
        elif (
            parsed.confidence.get("organizations", 0) >= rules.confident
            and not parsed.organizations & d.organizations
        ):
            # none of what the text quits is declared (ticked the party, wrote 退出少先队);
            # a partial overlap is the parser's weakness more often than the declarant's
            reasons.append(ORGANIZATIONS_DIFFER)
        reasons += _headcount_reasons(d.headcount, parsed, rules)
        if _place_contradicted(d.region, parsed, rules):
            reasons.append(PLACE_CONTRADICTED)
    if d.source not in STAFF_OR_FORM_SOURCES and isinstance(d.suggested, dict):
        confidence = d.suggested.get("confidence")
        if isinstance(confidence, dict) and any(
            isinstance(confidence.get(f), int | float) and confidence[f] < rules.low_confidence
            for f in ("organizations", "headcount")
        ):
            reasons.append(LOW_CONFIDENCE)
    return reasons


def _headcount_reasons(declared: int, parsed: Parsed, rules: RuleSet) -> list[str]:
    read = parsed.headcount
    if declared >= rules.large_headcount and read < 2:
        return [HEADCOUNT_UNSUPPORTED]  # many persons, and no names or group wording
    far = abs(declared - read) >= rules.headcount_gap and (
        max(declared, read) >= rules.headcount_factor * min(declared, read)
    )
    # a group size far from the names given, or one person declared where the text is sure of
    # a group ("我们全家五口人")
    if far and (declared > 1 or parsed.confidence.get("headcount", 0) >= rules.confident):
        return [HEADCOUNT_MISMATCH]
    return []


def _place_contradicted(region: str, parsed: Parsed, rules: RuleSet) -> bool:
    if not region or parsed.region is None:
        return False
    if parsed.confidence.get("region", 0) < rules.confident or not parsed.region.code:
        return False
    read, declared = province_of(parsed.region.code), province_of(region)
    if declared == "CN" or read == "CN":
        return read != declared and not (read[:1].isdigit() or declared[:1].isdigit())
    return read != declared


@dataclass(frozen=True)
class Candidate:
    """An earlier statement sharing a blind key with the one being screened."""

    statement_id: int
    root_id: int  # itself, or the statement it was found to repeat
    same_person: bool
    same_text: bool
    similarity: float
    named: bool
    place: str  # the declared region code, as precise as given
    channel: str
    distinctive: bool
    days_apart: float


def places_agree(a: str, b: str) -> bool:
    """Whether two declared places can be one person's: equal, one unknown, or one inside the
    other (a province and a city in it; a city and a county in it)."""
    if not a or not b or a == b:
        return True
    mainland_a, mainland_b = a[:1].isdigit() or a == "CN", b[:1].isdigit() or b == "CN"
    if "CN" in (a, b):
        return mainland_a and mainland_b  # the mainland, place unknown
    if not (mainland_a and mainland_b):
        return False  # two countries, or a country and the mainland
    for level in (2, 4):  # province, prefecture
        if a[level:] == "0" * (6 - level) or b[level:] == "0" * (6 - level):
            return a[:level] == b[:level]
    return False


def duplicate_reasons(
    *,
    named: bool,
    real_name: bool,
    place: str,
    channel: str,
    distinctive: bool,
    text_uses: int,
    person_uses: int,
    candidates: Sequence[Candidate],
    rules: RuleSet = RULES,
) -> tuple[list[str], int | None, int | None]:
    """Whether a statement repeats an earlier one: (reasons, the statement it repeats, the
    statement it may repeat: same person, text too different to tell).

    Similar text alone never makes a duplicate: a named statement repeats only the same person
    (same folded name, province and organizations, places that agree); an anonymous one repeats
    only an anonymous statement from the same place, within ``same_person_days``, in a
    distinctive text that few others used. A name, province and organizations shared by more
    than ``common_person`` statements are many people: there only the same text within
    ``same_person_days`` makes a duplicate, and a similar one is held for a person. A recent
    statement of the same real name (not an alias) in a different text through another channel
    is held.
    """
    best: tuple[float, int, str] | None = None
    maybe: int | None = None
    common = person_uses > rules.common_person
    for c in candidates:
        recent = c.days_apart <= rules.same_person_days
        if not places_agree(place, c.place):
            continue
        if named and c.same_person:
            if common and not recent:
                continue  # a common name, long ago: another person, or nothing to tell
            if c.same_text:
                reason, score = EXACT_REPEAT, 2.0
            elif c.similarity >= rules.reworded and not common:
                reason, score = REWORDED_REPEAT, c.similarity
            elif recent and (
                c.similarity >= rules.reworded
                or (
                    c.channel != channel
                    and (real_name or (c.days_apart <= rules.alias_days and person_uses <= 1))
                )
            ):
                # a similar text of a common name, or another channel's record of a real
                # name (a phone call after a web form): a person decides. An alias is a
                # weaker mark (many choose the same words): it needs a similar text
                maybe = c.root_id if maybe is None else min(maybe, c.root_id)
                continue
            else:
                continue
        elif not named and not c.named and distinctive and c.distinctive and recent:
            if c.same_text and text_uses <= rules.common_text:
                reason, score = EXACT_REPEAT, 2.0
            elif c.similarity >= rules.anonymous_near:
                reason, score = REWORDED_REPEAT, c.similarity
            else:
                continue
        else:
            continue
        key = (score, -c.root_id, reason)
        if best is None or key > best:
            best = key
    if best is not None:
        return [best[2]], -best[1], None
    return ([SAME_PERSON] if maybe is not None else []), None, maybe
