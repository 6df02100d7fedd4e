"""`santui parse`: statement texts on standard input -> one JSON object per line on standard output.

Each input line is either a statement text, or (when it starts with ``{``) a JSON object with
``text`` and optional hints (docs/cli.md). Every line gives exactly one output line, in input
order: the parsed fields (with ``low_confidence``: the counted fields read with a confidence
below ``santui.textparse.parse.LOW_CONFIDENCE``), or ``{"line": N, "error": "..."}`` for a line
that cannot be read. The command goes on after a bad line; it fails only when standard input
itself cannot be read.

``--jobs N`` parses in N processes (by default one per CPU this process may use): lines are
read here, sent out in batches of ``BATCH`` and written back in input order, with at most two
batches per process in flight, so memory stays bounded whatever the input's size. An input of
one batch or less is parsed here, without starting any process.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from multiprocessing import get_all_start_methods, get_context
from typing import IO, Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from santui.textparse.parse import LOW_CONFIDENCE, parse_statement

MAX_LINE_BYTES = 100_000
HINT_FIELDS = frozenset(
    {"organizations", "region", "headcount", "name", "name_kind", "sector",
     "current_party_member"}
)  # fmt: skip
ECHOED = ("id", "external_id")  # given back as they came, so outputs can be joined to inputs
_CHUNK = 64 * 1024
BATCH = 1000  # lines per batch: parsed in one call of a process, written in one write

Batch = list[tuple[int, bytes | int]]  # (line number, the line or the length of a long one)


def read_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes | int]:
    """Lines of ``stream`` without their end of line; the byte length instead of a line that is
    longer than ``limit`` (whose bytes are skipped without being held in memory)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:  # skip the rest of the long line, a chunk at a time
                rest = stream.readline(_CHUNK)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield size - (1 if rest.endswith(b"\n") else 0)
            if not rest:
                return
            continue
        if line.endswith(b"\n"):
            line = line[:-1]
            if line.endswith(b"\r"):
                line = line[:-1]
        if len(line) > limit:
            yield len(line)
            continue
        yield line


def parse_line(number: int, line: bytes | int) -> dict[str, Any]:
    """The output object of one input line."""
    if isinstance(line, int):
        return {"line": number, "error": f"line too long: {line} bytes, at most {MAX_LINE_BYTES}"}
    if number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]  # a byte order mark, as some editors write
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"line": number, "error": f"not valid UTF-8: byte {exc.start}"}
    hints: dict[str, Any] | None = None
    echo: dict[str, Any] = {}
    if text.lstrip().startswith("{"):
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return {"line": number, "error": f"bad JSON: {exc}"}
        if not isinstance(data, dict):
            return {"line": number, "error": "bad JSON: a line must be an object"}
        value = data.get("text")
        if not isinstance(value, str):
            return {"line": number, "error": "bad JSON: text must be a string"}
        text = value
        hints = {k: v for k, v in data.items() if k in HINT_FIELDS and v is not None}
        echo = {k: data[k] for k in ECHOED if isinstance(data.get(k), str | int)}
    try:
        parsed = parse_statement(text, hints=hints)
        result = parsed.to_json()
        result["low_confidence"] = list(parsed.low_confidence(LOW_CONFIDENCE))
    except Exception as exc:  # one bad line must not stop the others
        return {"line": number, "error": f"cannot parse: {type(exc).__name__}"}
    if echo:
        result = {**echo, **result}
    return result


def parse_batch(batch: Batch) -> bytes:
    """The output lines of ``batch``, each ending in a newline."""
    out: list[bytes] = []
    for number, line in batch:
        try:
            out.append(orjson.dumps(parse_line(number, line)))
        except orjson.JSONEncodeError:  # a lone surrogate in an id or a hint
            out.append(orjson.dumps({"line": number, "error": "cannot encode the result as UTF-8"}))
    return b"\n".join(out) + b"\n" if out else b""


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Command(BaseCommand):
    help = "Parse statement texts from standard input; print one JSON object per line."
    requires_system_checks: list[str] = []  # no database, no instance: nothing to check

    def add_arguments(self, parser: Any) -> None:
        jobs = default_jobs()
        parser.add_argument(
            "--jobs",
            type=int,
            default=jobs,
            help=f"processes that parse, in input order (default: one per CPU, here {jobs}); "
            "1 parses in this process",
        )

    def handle(self, *args: Any, jobs: int, **options: Any) -> None:
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        out = sys.stdout.buffer
        try:
            self._parse(self._batches(sys.stdin.buffer), jobs, out)
            out.flush()
        except BrokenPipeError:  # the reader went away (santui parse < f | head)
            sys.stderr.close()

    @staticmethod
    def _batches(stream: IO[bytes]) -> Iterator[Batch]:
        """Numbered lines of ``stream`` in batches; what was read before a read error comes
        out before the error (a CommandError)."""
        lines = read_lines(stream)
        batch: Batch = []
        number = 0
        while True:
            try:
                line = next(lines)
            except StopIteration:
                break
            except OSError as exc:
                if batch:
                    yield batch
                raise CommandError(f"cannot read standard input: {exc}") from None
            number += 1
            batch.append((number, line))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    @staticmethod
    def _parse(batches: Iterator[Batch], jobs: int, out: IO[bytes]) -> None:
        first = next(batches, None)
        if first is None:
            return
        if jobs == 1:
            for batch in chain((first,), batches):
                out.write(parse_batch(batch))
            return
        try:
            second = next(batches, None)
        except CommandError:  # a read error: what was read first
            out.write(parse_batch(first))
            raise
        if second is None:  # too little to share out
            out.write(parse_batch(first))
            return
        parse_line(0, "三退".encode())  # the parser's tables, built once, before the fork
        method = "fork" if "fork" in get_all_start_methods() else None  # shared, not rebuilt
        pending: deque[Future[bytes]] = deque()
        with ProcessPoolExecutor(jobs, mp_context=get_context(method)) as pool:
            try:
                try:
                    for batch in chain((first, second), batches):
                        pending.append(pool.submit(parse_batch, batch))
                        while len(pending) > 2 * jobs:
                            out.write(pending.popleft().result())
                finally:  # what was read is written, before any error of the input's
                    while pending:
                        out.write(pending.popleft().result())
            except BrokenProcessPool:
                raise CommandError(
                    "a parsing process died (out of memory?); try --jobs 1"
                ) from None
