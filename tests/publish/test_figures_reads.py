"""What the public figures read (issue 15: the stats document and the home page at scale).

The all-time breakdown shows, for a key whose latest figure is withheld, the last figure
published with its date ("through"); the home page builds no breakdown at all.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from santui.tally.actions import tally_integrate
from santui.tally.disclosure.read import ALL, breakdown
from santui.tally.models import Release, ReleaseCell, ReleaseScope
from santui.tally.selectors import stats_document
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db


def _release(number: int, month: dt.date, cells: dict[tuple[str, str], tuple[int, bool]]) -> None:
    release = Release.objects.create(
        number=number, month=month, released_at=dt.datetime(2006, 1, number, tzinfo=dt.UTC),
        log_size=number, persons=0, new_persons=0, late_persons=0, revoked_persons=0,
        suppress_below=10,
    )  # fmt: skip
    ReleaseCell.objects.bulk_create(
        ReleaseCell(release=release, scope=ReleaseScope.ALL, dimension=dimension, key=key,
                    value=value, published=published)
        for (dimension, key), (value, published) in cells.items()
    )  # fmt: skip


def test_a_withheld_key_shows_its_last_published_figure_and_month() -> None:
    # Release ids in the opposite order of their numbers: "last" means by number.
    _release(3, dt.date(2005, 3, 1), {
        ("region", "110000"): (40, True), ("region", "210000"): (50, False),
        ("sector", "police"): (12, False), ("channel", "fax"): (30, True),
    })  # fmt: skip
    _release(2, dt.date(2005, 2, 1), {
        ("region", "110000"): (30, True), ("region", "210000"): (25, True),
        ("sector", "police"): (11, False), ("channel", "fax"): (20, True),
    })  # fmt: skip
    _release(1, dt.date(2005, 1, 1), {
        ("region", "110000"): (20, True), ("region", "210000"): (15, True),
        ("sector", "police"): (10, True), ("sector", "farmer"): (10, True),
    })  # fmt: skip
    cells = breakdown(ALL)["cells"]
    assert cells["region"] == {
        "110000": {"persons": 40},  # published in the latest: no date
        "210000": {"persons": 25, "through": "2005-02-28"},  # withheld since release 3
    }
    assert cells["sector"] == {
        "police": {"persons": 10, "through": "2005-01-31"},  # withheld in 2 and 3
        "farmer": {"persons": 10, "through": "2005-01-31"},  # no row since: 0 or gone
    }
    assert cells["channel"] == {"fax": {"persons": 30}}


def test_no_withheld_key_needs_no_earlier_release() -> None:
    _release(1, dt.date(2005, 1, 1), {("region", "110000"): (20, True)})
    _release(2, dt.date(2005, 2, 1), {("region", "110000"): (30, True)})
    assert breakdown(ALL)["cells"]["region"] == {"110000": {"persons": 30}}


def test_the_home_page_reads_no_breakdown(client: Client) -> None:
    AcceptedStatementFactory(headcount=12, region="210100")
    tally_integrate()
    _release(1, dt.date(2005, 1, 1), {("region", "210000"): (12, True)})
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/")
    assert page.status_code == 200
    assert "12" in page.content.decode()
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "tally_rollup" in read
    assert "tally_releasecell" not in read


def test_the_document_totals_equal_the_staff_sums() -> None:
    """Totals come from the totals' own rollups; the exact breakdown adds up to them."""
    AcceptedStatementFactory(headcount=3, region="210100", organizations=["league"])
    AcceptedStatementFactory(headcount=4, region="110105", current_party_member=True)
    tally_integrate()
    doc = stats_document(public=False)
    assert doc["persons"] == 7 and doc["statements"] == 2
    assert doc["organizations"]["league"] == 7
    assert sum(r["persons"] for r in doc["regions"]) == doc["persons"]
    assert doc["current_party_members"] == 4
