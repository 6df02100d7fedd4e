from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db.models import F, OuterRef, Q, Subquery
from hypothesis import settings as hypothesis_settings

from santui.publish import dataviews
from santui.publish.caching import forget_state

# No per-example deadline: the machines that run the suite are shared and loaded, and a slow
# example is not a failure (speed is measured in bench/, never asserted in tests).
hypothesis_settings.register_profile("santui", deadline=None)
hypothesis_settings.load_profile("santui")

_DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()
    forget_state()  # the per-process memo and stores of public responses
    # The stream slot of /data/ (one large file per process): the test client closes a
    # streamed response only once it is read to the end, a server always does.
    dataviews._STREAMS = threading.BoundedSemaphore(1)


@pytest.fixture(autouse=True)
def _integration_state_row(request: pytest.FixtureRequest) -> None:
    """The integrator's state row comes from a data migration; a transactional test's flush
    empties every table, that row too, and later tests on the same worker need it back."""
    marker = request.node.get_closest_marker("django_db")
    wanted = _DB_FIXTURES & set(request.fixturenames)
    if marker is None and not wanted:
        return
    if marker is None:  # asked for by fixture: make sure the database is set up first
        request.getfixturevalue("transactional_db" if wanted - {"db"} else "db")
    from santui.tally.models import IntegrationState

    IntegrationState.objects.get_or_create(pk=1)


@pytest.fixture(autouse=True)
def _decisions_dated(
    request: pytest.FixtureRequest, _integration_state_row: None
) -> Iterator[None]:
    """After every test that used the database: each kept decided statement's ``decided_at`` is
    the time of its latest audit row into its status (Statement.decided_at). Retention finds the
    statements past their period by it: a path that decides and writes no ``decided_at``, or a
    later one, shows here, whichever test drove it."""
    yield
    if request.node.get_closest_marker("stale_decided_at") is not None:
        return
    if request.node.get_closest_marker("django_db") is None and not (
        _DB_FIXTURES & set(request.fixturenames)
    ):
        return
    from santui.statements.models import Statement, Status, StatusChange

    latest = StatusChange.objects.filter(
        statement=OuterRef("pk"), to_status=OuterRef("status")
    ).order_by("-at", "-pk")
    wrong = list(
        Statement.objects.filter(
            status__in=[Status.ACCEPTED, Status.REJECTED], shredded_at__isnull=True
        )
        .annotate(latest=Subquery(latest.values("at")[:1]))
        .filter(latest__isnull=False)
        .filter(Q(decided_at__isnull=True) | ~Q(decided_at=F("latest")))
        .values_list("pk", "status", "decided_at", "latest")[:5]
    )
    assert not wrong, f"decided_at is not the time of the decision's audit row: {wrong}"
