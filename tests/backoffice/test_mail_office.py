"""The back office and email intake: the parser's reading beside what staff recorded, pasted
lists of names, and the quarantine (who reads what, and making a statement of a message)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from santui.backoffice.forms import unique_names
from santui.backoffice.roles import ADMINISTRATOR, INTAKE_VOLUNTEER, MODERATOR
from santui.intake.models import MailAttachment, Quarantine
from santui.statements.models import Statement, StatusChange
from tests.backoffice.test_backoffice import record_form, staff
from tests.intake.mailmaker import JPEG, STATEMENT, text_mail, with_attachments

pytestmark = pytest.mark.django_db
ADD = "/office/statements/statement/add/"
QUARANTINE = "/office/intake/quarantine/"


def change(pk: int) -> str:
    return f"/office/statements/statement/{pk}/change/"


def ingest(tmp_path: Path, name: str, raw: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    call_command("ingest-mail", str(path), json=True, stdout=io.StringIO())


def stored_bytes(table: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')
        return b"".join(
            bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
            for row in cursor.fetchall()
            for v in row
        )


# --- the parser's reading beside the recorded values ---------------------------------------------


def test_a_volunteer_statement_keeps_the_parsers_reading_and_the_corrections() -> None:
    client = staff(ADMINISTRATOR)
    text = "我声明退出中国共产党。辽宁沈阳，化名自由"
    form = record_form(text=text, region="230100", league="", pioneers="")
    form.pop("league"), form.pop("pioneers")
    response = client.post(ADD, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    s = Statement.objects.get()
    assert s.suggested is not None and s.suggested["region"]["prefecture"] == "210100"
    assert "name" not in s.suggested
    assert s.region == "230100"  # what the volunteer set is what counts
    page = client.get(change(s.pk)).content.decode()
    assert "the parser read" in page
    rows = dict(
        re.findall(r"<tr><th>([^<]+)</th><td>.*?</td><td>.*?</td><td>(\w*)</td></tr>", page)
    )
    assert rows["region"] == "corrected" and rows["organizations"] == ""  # same, in any order
    assert "210100" in page and "230100" in page


def test_a_statement_without_a_reading_says_so() -> None:
    client = staff(ADMINISTRATOR)
    client.post(ADD, record_form(text=""))
    page = client.get(change(Statement.objects.get().pk)).content.decode()
    assert "The parser did not read this statement." in page


# --- pasted names ----------------------------------------------------------------------------


def test_unique_names_trims_splits_and_folds_case_and_width() -> None:
    pasted = "张三\n 李四、张三，ＬＩ Ming; li  ming；王五\r\n\n, 李四 "
    assert unique_names(pasted) == ["张三", "李四", "ＬＩ Ming", "王五"]
    assert unique_names("赵六", "赵六\n钱七") == ["赵六", "钱七"]


def test_a_pasted_list_of_names_makes_a_group_statement_counted_once_each() -> None:
    client = staff(INTAKE_VOLUNTEER)
    names = "\n".join(f"姓名{n % 140}" for n in range(300))  # 140 different, some repeated
    response = client.post(ADD, record_form(channel="group", name="", names=names))
    assert response.status_code == 302, response.content.decode()[:3000]
    s = Statement.objects.get()
    assert s.headcount == 140
    assert s.name.split("、") == [f"姓名{n}" for n in range(140)]
    assert "姓名139".encode() not in stored_bytes("statements_statement")  # encrypted


def test_names_need_a_real_name_or_alias_kind() -> None:
    client = staff(INTAKE_VOLUNTEER)
    page = client.post(ADD, record_form(name="", names="张三\n李四", name_kind="anonymous"))
    assert "A list of names was given" in page.content.decode()
    assert not Statement.objects.exists()


def test_names_pasted_into_a_recorded_statement_set_its_persons() -> None:
    client = staff(ADMINISTRATOR)
    client.post(ADD, record_form(name="张三", headcount="1"))
    s = Statement.objects.get()
    response = client.post(change(s.pk), record_form(name="张三", names="李四\n张三\n王五"))
    assert response.status_code == 302, response.content.decode()[:3000]
    s.refresh_from_db()
    assert (s.headcount, s.name) == (3, "张三、李四、王五")


# --- the quarantine ----------------------------------------------------------------------------


@pytest.fixture
def quarantined(tmp_path: Path) -> Quarantine:
    raw = with_attachments(
        "你好，我想了解一下。李秀兰", [("声明.jpg", "image/jpeg", JPEG)], message_id="<q@x>"
    )
    ingest(tmp_path, "q.eml", raw)
    return Quarantine.objects.get()


def test_volunteers_see_the_reason_but_not_the_text_or_files(quarantined: Quarantine) -> None:
    client = staff(INTAKE_VOLUNTEER)
    listing = client.get(QUARANTINE).content.decode()
    assert "no organization found" in listing
    page = client.get(f"{QUARANTINE}{quarantined.pk}/change/").content.decode()
    assert "李秀兰" not in page and "Only staff who may see names read the text." in page
    assert "1 file(s)" in page
    attachment = MailAttachment.objects.get()
    assert client.get(f"{QUARANTINE}attachment/{attachment.pk}/").status_code == 403
    assert client.get(f"{QUARANTINE}{quarantined.pk}/raw/").status_code == 403


def test_moderators_read_the_text_and_download_the_files(quarantined: Quarantine) -> None:
    client = staff(MODERATOR)
    page = client.get(f"{QUARANTINE}{quarantined.pk}/change/").content.decode()
    assert "李秀兰" in page and "声明.jpg" in page
    assert "Make a statement" not in page  # moderators do not add statements
    attachment = MailAttachment.objects.get()
    download = client.get(f"{QUARANTINE}attachment/{attachment.pk}/")
    assert download.status_code == 200 and download.content == JPEG
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment;")
    raw = client.get(f"{QUARANTINE}{quarantined.pk}/raw/")
    assert raw.status_code == 200 and b"Message-ID: <q@x>" in raw.content


def test_a_statement_is_made_from_a_quarantined_message(
    quarantined: Quarantine, tmp_path: Path
) -> None:
    client = staff(ADMINISTRATOR)
    page = client.get(f"{QUARANTINE}{quarantined.pk}/change/").content.decode()
    assert f"{ADD}?quarantine={quarantined.pk}" in page
    form = client.get(f"{ADD}?quarantine={quarantined.pk}").content.decode()
    assert "李秀兰" in form and 'value="email"' in form
    text = "我声明退出共青团。李秀兰"
    data: dict[str, Any] = record_form(
        channel="email", text=text, name="李秀兰", party="", pioneers="",
        from_quarantine=str(quarantined.pk),
    )  # fmt: skip
    data.pop("party"), data.pop("pioneers")
    response = client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    s = Statement.objects.get()
    assert (s.source, s.external_id, s.channel) == ("email", quarantined.mail.key, "email")
    assert s.suggested is not None and s.suggested["organizations"] == ["league"]
    quarantined.refresh_from_db()
    assert quarantined.mail.statement == s and quarantined.resolved_by is not None
    assert StatusChange.objects.get(statement=s).via == "back office"
    # made once only
    again = client.post(ADD, data, follow=True)
    assert "already made" in again.content.decode()
    assert Statement.objects.count() == 1
    # and the message stays taken in for ingest-mail
    out = io.StringIO()
    call_command("ingest-mail", str(tmp_path / "q.eml"), json=True, stdout=out)
    assert '"status": "duplicate"' in out.getvalue()


def test_a_statements_email_photos_are_shown_to_those_who_may_see_them(tmp_path: Path) -> None:
    ingest(tmp_path, "a.eml", with_attachments(STATEMENT, [("paper.jpg", "image/jpeg", JPEG)]))
    s = Statement.objects.get()
    assert "paper.jpg" in staff(MODERATOR).get(change(s.pk)).content.decode()
    page = staff(INTAKE_VOLUNTEER).get(change(s.pk)).content.decode()
    assert "paper.jpg" not in page and "1 file(s)" in page


def test_the_quarantine_list_filters_by_reason(tmp_path: Path) -> None:
    ingest(tmp_path, "a.eml", text_mail("hello", message_id="<a@x>"))
    ingest(tmp_path, "b.eml", text_mail(STATEMENT, message_id="<b@x>") + b"y" * 200)
    client = staff(MODERATOR)
    assert client.get(f"{QUARANTINE}?reason=no_statement").status_code == 200
    assert client.get(f"{QUARANTINE}?resolved_at__isempty=1").status_code == 200


def test_a_statement_made_of_an_email_never_gets_publish_consent_from_staff(
    quarantined: Quarantine,
) -> None:
    """The declarant sent it: only they consent to publication (issue 11). The add form made of
    a quarantined message has no publish box, and a request that ticks one anyway is refused."""
    client = staff(ADMINISTRATOR)
    form = client.get(f"{ADD}?quarantine={quarantined.pk}").content.decode()
    assert 'name="publish"' not in form
    assert 'name="publish"' in client.get(ADD).content.decode()  # a phone statement has one
    data: dict[str, Any] = record_form(
        channel="email", text="我声明退出共青团。李秀兰", name="李秀兰", party="", pioneers="",
        from_quarantine=str(quarantined.pk), publish="on",
    )  # fmt: skip
    data.pop("party"), data.pop("pioneers")
    refused = client.post(ADD, data, follow=True)
    assert "only the declarant can consent to publication" in refused.content.decode()
    assert not Statement.objects.exists()
    quarantined.refresh_from_db()
    assert quarantined.resolved_at is None
    # the same without the box: made, and not published
    data.pop("publish")
    assert client.post(ADD, data).status_code == 302
    s = Statement.objects.get()
    assert (s.source, s.publish) == ("email", False)
    # and its page keeps the box read-only (statement_edit refuses it too)
    page = client.get(change(s.pk)).content.decode()
    assert 'name="publish"' not in page
