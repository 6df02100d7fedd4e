"""The data migration that adds who declares (tally 0006, issue 16), on seeded rows: the persons
rollups and the releases made before it get the new dimension, every statement under ``self``,
every released figure of it withheld; a release made after it audits the dimension as usual."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from santui.statements.models import LedgerEntry
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState, Rollup
from santui.tally.verify import tally_verify
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tally", "0005_releases"), ("statements", "0006_statuschange_changes")]
AFTER = [("tally", "0006_declarant"), ("statements", "0007_declarant")]


@pytest.fixture(autouse=True)
def _latest_schema_after() -> Any:
    """Later migrations exist: leave the database at the latest, as the next test expects."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_existing_rollups_and_releases_get_the_declarant_dimension_withheld() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    Rollup = old.get_model("tally", "Rollup")
    Release = old.get_model("tally", "Release")
    ReleaseCell = old.get_model("tally", "ReleaseCell")
    ReleaseRevocation = old.get_model("tally", "ReleaseRevocation")
    day1, day2 = dt.date(2005, 4, 1), dt.date(2005, 5, 2)
    Rollup.objects.bulk_create([
        Rollup(stat="persons", key="", day=day1, value=30),
        Rollup(stat="persons", key="", day=day2, value=12),
        Rollup(stat="persons", key="", day=dt.date(2005, 5, 3), value=0),  # revoked, net 0
        Rollup(stat="region", key="210000", day=day1, value=30),
    ])  # fmt: skip
    now = dt.datetime(2005, 6, 8, tzinfo=dt.UTC)
    april, may = (
        Release.objects.create(
            number=n, month=m, released_at=now, log_size=10, persons=p, new_persons=p + r,
            late_persons=0, revoked_persons=r, suppress_below=10,
        )
        for n, m, p, r in ((1, day1.replace(day=1), 30, 0), (2, day2.replace(day=1), 10, 2))
    )  # fmt: skip
    for release, scope, key, value in (
        (april, "month", "member", 4), (april, "month", "other", 26),
        (april, "all", "member", 4), (april, "all", "other", 26),
        (may, "month", "other", 10), (may, "all", "member", 2), (may, "all", "other", 38),
    ):  # fmt: skip
        ReleaseCell.objects.create(
            release=release, scope=scope, dimension="member", key=key, value=value,
            published=key == "other",
        )  # fmt: skip
    ReleaseRevocation.objects.create(
        release=may, origin=april, dimension="member", key="member", persons=2
    )

    new = _migrate(AFTER).loader.project_state(AFTER).apps
    Rollup = new.get_model("tally", "Rollup")
    ReleaseCell = new.get_model("tally", "ReleaseCell")
    ReleaseRevocation = new.get_model("tally", "ReleaseRevocation")
    assert sorted(
        Rollup.objects.filter(stat="declarant").values_list("key", "day", "value")
    ) == [("self", day1, 30), ("self", day2, 12), ("self", dt.date(2005, 5, 3), 0)]
    cells = sorted(
        ReleaseCell.objects.filter(dimension="declarant").values_list(
            "release__number", "scope", "key", "value", "published"
        )
    )
    assert cells == [
        (1, "all", "self", 30, False), (1, "month", "self", 30, False),
        (2, "all", "self", 40, False), (2, "month", "self", 10, False),
    ]  # fmt: skip
    assert list(
        ReleaseRevocation.objects.filter(dimension="declarant").values_list(
            "release__number", "origin__number", "key", "persons"
        )
    ) == [(2, 1, "self", 2)]
    # the other dimensions are untouched
    assert ReleaseCell.objects.exclude(dimension="declarant").count() == 7


def test_the_migration_leaves_tally_verify_clean_on_counted_statements() -> None:
    """Counted statements from before the field existed: back to the schema without it and
    forward again (each statement, entry and rollup then ``self``), the rollups still equal the
    recount from the ledger and from the statements, and the log."""
    IntegrationState.objects.get_or_create(pk=1)
    AcceptedStatementFactory(headcount=3)
    AcceptedStatementFactory(headcount=5, channel="fax")
    tally_integrate()
    _migrate(BEFORE)
    _migrate(AFTER)
    assert set(LedgerEntry.objects.values_list("declarant", flat=True)) == {"self"}
    assert set(Rollup.objects.filter(stat="declarant").values_list("key", "value")) == {
        ("self", 8)
    }
    executor = MigrationExecutor(connection)  # and on to the schema this verify reads
    executor.loader.build_graph()
    _migrate(executor.loader.graph.leaf_nodes())
    report = tally_verify()
    assert report.ok, report.problems
