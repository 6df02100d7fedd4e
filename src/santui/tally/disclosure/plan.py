"""Decide, audit and harden the new releases of one dimension. Pure.

New releases are decided a year at a time (``CHUNK`` months), each chunk audited against
everything before it and hardened until the audit passes, then frozen: so a first release of
twenty years of history is hardened where it fails, not as a whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from santui.tally.disclosure.audit import Violation, audit
from santui.tally.disclosure.tables import Published, Release, decide, harden, implicated

log = logging.getLogger("santui.disclosure")
CHUNK = 12


def plan(
    releases: Sequence[Release],
    frozen: Sequence[Published],
    *,
    k: int,
    universe: int,
    name: str = "",
) -> list[Published]:
    """What the releases after ``frozen`` publish, audited. Returns only the new decisions.
    ``universe``: how many keys the dimension has, seen or not (the attacker knows the list)."""
    decided = list(frozen)
    start = len(decided)
    while len(decided) < len(releases):
        end = min(len(releases), len(decided) + CHUNK)
        began = time.monotonic()
        chunk_start = len(decided)
        decided += decide(releases[:end], decided, k=k, universe=universe)
        rounds = _harden(releases[:end], decided, chunk_start, k=k, universe=universe)
        log.info(
            "disclosure %s: releases %d-%d decided and audited in %.1f s (%d hardening rounds)",
            name, chunk_start, end - 1, time.monotonic() - began, rounds,
        )  # fmt: skip
    return decided[start:]


def _harden(
    releases: Sequence[Release], decided: list[Published], start: int, *, k: int, universe: int
) -> int:
    rounds = 0
    for level in (1, 1, 1, 2, 3):
        violations = audit(releases, decided, k=k, universe=universe)
        if not violations:
            return rounds
        rounds += 1
        _apply(releases, decided, start, violations, level)
    left = audit(releases, decided, k=k, universe=universe)
    if left:
        # With nothing new published, what is left comes from earlier releases and the public
        # log alone (a revocation of statements of a release that showed their key nearly
        # alone): nothing this release could withhold (docs/disclosure.md, "Limits").
        log.warning(
            "disclosure: %d quantities stay narrow with every new figure withheld (earlier "
            "releases and the log tell them); releasing nothing new for releases %d-%d",
            len(left), start, len(decided) - 1,
        )  # fmt: skip
    return rounds


def _apply(
    releases: Sequence[Release],
    decided: list[Published],
    start: int,
    violations: Sequence[Violation],
    level: int,
) -> None:
    if level >= 2:
        for r in range(start, len(decided)):
            decided[r] = harden(decided[r], level)
        return
    for violation in violations:
        q = violation.quantity
        keys = implicated(releases, decided, q.release, q.key)
        for r in range(max(start, q.release), len(decided)):
            decided[r] = harden(decided[r], 1, keys)
