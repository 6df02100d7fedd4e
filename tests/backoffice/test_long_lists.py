"""The office's lists that grow with the history (statements, the audit trail, the ledger,
reads of personal data) at the history's size: a count that stops at the cap, no count of the
whole table, no date hierarchy, no pass over the audit trail for the filter's choices
(santui.backoffice.admin_lists.LongList; docs/benchmarks.md, "The office's lists at the
history's size"). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from santui.backoffice import admin_lists
from santui.backoffice.admin import StatementAdmin
from santui.backoffice.roles import MODERATOR
from santui.intake.models import MailMessage, Quarantine
from santui.statements.actions import statement_accept, statement_receive
from santui.statements.models import Statement, StatusChange
from tests.backoffice.test_backoffice import staff
from tests.backoffice.visible_text import visible_texts

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    """The page's text as a person reads it, its white space collapsed."""
    return " ".join(" ".join(visible_texts(html)).split())

LISTS = (
    "/office/intake/quarantine/",
    "/office/statements/statement/",
    "/office/statements/statuschange/",
    "/office/statements/ledgerentry/",
    "/office/backoffice/personaldataread/",
)


def _statements(n: int, *, days_ago: int = 0) -> list[Statement]:
    made = []
    for i in range(n):
        made.append(
            statement_receive(
                channel="web", organizations=["party"], name_kind="anonymous", name="",
                text=f"我声明退出中共。{i}", source="web", via="public form",
                received_at=timezone.now() - dt.timedelta(days=days_ago, minutes=i),
            ).statement
        )  # fmt: skip
    return made


def admin() -> Client:
    """A superuser (the only one who sees the reads of personal data)."""
    user = User.objects.create_user("boss", password="x" * 16, is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def cap(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(admin_lists.CappedPaginator, "cap", 3)
    return 3


def test_a_list_longer_than_the_cap_says_more_than_and_counts_no_further(cap: int) -> None:
    _statements(5)
    client = admin()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/office/statements/statement/")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "more than 3 statements: narrow the list with the filters" in text, text
    assert "5 statements" not in text
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()
              and "statements_statement" in q["sql"]]  # fmt: skip
    assert counts, [q["sql"] for q in queries]
    assert all(re.search(r"LIMIT\s+4\b", sql) for sql in counts), counts


def test_a_list_within_the_cap_counts_exactly(cap: int) -> None:
    _statements(2)
    text = visible_text(admin().get("/office/statements/statement/").content.decode())
    assert "2 statements" in text and "more than" not in text, text


def test_no_list_counts_its_whole_table() -> None:
    """Every count a long list makes stops at the cap (a LIMIT in it), whatever the filter."""
    statement_accept(statement=_statements(1)[0], by=None, via="test")
    client = admin()
    for url in (*LISTS, "/office/statements/statement/?status__exact=accepted"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()
                  and "auth_" not in q["sql"] and "django_" not in q["sql"]]  # fmt: skip
        assert counts, url
        assert all("LIMIT" in sql.upper() for sql in counts), (url, counts)


def test_beyond_the_cap_no_selection_across_all_pages(
    cap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "select all N" link offers the whole list to an action; beyond the cap its N is not
    known, and acting on a list that long is the workbench's job: the link is not offered."""
    monkeypatch.setattr(StatementAdmin, "list_per_page", 2)
    _statements(5)
    moderator = staff(MODERATOR)
    capped = moderator.get("/office/statements/statement/").content.decode()
    assert 'class="question' not in capped and "Select all 4" not in capped
    assert 'class="action-counter"' in capped  # the count of what is selected on the page
    monkeypatch.setattr(admin_lists.CappedPaginator, "cap", 10)
    page = moderator.get("/office/statements/statement/").content.decode()
    assert "Select all 5 statements" in visible_text(page) and 'class="question' in page


def test_statements_by_time_received_in_ranges_not_a_date_hierarchy() -> None:
    recent = _statements(1)[0]
    old = _statements(1, days_ago=30)[0]
    client = admin()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/office/statements/statement/").content.decode()
    assert "Past 7 days" in visible_text(page)
    assert 'class="xfull"' not in page  # Django's date hierarchy
    sql = " ".join(q["sql"] for q in queries).upper()
    assert "MIN(" not in sql and "MAX(" not in sql  # the hierarchy's range of the whole table
    link = re.search(r'href="(\?received_at__gte=[^"]+)"[^>]*>\s*Past 7 days', page)
    assert link, page
    week = client.get("/office/statements/statement/" + link.group(1).replace("&amp;", "&"))
    listed = set(map(int, re.findall(r'name="_selected_action" value="(\d+)"',
                                     week.content.decode())))  # fmt: skip
    assert listed == {recent.pk}, (listed, old.pk)


def test_the_audit_trail_lists_its_channels_without_reading_the_trail() -> None:
    _statements(2)
    client = admin()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/office/statements/statuschange/").content.decode()
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()
                and "statements_statuschange" in q["sql"]]  # fmt: skip
    text = visible_text(page)
    assert "web form" in text and "retention (personal data deleted)" in text
    filtered = client.get("/office/statements/statuschange/?via=public+form").content.decode()
    shown = set(map(int, re.findall(r"/office/statements/statuschange/(\d+)/change/", filtered)))
    assert shown == set(StatusChange.objects.values_list("pk", flat=True))
    none = client.get("/office/statements/statuschange/?via=retention").content.decode()
    assert not re.findall(r"/office/statements/statuschange/(\d+)/change/", none)


def test_the_audit_trail_lists_the_newest_written_first() -> None:
    """By number, not by time: a row written last with an earlier time (an import's history)
    still comes first, and no sort of the whole trail by time is needed."""
    _statements(3)
    newest = StatusChange.objects.order_by("-id").first()
    assert newest is not None
    StatusChange.objects.filter(pk=newest.pk).update(at=newest.at - dt.timedelta(days=10))
    page = admin().get("/office/statements/statuschange/").content.decode()
    shown = [int(n) for n in re.findall(r"/office/statements/statuschange/(\d+)/change/", page)]
    assert shown == sorted(StatusChange.objects.values_list("pk", flat=True), reverse=True)


def test_the_capped_count_is_said_in_the_viewers_language(cap: int) -> None:
    _statements(5)
    client = admin()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    text = visible_text(client.get("/office/statements/statement/").content.decode())
    assert "超过 3 条声明" in text, text
    trail = visible_text(client.get("/office/statements/statuschange/").content.decode())
    assert "保存期满（个人信息已删除）" in trail


def test_the_quarantined_email_is_a_long_list_too(cap: int) -> None:
    for i in range(5):
        mail = MailMessage.objects.create(
            key=f"k{i}", sender_hash="", received_at=timezone.now(), size=10
        )
        Quarantine.objects.create(mail=mail, reason="no_statement", raw=b"x")
    page = admin().get("/office/intake/quarantine/").content.decode()
    assert "more than 3 quarantined email: narrow the list with the filters" in visible_text(page)
    assert 'class="question' not in page and 'class="action-counter"' in page
