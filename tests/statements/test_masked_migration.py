"""The data migration statements 0008_text_encrypted_masked, on seeded rows: plain texts become
encrypted, each gets its masked copy, and nothing of them stays in clear (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from santui.statements.crypto import encrypt_text
from santui.statements.masking import masked_text
from tests.statements.migrations_support import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("statements", "0007_declarant")]
AFTER = [("statements", "0008_text_encrypted_masked")]


def test_texts_are_encrypted_and_masked(back_to_latest: None) -> None:
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    OldStatement = old.get_model("statements", "Statement")
    when = dt.datetime(2010, 3, 1, tzinfo=dt.UTC)
    texts = [
        "我声明退出中共的党、团组织。本人王秀兰，电话13812345678",
        "退队 李四 wxl@example.com",
        "",
    ]
    for i, text in enumerate(texts):
        OldStatement.objects.create(
            source="import", external_id=str(i), channel="web", received_at=when, text=text,
            party=True, name=encrypt_text("李四") if i == 1 else None, name_kind="real",
        )  # fmt: skip
    # the model as it stood after the migration (later migrations add columns)
    New = migrate(AFTER).loader.project_state(AFTER).apps.get_model("statements", "Statement")
    with connection.cursor() as cursor:
        cursor.execute("SELECT external_id, text, text_masked FROM statements_statement")
        raw = {eid: (t, m) for eid, t, m in cursor.fetchall()}
    assert raw["2"] == (None, None)
    for eid in ("0", "1"):
        text, masked = (bytes(v) for v in raw[eid])
        for clear in ("王秀兰", "李四", "13812345678", "wxl@example.com", "退"):
            assert clear.encode() not in text and clear.encode() not in masked
    statements = {s.external_id: s for s in New.objects.all()}
    assert [statements[str(i)].text for i in range(3)] == texts
    assert masked_text(statements["0"]) == "我声明退出中共的党、团组织。本人〔姓名〕，电话〔电话〕"
    assert masked_text(statements["1"]) == "退队 〔姓名〕 〔电邮〕"
    assert statements["0"].shredded_at is None


def test_the_migration_reverses_to_plain_texts_where_the_key_is(back_to_latest: None) -> None:
    New = migrate(AFTER).loader.project_state(AFTER).apps.get_model("statements", "Statement")
    New.objects.create(
        source="import", external_id="r", channel="web", text="退党 马平",
        received_at=dt.datetime(2010, 3, 1, tzinfo=dt.UTC), party=True, name_kind="real",
    )  # fmt: skip
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    assert old.get_model("statements", "Statement").objects.get(external_id="r").text == "退党 马平"
