"""The back office as staff use it: log in, record a statement, accept, reject with a reason."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from santui.backoffice.roles import ADMINISTRATOR, INTAKE_VOLUNTEER, MODERATOR, ensure_roles
from santui.statements.models import LedgerEntry, Statement, StatusChange
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db


def staff(role: str, name: str | None = None) -> Client:
    groups = ensure_roles()
    user = User.objects.create_user(name or role.replace(" ", "_"), password="x" * 16)
    user.is_staff = True
    user.save()
    user.groups.set([groups[role]])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def record_form(**overrides: str) -> dict[str, str]:
    data = {
        "channel": "phone",
        "received_at_0": "2024-05-01",
        "received_at_1": "10:00:00",
        "text": "电话三退：我退出党、团、队",
        "party": "on",
        "league": "on",
        "pioneers": "on",
        "headcount": "1",
        "name": "李明",
        "name_kind": "real",
        "contact": "",
        "region": "230100",
        "sector": "worker",
        "current_party_member": "unknown",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_intake_volunteer_records_a_phone_statement_through_the_action() -> None:
    client = staff(INTAKE_VOLUNTEER)
    response = client.post("/office/statements/statement/add/", record_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    s = Statement.objects.get()
    assert (s.channel, s.status, s.source, s.region, s.name) == (
        "phone", "received", "office", "230100", "李明",
    )  # fmt: skip
    change = StatusChange.objects.get()
    assert change.actor is not None and change.actor.username == "intake_volunteer"
    assert change.via == "back office"


@pytest.mark.parametrize("declarant", ["self", "family", "volunteer", "deceased"])
def test_staff_record_who_declares(declarant: str) -> None:
    client = staff(INTAKE_VOLUNTEER)
    page = client.get("/office/statements/statement/add/").content.decode()
    assert 'name="declarant"' in page
    response = client.post("/office/statements/statement/add/", record_form(declarant=declarant))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Statement.objects.get().declarant == declarant


def test_an_unknown_kind_of_declarant_is_refused_by_the_office_form() -> None:
    client = staff(INTAKE_VOLUNTEER)
    response = client.post("/office/statements/statement/add/", record_form(declarant="ghost"))
    assert response.status_code == 200
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region", "999999", "neither a six-digit GB/T 2260 code"),
        ("region", "190000", "unknown province"),
        ("region", "219900", "unknown prefecture"),
        ("region", "ZZ", "unknown ISO"),
        ("headcount", "0", "greater than or equal to 1"),
    ],
)
def test_bad_office_input_is_explained_and_stores_nothing(
    field: str, value: str, message: str
) -> None:
    client = staff(INTAKE_VOLUNTEER)
    response = client.post("/office/statements/statement/add/", record_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Statement.objects.exists()


def test_no_organization_is_refused() -> None:
    client = staff(INTAKE_VOLUNTEER)
    data = record_form()
    for org in ("party", "league", "pioneers"):
        data.pop(org)
    response = client.post("/office/statements/statement/add/", data)
    assert "Choose at least one organization." in response.content.decode()
    assert not Statement.objects.exists()


def test_moderator_accepts_and_rejects_with_a_reason_and_the_trail_records_it() -> None:
    a, b = ReceivedStatementFactory(), AcceptedStatementFactory()
    client = staff(MODERATOR)
    client.post(
        "/office/statements/statement/", {"action": "accept_selected", "_selected_action": [a.pk]}
    )
    assert Statement.objects.get(pk=a.pk).status == "accepted"
    page = client.post(
        "/office/statements/statement/", {"action": "reject_selected", "_selected_action": [b.pk]}
    )
    assert page.status_code == 200 and "reason" in page.content.decode()  # asks for the reason
    client.post(
        "/office/statements/statement/",
        {"action": "reject_selected", "_selected_action": [b.pk], "apply": "1",
         "reason": "declarant_request", "note": "called back"},
    )  # fmt: skip
    b.refresh_from_db()
    assert (b.status, b.reject_reason) == ("rejected", "declarant_request")
    last = StatusChange.objects.filter(statement=b).order_by("-id").first()
    assert last is not None
    assert (last.from_status, last.to_status, last.reason, last.note, last.actor.username) == (
        "accepted", "rejected", "declarant_request", "called back", "moderator",
    )  # fmt: skip
    assert LedgerEntry.objects.filter(statement=b, kind="revoke").count() == 1


def test_volunteer_cannot_moderate_and_sees_no_names() -> None:
    s = ReceivedStatementFactory(name="秘密名字")
    client = staff(INTAKE_VOLUNTEER)
    client.post(
        "/office/statements/statement/", {"action": "accept_selected", "_selected_action": [s.pk]}
    )
    assert Statement.objects.get(pk=s.pk).status == "received"
    page = client.get(f"/office/statements/statement/{s.pk}/change/").content.decode()
    assert "秘密名字" not in page
    assert (
        "秘密名字"
        in staff(MODERATOR).get(f"/office/statements/statement/{s.pk}/change/").content.decode()
    )


def test_counted_statements_are_frozen_and_nothing_can_be_deleted() -> None:
    s = AcceptedStatementFactory(headcount=2)
    client = staff(ADMINISTRATOR)
    client.post(f"/office/statements/statement/{s.pk}/change/", record_form(headcount="99"))
    assert Statement.objects.get(pk=s.pk).headcount == 2
    assert (
        client.post(f"/office/statements/statement/{s.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/office/statements/statuschange/").status_code == 200
    change = StatusChange.objects.first()
    assert change is not None
    assert (
        client.post(
            f"/office/statements/statuschange/{change.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_login() -> None:
    response = Client().get("/office/statements/statement/")
    assert response.status_code == 302 and "/office/login/" in response["Location"]


def test_staff_command_creates_an_account_with_a_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda: "a-long-enough-password")
    call_command("staff", "mod1", "--role", "moderator", "--password-stdin")
    user = User.objects.get(username="mod1")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("statements.moderate_statement")
    assert not user.has_perm("statements.add_statement")


def test_moderator_sees_screening_decides_held_and_reinstates_a_duplicate() -> None:
    from santui.screening.run import screen_all

    first = ReceivedStatementFactory(name="王五", text="我声明退出中共的党、团、队组织。王五")
    again = ReceivedStatementFactory(name="王五", text="我声明退出中共的党、团、队组织。王五")
    held = ReceivedStatementFactory(name="", name_kind="anonymous", text="", headcount=400)
    screen_all(delay=0)
    client = staff(MODERATOR)
    page = client.get("/office/statements/statement/?status__exact=held").content.decode()
    assert "persons not supported by the text" in page  # the reasons, in words, in the list
    page = client.get("/office/statements/statement/?reject_reason__exact=duplicate")
    assert f"duplicate of #{first.pk}" in page.content.decode()
    response = client.post(
        "/office/statements/statement/",
        {"action": "reinstate_selected", "_selected_action": [str(again.pk), str(held.pk)]},
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == "accepted" and again.duplicate_of_id is None
    assert LedgerEntry.objects.filter(statement=again, kind="add").count() == 1
    client.post(
        "/office/statements/statement/",
        {"action": "accept_selected", "_selected_action": [str(held.pk)]},
    )
    held.refresh_from_db()
    assert held.status == "accepted"
    assert StatusChange.objects.filter(statement=held, to_status="held", via="screening").exists()
    assert client.get("/office/screening/alert/").status_code == 200
    assert client.get("/office/tally/loopstate/").status_code == 200
