"""The release model of one breakdown dimension, and the suppression heuristic. Pure.

Release ``r`` (0-based, one per calendar month, in month order) holds, for each key ``x`` of the
dimension, the *net* persons ``value[x]`` counted in it (new persons minus persons revoked in it
whose statements were counted in an earlier release) and ``revoked[(q, x)]``: the persons of key
``x`` revoked in it whose statement had been counted in release ``q < r``. New persons
``a[r][x] = value[x] + sum_q revoked[(q, x)]``.

What a release publishes for the dimension:

* its month table: ``value[x]`` for the keys in ``Published.month``;
* at the last month of a year, the year table: the sum of the year's month values, for the keys
  in ``Published.year``;
* the all-time table: the sum of every release's values so far, for the keys in
  ``Published.all``.

``decide`` chooses what a new release publishes, given the frozen decisions of the releases
before it. It is a heuristic (primary suppression below k, complementary suppression in each
table, and no difference between published figures of one key over time that isolates fewer
than two withheld month cells or less than k persons); ``santui.tally.disclosure.audit`` is the
proof, and ``harden`` withholds more until the audit passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Release:
    """One release of one dimension: exact figures (never published as such)."""

    year: int
    month: int  # 1..12
    values: Mapping[str, int]  # net persons per key (zero keys may be left out)
    revoked: Mapping[tuple[int, str], int] = field(default_factory=dict)  # (origin, key) -> persons

    @property
    def persons(self) -> int:
        """Net persons of the release: public (the log and the release's log size tell it)."""
        return sum(self.values.values())

    def new(self, key: str) -> int:
        return self.values.get(key, 0) + sum(n for (_, x), n in self.revoked.items() if x == key)

    @property
    def gross(self) -> int:
        """New persons of the release (public, as above)."""
        return self.persons + sum(self.revoked.values())

    def revoked_from(self) -> dict[int, int]:
        """Persons revoked in this release per origin release (public: the log's revoke leaves
        name the leaf they cancel)."""
        out: dict[int, int] = {}
        for (origin, _), n in self.revoked.items():
            out[origin] = out.get(origin, 0) + n
        return out

    def active(self, key: str) -> bool:
        """Whether any person of ``key`` is counted or revoked in this release."""
        return self.values.get(key, 0) != 0 or any(
            n for (_, x), n in self.revoked.items() if x == key
        )


@dataclass(frozen=True)
class Published:
    """Which keys one release publishes in each of its tables."""

    month: frozenset[str]
    year: frozenset[str] | None  # None: the release closes no year
    all: frozenset[str]


def closes_year(releases: Sequence[Release], r: int) -> bool:
    """A year table is published with the release of its last month (December)."""
    return releases[r].month == 12


def year_start(releases: Sequence[Release], r: int) -> int:
    """Index of the first release of release ``r``'s year."""
    s = r
    while s > 0 and releases[s - 1].year == releases[r].year:
        s -= 1
    return s


def keys_of(releases: Iterable[Release]) -> list[str]:
    seen: set[str] = set()
    for rel in releases:
        seen.update(k for k, v in rel.values.items() if v)
        seen.update(x for (_, x), n in rel.revoked.items() if n)
    return sorted(seen)


def year_value(releases: Sequence[Release], r: int, key: str) -> int:
    return sum(releases[q].values.get(key, 0) for q in range(year_start(releases, r), r + 1))


def all_value(releases: Sequence[Release], r: int, key: str) -> int:
    return sum(releases[q].values.get(key, 0) for q in range(r + 1))


class _Points:
    """For one key: which differences of its running total are known.

    Point ``p`` is the end of release ``p`` (``-1``: before the first). A published figure of
    the key over releases ``(p, q]`` joins ``p`` and ``q``; two joined points tell the key's
    persons between them exactly (a union-find over points).
    """

    def __init__(self, n: int) -> None:
        self.parent = list(range(n + 1))  # index p + 1
        self.members: dict[int, list[int]] = {i: [i - 1] for i in range(n + 1)}

    def find(self, p: int) -> int:
        i = p + 1
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def joined(self, p: int, q: int) -> bool:
        return self.find(p) == self.find(q)

    def pairs_if_joined(self, p: int, q: int) -> list[tuple[int, int]]:
        a, b = self.find(p), self.find(q)
        if a == b:
            return []
        return [(x, y) for x in self.members[a] for y in self.members[b]]

    def join(self, p: int, q: int) -> None:
        a, b = self.find(p), self.find(q)
        if a == b:
            return
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a] += self.members.pop(b)


@dataclass
class _KeyLine:
    """One key's withheld month cells over time, as prefix sums, and its known differences."""

    points: _Points
    sums: list[int]  # sums[p + 1]: net persons of the withheld month cells of releases <= p
    counts: list[int]  # the same for how many withheld month cells have anyone in them
    totals: list[int]  # the same for all month cells, withheld or not

    def safe(self, p: int, q: int, k: int) -> bool:
        """Whether a new edge p-q leaves every newly known difference harmless: it holds 0 or
        at least k persons net (revocations can make a difference of large figures small), and
        no withheld month cell with anyone in it, or at least two of them and 0 or >= k."""
        for x, y in self.points.pairs_if_joined(p, q):
            lo, hi = min(x, y), max(x, y)
            net = self.totals[hi + 1] - self.totals[lo + 1]
            if net != 0 and abs(net) < k:
                return False
            total = self.sums[hi + 1] - self.sums[lo + 1]
            count = self.counts[hi + 1] - self.counts[lo + 1]
            if count == 0:
                continue
            if count == 1 or (total != 0 and abs(total) < k):
                return False
        return True


def _row_ok(total: int, active: int, cover: int, *, k: int, persons: int) -> bool:
    """A table's withheld cells are known together (the table's total is public): harmless when
    none has anyone in it, or when at least two cells (``cover``: keys whose figure is unknown,
    empty ones included, since nobody can tell them from the others) share a total of 0 or of
    at least k persons (or all ``persons`` there are, when fewer)."""
    if active == 0:
        return True
    return cover >= 2 and (total == 0 or abs(total) >= min(k, max(persons, 1)))


def _month_row(
    rel: Release, keys: Sequence[str], k: int, *, pool: bool, exclude: frozenset[str] = frozenset()
) -> frozenset[str]:
    shown = {
        x
        for x in keys
        if abs(rel.values.get(x, 0)) >= k and not _small_atoms(rel, x, k) and x not in exclude
    }
    while shown:
        hidden = [x for x in keys if x not in shown]
        total = sum(rel.values.get(x, 0) for x in hidden)
        active = sum(1 for x in hidden if rel.active(x))
        if _row_ok(total, active, len(hidden) + pool, k=k, persons=abs(rel.persons)):
            break
        shown.discard(min(shown, key=lambda x: (abs(rel.values.get(x, 0)), x)))
    return frozenset(shown)


def _small_atoms(rel: Release, key: str, k: int) -> bool:
    """A cell whose new or revoked persons are few is withheld even when its net is not small:
    the net would tell them apart from the revoked ones (the log tells how many were revoked)."""
    if not any(n for (_, x), n in rel.revoked.items() if x == key):
        return False
    if 0 < rel.new(key) < k:
        return True
    return any(0 < n < k for (_, x), n in rel.revoked.items() if x == key)


def _lines(
    releases: Sequence[Release], decided: Sequence[Published], keys: Sequence[str]
) -> dict[str, _KeyLine]:
    n = len(releases)
    lines = {}
    for x in keys:
        sums, counts, totals = [0], [0], [0]
        for r in range(n):
            hidden = r < len(decided) and x not in decided[r].month
            sums.append(sums[-1] + (releases[r].values.get(x, 0) if hidden else 0))
            counts.append(counts[-1] + (1 if hidden and releases[r].active(x) else 0))
            totals.append(totals[-1] + releases[r].values.get(x, 0))
        lines[x] = _KeyLine(_Points(n), sums, counts, totals)
    for r, pub in enumerate(decided):
        for x in keys:
            line = lines[x]
            if x in pub.month:
                line.points.join(r - 1, r)
            if pub.year is not None and x in pub.year:
                line.points.join(year_start(releases, r) - 1, r)
            if x in pub.all:
                line.points.join(-1, r)
    return lines


def _cumulative_row(
    releases: Sequence[Release],
    lines: Mapping[str, _KeyLine],
    keys: Sequence[str],
    *,
    start: int,
    r: int,
    value: Mapping[str, int],
    k: int,
    pool: bool,
) -> frozenset[str]:
    """Choose the keys of a table over releases ``(start - 1, r]`` (a year or all time)."""
    shown = {x for x in keys if abs(value.get(x, 0)) >= k and lines[x].safe(start - 1, r, k)}

    def known_until(x: str) -> int | None:
        """The last point before r whose running total (from start - 1) is known without
        this table's figure of x; None when r itself is known that way."""
        points = lines[x].points
        if points.joined(start - 1, r):
            return None
        q = r - 1
        while q >= start and not points.joined(start - 1, q):
            q -= 1
        return q

    def unknown(x: str) -> tuple[int, int, int]:
        """(persons, active cells, first release) of x's withheld month cells not known."""
        q = known_until(x)
        if q is None:
            return 0, 0, r + 1
        line = lines[x]
        return line.sums[r + 1] - line.sums[q + 1], line.counts[r + 1] - line.counts[q + 1], q + 1

    # The withheld cells of the table are known together (its total is public); what of them
    # is not known from other figures is the withheld month cells of the covering keys.
    while True:
        cover = [x for x in keys if x not in shown and known_until(x) is not None]
        parts = [unknown(x) for x in cover]
        total, active = sum(p[0] for p in parts), sum(p[1] for p in parts)
        # each withheld cell is protected up to its own release's persons (public): the largest
        # release among them bounds what the total must reach
        persons = max(
            (
                abs(releases[q].persons)
                for x, (_, n, first) in zip(cover, parts, strict=True)
                if n
                for q in range(first, r + 1)
                if lines[x].counts[q + 1] > lines[x].counts[q]
            ),
            default=0,
        )
        if _row_ok(total, active, len(cover) + pool, k=k, persons=persons):
            break
        candidates = [x for x in shown if known_until(x) is not None]
        if not candidates:
            break  # nothing to add that would help: the audit decides (and harden withholds)
        adding = [x for x in candidates if unknown(x)[1] > 0]
        if len(cover) + pool >= 2 and adding:
            pick = min(adding, key=lambda x: (abs(unknown(x)[0]), x))
        else:
            pick = min(candidates, key=lambda x: (abs(value.get(x, 0)), x))
        shown.discard(pick)
    for x in shown:
        lines[x].points.join(start - 1, r)
    return frozenset(shown)


def decide(
    releases: Sequence[Release], decided: Sequence[Published], *, k: int, universe: int
) -> list[Published]:
    """What each release after ``decided`` publishes (``decided`` is frozen), in order.
    ``universe``: how many keys the dimension has, seen or not."""
    keys = keys_of(releases)
    pool = universe > len(keys)
    lines = _lines(releases, decided, keys)
    out: list[Published] = []
    for r in range(len(decided), len(releases)):
        rel = releases[r]
        month = _month_row(rel, keys, k, pool=pool)
        # A published month cell makes the key's difference from its last known figure known:
        # with revocations in it, that difference may be small though both figures are large.
        risky = frozenset(x for x in month if not lines[x].safe(r - 1, r, k))
        if risky:
            month = _month_row(rel, keys, k, pool=pool, exclude=risky)
        for x in keys:
            line = lines[x]
            if x not in month:
                delta = rel.values.get(x, 0)
                active = 1 if rel.active(x) else 0
                # prefix sums from r on include this withheld cell
                for i in range(r + 1, len(line.sums)):
                    line.sums[i] += delta
                    line.counts[i] += active
            else:
                line.points.join(r - 1, r)
        year = None
        if closes_year(releases, r):
            s = year_start(releases, r)
            totals = {x: year_value(releases, r, x) for x in keys}
            year = _cumulative_row(
                releases, lines, keys, start=s, r=r, value=totals, k=k, pool=pool
            )
        totals = {x: all_value(releases, r, x) for x in keys}
        every = _cumulative_row(releases, lines, keys, start=0, r=r, value=totals, k=k, pool=pool)
        out.append(Published(month=month, year=year, all=every))
    return out


def harden(pub: Published, level: int, keys: Iterable[str] = ()) -> Published:
    """Withhold more of one release's tables: level 1 the year and all-time cells of ``keys``,
    level 2 every year and all-time cell, level 3 everything. Withholding more only widens what
    an attacker can work out (it drops constraints), so hardening ends with the audit passing
    (with nothing published, only the public totals of the releases remain)."""
    if level <= 0:
        return pub
    if level == 1:
        drop = frozenset(keys)
        return replace(
            pub,
            year=pub.year - drop if pub.year is not None else None,
            all=pub.all - drop,
        )
    if level == 2:
        return replace(pub, year=frozenset() if pub.year is not None else None, all=frozenset())
    return Published(
        month=frozenset(), year=frozenset() if pub.year is not None else None, all=frozenset()
    )


def implicated(
    releases: Sequence[Release], published: Sequence[Published], release: int, key: str
) -> set[str]:
    """The keys whose figures over time bear on a quantity of ``key`` in ``release``: the key
    itself and every key withheld (or empty) in that release's month table: their year and
    all-time figures could tell the withheld ones apart."""
    pub = published[release]
    return {key} | {x for x in keys_of(releases) if x not in pub.month}
