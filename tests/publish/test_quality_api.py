"""GET /api/v1/quality and the methodology page's "How accurate are the totals?" section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import jsonschema_rs
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from santui.publish.apidocs.quality import PATHS
from santui.publish.caching import forget_state
from santui.publish.openapi import openapi_document
from santui.screening.models import ReviewSample
from santui.screening.quality import NOTE_TOO_FEW, quality_freeze, wilson_interval
from santui.screening.review import reporting_today, review_answer, review_draw
from santui.screening.run import screen_all
from santui.statements.actions import statement_receive
from santui.tally.models import Release

pytestmark = pytest.mark.django_db

SCHEMA = PATHS["/api/v1/quality"]["get"]["responses"]["200"]["content"]["application/json"][
    "schema"
]
NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget_state()
    cache.clear()
    yield
    forget_state()


def _reviewed(wrong: int) -> str:
    """Eight web statements counted by the rules today, all drawn; ``wrong`` of them answered
    "do not count", the others "count". Returns the month."""
    for name in NAMES:
        statement_receive(
            channel="web", organizations=["party"], name_kind="real", name=name,
            text=f"我声明退出中共，本人{name}在沈阳工作多年，早已看清它的本质。", region="210100",
            source="web", via="test", received_at=timezone.now() - dt.timedelta(days=30),
        )  # fmt: skip
    screen_all(delay=0)
    review_draw(day=reporting_today(), now=timezone.now() + dt.timedelta(days=1, minutes=11))
    by = User.objects.create_user("reviewer", is_staff=True)
    for i, sample in enumerate(ReviewSample.objects.order_by("position")):
        review_answer(sample=sample, answer="dont_count" if i < wrong else "count", by=by)
    cache.clear()
    return reporting_today().strftime("%Y-%m")


def test_the_document_is_as_described(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_QUALITY_MIN_REVIEWED = 8
    month = _reviewed(wrong=1)
    response = client.get("/api/v1/quality")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    jsonschema_rs.validator_for(SCHEMA).validate(body)
    (m,) = [m for m in body["months"] if m["month"] == month]
    (everyone,) = m["estimates"]  # the month is not released: all channels only
    assert everyone["channel"] is None and m["release"] is None
    assert (everyone["sampled"], everyone["reviewed"]) == (8, 8)
    assert everyone["wrong_share"] == 0.125
    low, high = wilson_interval(1 / 8, 8)
    assert (everyone["ci_low"], everyone["ci_high"]) == (round(low, 5), round(high, 5))
    assert (body["confidence"], body["interval"], body["min_reviewed"]) == (0.95, "wilson", 8)
    assert client.get("/api/v1/quality", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_no_estimate_below_the_minimum_sample(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_QUALITY_MIN_REVIEWED = 9
    month = _reviewed(wrong=1)
    body = client.get(f"/api/v1/quality?from={month}&to={month}").json()
    jsonschema_rs.validator_for(SCHEMA).validate(body)
    (m,) = body["months"]
    (everyone,) = m["estimates"]
    assert (everyone["wrong_share"], everyone["ci_low"], everyone["ci_high"]) == (None,) * 3
    assert (everyone["reviewed"], everyone["note"]) == (8, NOTE_TOO_FEW)
    assert (body["from"], body["to"], body["channel"]) == (month, month, None)


def test_a_released_month_per_channel(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_QUALITY_MIN_REVIEWED = 8
    settings.SANTUI_SUPPRESS_BELOW = 8
    month = _reviewed(wrong=1)
    assert client.get(f"/api/v1/quality?from={month}&channel=web").json()["months"][0][
        "estimates"
    ] == []  # fmt: skip
    Release.objects.create(
        number=1, month=dt.date.fromisoformat(month + "-01"), released_at=timezone.now(),
        log_size=0, persons=0, new_persons=0, late_persons=0, revoked_persons=0,
        suppress_below=8,
    )  # fmt: skip
    quality_freeze()
    cache.clear()
    body = client.get(f"/api/v1/quality?from={month}&to={month}&channel=web").json()
    jsonschema_rs.validator_for(SCHEMA).validate(body)
    (m,) = body["months"]
    (web,) = m["estimates"]
    assert (web["channel"], web["wrong_share"], web["reviewed"]) == ("web", 0.125, None)
    assert m["release"] == 1


@pytest.mark.parametrize(
    "query",
    ["from=2024-13", "from=2024-1", "to=24-01", "from=abc", "to=2024-01-01", "channel=nope",
     "channel=WEB", "from=0999-01"],
)  # fmt: skip
def test_malformed_parameters_are_refused(client: Client, query: str) -> None:
    response = client.get(f"/api/v1/quality?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_empty_parameters_mean_no_filter_and_a_reversed_range_is_empty(client: Client) -> None:
    assert client.get("/api/v1/quality?from=&to=&channel=").status_code == 200
    body = client.get("/api/v1/quality?from=2025-02&to=2025-01").json()
    assert body["months"] == []
    jsonschema_rs.validator_for(SCHEMA).validate(body)


def test_the_openapi_document_lists_it(client: Client) -> None:
    operation = openapi_document()["paths"]["/api/v1/quality"]["get"]
    assert operation["operationId"] == "getQuality"
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "channel"}
    assert "/api/v1/quality" in client.get("/api/v1/openapi.json").json()["paths"]


def test_only_get_and_head(client: Client) -> None:
    assert client.head("/api/v1/quality").status_code == 200
    assert client.post("/api/v1/quality").status_code == 405


def test_the_methodology_page_shows_the_estimate(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_QUALITY_MIN_REVIEWED = 8
    month = _reviewed(wrong=1)
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="#quality"' in html and 'id="quality"' in html
    row = html[html.index(f'id="quality-{month}"') :]
    row = row[: row.index("</tr>")]
    low, high = wilson_interval(1 / 8, 8)
    assert "12.50 %" in row and f"{100 * low:.2f}–{100 * high:.2f} %" in row
    assert "1 % of them, at least 200" in html
    assert 'href="/api/v1/quality"' in html


def test_the_methodology_page_without_reviews(client: Client) -> None:
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No statements have been drawn for review yet." in html
