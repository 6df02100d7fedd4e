"""Issue 12: what the public host holds. It takes statements in without being able to read
them back; a copy of its database holds no name, contact or text that was not published with
consent; it shows public statements from the published copy the office writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from santui.config.keys import load_or_create
from santui.statements.actions import statement_accept, statement_receive, statement_reject
from santui.statements.crypto import OfficeKeyMissing, Sealed, decrypt_text
from santui.statements.models import PublicCopy, Statement
from santui.statements.public import (
    StatementQuery,
    public_entry,
    public_page,
    public_record,
    refresh_public_copies,
)
from santui.tally.actions import tally_integrate
from santui.textparse.parse import parse_statement
from tests.statements.test_office_key import public_host

pytestmark = pytest.mark.django_db

PUBLIC = override_settings(SANTUI_ROLE="public")


def receive(name: str, contact: str, text: str, *, publish: bool) -> Statement:
    return statement_receive(
        channel="web", organizations=("party",), name_kind="real", name=name, contact=contact,
        text=text, publish=publish, suggested=parse_statement(text).to_json(), source="web",
        issue_receipt=True, via="public form",
    ).statement  # fmt: skip


def every_value() -> list[tuple[str, Any]]:
    """Every value of every table, read raw (what a copy of the database holds)."""
    out = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                out += [(f"{table}.{c}", v) for c, v in zip(columns, row, strict=True)]
    return out


def holds(value: Any, secret: str) -> bool:
    if value is None:
        return False
    forms = [secret.encode("utf-8"), json.dumps(secret).strip('"').encode("ascii")]
    blob = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode("utf-8")
    return any(f in blob for f in forms)


def test_a_copy_of_the_database_holds_no_unpublished_name_contact_or_text(
    tmp_path: Path,
) -> None:
    with PUBLIC:  # the public form, on the public server
        counted = receive("马平安", "mp@example.org", "我声明退出中共。马平安", publish=False)
        waiting = receive("钱多多", "+86 139 0000 1111", "退出少先队，钱多多敬上", publish=False)
        public = receive("李秀兰", "lxl@example.org", "我李秀兰声明三退", publish=True)
    statement_accept(statement=counted, by=None, via="test")  # the office decides
    statement_accept(statement=public, by=None, via="test")
    tally_integrate()
    assert refresh_public_copies() == (1, 0, 0)
    values = every_value()
    assert len(values) > 100
    secret = ["马平安", "mp@example.org", "我声明退出中共。马平安", "钱多多", "+86 139 0000 1111",
              "退出少先队，钱多多敬上", "lxl@example.org"]  # fmt: skip
    leaks = [(where, s) for where, v in values for s in secret if holds(v, s)]
    assert leaks == []
    # What was published with consent is there (so the search above can find a name at all).
    assert {w for w, v in values if holds(v, "李秀兰")} >= {"statements_publiccopy.name"}
    # The stored values, tried with the public host's files: none opens.
    host = public_host(tmp_path)
    tokens = [
        bytes(v) for w, v in values
        if w in ("statements_statement.name", "statements_statement.contact",
                 "statements_statement.text") and v is not None
    ]  # fmt: skip
    assert len(tokens) == 9
    with override_settings(
        KEYS=load_or_create(host / "santui-keys.json"),
        SANTUI_OFFICE_KEY_FILE=host / "office.json",
        SANTUI_OFFICE_PUBLIC_KEY_FILE=host / "office-public.json",
    ):
        for token in tokens:
            with pytest.raises(OfficeKeyMissing):
                decrypt_text(token)
    assert waiting.pk  # still received: nothing of it is anywhere in clear either


def test_the_public_server_loads_rows_sealed_and_writes_them_back_unchanged() -> None:
    statement = receive("马平安", "mp@example.org", "我声明退出中共。马平安", publish=False)
    with PUBLIC:
        row = Statement.objects.get(pk=statement.pk)
        assert isinstance(row.name, Sealed) and isinstance(row.contact, Sealed)
        with pytest.raises(OfficeKeyMissing, match="public server"):
            str(row.name)
        row.headcount = 2
        row.save()  # every field written back: the sealed ones as they were
    again = Statement.objects.get(pk=statement.pk)
    assert (again.name, again.contact, again.headcount) == ("马平安", "mp@example.org", 2)


def test_the_public_server_shows_the_copy_the_office_writes_and_drops() -> None:
    statement = receive("李秀兰", "lxl@example.org", "我李秀兰声明三退", publish=True)
    statement_accept(statement=statement, by=None, via="test")
    tally_integrate()
    with PUBLIC:
        assert public_page(query=StatementQuery()).entries == []  # no copy yet: not shown
    assert refresh_public_copies() == (1, 0, 0)
    assert refresh_public_copies() == (0, 0, 0)
    with PUBLIC:
        (entry,) = public_page(query=StatementQuery()).entries
        record = public_record(entry)
        assert (record["name"], record["text"]) == ("李秀兰", "我李秀兰声明三退")
        number = record["number"]
        single = public_entry(number=number)
        assert single is not None and public_record(single)["name"] == "李秀兰"
        from santui.tally.opendata.datasets import statement_rows

        (row,) = list(statement_rows(size=number + 1))
        assert row["name"] == "李秀兰"
    statement_reject(statement=statement, by=None, reason="declarant_request", via="test")
    assert refresh_public_copies() == (0, 1, 0)
    assert not PublicCopy.objects.exists()
    with PUBLIC:
        assert public_entry(number=number) is None


def test_an_anonymous_public_statement_publishes_no_name() -> None:
    statement = statement_receive(
        channel="web", organizations=("league",), name_kind="anonymous", name="", text="退团",
        publish=True, source="web", via="test",
    ).statement  # fmt: skip
    statement_accept(statement=statement, by=None, via="test")
    tally_integrate()
    refresh_public_copies()
    copy = PublicCopy.objects.get()
    assert (copy.name, copy.text) == ("", "退团")
    assert settings.SANTUI_ROLE == ""


def test_cached_pages_change_when_the_office_writes_a_copy_at_the_same_log_size() -> None:
    """The public server shows a published statement once the office has copied it, a few
    seconds after integration: its cached pages' validators follow the copies, so a page kept
    (304) from before the copy is not served as current after it."""
    from django.test import Client

    statement = receive("李秀兰", "lxl@example.org", "我李秀兰声明三退", publish=True)
    statement_accept(statement=statement, by=None, via="test")
    tally_integrate()
    client = Client()
    with PUBLIC:
        before = client.get("/api/v1/statements")
        assert before.status_code == 200 and "李秀兰" not in before.content.decode()
        again = client.get("/api/v1/statements", HTTP_IF_NONE_MATCH=before["ETag"])
        assert again.status_code == 304
    refresh_public_copies()
    with PUBLIC:
        after = client.get("/api/v1/statements", HTTP_IF_NONE_MATCH=before["ETag"])
        assert after.status_code == 200 and "李秀兰" in after.content.decode()
        assert after["ETag"] != before["ETag"]
