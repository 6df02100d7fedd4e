"""Staff edits through the back office: every change goes through statement_edit, the moderator
sees the diff and cannot accept their own counted edit, declarants' consent stays theirs, and
times are typed and shown in the reporting time zone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from santui.backoffice.roles import ADMINISTRATOR, INTAKE_VOLUNTEER, MODERATOR
from santui.statements.actions import statement_receive
from santui.statements.models import LedgerEntry, Statement, StatusChange
from santui.tally.actions import tally_integrate
from santui.tally.verify import tally_verify
from tests.backoffice.test_backoffice import record_form, staff
from tests.factories import ReceivedStatementFactory

pytestmark = pytest.mark.django_db
LIST = "/office/statements/statement/"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def change_url(s: Statement) -> str:
    return f"{LIST}{s.pk}/change/"


def form_of(s: Statement, **overrides: str) -> dict[str, str]:
    """The change form as the page shows it for ``s`` (times in Beijing), with overrides."""
    local = s.received_at.astimezone(BEIJING)
    data = record_form(
        channel=s.channel,
        received_at_0=local.strftime("%Y-%m-%d"),
        received_at_1=local.strftime("%H:%M:%S"),
        text=s.text,
        headcount=str(s.headcount),
        name=s.name,
        name_kind=s.name_kind,
        region=s.region,
        sector=s.sector,
    )
    data.update(overrides)
    return data


def accept(client: Client, s: Statement) -> str:
    page = client.post(LIST, {"action": "accept_selected", "_selected_action": [s.pk]}, follow=True)
    return page.content.decode()


def user_of(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


def shown_in_english(moment: dt.datetime, *, seconds: bool = False) -> str:
    """How the office shows a time: in Beijing time, "2024-05-01 21:30" (the column says
    which zone)."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def received(**overrides: object) -> Statement:
    values = {"received_at": dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC), "name": "李明"}
    return ReceivedStatementFactory(**(values | overrides))


# --- the edit is an action, audited with its diff ------------------------------------------


def test_a_volunteers_edit_goes_through_the_action_with_the_diff_in_the_trail() -> None:
    s = received(headcount=1, sector="")
    volunteer = staff(INTAKE_VOLUNTEER)
    response = volunteer.post(change_url(s), form_of(s, headcount="100000", sector="police"))
    assert response.status_code == 302, response.content.decode()[:2000]
    s.refresh_from_db()
    assert (s.headcount, s.sector, s.status) == (100000, "police", "held")
    row = StatusChange.objects.get(statement=s, changes__isnull=False)
    assert row.changes == {"headcount": [1, 100000], "sector": ["", "police"]}
    assert row.actor == user_of(volunteer) and row.via == "back office"
    # a volunteer does not see names, so the form leaves them alone: not in the diff
    assert s.name == "李明"


def test_the_moderator_sees_the_diff_and_the_editor_cannot_accept() -> None:
    s = received(headcount=1)
    admin = staff(ADMINISTRATOR)  # may both edit and accept
    admin.post(change_url(s), form_of(s, headcount="100000", region="310000"))
    page = accept(admin, s)
    assert "A second moderator must accept them." in page
    assert Statement.objects.get(pk=s.pk).status == "held"
    moderator = staff(MODERATOR)
    listing = moderator.get(f"{LIST}?counted_edit=yes").content.decode()
    assert (
        "1 → 100000" in listing
        and "Shenyang, Liaoning → Shanghai" in listing  # places by name
        and "by administrator" in listing
    )
    assert "1 → 100000" in moderator.get(change_url(s)).content.decode()  # on its page too
    assert "Accepted: 1." in accept(moderator, s)
    assert LedgerEntry.objects.get(statement=s).headcount == 100000


def test_an_edit_changing_nothing_writes_no_audit_row() -> None:
    s = received()
    staff(INTAKE_VOLUNTEER).post(change_url(s), form_of(s))
    assert not StatusChange.objects.filter(statement=s, changes__isnull=False).exists()
    assert Statement.objects.get(pk=s.pk).status == "received"


@pytest.mark.django_db(transaction=True)
def test_the_edit_commits_through_the_admin_outside_any_test_transaction() -> None:
    """With real transactions: the admin's change view and statement_edit commit together."""
    s = received(headcount=1)
    response = staff(INTAKE_VOLUNTEER).post(change_url(s), form_of(s, headcount="2"))
    assert response.status_code == 302
    assert Statement.objects.get(pk=s.pk).headcount == 2


# --- consent -------------------------------------------------------------------------------


def test_publication_consent_of_a_web_statement_is_read_only_for_staff() -> None:
    s = statement_receive(
        channel="web", organizations=["party"], name_kind="alias", name="真心", text="退党",
        region="210100", source="web", via="web form",
        received_at=dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC),
    ).statement  # fmt: skip
    admin = staff(ADMINISTRATOR)
    page = admin.get(change_url(s)).content.decode()
    assert 'name="publish"' not in page
    admin.post(change_url(s), form_of(s, publish="on", sector="police"))
    s.refresh_from_db()
    assert (s.publish, s.sector) == (False, "police")  # the rest was saved


def test_consent_given_by_phone_can_be_recorded() -> None:
    s = received(publish=False)
    staff(ADMINISTRATOR).post(change_url(s), form_of(s, publish="on"))
    assert Statement.objects.get(pk=s.pk).publish is True


# --- the reporting time zone ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "day"),
    [
        (("2024-05-01", "21:30"), dt.datetime(2024, 5, 1, 13, 30, tzinfo=dt.UTC), "2024-05-01"),
        (("2024-05-02", "05:30"), dt.datetime(2024, 5, 1, 21, 30, tzinfo=dt.UTC), "2024-05-02"),
    ],
)
def test_a_typed_time_is_in_the_reporting_zone_and_counted_on_that_day(
    typed: tuple[str, str], stored: dt.datetime, day: str
) -> None:
    volunteer = staff(INTAKE_VOLUNTEER)
    form = volunteer.get(f"{LIST}add/").content.decode()
    assert "received at (Asia/Shanghai)" in form
    response = volunteer.post(
        f"{LIST}add/", record_form(received_at_0=typed[0], received_at_1=typed[1])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    s = Statement.objects.get()
    assert s.received_at == stored
    moderator = staff(MODERATOR)
    listing = moderator.get(LIST).content.decode()
    assert "Received at (Asia/Shanghai)" in listing
    assert shown_in_english(stored) in listing  # the time as typed, not in UTC
    accept(moderator, s)
    tally_integrate()
    assert str(LedgerEntry.objects.get(statement=s).day) == day
    assert tally_verify().ok


def test_the_audit_trail_shows_times_in_the_reporting_zone() -> None:
    s = received()
    volunteer = staff(INTAKE_VOLUNTEER)
    volunteer.post(change_url(s), form_of(s, received_at_0="2024-05-01", received_at_1="21:30"))
    moderator = staff(MODERATOR)
    trail = moderator.get("/office/statements/statuschange/").content.decode()
    assert "At (Asia/Shanghai)" in trail
    assert "2024-05-01 10:00 → 2024-05-01 21:30" in trail  # 02:00 UTC was 10:00 in Beijing
    row = StatusChange.objects.get(statement=s, changes__isnull=False)
    assert shown_in_english(row.at, seconds=True) in trail


def test_a_time_in_the_future_is_refused() -> None:
    tomorrow = timezone.now().astimezone(BEIJING) + dt.timedelta(days=1)
    volunteer = staff(INTAKE_VOLUNTEER)
    typed = {"received_at_0": tomorrow.strftime("%Y-%m-%d"), "received_at_1": "08:00"}
    page = volunteer.post(f"{LIST}add/", record_form(**typed)).content.decode()
    assert "This time is in the future (times are in Asia/Shanghai)." in page
    assert not Statement.objects.exists()
    s = received()
    page = volunteer.post(change_url(s), form_of(s, **typed)).content.decode()
    assert "in the future" in page
    assert Statement.objects.get(pk=s.pk).received_at == s.received_at


# --- malformed input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"received_at_0": "2024-13-45"}, "Enter a valid date."),
        ({"received_at_1": "25:99"}, "Enter a valid time."),
        ({"received_at_0": "", "received_at_1": ""}, "This field is required."),
        ({"text": "字" * 5001}, "at most 5000 characters"),
        ({"name": "名" * 201}, "at most 200 characters"),
        ({"headcount": "many"}, "Enter a whole number."),
        ({"region": "999999"}, "neither a six-digit GB/T 2260 code"),
        ({"party": "", "league": "", "pioneers": ""}, "Choose at least one organization."),
    ],
)
def test_malformed_edits_are_explained_and_change_nothing(
    overrides: dict[str, str], message: str
) -> None:
    s = received()
    before = Statement.objects.filter(pk=s.pk).values().get()
    data = {k: v for k, v in form_of(s, **overrides).items() if v != ""}
    page = staff(ADMINISTRATOR).post(change_url(s), data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert Statement.objects.filter(pk=s.pk).values().get() == before
    assert StatusChange.objects.filter(statement=s).count() == 1  # its creation only


# --- the audit trail per staff member ------------------------------------------------------


def test_the_audit_trail_can_be_read_per_staff_member() -> None:
    a, b = received(headcount=1), received(headcount=1)
    alice, bob = staff(INTAKE_VOLUNTEER, "alice"), staff(INTAKE_VOLUNTEER, "bob")
    alice.post(change_url(a), form_of(a, headcount="3"))
    bob.post(change_url(b), form_of(b, headcount="4"))
    moderator = staff(MODERATOR)
    trail = moderator.get("/office/statements/statuschange/").content.decode()
    assert "1 → 3" in trail and "1 → 4" in trail
    page = moderator.get(
        f"/office/statements/statuschange/?actor__id__exact={user_of(alice).pk}"
    ).content.decode()
    assert "1 → 3" in page and "1 → 4" not in page
    # per statement: its page's trail
    assert re.search(r"1 → 3", moderator.get(change_url(a)).content.decode())
