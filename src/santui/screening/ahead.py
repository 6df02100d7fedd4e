"""Reading the next batch while this one waits for the database.

A round of the screener spends about half its time waiting for PostgreSQL (inserting keys and
records, looking up holders and counts; the database works on the machine's other core) and the
other half reading texts in Python (the parser, the text features). The reading of a text is a
pure function of the text and the names in it, so the next batch can be read in a thread during
this batch's waits: psycopg lets go of the interpreter while it waits, and the thread runs then.

What the thread produces is a memo, nothing else: parsed readings by text and text features by
(text, names). The round looks its own statements up in it and reads whatever is missing itself
(a statement received in between, a text edited since, a read that failed). A memo of a pure
function cannot change a decision, only when it is computed (tests/screening/test_ahead.py
screens the same statements with and without it and compares every record).

Only on PostgreSQL: on SQLite the database runs in the screener's own process and a second
connection would only compete with the round for the file's lock.

While a round runs (``ReadAhead.round``), the thread reads only while the round waits for the
database (its queries, or ``take``): Python's interpreter lock has no priorities, so a thread
reading beside the round's own Python work would take every other slice of it and slow the
round, which is the critical path, while the database waited for the round.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection, connections
from django.db.models import Q

from santui.screening.features import TextFeatures, text_features
from santui.statements.models import Statement, Status
from santui.textparse.parse import Parsed, parse_statement

log = logging.getLogger("santui.screening")

SWITCH_INTERVAL = 0.001  # seconds (Python's default: 0.005)

FeaturesKey = tuple[str, tuple[str, ...]]


def read_text(text: str) -> Parsed | None:
    """The parser's reading of a statement's text (None for an empty one)."""
    return parse_statement(text) if text.strip() else None


def names_in(name: str, parsed: Parsed | None) -> tuple[str, str]:
    """The names masked out of a text before its features: the declared one and the parsed."""
    return (name, parsed.name if parsed is not None and parsed.name else "")


@dataclasses.dataclass
class Memo:
    """Readings done ahead: the parser's by text, the features by (text, names)."""

    parsed: dict[str, Parsed | None] = dataclasses.field(default_factory=dict)
    features: dict[FeaturesKey, TextFeatures] = dataclasses.field(default_factory=dict)

    def read(self, text: str) -> Parsed | None:
        if type(text) is str and text in self.parsed:
            return self.parsed[text]
        return read_text(text)

    def known_features(self, text: str, names: Sequence[str]) -> TextFeatures | None:
        if type(text) is not str:
            return None
        return self.features.get((text, tuple(names)))


FEATURES_CHUNK = 50  # texts whose features are computed between two looks at the gate


def _read_batch(
    after: tuple[dt.datetime, int], batch: int, gate: threading.Event | None = None
) -> Memo:
    """In the thread: the ``batch`` received, unscreened statements after ``after`` in the
    screener's order, read. Its own connection, closed before it returns. Between texts it
    waits for ``gate`` (set while the round waits for the database)."""

    def go() -> None:
        if gate is not None:
            gate.wait()

    memo = Memo()
    try:
        at, pk = after
        rows: list[tuple[Any, Any]] = list(
            Statement.objects.filter(status=Status.RECEIVED, screening__isnull=True)
            .filter(Q(received_at__gt=at) | Q(received_at=at, pk__gt=pk))
            .order_by("received_at", "id")
            .values_list("text", "name")[:batch]
        )
        connections.close_all()  # before the reading: no connection held while it runs
        pairs: list[tuple[str, tuple[str, str]]] = []
        for text, name in rows:
            if type(text) is not str or type(name) is not str:
                continue  # sealed or undecryptable: the round holds it with its reason
            go()
            try:
                parsed = memo.parsed[text] if text in memo.parsed else read_text(text)
            except Exception:  # noqa: S112 - the round reads it again, logs and holds it
                continue
            memo.parsed[text] = parsed
            pairs.append((text, names_in(name, parsed)))
        for i in range(0, len(pairs), FEATURES_CHUNK):
            go()
            chunk = pairs[i : i + FEATURES_CHUNK]
            for (text, names), f in zip(chunk, text_features(chunk), strict=True):
                memo.features[(text, names)] = f
    except Exception:  # only an optimisation: the round reads whatever is missing itself
        log.warning("reading ahead failed; the round reads its batch itself", exc_info=True)
    finally:
        connections.close_all()
    return memo


class ReadAhead:
    """One thread reading the batch after the one being screened (see the module's text)."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self._pool: ThreadPoolExecutor | None = None
        self._running: Future[Memo] | None = None
        self._switch = sys.getswitchinterval()
        self._gate = threading.Event()  # set: the thread may read
        self._gate.set()

    @staticmethod
    def useful() -> bool:
        return connection.vendor == "postgresql"

    def take(self) -> Memo:
        """What the last ``start`` read (waiting for it to finish), or nothing."""
        running, self._running = self._running, None
        if running is None:
            return Memo()
        gated = not self._gate.is_set()
        self._gate.set()  # the round waits for it: let it read
        try:
            return running.result()
        except Exception:  # never the round's failure: it reads its batch itself
            log.warning("reading ahead failed; the round reads its batch itself", exc_info=True)
            return Memo()
        finally:
            if gated:
                self._gate.clear()

    @contextlib.contextmanager
    def round(self) -> Iterator[None]:
        """While a round runs: the thread reads only while the round waits for the database
        (its queries, through Django's execute wrappers) or for the thread (``take``)."""
        self._gate.clear()
        try:
            with connection.execute_wrapper(self._waiting):
                yield
        finally:
            self._gate.set()

    def _waiting(self, execute: Callable[..., Any], *args: Any) -> Any:
        self._gate.set()
        try:
            return execute(*args)
        finally:
            self._gate.clear()

    def start(self, after: tuple[dt.datetime, int]) -> None:
        """Read the batch after ``after`` (received time, id of this batch's last statement)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="santui-read-ahead")
            # the round's queries come back while the thread reads: hand the interpreter back
            # within a millisecond, not Python's default five, each time one does
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))
        self.take()  # never two at once
        self._running = self._pool.submit(_read_batch, after, self.batch, self._gate)

    def close(self) -> None:
        self.take()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
            sys.setswitchinterval(self._switch)


def features_with(
    memo: Memo,
    texts: list[tuple[str, Sequence[str]]],
    compute: Callable[[list[tuple[str, Sequence[str]]]], list[TextFeatures | None]],
) -> list[TextFeatures | None]:
    """The features of ``texts``: from the memo where it has them, the rest by ``compute``."""
    known = [memo.known_features(text, names) for text, names in texts]
    todo = [i for i, f in enumerate(known) if f is None]
    if todo:
        for i, f in zip(todo, compute([texts[i] for i in todo]), strict=True):
            known[i] = f
    return known
