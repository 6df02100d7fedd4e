"""The attack harness of docs/disclosure.md: an adversary against every public surface, who must
find nothing.

The adversary here is written independently of santui.tally.disclosure: it reads only what is
public (/api/v1/stats with every parameter, the open-data files and their past versions, the
release list, and what the public log tells: each release's new and revoked persons), sets up
its own linear program over the persons of each key in each release, and solves for every
small cell and every difference of a key's figures between two releases (months, years, all
time, across releases). The truth it is checked against is recomputed from the ledger here,
not read from the release tables.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from santui.publish.caching import forget_state
from santui.statements.actions import statement_reject
from santui.statements.models import EntryKind, LedgerEntry, Statement
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release, universe
from santui.tally.opendata.datasets import snapshot
from santui.tally.opendata.package import file_bytes
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

K = 10
DIMENSIONS = ("region", "sector", "channel", "name_kind", "declarant", "member")
DOC_PARTS = {"region": "regions", "sector": "sectors", "channel": "channels",
             "name_kind": "name_kinds", "declarant": "declarants"}  # fmt: skip


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def release_now(month: str) -> dt.datetime:
    """A moment at which ``month`` (YYYY-MM) is due, and the month after it is not."""
    first = dt.date.fromisoformat(month + "-01")
    return at((month_end(first) + dt.timedelta(days=8)).isoformat(), 1)


# --- what the adversary sees ---------------------------------------------------------------------


@dataclass
class Seen:
    """Every published figure the adversary has collected, and what the log tells."""

    releases: list[dict[str, Any]] = field(default_factory=list)
    # (release number, kind, dimension, key) -> persons; kind: month, year, all
    cells: dict[tuple[int, str, str, str], int] = field(default_factory=dict)

    def add(self, release: int, kind: str, dimension: str, key: str, persons: int) -> None:
        where = (release, kind, dimension, key)
        assert self.cells.setdefault(where, persons) == persons, f"{where} was revised"


def _doc_cells(doc: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    for dimension, part in DOC_PARTS.items():
        for cell in doc[part]:
            key = cell["code"] if dimension == "region" else cell["key"]
            if "through" not in cell:
                yield dimension, key or "", cell["persons"]
    if doc["current_party_members"] is not None:
        yield "member", "member", doc["current_party_members"]


def collect(client: Client, seen: Seen) -> None:
    """Ask everything: the open data (every release's figures), and the API for every period."""
    snap = snapshot()
    releases = json.loads(file_bytes("releases.json", snap))
    seen.releases = releases
    for row in json.loads(file_bytes("breakdowns.json", snap)):
        dimension = "member" if row["dimension"] == "current_party_members" else row["dimension"]
        seen.add(row["release"], row["kind"], dimension, row["key"] or "", row["persons"])
    for release in releases:
        doc = client.get(f"/api/v1/stats?period={release['period']}").json()
        assert doc["breakdown"]["release"] == release["release"]
        for dimension, key, persons in _doc_cells(doc):
            seen.add(release["release"], "month", dimension, key, persons)
        if release["period"].endswith("-12"):
            doc = client.get(f"/api/v1/stats?period={release['period'][:4]}").json()
            for dimension, key, persons in _doc_cells(doc):
                seen.add(release["release"], "year", dimension, key, persons)
    if releases:
        doc = client.get("/api/v1/stats").json()
        for dimension, key, persons in _doc_cells(doc):
            seen.add(releases[-1]["release"], "all", dimension, key, persons)


# --- the truth, recomputed from the ledger --------------------------------------------------------


@dataclass
class Truth:
    """Per release (0-based) and dimension: new persons per key, and revoked persons per
    (origin release, key): what the log and the ledger say, by the rule of docs/disclosure.md."""

    new: list[dict[str, dict[str, int]]]
    revoked: list[dict[str, dict[tuple[int, str], int]]]


def _key(entry: LedgerEntry, dimension: str) -> str:
    if dimension == "member":
        return "member" if entry.current_party_member else "other"
    return str(getattr(entry, dimension))


def truth(releases: list[dict[str, Any]]) -> Truth:
    bounds = [(r["log_size"], month_end(dt.date.fromisoformat(r["from"]))) for r in releases]

    def release_of(entry: LedgerEntry) -> int | None:
        for i, (size, last) in enumerate(bounds):
            if entry.position is not None and entry.position < size and entry.day <= last:
                return i
        return None

    new: list[dict[str, dict[str, int]]] = [defaultdict(lambda: defaultdict(int)) for _ in bounds]
    revoked: list[dict[str, dict[tuple[int, str], int]]] = [
        defaultdict(lambda: defaultdict(int)) for _ in bounds
    ]
    entries = LedgerEntry.objects.filter(log_position__isnull=False).select_related(
        "revokes", "log_position", "revokes__log_position"
    )
    for entry in entries:
        here = release_of(entry)
        if here is None:
            continue
        if entry.kind == EntryKind.ADD:
            for d in DIMENSIONS:
                new[here][d][_key(entry, d)] += entry.headcount
            continue
        origin = release_of(entry.revokes)
        assert origin is not None and origin <= here
        for d in DIMENSIONS:
            if origin == here:  # added and revoked in one release: neither counts
                new[here][d][_key(entry, d)] -= entry.headcount
            else:
                revoked[here][d][(origin, _key(entry, d))] += entry.headcount
    return Truth(new, revoked)


# --- the adversary's linear program ---------------------------------------------------------------


class Adversary:
    """min and max of any sum of one key's persons over releases, given all that is seen."""

    def __init__(self, seen: Seen, real: Truth, dimension: str) -> None:
        self.n = len(seen.releases)
        keys = set()
        for r in range(self.n):
            keys |= {x for x, v in real.new[r][dimension].items() if v}
            keys |= {x for (_, x), v in real.revoked[r][dimension].items() if v}
        keys |= {x for (_, _, d, x) in seen.cells if d == dimension}
        if dimension == "member":
            keys |= {"member", "other"}
        self.keys = sorted(keys)
        if len(universe(dimension) | set(self.keys)) > len(self.keys):
            self.keys.append("\0unseen")  # every key nobody saw, as one
        index: dict[tuple[Any, ...], int] = {}
        for r in range(self.n):
            for x in self.keys:
                index[("a", r, x)] = len(index)
        origins = [sorted({q for (q, _), v in real.revoked[r][dimension].items() if v})
                   for r in range(self.n)]  # fmt: skip
        for r in range(self.n):
            for q in origins[r]:
                for x in self.keys:
                    index[("v", r, q, x)] = len(index)
        self.index = index
        eq: list[tuple[dict[int, float], float]] = []
        ub: list[tuple[dict[int, float], float]] = []
        for r in range(self.n):  # what the log tells
            new = sum(real.new[r][dimension].values())
            eq.append(({index[("a", r, x)]: 1.0 for x in self.keys}, float(new)))
            for q in origins[r]:
                persons = sum(v for (o, _), v in real.revoked[r][dimension].items() if o == q)
                eq.append(({index[("v", r, q, x)]: 1.0 for x in self.keys}, float(persons)))
                for x in self.keys:  # one can only revoke someone counted
                    ub.append(({index[("v", r, q, x)]: 1.0, index[("a", q, x)]: -1.0}, 0.0))
        self.origins = origins
        numbers = {rel["release"]: i for i, rel in enumerate(seen.releases)}
        for (number, kind, d, key), persons in seen.cells.items():
            if d != dimension:
                continue
            r = numbers[number]
            if kind == "month":
                span = [r]
            elif kind == "year":
                year = seen.releases[r]["period"][:4]
                span = [i for i in range(r + 1) if seen.releases[i]["period"][:4] == year]
            else:
                span = list(range(r + 1))
            eq.append((self.net(span, key), float(persons)))
        self.eq, self.ub = eq, ub

    def net(self, span: list[int], key: str) -> dict[int, float]:
        row: dict[int, float] = defaultdict(float)
        for r in span:
            row[self.index[("a", r, key)]] += 1.0
            for q in self.origins[r]:
                row[self.index[("v", r, q, key)]] -= 1.0
        return row

    def _matrix(self, rows: list[tuple[dict[int, float], float]]) -> tuple[Any, Any]:
        a = np.zeros((len(rows), len(self.index)))
        for i, (row, _) in enumerate(rows):
            for j, v in row.items():
                a[i, j] = v
        return a, np.array([rhs for _, rhs in rows])

    def range_of(self, expr: dict[int, float]) -> tuple[float, float]:
        a_eq, b_eq = self._matrix(self.eq)
        a_ub, b_ub = self._matrix(self.ub) if self.ub else (None, None)
        c = np.zeros(len(self.index))
        for j, v in expr.items():
            c[j] = v
        out = []
        for sign in (1.0, -1.0):
            res = linprog(sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                          bounds=(0, None), method="highs")  # fmt: skip
            assert res.status == 0, res.message
            out.append(sign * res.fun)
        return out[0], out[1]


def findings(seen: Seen, real: Truth) -> list[str]:
    """Every small group the adversary can pin: a key's new or revoked persons in a release, or
    a key's net persons over any run of consecutive releases (any difference of its figures)."""
    found = []
    n = len(seen.releases)
    gross = [sum(real.new[r]["member"].values()) for r in range(n)]
    for dimension in DIMENSIONS:
        adversary = Adversary(seen, real, dimension)
        for r in range(n):
            for x, t in real.new[r][dimension].items():
                if 0 < t < K:
                    low, high = adversary.range_of({adversary.index[("a", r, x)]: 1.0})
                    if low > 0.5 or high < min(K, gross[r]) - 0.5:
                        found.append(f"{dimension} {x} new in release {r + 1}: {t} in "
                                     f"[{low:g}, {high:g}]")  # fmt: skip
            for (q, x), t in real.revoked[r][dimension].items():
                if 0 < t < K:
                    cap = sum(v for (o, _), v in real.revoked[r][dimension].items() if o == q)
                    low, high = adversary.range_of({adversary.index[("v", r, q, x)]: 1.0})
                    if low > 0.5 or high < min(K, cap) - 0.5:
                        found.append(f"{dimension} {x} revoked in release {r + 1}: {t}")
        for s, e in itertools.combinations(range(n + 1), 2):  # releases s..e-1
            span = list(range(s, e))
            for x in adversary.keys:
                t = sum(real.new[r][dimension].get(x, 0) for r in span) - sum(
                    v for r in span for (_, y), v in real.revoked[r][dimension].items() if y == x
                )
                if not 0 < t < K or sum(gross[r] for r in span) < K:
                    continue
                low, high = adversary.range_of(adversary.net(span, x))
                if low > 0.5 and high < K - 0.5:
                    found.append(f"{dimension} {x} over releases {s + 1}-{e}: {t} in "
                                 f"[{low:g}, {high:g}]")  # fmt: skip
    return found


def new_findings(seen: Seen, real: Truth) -> list[str]:
    """What the adversary finds that earlier figures and the public log alone did not tell.

    A revocation shows in the log with the release that counted it. If that release showed its
    key (nearly) alone, the log then tells the revoked persons' key and how many of it remain,
    whatever is published after (docs/disclosure.md, "Limits"). Such findings are excused only
    if (1) the releases before the first revocation, seen alone, let the adversary find nothing,
    and (2) it finds them again from the figures published before some revoking release, with
    the log: the releases from the revocation on added nothing."""
    found = findings(seen, real)
    revoking = [r for r in range(len(seen.releases))
                if any(v for d in DIMENSIONS for v in real.revoked[r][d].values())]  # fmt: skip
    if not found or not revoking:
        return found
    numbers = {rel["release"]: i for i, rel in enumerate(seen.releases)}

    def before(r: int) -> dict[tuple[int, str, str, str], int]:
        return {w: v for w, v in seen.cells.items() if numbers[w[0]] < r}

    first = revoking[0]
    assert findings(Seen(seen.releases[:first], before(first)), truth(seen.releases[:first])) == []
    told: set[str] = set()
    for r in revoking:
        told |= set(findings(Seen(seen.releases, before(r)), real))
    return [f for f in found if f not in told]


def no_published_figure_is_small(seen: Seen) -> None:
    for where, persons in seen.cells.items():
        assert abs(persons) >= K, where


# --- data like the issue's: a registry with quiet months ------------------------------------------

PLACES = ["210000", "110000", "520000", "US", "HK"]
SECTORS = ["farmer", "police", "state_security", ""]
CHANNELS = ["web", "phone", "fax"]
DECLARANTS = ["self", "self", "family", "volunteer", "deceased"]  # most declare for themselves


def accept(
    day: str,
    *,
    n: int = 1,
    region: str = "210000",
    sector: str = "farmer",
    channel: str = "web",
    member: bool = False,
    kind: str = "alias",
    declarant: str = "self",
) -> Statement:
    return AcceptedStatementFactory(
        headcount=n, received_at=at(day), region=region, sector=sector, channel=channel,
        current_party_member=member, name_kind=kind, declarant=declarant,
    )  # fmt: skip


@pytest.fixture
def registry() -> None:
    """Three months of 2005 and one of 2006: big cells and small ones, every day of April."""
    for day in range(1, 31):
        accept(f"2005-04-{day:02d}", n=3, region="210000", channel="phone")
        accept(f"2005-04-{day:02d}", n=2, region="110000", sector="police", kind="real")
    accept("2005-04-17", region="520000", sector="state_security", member=True)  # one person
    accept("2005-04-18", n=4, region="US", channel="fax", kind="anonymous")
    accept("2005-04-19", n=2, region="210000", declarant="family")  # two persons, on behalf
    for day in range(1, 13):  # a kind large enough to be shown
        accept(f"2005-04-{day:02d}", n=1, region="210000", declarant="volunteer")
    for day in range(1, 29):
        accept(f"2005-05-{day:02d}", n=5, region="210000", member=day % 2 == 0)
    accept("2005-05-09", n=2, region="HK", sector="", channel="fax")
    accept("2005-05-11", n=1, region="210000", declarant="deceased")  # one person who died
    for day in range(1, 31):
        accept(f"2005-12-{day:02d}", n=2, region="110000", sector="police")
    accept("2006-01-05", n=30, region="210000", channel="phone")
    accept("2006-01-06", n=1, region="520000", member=True)
    tally_integrate()


def fresh() -> None:
    cache.clear()
    forget_state()


# --- the attacks -----------------------------------------------------------------------------


def test_range_differencing_on_every_parameter_finds_nothing(
    registry: None, client: Client
) -> None:
    """The issue's first attack: overlapping ranges, subtracted. Every range of April snaps to
    April (or is refused), so all give the same breakdowns; one-sided and cross-month ranges
    snap to all time or are refused, naming the periods available."""
    stats_release(now=release_now("2005-04"))
    fresh()
    april = client.get("/api/v1/stats?period=2005-04").json()
    cells = sorted(_doc_cells(april))
    assert cells, "something must be published, or the test proves nothing"
    previous = None
    for day in range(1, 31):
        for start in (1, day):
            url = f"/api/v1/stats?from=2005-04-{start:02d}&to=2005-04-{day:02d}"
            doc = client.get(url).json()
            assert doc["breakdown"]["period"] == "2005-04", url
            assert sorted(_doc_cells(doc)) == cells, url
        if previous is not None:
            assert doc["persons"] >= 0  # the day's totals are exact (the log tells them)
        previous = doc
    for query in ("to=2005-04-30", "to=2005-04-10", "period=all", ""):
        doc = client.get(f"/api/v1/stats?{query}").json()
        assert doc["breakdown"]["period"] == "all", query
        assert sorted(_doc_cells(doc)) == sorted(_doc_cells(client.get("/api/v1/stats").json()))
    for query in ("from=2005-04-01", "from=2005-04-20&to=2005-05-03", "period=2005-05",
                  "period=2005", "from=2005-05-01&to=2005-05-01"):  # fmt: skip
        response = client.get(f"/api/v1/stats?{query}")
        assert response.status_code == 400, query
        body = response.json()
        assert body["error"] == "period_unavailable", query
        assert body["available"]["months"] == {"first": "2005-04", "last": "2005-04"}
        assert body["available"]["next_release"] == {
            "period": "2005-05", "due": "2005-06-08T00:00:00+08:00"
        }  # fmt: skip
    assert client.get("/api/v1/stats?period=2005-4").status_code == 400
    seen = Seen()
    collect(client, seen)
    no_published_figure_is_small(seen)
    assert findings(seen, truth(seen.releases)) == []


def test_snapshots_around_one_acceptance_show_no_profile(registry: None, client: Client) -> None:
    """The issue's second attack: two snapshots around one acceptance differed by one person's
    profile. Now breakdowns change only at a release, which counts a month at once."""
    stats_release(now=release_now("2005-05"))
    fresh()
    urls = ["/api/v1/stats", "/api/v1/stats?period=2005-05", "/api/v1/stats?period=2005-04",
            "/api/v1/stats?from=2005-05-03&to=2005-05-03"]  # fmt: skip
    before = {url: client.get(url).json() for url in urls}
    accept("2005-06-02", region="520000", sector="state_security", channel="web",
           member=True, kind="alias")  # fmt: skip
    tally_integrate()
    fresh()
    for url in urls:
        after = client.get(url).json()
        assert sorted(_doc_cells(after)) == sorted(_doc_cells(before[url])), url
        assert after["breakdown"] == before[url]["breakdown"], url
    assert client.get("/api/v1/stats").json()["persons"] == before["/api/v1/stats"]["persons"] + 1


def _import(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    call_command("import", str(path), "--no-progress", "--rejects", str(tmp_path / "r.jsonl"))


def test_a_back_dated_import_and_a_revocation_stay_hidden(
    registry: None, client: Client, tmp_path: Path
) -> None:
    """The issue's second attack again, with the change counted late into a closed month: a
    statement back-dated into April by an import after April's release, and a revocation of one
    of April's statements. April's figures never change; the change is counted in the next
    release, and no difference of any figures between releases tells it."""
    stats_release(now=release_now("2005-04"))
    fresh()
    seen = Seen()
    collect(client, seen)
    april = client.get("/api/v1/stats?period=2005-04").json()
    _import(tmp_path, [{
        "external_id": "late-1", "received_at": "2005-04-12", "channel": "email",
        "organizations": ["party"], "region": "520000", "sector": "state_security",
        "current_party_member": True, "name_kind": "real", "name": "某某", "status": "accepted",
    }])  # fmt: skip
    revoked = Statement.objects.filter(region="110105").order_by("id").first() or (
        Statement.objects.filter(region__startswith="11").order_by("id").first()
    )
    assert revoked is not None
    statement_reject(statement=revoked, by=None, reason="duplicate", via="test")
    tally_integrate()
    assert LedgerEntry.objects.filter(kind=EntryKind.REVOKE).count() == 1
    fresh()
    again = client.get("/api/v1/stats?period=2005-04").json()
    assert again["persons"] == april["persons"] - 1  # the totals are exact: the log tells them
    # the breakdowns are frozen: the same release, the same figures
    assert again["breakdown"] == april["breakdown"]
    assert sorted(_doc_cells(again)) == sorted(_doc_cells(april))
    stats_release(now=release_now("2005-05"))
    fresh()
    collect(client, seen)  # the first release's figures are still all there, unrevised
    may = next(r for r in seen.releases if r["period"] == "2005-05")
    assert may["late_persons"] == 1 and may["revoked_persons"] == 2
    assert client.get("/api/v1/stats?period=2005-04").json()["breakdown"]["release"] == 1
    no_published_figure_is_small(seen)
    assert findings(seen, truth(seen.releases)) == []


def test_totals_minus_the_other_cells_tell_nothing(registry: None, client: Client) -> None:
    """The issue's third attack: a total minus the shown cells. The daily file carries no
    breakdown any more, and in every month table the withheld cells hold 0, at least k, or the
    whole month (whose total the log tells anyway)."""
    stats_release(now=release_now("2006-01"))
    fresh()
    snap = snapshot()
    daily = json.loads(file_bytes("daily.json", snap))
    assert set(daily[0]) == {"date", "persons", "statements", "cumulative_persons", "party",
                             "league", "pioneers"}  # fmt: skip
    seen = Seen()
    collect(client, seen)
    for release in seen.releases:
        for dimension in DIMENSIONS:
            shown = [v for (n, kind, d, _), v in seen.cells.items()
                     if n == release["release"] and kind == "month" and d == dimension]  # fmt: skip
            if dimension == "member":
                continue  # one key published: the other persons are the rest
            rest = release["persons"] - sum(shown)
            assert rest == 0 or rest >= K or not shown, (release["period"], dimension, rest)
    assert findings(seen, truth(seen.releases)) == []


def test_open_data_and_the_api_agree_and_past_releases_stay(
    registry: None, client: Client, tmp_path: Path
) -> None:
    """Open data against the API: the same figures, period by period; the files of breakdowns
    are byte for byte the same for the same releases (reproducible), and only grow."""
    stats_release(now=release_now("2005-05"))
    fresh()
    snap = snapshot()
    first = {name: file_bytes(name, snap) for name in ("breakdowns.csv", "releases.csv")}
    regions = json.loads(file_bytes("regions.json", snap))
    api = client.get("/api/v1/stats").json()
    assert [(r["code"] or None, r["persons"]) for r in regions] == [
        (r["code"], r["persons"]) for r in api["regions"]
    ]
    accept("2005-06-03", n=40, region="HK")
    tally_integrate()
    fresh()
    snap = snapshot()
    assert {name: file_bytes(name, snap) for name in first} == first  # no release: same bytes
    call_command("export", str(tmp_path), "--format", "csv", "--no-progress")
    assert (tmp_path / "breakdowns.csv").read_bytes() == first["breakdowns.csv"]
    stats_release(now=release_now("2006-01"))
    fresh()
    later = file_bytes("breakdowns.csv", snapshot())
    assert later.startswith(first["breakdowns.csv"])  # past releases kept, unchanged
    seen = Seen()
    collect(client, seen)  # asserts the API and the files never disagree on a figure
    assert len(seen.releases) == 10  # 2005-04 to 2006-01


def test_month_year_and_all_time_hierarchies_tell_nothing(registry: None, client: Client) -> None:
    """A year minus its published months, all time at two releases minus a month, all time
    minus a year: every difference over any run of releases is solved for."""
    stats_release(now=release_now("2006-01"))
    fresh()
    seen = Seen()
    collect(client, seen)
    kinds = {kind for (_, kind, _, _) in seen.cells}
    assert kinds == {"month", "year", "all"}  # figures at every level, to attack
    no_published_figure_is_small(seen)
    assert findings(seen, truth(seen.releases)) == []


def test_the_release_is_idempotent_and_counts_nothing_not_yet_begun(registry: None) -> None:
    made = stats_release(now=release_now("2005-05"))
    assert [r.month.isoformat() for r in made] == ["2005-04-01", "2005-05-01"]
    assert stats_release(now=release_now("2005-05")) == []
    # one second before June is due: not yet
    assert stats_release(now=at("2005-07-07", 23) + dt.timedelta(minutes=59, seconds=59)) == []
    assert [r.month.month for r in stats_release(now=at("2005-07-08", 0))] == [6]


# --- any sequence of events ----------------------------------------------------------------------

ACCEPT = st.tuples(
    st.just("accept"),
    st.integers(0, 2),  # how many months back: into a closed month once released
    st.integers(1, 12),
    st.sampled_from(PLACES),
    st.sampled_from(SECTORS),
    st.sampled_from(CHANNELS),
    st.booleans(),
    st.sampled_from(DECLARANTS),
)
EVENT = st.one_of(ACCEPT, st.tuples(st.just("revoke"), st.integers(0, 50)),
                  st.tuples(st.just("release")))  # fmt: skip
MONTHS = ["2005-04", "2005-05", "2005-06"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(EVENT, min_size=3, max_size=24))
def test_no_sequence_of_events_lets_anyone_pin_a_small_cell(events: list[Any]) -> None:
    """For any sequence of acceptances (into the current month or back-dated into a closed
    one), revocations and releases, with the API asked at every step, no figure ever seen pins
    a key's persons in a release, or over any run of releases, between 1 and k-1."""
    with transaction.atomic():
        fresh()
        client = Client()
        seen = Seen()
        current = 0  # index of the month being collected
        accepted: list[Statement] = []
        for event in events:
            if event[0] == "accept":
                _, back, n, region, sector, channel, member, declarant = event
                month = MONTHS[min(len(MONTHS) - 1, max(0, current - back))]  # back: back-dated
                day = f"{month}-{1 + (n * 7 + len(accepted)) % 28:02d}"
                accepted.append(accept(day, n=n, region=region, sector=sector, channel=channel,
                                       member=member, declarant=declarant))  # fmt: skip
                tally_integrate()
            elif event[0] == "revoke" and accepted:
                statement = accepted.pop(event[1] % len(accepted))
                statement_reject(statement=statement, by=None, reason="duplicate", via="test")
                tally_integrate()
            elif event[0] == "release" and current < len(MONTHS):
                stats_release(now=release_now(MONTHS[current]))
                current += 1
            fresh()
            collect(client, seen)  # everything, after every step: snapshots over time
        if seen.releases:
            no_published_figure_is_small(seen)
            assert new_findings(seen, truth(seen.releases)) == [], events
        transaction.set_rollback(True)


def test_the_adversary_finds_what_primary_suppression_alone_would_leak(
    registry: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness has teeth: with the old rule (withhold cells below k, nothing more), the
    same adversary pins the small cells from the totals, the hierarchy and the releases."""
    from santui.tally.disclosure import store, tables

    def primary_only(releases: Any, frozen: Any, *, k: int, **_: Any) -> list[Any]:
        out = []
        for r in range(len(frozen), len(releases)):
            keys = tables.keys_of(releases[: r + 1])
            out.append(tables.Published(
                month=frozenset(x for x in keys if abs(releases[r].values.get(x, 0)) >= k),
                year=frozenset(x for x in keys if abs(tables.year_value(releases, r, x)) >= k)
                if tables.closes_year(releases, r) else None,
                all=frozenset(x for x in keys if abs(tables.all_value(releases, r, x)) >= k),
            ))  # fmt: skip
        return out

    monkeypatch.setattr(store, "plan", primary_only)
    stats_release(now=release_now("2006-01"))
    fresh()
    seen = Seen()
    collect(client, seen)
    found = findings(seen, truth(seen.releases))
    # e.g. April's total minus its published regions is the 1 + 4 of Guizhou and the US
    assert any(f.startswith("region 520000 new in release 1") for f in found), found
    assert any(" over releases " in f for f in found), found  # differences of all-time figures
    # and who declared: April's persons minus its published "self" and "volunteer" figures
    # are the two persons a family member declared for
    assert any(f.startswith("declarant family new in release 1") for f in found), found
