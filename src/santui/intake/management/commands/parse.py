"""`santui parse`: statement texts on standard input -> one JSON object per line on standard output.

Each input line is either a statement text, or (when it starts with ``{``) a JSON object with
``text`` and optional hints (docs/cli.md). Every line gives exactly one output line, in input
order: the parsed fields (with ``low_confidence``: the counted fields read with a confidence
below ``santui.textparse.parse.LOW_CONFIDENCE``), or ``{"line": N, "error": "..."}`` for a line
that cannot be read. The command goes on after a bad line; it fails only when standard input
itself cannot be read.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
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
_BATCH = 1000  # output lines per write


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


class Command(BaseCommand):
    help = "Parse statement texts from standard input; print one JSON object per line."

    def handle(self, *args: Any, **options: Any) -> None:
        out = sys.stdout.buffer
        pending: list[bytes] = []
        dumps = orjson.dumps
        lines = read_lines(sys.stdin.buffer)
        number = 0
        try:
            while True:
                try:
                    line = next(lines)
                except StopIteration:
                    break
                except OSError as exc:
                    self._flush(out, pending)
                    raise CommandError(f"cannot read standard input: {exc}") from None
                number += 1
                try:
                    pending.append(dumps(parse_line(number, line)))
                except orjson.JSONEncodeError:  # a lone surrogate in an id or a hint
                    error = {"line": number, "error": "cannot encode the result as UTF-8"}
                    pending.append(dumps(error))
                if len(pending) >= _BATCH:
                    out.write(b"\n".join(pending) + b"\n")
                    pending.clear()
        except BrokenPipeError:  # the reader went away (santui parse < f | head)
            sys.stderr.close()
            return
        self._flush(out, pending)

    @staticmethod
    def _flush(out: IO[bytes], pending: list[bytes]) -> None:
        try:
            if pending:
                out.write(b"\n".join(pending) + b"\n")
            out.flush()
        except BrokenPipeError:  # the reader went away (santui parse < f | head)
            sys.stderr.close()
