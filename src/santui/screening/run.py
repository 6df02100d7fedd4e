"""Running the screener: until the queue is empty (`santui screen`, `santui import`), or as a
supervised loop beside the integrator (`santui serve`)."""

from __future__ import annotations

import contextlib
import gc
import time
from typing import IO, Any

import orjson
from django.conf import settings
from tqdm import tqdm

from santui.screening.actions import (
    Decided,
    ScreenSummary,
    screen_round,
    screening_backlog,
    screening_prune_counts,
)
from santui.screening.ahead import ReadAhead
from santui.screening.quality import quality_freeze
from santui.screening.review import DrawError, review_draw
from santui.tally.loops import Round

PRUNE_EVERY = 3600.0  # seconds between the loop's hourly chores (pruning, the review draw)
_last_pruned = {"at": float("-inf")}
_settled = {"done": False}
# The loop's reader of the next batch (a thread; it holds no connection between reads).
_loop_ahead: dict[str, Any] = {}


def settle_memory() -> None:
    """Once the first round has loaded what stays (the parser's tables, the gazetteer, Django's
    caches): collect, then freeze what is left out of the garbage collector's sight. Each full
    collection walked those millions of long-lived objects again: a fifth of the screener's CPU
    (docs/benchmarks.md). Later garbage is collected as before."""
    if not _settled["done"]:
        gc.collect()
        gc.freeze()
        _settled["done"] = True


def screen_all(
    *,
    batch: int | None = None,
    delay: float = 0.0,
    report: IO[bytes] | None = None,
    progress: bool = False,
    stderr: Any = None,
) -> ScreenSummary:
    """Screen until nothing received is left (that is at least ``delay`` seconds old)."""
    summary = ScreenSummary()
    waiting, _ = screening_backlog()
    size = batch or settings.SANTUI_SCREEN_BATCH
    ahead = ReadAhead(size) if waiting > size and ReadAhead.useful() else None

    def write(decided: list[Decided]) -> None:
        if report is not None:
            report.writelines(orjson.dumps(d.report()) + b"\n" for d in decided)
        bar.update(len(decided))

    with tqdm(
        total=waiting, unit="statement", disable=not progress or waiting < 1000, file=stderr
    ) as bar:
        try:
            while screen_round(
                batch=size, delay=delay, summary=summary, on_decided=write, ahead=ahead
            ):
                settle_memory()
        finally:
            if ahead is not None:
                ahead.close()
    return summary


def close_loop_ahead() -> None:
    """Stop the loop's reader of the next batch (its thread; the switch interval restored)."""
    ahead = _loop_ahead.pop("ahead", None)
    _loop_ahead.clear()
    if ahead is not None:
        ahead.close()


def screen_loop_round(batch: int | None, *, clock: Any = time.monotonic) -> Round:
    """One round of `santui screen --loop`. Once an hour it also prunes old bucket counts and
    draws yesterday's sample for the blind re-review (once per day: the draw is idempotent).
    Every round it freezes the quality report of a month whose breakdowns were just released."""
    summary = ScreenSummary()
    size = batch or settings.SANTUI_SCREEN_BATCH
    if _loop_ahead.get("batch") != size and ReadAhead.useful():
        if "ahead" in _loop_ahead:
            _loop_ahead["ahead"].close()
        _loop_ahead.update(batch=size, ahead=ReadAhead(size))
    screen_round(batch=size, summary=summary, ahead=_loop_ahead.get("ahead"))
    settle_memory()
    quality_freeze()
    if clock() - _last_pruned["at"] >= PRUNE_EVERY:
        screening_prune_counts()
        with contextlib.suppress(DrawError):  # yesterday is not over yet (just after midnight)
            review_draw()
        _last_pruned["at"] = clock()
    backlog, oldest = screening_backlog()
    if backlog <= size:  # caught up: no thread kept for a backlog that is not there
        close_loop_ahead()
    return Round(done=sum(summary.decided.values()), backlog=backlog, oldest_waiting_at=oldest)
