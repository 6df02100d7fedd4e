"""`santui import` through its stable interface: the management command (and `run_import`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import stat
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from santui.intake import importer
from santui.intake.importer import FIELDS, RowError, run_import, validate
from santui.statements.bulk import StatementRow
from santui.statements.models import LedgerEntry, QueuedEntry, Statement, Status, StatusChange
from santui.tally.models import IntegrationState

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SOURCE = "import"


# --- helpers -------------------------------------------------------------------------------


def good(eid: Any, **fields: Any) -> dict[str, Any]:
    """A valid row; ``fields`` override its fields, or remove them when given as ``...``."""
    row: dict[str, Any] = {
        "external_id": eid,
        "received_at": "2005-01-03",
        "channel": "web",
        "organizations": ["party"],
    }
    for key, value in fields.items():
        if value is ...:
            row.pop(key, None)
        else:
            row[key] = value
    return row


def jsonl(*rows: dict[str, Any] | str | bytes, eol: bytes = b"\n") -> bytes:
    out = []
    for r in rows:
        if isinstance(r, dict):
            out.append(json.dumps(r, ensure_ascii=False).encode())
        elif isinstance(r, str):
            out.append(r.encode())
        else:
            out.append(r)
    return eol.join(out) + eol


class Run:
    """One `santui import` run: its output, its rejects (parsed) and the rejects file."""

    def __init__(self, stdout: str, stderr: str, rejects_path: Path) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.rejects_path = rejects_path
        self.rejects: list[dict[str, Any]] = (
            [json.loads(line) for line in rejects_path.read_text("utf-8").splitlines()]
            if rejects_path.exists()
            else []
        )

    def count(self, label: str) -> int:
        match = re.search(rf"^{re.escape(label)}\s+([\d,]+)", self.stdout, re.MULTILINE)
        assert match, f"{label!r} not in summary:\n{self.stdout}"
        return int(match.group(1).replace(",", ""))


def run_file(path: Path, **options: Any) -> Run:
    rejects = path.with_name(path.name + ".rej")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import", str(path), rejects=str(rejects), no_progress=True, stdout=out, stderr=err,
        **options,
    )  # fmt: skip
    return Run(out.getvalue(), err.getvalue(), rejects)


def run_bytes(tmp_path: Path, content: bytes, name: str = "in.jsonl", **options: Any) -> Run:
    path = tmp_path / name
    path.write_bytes(content)
    return run_file(path, **options)


def stored(eid: str, source: str = SOURCE) -> Statement:
    return Statement.objects.get(source=source, external_id=eid)


def stats() -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--json", stdout=out)
    return json.loads(out.getvalue())


def doc_block(tag: str) -> str:
    blocks = re.findall(rf"^```{tag}\n(.*?)^```$", DOC.read_text("utf-8"), re.DOTALL | re.M)
    assert len(blocks) == 1, f"docs/import-format.md should have exactly one ```{tag} block"
    return blocks[0]


def snapshot() -> tuple[Any, ...]:
    return (
        list(Statement.objects.order_by("id").values_list(
            "id", "source", "external_id", "received_at", "text", "status", "headcount"
        )),
        StatusChange.objects.count(),
        list(LedgerEntry.objects.order_by("id").values_list("id", "log_position__position")),
        QueuedEntry.objects.count(),
        IntegrationState.objects.get(pk=1).size,
    )  # fmt: skip


pytestmark = pytest.mark.django_db


# --- the documented examples ---------------------------------------------------------------


def test_documented_jsonl_example_imports_every_row_with_its_fields(tmp_path: Path) -> None:
    run = run_bytes(tmp_path, doc_block("jsonl").encode())
    assert run.rejects == []
    assert not run.rejects_path.exists()  # nothing rejected: no rejects file left
    assert (run.count("rows read"), run.count("imported"), run.count("rejected")) == (4, 4, 0)

    first = stored("tj-2005-000001")
    assert first.received_at == dt.datetime(2005, 1, 3, 12, tzinfo=SHANGHAI)  # date: noon
    assert first.channel == "web"
    assert first.text == "我声明退出中共的党、团、队组织。"
    assert first.organizations == ["party", "league", "pioneers"]
    assert (first.name, first.name_kind, first.region) == ("李明", "alias", "210100")
    assert (first.publish, first.status, first.headcount) == (True, Status.ACCEPTED, 1)
    assert first.current_party_member is None
    assert first.source == SOURCE

    second = stored("tj-2005-000002")
    assert second.received_at == dt.datetime(2005, 1, 3, 13, 40, tzinfo=dt.UTC)
    assert second.organizations == ["league", "pioneers"]
    assert (second.region, second.sector, second.current_party_member) == ("HK", "student", False)
    assert (second.name, second.name_kind, second.publish) == ("", "anonymous", False)

    third = stored("tj-2005-000003")
    assert third.received_at == dt.datetime(2005, 2, 11, 2, 15, tzinfo=dt.UTC)
    assert (third.channel, third.headcount, third.region) == ("group", 5, "440300")
    assert third.current_party_member is True

    fourth = stored("tj-2006-000004")
    assert (fourth.region, fourth.sector, fourth.text) == ("TW", "retired", "")
    # a received row goes through screening (docs/screening.md): nothing implausible, counted
    assert (fourth.status, fourth.headcount) == (Status.ACCEPTED, 1)
    assert fourth.changes.order_by("id").first().to_status == Status.RECEIVED
    assert fourth.organizations == ["party"]
    # who declared: the row says family; the rows without the field are the person themselves
    assert fourth.declarant == "family"
    assert [stored(e).declarant for e in ("tj-2005-000001", "tj-2005-000002")] == ["self"] * 2

    doc = stats()  # accepted and screened rows, integrated before the command returned
    assert doc["log_size"] == 4
    assert doc["persons"] == 8
    assert doc["statements"] == 4
    assert doc["organizations"] == {"party": 7, "league": 7, "pioneers": 7}
    assert doc["current_party_members"] == 5
    assert [(d["date"], d["persons"]) for d in doc["daily"]] == [
        ("2005-01-03", 2), ("2005-02-11", 5), ("2006-06-01", 1),
    ]  # fmt: skip
    assert {r["code"]: r["persons"] for r in doc["regions"]} == {
        "440000": 5, "210000": 1, "HK": 1, "TW": 1,
    }  # fmt: skip
    # staff's exact figures: each kind of declarant apart
    assert doc["declarants"] == [
        {"key": "self", "persons": 7}, {"key": "family", "persons": 1},
    ]  # fmt: skip


def test_documented_csv_example_imports_every_row_with_its_fields(tmp_path: Path) -> None:
    run = run_bytes(tmp_path, doc_block("csv").encode(), name="in.csv")
    assert run.rejects == []
    assert (run.count("rows read"), run.count("imported"), run.count("rejected")) == (3, 3, 0)

    first = stored("csv-2007-0001")
    assert first.received_at == dt.datetime(2007, 3, 15, 12, tzinfo=SHANGHAI)
    assert (first.channel, first.organizations, first.region) == ("email", ["pioneers"], "MO")
    assert (first.name, first.name_kind, first.publish) == ("", "anonymous", False)
    assert (first.status, first.current_party_member, first.sector) == ("accepted", None, "")

    second = stored("csv-2007-0002")
    assert second.received_at == dt.datetime(2007, 3, 15, 0, 30, tzinfo=dt.UTC)
    assert second.text == "声明退出中共党、团组织，\n以前的宣誓作废。"  # quoted line break kept
    assert second.organizations == ["party", "league"]  # "party;league"
    assert (second.headcount, second.name, second.name_kind) == (2, "王芳", "real")
    assert (second.region, second.sector) == ("320100", "education")
    assert (second.current_party_member, second.publish) == (True, True)
    assert second.changes.order_by("id").first().to_status == "received"
    assert second.status == "accepted"  # screened: nothing implausible

    third = stored("csv-2007-0003")
    assert third.received_at == dt.datetime(2007, 4, 1, 16, tzinfo=dt.UTC)
    assert (third.channel, third.text) == ("currency", "天灭中共, 三退保平安")
    assert (third.headcount, third.region, third.name_kind) == (1, "CN", "anonymous")

    doc = stats()  # the received row was screened and counted too
    assert (doc["persons"], doc["statements"], doc["log_size"]) == (4, 3, 3)


def test_documented_rejects_line_is_what_the_import_writes(tmp_path: Path) -> None:
    documented = json.loads(doc_block("json"))
    before = [good(f"tj-2005-00000{i}") for i in range(1, documented["line"])]
    run = run_bytes(tmp_path, jsonl(*before, documented["raw"]))
    assert run.rejects == [documented]


def test_both_documented_examples_share_one_database_without_clashes(tmp_path: Path) -> None:
    run_bytes(tmp_path, doc_block("jsonl").encode())
    run_bytes(tmp_path, doc_block("csv").encode(), name="in.csv")
    assert Statement.objects.count() == 7
    call_command("tally", "verify", stdout=io.StringIO())


# --- happy paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_code", "stored_code"),
    [
        ("110000", "110000"),  # province (municipality)
        ("210100", "210100"),  # prefecture
        ("110101", "110101"),  # county level
        ("HK", "HK"),
        ("MO", "MO"),
        ("TW", "TW"),
        ("tw", "TW"),
        (" US ", "US"),
        ("CN", "CN"),
    ],
)
def test_region_codes_accepted(tmp_path: Path, given_code: str, stored_code: str) -> None:
    run = run_bytes(tmp_path, jsonl(good("r", region=given_code)))
    assert run.rejects == []
    assert stored("r").region == stored_code


@pytest.mark.parametrize(
    ("received_at", "expected", "day"),
    [
        ("2005-04-20", dt.datetime(2005, 4, 20, 4, tzinfo=dt.UTC), "2005-04-20"),
        ("2005-04-20T17:30:00Z", dt.datetime(2005, 4, 20, 17, 30, tzinfo=dt.UTC), "2005-04-21"),
        (
            "2005-04-20T23:30:00+08:00",
            dt.datetime(2005, 4, 20, 15, 30, tzinfo=dt.UTC),
            "2005-04-20",
        ),
        ("2005-04-20T08:00:00-05:00", dt.datetime(2005, 4, 20, 13, tzinfo=dt.UTC), "2005-04-20"),
        ("2005-04-20 12:00+00:00", dt.datetime(2005, 4, 20, 12, tzinfo=dt.UTC), "2005-04-20"),
    ],
)
def test_dates_and_date_times_are_counted_on_their_day_in_the_reporting_zone(
    tmp_path: Path, received_at: str, expected: dt.datetime, day: str
) -> None:
    run_bytes(tmp_path, jsonl(good("d", received_at=received_at, status="accepted")))
    assert stored("d").received_at == expected
    assert LedgerEntry.objects.get().day == dt.date.fromisoformat(day)
    assert [d["date"] for d in stats()["daily"]] == [day]


def test_optional_fields_take_their_defaults_and_null_means_absent(tmp_path: Path) -> None:
    nulls = dict.fromkeys(
        ("text", "headcount", "name", "name_kind", "region", "sector", "current_party_member",
         "publish", "status")
    )  # fmt: skip
    run = run_bytes(tmp_path, jsonl(good("bare"), good("nulls", **nulls)))
    assert run.rejects == []
    for eid in ("bare", "nulls"):
        s = stored(eid)
        assert (s.text, s.headcount, s.name, s.name_kind) == ("", 1, "", "anonymous")
        assert (s.region, s.sector, s.current_party_member) == ("", "", None)
        assert s.publish is False
        # received by default, then screened
        assert s.changes.order_by("id").first().to_status == Status.RECEIVED
    # anonymous and without text: nothing links them, two people
    assert (stored("bare").status, stored("nulls").status) == (Status.ACCEPTED, Status.ACCEPTED)


def test_name_without_kind_is_an_alias_and_text_is_exactly_5000_characters_allowed(
    tmp_path: Path,
) -> None:
    run = run_bytes(tmp_path, jsonl(good("n", name="  小明  ", text="退" * 5000)))
    assert run.rejects == []
    s = stored("n")
    assert (s.name, s.name_kind, len(s.text)) == ("小明", "alias", 5000)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("yes", True), ("No", False), ("1", True), ("0", False),
     ("TRUE", True), ("f", False)],
)  # fmt: skip
def test_booleans(tmp_path: Path, value: Any, expected: bool) -> None:
    run_bytes(tmp_path, jsonl(good("b", publish=value, current_party_member=value)))
    s = stored("b")
    assert (s.publish, s.current_party_member) == (expected, expected)


def test_headcount_as_digit_text_and_organizations_as_text_are_accepted(tmp_path: Path) -> None:
    run = run_bytes(tmp_path, jsonl(good("h", headcount=" 12 ", organizations="league;pioneers")))
    assert run.rejects == []
    s = stored("h")
    assert (s.headcount, s.organizations) == (12, ["league", "pioneers"])


def test_integer_external_id_is_taken_as_text(tmp_path: Path) -> None:
    run_bytes(tmp_path, jsonl(good(12345)))
    assert stored("12345").external_id == "12345"


def test_stdin_is_read_with_explicit_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FakeStdin:
        buffer = io.BytesIO(jsonl(good("s1"), good("s2")))

    monkeypatch.setattr("sys.stdin", FakeStdin)
    rejects = tmp_path / "stdin.rej"
    call_command("import", "-", format="jsonl", rejects=str(rejects), no_progress=True,
                 stdout=io.StringIO())  # fmt: skip
    assert Statement.objects.filter(external_id__in=["s1", "s2"]).count() == 2


def test_file_name_without_known_extension_needs_format(tmp_path: Path) -> None:
    path = tmp_path / "history.txt"
    path.write_bytes(jsonl(good("f")))
    with pytest.raises(CommandError, match="--format"):
        run_file(path)
    run_file(path, format="jsonl")
    assert stored("f")


@pytest.mark.parametrize("name", ["in.jsonl", "in.csv"])
def test_progress_bar_runs_to_the_end(tmp_path: Path, name: str) -> None:
    if name.endswith(".csv"):
        content = ("external_id,received_at,channel,organizations\n" + "".join(
            f"p{i},2005-01-03,web,party\n" for i in range(25))).encode()  # fmt: skip
    else:
        content = jsonl(*(good(f"p{i}") for i in range(25)))
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(path), rejects=str(tmp_path / "rej"), batch=10, stdout=out,
                 stderr=err)  # fmt: skip
    assert Statement.objects.count() == 25
    assert "import" in err.getvalue()  # the bar, on standard error
    assert "rows read" in out.getvalue() and "rows read" not in err.getvalue()


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run_file(tmp_path / "nope.jsonl")


# --- idempotency ---------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    rows = [good(f"id-{i}", status="accepted" if i % 2 else "received") for i in range(7)]
    path = tmp_path / "twice.jsonl"
    path.write_bytes(jsonl(*rows, "not json"))
    first = run_file(path)
    assert (first.count("imported"), first.count("already present")) == (7, 0)
    before = snapshot()
    second = run_file(path)
    assert (second.count("rows read"), second.count("imported")) == (8, 0)
    assert (second.count("already present"), second.count("rejected")) == (7, 1)
    assert second.count("integrated entries") == 0
    assert snapshot() == before
    assert second.rejects == first.rejects  # rewritten, not appended to


def test_same_external_id_is_distinct_per_source_and_never_overwritten(tmp_path: Path) -> None:
    run_bytes(tmp_path, jsonl(good("x", text="first")))
    run_bytes(tmp_path, jsonl(good("x", text="changed")))
    assert stored("x").text == "first"  # already present: not updated
    run_bytes(tmp_path, jsonl(good("x", text="other source")), source="fax-archive")
    assert stored("x", source="fax-archive").text == "other source"
    assert Statement.objects.count() == 2


def test_repeated_external_id_in_one_file_keeps_the_first(tmp_path: Path) -> None:
    run = run_bytes(
        tmp_path,
        jsonl(good("dup", text="one"), good("other"), good("dup", text="two"), good(" dup ")),
        batch=2,
    )
    assert (run.count("imported"), run.count("already present")) == (2, 2)
    assert stored("dup").text == "one"


def test_summary_adds_up(tmp_path: Path) -> None:
    run_bytes(tmp_path, jsonl(good("a")))
    run = run_bytes(tmp_path, jsonl(good("a"), good("b"), "{", good("c", channel="x"), b""))
    assert run.count("rows read") == 4  # blank line not counted
    assert (run.count("imported"), run.count("already present"), run.count("rejected")) == (
        1, 1, 2,
    )  # fmt: skip
    assert run.count("rows read") == (
        run.count("imported") + run.count("already present") + run.count("rejected")
    )


# --- rejects -------------------------------------------------------------------------------

LONG = "长" * (settings.SANTUI_MAX_TEXT + 1)
MAX_HEADCOUNT = settings.SANTUI_MAX_HEADCOUNT

BAD_ROWS: list[tuple[str, str, str]] = [
    # (id, raw line, expected start of the reason)
    ("bad-json", '{"external_id": "bad", "channel": "web",', "bad JSON"),
    ("json-list", '["external_id", "x"]', "bad JSON"),
    ("json-number", "42", "bad JSON"),
    ("json-string", '"just text"', "bad JSON"),
    ("json-null", "null", "bad JSON"),
    ("unknown-org", json.dumps(good("x", organizations=["party", "army"])), "unknown organization"),
    ("empty-orgs", json.dumps(good("x", organizations=[])), "unknown organization"),
    ("empty-org-text", json.dumps(good("x", organizations=" ; ")), "unknown organization"),
    ("no-orgs", json.dumps(good("x", organizations=...)), "unknown organization"),
    ("orgs-object", json.dumps(good("x", organizations={"party": True})), "unknown organization"),
    ("bad-date", json.dumps(good("x", received_at="2005-13-45")), "bad received_at"),
    ("word-date", json.dumps(good("x", received_at="yesterday")), "bad received_at"),
    ("slash-date", json.dumps(good("x", received_at="2005/01/03")), "bad received_at"),
    ("naive", json.dumps(good("x", received_at="2005-01-03T10:00:00")), "bad received_at"),
    ("no-date", json.dumps(good("x", received_at=...)), "bad received_at"),
    ("date-number", json.dumps(good("x", received_at=20050103)), "bad received_at"),
    ("too-old", json.dumps(good("x", received_at="1989-12-31")), "bad received_at"),
    ("future", json.dumps(good("x", received_at="2999-01-01T00:00:00Z")), "bad received_at"),
    ("future-date", json.dumps(good("x", received_at="2999-01-01")), "bad received_at"),
    ("headcount-0", json.dumps(good("x", headcount=0)), "bad headcount"),
    ("headcount-neg", json.dumps(good("x", headcount=-1)), "bad headcount"),
    ("headcount-abc", json.dumps(good("x", headcount="abc")), "bad headcount"),
    ("headcount-true", json.dumps(good("x", headcount=True)), "bad headcount"),
    ("headcount-frac", json.dumps(good("x", headcount=1.5)), "bad headcount"),
    ("headcount-sup", json.dumps(good("x", headcount="²")), "bad headcount"),
    ("headcount-max", json.dumps(good("x", headcount=MAX_HEADCOUNT + 1)), "bad headcount"),
    ("headcount-neg-text", json.dumps(good("x", headcount="-3")), "bad headcount"),
    ("no-eid", json.dumps(good("x", external_id=...)), "no external_id"),
    ("blank-eid", json.dumps(good("   ")), "no external_id"),
    ("empty-eid", json.dumps(good("")), "no external_id"),
    ("null-eid", json.dumps(good(None)), "no external_id"),
    ("list-eid", json.dumps(good(["a"])), "no external_id"),
    ("long-eid", json.dumps(good("e" * 201)), "bad external_id"),
    ("nul-eid", json.dumps(good("a\u0000b")), "bad external_id"),
    ("channel", json.dumps(good("x", channel="telegram")), "unknown channel"),
    ("channel-case", json.dumps(good("x", channel="WEB")), "unknown channel"),
    ("no-channel", json.dumps(good("x", channel=...)), "unknown channel"),
    ("unknown-field", json.dumps(good("x", nmae="typo")), "unknown field"),
    ("region-999999", json.dumps(good("x", region="999999")), "bad region"),
    ("region-XX", json.dumps(good("x", region="XX")), "bad region"),
    ("region-prefecture", json.dumps(good("x", region="219900")), "bad region"),
    ("region-gb-taiwan", json.dumps(good("x", region="710000")), "bad region"),
    ("region-gb-hongkong", json.dumps(good("x", region="810000")), "bad region"),
    ("region-short", json.dumps(good("x", region="1100")), "bad region"),
    ("region-number", json.dumps(good("x", region=110000)), "bad region"),
    ("region-arabic-digits", json.dumps(good("x", region="11٠١٠١")), "bad region"),
    ("sector", json.dumps(good("x", sector="astronaut")), "unknown sector"),
    ("status-rejected", json.dumps(good("x", status="rejected")), "bad status"),
    ("status-other", json.dumps(good("x", status="ACCEPTED")), "bad status"),
    ("status-list", json.dumps(good("x", status=["accepted"])), "bad status"),
    ("text-long", json.dumps(good("x", text=LONG), ensure_ascii=False), "text too long"),
    ("text-number", json.dumps(good("x", text=5)), "bad text"),
    ("text-nul", json.dumps(good("x", text="a\u0000b")), "bad text"),
    ("text-escape", json.dumps(good("x", text="a\u001b[31mred")), "bad text"),
    ("name-long", json.dumps(good("x", name="n" * 201)), "name too long"),
    ("name-kind", json.dumps(good("x", name_kind="pseudonym")), "unknown name_kind"),
    ("anonymous-named", json.dumps(good("x", name="张三", name_kind="anonymous")), "bad name_kind"),
    ("publish-maybe", json.dumps(good("x", publish="maybe")), "bad publish"),
    ("member-number", json.dumps(good("x", current_party_member=1)), "bad current_party_member"),
    ("declarant", json.dumps(good("x", declarant="neighbour")), "unknown declarant"),
    ("declarant-case", json.dumps(good("x", declarant="Family")), "unknown declarant"),
    ("declarant-space", json.dumps(good("x", declarant=" family")), "unknown declarant"),
    ("declarant-list", json.dumps(good("x", declarant=["family"])), "unknown declarant"),
    ("declarant-number", json.dumps(good("x", declarant=1)), "unknown declarant"),
    ("declarant-true", json.dumps(good("x", declarant=True)), "unknown declarant"),
    ("declarant-long", json.dumps(good("x", declarant="self" * 10_000)), "unknown declarant"),
    (
        "declarant-zh",
        json.dumps(good("x", declarant="家属"), ensure_ascii=False),
        "unknown declarant",
    ),
]


def test_declarant_column_is_optional_and_each_kind_is_stored_and_counted(
    tmp_path: Path,
) -> None:
    """Old files (no declarant column) stay valid as "self"; every kind lands as given."""
    old = (
        "external_id,received_at,channel,organizations,status\n"
        "old-1,2006-01-02,fax,party,accepted\n"
    )
    new = (
        "external_id,received_at,channel,organizations,headcount,declarant,status\n"
        "n-self,2006-01-02,fax,party,1,self,accepted\n"
        "n-fam,2006-01-02,fax,party,2,family,accepted\n"
        "n-vol,2006-01-02,phone,party,3,volunteer,accepted\n"
        "n-dead,2006-01-02,phone,party,4,deceased,accepted\n"
        "n-empty,2006-01-02,phone,party,1,,accepted\n"
        "n-bad,2006-01-02,phone,party,1,friend,accepted\n"
    )
    first = run_bytes(tmp_path, old.encode(), name="old.csv")
    assert first.rejects == []
    second = run_bytes(tmp_path, new.encode(), name="new.csv")
    assert [(r["line"], r["reason"].split(":")[0]) for r in second.rejects] == [
        (7, "unknown declarant")
    ]
    assert dict(Statement.objects.values_list("external_id", "declarant")) == {
        "old-1": "self", "n-self": "self", "n-fam": "family", "n-vol": "volunteer",
        "n-dead": "deceased", "n-empty": "self",
    }  # fmt: skip
    # the ledger carries it, and staff's exact document counts each kind apart
    ledger = dict(LedgerEntry.objects.values_list("statement__external_id", "declarant"))
    assert ledger == dict(Statement.objects.values_list("external_id", "declarant"))
    assert stats()["declarants"] == [
        {"key": "self", "persons": 3}, {"key": "family", "persons": 2},
        {"key": "volunteer", "persons": 3}, {"key": "deceased", "persons": 4},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "reason"), [pytest.param(raw, why, id=i) for i, raw, why in BAD_ROWS]
)
def test_bad_row_is_rejected_with_line_reason_and_raw_and_neighbours_land(
    tmp_path: Path, line: str, reason: str
) -> None:
    run = run_bytes(tmp_path, jsonl(good("before"), line, good("after")))
    assert len(run.rejects) == 1
    assert run.rejects == [{"line": 2, "reason": run.rejects[0]["reason"], "raw": line}]
    assert run.rejects[0]["reason"].startswith(reason), run.rejects[0]["reason"]
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"before", "after"}
    assert run.count("rejected") == 1
    assert re.search(rf"^\s+{re.escape(reason)}\s+1$", run.stdout, re.M), run.stdout
    assert str(run.rejects_path) in run.stdout


@pytest.mark.parametrize("code", ["110199", "219901"])
def test_county_code_with_unknown_prefecture_is_rejected(tmp_path: Path, code: str) -> None:
    run = run_bytes(tmp_path, jsonl(good("x", region=code)))
    assert [r["reason"][:10] for r in run.rejects] == ["bad region"]


def test_many_bad_rows_in_one_file_lose_nothing(tmp_path: Path) -> None:
    lines: list[str] = []
    expected_good = set()
    for n, (_, raw, _why) in enumerate(BAD_ROWS):
        lines.append(json.dumps(good(f"g{n}")))
        expected_good.add(f"g{n}")
        lines.append(raw)
    run = run_bytes(tmp_path, jsonl(*lines), batch=7)
    assert set(Statement.objects.values_list("external_id", flat=True)) == expected_good
    assert [r["line"] for r in run.rejects] == [2 * (n + 1) for n in range(len(BAD_ROWS))]
    assert [r["raw"] for r in run.rejects] == [raw for _, raw, _ in BAD_ROWS]
    assert run.count("rejected") == len(BAD_ROWS)
    assert run.count("imported") == len(BAD_ROWS)


def test_rejected_raw_keeps_a_long_escaped_row_whole(tmp_path: Path) -> None:
    # 4,000 CJK characters written as \\uXXXX escapes: a 24,000+ character line, under 64 KiB.
    line = json.dumps(good("x", text="退" * 4000, received_at="bad"))  # ensure_ascii: escapes
    assert 20_000 < len(line) < importer.MAX_ROW_BYTES
    run = run_bytes(tmp_path, jsonl(line))
    assert run.rejects[0]["raw"] == line


def test_invalid_utf8_line_is_rejected_and_the_rest_lands(tmp_path: Path) -> None:
    bad = b'{"external_id": "latin1", "received_at": "2005-01-03", "channel": "web", ' \
          b'"organizations": ["party"], "text": "caf\xe9 \xff"}'  # fmt: skip
    run = run_bytes(tmp_path, jsonl(good("a"), bad, good("b")))
    assert len(run.rejects) == 1
    reject = run.rejects[0]
    assert reject["line"] == 2
    assert reject["reason"].startswith("not valid UTF-8")
    assert reject["raw"] == bad.decode("utf-8", "replace")
    assert "\ufffd" in reject["raw"]
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "b"}


def test_gb18030_encoded_file_gives_clear_rejects_not_a_crash(tmp_path: Path) -> None:
    content = jsonl(good("gb", text="我声明退出中共的党、团、队组织。")).decode().encode("gb18030")
    run = run_bytes(tmp_path, content + jsonl(good("ok")))
    assert [r["reason"][:15] for r in run.rejects] == ["not valid UTF-8"]
    assert list(Statement.objects.values_list("external_id", flat=True)) == ["ok"]


def test_line_over_64_kib_is_rejected_and_the_rest_lands(tmp_path: Path) -> None:
    huge = json.dumps(good("huge", text="x" * (70 * 1024)))
    run = run_bytes(tmp_path, jsonl(good("a"), huge, good("b")))
    assert len(run.rejects) == 1
    assert run.rejects[0]["line"] == 2
    assert run.rejects[0]["reason"].startswith("row too large")
    assert huge.startswith(run.rejects[0]["raw"])
    assert 0 < len(run.rejects[0]["raw"]) <= 2000
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "b"}


def test_rejects_file_is_private_and_removed_when_a_run_rejects_nothing(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    rejects = tmp_path / "in.jsonl.rej"
    rejects.write_text("stale\n")
    os.chmod(rejects, 0o644)
    path.write_bytes(jsonl(good("a", name="真名"), "oops"))
    run_file(path)
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    assert "stale" not in rejects.read_text()
    path.write_bytes(jsonl(good("a", name="真名")))
    run_file(path)
    assert not rejects.exists()


def test_default_rejects_path_is_next_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "hist.jsonl"
    path.write_bytes(jsonl("oops"))
    call_command("import", str(path), no_progress=True, stdout=io.StringIO())
    default = tmp_path / "hist.jsonl.rejects.jsonl"
    assert json.loads(default.read_text())["line"] == 1
    assert stat.S_IMODE(default.stat().st_mode) == 0o600


def test_rejects_file_cannot_be_the_input(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    content = jsonl(good("a"), "oops")
    path.write_bytes(content)
    with pytest.raises(CommandError, match="rejects file"):
        call_command("import", str(path), rejects=str(path), no_progress=True)
    assert path.read_bytes() == content
    assert not Statement.objects.exists()


# --- encodings, line endings, empty files --------------------------------------------------


def test_crlf_line_endings_jsonl(tmp_path: Path) -> None:
    run = run_bytes(tmp_path, jsonl(good("a", text="一"), "{", good("b"), eol=b"\r\n"))
    assert stored("a").text == "一"
    assert len(run.rejects) == 1
    assert run.rejects == [{"line": 2, "reason": run.rejects[0]["reason"], "raw": "{"}]
    assert stored("b")


def test_crlf_line_endings_csv(tmp_path: Path) -> None:
    content = (
        "external_id,received_at,channel,organizations,text\r\n"
        'a,2005-01-03,web,party,"两行\r\n文字"\r\n'
        "b,2005-01-03,web,league,一行\r\n"
    ).encode()
    run = run_bytes(tmp_path, content, name="in.csv")
    assert run.rejects == []
    assert stored("a").text == "两行\r\n文字"  # inside quotes the text is kept as it was
    assert stored("b").text == "一行"


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl"])
def test_utf8_byte_order_mark_is_accepted(tmp_path: Path, name: str) -> None:
    if name.endswith(".csv"):
        body = "external_id,received_at,channel,organizations\nbom,2005-01-03,web,party\n"
    else:
        body = jsonl(good("bom")).decode()
    run = run_bytes(tmp_path, b"\xef\xbb\xbf" + body.encode(), name=name)
    assert run.rejects == []
    assert stored("bom")


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.jsonl", b""), ("empty.csv", b""), ("blank.jsonl", b"\n\n  \n"),
     ("header.csv", b"external_id,received_at,channel,organizations\n")],
)  # fmt: skip
def test_empty_files_import_nothing_and_say_so(tmp_path: Path, name: str, content: bytes) -> None:
    run = run_bytes(tmp_path, content, name=name)
    assert run.count("rows read") == 0
    assert run.count("imported") == 0
    assert not run.rejects_path.exists()
    assert not Statement.objects.exists()


# --- CSV specifics -------------------------------------------------------------------------

CSV_HEAD = "external_id,received_at,channel,organizations,headcount,text\n"


def test_csv_row_with_wrong_field_count_is_rejected_with_its_raw_text(tmp_path: Path) -> None:
    rows = [
        "a,2005-01-03,web,party,1,ok",
        'short,2005-01-03,web,"party;league"',
        'long,2005-01-03,web,party,1,"x, y",extra',
        "b,2005-01-03,web,party;league,2,ok",
    ]
    run = run_bytes(tmp_path, (CSV_HEAD + "\n".join(rows) + "\n").encode(), name="in.csv")
    assert [(r["line"], r["raw"]) for r in run.rejects] == [(3, rows[1]), (4, rows[2])]
    assert all(r["reason"].startswith("bad CSV") for r in run.rejects)
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "b"}
    assert stored("b").organizations == ["party", "league"]


def test_csv_malformed_quotes_are_rejected_not_silently_changed(tmp_path: Path) -> None:
    rows = [
        'stray,2005-01-03,web,party,1,"quoted"tail',
        "good,2005-01-03,web,party,1,fine",
        'open,2005-01-03,web,party,1,"never closed',
        "swallowed,2005-01-03,web,party,1,would vanish into the open quote",
    ]
    run = run_bytes(tmp_path, (CSV_HEAD + "\n".join(rows) + "\n").encode(), name="in.csv")
    assert list(Statement.objects.values_list("external_id", flat=True)) == ["good"]
    assert [r["line"] for r in run.rejects] == [2, 4]
    assert all(r["reason"].startswith("bad CSV") for r in run.rejects)
    assert run.rejects[0]["raw"] == rows[0]
    assert run.rejects[1]["raw"] == rows[2] + "\n" + rows[3]  # nothing silently lost


def test_csv_field_over_the_limit_is_rejected_and_the_rest_lands(tmp_path: Path) -> None:
    rows = ["a,2005-01-03,web,party,1,ok", "big,2005-01-03,web,party,1," + "x" * 70_000,
            "b,2005-01-03,web,party,1,ok"]  # fmt: skip
    run = run_bytes(tmp_path, (CSV_HEAD + "\n".join(rows) + "\n").encode(), name="in.csv")
    # a record of more than SANTUI_IMPORT_MAX_LINE bytes (64 KiB) is too large as a whole
    assert [(r["line"], r["reason"][:13]) for r in run.rejects] == [(3, "row too large")]
    assert run.rejects[0]["raw"].startswith("big,2005-01-03")
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "b"}


def test_csv_invalid_utf8_row_is_rejected_and_the_rest_lands(tmp_path: Path) -> None:
    content = CSV_HEAD.encode() + b"a,2005-01-03,web,party,1,ok\n" + \
        b"bad,2005-01-03,web,party,1,caf\xe9\n" + b"b,2005-01-03,web,party,1,ok\n"  # fmt: skip
    run = run_bytes(tmp_path, content, name="in.csv")
    assert [(r["line"], r["reason"]) for r in run.rejects] == [(3, "not valid UTF-8")]
    assert run.rejects[0]["raw"] == "bad,2005-01-03,web,party,1,caf\ufffd"
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "b"}


def test_csv_row_errors_report_the_line_a_multiline_row_starts_on(tmp_path: Path) -> None:
    content = CSV_HEAD + 'a,2005-01-03,web,party,1,"one\ntwo\nthree"\nb,2005-01-03,web,army,1,x\n'
    run = run_bytes(tmp_path, content.encode(), name="in.csv")
    assert [(r["line"], r["raw"]) for r in run.rejects] == [(5, "b,2005-01-03,web,army,1,x")]
    assert stored("a").text == "one\ntwo\nthree"


def test_csv_blank_rows_are_skipped_and_columns_may_be_in_any_order(tmp_path: Path) -> None:
    content = " organizations , external_id ,channel,received_at\nparty,a,fax,2005-01-03\n,,,\n\n"
    run = run_bytes(tmp_path, content.encode(), name="in.csv")
    assert run.rejects == []
    assert run.count("rows read") == 1
    assert stored("a").channel == "fax"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_id,received_at,channel,organizations,nmae", "unknown CSV columns: 'nmae'"),
        ("external_id,received_at,channel,organizations,text,text", "repeated CSV columns"),
        ("received_at,channel,organizations", "no external_id column"),
    ],
)
def test_csv_with_bad_header_refuses_the_whole_file(
    tmp_path: Path, header: str, message: str
) -> None:
    rows = "\n".join(f"r{i},2005-01-03,web,party,x,y" for i in range(5))
    path = tmp_path / "in.csv"
    path.write_text(header + "\n" + rows + "\n")
    with pytest.raises(CommandError, match=re.escape(message)):
        run_file(path)
    assert not Statement.objects.exists()
    assert not (tmp_path / "in.csv.rej").exists()


# --- hostile content -----------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE statements_statement; --",
    "Robert'); DELETE FROM statements_statement WHERE ('1'='1",
    "\u202egnp.exe\u202c 退党",  # right-to-left override
    "\u2066隔离\u2069 \u200b\u200d",  # bidi isolates, zero-width characters
    "🙏🏻 三退保平安 👨‍👩‍👧",  # emoji with modifiers and joiners
    "{{ 7*7 }} {% debug %} %s %(x)s ${7*7}",
    "\\u0000 not a NUL, \\n not a newline",
    "tab\tand\nnewline",
]


@pytest.mark.parametrize("name", ["in.jsonl", "in.csv"])
def test_hostile_text_is_stored_verbatim_and_not_executed(tmp_path: Path, name: str) -> None:
    if name.endswith(".jsonl"):
        content = jsonl(*(good(f"h{i}", text=t, name=t[:200]) for i, t in enumerate(HOSTILE)))
    else:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["external_id", "received_at", "channel", "organizations", "text", "name"])
        for i, t in enumerate(HOSTILE):
            writer.writerow([f"h{i}", "2005-01-03", "web", "party", t, t])
        content = buf.getvalue().encode()
    run = run_bytes(tmp_path, content, name=name)
    assert run.rejects == []
    for i, t in enumerate(HOSTILE):
        s = stored(f"h{i}")
        assert s.text == t
        assert s.name == t.strip()
    assert Statement.objects.count() == len(HOSTILE)  # the table is still there, rows intact


# --- interruption and resumption -----------------------------------------------------------


def test_interrupted_import_keeps_finished_batches_and_resumes_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[dict[str, Any] | str] = [
        good(f"r{i:02}", status="accepted" if i % 3 else "received", headcount=i + 1)
        for i in range(12)
    ]
    rows.insert(4, "not json")
    path = tmp_path / "big.jsonl"
    path.write_bytes(jsonl(*rows))

    # the batch's store: statements_copy_load on SQLite, statements_copy_staged on PostgreSQL
    # (each batch staged beside the store of the one before)
    store = "statements_copy_load" if connection.vendor == "sqlite" else "statements_copy_staged"
    real = getattr(importer, store)
    calls: list[int] = []

    def interrupt_third(**kwargs: Any) -> Any:
        calls.append(len(kwargs["rows"]) if "rows" in kwargs else kwargs["staged"].given)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(f"santui.intake.importer.{store}", interrupt_third)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(path), rejects=str(tmp_path / "rej"), no_progress=True,
                     batch=3, stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert exit_info.value.code == 130
    assert "interrupted" in err.getvalue()
    assert calls == [3, 3, 3]
    ids = sorted(Statement.objects.values_list("external_id", flat=True))
    assert ids == [f"r{i:02}" for i in range(6)]  # the first two batches, whole
    assert IntegrationState.objects.get(pk=1).size == 0  # interrupted: nothing integrated

    monkeypatch.setattr(f"santui.intake.importer.{store}", real)
    run = run_file(path, batch=3)
    assert (run.count("imported"), run.count("already present"), run.count("rejected")) == (
        6, 6, 1,
    )  # fmt: skip
    ids = list(Statement.objects.values_list("external_id", flat=True))
    assert sorted(ids) == [f"r{i:02}" for i in range(12)]  # each exactly once
    accepted = [i for i in range(12) if i % 3]
    assert not Statement.objects.filter(status=Status.RECEIVED).exists()  # all screened
    counted = Statement.objects.filter(status=Status.ACCEPTED)
    assert {f"r{i:02}" for i in accepted} <= set(counted.values_list("external_id", flat=True))
    assert LedgerEntry.objects.count() == counted.count()
    assert IntegrationState.objects.get(pk=1).size == counted.count()
    assert stats()["persons"] == sum(s.headcount for s in counted)
    out = io.StringIO()
    call_command("tally", "verify", stdout=out)
    assert "OK" in out.getvalue()


def test_crash_in_the_middle_of_a_batch_leaves_none_of_that_batch() -> None:
    """The second batch dies once its statements and audit rows are written, before its commit
    (SQLite: before its ledger entries; PostgreSQL: once the staged rows are moved)."""
    audit_table = StatusChange._meta.db_table
    audit_inserts: list[str] = []

    def crash_on_second_audit_insert(execute: Any, sql: str, *args: Any) -> Any:
        result = execute(sql, *args)
        if "INSERT" in sql.upper() and audit_table in sql:
            audit_inserts.append(sql)
            if len(audit_inserts) == 2:
                raise KeyboardInterrupt
        return result

    stream = io.BytesIO(jsonl(*(good(f"x{i}", status="accepted") for i in range(4))))
    with connection.execute_wrapper(crash_on_second_audit_insert), pytest.raises(KeyboardInterrupt):
        run_import(stream, fmt="jsonl", source=SOURCE, rejects=io.BytesIO(), batch_size=2)
    assert len(audit_inserts) == 2
    assert sorted(Statement.objects.values_list("external_id", flat=True)) == ["x0", "x1"]
    assert StatusChange.objects.count() == 2
    assert LedgerEntry.objects.count() == 2


# --- integration and privacy ---------------------------------------------------------------


def test_accepted_rows_are_integrated_before_the_command_returns(tmp_path: Path) -> None:
    rows = [good(f"a{i}", status="accepted", headcount=2, organizations=["party", "league"])
            for i in range(5)] + [good("r", status="received", headcount=100)]  # fmt: skip
    run = run_bytes(tmp_path, jsonl(*rows))
    assert run.count("integrated entries") == 5
    assert IntegrationState.objects.get(pk=1).size == 5
    assert not QueuedEntry.objects.exists()
    doc = stats()
    assert (doc["persons"], doc["statements"], doc["log_size"]) == (10, 5, 5)
    assert doc["organizations"] == {"party": 10, "league": 10, "pioneers": 0}


def test_names_are_encrypted_at_rest(tmp_path: Path) -> None:
    name = "王秘密Secret"
    run_bytes(tmp_path, jsonl(good("p", name=name, name_kind="real", text="无名文字")))
    assert stored("p").name == name
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM statements_statement")
        (row,) = cursor.fetchall()
    for value in row:
        if isinstance(value, bytes | memoryview):
            assert name.encode() not in bytes(value)
            assert b"Secret" not in bytes(value)
        else:
            assert "Secret" not in str(value)
            assert "王秘密" not in str(value)


def test_rejected_rows_are_never_stored(tmp_path: Path) -> None:
    run_bytes(tmp_path, jsonl(good("x", name="张三", name_kind="anonymous")))
    assert not Statement.objects.exists()
    assert not StatusChange.objects.exists()


def test_organizations_guessed_with_low_confidence_are_held_not_counted(tmp_path: Path) -> None:
    """A row without organizations gets them from the parser; a reading it is not sure of (a
    text that names organizations but says nothing of quitting them) is screened, not counted
    as the row's `accepted` asked, and screening holds it for a person (issue 13)."""
    unsure = "我当年入过共青团和少先队，现在看清了它们。"
    sure = "我声明退出共青团和少先队。"
    run_bytes(tmp_path, jsonl(
        good("unsure", organizations=..., text=unsure, status="accepted"),
        good("sure", organizations=..., text=sure, status="accepted"),
    ))  # fmt: skip
    guessed = stored("unsure")
    assert guessed.status == Status.HELD
    assert "low_confidence" in guessed.screening.reasons
    assert not LedgerEntry.objects.filter(statement=guessed).exists()
    read = stored("sure")
    assert read.status == Status.ACCEPTED and read.organizations == ["league", "pioneers"]


def test_audit_rows_record_the_import(tmp_path: Path) -> None:
    run_bytes(tmp_path, jsonl(good("a", status="accepted"), good("b")))
    changes = StatusChange.objects.order_by("statement__external_id", "id")
    assert list(changes.values_list("from_status", "to_status", "via")) == [
        ("", "accepted", "import"), ("", "received", "import"),
        ("received", "accepted", "screening"),
    ]  # fmt: skip
    assert changes.get(via="screening").note == "santui-screen/1: no reason to hold"


# --- validate: property test ---------------------------------------------------------------

TZ = ZoneInfo(settings.SANTUI_REPORTING_TZ)
# What orjson can produce: ints are 64-bit (larger numbers come back as floats), no NaN.
json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=8,
)
# Values close to valid ones, so the property reaches the later checks too.
plausible: dict[str, st.SearchStrategy[Any]] = {
    "external_id": st.text(min_size=0, max_size=210) | st.integers(),
    "received_at": st.dates().map(dt.date.isoformat)
    | st.datetimes(timezones=st.none() | st.timezones()).map(dt.datetime.isoformat)
    | st.from_regex(r"\A\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:\d{2})?\Z"),
    "channel": st.sampled_from(["web", "phone", "group", "currency", "Web", ""]),
    "organizations": st.lists(st.sampled_from(["party", "league", "pioneers", "army", ""]))
    | st.text(alphabet="partyleguionr;,| ", max_size=30),
    "headcount": st.integers() | st.from_regex(r"\A\s*[0-9²٣-]{0,14}\s*\Z"),
    "name": st.text(max_size=210),
    "name_kind": st.sampled_from(["real", "alias", "anonymous", "x", ""]),
    "region": st.from_regex(r"\A\s*([0-9]{6}|[A-Za-z]{2})\s*\Z") | st.text(max_size=8),
    "sector": st.sampled_from(["police", "student", "", "astronaut"]),
    "current_party_member": st.sampled_from(["yes", "no", "", "maybe", True, False, 1]),
    "publish": st.sampled_from(["true", "false", "", "1", None, True, 0]),
    "status": st.sampled_from(["received", "accepted", "rejected", "", None]),
    "text": st.text(max_size=60) | st.just("退" * 5001),
}
rows = st.dictionaries(
    st.sampled_from(sorted(FIELDS)) | st.text(max_size=6), json_values, max_size=15
) | st.fixed_dictionaries(
    {},
    optional={key: st.one_of(strategy, json_values) for key, strategy in plausible.items()},
)


def _check(row: dict[str, Any]) -> None:
    try:
        result = validate(row, tz=TZ)
    except RowError:
        return
    assert isinstance(result, StatementRow)
    assert result.external_id and result.external_id == result.external_id.strip()
    assert 1 <= result.headcount <= settings.SANTUI_MAX_HEADCOUNT
    assert result.party or result.league or result.pioneers
    assert result.status in {Status.RECEIVED, Status.ACCEPTED}
    assert result.received_at.tzinfo is not None
    assert len(result.text) <= settings.SANTUI_MAX_TEXT
    assert "\x00" not in result.text + result.name + result.external_id
    assert not (result.name and result.name_kind == "anonymous")


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_validate_returns_a_row_or_raises_row_error_only(row: dict[str, Any]) -> None:
    _check(row)


@hsettings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(FIELDS)), json_values, max_size=15))
def test_validate_survives_valid_rows_with_any_field_replaced(
    overrides: dict[str, Any],
) -> None:
    row = good("base", text="x", headcount=3, region="HK", status="accepted")
    row.update(overrides)
    _check(row)


def test_validate_accepts_a_full_row() -> None:
    row = validate(
        {"external_id": " e ", "received_at": "2005-01-03T10:00:00+08:00", "channel": "posting",
         "organizations": ["pioneers", "party"], "headcount": "7", "name": "x", "name_kind": "real",
         "region": "hk", "sector": "media", "current_party_member": "no", "publish": "yes",
         "status": "accepted", "text": "t"},
        tz=TZ,
    )  # fmt: skip
    assert row == StatementRow(
        external_id="e", received_at=dt.datetime(2005, 1, 3, 2, tzinfo=dt.UTC), channel="posting",
        text="t", party=True, league=False, pioneers=True, headcount=7, name="x",
        name_kind="real", region="HK", sector="media", current_party_member=False, publish=True,
        status="accepted",
    )  # fmt: skip


# --- fields read from the text (issue 3; docs/import-format.md) ----------------------------


def test_rows_without_organizations_take_them_from_the_text(tmp_path: Path) -> None:
    run = run_bytes(
        tmp_path,
        jsonl(
            good("t1", organizations=..., text="我们全家五口人声明三退。辽宁沈阳 化名：平安",
                 name="平安"),
            good("t2", organizations=None, text="本人是护士，声明退出共青团。", region="HK"),
            good("t3", organizations=..., text="今天天气很好。"),
            good("t4", organizations=..., text=""),
        ),
    )  # fmt: skip
    assert run.count("imported") == 2
    reasons = {r["line"]: r["reason"] for r in run.rejects}
    assert reasons == {
        3: "unknown organization: organizations missing and none found in the text",
        4: "unknown organization: organizations missing",
    }
    t1 = stored("t1")
    assert (t1.party, t1.league, t1.pioneers) == (True, True, True)
    assert (t1.headcount, t1.region, t1.name_kind) == (5, "210100", "alias")
    assert t1.suggested is not None and t1.suggested["headcount"] == 5
    t2 = stored("t2")
    assert (t2.party, t2.league, t2.pioneers) == (False, True, False)
    assert (t2.region, t2.sector) == ("HK", "health")  # the given region is kept


def test_given_fields_are_never_changed_by_the_text(tmp_path: Path) -> None:
    row = good(
        "g1", text="我们全家五口人声明三退。辽宁沈阳", organizations=["league"], headcount=2,
        region="110000", sector="farmer", name_kind="anonymous",
    )  # fmt: skip
    run_bytes(tmp_path, jsonl(row))
    s = stored("g1")
    assert (s.party, s.league, s.pioneers) == (False, True, False)
    assert (s.headcount, s.region, s.sector, s.name_kind) == (2, "110000", "farmer", "anonymous")
    assert s.suggested is None  # nothing left out: the text was not read


def test_complete_rows_are_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed a complete row")

    monkeypatch.setattr(importer, "parse_statement", fail)
    row = good("c1", text="三退 我是农民 我们全家五口人", region="210100")
    run = run_bytes(tmp_path, jsonl(row))
    assert run.count("imported") == 1
    s = stored("c1")  # organizations and region given: the text is not read
    assert (s.headcount, s.sector, s.suggested) == (1, "", None)


def test_csv_rows_take_missing_fields_from_the_text(tmp_path: Path) -> None:
    content = (
        "external_id,received_at,channel,text,organizations\n"
        "k1,2005-01-03,phone,退团退队 张伟 山东青岛,\n"
    )
    run = run_bytes(tmp_path, content.encode(), name="in.csv")
    assert run.rejects == []
    s = stored("k1")
    assert (s.party, s.league, s.pioneers, s.region) == (False, True, True, "370200")
