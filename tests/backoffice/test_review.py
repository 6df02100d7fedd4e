"""The blind re-review page, /office/review/, as moderators use it (forms, no JavaScript)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR, ensure_roles
from santui.screening.models import ReviewAnswer, ReviewSample, Screening
from santui.screening.review import reporting_today, review_draw
from santui.screening.run import screen_all
from santui.statements.actions import statement_receive
from santui.statements.models import Statement

pytestmark = pytest.mark.django_db

NAMES = ["王伟", "李娜", "张敏"]
URL = "/office/review/"


def _statement(name: str, by: User | None = None) -> Statement:
    return statement_receive(
        channel="phone", organizations=["party", "league"], name_kind="real", name=name,
        text=f"我声明退出中共的党、团组织。本人 {name[0]} {name[1:]} 在沈阳工作多年。",
        region="210100", source="office", via="test", by=by,
        received_at=timezone.now() - dt.timedelta(days=30),
    ).statement  # fmt: skip


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _user(name: str, role: str | None = None, *perms: str) -> User:
    groups = ensure_roles()
    user = User.objects.create_user(name, password="x" * 16, is_staff=True)
    if role:
        user.groups.set([groups[role]])
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return user


@pytest.fixture
def drawn() -> list[Statement]:
    """Three statements the rules counted today, all drawn for review."""
    statements = [_statement(n) for n in NAMES]
    screen_all(delay=0)
    assert set(Screening.objects.values_list("decision", flat=True)) == {"accepted"}
    review_draw(day=reporting_today(), now=timezone.now() + dt.timedelta(days=1, minutes=11))
    assert ReviewSample.objects.count() == 3
    return statements


def _shown(html: str) -> int:
    sample = ReviewSample.objects.filter(answer__isnull=True).order_by("day", "position").first()
    assert sample is not None
    assert f'name="sample" value="{sample.pk}"' in html
    return sample.pk


def test_the_page_is_blind_to_the_screening(drawn: list[Statement]) -> None:
    # Whatever the screening record holds, none of it is on the page.
    Screening.objects.update(reasons=["flood_template"], cluster="tpl:deadbeef")
    response = _client(_user("mod", MODERATOR)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    sample = ReviewSample.objects.get(pk=_shown(html))
    assert sample.statement.text.split("。")[0] in html
    for secret in ("santui-screen", "flood_template", "deadbeef", "accepted", "counted)",
                   "no reason to hold"):  # fmt: skip
        assert secret not in html.lower(), secret
    content = html[html.index('id="content-start"') :]  # the nav lists the apps, "screening" too
    assert "screening" not in content.lower()
    assert "Reviewed: 0 of 3 drawn." in html
    assert "<script>" not in html and " on" + "click=" not in html
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_names_are_masked_without_the_personal_data_permission(drawn: list[Statement]) -> None:
    blind = _user("blind", None, "statements.moderate_statement")
    html = _client(blind).get(URL).content.decode()
    sample = ReviewSample.objects.select_related("statement").get(pk=_shown(html))
    name = sample.statement.name
    text = html[html.index('id="review-text"') :]
    assert name not in html and f"{name[0]} {name[1:]}" not in html
    assert "本人 〔姓名〕 在沈阳" in text
    seeing = _client(_user("seeing", MODERATOR)).get(URL).content.decode()
    assert name in seeing and f"{name[0]} {name[1:]}" in seeing


def test_an_answer_is_recorded_with_the_reviewer_then_the_next(drawn: list[Statement]) -> None:
    moderator = _user("mod", MODERATOR)
    client = _client(moderator)
    first = _shown(client.get(URL).content.decode())
    response = client.post(URL, {"sample": first, "answer": "count"})
    assert response.status_code == 302 and response["Location"] == URL
    answer = ReviewAnswer.objects.get()
    assert (answer.sample_id, answer.answer, answer.by, answer.duplicate_of) == (
        first, "count", moderator, None,
    )  # fmt: skip
    second = _shown(client.get(URL).content.decode())
    assert second != first
    shown = ReviewSample.objects.get(pk=second).statement_id
    earlier = next(s.pk for s in drawn if s.pk != shown)
    client.post(URL, {"sample": second, "answer": "duplicate", "duplicate_of": str(earlier)})
    assert ReviewAnswer.objects.get(sample_id=second).duplicate_of_id == earlier
    third = _shown(client.get(URL).content.decode())
    client.post(URL, {"sample": third, "answer": "dont_count"})
    html = client.get(URL).content.decode()
    assert 'id="review-empty"' in html and "Reviewed: 3 of 3 drawn." in html


def test_a_bad_answer_is_explained_and_stores_nothing(drawn: list[Statement]) -> None:
    client = _client(_user("mod", MODERATOR))
    sample = _shown(client.get(URL).content.decode())
    response = client.post(URL, {"sample": sample, "answer": "duplicate", "duplicate_of": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the number of the statement this one repeats." in html
    assert f'name="sample" value="{sample}"' in html  # the same statement again
    response = client.post(URL, {"sample": sample, "answer": "duplicate", "duplicate_of": "999999"})
    assert "There is no statement with that number." in response.content.decode()
    assert not ReviewAnswer.objects.exists()


def test_a_second_answer_to_one_statement_is_refused(drawn: list[Statement]) -> None:
    one, two = _client(_user("one", MODERATOR)), _client(_user("two", MODERATOR))
    sample = _shown(one.get(URL).content.decode())
    assert _shown(two.get(URL).content.decode()) == sample
    assert one.post(URL, {"sample": sample, "answer": "count"}).status_code == 302
    late = two.post(URL, {"sample": sample, "answer": "dont_count"})
    assert late.status_code == 302 and late["Location"] == URL  # on to the next one
    page = two.get(URL).content.decode()
    statement = ReviewSample.objects.get(pk=sample).statement_id
    assert (
        f"Statement {statement} had already been answered: the first answer stands and yours "
        "was not recorded. Here is the next one."
    ) in page
    assert _shown(page) != sample
    assert ReviewAnswer.objects.get().answer == "count"
    # the same form sent twice by one moderator
    again = one.post(URL, {"sample": sample, "answer": "count"}, follow=True).content.decode()
    assert "had already been answered" in again and _shown(again) != sample
    assert ReviewAnswer.objects.count() == 1


def test_a_moderator_never_reviews_what_they_recorded(db: Any) -> None:
    moderator = _user("mod", MODERATOR)
    own = _statement(NAMES[0], by=moderator)
    other = _statement(NAMES[1])
    screen_all(delay=0)
    review_draw(day=reporting_today(), now=timezone.now() + dt.timedelta(days=1, minutes=11))
    client = _client(moderator)
    sample = ReviewSample.objects.get(pk=_shown_any(client.get(URL).content.decode()))
    assert sample.statement_id == other.pk
    client.post(URL, {"sample": sample.pk, "answer": "count"})
    assert 'id="review-empty"' in client.get(URL).content.decode()
    assert not ReviewAnswer.objects.filter(sample__statement=own).exists()


def _shown_any(html: str) -> int:
    marker = 'name="sample" value="'
    if marker not in html:
        return 0
    start = html.index(marker) + len(marker)
    return int(html[start : html.index('"', start)])


def test_only_moderators_get_the_page(drawn: list[Statement]) -> None:
    assert Client().get(URL)["Location"].startswith("/office/login/")
    volunteer = _client(_user("vol", INTAKE_VOLUNTEER))
    assert volunteer.get(URL).status_code == 403
    sample = ReviewSample.objects.first()
    assert sample is not None
    assert volunteer.post(URL, {"sample": sample.pk, "answer": "count"}).status_code == 403
    assert not ReviewAnswer.objects.exists()


def test_times_are_shown_in_the_reporting_time_zone(db: Any) -> None:
    """As in the back office's lists (BackofficeSite runs every page in SANTUI_REPORTING_TZ):
    16:30 UTC is 00:30 the next day in Asia/Shanghai."""
    day = (timezone.now() - dt.timedelta(days=30)).date()
    at = dt.datetime.combine(day, dt.time(16, 30), tzinfo=dt.UTC)
    statement_receive(
        channel="phone", organizations=["party"], name_kind="anonymous", text="我声明退出中共。",
        region="210100", source="office", via="test", received_at=at,
    )  # fmt: skip
    screen_all(delay=0)
    review_draw(day=reporting_today(), now=timezone.now() + dt.timedelta(days=1, minutes=11))
    html = _client(_user("mod", MODERATOR)).get(URL).content.decode()
    local = (at + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    # the zone by its name, as the admin's column labels say it ("CST" would be ambiguous)
    assert f"<td>{local} (Asia/Shanghai)</td>" in html
