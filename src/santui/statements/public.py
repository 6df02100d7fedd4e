"""Statements whose declarants consented to publication, as the public sees them.

A public statement is an accepted statement with ``publish`` set whose *add* entry is integrated
(it is counted and has a leaf in the public log). It is known by its leaf index, ``number``,
never by its database id or receipt. Its record carries the province-level region of the
ledger, never the county.

Search (docs/public-statements.md) reads two columns that exist only for public statements and
are NULL on every other row: ``Statement.search_text`` (the text folded by ``fold_text``) and
``Statement.name_key``, a blind index of the name (a keyed hash of ``fold_name``, so the name
itself stays encrypted). ``statement_accept`` and the bulk loader write them through
``search_columns``; ``statement_reject`` clears them. Name search is therefore exact.

Pages are keyset-paged on the leaf index (``before``): no OFFSET and no COUNT, so a page costs
the same at the millionth statement as at the first. The filters by region and day, and the
paging, read ``PublishedEntry``: the integrated adds of published statements, written by the
integrator, in a narrow table of their own (the ledger's every entry paid for those indexes).

**The published copy** (issue 12). Names and texts are encrypted to the office key, which the
public server does not hold, so what it shows of a public statement is its ``PublicCopy``: the
name and text in clear, written by the office (``refresh_public_copies``, run by
``santui public-copies --loop`` beside ``santui serve --office``) once the statement is public,
and deleted once it is not. On the public server (``SANTUI_ROLE=public``) a public statement
without its copy yet is not shown; a process that holds the office key (the office, a command
run on one machine, the tests) reads the encrypted fields when a copy is missing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from santui.statements.crypto import keyed_hash
from santui.statements.models import (
    EntryKind,
    LedgerEntry,
    NameKind,
    PublicCopy,
    Statement,
    Status,
)
from santui.textparse.normalize import to_simplified

RECORD_FIELDS = (
    "number",
    "date",
    "headcount",
    "organizations",
    "region",
    "sector",
    "channel",
    "name_kind",
    "name",
    "text",
)
PAGE_SIZE = 50
MAX_NUMBER = 2**63 - 1  # leaf indexes are BIGINT: anything larger names no statement
NAME_KEY_PURPOSE = "statement-name-search"


@cache
def _nfkc_table() -> dict[int, str]:
    """NFKC of every code point it changes (planes 0 to 2: none beyond has a compatibility
    mapping). About 4,900 entries, built once in about 0.2 s."""
    table = {}
    for code in range(0x30000):
        char = chr(code)
        if not unicodedata.is_normalized("NFKC", char):
            table[code] = unicodedata.normalize("NFKC", char)
    return table


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, an order of magnitude faster on Chinese text.

    CPython's NFKC is slow (about 2 µs a character) once a text holds one full-width comma,
    that is, almost always. Mapping each character to its NFKC, then composing (NFC, whose
    quick check passes at once on such text), gives the same string: NFKD of a text is the NFKD
    of its characters, canonically reordered, and NFC redoes that reordering.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFC", text.translate(_nfkc_table()))


def fold_text(text: str) -> str:
    """Text as search compares it: NFKC, Simplified, case-folded, spaces collapsed to one."""
    return " ".join(to_simplified(nfkc(text)).casefold().split())


def fold_name(name: str) -> str:
    """A name as its blind index sees it: NFKC, Simplified, case-folded, without spaces."""
    return "".join(to_simplified(nfkc(name)).casefold().split())


def name_key(name: str) -> str | None:
    """The blind index of a name (HMAC-SHA256 under the instance key), None for no name."""
    folded = fold_name(name)
    return keyed_hash(NAME_KEY_PURPOSE, folded.encode("utf-8")) if folded else None


def search_columns(
    *, status: str, publish: bool, name: str, name_kind: str, text: str
) -> tuple[str | None, str | None]:
    """(``name_key``, ``search_text``) of a statement: set only while it is public (accepted
    with consent), so that nothing of an unpublished name is kept, not even its hash."""
    if status != Status.ACCEPTED or not publish:
        return None, None
    key = name_key(name) if name_kind != NameKind.ANONYMOUS else None
    return key, fold_text(text)


def _public_server() -> bool:
    return str(getattr(settings, "SANTUI_ROLE", "")) == "public"


def public_copies_mark() -> tuple[int, int]:
    """How many published copies there are and the newest one's statement: what the public
    server shows of published statements changes with them, not only with the log's size (the
    office writes a copy a few seconds after integration), so cached pages and files include it
    in their validators. (0, 0) elsewhere: every published statement is shown."""
    if not _public_server():
        return (0, 0)
    mark = PublicCopy.objects.aggregate(n=Count("pk"), newest=Max("pk"))
    return (int(mark["n"] or 0), int(mark["newest"] or 0))


def public_entries() -> QuerySet[LedgerEntry]:
    """Add entries of published statements, newest leaf first, with their statement joined.
    On the public server, only those whose published copy the office has written."""
    entries = LedgerEntry.objects.filter(
        kind=EntryKind.ADD,
        published__isnull=False,  # integrated, and the statement published (PublishedEntry)
        statement__status=Status.ACCEPTED,
        statement__publish=True,
    )
    if _public_server():
        entries = entries.filter(statement__public_copy__isnull=False)
    return (
        entries.select_related("statement")
        # Never decrypt a contact for a public page; the search copy is not shown.
        .defer("statement__contact", "statement__search_text", "statement__suggested")
        # the entry's position (entry.position), from the narrow table whose indexes the
        # filters below use
        .annotate(log_index=F("published__position"))
        .order_by("-published__position")
    )


_COPY = "_santui_public_copy"


def attach_copies(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Read the published copies of ``entries``' statements in one query (for public_record)."""
    copies = {
        c.statement_id: c
        for c in PublicCopy.objects.filter(statement_id__in={e.statement_id for e in entries})
    }
    for entry in entries:
        setattr(entry, _COPY, copies.get(entry.statement_id))
    return entries


def _name_and_text(entry: LedgerEntry) -> tuple[str, str]:
    if not hasattr(entry, _COPY):
        attach_copies([entry])
    copy: PublicCopy | None = getattr(entry, _COPY)
    if copy is not None:
        return copy.name, copy.text
    # No copy yet: only a process holding the office key reads the statement itself (the
    # public server's public_entries never yields such an entry).
    statement = entry.statement
    name = statement.name if statement.name_kind != NameKind.ANONYMOUS else ""
    return str(name), str(statement.text)


def public_record(entry: LedgerEntry) -> dict[str, Any]:
    """The published fields of one statement (docs/open-data.md, `statements`)."""
    name, text = _name_and_text(entry)
    if entry.statement.name_kind == NameKind.ANONYMOUS:
        name = ""
    return {
        "number": entry.position,
        "date": entry.day.isoformat(),
        "headcount": entry.headcount,
        "organizations": [org for org in ("party", "league", "pioneers") if getattr(entry, org)],
        "region": entry.region or None,
        "sector": entry.sector or None,
        "channel": entry.channel,
        "name_kind": entry.name_kind,
        "name": name or None,
        "text": text,
    }


def public_records(
    entries: QuerySet[LedgerEntry], *, chunk: int = 2000
) -> Iterator[dict[str, Any]]:
    batch: list[LedgerEntry] = []
    for entry in entries.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from map(public_record, attach_copies(batch))
            batch = []
    yield from map(public_record, attach_copies(batch))


def _public_statements() -> Q:
    return Q(status=Status.ACCEPTED, publish=True)


# A decision's transaction may commit this long after the time it stamps (decided_at): a round
# that looks back from its last one reads this much further back. A decision later still waits
# for the next whole round (CopyRounds.whole_every).
LATE = dt.timedelta(minutes=5)


def round_reads(since: dt.datetime | None) -> tuple[QuerySet[PublicCopy], QuerySet[Statement]]:
    """What a round reads (refresh_public_copies): the copies of statements no longer public,
    and the public statements without a copy; all of them, or those decided since ``since``."""
    public = Statement.objects.filter(_public_statements())
    if since is None:
        no_longer = PublicCopy.objects.exclude(statement__in=public)
        return no_longer, public.filter(public_copy__isnull=True)
    after = since - LATE
    rejected = Statement.objects.filter(
        status=Status.REJECTED, shredded_at__isnull=True, decided_at__gte=after
    )
    no_longer = PublicCopy.objects.filter(statement__in=rejected)
    return no_longer, public.filter(decided_at__gte=after, public_copy__isnull=True)


def refresh_public_copies(
    *, limit: int = 2000, since: dt.datetime | None = None
) -> tuple[int, int, int]:
    """The office's round: write the published copy of up to ``limit`` public statements that
    lack one, and delete the copies of statements no longer public (rejected, or consent
    withdrawn). Needs the office key. Returns (written, deleted, still waiting).

    A whole round (``since`` None) compares every public statement with its copy. With
    ``since``, only the statements decided from ``since - LATE`` on are looked at (by
    ``decided_at``, through its indexes): those that became public then, and those rejected
    then. A statement becomes public only by its acceptance and stops being public only by its
    rejection (consent cannot change once it is decided), so that finds every change since
    ``since`` but one made by hand in the database, or a decision without a ``decided_at``;
    whole rounds, run from time to time (CopyRounds), find those."""
    with transaction.atomic():
        no_longer, waiting = round_reads(since)
        deleted, _ = no_longer.delete()
        todo = list(waiting.order_by("pk").only("pk", "name", "name_kind", "text")[:limit])
        PublicCopy.objects.bulk_create(
            [
                PublicCopy(
                    statement_id=s.pk,
                    name=str(s.name) if s.name_kind != NameKind.ANONYMOUS else "",
                    text=str(s.text),
                )
                for s in todo
            ],
            ignore_conflicts=True,  # another office process wrote it meanwhile
        )
        left = waiting.count() if len(todo) == limit else 0
    return len(todo), deleted, left


@dataclass
class CopyRounds:
    """The rounds of ``santui public-copies --loop``: each looks only at what was decided since
    the one before (``refresh_public_copies(since=...)``), and one in ``whole_every`` is a
    whole round, as is the first. At 3.1 million statements with 31,000 public, a whole round
    read for about 100 ms and a round since the last one for 2.5 ms (docs/benchmarks.md, "The
    published copies' round"); a whole round grows with the public statements, a round since
    the last one with the decisions made in between."""

    whole_every: dt.timedelta = dt.timedelta(minutes=10)
    since: dt.datetime | None = None  # when the last complete round began
    whole_at: dt.datetime | None = None  # when the last whole round began

    def round(self, *, now: dt.datetime | None = None, limit: int = 2000) -> tuple[int, int, int]:
        """One round (refresh_public_copies' result). The next one looks back from the start of
        this one only once nothing is left waiting."""
        now = now or timezone.now()
        whole = self.whole_at is None or now - self.whole_at >= self.whole_every
        written, deleted, left = refresh_public_copies(
            limit=limit, since=None if whole else self.since
        )
        if not left:
            self.since = now
            if whole:
                self.whole_at = now
        return written, deleted, left


@dataclass(frozen=True, slots=True)
class StatementQuery:
    """What a visitor searches for; every part optional, all of them combined with AND."""

    text: str = ""  # contained in the text, whatever the script and case
    name: str = ""  # the exact name (after fold_name)
    region: str = ""  # a rollup region key: province code, ISO 3166-1 code, or CN
    date_from: dt.date | None = None  # reporting days, inclusive
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class StatementPage:
    entries: list[LedgerEntry]
    older: int | None  # ``before`` of the next older page; None: this is the oldest
    has_newer: bool
    newer: int | None  # ``before`` of the newer page; None with has_newer: the first page


def public_search(*, query: StatementQuery) -> QuerySet[LedgerEntry]:
    """The public entries matching ``query``, newest first."""
    entries = public_entries()
    text = fold_text(query.text)
    if text:
        entries = entries.filter(statement__search_text__contains=text)
    if query.name:
        key = name_key(query.name)
        if key:
            entries = entries.filter(statement__name_key=key)
    if query.region:
        entries = entries.filter(published__region=query.region)
    if query.date_from:
        entries = entries.filter(published__day__gte=query.date_from)
    if query.date_to:
        entries = entries.filter(published__day__lte=query.date_to)
    return entries


def public_page(
    *, query: StatementQuery, before: int | None = None, size: int = PAGE_SIZE
) -> StatementPage:
    """One page of matches: the ``size`` newest with a leaf index below ``before``.

    Two bounded queries walk the leaf index: this page plus one (is there an older page?), and
    the positions of up to ``size + 1`` matches above it (where does the newer page start?).
    """
    if size < 1:
        raise ValueError("a page holds at least one statement")
    matching = public_search(query=query)
    rows = matching if before is None else matching.filter(published__position__lt=before)
    with transaction.atomic():
        _serial_plans()
        entries = attach_copies(list(rows[: size + 1]))
        above: list[int | None] = []
        if before is not None:
            above = list(
                matching.filter(published__position__gte=before)
                .order_by("published__position")
                .values_list("published__position", flat=True)[: size + 1]
            )
    older = entries[size - 1].position if len(entries) > size else None
    return StatementPage(
        entries=entries[:size],
        older=older,
        has_newer=bool(above),
        newer=above[size] if len(above) > size else None,
    )


def _serial_plans() -> None:
    """On PostgreSQL, no parallel workers for the rest of this transaction.

    Under a Gather Merge, a LIMIT over a backward scan of the leaf index makes every worker
    without matches scan to the end of its share: with 370,000 statements, "from last week"
    took 250 ms in parallel and under 1 ms serially (docs/public-statements.md).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def public_entry(*, number: int) -> LedgerEntry | None:
    """The public statement with leaf index ``number``, or None (absent, unpublished, rejected,
    not integrated yet)."""
    if not 0 <= number <= MAX_NUMBER:
        return None
    entry = public_entries().filter(published__position=number).first()
    return attach_copies([entry])[0] if entry is not None else None
