"""The screener: the only writer of screening records. Two steps per round, each one transaction:

1. **index** received statements not yet indexed: read each one (its fields, the parser's own
   reading of its text), store its blind keys and MinHash signature, count it in the ten-minute
   buckets the flood rules compare;
2. **decide** indexed statements old enough (``SANTUI_SCREEN_DELAY``) for the window around them
   to be visible: look up earlier statements sharing a key, compare with the bucket counts, and
   accept (count), hold (for a person) or mark as a duplicate, in bulk through
   ``santui.statements.bulk.statements_apply_screening``.

Statements decided without the rules (imported as counted, decided by a person first) are
indexed too, from a mark, so that later statements can be found to repeat them.

A statement that cannot be read is held with the reason ``unscreenable``, never lost. Running
again after a crash starts where the last committed transaction ended (docs/screening.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils import timezone

from santui.screening import rules as r
from santui.screening.ahead import Memo, ReadAhead, features_with, names_in
from santui.screening.features import (
    TextFeatures,
    blind_key,
    person_key,
    random_looking_name,
    similarities,
    text_features,
)
from santui.screening.flags import flood_raise
from santui.screening.models import (
    Alert,
    Decision,
    HotKey,
    IndexMark,
    Kind,
    Screening,
    ScreenKey,
    WindowCount,
)
from santui.statements.bulk import (
    ScreenedOutcome,
    among,
    insert_rows,
    int_array,
    statements_apply_screening,
)
from santui.statements.models import NameKind, RejectReason, Statement, Status, StatusChange
from santui.textparse.regions import province_of

log = logging.getLogger("santui.screening")
VIA = "screening"
HOT_KEY = 50  # a band or text shared by more earlier statements than this is common wording
# Earlier statements of one person key compared: the most recent. More than a few is a common
# name, where only statements of the last 30 days matter to the rules.
PERSON_CAP = 20
COUNT_CAP = max(HOT_KEY, PERSON_CAP) + 1  # keys are counted up to here: no rule reads more
# Bands are compared between anonymous statements only, so only theirs are stored, all 16; a
# named statement stores its first few, which tell how common a wording is among everyone: an
# anonymous text one of whose first COMMON_BANDS bands is common wording is compared through
# none of its bands (many people write it: different people).
COMMON_BANDS = 4


def _bucket(moment: dt.datetime, rules: r.RuleSet) -> int:
    return int(moment.timestamp() // (rules.bucket_minutes * 60))


def _bucket_start(bucket: int, rules: r.RuleSet) -> dt.datetime:
    return dt.datetime.fromtimestamp(bucket * rules.bucket_minutes * 60, tz=dt.UTC)


def channel_key(channel: str) -> int:
    return blind_key("count:channel", channel)


def random_names_key(channel: str) -> int:
    return blind_key("count:random-names", channel)


def volunteer_key(actor_id: int) -> int:
    return blind_key("count:volunteer", str(actor_id))


DUPLICATES_KEY_NAME = "count:duplicates"


# --- step 1: index -------------------------------------------------------------------------


_SCREENING_FIELDS = Screening._meta.concrete_fields
_SCREENING_ATTNAMES = frozenset(f.attname for f in _SCREENING_FIELDS)


# the kinds of key as plain integers (insert_rows sends a column of plain integers as a string)
_PERSON, _TEXT, _BAND = int(Kind.PERSON), int(Kind.TEXT), int(Kind.BAND)
_SCREENING_DEFAULTS = tuple((f.attname, f.get_default) for f in _SCREENING_FIELDS)


def _new_screening(**values: Any) -> Screening:
    """``Screening(**values)``, made without Django's ``Model.__init__``: the attributes set as
    it sets them (the model has no signal receivers nor data descriptors on its columns,
    tests/screening/test_records.py compares the two): 4.5 µs against 9.6 positionally and
    13.8 by keywords through ``__init__`` (timeit); a round makes a thousand."""
    unknown = values.keys() - _SCREENING_ATTNAMES
    if unknown:
        raise TypeError(f"not fields of Screening: {sorted(unknown)}")
    record = Screening.__new__(Screening)
    attributes = record.__dict__
    attributes["_state"] = ModelState()
    for attname, default in _SCREENING_DEFAULTS:
        attributes[attname] = values[attname] if attname in values else default()
    return record


def _screening_of(
    s: Statement, creators: dict[int, int], now: dt.datetime, memo: Memo
) -> tuple[Screening, list[str], int | None]:
    """The working record of one statement (without its text features), the names in its
    text, and the volunteer who typed it in (if any)."""
    parsed = memo.read(s.text)
    organizations = frozenset(s.organizations)
    province = province_of(s.region) if s.region else ""
    declared = r.Declared(
        text=s.text,
        organizations=organizations,
        headcount=s.headcount,
        region=s.region,
        received_at=s.received_at,
        source=s.source,
        suggested=s.suggested,
    )
    found = r.intrinsic_reasons(declared, parsed, now=now)
    names = list(names_in(s.name, parsed))
    record = _new_screening(
        statement_id=s.pk,
        received_at=s.received_at,
        province=province,
        place=s.region,
        channel=s.channel,
        named=bool(s.name.strip()),
        real_name=bool(s.name.strip()) and s.name_kind == NameKind.REAL,
        person_key=person_key(name=s.name, province=province, organizations=sorted(organizations)),
        found=found,
        random_name=random_looking_name(s.name),
    )
    return record, names, creators.get(s.pk) if s.source == "office" else None


def _upsert_counts(counts: Counter[tuple[int, int]]) -> None:
    if not counts:
        return
    table = connection.ops.quote_name(WindowCount._meta.db_table)
    key = connection.ops.quote_name("key")
    upsert = f"ON CONFLICT ({key}, bucket) DO UPDATE SET n = {table}.n + excluded.n"
    rows = list(counts.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # three arrays, whatever the number of rows
            cursor.execute(
                f"INSERT INTO {table} ({key}, bucket, n) SELECT * FROM "
                f"unnest(%s::bigint[], %s::integer[], %s::integer[]) {upsert}",
                [
                    int_array(k for (k, _), _ in rows),
                    int_array(b for (_, b), _ in rows),
                    int_array(n for _, n in rows),
                ],
            )
            return
        for i in range(0, len(rows), 2000):
            chunk = rows[i : i + 2000]
            marks = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({key}, bucket, n) VALUES {marks} {upsert}",
                [v for (k, bucket), n in chunk for v in (k, bucket, n)],
            )


_SCREENING_COLUMNS = (
    "statement_id", "received_at", "decision", "reasons", "duplicate_of_id", "cluster", "rules",
    "screened_at", "signature", "template", "person_key", "text_key", "bands", "sketches",
    "channel", "province", "place", "named", "real_name", "distinctive", "found",
    "random_name",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"reasons", "found"})
_TIME_COLUMNS = frozenset({"received_at", "screened_at"})
_BINARY_COLUMNS = frozenset({"signature", "bands", "sketches"})


_SCREENING_VALUES = operator.attrgetter(*_SCREENING_COLUMNS)


def _insert_screenings(records: Sequence[Screening]) -> None:
    """Insert screening records in a few statements (the ORM's bulk_create builds a model and
    prepares every value in Python: most of the index step's time)."""
    adapt = connection.ops.adapt_datetimefield_value

    def when(v: Any) -> Any:
        return adapt(v) if isinstance(v, dt.datetime) else v

    def raw(v: Any) -> Any:
        return bytes(v) if isinstance(v, memoryview) else v

    convert = [
        (i, json.dumps if c in _JSON_COLUMNS else when if c in _TIME_COLUMNS else raw)
        for i, c in enumerate(_SCREENING_COLUMNS)
        if c in _JSON_COLUMNS or c in _TIME_COLUMNS or c in _BINARY_COLUMNS
    ]
    rows = []
    for record in records:
        values = list(_SCREENING_VALUES(record))
        for i, fn in convert:
            values[i] = fn(values[i])
        rows.append(tuple(values))
    insert_rows(Screening, _SCREENING_COLUMNS, rows)


def _text_features_each(
    texts: list[tuple[str, Sequence[str]]],
) -> list[TextFeatures | None]:
    """Text features of a batch; if the batch fails, of each text alone, an unreadable one
    marked unscreenable (its record is held) instead of stopping the batch."""
    try:
        return list(text_features(texts))
    except Exception:  # a hostile text must not stop the others
        log.exception("text features of a batch failed; reading one by one")
    out: list[TextFeatures | None] = []
    for text in texts:
        try:
            out += text_features([text])
        except Exception:
            log.exception("text features failed for one statement; held")
            out.append(None)
    return out


def screening_index(*, batch: int, now: dt.datetime | None = None) -> int:
    """Index up to ``batch`` received statements not indexed yet; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        statements = list(
            Statement.objects.filter(status=Status.RECEIVED, screening__isnull=True).order_by(
                "received_at", "id"
            )[:batch]
        )
        if statements:
            _index(statements, now=now)
    return len(statements)


# Statements decided without the rules (imported as counted, or decided by a person before the
# screener saw them) are indexed too, so that a later statement can be found to repeat them:
# in id order from a mark, once they are this old (a transaction still open then may commit
# ids below the mark; the lag makes that unlikely, and such a statement is only missed as a
# candidate, never as a statement to screen).
SETTLED = dt.timedelta(seconds=60)


HISTORY_CHUNK = 32  # statements past the mark read first; four times more each further read


def screening_index_decided(*, batch: int, now: dt.datetime | None = None) -> int:
    """Index up to ``batch`` statements decided without screening; return how many read.

    Reads past the mark in id order, a chunk at a time, and stops at the first statement not
    settled yet or still received and not indexed. (It used to ask for every settled statement
    past the mark, and PostgreSQL read all the unsettled ones to leave them out: 15 ms a round
    with 20,000 fresh statements past the mark; and a statement committed late with a lower id
    than a settled one would have been passed over.)"""
    now = now or timezone.now()
    settled_before = now - SETTLED
    with transaction.atomic():
        mark, _ = IndexMark.objects.select_for_update().get_or_create(pk=1)
        scanned: list[int] = []
        todo: list[int] = []
        after, chunk = mark.up_to, HISTORY_CHUNK
        while len(scanned) < batch:
            rows = list(
                Statement.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "status", "screening", "created_at")[
                    : min(chunk, batch - len(scanned))
                ]
            )
            stopped = False
            for pk, status, screening, created_at in rows:
                # The mark stops before a received statement not indexed yet (a person may
                # decide it before the screener reaches it, and it must still be indexed then)
                # and before one not settled.
                stopped = created_at >= settled_before or (
                    status == Status.RECEIVED and screening is None
                )
                if stopped:
                    break
                scanned.append(pk)
                if screening is None:
                    todo.append(pk)
            if stopped or len(rows) < chunk:  # else a whole chunk: read on, more at a time
                break
            after, chunk = rows[-1][0], min(chunk * 4, 4096)
        if not scanned:
            return 0
        if todo:
            _index(list(Statement.objects.filter(pk__in=among(todo))), now=now, decided=True)
        mark.up_to = scanned[-1]
        mark.save(update_fields=["up_to"])
    return len(scanned)


def _index(
    statements: list[Statement],
    *,
    now: dt.datetime,
    decided: bool = False,
    store: bool = True,
    ahead: ReadAhead | None = None,
) -> list[Screening]:
    """Index statements: their records, blind keys and bucket counts (one transaction). With
    ``store=False`` the records are returned unsaved, for the caller to decide and insert once
    (``screening_index_and_decide``). With ``ahead``, what it read of this batch is used, and
    it starts on the next batch once this one is read (santui.screening.ahead)."""
    rules = r.RULES
    memo = ahead.take() if ahead is not None else Memo()
    office = [s.pk for s in statements if s.source == "office"]
    creators = dict(
        StatusChange.objects.filter(
            statement_id__in=office, from_status="", actor__isnull=False
        ).values_list("statement_id", "actor_id")
    ) if office else {}  # fmt: skip
    records: list[Screening] = []
    texts: list[tuple[str, Sequence[str]]] = []
    volunteers: list[int | None] = []
    for s in statements:
        try:
            record, names, volunteer = _screening_of(s, creators, now, memo)
            texts.append((s.text, names))
        except Exception:  # any statement: screening never stops on one
            log.exception("statement %s could not be read; held", s.pk)
            record = Screening(statement_id=s.pk, received_at=s.received_at, found=[r.UNSCREENABLE])
            names, volunteer = [], None
            texts.append(("", []))
        if decided:  # not screened by the rules: recorded as a person or an import left it
            record.decision, record.rules, record.found = _decision_of_status(s), "", []
            record.duplicate_of_id = s.duplicate_of_id
        records.append(record)
        volunteers.append(volunteer)
    features = features_with(memo, texts, _text_features_each)
    if ahead is not None and statements:  # the rest of the round waits for the database
        ahead.start((statements[-1].received_at, statements[-1].pk))
    keys: list[tuple[int, int, int]] = []
    counts: Counter[tuple[int, int]] = Counter()
    for s, record, f, volunteer in zip(statements, records, features, volunteers, strict=True):
        if f is None:
            record.found = [*record.found, r.UNSCREENABLE]
            continue
        record.text_key, record.template = f.text_key, f.template
        record.signature, record.distinctive = f.signature, f.distinctive
        record.bands = np.array(f.bands, dtype="<i8").tobytes() if f.bands else None
        record.sketches = np.array(f.sketches, dtype="<i8").tobytes() if f.sketches else None
        if record.person_key is not None:
            keys.append((record.person_key, _PERSON, s.pk))
        if f.text_key is not None and f.distinctive:
            keys.append((f.text_key, _TEXT, s.pk))
        bands = f.bands if not record.named else f.bands[:COMMON_BANDS]
        keys += [(k, _BAND, s.pk) for k in bands]
        bucket = _bucket(s.received_at, rules)
        counts[(channel_key(s.channel), bucket)] += 1
        if f.template is not None:
            counts[(f.template, bucket)] += 1
        for sketch in f.sketches:  # near-templates: a flood that varies its words shares them
            counts[(sketch, bucket)] += 1
        if record.random_name:
            counts[(random_names_key(s.channel), bucket)] += 1
        if volunteer is not None:
            counts[(volunteer_key(volunteer), bucket)] += 1
    if store:
        _insert_screenings(records)
    # holders of common wording are never compared and their count stays at the cap: not stored
    hot = _hot_keys([k for k, kind, _ in keys if kind != Kind.PERSON])
    insert_rows(
        ScreenKey,
        ("key", "kind", "statement_id"),
        [row for row in keys if row[1] == Kind.PERSON or row[0] not in hot],
    )
    _upsert_counts(counts)
    _volunteer_alerts(
        {(volunteer_key(v), v, _bucket(s.received_at, rules))
         for s, v in zip(statements, volunteers, strict=True) if v is not None},
        rules,
    )  # fmt: skip
    return records


def _volunteer_alerts(seen: set[tuple[int, int, int]], rules: r.RuleSet) -> None:
    """Alert on volunteers who typed in far more statements than they normally do."""
    if not seen:
        return
    windows = _Windows(rules)
    windows.load({key for key, _, _ in seen}, min(b for *_, b in seen), max(b for *_, b in seen))
    alerts = {}
    for key, volunteer, bucket in seen:
        hit, count, expected = windows.surge(key, bucket, rules.volunteer_surge_min)
        if hit:
            alerts[("volunteer_surge", f"volunteer #{volunteer}", bucket // 6)] = (count, expected)
    _raise_alerts(alerts, rules)


# --- step 2: decide ------------------------------------------------------------------------


@dataclass
class Decided:
    statement_id: int
    external_id: str | None
    decision: str
    reasons: list[str]
    duplicate_of: int | None
    cluster: str = ""

    def report(self) -> dict[str, Any]:
        return {
            "statement": self.statement_id,
            "external_id": self.external_id,
            "decision": self.decision,
            "reasons": self.reasons,
            "duplicate_of": self.duplicate_of,
        }


# A window cell as PostgreSQL packs it for a round's load: int8send(key) || int4send(bucket)
# || int4send(n), big-endian, the cells one after another in one bytea.
_PACKED_CELL = np.dtype([("key", ">i8"), ("bucket", ">i4"), ("n", ">i4")])


def _packed_cells(data: bytes | None) -> np.ndarray:
    """The (key, bucket, n) cells of one packed bytea (None: no cell), as an int64 array of
    three columns.

    A round loads tens of thousands of cells: fetched as rows, made into tuples and then into
    an array, they took a tenth of the round's own CPU time (78-116 ms for 143,164 cells,
    against 7-10 ms packed; a binary COPY took 190-220 ms, psycopg reading it row by row)."""
    data = data or b""
    if len(data) % _PACKED_CELL.itemsize:
        raise ValueError("not packed window cells")
    cells = np.frombuffer(data, dtype=_PACKED_CELL)
    out = np.empty((len(cells), 3), dtype=np.int64)
    out[:, 0], out[:, 1], out[:, 2] = cells["key"], cells["bucket"], cells["n"]
    return out


@dataclass
class _Windows:
    """Bucket counts of the keys a batch needs, with the window and baseline arithmetic.

    The arithmetic runs on arrays for many (key, bucket) at once (``prepare``): a window's count
    is a difference of cumulative sums over the loaded cells sorted by key and bucket. Each
    surge reads 14 windows of 3 buckets; per statement and key in Python that was a third of the
    decide step."""

    rules: r.RuleSet
    surged: dict[tuple[int, int, int], tuple[bool, int, float]] = field(default_factory=dict)
    _parts: list[np.ndarray] = field(default_factory=list)  # (key, bucket, n) rows; later win
    _table: tuple[np.ndarray, np.ndarray, np.ndarray, int, int] | None = None

    def add(self, rows: np.ndarray) -> None:
        """Cells (key, bucket, n), one row each; a cell added again replaces the earlier one."""
        self._parts.append(np.asarray(rows, dtype=np.int64).reshape(-1, 3))
        self._table, self.surged = None, {}

    def load(self, keys: Iterable[int], lo: int, hi: int) -> None:
        """Load the cells of ``keys`` that windows around buckets ``lo`` to ``hi`` read."""
        wanted = sorted(set(keys))
        day = 24 * 60 // self.rules.bucket_minutes
        start = (
            lo
            - max(
                self.rules.baseline_days * day,
                (2 * self.rules.window_buckets + 1) * self.rules.recent_windows,
            )
            - self.rules.window_buckets
        )
        end = hi + self.rules.window_buckets
        table = connection.ops.quote_name(WindowCount._meta.db_table)
        key = connection.ops.quote_name("key")
        rows: list[tuple[int, int, int]] = []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # one array of keys; the cells packed
                cursor.execute(
                    f"SELECT string_agg(int8send({key}) || int4send(bucket) || int4send(n),"
                    f" ''::bytea) FROM {table}"
                    f" WHERE {key} = ANY(%s::bigint[]) AND bucket BETWEEN %s AND %s",
                    [int_array(wanted), start, end],
                )
                self.add(_packed_cells(cursor.fetchone()[0]))
                return
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                cursor.execute(
                    f"SELECT {key}, bucket, n FROM {table} WHERE {key} IN"
                    f" ({', '.join(['%s'] * len(chunk))}) AND bucket BETWEEN %s AND %s",
                    [*chunk, start, end],
                )
                rows += cursor.fetchall()
        self.add(np.array(rows, dtype=np.int64))

    def _sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        """The cells as (distinct keys, sorted positions key rank * span + bucket offset,
        cumulative counts with a leading 0, first bucket, span)."""
        if self._table is None:
            cells = np.concatenate(self._parts) if self._parts else np.zeros((0, 3), np.int64)
            ks, bs, ns = cells[:, 0], cells[:, 1], cells[:, 2]
            n = len(cells)
            base = int(bs.min()) if n else 0
            span = int(bs.max()) - base + 1 if n else 1
            keys = np.unique(ks)
            position = np.searchsorted(keys, ks) * span + (bs - base)
            if len(self._parts) > 1:  # one value per cell, the last added (reversed: first)
                _, last = np.unique(position[::-1], return_index=True)
                chosen = n - 1 - last  # sorted by position, as np.unique returns them
            else:  # one load: a cell once
                chosen = np.argsort(position, kind="stable")
            cumulative = np.concatenate(([0], np.cumsum(ns[chosen])))
            self._table = (keys, position[chosen], cumulative, base, span)
        return self._table

    def _sums(self, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The count of ``keys[j]`` in buckets ``lo[j]`` to ``hi[j]`` (inclusive), each j."""
        known, position, cumulative, base, span = self._sorted()
        if not len(known):
            return np.zeros(len(keys), dtype=np.int64)
        rank = np.searchsorted(known, keys).clip(0, len(known) - 1)
        present = known[rank] == keys
        first = rank * span + np.clip(lo - base, 0, span)
        last = rank * span + np.clip(hi - base, -1, span - 1)
        sums = (
            cumulative[np.searchsorted(position, last, side="right")]
            - cumulative[np.searchsorted(position, first, side="left")]
        )
        return np.where(present & (last >= first), sums, 0)

    def prepare(self, wanted: Iterable[tuple[int, int, int]]) -> None:
        """Compute ``surge(key, bucket, minimum)`` for every (key, bucket, minimum) at once."""
        todo = sorted(set(wanted) - self.surged.keys())
        if not todo:
            return
        rules = self.rules
        keys = np.array([k for k, _, _ in todo], dtype=np.int64)
        buckets = np.array([b for _, b, _ in todo], dtype=np.int64)
        minimum = np.array([m for _, _, m in todo], dtype=np.int64)
        w = rules.window_buckets
        day = 24 * 60 // rules.bucket_minutes
        width = 2 * w + 1

        def windows(offsets: list[int]) -> np.ndarray:
            """Counts of the windows centred ``offset`` buckets before each bucket (sum)."""
            back = np.array(offsets, dtype=np.int64)
            centres = (buckets[:, None] - back[None, :]).ravel()
            repeated = np.repeat(keys, len(offsets))
            sums = self._sums(repeated, centres - w, centres + w).reshape(len(todo), -1)
            total: np.ndarray = sums.sum(axis=1)
            return total

        count = windows([0])
        same_hour = windows([d * day for d in range(1, rules.baseline_days + 1)])
        before = windows([width * i for i in range(1, rules.recent_windows + 1)])
        # the larger of the mean in the same window on each baseline day ("that hour's normal
        # rate") and the mean per window over the hours just before (a template in steady use)
        expected = np.maximum(same_hour / rules.baseline_days, before / rules.recent_windows)
        hit = (count >= minimum) & (count >= rules.flood_ratio * expected)
        for j, wanted_one in enumerate(todo):
            self.surged[wanted_one] = (bool(hit[j]), int(count[j]), float(expected[j]))

    def surge(self, key: int, bucket: int, minimum: int) -> tuple[bool, int, float]:
        """Whether ``key``'s count in the window around ``bucket`` is at least ``minimum`` and
        ``flood_ratio`` times its normal count; the count; the normal count."""
        wanted = (key, bucket, minimum)
        if wanted not in self.surged:
            self.prepare([wanted])
        return self.surged[wanted]


def _held(keys: Sequence[int]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """How many statements hold each key, counted up to COUNT_CAP (a common name's key has
    thousands of holders), and the most recent COUNT_CAP of them, newest first; in one look-up
    per key. A key known to be common wording (HotKey) counts COUNT_CAP without a look-up."""
    table = connection.ops.quote_name(ScreenKey._meta.db_table)
    hot_table = connection.ops.quote_name(HotKey._meta.db_table)
    key = connection.ops.quote_name("key")
    counts: dict[int, int] = {}
    held_by: dict[int, list[int]] = defaultdict(list)
    rows: list[tuple[int, int | None, bool]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array of keys, one query
            cursor.execute(
                f"SELECT v.k, h.statement_id, hot.{key} IS NOT NULL"
                f" FROM unnest(%s::bigint[]) AS v(k)"
                f" LEFT JOIN {hot_table} AS hot ON hot.{key} = v.k"
                f" LEFT JOIN LATERAL (SELECT statement_id FROM {table} WHERE {key} = v.k"
                f"  AND hot.{key} IS NULL ORDER BY statement_id DESC LIMIT {COUNT_CAP}) AS h"
                f" ON TRUE",
                [int_array(keys)],
            )
            rows = cursor.fetchall()
        else:  # SQLite, in the process: a query per key costs microseconds
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT {key} FROM {hot_table} WHERE {key} IN ({marks})", chunk)
                hot = {k for (k,) in cursor.fetchall()}
                rows += [(k, None, True) for k in chunk if k in hot]
                for k in chunk:
                    if k not in hot:
                        cursor.execute(
                            f"SELECT statement_id FROM {table} WHERE {key} = %s"
                            f" ORDER BY statement_id DESC LIMIT {COUNT_CAP}",
                            [k],
                        )
                        rows += [(k, sid, False) for (sid,) in cursor.fetchall()]
    for k, sid, is_hot in rows:
        if is_hot:
            counts[int(k)] = COUNT_CAP
        elif sid is not None:
            counts[int(k)] = counts.get(int(k), 0) + 1
            held_by[int(k)].append(int(sid))
    return counts, held_by


def _hot_keys(keys: Sequence[int]) -> set[int]:
    """Which of ``keys`` are known to be common wording (HotKey)."""
    if not keys:
        return set()
    if connection.vendor == "postgresql":  # one array
        table = connection.ops.quote_name(HotKey._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {connection.ops.quote_name('key')} FROM {table} "
                f"WHERE {connection.ops.quote_name('key')} = ANY(%s::bigint[])",
                [int_array(set(keys))],
            )
            return {int(k) for (k,) in cursor.fetchall()}
    wanted = sorted(set(keys))
    hot: set[int] = set()
    for i in range(0, len(wanted), 500):
        hot.update(HotKey.objects.filter(key__in=wanted[i : i + 500]).values_list("key", flat=True))
    return hot


def _due(now: dt.datetime, delay: float, rules: r.RuleSet) -> Q:
    """Old enough for the windows around them; or dated in the future, held at once."""
    return Q(received_at__lte=now - dt.timedelta(seconds=delay)) | Q(
        received_at__gt=now + rules.future_slack
    )


def _pending(*, batch: int, now: dt.datetime, delay: float, rules: r.RuleSet) -> list[Screening]:
    return list(
        Screening.objects.filter(_due(now, delay, rules), decision=Decision.PENDING).order_by(
            "received_at", "statement_id"
        )[:batch]
    )


# What screening never reads of a statement: the contact and the masked copy (personal data),
# and columns whose loading made a round's read of a thousand statements a fifth slower (29
# against 24.5 ms with the query: two timestamps parsed in Python, bytes, the search columns,
# which are set anew when a statement is published).
_UNREAD = ("contact", "text_masked", "commitment", "receipt_hash", "created_at", "shredded_at",
           "search_text", "name_key")  # fmt: skip


def _locked(ids: Sequence[int]) -> dict[int, Statement]:
    """The statements, locked until the transaction ends (a person deciding one waits), without
    what screening never reads (``_UNREAD``)."""
    if not ids:
        return {}
    return {
        s.pk: s
        for s in Statement.objects.select_for_update(of=("self",))
        .defer(*_UNREAD)
        .filter(pk__in=among(ids))
    }


def screening_decide(
    *, batch: int, now: dt.datetime | None = None, delay: float = 0.0
) -> list[Decided]:
    """Decide up to ``batch`` indexed statements received at least ``delay`` seconds ago."""
    now = now or timezone.now()
    rules = r.RULES
    with transaction.atomic(durable=True):
        pending = _pending(batch=batch, now=now, delay=delay, rules=rules)
        if not pending:
            return []
        statements = _locked([p.statement_id for p in pending])
        decided = _decide(pending, statements, now=now, rules=rules)
        # One DELETE and one INSERT of the whole batch: an UPDATE per distinct row would cost
        # a query each (Django's bulk_update builds a CASE per field per row: 4 ms a row here).
        Screening.objects.filter(statement_id__in=among([p.statement_id for p in pending])).delete()
        _insert_screenings(pending)
    _raise_floods(decided, statements, now)
    return decided


def _commit_without_flush() -> None:
    """Let this transaction's commit return before its WAL reaches the disk (PostgreSQL's
    ``synchronous_commit = off``, for this transaction only): a screening round then does
    not wait for a flush (37 ms a round here, 6 % of it). A crash can lose the last rounds
    (under a second), each whole, never part of one: their statements are still received
    and are screened again. Nothing that depends on a decision can outlive it: the
    integrator's, a person's and a receipt's commits are synchronous, and flushing one
    flushes every transaction committed before it. Outside the database, a round that
    raises the door's flood flag (Redis) commits with the flush (``_flush_if_flooded``); the
    ``--report`` lines of the last rounds may name decisions a crash then loses (screened
    again, they are reported again)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _flush_if_flooded(decided: list[Decided]) -> None:
    """A round that will raise the door's flood flag, which lives outside the database, waits
    for its flush after all: the flag must not outlive the decisions behind it."""
    floods = {r.FLOOD_TEMPLATE, r.FLOOD_RANDOM_NAMES}
    if connection.vendor == "postgresql" and any(floods & set(d.reasons) for d in decided):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO ON")


def screening_index_and_decide(
    *,
    batch: int,
    now: dt.datetime | None = None,
    delay: float = 0.0,
    ahead: ReadAhead | None = None,
) -> tuple[int, list[Decided]]:
    """``screening_index`` then ``screening_decide`` in one transaction, with the same outcome,
    each record written once: the statements just indexed that are already due (a backlog, an
    import, a delay of 0) are decided from memory instead of being stored, read back, deleted
    and stored again. Returns how many were indexed, and the decisions."""
    now = now or timezone.now()
    rules = r.RULES
    gate = ahead.round() if ahead is not None else contextlib.nullcontext()
    with gate, transaction.atomic(durable=True):
        _commit_without_flush()
        fresh_statements = list(
            Statement.objects.select_for_update(of=("self",))
            .defer(*_UNREAD)
            .filter(status=Status.RECEIVED, screening__isnull=True)
            .order_by("received_at", "id")[:batch]
        )
        fresh = (
            _index(fresh_statements, now=now, store=False, ahead=ahead) if fresh_statements else []
        )
        stored = _pending(batch=batch, now=now, delay=delay, rules=rules)
        due_before = now - dt.timedelta(seconds=delay)
        pending = sorted(
            stored
            + [
                p
                for p in fresh
                if p.received_at <= due_before or p.received_at > now + rules.future_slack
            ],
            key=lambda p: (p.received_at, p.statement_id),
        )[:batch]
        due = {p.statement_id for p in pending}  # what the two steps' decide would load
        statements = {s.pk: s for s in fresh_statements if s.pk in due}
        statements.update(_locked([p.statement_id for p in stored if p.statement_id in due]))
        decided = _decide(pending, statements, now=now, rules=rules, fresh=fresh)
        _flush_if_flooded(decided)
        stored_ids = {p.statement_id for p in stored}
        again = [p for p in pending if p.statement_id in stored_ids]
        if again:
            Screening.objects.filter(
                statement_id__in=among([p.statement_id for p in again])
            ).delete()
        _insert_screenings(again + fresh)  # the fresh ones decided or still pending
    _raise_floods(decided, statements, now)
    return len(fresh_statements), decided


def _raise_floods(
    decided: list[Decided], statements: dict[int, Statement], now: dt.datetime
) -> None:
    """Show the door's challenge on a channel a flood of the last hour came through."""
    flooded = {
        statements[d.statement_id].channel
        for d in decided
        if {r.FLOOD_TEMPLATE, r.FLOOD_RANDOM_NAMES} & set(d.reasons)
        and now - statements[d.statement_id].received_at <= dt.timedelta(hours=1)
    }
    for channel in flooded:
        flood_raise(channel=channel)


def _decide(
    pending: list[Screening],
    statements: dict[int, Statement],
    *,
    now: dt.datetime,
    rules: r.RuleSet,
    fresh: Sequence[Screening] = (),
) -> list[Decided]:
    """Decide ``pending`` (their statements locked), in the caller's transaction: the records
    change in memory (the caller writes them), the statements through
    ``statements_apply_screening``. ``fresh``: records indexed in this transaction and not
    stored yet, which may be candidates of the others."""
    if not pending:
        return []
    # --- candidates: earlier statements sharing a blind key
    person_keys = [p.person_key for p in pending if p.person_key is not None]
    anonymous = [p for p in pending if not p.named and p.distinctive]
    text_keys = [p.text_key for p in anonymous if p.text_key is not None]
    band_keys = [k for p in anonymous for k in _bands(p)]
    counts, held_by = _held(sorted({*person_keys, *text_keys, *band_keys}))
    HotKey.objects.bulk_create(
        [HotKey(key=k) for k in {*text_keys, *band_keys} if counts.get(k, 0) >= COUNT_CAP],
        ignore_conflicts=True,
    )
    # holders of each key: all of them for texts and bands up to HOT_KEY; a person's most
    # recent PERSON_CAP (a common name)
    holders = {
        k: held_by.get(k, []) for k in {*text_keys, *band_keys} if counts.get(k, 0) <= HOT_KEY
    }
    holders.update((k, held_by.get(k, [])[:PERSON_CAP]) for k in set(person_keys))
    candidate_ids = sorted({sid for ids in holders.values() for sid in ids})
    found = _Lookups(holders=holders, known={}, status={}, linked={}, uses=counts)
    in_memory = {p.statement_id: p for p in fresh}
    # PostgreSQL: one array parameter whatever the number; SQLite: its host parameters
    step = max(len(candidate_ids), 1) if connection.vendor == "postgresql" else 500
    for i in range(0, len(candidate_ids), step):
        ids = candidate_ids[i : i + step]
        found.known.update(
            (c.statement_id, c)
            for c in Screening.objects.filter(statement_id__in=among(ids)).values_list(
                *_EARLIER_FIELDS, named=True
            )
        )
        found.known.update((sid, in_memory[sid]) for sid in ids if sid in in_memory)
        for pk, st, dup in Statement.objects.filter(pk__in=among(ids)).values_list(
            "pk", "status", "duplicate_of_id"
        ):
            found.status[pk] = st
            if dup is not None:
                found.linked[pk] = dup
    # --- windows
    buckets = [_bucket(p.received_at, rules) for p in pending]
    windows = _Windows(rules)
    count_keys = {
        k
        for p, s in ((p, statements.get(p.statement_id)) for p in pending)
        if s is not None
        for k in (
            p.template,
            channel_key(s.channel),
            random_names_key(s.channel) if p.random_name else None,
            *_keys(p.sketches),
        )
        if k is not None
    }
    windows.load(count_keys, min(buckets), max(buckets))
    windows.prepare(_surges_wanted(pending, statements, buckets, rules))
    decided: list[Decided] = []
    outcomes: list[ScreenedOutcome] = []
    alerts: dict[tuple[str, str, int], tuple[int, float]] = {}
    for p, bucket in zip(pending, buckets, strict=True):
        s = statements.get(p.statement_id)
        if s is None:
            continue
        if s.status != Status.RECEIVED:  # a person decided it meanwhile
            p.decision = _decision_of_status(s)
            p.rules = "person"
            p.screened_at = now
            decided.append(Decided(s.pk, s.external_id, p.decision, [], s.duplicate_of_id))
            continue
        try:
            reasons, duplicate_of, maybe, cluster = _rules_for(
                p, s, bucket, found, windows, alerts, rules
            )
        except Exception:  # never stop on one statement: a person looks at it
            log.exception("statement %s could not be screened; held", s.pk)
            reasons, duplicate_of, maybe, cluster = [r.UNSCREENABLE], None, None, ""
        if duplicate_of is not None:
            decision = Decision.DUPLICATE
            cluster = f"dup:{duplicate_of}"
            found.roots[s.pk] = duplicate_of
        elif reasons:
            decision = Decision.HELD
            if maybe is not None and not cluster:
                cluster = f"dup:{maybe}"
        else:
            decision = Decision.ACCEPTED
        p.decision, p.reasons, p.cluster = decision, reasons, cluster
        p.duplicate_of_id = duplicate_of
        p.rules, p.screened_at = rules.name, now
        note = f"{rules.name}: " + (", ".join(reasons) if reasons else "no reason to hold")
        outcomes.append(ScreenedOutcome(s, str(decision), note, duplicate_of))
        decided.append(Decided(s.pk, s.external_id, str(decision), reasons, duplicate_of,
                               cluster))  # fmt: skip
    statements_apply_screening(outcomes=outcomes, via=VIA)
    _count_duplicates(decided, statements, rules, alerts, windows)
    _raise_alerts(alerts, rules)
    return decided


def _surges_wanted(
    pending: list[Screening], statements: dict[int, Statement], buckets: list[int], rules: r.RuleSet
) -> Iterable[tuple[int, int, int]]:
    """The surges ``_rules_for`` reads for a batch (computed together, on arrays)."""
    for p, bucket in zip(pending, buckets, strict=True):
        s = statements.get(p.statement_id)
        if s is None:
            continue
        if p.template is not None:
            yield p.template, bucket, rules.flood_min
        for key in _keys(p.sketches):
            yield key, bucket, rules.flood_min
        if p.random_name:
            yield random_names_key(s.channel), bucket, rules.random_names_min


# What the rules read of an earlier statement's record (rows, not model instances: a batch
# may compare with thousands).
_EARLIER_FIELDS = (
    "statement_id", "received_at", "text_key", "signature", "person_key", "named", "place",
    "channel", "distinctive",
)  # fmt: skip


@dataclass
class _Lookups:
    """What a batch looked up about earlier statements sharing its keys."""

    holders: dict[int, list[int]]  # key -> statements holding it
    known: dict[int, Any]  # their screening records (_EARLIER_FIELDS, named rows)
    status: dict[int, str]  # their statuses
    linked: dict[int, int]  # duplicate -> the statement it repeats
    uses: dict[int, int]  # key -> how many statements hold it
    roots: dict[int, int] = field(default_factory=dict)  # decided as duplicates in this batch


def _rules_for(
    p: Screening,
    s: Statement,
    bucket: int,
    found: _Lookups,
    windows: _Windows,
    alerts: dict[tuple[str, str, int], tuple[int, float]],
    rules: r.RuleSet,
) -> tuple[list[str], int | None, int | None, str]:
    """Every reason that applies to one statement, the statement it repeats (if any), the one
    it may repeat, and its cluster (a flood's template, or the set it duplicates)."""
    reasons = list(p.found)
    dup_reasons, duplicate_of, maybe = r.duplicate_reasons(
        named=p.named,
        real_name=p.real_name,
        place=p.place,
        channel=p.channel,
        distinctive=p.distinctive,
        text_uses=found.uses.get(p.text_key, 0) - 1 if p.text_key is not None else 0,
        person_uses=found.uses.get(p.person_key, 0) - 1 if p.person_key is not None else 0,
        candidates=_candidates(p, found),
        rules=rules,
    )
    reasons += dup_reasons
    cluster = ""
    # a flood of one template, or of texts varied from one (they share an LSH band): the
    # template or band with the most statements in the window names the cluster
    template = [] if p.template is None else [p.template]
    surges = [
        (n, key, expected)
        for key in template + _keys(p.sketches)
        for hit, n, expected in [windows.surge(key, bucket, rules.flood_min)]
        if hit
    ]
    # the template itself, or two sketches (one value in common with a flood is chance)
    if surges and (surges[0][1] in template or len(surges) >= rules.flood_sketches):
        n, key, expected = max(surges)
        reasons.append(r.FLOOD_TEMPLATE)
        cluster = f"flood:{key & 0xFFFFFFFFFFFFFFFF:016x}"
        alerts[(r.FLOOD_TEMPLATE, cluster, bucket // 6)] = (n, expected)
    if p.random_name:
        hit, n, expected = windows.surge(
            random_names_key(s.channel), bucket, rules.random_names_min
        )
        if hit:
            reasons.append(r.FLOOD_RANDOM_NAMES)
            cluster = cluster or f"names:{s.channel}:{bucket // 6}"
            alerts[(r.FLOOD_RANDOM_NAMES, s.channel, bucket // 6)] = (n, expected)
    return reasons, duplicate_of, maybe, cluster


def _keys(packed: Any) -> list[int]:
    """Keys stored packed as int64s (bands, sketches)."""
    if not packed:
        return []
    keys: list[int] = np.frombuffer(bytes(packed), dtype="<i8").tolist()
    return keys


def _bands(p: Screening) -> list[int]:
    return _keys(p.bands)


def _decision_of_status(s: Statement) -> str:
    if s.status == Status.ACCEPTED:
        return Decision.ACCEPTED
    if s.status == Status.REJECTED and s.reject_reason == RejectReason.DUPLICATE:
        return Decision.DUPLICATE
    return Decision.HELD  # held or rejected by a person: not counted by the rules


def _candidates(p: Screening, found: _Lookups) -> list[r.Candidate]:
    """Earlier statements sharing one of ``p``'s keys, still counted or awaiting a decision."""
    mine = [*([p.person_key] if p.person_key is not None else [])]
    if not p.named and p.distinctive:
        bands = _bands(p)
        if any(found.uses.get(k, 0) > HOT_KEY for k in bands[:COMMON_BANDS]):
            bands = []  # common wording
        mine += [*([p.text_key] if p.text_key is not None else []), *bands]
    seen: set[int] = set()
    earlier = []
    for key in mine:
        for sid in found.holders.get(key, ()):
            c = found.known.get(sid)
            if sid in seen or c is None or sid == p.statement_id:
                continue
            seen.add(sid)
            if (c.received_at, sid) >= (p.received_at, p.statement_id):
                continue  # only earlier statements are repeated
            root = found.roots.get(sid) or found.linked.get(sid) or sid
            if found.status.get(sid) == Status.REJECTED and root == sid:
                continue  # rejected for another reason: nothing to repeat
            earlier.append((sid, c, root))
    sims = similarities(p.signature, [c.signature for _, c, _ in earlier])
    return [
        r.Candidate(
            statement_id=sid,
            root_id=root,
            same_person=p.person_key is not None and c.person_key == p.person_key,
            same_text=c.text_key is not None and c.text_key == p.text_key,
            similarity=sim,
            named=c.named,
            place=c.place,
            channel=c.channel,
            distinctive=c.distinctive,
            days_apart=(p.received_at - c.received_at).total_seconds() / 86400,
        )
        for (sid, c, root), sim in zip(earlier, sims, strict=True)
    ]


def _count_duplicates(
    decided: list[Decided],
    statements: dict[int, Statement],
    rules: r.RuleSet,
    alerts: dict[tuple[str, str, int], tuple[int, float]],
    windows: _Windows,
) -> None:
    """Count duplicates per bucket, and alert on a spike of them or of a channel's volume."""
    key = blind_key(DUPLICATES_KEY_NAME, "all")
    counts: Counter[tuple[int, int]] = Counter(
        (key, _bucket(statements[d.statement_id].received_at, rules))
        for d in decided
        if d.decision == Decision.DUPLICATE and d.statement_id in statements
    )
    _upsert_counts(counts)
    channels = {(s.channel, _bucket(s.received_at, rules)) for s in statements.values()}
    # the duplicates' count in windows of their own (adding it to the batch's would sort all
    # of those again); the channels' counts were loaded with the batch's
    duplicates = _Windows(rules)
    if counts:
        duplicates.load([key], min(b for _, b in counts), max(b for _, b in counts))
    duplicates.prepare([(key, bucket, rules.duplicates_min) for _, bucket in counts])
    windows.prepare(
        [(channel_key(channel), bucket, rules.surge_min) for channel, bucket in channels]
    )
    for _, bucket in counts:
        hit, total, expected = duplicates.surge(key, bucket, rules.duplicates_min)
        if hit:
            alerts[("duplicate_spike", "all", bucket // 6)] = (total, expected)
    for channel, bucket in channels:
        hit, total, expected = windows.surge(channel_key(channel), bucket, rules.surge_min)
        if hit:
            alerts[("channel_surge", channel, bucket // 6)] = (total, expected)


def _raise_alerts(alerts: dict[tuple[str, str, int], tuple[int, float]], rules: r.RuleSet) -> None:
    for (kind, subject, hour), (count, expected) in alerts.items():
        start = _bucket_start(hour * 6, rules)
        try:
            with transaction.atomic():
                _, created = Alert.objects.update_or_create(
                    kind=kind,
                    subject=subject[:80],
                    window_start=start,
                    defaults={"count": count, "expected": expected},
                )
        except IntegrityError:  # pragma: no cover - one screener; a second run raced it
            continue
        if created:
            log.warning(
                "screening alert: %s %s from %s: %d in the window, %.1f expected",
                kind, subject, start.isoformat(), count, expected,
            )  # fmt: skip


# --- rounds ----------------------------------------------------------------------------------


@dataclass
class ScreenSummary:
    indexed: int = 0
    decided: dict[str, int] = field(default_factory=lambda: Counter())
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, decided: list[Decided]) -> None:
        for d in decided:
            self.decided[d.decision] += 1
            self.reasons.update(d.reasons)


def screening_prune_counts(*, now: dt.datetime | None = None) -> int:
    """Delete bucket counts no screening will read again: older than the baseline (7 days and
    a window) before the oldest statement still waiting, or before now. Returns how many."""
    rules = r.RULES
    now = now or timezone.now()
    _, oldest = screening_backlog()
    horizon = min(now, oldest) if oldest is not None else now
    day = 24 * 60 // rules.bucket_minutes
    keep_from = _bucket(horizon, rules) - (rules.baseline_days + 1) * day
    deleted, _ = WindowCount.objects.filter(bucket__lt=keep_from).delete()
    return deleted


def screening_backlog() -> tuple[int, dt.datetime | None]:
    """Received statements not screened yet, and the oldest one's time."""
    queue = Statement.objects.filter(status=Status.RECEIVED)
    oldest = queue.order_by("received_at").values_list("received_at", flat=True).first()
    return queue.count(), oldest


def screen_round(
    *,
    batch: int | None = None,
    delay: float | None = None,
    now: dt.datetime | None = None,
    summary: ScreenSummary | None = None,
    on_decided: Any = None,
    ahead: ReadAhead | None = None,
) -> int:
    """Index and decide one batch; return how much was done (0: nothing left to do). With
    ``ahead`` (of the same batch size), the next batch is read during this one's queries."""
    size = batch or settings.SANTUI_SCREEN_BATCH
    history = screening_index_decided(batch=size * 5, now=now)
    indexed, decided = screening_index_and_decide(
        batch=size,
        now=now,
        delay=settings.SANTUI_SCREEN_DELAY if delay is None else delay,
        ahead=ahead,
    )
    if summary is not None:
        summary.indexed += indexed
        summary.add(decided)
    if on_decided is not None:
        on_decided(decided)
    return len(decided) + indexed + history
