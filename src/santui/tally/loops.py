"""Supervised background loops (the integrator, the screener), as e-petitions' jobs are: a round
that fails is logged, backed off and retried, never a silent stop; every round records how far
behind the loop is (``LoopState``), which the office shows.

A round is a function returning ``(done, backlog, oldest_waiting_at)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils import timezone

from santui.tally.models import LoopState

log = logging.getLogger("santui.loops")


@dataclass(frozen=True)
class Round:
    done: int
    backlog: int
    oldest_waiting_at: dt.datetime | None


def loop_record(*, name: str, result: Round | None, error: BaseException | None = None) -> None:
    """Write the loop's state after a round (``result``) or a failure (``error``)."""
    now = timezone.now()
    state, _ = LoopState.objects.get_or_create(name=name)
    state.heartbeat_at = now
    if error is None and result is not None:
        state.ok_at = now
        state.backlog = result.backlog
        state.oldest_waiting_at = result.oldest_waiting_at
        state.done += result.done
        state.errors = 0
    else:
        state.errors += 1
        state.last_error = type(error).__name__[:200] if error is not None else "unknown"
        state.last_error_at = now
    state.save()


def backoff_seconds(errors: int, *, base: float, cap: float = 300.0) -> float:
    """Seconds to wait after ``errors`` consecutive failures: doubling from ``base`` to ``cap``."""
    if errors <= 0:
        return base
    return float(min(cap, base * 2 ** min(errors, 16)))


def run_supervised(
    *,
    name: str,
    round_fn: Callable[[], Round],
    interval: float,
    rounds: int | None = None,
    sleep: Callable[[float], object] = time.sleep,
    tidy: Callable[[], object] = close_old_connections,
) -> int:
    """Run ``round_fn`` every ``interval`` seconds until stopped (or ``rounds`` times).

    Returns the number of failed rounds. An exception in a round is logged (its class and the
    traceback go to the log, which never holds an address), recorded in ``LoopState``, and the
    loop waits longer before the next try; a failure to record is logged too, and the loop goes on.
    """
    failures = consecutive = 0
    n = 0
    while rounds is None or n < rounds:
        n += 1
        try:
            tidy()  # a connection the database dropped is not reused
            result = round_fn()
            loop_record(name=name, result=result)
            consecutive = 0
            if result.backlog > 0 and result.done > 0:
                continue  # more to do: no pause
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # supervised: every failure is retried
            failures += 1
            consecutive += 1
            log.exception("%s: round failed (%d in a row); retrying", name, consecutive)
            try:
                tidy()
                loop_record(name=name, result=None, error=exc)
            except Exception:  # the database may be what is down
                log.exception("%s: could not record the failure", name)
        sleep(backoff_seconds(consecutive, base=interval))
    return failures
