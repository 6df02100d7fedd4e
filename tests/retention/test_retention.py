"""Retention by crypto-shredding (docs/retention.md): past their period, names, contacts, texts,
masked copies, raw email, attachments and rejects files are deleted; counts, ledger and log stay
intact: ``santui tally verify`` and ``santui log verify`` pass after it, and a receipt still
answers (issue 12). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from santui.cli import main as santui_main
from santui.intake.models import MailAttachment, MailMessage, Quarantine
from santui.retention.models import ShredRun
from santui.retention.run import retention_round
from santui.statements.actions import statement_accept, statement_receive, statement_reject
from santui.statements.crypto import encrypt_bytes
from santui.statements.models import LedgerEntry, Statement, Status, StatusChange
from santui.tally import log
from santui.tally.actions import tally_integrate
from santui.tally.models import Rollup
from santui.tally.verify import tally_verify

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2008, 8, 8, 4, 0, tzinfo=dt.UTC)
NAME = "王秀兰"
TEXT = f"我声明退出中共的党、团组织。本人{NAME}，电话13812345678。"


def _received(**extra: Any) -> tuple[Statement, str | None]:
    values: dict[str, Any] = {
        "channel": "web", "organizations": ["party", "league"], "name_kind": "real",
        "name": NAME, "contact": "wxl@example.com", "text": TEXT, "region": "210100",
        "source": "web", "via": "test", "received_at": DAY, **extra,
    }  # fmt: skip
    received = statement_receive(**values)
    return received.statement, received.receipt_code


def _age(days: int) -> None:
    """Every decision so far happened ``days`` ago: its audit row and the statement's
    ``decided_at`` (written with it)."""
    then = timezone.now() - dt.timedelta(days=days)
    StatusChange.objects.update(at=then)
    Statement.objects.filter(decided_at__isnull=False).update(decided_at=then)


def _ciphertexts(pk: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, contact, text, text_masked FROM statements_statement WHERE id = %s", [pk]
        )
        return tuple(cursor.fetchone())


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """Counted, published, rejected (after being counted) and waiting statements, an email with
    a file and its quarantine record, integrated into the log; every decision a year ago."""
    counted, code = _received(issue_receipt=True)
    statement_accept(statement=counted, by=None, via="test")
    published, _ = _received(publish=True)
    statement_accept(statement=published, by=None, via="test")
    revoked, revoked_code = _received(issue_receipt=True)
    statement_accept(statement=revoked, by=None, via="test")
    tally_integrate()
    statement_reject(statement=revoked, by=None, reason="spam", via="test")
    waiting, _ = _received()
    mailed, _ = _received(channel="email", source="email")
    statement_accept(statement=mailed, by=None, via="test")
    tally_integrate()
    mail = MailMessage.objects.create(
        key="m1", sender_hash="ab" * 32, received_at=DAY, size=10, statement=mailed
    )
    Quarantine.objects.create(
        mail=mail, reason="no_statement", raw=encrypt_bytes(b"From: x\n\n" + TEXT.encode()),
        text=TEXT, resolved_at=timezone.now(),
    )  # fmt: skip
    MailAttachment.objects.create(
        mail=mail, filename=f"{NAME}.jpg", content_type="image/jpeg", size=3,
        data=encrypt_bytes(b"jpg"),
    )  # fmt: skip
    _age(400)
    return {
        "counted": counted, "code": code, "published": published, "revoked": revoked,
        "revoked_code": revoked_code, "waiting": waiting, "mailed": mailed, "mail": mail,
        "tmp": tmp_path,
    }  # fmt: skip


def _export_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    out = tmp_path / f"export-{time.monotonic_ns()}"
    call_command("log", "export", str(out), "--no-progress", stdout=StringIO())
    vkey = log.log_signer().verifier.vkey
    with pytest.raises(SystemExit) as exit_info:
        santui_main(["santui", "log", "verify", str(out), "--key", vkey, "--state",
                     str(tmp_path / "state.json"), "--quiet"])  # fmt: skip
    return int(exit_info.value.code or 0), capsys.readouterr().out


def test_shredding_deletes_personal_data_and_keeps_counts_ledger_and_log(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp = world["tmp"]
    code, out = _export_and_verify(tmp, capsys)
    assert code == 0, out
    rollups = sorted(Rollup.objects.values_list("stat", "key", "day", "value"))
    ledger = sorted(
        LedgerEntry.objects.values_list("id", "kind", "statement_id", "log_position__position")
    )

    result = retention_round()

    assert (result.statements, result.mail_messages, result.attachments) == (3, 1, 1)
    for key in ("counted", "revoked", "mailed"):
        assert _ciphertexts(world[key].pk) == (None, None, None, None), key
        s = Statement.objects.get(pk=world[key].pk)
        assert s.shredded_at is not None and s.name == s.text == s.contact == ""
        note = s.changes.order_by("id").last()
        assert note.via == "retention" and note.from_status == note.to_status == s.status
    # published with consent, or not decided yet: kept
    for key in ("published", "waiting"):
        assert all(v is not None for v in _ciphertexts(world[key].pk)), key
        assert Statement.objects.get(pk=world[key].pk).text == TEXT
    # the email: no raw form, no text, no files, no sender hash
    quarantine = Quarantine.objects.get(mail=world["mail"])
    assert bytes(quarantine.raw) == b"" and quarantine.text == ""
    assert not MailAttachment.objects.exists()
    assert MailMessage.objects.get(pk=world["mail"].pk).sender_hash == ""
    # counts, ledger and log: as they were, and verified
    assert sorted(Rollup.objects.values_list("stat", "key", "day", "value")) == rollups
    assert (
        sorted(
            LedgerEntry.objects.values_list("id", "kind", "statement_id", "log_position__position")
        )
        == ledger
    )
    report = tally_verify()
    assert report.ok, report.problems
    code, out = _export_and_verify(tmp, capsys)
    assert code == 0, out
    # the run is recorded with its counts, and nothing personal
    run = ShredRun.objects.get(pk=result.run)
    assert (run.statements, run.mail_messages, run.attachments) == (3, 1, 1)
    assert NAME not in str(list(ShredRun.objects.values()))
    # a second round finds nothing left
    again = retention_round()
    assert (again.statements, again.mail_messages, again.attachments) == (0, 0, 0)


def test_the_parsers_reading_goes_too_and_a_statement_published_meanwhile_is_kept(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser's reading holds the place as written: shredded with the rest. A statement a
    moderator published (or reinstated) after the round listed it is checked again, under a
    lock, and kept."""
    from santui.retention import run as retention_run

    Statement.objects.filter(pk=world["counted"].pk).update(suggested={"region": {"name": "沈阳"}})
    listed = retention_run.statements_due_first
    changed = world["counted"].pk

    def due_then_published(*args: Any, **kwargs: Any) -> Any:
        ids = listed(*args, **kwargs)
        Statement.objects.filter(pk=world["revoked"].pk).update(
            status=Status.ACCEPTED, reject_reason="", publish=True
        )
        return ids

    monkeypatch.setattr(retention_run, "statements_due_first", due_then_published)
    result = retention_round()
    assert result.statements == 2  # counted and mailed; not the one published meanwhile
    assert Statement.objects.get(pk=changed).suggested is None
    assert all(v is not None for v in _ciphertexts(world["revoked"].pk))


def test_the_receipt_still_answers_for_a_shredded_statement(world: dict[str, Any]) -> None:
    retention_round()
    client = Client()
    for key, status in (("code", "accepted and counted"), ("revoked_code", "rejected")):
        response = client.post("/receipt/", {"code": world[key]}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        html = response.content.decode()
        assert status in html and NAME not in html


def test_nothing_is_deleted_before_its_period_or_in_a_dry_run(world: dict[str, Any]) -> None:
    _age(10)  # decided ten days ago: every period still runs
    assert retention_round().statements == 0
    _age(100)  # past the rejected period (90 days) only, and the email's (30 days)
    dry = retention_round(dry_run=True)
    assert (dry.statements, dry.mail_messages, dry.attachments, dry.run) == (1, 1, 1, None)
    assert all(v is not None for v in _ciphertexts(world["revoked"].pk))
    assert MailAttachment.objects.count() == 1 and not ShredRun.objects.exists()
    done = retention_round()
    assert (done.statements, done.mail_messages) == (1, 1)
    assert _ciphertexts(world["revoked"].pk) == (None, None, None, None)
    assert Statement.objects.get(pk=world["counted"].pk).text == TEXT  # 365 days not over


def test_periods_come_from_settings(world: dict[str, Any]) -> None:
    _age(100)
    with override_settings(SANTUI_RETENTION_ACCEPTED_DAYS=50, SANTUI_RETENTION_REJECTED_DAYS=200):
        result = retention_round(dry_run=True)
    assert result.statements == 2  # counted and mailed (accepted), not the rejected one


def test_rejects_files_are_deleted_once_the_import_is_over(tmp_path: Path) -> None:
    old = tmp_path / "batch.jsonl.rejects.jsonl"
    old.write_text('{"line": 3, "raw": "王秀兰"}\n')
    stamp = time.time() - 3600
    os.utime(old, (stamp, stamp))
    running = tmp_path / "other.jsonl.rejects.jsonl"
    running.write_text("{}\n")  # written just now: an import may still be running
    data = tmp_path / "batch.jsonl"
    data.write_text("{}\n")
    os.utime(data, (stamp, stamp))
    with override_settings(SANTUI_RETENTION_REJECTS_DIRS=[str(tmp_path)]):
        result = retention_round()
    assert result.rejects_files == 1
    assert not old.exists() and running.exists() and data.exists()


def test_the_command_runs_dry_and_for_real_with_a_summary(world: dict[str, Any]) -> None:
    out = StringIO()
    call_command("retention", "run", "--dry-run", stdout=out, stderr=StringIO())
    assert "would delete the personal data of 3 statements, 1 email messages" in out.getvalue()
    assert Statement.objects.filter(shredded_at__isnull=False).count() == 0
    out = StringIO()
    call_command("retention", "run", "--no-progress", stdout=out, stderr=StringIO())
    assert "deleted the personal data of 3 statements" in out.getvalue()
    assert Statement.objects.filter(shredded_at__isnull=False).count() == 3


def test_the_office_says_what_was_deleted(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.auth.models import User

    from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR, ensure_roles
    from tests.backoffice.signin_support import force_login_with_a_second_factor

    force_login_with_a_second_factor(monkeypatch)
    retention_round()
    groups = ensure_roles()
    pages = {}
    for name, role in (("mod", MODERATOR), ("vol", INTAKE_VOLUNTEER)):
        user = User.objects.create_user(name, password="x" * 16, is_staff=True)
        user.groups.set([groups[role]])
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        pages[name] = client
    statement = pages["vol"].get(f"/office/statements/statement/{world['counted'].pk}/change/")
    assert statement.status_code == 200
    assert "Deleted under the retention policy." in statement.content.decode()
    quarantine = Quarantine.objects.get(mail=world["mail"])
    page = pages["mod"].get(f"/office/intake/quarantine/{quarantine.pk}/change/")
    assert page.status_code == 200
    assert "Deleted under the retention policy." in page.content.decode()
    raw = pages["mod"].get(f"/office/intake/quarantine/{quarantine.pk}/raw/")
    assert raw.status_code == 200 and raw.content == b""


def test_admins_see_the_runs_in_the_office(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.auth.models import User

    from tests.backoffice.signin_support import force_login_with_a_second_factor

    force_login_with_a_second_factor(monkeypatch)
    retention_round()
    admin = User.objects.create_user("boss", password="x" * 16, is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    page = client.get("/office/retention/shredrun/")
    assert page.status_code == 200
    assert NAME not in page.content.decode()
