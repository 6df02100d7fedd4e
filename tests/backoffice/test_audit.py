"""Reads of personal data by staff are audited (who, when, which statement, which field, never
an address), and staff security changes too; admins read both in the office (issue 12)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from santui.backoffice.models import PersonalDataRead, StaffSecurityEvent
from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR, ensure_roles
from santui.intake.models import MailAttachment, MailMessage, Quarantine
from santui.statements.actions import statement_edit, statement_receive
from santui.statements.crypto import encrypt_bytes
from santui.statements.models import Statement

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
TEXT = "我声明退出中共的党、团组织。本人王秀兰，电话13812345678。"


def _user(name: str, role: str | None = None, **extra: Any) -> User:
    groups = ensure_roles()
    user = User.objects.create_user(name, password="x" * 16, is_staff=True, **extra)
    if role:
        user.groups.set([groups[role]])
    return user


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


def _statement(*, held: bool = False) -> Statement:
    s = statement_receive(
        channel="phone", organizations=["party", "league"], name_kind="real", name="王秀兰",
        contact="wxl@example.com", text=TEXT, region="210100", source="office", via="test",
        received_at=timezone.now() - dt.timedelta(days=3),
    ).statement  # fmt: skip
    if held:  # a counted field edited by staff: held for a second person
        editor = _user(f"editor{s.pk}")
        s = statement_edit(statement=s, by=editor, changes={"headcount": 2}, via="t")
    return s


def _reads() -> list[tuple[str, int | None, int | None, str, str]]:
    rows = PersonalDataRead.objects.values_list(
        "user__username", "statement_id", "mail_id", "field", "via"
    )
    return sorted(rows, key=lambda r: (r[0], r[1] or 0, r[2] or 0, r[3]))


def _no_address_anywhere() -> None:
    for row in PersonalDataRead.objects.values():
        assert ADDRESS not in str(row)
    field_types = {f.get_internal_type() for f in PersonalDataRead._meta.get_fields()}
    assert "GenericIPAddressField" not in field_types


def test_a_moderator_opening_a_statement_is_audited_field_by_field() -> None:
    s = _statement()
    moderator = _user("mod", MODERATOR)
    before = timezone.now()
    page = _client(moderator).get(f"/office/statements/statement/{s.pk}/change/")
    assert page.status_code == 200 and "王秀兰" in page.content.decode()
    assert _reads() == [
        ("mod", s.pk, None, field, "statement page") for field in ("contact", "name", "text")
    ]
    assert all(before <= r.at <= timezone.now() for r in PersonalDataRead.objects.all())
    _no_address_anywhere()


def test_a_volunteer_sees_the_masked_text_and_nothing_is_audited() -> None:
    s = _statement()
    volunteer = _client(_user("vol", INTAKE_VOLUNTEER))
    page = volunteer.get(f"/office/statements/statement/{s.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "王秀兰" not in html and "13812345678" not in html
    assert "〔姓名〕" in html and "〔电话〕" in html
    assert _reads() == []


def test_the_workbench_audits_each_name_and_text_shown_and_masks_for_others() -> None:
    held = [_statement(held=True) for _ in range(2)]
    plain = _user("plain")
    plain.user_permissions.add(*_perms("statements.moderate_statement"))
    html = _client(plain).get("/office/queue/").content.decode()
    assert "王秀兰" not in html and "〔姓名〕" in html
    assert _reads() == []
    html = _client(_user("mod", MODERATOR)).get("/office/queue/").content.decode()
    assert "王秀兰" in html
    assert _reads() == [
        ("mod", s.pk, None, field, "workbench") for s in held for field in ("name", "text")
    ]


def test_mail_text_raw_and_attachments_are_audited() -> None:
    s = _statement()
    mail = MailMessage.objects.create(key="k1", received_at=timezone.now(), size=10)
    Quarantine.objects.create(
        mail=mail, reason="no_statement", raw=encrypt_bytes(b"From: x\n\nhello"), text="王秀兰 你好"
    )
    with_statement = MailMessage.objects.create(
        key="k2", received_at=timezone.now(), size=10, statement=s
    )
    file = MailAttachment.objects.create(
        mail=with_statement, filename="王秀兰.jpg", content_type="image/jpeg", size=3,
        data=encrypt_bytes(b"jpg"),
    )  # fmt: skip
    client = _client(_user("mod", MODERATOR))
    quarantine = Quarantine.objects.get(mail=mail)
    assert client.get(f"/office/intake/quarantine/{quarantine.pk}/change/").status_code == 200
    assert client.get(f"/office/intake/quarantine/{quarantine.pk}/raw/").status_code == 200
    assert client.get(f"/office/intake/quarantine/attachment/{file.pk}/").content == b"jpg"
    assert _reads() == [
        ("mod", None, mail.pk, "mail_raw", "quarantined email"),
        ("mod", None, mail.pk, "mail_text", "quarantined email"),
        ("mod", s.pk, with_statement.pk, "attachment", "quarantined email"),
    ]
    # staff who may not read mail get nothing, and nothing is recorded
    volunteer = _client(_user("vol", INTAKE_VOLUNTEER))
    assert volunteer.get(f"/office/intake/quarantine/attachment/{file.pk}/").status_code == 403
    assert PersonalDataRead.objects.filter(user__username="vol").count() == 0
    _no_address_anywhere()


def test_admins_read_the_audit_in_the_office_and_others_do_not() -> None:
    s = _statement()
    _client(_user("mod", MODERATOR)).get(f"/office/statements/statement/{s.pk}/change/")
    admin = _client(_user("boss", is_superuser=True))
    page = admin.get("/office/backoffice/personaldataread/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "mod" in html and "a statement&#x27;s page" in html
    assert "王秀兰" not in html  # the audit names what was read, never its value
    assert _client(_user("mod2", MODERATOR)).get(
        "/office/backoffice/personaldataread/"
    ).status_code in (302, 403)


def test_staff_security_changes_from_the_command_line_are_audited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", StringIO("a-long-and-unusual-passphrase-17\n"))
    call_command("staff", "alice", "--role", "moderator", "--password-stdin", stdout=StringIO())
    call_command("staff", "alice", "--reset-2fa", stdout=StringIO())
    call_command("staff", "alice", "--unlock", stdout=StringIO())
    rows = list(
        StaffSecurityEvent.objects.order_by("id").values_list(
            "account__username", "by", "kind", "via", "detail"
        )
    )
    assert [r[2] for r in rows] == ["password", "role", "2fa_reset", "unlock"]
    assert all(r[0] == "alice" and r[1] is None and r[3] == "santui staff" for r in rows)
    assert rows[1][4] == "moderator"
    assert "passphrase" not in str(rows)
    page = _client(_user("boss", is_superuser=True)).get("/office/backoffice/staffsecurityevent/")
    assert page.status_code == 200 and "alice" in page.content.decode()


def _perms(*dotted: str) -> list[Any]:
    from django.contrib.auth.models import Permission

    return [
        Permission.objects.get(content_type__app_label=d.split(".")[0], codename=d.split(".")[1])
        for d in dotted
    ]
