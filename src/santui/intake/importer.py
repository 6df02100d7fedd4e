"""`santui import`: JSON Lines or CSV statements, streamed in batches, idempotent and resumable.

Every row either lands (or is already there) or goes to the rejects file with its line number, a
reason and its raw text, so nothing is lost. Format: docs/import-format.md.

Memory is bounded per line (issue 12): lines are read in pieces of at most
``SANTUI_IMPORT_MAX_LINE`` bytes, and a longer line (in CSV, a longer record) is rejected as
``row too large`` with its first ``REJECT_HEAD`` bytes, the rest of it skipped piece by piece,
never held whole.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.db import connection

from santui.intake.stager import BatchStager
from santui.statements.actions import stored_suggestion
from santui.statements.bulk import (
    BulkResult,
    Staged,
    StatementRow,
    among,
    statements_copy_load,
    statements_copy_staged,
)
from santui.statements.models import (
    Channel,
    Declarant,
    ExternalKey,
    NameKind,
    Statement,
    Status,
)
from santui.statements.partitions import all_partitions_ensure
from santui.textparse.parse import LOW_CONFIDENCE, Parsed, parse_statement
from santui.textparse.regions import RegionError, normalize_region
from santui.textparse.sectors import SECTORS

FIELDS = frozenset(
    {
        "external_id", "received_at", "channel", "text", "organizations", "headcount", "name",
        "name_kind", "region", "sector", "current_party_member", "publish", "status",
        "declarant",
    }
)  # fmt: skip
ORGANIZATIONS = ("party", "league", "pioneers")
IMPORT_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED})
# TextChoices.values builds a new list on every access: look the sets up once.
CHANNELS = frozenset(Channel.values)
NAME_KINDS = frozenset(NameKind.values)
DECLARANTS = frozenset(Declarant.values)
MAX_ROW_BYTES = 64 * 1024  # the default of settings.SANTUI_IMPORT_MAX_LINE
REJECT_HEAD = 2000  # bytes of a line too large kept in the rejects file
SKIP_PIECE = 64 * 1024  # the rest of a line too large is read (and dropped) this much at a time
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", ""}
_DIGITS = re.compile(r"^[0-9]{1,12}$")
# As on the public form: no control characters but tab and newlines (PostgreSQL refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RowError(ValueError):
    """This row cannot be taken; the message says why."""


class FileError(ValueError):
    """The whole file cannot be read (unknown format, bad CSV header)."""


@dataclass
class ImportSummary:
    rows: int = 0
    imported: int = 0
    accepted: int = 0
    already_present: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.rejected += 1
        key = reason.split(":")[0]
        self.reasons[key] = self.reasons.get(key, 0) + 1


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    raw: str
    data: dict[str, Any] | None  # None when the row could not even be decoded
    error: str = ""


def detect_format(path: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    lower = path.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    raise FileError("cannot tell the format from the file name: use --format jsonl or csv")


def _too_large(size: int, limit: int) -> str:
    return f"row too large: {size} bytes, at most {limit}"


def bounded_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[bytes, int]]:
    """(line, size in bytes) for each line, its line end included. A line of more than
    ``limit`` bytes comes as its first ``limit + 1`` bytes only, with its whole size: the rest
    is read in pieces and dropped, so memory stays bounded whatever the line's length."""
    while line := stream.readline(limit + 1):
        size = len(line)
        if size > limit:
            piece = line
            while not piece.endswith(b"\n") and (piece := stream.readline(SKIP_PIECE)):
                size += len(piece)
        yield line, size


def read_jsonl(stream: IO[bytes], *, limit: int = MAX_ROW_BYTES) -> Iterator[RawRow]:
    for number, (line, size) in enumerate(bounded_lines(stream, limit), start=1):
        if number == 1 and line.startswith(codecs.BOM_UTF8):  # as written by some editors
            line = line[len(codecs.BOM_UTF8) :]
        if size > limit:
            head = line[:REJECT_HEAD].decode("utf-8", "replace")
            yield RawRow(number, head, None, _too_large(size, limit))
            continue
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RawRow(number, line.decode("utf-8", "replace").rstrip("\r\n"), None,
                         f"not valid UTF-8: byte {exc.start}")  # fmt: skip
            continue
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield RawRow(number, text.rstrip("\r\n"), None, f"bad JSON: {exc}")
            continue
        if not isinstance(data, dict):
            yield RawRow(number, text.rstrip("\r\n"), None, "bad JSON: a row must be an object")
            continue
        yield RawRow(number, text.rstrip("\r\n"), data)


class _RecordTooLarge(Exception):
    """The record being read has more than the limit's bytes: its rest was skipped."""

    def __init__(self, size: int, head: str) -> None:
        super().__init__(size)
        self.size = size
        self.head = head


class _RecordingLines:
    """Feeds csv.reader line by line and keeps the source text of the record being read, so a
    rejected row is written out as it was in the file (quotes and all), even when it cannot be
    parsed. Lines are read at most ``limit + 1`` characters at a time: a record of more than
    ``limit`` bytes raises _RecordTooLarge (out of the csv reader, which starts afresh on its
    next call) once the rest of the record is skipped in pieces: up to a line end outside
    quotes (RFC 4180 doubles a quote inside a quoted field, so an odd count of quotes so far
    means a field is still open)."""

    def __init__(self, text: io.TextIOWrapper, limit: int) -> None:
        self._text = text
        self._limit = limit
        self._record: list[str] = []
        self._size = 0  # bytes of the record so far
        self._quotes = 0  # quote characters in the record so far
        self.number = 0  # physical lines read

    def __iter__(self) -> _RecordingLines:
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self._size += len(_raw_bytes(line))
        self._quotes += line.count('"')
        if self._size > self._limit:
            head = _readable("".join(self._record) + line)[:REJECT_HEAD]
            ended = line.endswith(("\n", "\r"))
            while not (ended and self._quotes % 2 == 0) and (
                line := self._text.readline(SKIP_PIECE)
            ):
                self.number += ended  # this piece starts a line of its own
                self._size += len(_raw_bytes(line))
                self._quotes += line.count('"')
                ended = line.endswith(("\n", "\r"))
            size = self._size
            self.take()
            raise _RecordTooLarge(size, head)
        self._record.append(line)
        return line

    def take(self) -> str:
        raw = "".join(self._record).rstrip("\r\n")
        self._record.clear()
        self._size = self._quotes = 0
        return raw


def _raw_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _readable(value: str) -> str:
    """Text read with surrogateescape, with any undecodable byte shown as U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_csv(stream: IO[bytes], *, limit: int = MAX_ROW_BYTES) -> Iterator[RawRow]:
    # surrogateescape keeps undecodable bytes so one bad row is rejected, not the whole file.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _read_csv(text, limit)
    finally:
        text.detach()  # else the wrapper closes ``stream`` when it is collected: not ours to close


def _read_csv(text: io.TextIOWrapper, limit: int) -> Iterator[RawRow]:
    csv.field_size_limit(limit)
    lines = _RecordingLines(text, limit)
    # strict: a stray quote ('"a"b') or a quote left open at the end is an error for that row,
    # instead of silently changing the value or swallowing the rows after it.
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise FileError(f"CSV header cannot be read: {exc}") from None
    except _RecordTooLarge as exc:
        raise FileError(f"CSV header cannot be read: {_too_large(exc.size, limit)}") from None
    header = [_readable(h).strip() for h in header]
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise FileError(
            f"unknown CSV columns: {', '.join(map(repr, unknown))}"
            f" (known: {', '.join(sorted(FIELDS))})"
        )
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise FileError(f"repeated CSV columns: {', '.join(map(repr, repeated))}")
    if "external_id" not in header:
        raise FileError("the CSV header has no external_id column")
    lines.take()
    while True:
        line = lines.number + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RawRow(line, _readable(lines.take()), None, f"bad CSV: {exc}")
            continue
        except _RecordTooLarge as exc:
            yield RawRow(line, exc.head, None, _too_large(exc.size, limit))
            continue
        raw = lines.take()
        if any("\udc80" <= ch <= "\udcff" for ch in raw):
            yield RawRow(line, _readable(raw), None, "not valid UTF-8")
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield RawRow(
                line, raw, None, f"bad CSV: {len(values)} fields, header has {len(header)}"
            )
            continue
        yield RawRow(line, raw, {k: v for k, v in zip(header, values, strict=True) if v != ""})


# --- validating ----------------------------------------------------------------------------


def _bool(value: Any, name: str, default: bool | None) -> bool | None:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return default if value.strip() == "" else False
    raise RowError(f"bad {name}: {value!r} is not true or false")


def _received_at(value: Any, tz: ZoneInfo) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise RowError("bad received_at: missing")
    value = value.strip()
    try:
        if len(value) == 10:  # a date alone: counted at noon in the reporting time zone
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(12), tzinfo=tz)
        else:
            moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError(f"bad received_at: {value!r} is not an ISO 8601 date or date-time") from None
    if moment.tzinfo is None:
        raise RowError(f"bad received_at: {value!r} has no UTC offset")
    if moment.year < 1990 or moment > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        raise RowError(f"bad received_at: {value!r} is out of range")
    return moment


def _organizations(value: Any) -> tuple[bool, bool, bool]:
    if value is None:
        raise RowError("unknown organization: organizations missing")
    if isinstance(value, str):
        items = [
            p for p in value.replace(";", " ").replace(",", " ").replace("|", " ").split() if p
        ]
    elif isinstance(value, list):
        items = value
    else:
        raise RowError("unknown organization: organizations must be a list")
    if not items:
        raise RowError("unknown organization: organizations is empty")
    for item in items:
        if item not in ORGANIZATIONS:
            raise RowError(f"unknown organization: {item!r} (party, league or pioneers)")
    return ("party" in items, "league" in items, "pioneers" in items)


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RowError(f"bad {key}: must be text")
    if len(value) > limit:
        raise RowError(f"{key} too long: {len(value)} characters, at most {limit}")
    if _CONTROL.search(value):
        raise RowError(f"bad {key}: contains control characters")
    return value


# A row whose text is read: one that leaves out its organizations or its region (issue 3). The
# parser then fills every one of FILLED_FROM_TEXT that the row leaves out. Rows that give both
# are not parsed, so that imports of complete data keep their speed (docs/benchmarks.md).
PARSE_WHEN_MISSING = ("organizations", "region")
FILLED_FROM_TEXT = ("organizations", "region", "headcount", "sector", "name_kind")


def _missing(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    return value is None or (isinstance(value, str) and not value.strip())


def validate(data: dict[str, Any], *, tz: ZoneInfo) -> StatementRow:
    return validate_and_parse(data, tz=tz)[0]


def validate_and_parse(
    data: dict[str, Any], *, tz: ZoneInfo
) -> tuple[StatementRow, dict[str, Any] | None]:
    """Validate a row; read its text when it leaves out its organizations or its region.

    Returns the row and, when the text was read, what the parser suggested (stored in
    ``Statement.suggested``); the fields of FILLED_FROM_TEXT the row leaves out are then taken
    from the text.
    """
    text = _text(data, "text", settings.SANTUI_MAX_TEXT)
    parsed: Parsed | None = None
    if text.strip() and any(_missing(data, key) for key in PARSE_WHEN_MISSING):
        parsed = parse_statement(text)
        data = _filled(data, parsed)
    row = _validate(data, tz=tz, text=text)  # the text checked once, above
    return row, (parsed.to_json() if parsed is not None else None)


def _filled(data: dict[str, Any], parsed: Parsed) -> dict[str, Any]:
    """``data`` with the fields it leaves out taken from the parser's reading."""
    data = dict(data)
    if _missing(data, "organizations"):
        if not parsed.organizations:
            raise RowError("unknown organization: organizations missing and none found in the text")
        data["organizations"] = sorted(parsed.organizations)
        if "organizations" in parsed.low_confidence(LOW_CONFIDENCE):
            data["status"] = Status.RECEIVED  # a guess: screened and held, never counted unread
    if _missing(data, "region") and parsed.region is not None:
        with contextlib.suppress(RegionError):  # a place it cannot address stays unknown
            data["region"] = normalize_region(parsed.region.code)
    if data.get("headcount") is None:
        data["headcount"] = parsed.headcount
    if _missing(data, "sector") and parsed.sector:
        data["sector"] = parsed.sector
    name = data.get("name")
    named = isinstance(name, str) and bool(name.strip())
    if (
        _missing(data, "name_kind")
        and named
        and parsed.name_kind in (NameKind.REAL, NameKind.ALIAS)
    ):
        data["name_kind"] = parsed.name_kind
    return data


def _validate(data: dict[str, Any], *, tz: ZoneInfo, text: str) -> StatementRow:
    unknown = set(data) - FIELDS
    if unknown:
        raise RowError(f"unknown field: {', '.join(sorted(unknown))}")
    eid = data.get("external_id")
    if isinstance(eid, int) and not isinstance(eid, bool):
        eid = str(eid)
    if not isinstance(eid, str) or not eid.strip():
        raise RowError("no external_id")
    if len(eid) > 200:
        raise RowError("bad external_id: longer than 200 characters")
    if _CONTROL.search(eid):
        raise RowError("bad external_id: contains control characters")
    channel = data.get("channel")
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise RowError(f"unknown channel: {channel!r}")
    party, league, pioneers = _organizations(data.get("organizations"))
    headcount = data.get("headcount")
    if headcount is None:  # absent or null, like every other optional field
        headcount = 1
    if isinstance(headcount, str) and _DIGITS.match(headcount.strip()):
        # ASCII digits only (int() refuses "²" and very long strings); strip() also removes
        # separators such as \x1f that int() does not accept, so convert the stripped text.
        headcount = int(headcount.strip())
    if not isinstance(headcount, int) or isinstance(headcount, bool):
        raise RowError(f"bad headcount: {headcount!r} is not a whole number")
    if headcount < 1 or headcount > settings.SANTUI_MAX_HEADCOUNT:
        raise RowError(f"bad headcount: {headcount} (1 to {settings.SANTUI_MAX_HEADCOUNT})")
    name = _text(data, "name", 200).strip()
    name_kind = data.get("name_kind") or (NameKind.ALIAS if name else NameKind.ANONYMOUS)
    if not isinstance(name_kind, str) or name_kind not in NAME_KINDS:
        raise RowError(f"unknown name_kind: {name_kind!r}")
    if name_kind == NameKind.ANONYMOUS and name:
        raise RowError("bad name_kind: anonymous, but a name is given")
    region = _text(data, "region", 20)
    if region and not region.isascii():  # normalize_region's \d would take "11٠١٠١"
        raise RowError(f"bad region: {region!r} is not a GB/T 2260 or ISO 3166-1 code")
    if region:
        try:
            region = normalize_region(region)
        except RegionError as exc:
            raise RowError(f"bad region: {exc}") from None
    sector = _text(data, "sector", 40)
    if sector and sector not in SECTORS:
        raise RowError(f"unknown sector: {sector!r}")
    status = data.get("status") or Status.RECEIVED
    if not isinstance(status, str) or status not in IMPORT_STATUSES:
        raise RowError(f"bad status: {status!r} (received or accepted)")
    # Who declared: absent, null or empty (files made before the field) is the person themselves.
    declarant = data.get("declarant") or Declarant.SELF
    if not isinstance(declarant, str) or declarant not in DECLARANTS:
        shown = repr(declarant)[:60]  # a long value stays whole in the rejects file's raw
        raise RowError(f"unknown declarant: {shown} (self, family, volunteer or deceased)")
    return StatementRow(
        external_id=eid.strip(),
        received_at=_received_at(data.get("received_at"), tz),
        channel=channel,
        text=text,
        party=party,
        league=league,
        pioneers=pioneers,
        headcount=headcount,
        name=name,
        name_kind=name_kind,
        region=region,
        sector=sector,
        current_party_member=_bool(data.get("current_party_member"), "current_party_member", None),
        publish=bool(_bool(data.get("publish"), "publish", False)),
        status=status,
        declarant=declarant,
    )


# --- running -------------------------------------------------------------------------------


def _store_suggestions(source: str, suggestions: dict[str, dict[str, Any]]) -> None:
    """Keep what the parser read beside the rows of the batch it filled (Statement.suggested).

    One UPDATE per batch, for new rows only (a row already present keeps what it has). The bulk
    loader writes the statements themselves; this runs right after its transaction.
    """
    if not suggestions:
        return
    keys = ExternalKey.objects.filter(source=source, external_id__in=list(suggestions))
    external_ids = dict(keys.values_list("statement_id", "external_id"))
    found = list(
        Statement.objects.filter(pk__in=among(external_ids), suggested__isnull=True).only("pk")
    )
    for statement in found:
        statement.suggested = stored_suggestion(suggestions[external_ids[statement.pk]])
    Statement.objects.bulk_update(found, ["suggested"], batch_size=500)


def run_import(
    stream: IO[bytes],
    *,
    fmt: str,
    source: str,
    rejects: IO[bytes],
    batch_size: int = 2000,
    on_progress: Callable[[int], object] | None = None,
    jobs: int = 1,
) -> ImportSummary:
    """Import every row of ``stream``; write rejects as JSON lines to ``rejects``.

    On PostgreSQL each batch is staged while the one before is stored, in a thread for
    ``jobs`` 1 and in that many worker processes beyond (santui.intake.stager), and stored
    here in file order; SQLite stores each batch as it is read (``jobs`` ignored).
    """
    tz = ZoneInfo(settings.SANTUI_REPORTING_TZ)
    summary = ImportSummary()
    limit = settings.SANTUI_IMPORT_MAX_LINE
    reader = read_jsonl(stream, limit=limit) if fmt == "jsonl" else read_csv(stream, limit=limit)
    batch: list[StatementRow] = []
    suggestions: dict[str, dict[str, Any]] = {}
    last_pos = 0
    stager = BatchStager(jobs) if connection.vendor == "postgresql" else None
    pending: deque[tuple[Future[Staged], dict[str, dict[str, Any]]]] = deque()

    def stored(result: BulkResult, suggested: dict[str, dict[str, Any]]) -> None:
        summary.imported += result.inserted
        summary.accepted += result.accepted
        summary.already_present += result.already_present
        _store_suggestions(source, suggested)

    def store_oldest() -> None:
        all_partitions_ensure()  # the next partitions of both tables before they are needed
        staged, suggested = pending.popleft()
        stored(statements_copy_staged(staged=staged.result(), source=source, via="import"),
               suggested)  # fmt: skip

    def flush() -> None:
        if stager is None:  # SQLite: statements_bulk_load (one ledger table, no partitions)
            stored(statements_copy_load(rows=batch, source=source, via="import"), suggestions)
        else:  # COPY into a staging table on PostgreSQL (issue 15)
            pending.append((stager.submit(batch), dict(suggestions)))
            while len(pending) > jobs:  # a batch staging in each worker; the oldest is stored
                store_oldest()
        batch.clear()
        suggestions.clear()

    try:
        for raw in reader:
            summary.rows += 1
            reason = raw.error
            if raw.data is not None:
                try:
                    row, suggested = validate_and_parse(raw.data, tz=tz)
                    batch.append(row)
                    if suggested is not None:
                        suggestions.setdefault(row.external_id, suggested)
                except RowError as exc:
                    reason = str(exc)
            if reason:
                summary.reject(reason)
                rejects.write(
                    orjson.dumps({"line": raw.line, "reason": reason, "raw": raw.raw[:limit]})
                    + b"\n"
                )
            if len(batch) >= batch_size:
                flush()
                if on_progress is not None and stream.seekable():
                    pos = stream.tell()
                    on_progress(pos - last_pos)
                    last_pos = pos
        if batch:
            flush()
        while pending:
            store_oldest()
    finally:
        if stager is not None:
            stager.close()
    if on_progress is not None and stream.seekable():
        on_progress(stream.tell() - last_pos)
    return summary
