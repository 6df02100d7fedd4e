"""An independent recount of the open data with DuckDB: `santui export` writes the files, DuckDB
SQL sums them (nothing of santui reads them back), and the sums must equal `/api/v1/stats`, for
all time and for a released period. Runs on the suite's database (SQLite, or PostgreSQL with
DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import call_command
from django.test import Client

from santui.statements.actions import statement_reject
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

REGIONS = ["110105", "210100", "440300", "310000", "US", "HK", ""]
SECTORS = ["", "police", "farmer", "student"]
CHANNELS = ["web", "phone", "group", "email"]
DECLARANTS = ["self", "self", "self", "family", "volunteer"]
ORGS = [("party",), ("league",), ("party", "league", "pioneers"), ("pioneers", "league")]
STEP = 150
# the breakdown lists of the stats document, by their dimension in breakdowns.csv
LISTS = {
    "region": ("regions", "code"),
    "sector": ("sectors", "key"),
    "channel": ("channels", "key"),
    "name_kind": ("name_kinds", "key"),
    "declarant": ("declarants", "key"),
}


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@pytest.fixture
def export(tmp_path: Path, settings: Any) -> Path:
    """About 250 statements over March to May 2005 (a few rejected after counting, a few
    back-dated after the first release), integrated, released through May, exported."""
    settings.SANTUI_MILESTONE_STEP = STEP
    rng = random.Random(15)  # test data
    counted = []
    for _ in range(240):
        day = dt.date(2005, 3, 1) + dt.timedelta(days=rng.randrange(92))
        counted.append(
            AcceptedStatementFactory(
                headcount=rng.choice([1, 1, 1, 2, 3, 7]),
                organizations=rng.choice(ORGS),
                region=rng.choice(REGIONS),
                sector=rng.choice(SECTORS),
                channel=rng.choice(CHANNELS),
                declarant=rng.choice(DECLARANTS),
                name_kind=rng.choice(["real", "alias", "anonymous"]),
                current_party_member=rng.choice([None, True, False]),
                publish=rng.random() < 0.5,
                received_at=at(day, rng.randrange(24)),
            )
        )
    tally_integrate()
    for statement in rng.sample(counted, 8):
        statement_reject(statement=statement, by=None, reason="duplicate", via="test")
    tally_integrate()
    stats_release(now=dt.datetime(2005, 4, 9, tzinfo=dt.UTC))  # March
    for _ in range(10):  # back-dated into March, counted late (in April's release)
        AcceptedStatementFactory(headcount=2, received_at=at(dt.date(2005, 3, 15)))
    tally_integrate()
    stats_release(now=dt.datetime(2005, 6, 9, tzinfo=dt.UTC))  # April and May
    out = tmp_path / "open-data"
    call_command("export", str(out), "--no-progress", stdout=io.StringIO())
    return out


def q(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return con.execute(sql, list(params)).fetchall()


@pytest.fixture
def con(export: Path) -> Any:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW daily AS SELECT * FROM read_parquet('{export / 'daily.parquet'}')")
    for name in ("organizations", "milestones", "breakdowns", "releases"):
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_csv('{export / (name + '.csv')}', "
            "header = true, all_varchar = true)"
        )
    yield con
    con.close()


def api(client: Client, query: str = "") -> dict[str, Any]:
    response = client.get("/api/v1/stats" + query)
    assert response.status_code == 200, response.content[:300]
    return response.json()  # type: ignore[no-any-return]


def test_all_time_totals_organizations_and_daily_series(con: Any, client: Client) -> None:
    doc = api(client)
    persons, statements, party, league, pioneers = q(
        con,
        "SELECT sum(persons), sum(statements), sum(party), sum(league), sum(pioneers) FROM daily",
    )[0]
    assert persons == doc["persons"] > 0
    assert statements == doc["statements"]
    assert doc["organizations"] == {"party": party, "league": league, "pioneers": pioneers}
    published = dict(q(con, "SELECT organization, CAST(persons AS BIGINT) FROM organizations"))
    assert published == doc["organizations"]
    series = q(
        con,
        "SELECT CAST(date AS VARCHAR), persons, "
        "CAST(sum(persons) OVER (ORDER BY date) AS BIGINT), cumulative_persons "
        "FROM daily ORDER BY date",
    )
    assert [(d, p, c) for d, p, c, _ in series] == [
        (day["date"], day["persons"], day["cumulative"]) for day in doc["daily"]
    ]
    assert all(running == stored for *_, running, stored in series)


def test_milestones_recomputed_from_the_daily_file(con: Any, client: Client) -> None:
    doc = api(client)
    recomputed = q(
        con,
        "WITH c AS (SELECT date, sum(persons) OVER (ORDER BY date) AS total FROM daily) "
        "SELECT CAST(m.persons AS BIGINT), CAST(min(c.date) AS VARCHAR) "
        "FROM range(CAST(? AS BIGINT), CAST((SELECT max(total) FROM c) + 1 AS BIGINT), "
        "CAST(? AS BIGINT)) AS m(persons) "
        "JOIN c ON c.total >= m.persons GROUP BY m.persons ORDER BY m.persons",
        STEP,
        STEP,
    )
    assert len(recomputed) >= 3
    published = q(
        con, "SELECT CAST(persons AS BIGINT), date FROM milestones ORDER BY CAST(persons AS INT)"
    )
    assert recomputed == published
    assert [(m["persons"], m["date"]) for m in doc["milestones"]] == recomputed


def _breakdowns(con: Any, where: str, *params: Any) -> dict[str, dict[str | None, int]]:
    out: dict[str, dict[str | None, int]] = {}
    for dimension, key, persons in q(
        con,
        f"SELECT dimension, key, CAST(persons AS BIGINT) FROM breakdowns WHERE {where}",
        *params,
    ):
        out.setdefault(dimension, {})[key] = persons
    return out


def _document_lists(doc: dict[str, Any]) -> dict[str, dict[str | None, int]]:
    out = {
        dimension: {row[field]: row["persons"] for row in doc[name]}
        for dimension, (name, field) in LISTS.items()
    }
    if doc["current_party_members"] is not None:
        out["current_party_members"] = {"member": doc["current_party_members"]}
    return {k: v for k, v in out.items() if v}


def test_a_released_month_breakdowns_and_totals(con: Any, client: Client) -> None:
    doc = api(client, "?period=2005-04")
    assert doc["breakdown"]["period"] == "2005-04"
    release = doc["breakdown"]["release"]
    month = _breakdowns(con, "period = '2005-04' AND kind = 'month' AND release = ?", str(release))
    assert month == _document_lists(doc)
    assert sum(month["channel"].values()) <= doc["breakdown"]["persons"]
    # the period's totals: the daily file's April days
    persons, statements = q(
        con,
        "SELECT sum(persons), sum(statements) FROM daily "
        "WHERE date BETWEEN DATE '2005-04-01' AND DATE '2005-04-30'",
    )[0]
    assert (persons, statements) == (doc["persons"], doc["statements"])
    assert q(con, "SELECT period, CAST(persons AS BIGINT) FROM releases WHERE release = ?",
             str(release)) == [("2005-04", doc["breakdown"]["persons"])]  # fmt: skip


def test_all_time_breakdowns_are_each_keys_latest_published_figure(
    con: Any, client: Client
) -> None:
    doc = api(client)
    latest = int(q(con, "SELECT max(CAST(release AS INT)) FROM releases")[0][0])
    assert doc["breakdown"]["release"] == latest
    rows = q(
        con,
        "SELECT dimension, key, CAST(arg_max(persons, CAST(release AS INT)) AS BIGINT), "
        'max(CAST(release AS INT)), arg_max("to", CAST(release AS INT)) '
        "FROM breakdowns WHERE kind = 'all' GROUP BY dimension, key",
    )
    figures: dict[str, dict[str | None, int]] = {}
    through: dict[tuple[str, str | None], str] = {}
    for dimension, key, persons, release, to in rows:
        figures.setdefault(dimension, {})[key] = persons
        if release != latest:
            through[(dimension, key)] = to
    assert figures == _document_lists(doc)
    for dimension, (name, field) in LISTS.items():
        for row in doc[name]:
            assert row.get("through") == through.get((dimension, row[field]))
    # and the all-time total the latest release counted: every net person of the daily file
    # up to the end of its month (nothing was integrated after it)
    total = q(con, "SELECT sum(persons) FROM daily WHERE date <= DATE '2005-05-31'")[0][0]
    assert doc["breakdown"]["persons"] == total


def test_any_range_of_days_is_exact(con: Any, client: Client) -> None:
    """Totals of any range are exact from the log; the daily file gives the same sums."""
    doc = api(client, "?from=2005-03-10&to=2005-05-03&period=all")
    persons, statements = q(
        con,
        "SELECT sum(persons), sum(statements) FROM daily "
        "WHERE date BETWEEN DATE '2005-03-10' AND DATE '2005-05-03'",
    )[0]
    assert (persons, statements) == (doc["persons"], doc["statements"])
