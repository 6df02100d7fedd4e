"""The office home page: the screening's latest alerts, how far behind each loop is, and the
held statements, each for staff allowed to see it; plain HTML (works without JavaScript)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from santui.backoffice.roles import ADMINISTRATOR, INTAKE_VOLUNTEER, MODERATOR
from santui.screening.models import Alert
from santui.screening.run import screen_all
from santui.statements.actions import statement_receive
from santui.statements.models import Statement, Status
from santui.tally.loops import Round, loop_record
from santui.tally.models import LoopState
from tests.backoffice.test_backoffice import staff

pytestmark = pytest.mark.django_db

HOME = "/office/"
HELD_LIST = "/office/statements/statement/?status__exact=held"
# 2024-05-01 10:00 UTC is 18:00 in Asia/Shanghai, the reporting zone of the tests
WINDOW = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)


def _alerts(n: int) -> list[Alert]:
    """``n`` alerts as screening raises them (kind, subject, window), the last one newest."""
    made = []
    for i in range(n):
        alert = Alert.objects.create(
            kind="channel_flood", subject=f"subject-{i:02d}", window_start=WINDOW,
            count=100 + i, expected=2.5,
        )  # fmt: skip
        Alert.objects.filter(pk=alert.pk).update(
            raised_at=timezone.now() - dt.timedelta(minutes=n - i)
        )
        made.append(alert)
    return made


def _held(n: int) -> list[Statement]:
    """``n`` statements the screening holds (a headcount the text does not support)."""
    statements = [
        statement_receive(
            channel="web", organizations=["party"], name_kind="anonymous", name="",
            text="我声明退出中共。", headcount=300, region="210100", source="web", via="test",
            received_at=timezone.now() - dt.timedelta(days=1),
        ).statement
        for _ in range(n)
    ]  # fmt: skip
    screen_all(delay=0)
    assert Statement.objects.filter(status=Status.HELD).count() == n
    return statements


def _section(html: str, ident: str) -> str:
    match = re.search(rf'<div class="module" id="{ident}">(.*?)</div>', html, re.S)
    assert match, f"no #{ident}"
    return match.group(1)


def test_a_moderator_sees_the_latest_alerts_the_loops_and_the_held() -> None:
    _alerts(12)
    _held(3)
    loop_record(
        name="screen",
        result=Round(done=5, backlog=40, oldest_waiting_at=timezone.now() - dt.timedelta(hours=2)),
    )
    loop_record(name="integrate", result=Round(done=9, backlog=0, oldest_waiting_at=None))
    loop_record(name="integrate", result=None, error=TimeoutError())

    response = staff(MODERATOR).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()

    alerts = _section(html, "office-alerts")
    rows = re.findall(r'<tr class="office-alert">(.*?)</tr>', alerts, re.S)
    assert len(rows) == 10  # the ten most recent, newest first
    assert [re.findall(r"subject-\d+", r) for r in rows] == [
        [f"subject-{i:02d}"] for i in range(11, 1, -1)
    ]
    assert "channel_flood" in rows[0] and "111" in rows[0] and "2.5" in rows[0]
    assert "2024-05-01 18:00" in rows[0]  # the window in the reporting zone
    assert "Asia/Shanghai" in alerts
    assert 'href="/office/screening/alert/"' in alerts

    loops = _section(html, "office-loops")
    screen = re.search(r"<th scope=\"row\">screen</th>(.*?)</tr>", loops, re.S)
    integrate = re.search(r"<th scope=\"row\">integrate</th>(.*?)</tr>", loops, re.S)
    assert screen and integrate
    assert "<td>40</td>" in screen.group(1)
    assert "2\xa0hours" in screen.group(1)  # how far behind: the oldest item's wait
    assert "up to date" in integrate.group(1)
    assert "TimeoutError" in integrate.group(1) and "<td>1</td>" in integrate.group(1)
    at = LoopState.objects.get(name="integrate").heartbeat_at
    assert at is not None
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert at.astimezone(shanghai).strftime("%Y-%m-%d %H:%M:%S") in integrate.group(1)

    held = _section(html, "office-held")
    assert f'href="{HELD_LIST}"' in held.replace("&amp;", "&")
    assert "3 statements held for review" in held


def test_the_held_link_opens_the_held_list() -> None:
    held = _held(2)
    statement_receive(  # received, not held: not listed
        channel="phone", organizations=["party"], name_kind="alias", name="化名",
        text="我声明退出中共的党组织。", headcount=1, region="210100", source="office",
        via="test", received_at=timezone.now(),
    )  # fmt: skip
    response = staff(MODERATOR).get(HELD_LIST)
    assert response.status_code == 200
    html = response.content.decode()
    listed = {int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)}
    assert listed == {s.pk for s in held}


def test_nothing_yet_says_so() -> None:
    html = staff(ADMINISTRATOR).get(HOME).content.decode()
    assert "No alerts." in _section(html, "office-alerts")
    assert "No loop has reported yet." in _section(html, "office-loops")
    assert "0 statements held for review" in _section(html, "office-held")


def test_an_intake_volunteer_sees_neither_alerts_nor_loops() -> None:
    _alerts(1)
    loop_record(name="screen", result=Round(done=1, backlog=0, oldest_waiting_at=None))
    html = staff(INTAKE_VOLUNTEER).get(HOME).content.decode()
    assert 'id="office-alerts"' not in html and "subject-00" not in html
    assert 'id="office-loops"' not in html
    assert 'id="office-held"' in html  # a volunteer may read the statements list


def test_each_part_follows_its_own_permission() -> None:
    _alerts(1)
    user = User.objects.create_user("watcher", password="x" * 16, is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="tally", codename="view_loopstate")
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    html = client.get(HOME).content.decode()
    assert 'id="office-loops"' in html
    assert 'id="office-alerts"' not in html and 'id="office-held"' not in html


def test_anonymous_visitors_are_sent_to_the_login() -> None:
    _alerts(1)
    response = Client().get(HOME)
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")


def test_the_home_page_works_without_javascript() -> None:
    html = staff(MODERATOR).get(HOME).content.decode()
    body = html[html.index('<div id="content-main">') :]
    body = body[: body.index('<div id="content-related">')]
    assert "<script" not in body and "<form" not in body  # links and tables only


def test_the_home_page_links_a_moderator_to_the_queue_and_bulk_invalidation() -> None:
    from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR
    from tests.backoffice.test_backoffice import staff

    page = staff(MODERATOR, "mod_links").get("/office/").content.decode()
    assert 'href="/office/queue/"' in page and 'href="/office/invalidate/"' in page
    page = staff(INTAKE_VOLUNTEER, "vol_links").get("/office/").content.decode()
    assert 'href="/office/queue/"' not in page


def test_every_account_finds_its_backup_codes_and_password_from_the_home_page() -> None:
    for role in (INTAKE_VOLUNTEER, MODERATOR, ADMINISTRATOR):
        client = staff(role, f"account_{role}")
        section = _section(client.get(HOME).content.decode(), "office-account")
        links = re.findall(r'href="([^"]+)"', section)
        assert links == ["/office/signin/backup-codes/", "/office/password_change/"]
        assert all(client.get(link).status_code == 200 for link in links)
