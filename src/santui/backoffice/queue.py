"""Reads for the moderation workbench (santui.backoffice.workbench): the held queue grouped by
screening reason and by cluster, and the counted statements a bulk invalidation would revoke.

Nothing here writes; the decisions go through santui.backoffice.actions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from santui.screening.models import Screening
from santui.screening.rules import REASONS
from santui.statements.models import Statement, Status, StatusChange

NO_REASON = ""  # held without a screening reason (a staff edit of a counted field)
DUP_PREFIX = "dup:"


def _has_reason(reason: str) -> dict[str, str]:
    # The codes are stored as a JSON list of strings: '"code"' is found in its text on every
    # database (Django's JSONField icontains compares the JSON text).
    return {"screening__reasons__icontains": f'"{reason}"'}


def held_statements(
    *, reason: str | None = None, cluster: str | None = None
) -> QuerySet[Statement]:
    """Held statements, oldest first, with their screening record; of one reason or cluster."""
    held = Statement.objects.filter(status=Status.HELD)
    if reason is not None:
        held = held.filter(**_has_reason(reason))
    if cluster is not None:
        held = held.filter(screening__cluster=cluster)
    return held.select_related("screening").order_by("received_at", "pk")


def held_reason_counts() -> tuple[list[tuple[str, int]], int]:
    """Held statements per screening reason (most first; a statement counts under each of its
    reasons) and how many are held without any (staff edits)."""
    counts: Counter[str] = Counter()
    without = 0
    rows = Statement.objects.filter(status=Status.HELD).values_list("screening__reasons", flat=True)
    for reasons in rows.iterator(chunk_size=5000):
        codes = {r for r in (reasons or []) if isinstance(r, str)}
        if codes:
            counts.update(codes)
        else:
            without += 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ordered, without


def held_cluster_counts(*, limit: int = 200) -> list[tuple[str, int]]:
    """The largest clusters (floods and duplicate sets) of held statements, with their sizes."""
    rows = (
        Screening.objects.filter(statement__status=Status.HELD)
        .exclude(cluster="")
        .values("cluster")
        .annotate(n=Count("pk"))
        .order_by("-n", "cluster")[:limit]
    )
    return [(row["cluster"], row["n"]) for row in rows]


def cluster_anchor(cluster: str) -> Statement | None:
    """For a duplicate set ("dup:<number>"), the earlier statement its members may repeat."""
    if not cluster.startswith(DUP_PREFIX):
        return None
    number = cluster.removeprefix(DUP_PREFIX)
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return Statement.objects.filter(pk=int(number)).first()


def is_reason(code: str) -> bool:
    return code in REASONS


# --- bulk invalidation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which counted statements a bulk invalidation takes (every given criterion must hold)."""

    reason: str = ""
    channel: str = ""
    volunteer: int | None = None  # the user who recorded it (its creating audit row's actor)
    source: str = ""  # the import batch (Statement.source)
    received_from: dt.datetime | None = None  # inclusive
    received_to: dt.datetime | None = None  # exclusive

    @property
    def empty(self) -> bool:
        return not (
            self.reason
            or self.channel
            or self.volunteer is not None
            or self.source
            or self.received_from
            or self.received_to
        )


def counted_selection(selection: Selection) -> QuerySet[Statement]:
    """The counted statements a selection takes, in number order. An empty selection takes
    none (never "everything")."""
    counted = Statement.objects.filter(status=Status.ACCEPTED)
    if selection.empty:
        return counted.none()
    if selection.reason:
        counted = counted.filter(**_has_reason(selection.reason))
    if selection.channel:
        counted = counted.filter(channel=selection.channel)
    if selection.source:
        counted = counted.filter(source=selection.source)
    if selection.received_from is not None:
        counted = counted.filter(received_at__gte=selection.received_from)
    if selection.received_to is not None:
        counted = counted.filter(received_at__lt=selection.received_to)
    if selection.volunteer is not None:
        created = StatusChange.objects.filter(
            statement=OuterRef("pk"), from_status="", actor_id=selection.volunteer
        )
        counted = counted.filter(Exists(created))
    return counted.order_by("pk")


@dataclass(frozen=True)
class Size:
    statements: int
    persons: int
    digest: str  # of the statements' numbers: the same counts over other statements differ


@contextlib.contextmanager
def _planned_for_every_row() -> Iterator[None]:
    """On PostgreSQL, a read through a server-side cursor (``iterator()``) planned for all its
    rows, not for its first tenth (``cursor_tuple_fraction``, 0.1 by default). Planned for the
    first rows, a selection in number order walks the whole primary key and filters, where
    the few pages of its time (the BRIN index on ``received_at``) and a sort are far cheaper:
    0.5 s against a few ms on 3 million statements (docs/benchmarks.md, "A selection by time
    received")."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():  # a savepoint if the caller has a transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('cursor_tuple_fraction')")
            before = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('cursor_tuple_fraction', '1.0', true)")
        yield
        # the caller's transaction goes on as it was (on an error, the rollback undoes it)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('cursor_tuple_fraction', %s, true)", [before])


def selection_size(selection: Selection) -> Size:
    """How many statements and persons the totals would lose, and a digest of which."""
    chosen = counted_selection(selection)
    with _planned_for_every_row():
        totals = chosen.aggregate(n=Count("pk"), persons=Sum("headcount"))
        digest = hashlib.sha256()
        for pk in chosen.values_list("pk", flat=True).iterator(chunk_size=10_000):
            digest.update(b"%d," % pk)
    return Size(totals["n"] or 0, totals["persons"] or 0, digest.hexdigest())


def selection_numbers(selection: Selection) -> list[int]:
    return list(counted_selection(selection).values_list("pk", flat=True))


def selection_frozen(selection: Selection) -> tuple[Size, list[int]]:
    """The counted statements a selection takes now, in number order, with their size as
    ``selection_size`` gives it: what a confirmation freezes, in one read."""
    numbers: list[int] = []
    persons = 0
    digest = hashlib.sha256()
    chosen = counted_selection(selection).values_list("pk", "headcount")
    with _planned_for_every_row():
        for pk, headcount in chosen.iterator(chunk_size=10_000):
            numbers.append(pk)
            persons += headcount
            digest.update(b"%d," % pk)
    return Size(len(numbers), persons, digest.hexdigest()), numbers


def held_persons(numbers: list[int]) -> int:
    """The persons of the held statements among ``numbers``."""
    persons = 0
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start : start + 1000]
        found = Statement.objects.filter(pk__in=chunk, status=Status.HELD).aggregate(
            p=Sum("headcount")
        )
        persons += found["p"] or 0
    return persons
