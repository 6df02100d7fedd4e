"""`santui import` through COPY on PostgreSQL (issue 15): santui.statements.bulk's
statements_copy_load writes, row for row, what statements_bulk_load (the row path, still used on
SQLite and by the demo) writes, and the import keeps its promises on both databases.

The comparisons load the same rows under two sources, one through each path, and compare every
row written (statements, audit rows, ledger entries) by external id, leaving out only row
numbers, the random commitment and the encrypted tokens (compared decrypted: their nonces
differ).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.intake import importer
from santui.intake import stager as importer_stager
from santui.statements.actions import SNAPSHOT_FIELDS
from santui.statements.bulk import (
    STAGE_TABLE,
    BulkResult,
    StatementRow,
    statements_bulk_load,
    statements_copy_load,
)
from santui.statements.models import (
    Channel,
    Declarant,
    LedgerEntry,
    NameKind,
    Statement,
    Status,
    StatusChange,
)
from santui.textparse.sectors import SECTORS

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is the PostgreSQL path"
)

ENCRYPTED = ("text", "name", "contact", "text_masked")
# Every column of a statement but its number, its source, its random commitment and its clocks.
COMPARED = tuple(
    f.attname
    for f in Statement._meta.concrete_fields
    if f.attname not in ("id", "source", "commitment", "created_at", "decided_at")
)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def row(eid: str, **fields: Any) -> StatementRow:
    values: dict[str, Any] = {
        "external_id": eid, "received_at": dt.datetime(2005, 1, 3, 23, 30, tzinfo=dt.UTC),
        "channel": Channel.WEB, "text": "", "party": True, "league": False, "pioneers": False,
        "headcount": 1, "name": "", "name_kind": NameKind.ANONYMOUS, "region": "", "sector": "",
        "current_party_member": None, "publish": False, "status": Status.ACCEPTED,
    }  # fmt: skip
    values.update(fields)
    return StatementRow(**values)


VARIED = [
    row("a1", text="我声明退出中共的党、团、队。马平", name="马平", name_kind=NameKind.REAL,
        region="370202", league=True, pioneers=True, publish=True, current_party_member=True),
    row("a2", text="退出共青团。大学生 山东省日照市", name="大学生", name_kind=NameKind.ALIAS,
        region="371100", status=Status.RECEIVED, sector="education"),
    row("a3", text="我叫李四，电话 138 1234 5678，邮箱 li@example.com。声明退队。",
        name="李四", name_kind=NameKind.REAL, pioneers=True, party=False, publish=True,
        status=Status.RECEIVED),
    row("a4", headcount=7, region="TW", declarant=Declarant.FAMILY, current_party_member=False,
        received_at=dt.datetime(2024, 2, 29, 16, 0, tzinfo=dt.UTC), channel=Channel.PHONE),
    row("a5", text="Tab\there, a \\N and a \\. line\nend; '); DROP TABLE x;-- 🙂",
        name="O'Brien \\ \"Q\"", name_kind=NameKind.ALIAS, publish=True, region="US"),
    row("a1", text="a repeated id in one batch: the first one wins"),
    row("a6", received_at=dt.datetime(1999, 7, 20, 12, tzinfo=SHANGHAI),
        declarant=Declarant.DECEASED),
]  # fmt: skip


def written(source: str) -> dict[str, Any]:
    """Everything the load wrote under ``source``, keyed by external id, in writing order."""
    statements = list(Statement.objects.filter(source=source).order_by("id"))
    by_pk = {s.pk: s.external_id for s in statements}
    changes = list(
        StatusChange.objects.filter(statement_id__in=by_pk)
        .order_by("id")
        .values_list("statement_id", "from_status", "to_status", "reason", "note", "actor_id",
                     "via", "changes", "at")
    )  # fmt: skip
    entries = list(
        LedgerEntry.objects.filter(statement_id__in=by_pk)
        .order_by("id")
        .values_list("kind", "statement_id", "revokes_id", *SNAPSHOT_FIELDS, "reason",
                     "log_position__position", "log_position__integrated_at", "queued_at")
    )  # fmt: skip
    # one clock per batch: a statement's creation, its audit row and its ledger entry agree
    created = {s.pk: s.created_at for s in statements}
    assert all(c[-1] == created[c[0]] for c in changes)
    assert all(e[-1] == created[e[1]] for e in entries)
    # and a statement stored as decided was decided then (retention reads decided_at)
    assert all(
        s.decided_at == (s.created_at if s.status in ("accepted", "rejected") else None)
        for s in statements
    )
    return {
        "statements": [{name: getattr(s, name) for name in COMPARED} for s in statements],
        "changes": [(by_pk[c[0]], *c[1:-1]) for c in changes],
        "entries": [(e[0], by_pk[e[1]], *e[2:-1]) for e in entries],
    }


def raw_tokens(source: str) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT text, name, text_masked, commitment FROM statements_statement"
            " WHERE source = %s",
            [source],
        )
        return [bytes(v) for r in cursor.fetchall() for v in r if v is not None]


def load_both(rows: list[StatementRow], old: str, new: str) -> tuple[BulkResult, BulkResult]:
    return (
        statements_bulk_load(rows=rows, source=old, via="import"),
        statements_copy_load(rows=rows, source=new, via="import"),
    )


# --- the same rows as the row path -------------------------------------------------------------


@postgres_only
def test_copy_writes_exactly_what_the_row_path_writes() -> None:
    old, new = load_both(VARIED, "old", "new")
    assert old == new == BulkResult(inserted=6, accepted=4, already_present=1)
    assert written("old") == written("new")
    got = written("new")
    assert [s["external_id"] for s in got["statements"]] == ["a1", "a2", "a3", "a4", "a5", "a6"]
    first = got["statements"][0]
    assert (first["text"], first["name"]) == ("我声明退出中共的党、团、队。马平", "马平")
    assert "马平" not in first["text_masked"]  # the masked copy, decrypted, without the name
    assert got["statements"][4]["text"] == VARIED[4].text  # COPY's special characters verbatim
    commitments = Statement.objects.filter(source="new").values_list("commitment", flat=True)
    assert len({bytes(c) for c in commitments}) == 6
    assert all(len(bytes(c)) == 32 for c in commitments)
    # tokens at rest: encrypted (format 2), never the plain value
    for token in raw_tokens("new"):
        assert b"\xe9\xa9\xac\xe5\xb9\xb3" not in token  # 马平 in UTF-8
        assert b"Brien" not in token


@postgres_only
def test_rows_already_present_are_skipped_alike_and_nothing_is_left_staged() -> None:
    load_both(VARIED[:3], "old", "new")
    old, new = load_both(VARIED, "old", "new")
    assert old == new == BulkResult(inserted=3, accepted=3, already_present=4)
    assert written("old") == written("new")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relpersistence FROM pg_class c WHERE c.oid = to_regclass(%s)",
            [f"pg_temp.{STAGE_TABLE}"],
        )
        assert cursor.fetchone() == ("t",)  # a TEMP table: never WAL-logged, never shared
        cursor.execute(f"SELECT count(*) FROM {STAGE_TABLE}")  # a constant
        assert cursor.fetchone() == (0,)  # emptied in the transaction that filled it


@postgres_only
def test_the_staging_table_never_holds_a_plain_name_or_text() -> None:
    secret_name, secret_text = "王秘密", "只在加密中出现的文字ZXQ"
    rows = [
        row("s1", text=f"{secret_text}。{secret_name}", name=secret_name,
            name_kind=NameKind.REAL, status=Status.RECEIVED),
        row("s2", text=secret_text, name=secret_name, name_kind=NameKind.ALIAS),
    ]  # fmt: skip
    staged: list[tuple[Any, ...]] = []

    def peek(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().startswith("WITH keys AS") and not staged:
            staged.append(("peeked",))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {STAGE_TABLE}")  # a constant
                staged.extend(cursor.fetchall())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(peek):
        statements_copy_load(rows=rows, source="import", via="import")
    assert len(staged) == 3  # the marker and both rows, seen just before they moved
    for values in staged[1:]:
        for value in values:
            shown = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
            plain = shown if isinstance(shown, bytes) else shown.encode()
            assert secret_name.encode() not in plain
            assert b"ZXQ" not in plain


@postgres_only
def test_a_batch_the_database_refuses_leaves_nothing_stored_or_staged() -> None:
    bad = row("b2", party=False)  # no organization: refused by statement_some_organization
    with pytest.raises(IntegrityError):
        statements_copy_load(rows=[row("b1"), bad], source="import", via="import")
    assert not Statement.objects.exists()
    assert not StatusChange.objects.exists()
    assert not LedgerEntry.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{STAGE_TABLE}"])
        assert cursor.fetchone() == (None,)  # created in the failed transaction: gone with it


def test_copy_load_and_row_path_agree_on_either_database() -> None:
    """On SQLite statements_copy_load is the row path; on PostgreSQL it is COPY."""
    old, new = load_both(VARIED, "old", "new")
    assert old == new
    assert written("old") == written("new")


# --- a property: any batch of valid rows --------------------------------------------------------

_plain = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_ids = st.sampled_from(["1", "x", "a\tb", "\\N", "\\.", "é", "重复", "'; --", "n" * 200])
_moments = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2025, 12, 31),
    timezones=st.sampled_from([dt.UTC, SHANGHAI, dt.timezone(dt.timedelta(hours=-5))]),
)  # fmt: skip


@st.composite
def valid_rows(draw: st.DrawFn) -> StatementRow:
    name = draw(st.one_of(st.just(""), st.text(_plain, min_size=1, max_size=12)))
    orgs = draw(st.sets(st.sampled_from(["party", "league", "pioneers"]), min_size=1))
    return StatementRow(
        external_id=draw(_ids),
        received_at=draw(_moments),
        channel=draw(st.sampled_from(sorted(Channel.values))),
        text=draw(st.one_of(st.just(""), st.text(_plain, max_size=60))),
        party="party" in orgs,
        league="league" in orgs,
        pioneers="pioneers" in orgs,
        headcount=draw(st.integers(1, 100_000)),
        name=name,
        name_kind=draw(st.sampled_from([NameKind.REAL, NameKind.ALIAS]))
        if name
        else NameKind.ANONYMOUS,
        region=draw(st.sampled_from(["", "110000", "110101", "440305", "654300", "TW", "US"])),
        sector=draw(st.sampled_from(["", *SECTORS])),
        current_party_member=draw(st.sampled_from([None, True, False])),
        publish=draw(st.booleans()),
        status=draw(st.sampled_from([Status.RECEIVED, Status.ACCEPTED])),
        declarant=draw(st.sampled_from(sorted(Declarant.values))),
    )


_sources = itertools.count()


@postgres_only
@hsettings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(valid_rows(), max_size=6),
    second=st.lists(valid_rows(), max_size=6),
)
def test_any_valid_batches_load_the_same_through_copy_as_through_rows(
    first: list[StatementRow], second: list[StatementRow]
) -> None:
    """Two batches in turn (the second may repeat ids of the first): the same results and the
    same rows through COPY as through the row path."""
    n = next(_sources)
    old, new = f"old{n}", f"new{n}"
    for batch in (first, second):
        by_rows, by_copy = load_both(batch, old, new)
        assert by_rows == by_copy
    assert written(old) == written(new)


# --- through the command, on both databases -----------------------------------------------------


HOSTILE = [
    {"external_id": "h1", "received_at": "2005-01-03", "channel": "web",
     "organizations": ["party"], "text": "a\\.b\\N\tc\r\nd \\x00 '); DROP TABLE statements;--",
     "name": "Robert'); --", "name_kind": "alias"},
    {"external_id": "h2\t\\N", "received_at": "2005-01-03", "channel": "web",
     "organizations": "league,pioneers", "text": "𠀀𪚥 \u202e reversed \ufeff"},
]  # fmt: skip


def test_hostile_and_bad_rows_through_the_command_lose_nothing(tmp_path: Path) -> None:
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in HOSTILE]
    lines += [
        b'{"external_id": "bad1", "received_at": "2005-01-03", "channel": "web"}',  # no orgs
        b"\xff\xfe not utf-8",
        b'{"external_id": "nul", "received_at": "2005-01-03", "channel": "web",'
        b' "organizations": ["party"], "text": "a\\u0000b"}',
        b'{"external_id": "big", "text": "' + b"x" * 70_000 + b'"}',
        b"[1, 2]",
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    rejects = tmp_path / "rej.jsonl"
    out = io.StringIO()
    call_command("import", str(path), rejects=str(rejects), no_progress=True, stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    got = {s.external_id: s for s in Statement.objects.all()}
    assert set(got) == {"h1", "h2\t\\N"}
    assert got["h1"].text == HOSTILE[0]["text"]
    assert got["h1"].name == "Robert'); --"
    assert got["h2\t\\N"].text == HOSTILE[1]["text"]
    reasons = {
        json.loads(line)["line"]: json.loads(line)["reason"]
        for line in rejects.read_text("utf-8").splitlines()
    }
    assert set(reasons) == {3, 4, 5, 6, 7}  # every other line, each with its reason
    assert reasons[3].startswith("unknown organization")
    assert reasons[4].startswith("not valid UTF-8")
    assert reasons[5] == "bad text: contains control characters"
    assert reasons[6].startswith("row too large")
    assert reasons[7].startswith("bad JSON")
    # imported again: nothing new, nothing lost
    call_command("import", str(path), rejects=str(rejects), no_progress=True,
                 stdout=(again := io.StringIO()), stderr=io.StringIO())  # fmt: skip
    assert Statement.objects.count() == 2
    assert re.search(r"^already present\s+2$", again.getvalue(), re.MULTILINE)
    assert re.search(r"^rejected\s+5\b", again.getvalue(), re.MULTILINE)


@pytest.mark.parametrize("jobs", [1, 2])
def test_import_with_worker_processes_stores_what_one_process_stores(
    tmp_path: Path, jobs: int
) -> None:
    """`--jobs 2` (batches staged in two worker processes, PostgreSQL; ignored on SQLite)
    imports the same rows, in file order, as one process, and a rerun adds nothing."""
    lines = [
        json.dumps({"external_id": f"j{i:03}", "received_at": f"2005-01-{1 + i % 28:02}",
                    "channel": "web", "organizations": ["party", "league"][: 1 + i % 2],
                    "text": f"我声明退出共青团。张{i}", "name": f"张{i}",
                    "status": "accepted" if i % 3 else "received"}, ensure_ascii=False)
        for i in range(23)
    ]  # fmt: skip
    lines.insert(5, "not json")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    rejects = tmp_path / "rej.jsonl"

    def run(source: str) -> str:
        out = io.StringIO()
        call_command("import", str(path), rejects=str(rejects), no_progress=True, batch=4,
                     jobs=jobs, source=source, stdout=out, stderr=io.StringIO())  # fmt: skip
        return out.getvalue()

    first = run("many")
    assert re.search(r"^imported\s+23\b", first, re.MULTILINE)
    assert re.search(r"^rejected\s+1\b", first, re.MULTILINE)
    again = run("many")
    assert re.search(r"^already present\s+23$", again, re.MULTILINE)
    got = list(Statement.objects.filter(source="many").order_by("id"))
    assert [s.external_id for s in got] == [f"j{i:03}" for i in range(23)]  # file order
    assert [s.name for s in got] == [f"张{i}" for i in range(23)]  # decryptable here
    assert all(f"张{i}" not in s.text_masked for i, s in enumerate(got))
    assert StatusChange.objects.filter(statement__source="many", from_status="").count() == 23


def _numbered_rows(path: Path, n: int) -> None:
    rows = [
        {"external_id": f"t{i:03}", "received_at": "2005-01-03", "channel": "web",
         "organizations": ["party"], "text": f"退党。李{i}", "name": f"李{i}",
         "status": "accepted"}
        for i in range(n)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def _import(path: Path, source: str) -> str:
    out = io.StringIO()
    call_command("import", str(path), rejects=str(path.with_suffix(".rej")), no_progress=True,
                 batch=3, jobs=1, source=source, stdout=out, stderr=io.StringIO())  # fmt: skip
    return out.getvalue()


@postgres_only
def test_one_job_stages_the_next_batch_in_a_thread_while_the_last_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `--jobs 1` on PostgreSQL a batch is staged in a thread of the importing process
    (never its main thread), while the batch before it is stored: a batch is handed to the
    thread before the one before it is stored, and each is stored in file order."""
    events: list[tuple[str, int, bool]] = []
    real_stage, real_store = importer_stager.statements_stage, importer.statements_copy_staged

    def stage(**kwargs: Any) -> Any:
        first = int(kwargs["rows"][0].external_id[1:])
        events.append(("stage", first, threading.current_thread() is threading.main_thread()))
        return real_stage(**kwargs)

    def store(**kwargs: Any) -> Any:
        first = int(kwargs["staged"].values[0][1][1:])
        events.append(("store", first, threading.current_thread() is threading.main_thread()))
        return real_store(**kwargs)

    real_submit = importer_stager.BatchStager.submit

    def submit(self: importer_stager.BatchStager, rows: list[Any]) -> Any:
        events.append(("submit", int(rows[0].external_id[1:]), True))
        return real_submit(self, rows)

    monkeypatch.setattr(importer_stager, "statements_stage", stage)
    monkeypatch.setattr(importer_stager.BatchStager, "submit", submit)
    monkeypatch.setattr(importer, "statements_copy_staged", store)
    path = tmp_path / "in.jsonl"
    _numbered_rows(path, 10)
    _import(path, "thread")
    assert [(kind, first) for kind, first, _ in events if kind == "store"] == [
        ("store", 0), ("store", 3), ("store", 6), ("store", 9),
    ]  # fmt: skip
    staged = [main for kind, _, main in events if kind == "stage"]
    assert staged == [False] * 4  # each batch staged here, in a thread that is not the main one
    assert all(main for kind, _, main in events if kind == "store")  # stored in the main one
    order = [(kind, first) for kind, first, _ in events]
    # each batch is handed to the thread before the one before it is stored
    assert all(order.index(("submit", k + 3)) < order.index(("store", k)) for k in (0, 3, 6))
    got = list(Statement.objects.filter(source="thread").order_by("id"))
    assert [s.external_id for s in got] == [f"t{i:03}" for i in range(10)]
    assert [s.name for s in got] == [f"李{i}" for i in range(10)]


@postgres_only
def test_a_batch_that_fails_to_stage_stops_the_import_with_the_batches_before_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in the staging thread reaches the command; the batches before the failed one
    are stored whole, and a rerun imports the rest once."""
    real_stage = importer_stager.statements_stage

    def stage(**kwargs: Any) -> Any:
        if kwargs["rows"][0].external_id == "t006":
            raise MemoryError("staging failed")
        return real_stage(**kwargs)

    monkeypatch.setattr(importer_stager, "statements_stage", stage)
    path = tmp_path / "in.jsonl"
    _numbered_rows(path, 10)
    with pytest.raises(MemoryError, match="staging failed"):
        _import(path, "fail")
    stored = Statement.objects.filter(source="fail").order_by("id")
    assert [s.external_id for s in stored] == [f"t{i:03}" for i in range(6)]
    monkeypatch.setattr(importer_stager, "statements_stage", real_stage)
    again = _import(path, "fail")
    assert re.search(r"^imported\s+4\b", again, re.MULTILINE)
    assert re.search(r"^already present\s+6$", again, re.MULTILINE)
    assert Statement.objects.filter(source="fail").count() == 10
