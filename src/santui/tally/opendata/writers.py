"""Encoders: rows -> bytes, chunk by chunk, so a file of millions of rows never sits in memory.

- CSV: UTF-8 without a byte order mark, a header row, RFC 4180 (comma, CRLF, double quotes
  where needed). An empty cell is a missing value; booleans are ``true``/``false``; a list is
  its items joined by commas (in one quoted cell). A text cell that a spreadsheet would run as
  a formula gets a ``'`` in front (``csvsafe.spreadsheet_safe``, OWASP's rule); numbers stay
  numbers.
- JSON: an array of objects, one object per line. JSON Lines: one object per line.
- Parquet: zstd-compressed, a row group every ``GROUP_ROWS`` rows or ``GROUP_BYTES`` bytes of
  text, whichever comes first, so memory stays bounded whatever the number of rows.

Every encoder is deterministic: the same rows give the same bytes, however they are chunked.
Encoders are fed (push) rather than pulling rows, so `santui export` reads the statements once
and feeds every format of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, Protocol

import orjson
from django.utils import translation

from santui.tally.opendata.csvsafe import spreadsheet_safe
from santui.tally.opendata.schemas import LIST_DELIMITER, Field

OnRows = Callable[[int], object] | None
CHUNK_ROWS = 1000  # rows per chunk of CSV and JSON text
GROUP_ROWS = 50_000  # rows per Parquet row group at most
GROUP_BYTES = 32 * 1024 * 1024  # characters of text per Parquet row group at most
PARQUET_COMPRESSION: Final = "zstd"


def _csv_cell(kind: str) -> Callable[[Any], str]:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if kind == "boolean":
            return "true" if value else "false"
        if kind == "list":
            return spreadsheet_safe(LIST_DELIMITER.join(value))
        if kind == "date":
            return str(value.isoformat())
        if kind == "string":
            return spreadsheet_safe(str(value))
        return str(value)  # integer: a number, never escaped (-1 stays -1)

    return cell


class Encoder(Protocol):
    """Rows in, bytes out, a chunk at a time: ``begin``, ``feed`` per chunk of rows, ``end``."""

    def begin(self) -> bytes: ...

    def feed(self, rows: list[dict[str, Any]]) -> bytes: ...

    def end(self) -> bytes: ...

    def close(self) -> None: ...


class CsvEncoder:
    def __init__(self, fields: Sequence[Field]) -> None:
        self.names = [f.name for f in fields]
        self.cells = [(f.name, _csv_cell(f.type)) for f in fields]
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def _take(self) -> bytes:
        out = self.buffer.getvalue().encode()
        self.buffer.seek(0)
        self.buffer.truncate()
        return out

    def begin(self) -> bytes:
        self.writer.writerow(self.names)
        return self._take()

    def feed(self, rows: list[dict[str, Any]]) -> bytes:
        self.writer.writerows([cell(row[name]) for name, cell in self.cells] for row in rows)
        return self._take()

    def end(self) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _json_line(names: Sequence[str], row: dict[str, Any]) -> bytes:
    return orjson.dumps({name: row[name] for name in names})


class JsonEncoder:
    """An array of objects, one per line."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.names = [f.name for f in fields]
        self.empty = True

    def begin(self) -> bytes:
        return b""

    def feed(self, rows: list[dict[str, Any]]) -> bytes:
        if not rows:
            return b""
        lines = b",\n".join(_json_line(self.names, row) for row in rows)
        out = (b"[\n" if self.empty else b",\n") + lines
        self.empty = False
        return out

    def end(self) -> bytes:
        return b"[]\n" if self.empty else b"\n]\n"

    def close(self) -> None:
        pass


class JsonlEncoder(JsonEncoder):
    """One object per line."""

    def feed(self, rows: list[dict[str, Any]]) -> bytes:
        return b"".join(_json_line(self.names, row) + b"\n" for row in rows)

    def end(self) -> bytes:
        return b""


class _Sink(io.RawIOBase):
    """A write-only file for pyarrow that hands the bytes on instead of keeping them."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def drain(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def _text_size(row: dict[str, Any]) -> int:
    return sum(len(v) for v in row.values() if isinstance(v, str))


class ParquetEncoder:
    """Rows are held until a row group is full, then written; the footer comes at the end."""

    def __init__(self, fields: Sequence[Field]) -> None:
        # imported here, only when Parquet is asked for: a big import for a web worker
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {
            "integer": pa.int64(),
            "string": pa.string(),
            "date": pa.date32(),
            "boolean": pa.bool_(),
            "list": pa.list_(pa.string()),
        }
        with translation.override("en"):
            self.schema = pa.schema(
                [
                    pa.field(
                        f.name,
                        types[f.type],
                        nullable=not f.required,
                        metadata={
                            "description": str(f.description),
                            **({"unit": f.unit} if f.unit else {}),
                        },
                    )
                    for f in fields
                ]
            )
        self.batch = pa.RecordBatch.from_pylist
        self.sink = _Sink()
        self.writer = pq.ParquetWriter(
            pa.PythonFile(self.sink, mode="w"), self.schema, compression=PARQUET_COMPRESSION
        )
        self.group: list[dict[str, Any]] = []
        self.text = 0
        self.closed = False

    def _flush(self) -> None:
        if self.group:
            self.writer.write_batch(self.batch(self.group, schema=self.schema))
        self.group, self.text = [], 0

    def begin(self) -> bytes:
        return b""

    def feed(self, rows: list[dict[str, Any]]) -> bytes:
        for row in rows:
            self.group.append(row)
            self.text += _text_size(row)
            if len(self.group) >= GROUP_ROWS or self.text >= GROUP_BYTES:
                self._flush()
        return self.sink.drain()

    def end(self) -> bytes:
        self._flush()
        self.close()
        return self.sink.drain()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()


ENCODERS: dict[str, Callable[[Sequence[Field]], Encoder]] = {
    "csv": CsvEncoder,
    "json": JsonEncoder,
    "jsonl": JsonlEncoder,
    "parquet": ParquetEncoder,
}


def chunks(
    rows: Iterable[dict[str, Any]], size: int = CHUNK_ROWS
) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def encode(
    fmt: str, fields: Sequence[Field], rows: Iterable[dict[str, Any]], on_rows: OnRows = None
) -> Iterator[bytes]:
    """The bytes of ``rows`` in format ``fmt``, chunk by chunk."""
    encoder = ENCODERS[fmt](fields)
    try:
        if head := encoder.begin():
            yield head
        for chunk in chunks(rows):
            if data := encoder.feed(chunk):
                yield data
            if on_rows:
                on_rows(len(chunk))
        if tail := encoder.end():
            yield tail
    finally:
        encoder.close()
