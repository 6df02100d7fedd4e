"""The API does what its OpenAPI document says: schemathesis generates requests for every
operation of /api/v1/openapi.json (valid ones and, for parameters, invalid ones) and checks each
response against the document: no server error, a documented status code, content type and
headers, a body matching the schema, and invalid input refused.

The requests go straight into the WSGI application, in the test's database transaction, against
a small registry with published statements, a revoked one and a signed checkpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from santui.statements.actions import statement_reject
from santui.statements.models import RejectReason
from santui.tally.actions import tally_integrate
from tests.factories import AcceptedStatementFactory

EXAMPLES = 25
# Bodies that are valid only when signed by a known key: no schema can say which strings are, so
# "a schema-valid body is accepted" cannot hold there. Every other check still runs on them.
# Parameters that are valid only together (start < end, index < size, from <= to): OpenAPI cannot
# state that, so a 400 there is right although each parameter alone matches its schema.
RELATED_PARAMETERS = {
    ("GET", "/api/v1/stats"),
    ("GET", "/api/v1/statements"),
    ("GET", "/api/v1/log/entries"),
    ("GET", "/api/v1/log/proof/inclusion"),
    ("GET", "/api/v1/log/proof/consistency"),
}
SIGNED_BODIES = {("POST", "/api/v1/log/cosignature")}


def _registry() -> None:
    base = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    for i in range(30):
        AcceptedStatementFactory(
            received_at=base + dt.timedelta(days=i % 9, minutes=i),
            region=["110105", "210100", "US", "440300"][i % 4],
            headcount=1 + i % 3,
            publish=i % 2 == 0,
        )
    tally_integrate()
    revoked = AcceptedStatementFactory(received_at=base, publish=True)
    tally_integrate()
    statement_reject(statement=revoked, by=None, reason=RejectReason.DUPLICATE, via="test")
    tally_integrate()


@pytest.fixture
def registry(db: Any) -> Iterator[None]:
    _registry()
    # As Django's test client does: requests must not close the test's connection (the
    # handler's signals would, on PostgreSQL, and the test transaction with it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded through the application itself (the document needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi_document(case: Any, registry: None) -> None:
    excluded = []
    if (case.method, case.path) in SIGNED_BODIES | RELATED_PARAMETERS:
        excluded.append(positive_data_acceptance)
    # identity: in-process WSGI calls get GZipMiddleware's body as is, undecoded
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=excluded)
