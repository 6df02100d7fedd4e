"""Screening never stops and never loses a statement; tally = recount = log after any sequence
of screening decisions and moderator overrides (hypothesis)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.screening import ahead as screening_ahead
from santui.screening.models import Screening
from santui.screening.run import screen_all
from santui.statements.actions import (
    TransitionError,
    statement_accept,
    statement_receive,
    statement_reinstate,
    statement_reject,
)
from santui.statements.models import Statement, Status
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tally.verify import tally_verify
from tests.screening.conftest import EARLIER, decisions, receive

ORGS = st.sets(st.sampled_from(["party", "league", "pioneers"]), min_size=1).map(sorted)
REGIONS = st.sampled_from(["", "110000", "210100", "440305", "US", "HK", "CN"])
statement_fields = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(["web", "phone", "email", "group", "volunteer"]),
        "organizations": ORGS,
        "text": st.text(max_size=300),
        "name": st.text(max_size=40),
        "headcount": st.integers(1, 100_000),
        "region": REGIONS,
        "sector": st.sampled_from(["", "police", "farmer"]),
        "received_at": st.datetimes(
            min_value=dt.datetime(1990, 1, 1),
            max_value=dt.datetime(2035, 1, 1),
            timezones=st.just(dt.UTC),
        ),
        "source": st.sampled_from(["web", "office", "email", "import"]),
    }
)


class ScreeningNeverCrashes(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(statement_fields, min_size=1, max_size=6))
    def test_any_statement_is_decided(self, many: list[dict[str, Any]]) -> None:
        IntegrationState.objects.get_or_create(pk=1)
        ids = []
        for fields in many:
            name = fields.pop("name").replace("\x00", "")
            received = statement_receive(
                **{**fields, "text": fields["text"].replace("\x00", "")},
                name=name, name_kind="alias" if name.strip() else "anonymous", via="t",
            )  # fmt: skip
            ids.append(received.statement.pk)
        summary = screen_all(delay=0)
        assert sum(summary.decided.values()) == len(ids)
        for pk in ids:
            assert Statement.objects.get(pk=pk).status != Status.RECEIVED
        tally_integrate()
        report = tally_verify()
        assert report.ok, report.problems


operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 3), st.integers(1, 30), ORGS),
        st.tuples(st.just("screen")),
        st.tuples(st.just("accept"), st.integers(0, 40)),
        st.tuples(st.just("reject"), st.integers(0, 40), st.sampled_from(["spam", "other"])),
        st.tuples(st.just("reinstate"), st.integers(0, 40)),
        st.tuples(st.just("integrate")),
    ),
    max_size=30,
)
PEOPLE = [("真心", "210100"), ("李明", "110000"), ("", "440300"), ("张伟", "US")]


class TallyHoldsThroughScreening(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations)
    def test_tally_equals_recount_after_any_sequence(self, ops: list[tuple[Any, ...]]) -> None:
        IntegrationState.objects.get_or_create(pk=1)
        made: list[int] = []
        for op in ops:
            if op[0] == "receive":
                name, region = PEOPLE[op[1]]
                made.append(
                    receive(
                        name=name, name_kind="alias" if name else "anonymous", region=region,
                        headcount=op[2], organizations=op[3], text="",
                        received_at=EARLIER + dt.timedelta(minutes=len(made)),
                    ).pk
                )  # fmt: skip
            elif op[0] == "screen":
                screen_all(delay=0)
            elif op[0] == "integrate":
                tally_integrate(batch_size=3)
                report = tally_verify()
                assert report.ok, report.problems
            elif made:
                s = Statement.objects.get(pk=made[op[1] % len(made)])
                try:
                    if op[0] == "accept":
                        statement_accept(statement=s, by=None, via="t")
                    elif op[0] == "reject":
                        statement_reject(statement=s, by=None, reason=op[2], via="t")
                    else:
                        statement_reinstate(statement=s, by=None, via="t")
                except TransitionError:
                    pass
        screen_all(delay=0)
        tally_integrate()
        report = tally_verify()
        assert report.ok, report.problems
        assert report.queued == 0
        # counted = accepted, each once
        accepted = Statement.objects.filter(status=Status.ACCEPTED)
        for s in accepted:
            adds = s.entries.filter(kind="add").count()
            revokes = s.entries.filter(kind="revoke").count()
            assert adds - revokes == 1


@pytest.mark.django_db
def test_a_statement_the_parser_chokes_on_is_held_not_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = receive(text="这一条让解析器出错")
    good = receive(name="李四", text="我声明退出共青团。李四", organizations=["league"])

    def boom(text: str, **kwargs: Any) -> Any:
        if "解析器" in text:
            raise RuntimeError("parser bug")
        return real(text, **kwargs)

    real = screening_ahead.parse_statement
    monkeypatch.setattr(screening_ahead, "parse_statement", boom)
    screen_all(delay=0)
    assert decisions()[bad.pk][:2] == ("held", ["unscreenable"])
    assert decisions()[good.pk][0] == "accepted"


@pytest.mark.django_db
def test_screen_command_reports_each_decision_and_is_idempotent(tmp_path: Any) -> None:
    a = receive()
    b = receive()
    report = tmp_path / "report.jsonl"
    out = io.StringIO()
    call_command("screen", report=str(report), no_progress=True, stdout=out)
    lines = [orjson.loads(line) for line in report.read_bytes().splitlines()]
    assert lines == [
        {"statement": a.pk, "external_id": None, "decision": "accepted", "reasons": [],
         "duplicate_of": None},
        {"statement": b.pk, "external_id": None, "decision": "duplicate",
         "reasons": ["exact_repeat"], "duplicate_of": a.pk},
    ]  # fmt: skip
    assert "accepted 1, held 0, duplicates 1" in out.getvalue()
    assert "log size 1" in out.getvalue()
    call_command("screen", report=str(report), no_progress=True, stdout=io.StringIO())
    assert report.read_bytes() == b""  # nothing left to decide
    assert Screening.objects.count() == 2


@pytest.mark.django_db
def test_import_screens_received_rows(tmp_path: Any) -> None:
    rows = [
        {"external_id": "r1", "received_at": "2024-03-01", "channel": "courier",
         "organizations": ["party"], "name": "王五", "region": "210100", "status": "received",
         "text": "我声明退出中共。王五"},
        {"external_id": "r2", "received_at": "2024-03-02", "channel": "email",
         "organizations": ["party"], "name": "王五", "region": "210100", "status": "received",
         "text": "我声明退出中共。王五"},
        {"external_id": "r3", "received_at": "2024-03-02", "channel": "courier",
         "organizations": ["party"], "status": "accepted"},
    ]  # fmt: skip
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    report = tmp_path / "screened.jsonl"
    out = io.StringIO()
    call_command("import", str(path), no_progress=True, screen_report=str(report), stdout=out)
    lines = {d["external_id"]: d for d in map(orjson.loads, report.read_bytes().splitlines())}
    assert lines["r1"]["decision"] == "accepted"
    assert lines["r2"]["decision"] == "duplicate"
    assert lines["r2"]["duplicate_of"] == lines["r1"]["statement"]
    assert "r3" not in lines  # imported as counted: not screened
    assert "1 accepted, 0 held, 1 duplicates" in out.getvalue()
    report_ok = tally_verify()
    assert report_ok.ok and report_ok.size == 2
