"""Open data (santui.tally.opendata, `santui export`): the files hold the published figures and
statements only, agree with the stats document, suppress small cells, and every format of a
dataset holds the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.statements.actions import statement_reject
from santui.tally.actions import tally_integrate
from santui.tally.disclosure.store import stats_release
from santui.tally.models import Checkpoint
from santui.tally.opendata import schemas
from santui.tally.opendata.csvsafe import spreadsheet_text
from santui.tally.opendata.datasets import snapshot
from santui.tally.opendata.package import descriptor, file_bytes
from santui.tally.opendata.writers import encode
from santui.tally.selectors import stats_document
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "秘密的名字"
SECRET_TEXT = "这份声明不公开"
REJECTED_TEXT = "后来被驳回的声明"
QUEUED_TEXT = "尚未整合的声明"
HOSTILE_TEXT = '三退, 李明说 "退出"\n=SUM(A1)'


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+08:00")


# --- reading the files back, typed by their schema -----------------------------------------------


def _typed(field: schemas.Field, value: Any) -> Any:
    if value is None:
        return None
    if field.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _from_csv_cell(field: schemas.Field, cell: str) -> Any:
    if cell == "" and not (field.type == "string" and field.required):
        return None
    if field.type == "integer":
        return int(cell)
    if field.type == "boolean":
        assert cell in ("true", "false")
        return cell == "true"
    if field.type == "date":
        return dt.date.fromisoformat(cell)
    if field.type == "list":
        return spreadsheet_text(cell).split(schemas.LIST_DELIMITER)
    return spreadsheet_text(cell)  # a text cell may carry a ' against formula injection


def read_rows(name: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an open-data file as Python values, checked against its schema's columns."""
    file = schemas.FILES[name]
    fields = file.dataset.fields
    names = [f.name for f in fields]
    if file.fmt == "csv":
        assert not data.startswith(b"\xef\xbb\xbf")  # no byte order mark
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        header = next(reader)
        assert header == names
        return [
            {f.name: _from_csv_cell(f, cell) for f, cell in zip(fields, row, strict=True)}
            for row in reader
        ]
    if file.fmt in ("json", "jsonl"):
        objects = (
            orjson.loads(data)
            if file.fmt == "json"
            else [orjson.loads(line) for line in data.splitlines()]
        )
        assert all(list(o) == names for o in objects)
        return [{f.name: _typed(f, o[f.name]) for f in fields} for o in objects]
    table = pq.read_table(io.BytesIO(data))
    assert table.column_names == names
    return table.to_pylist()


def all_files() -> dict[str, bytes]:
    snap = snapshot()
    return {name: file_bytes(name, snap) for name in schemas.FILES}


# --- data ----------------------------------------------------------------------------------------


@pytest.fixture
def figures() -> dict[str, Any]:
    published = AcceptedStatementFactory(
        headcount=12, region="210100", received_at=at("2005-04-20"), sector="farmer",
        channel="phone", name_kind="real", name="李明", text=HOSTILE_TEXT, publish=True,
    )  # fmt: skip
    AcceptedStatementFactory(
        headcount=3, region="110105", received_at=at("2005-04-21"), sector="police",
        channel="fax", organizations=["league"], name_kind="real", name=SECRET_NAME,
        text=SECRET_TEXT, publish=False,
    )  # fmt: skip
    anonymous = AcceptedStatementFactory(
        headcount=20, region="US", received_at=at("2005-04-22"), channel="group",
        current_party_member=True, name_kind="anonymous", name="", publish=True,
        declarant="volunteer",
    )  # fmt: skip
    AcceptedStatementFactory(
        headcount=1, region="440300", received_at=at("2005-04-22"), channel="web",
        current_party_member=True, organizations=["party"], publish=True, text="退党",
    )  # fmt: skip
    AcceptedStatementFactory(
        headcount=2, region="", received_at=at("2005-04-23"), channel="web",
        current_party_member=True, publish=True, text="",
    )  # fmt: skip
    rejected = AcceptedStatementFactory(
        headcount=1, received_at=at("2005-04-23"), publish=True, text=REJECTED_TEXT
    )
    tally_integrate()
    statement_reject(statement=rejected, by=None, reason="duplicate", via="test")
    tally_integrate()
    stats_release(now=at("2005-05-08"))  # April 2005 is due on 8 May
    AcceptedStatementFactory(received_at=at("2005-04-24"), publish=True, text=QUEUED_TEXT)
    return {"published": published, "anonymous": anonymous}


# --- the figures ---------------------------------------------------------------------------------


def test_daily_file_equals_the_stats_document(figures: dict[str, Any]) -> None:
    doc = stats_document(public=True)
    rows = read_rows("daily.csv", all_files()["daily.csv"])
    assert [(r["date"].isoformat(), r["persons"], r["cumulative_persons"]) for r in rows] == [
        (d["date"], d["persons"], d["cumulative"]) for d in doc["daily"]
    ]
    assert sum(r["statements"] for r in rows) == doc["statements"] == 5
    for org in ("party", "league", "pioneers"):
        assert sum(r[org] for r in rows) == doc["organizations"][org]
    # current party members are a breakdown: by released month only (breakdowns.csv)
    assert "current_party_members" not in rows[0]


def test_breakdowns_equal_the_stats_document(figures: dict[str, Any]) -> None:
    doc = stats_document(public=True)
    files = all_files()
    for fmt in ("csv", "json"):
        orgs = read_rows(f"organizations.{fmt}", files[f"organizations.{fmt}"])
        assert {r["organization"]: r["persons"] for r in orgs} == doc["organizations"]
        regions = read_rows(f"regions.{fmt}", files[f"regions.{fmt}"])
        assert regions == [
            {
                "code": r["code"], "name_en": r["name"], "name_zh_hans": r["name_zh"],
                "name_zh_hant": r["name_zh_hant"], "persons": r["persons"],
                "through": None,
            }
            for r in doc["regions"]
        ]  # fmt: skip
        for part, column in (("sectors", "sector"), ("channels", "channel"),
                             ("name_kinds", "name_kind"), ("declarants", "declarant")):  # fmt: skip
            rows = read_rows(f"{part}.{fmt}", files[f"{part}.{fmt}"])
            assert rows == [
                {column: c["key"], "persons": c["persons"], "through": None} for c in doc[part]
            ]
        # who declared, each kind apart (a group of 20 sent by a volunteer, 18 by themselves)
        declarants = read_rows(f"declarants.{fmt}", files[f"declarants.{fmt}"])
        assert [(r["declarant"], r["persons"]) for r in declarants] == [
            ("self", 18), ("volunteer", 20),
        ]  # fmt: skip
        marks = read_rows(f"milestones.{fmt}", files[f"milestones.{fmt}"])
        assert [{"persons": m["persons"], "date": m["date"].isoformat()} for m in marks] == doc[
            "milestones"
        ]


def test_milestones_follow_the_setting(figures: dict[str, Any], settings: Any) -> None:
    settings.SANTUI_MILESTONE_STEP = 15
    rows = read_rows("milestones.json", all_files()["milestones.json"])
    assert [(r["persons"], r["date"].isoformat()) for r in rows] == [
        (15, "2005-04-21"), (30, "2005-04-22"),
    ]  # fmt: skip


def test_withheld_figures_are_left_out_of_every_file(figures: dict[str, Any]) -> None:
    files = all_files()
    for name, file in schemas.FILES.items():
        if "persons" not in file.dataset.field_names or name.startswith(("daily", "org", "mile")):
            continue
        for row in read_rows(name, files[name]):
            if {"dimension", "code", "sector", "channel", "declarant"} & set(row):
                assert row["persons"] >= 10, (name, row)
    regions = read_rows("regions.csv", files["regions.csv"])
    # Beijing (3), Guangdong (1) and not stated (2) are few; Liaoning (12) is withheld with them,
    # else April's total (public in the log) minus the US and Liaoning would tell their sum (6)
    assert [(r["code"], r["persons"]) for r in regions] == [("US", 20)]
    assert "110000" not in files["regions.csv"].decode()
    cells = read_rows("breakdowns.csv", files["breakdowns.csv"])
    assert {(c["period"], c["dimension"], c["key"]) for c in cells} >= {
        ("2005-04", "region", "US"), ("all", "region", "US"),
        ("2005-04", "current_party_members", "member"),
    }  # fmt: skip
    releases = read_rows("releases.csv", files["releases.csv"])
    assert [(r["release"], r["period"], r["persons"]) for r in releases] == [(1, "2005-04", 38)]


# --- the statements ------------------------------------------------------------------------------


def test_statements_are_the_published_ones_in_leaf_order(figures: dict[str, Any]) -> None:
    files = all_files()
    rows = read_rows("statements.jsonl", files["statements.jsonl"])
    assert [r["number"] for r in rows] == sorted(r["number"] for r in rows)
    assert len(rows) == 4  # not the unpublished, the rejected or the not yet integrated one
    first = rows[0]
    assert first == {
        "number": 0, "date": dt.date(2005, 4, 20), "headcount": 12,
        "organizations": ["party", "league", "pioneers"], "region": "210000",
        "sector": "farmer", "channel": "phone", "name_kind": "real", "name": "李明",
        "text": HOSTILE_TEXT,
    }  # fmt: skip
    anonymous = next(r for r in rows if r["name_kind"] == "anonymous")
    assert anonymous["name"] is None
    assert rows[-1]["text"] == ""  # an empty text stays an empty text, also in CSV


def test_unpublished_names_and_texts_never_appear(figures: dict[str, Any]) -> None:
    files = all_files()
    for name, data in files.items():
        text = str(read_rows(name, data)) if name.endswith(".parquet") else data.decode("utf-8")
        for secret in (SECRET_NAME, SECRET_TEXT, REJECTED_TEXT, QUEUED_TEXT):
            assert secret not in text, (name, secret)
    snap = snapshot()
    assert SECRET_NAME not in str(descriptor(snap))


@pytest.mark.parametrize("dataset", [schemas.DAILY, schemas.STATEMENTS], ids=lambda d: d.name)
def test_every_format_holds_the_same_rows(figures: dict[str, Any], dataset: Any) -> None:
    files = all_files()
    by_format = {fmt: read_rows(dataset.filename(fmt), files[dataset.filename(fmt)])
                 for fmt in dataset.formats}  # fmt: skip
    first, *others = by_format.values()
    assert first
    for rows in others:
        assert rows == first


def test_empty_registry_gives_empty_valid_files() -> None:
    files = all_files()
    assert files["daily.json"] == b"[]\n"
    assert files["statements.jsonl"] == b""
    assert files["daily.csv"].startswith(b"date,persons,statements,cumulative_persons")
    assert read_rows("statements.parquet", files["statements.parquet"]) == []
    assert descriptor(snapshot())["log"] == {"size": 0, "root_hash": None, "checkpoint": None}


# --- the descriptor ------------------------------------------------------------------------------


def test_descriptor_lists_every_file_with_its_schema_and_the_log(figures: dict[str, Any]) -> None:
    snap = snapshot()
    doc = descriptor(snap)
    assert doc["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert doc["licenses"][0]["name"] == "CC-BY-4.0"
    assert [r["path"] for r in doc["resources"]] == list(schemas.FILES)
    assert len({r["name"] for r in doc["resources"]}) == len(doc["resources"])
    checkpoint = Checkpoint.objects.get(size=snap.size)
    assert doc["log"]["size"] == 7  # 6 adds and a revoke; the queued one is not integrated
    assert doc["log"]["checkpoint"] == checkpoint.note
    assert doc["log"]["root_hash"] in checkpoint.note.splitlines()[2]
    assert doc["created"] == snap.integrated_at.isoformat()  # type: ignore[union-attr]
    for resource in doc["resources"]:
        file = schemas.FILES[resource["path"]]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(file.dataset.field_names)
        assert all(f["description"] and f["type"] for f in fields)
        assert "bytes" not in resource and "hash" not in resource
    units = {f["name"]: f.get("unit") for f in doc["resources"][0]["schema"]["fields"]}
    assert units["persons"] == "persons" and units["statements"] == "statements"


def test_descriptor_is_english_whatever_the_language(figures: dict[str, Any]) -> None:
    from django.utils import translation

    snap = snapshot()
    with translation.override("zh-hans"):
        zh = file_bytes(schemas.DESCRIPTOR, snap)
        parquet = file_bytes("daily.parquet", snap)
    assert zh == file_bytes(schemas.DESCRIPTOR, snap)
    assert parquet == file_bytes("daily.parquet", snap)


# --- santui export -------------------------------------------------------------------------------


def test_export_writes_every_file_with_its_hash(figures: dict[str, Any], tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("export", str(tmp_path / "new" / "dir"), "--no-progress", stdout=out)
    root = tmp_path / "new" / "dir"
    expected = all_files()
    assert sorted(p.name for p in root.iterdir()) == sorted([*expected, schemas.DESCRIPTOR])
    package = orjson.loads((root / schemas.DESCRIPTOR).read_bytes())
    for resource in package["resources"]:
        data = (root / resource["path"]).read_bytes()
        assert data == expected[resource["path"]]
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    summary = out.getvalue()
    assert "wrote 25 files" in summary and "at log size 7" in summary
    assert "statements.parquet" in summary


def test_export_of_some_formats(figures: dict[str, Any], tmp_path: Path) -> None:
    call_command("export", str(tmp_path), "--format", "parquet", "--no-progress",
                 stdout=io.StringIO())  # fmt: skip
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["daily.parquet", "datapackage.json", "statements.parquet"]
    package = orjson.loads((tmp_path / "datapackage.json").read_bytes())
    assert [r["path"] for r in package["resources"]] == ["daily.parquet", "statements.parquet"]
    with pytest.raises(CommandError, match="unknown format 'xlsx'"):
        call_command("export", str(tmp_path), "--format", "csv,xlsx", "--no-progress")


def test_export_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="exists and is not a directory"):
        call_command("export", str(target), "--no-progress", stdout=io.StringIO())
    assert target.read_text() == "keep me"


def test_export_replaces_files_atomically(figures: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "daily.csv").write_text("old")
    call_command("export", str(tmp_path), "--format", "csv", "--no-progress",
                 stdout=io.StringIO())  # fmt: skip
    assert (tmp_path / "daily.csv").read_bytes() == all_files()["daily.csv"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- invariants ----------------------------------------------------------------------------------

ORGS = st.lists(st.sampled_from(["party", "league", "pioneers"]), min_size=1, unique=True)
STATEMENT = st.tuples(st.integers(0, 40), st.integers(1, 30), ORGS, st.booleans())


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(statements=st.lists(STATEMENT, min_size=1, max_size=8))
def test_daily_cumulative_is_the_running_sum(statements: list[Any]) -> None:
    with transaction.atomic():
        for offset, headcount, orgs, member in statements:
            day = dt.datetime(2010, 1, 1, 4, tzinfo=dt.UTC) + dt.timedelta(days=offset)
            AcceptedStatementFactory(received_at=day, headcount=headcount, organizations=orgs,
                                     current_party_member=member)  # fmt: skip
        tally_integrate()
        snap = snapshot()
        rows = read_rows("daily.json", file_bytes("daily.json", snap))
        assert rows == read_rows("daily.csv", file_bytes("daily.csv", snap))
        running = 0
        for row in rows:
            running += row["persons"]
            assert row["cumulative_persons"] == running
            assert row["persons"] > 0 and row["statements"] > 0
        assert running == sum(s[1] for s in statements)
        assert [r["date"] for r in rows] == sorted({r["date"] for r in rows})
        transaction.set_rollback(True)


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
ROW = st.fixed_dictionaries(
    {
        "number": st.integers(0, 2**62),
        "date": st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
        "headcount": st.integers(1, 100_000),
        "organizations": ORGS,
        "region": st.none() | st.sampled_from(["210000", "US", "CN"]),
        "sector": st.none() | st.sampled_from(["farmer", "police"]),
        "channel": st.sampled_from(["web", "phone"]),
        "name_kind": st.sampled_from(["real", "alias", "anonymous"]),
        "name": st.none() | TEXT.filter(bool),
        "text": TEXT,
    }
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, max_size=12))
def test_every_format_round_trips_any_rows(rows: list[dict[str, Any]]) -> None:
    """CSV, JSON Lines and Parquet give back the same rows, whatever the text holds (quotes,
    commas, newlines, NUL, CJK, leading =)."""
    fields = schemas.STATEMENTS.fields
    encoded = {
        f"statements.{fmt}": b"".join(encode(fmt, fields, rows))
        for fmt in ("csv", "jsonl", "parquet")
    }
    for name, data in encoded.items():
        assert read_rows(name, data) == rows, name
    as_json = orjson.loads(b"".join(encode("json", fields, rows)))
    assert [r["number"] for r in as_json] == [r["number"] for r in rows]


def test_statements_are_read_in_a_few_queries(figures: dict[str, Any]) -> None:
    """Reading the statements costs one query, and one per chunk for their published copies,
    never one per row (the columns the reader asks for are all that public_record uses)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from santui.tally.opendata.datasets import statement_rows

    tally_integrate()
    size = snapshot().size
    with CaptureQueriesContext(connection) as queries:
        rows = list(statement_rows(size=size, chunk=2))
    assert len(rows) == 5
    assert len(queries.captured_queries) <= 1 + 3  # the entries; the copies of 3 chunks


def test_every_file_and_column_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "open-data.md").read_text()
    for name in [*schemas.FILES, schemas.DESCRIPTOR]:
        assert f"`{name}`" in text, name
    for dataset in schemas.DATASETS:
        for field in dataset.fields:
            assert f"`{field.name}`" in text, (dataset.name, field.name)
