"""`santui history recount` on a real two-process Dask cluster (`dask scheduler` and `dask worker
--nworkers 2`, started once for the module as docs/operations.md says), on the database the
suite runs on: SQLite by default, PostgreSQL when DATABASE_URL is set (its own database, the
suite's name plus ``_history``). The instance is a real one (`santui setup`, demo statements,
statements with texts and stored readings, a revoke, `santui integrate`), the command runs as a
subprocess, and each change is made by raw SQL behind the actions' back, then undone.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from santui.tally.history.partitions import READ_FIELDS, changed_fields
from santui.textparse.parse import parse_statement

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SANTUI = str(BIN / "santui")
DASK = str(BIN / "dask")

TEXTS = [
    "本人张伟，在北京市海淀区当老师，今天声明退出中国共产党及其一切附属组织。",
    "我叫李红，广东省广州市的农民，退出共青团和少先队。",
    "我们全家三人声明退出中共。",
    "I, John Wang, a student in Shanghai, quit the Communist Youth League.",
    "本人化名自由人，退出少先队。",
] * 4

SEED = """
import datetime as dt
from santui.statements.actions import statement_accept, statement_receive, statement_reject
from santui.textparse.parse import parse_statement
texts = json.loads(TEXTS)
for i, text in enumerate(texts):
    parsed = parse_statement(text)
    received = statement_receive(
        channel="email", organizations=sorted(parsed.organizations) or ["party"],
        name_kind=parsed.name_kind, text=text, headcount=parsed.headcount,
        region=parsed.region.code if parsed.region else "", sector=parsed.sector or "",
        suggested=parsed.to_json(), source="test", via="test",
        received_at=dt.datetime(2025, 3, 1 + i, 12, tzinfo=dt.UTC),
    )
    statement_accept(statement=received.statement, by=None, via="test")
    if i == 3:
        statement_reject(statement=received.statement, by=None, reason="spam", via="test")
"""


@dataclass
class Instance:
    env: dict[str, str]
    vendor: str  # sqlite | postgresql
    db: str  # the SQLite file or the PostgreSQL URL

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.db) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.db, autocommit=True) as conn:
            cur = conn.execute(query, params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def recount(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [SANTUI, "history", "recount", "--no-progress", "--partition", "1000", *args],
            env=self.env, cwd=self.env["SANTUI_HOME"], capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        cmd, env=env, cwd=env["SANTUI_HOME"], capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, (cmd, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def _pg_admin(url: str, query: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(query)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def instance() -> Iterator[Instance]:
    home = tempfile.mkdtemp(prefix="santui-recount-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SANTUI_HOME=home, DJANGO_SETTINGS_MODULE="santui.config.settings.prod")
    env["DASK_DISTRIBUTED__WORKER__MEMORY__SPILL"] = "False"
    suite_url = os.environ.get("DATABASE_URL", "")
    pg_name = ""
    if suite_url.startswith("postgres"):
        pg_name = urlsplit(suite_url).path.lstrip("/") + "_history"
        env["DATABASE_URL"] = urlunsplit(urlsplit(suite_url)._replace(path=f"/{pg_name}"))
        _pg_admin(suite_url, f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        _pg_admin(suite_url, f"CREATE DATABASE {pg_name}")
        inst = Instance(env, "postgresql", env["DATABASE_URL"])
    else:
        inst = Instance(env, "sqlite", str(Path(home) / "santui.sqlite3"))
    try:
        _run([SANTUI, "setup"], env)
        _run([SANTUI, "demo", "--scale", "0.00001", "--until", "2025-02-28", "--no-progress"], env)
        seed = f"import json\nTEXTS = {json.dumps(json.dumps(TEXTS))}\n{SEED}"
        _run([SANTUI, "shell", "-c", seed], env)
        _run([SANTUI, "integrate"], env)
        yield inst
    finally:
        if pg_name:
            _pg_admin(suite_url, f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")


@pytest.fixture(scope="module")
def scheduler(instance: Instance) -> Iterator[str]:
    """`dask scheduler` and `dask worker --nworkers 2 --nthreads 1` with the instance's
    environment, as on several machines (docs/operations.md)."""
    from distributed import Client

    env = instance.env
    file = str(Path(env["SANTUI_HOME"]) / "scheduler.json")
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(  # noqa: S603
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--scheduler-file",
                file,
                *common,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 120
        while not Path(file).exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        procs.append(
            subprocess.Popen(  # noqa: S603
                [
                    DASK,
                    "worker",
                    "--scheduler-file",
                    file,
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    *common,
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        address = json.loads(Path(file).read_text())["address"]
        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_a_clean_instance_agrees_on_a_local_cluster(instance: Instance) -> None:
    done = instance.recount("--workers", "2", "--reparse", "--report", "clean.jsonl")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "OK: rollups = ledger = recount from statements = log" in done.stdout
    counted = instance.sql("SELECT COUNT(*) FROM statements_statement WHERE status = 'accepted'")
    assert f"({counted[0][0]} counted)" in done.stdout
    # the stored readings were made by this parser: none changed, and the report is empty
    assert "re-read 20 texts" in done.stdout
    assert "0 readings changed" in done.stdout
    assert (Path(instance.env["SANTUI_HOME"]) / "clean.jsonl").read_text() == ""


def test_a_headcount_changed_behind_the_actions_back_is_caught(
    instance: Instance, scheduler: str
) -> None:
    sid, headcount, _received = instance.sql(
        "SELECT id, headcount, received_at FROM statements_statement WHERE status = 'accepted'"
        " AND source = 'test' ORDER BY id LIMIT 1"
    )[0]
    instance.sql(
        "UPDATE statements_statement SET headcount = %s WHERE id = %s", (headcount + 7, sid)
    )
    try:
        done = instance.recount("--scheduler", scheduler)
    finally:
        instance.sql(
            "UPDATE statements_statement SET headcount = %s WHERE id = %s", (headcount, sid)
        )
    assert done.returncode == 1
    assert "differences" in done.stderr
    persons = [line for line in done.stderr.splitlines() if line.startswith("persons[] ")]
    assert len(persons) == 1, done.stderr
    assert persons[0].endswith(f", statements {_rollup(instance, 'persons', persons[0]) + 7}")
    # the ledger and the log still agree with the rollups: only the statements differ
    assert ", ledger " not in done.stderr
    assert ", log " not in done.stderr
    assert instance.recount("--scheduler", scheduler).returncode == 0


def _rollup(instance: Instance, stat: str, line: str) -> int:
    day = line.split()[1].rstrip(":")
    rows = instance.sql(
        "SELECT value FROM tally_rollup WHERE stat = %s AND day = %s AND key = ''", (stat, day)
    )
    return int(rows[0][0])


def test_a_changed_rollup_is_caught_against_ledger_statements_and_log(
    instance: Instance, scheduler: str
) -> None:
    rid, _stat, key, day, value = instance.sql(
        "SELECT id, stat, key, day, value FROM tally_rollup WHERE stat = 'org' ORDER BY id LIMIT 1"
    )[0]
    instance.sql("UPDATE tally_rollup SET value = %s WHERE id = %s", (value - 1, rid))
    try:
        done = instance.recount("--scheduler", scheduler)
    finally:
        instance.sql("UPDATE tally_rollup SET value = %s WHERE id = %s", (value, rid))
    assert done.returncode == 1
    head = f"org[{key}] {day}: rollup {value - 1}, "
    assert f"{head}ledger {value}" in done.stderr
    assert f"{head}statements {value}" in done.stderr
    assert f"{head}log {value}" in done.stderr
    assert "found 3 differences" in done.stderr


def test_every_stat_the_integrator_fills_is_recounted(instance: Instance, scheduler: str) -> None:
    """Derived from the code: whatever stats the rollups hold, a change to one is caught."""
    stats = [row[0] for row in instance.sql("SELECT DISTINCT stat FROM tally_rollup")]
    from santui.tally.models import Stat

    assert set(stats) == set(Stat.values)
    ids = [
        instance.sql(
            "SELECT id FROM tally_rollup WHERE stat = %s AND value > 0 ORDER BY id LIMIT 1",
            (stat,),
        )[0][0]
        for stat in stats
    ]
    instance.sql(
        f"UPDATE tally_rollup SET value = value + 1 WHERE id IN ({', '.join(map(str, ids))})"
    )
    try:
        done = instance.recount("--scheduler", scheduler)
    finally:
        instance.sql(
            f"UPDATE tally_rollup SET value = value - 1 WHERE id IN ({', '.join(map(str, ids))})"
        )
    assert done.returncode == 1
    named = {line.split("[")[0] for line in done.stderr.splitlines() if ": rollup " in line}
    assert named == set(stats)


def test_reparse_reports_a_changed_reading_by_id_and_field_only(
    instance: Instance, scheduler: str
) -> None:
    sid, suggested = instance.sql(
        "SELECT id, suggested FROM statements_statement WHERE source = 'test' ORDER BY id LIMIT 1"
    )[0]
    stored = json.loads(suggested) if isinstance(suggested, str) else suggested
    changed = {**stored, "headcount": stored["headcount"] + 1, "sector": "military"}
    instance.sql(
        "UPDATE statements_statement SET suggested = %s WHERE id = %s", (json.dumps(changed), sid)
    )
    try:
        done = instance.recount("--scheduler", scheduler, "--reparse", "--report", "out.jsonl")
    finally:
        instance.sql(
            "UPDATE statements_statement SET suggested = %s WHERE id = %s",
            (json.dumps(stored), sid),
        )
    assert done.returncode == 1
    assert "1 readings changed" in done.stdout
    report = (Path(instance.env["SANTUI_HOME"]) / "out.jsonl").read_text()
    assert [json.loads(line) for line in report.splitlines()] == [
        {"statement": sid, "changed": ["headcount", "sector"]}
    ]
    for text in TEXTS:  # no text, and no name in it, anywhere in what the command wrote
        for fragment in (text[:8], "张伟", "李红", "John Wang"):
            assert fragment not in done.stdout + done.stderr + report


def test_workers_on_another_instance_fail_the_run(
    instance: Instance, scheduler: str, tmp_path: Path
) -> None:
    """The client's instance is a copy whose log differs: the workers (started with the
    original's environment) see another checkpoint and the run stops instead of counting."""
    import shutil

    home = tmp_path / "copy"
    shutil.copytree(
        instance.env["SANTUI_HOME"], home, ignore=shutil.ignore_patterns("santui.sqlite3*")
    )
    env = {**instance.env, "SANTUI_HOME": str(home)}
    if instance.vendor == "sqlite":
        other = Instance(env, "sqlite", str(home / "santui.sqlite3"))
        with sqlite3.connect(instance.db) as src, sqlite3.connect(other.db) as dst:
            src.backup(dst)
        (home / "santui.sqlite3").chmod(0o600)
    else:
        name = urlsplit(instance.db).path.lstrip("/")
        _pg_admin(instance.db, f"DROP DATABASE IF EXISTS {name}_copy WITH (FORCE)")
        _pg_admin(instance.db, f"CREATE DATABASE {name}_copy TEMPLATE {name}")
        env["DATABASE_URL"] = urlunsplit(urlsplit(instance.db)._replace(path=f"/{name}_copy"))
        other = Instance(env, "postgresql", env["DATABASE_URL"])
    try:
        other.sql(
            "UPDATE tally_checkpoint SET root = %s WHERE size = "
            "(SELECT MAX(size) FROM tally_checkpoint)",
            (b"\x00" * 32,),
        )
        done = other.recount("--scheduler", scheduler)
    finally:
        if other.vendor == "postgresql":
            _pg_admin(instance.db, f"DROP DATABASE IF EXISTS {name}_copy WITH (FORCE)")
    assert done.returncode == 1
    assert "does not see the client's checkpoint" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    for args, message in (
        (["--workers", "0"], "--workers"),
        (["--workers", "100000"], "--workers"),
        (["--partition", "5"], "--partition"),
        (["--scheduler", "http://example.org/"], "tcp://"),
        (["--scheduler", "tcp://\x00bad:8786"], "tcp://"),
        (["--scheduler", "tcp://host:8786/../x"], "tcp://"),
        (["--reparse", "--report", str(tmp_path)], "cannot write the report"),
        (["--reparse", "--report", str(tmp_path / "no" / "such" / "dir.jsonl")], "cannot write"),
    ):
        with pytest.raises(CommandError) as info:
            call_command("history", "recount", "--no-progress", *args)
        assert message in str(info.value)


@given(st.text(max_size=300))
def test_a_reading_compared_with_itself_has_not_changed(text: str) -> None:
    if not text.strip():
        return
    reading = parse_statement(text).to_json()
    reading.pop("name")
    assert changed_fields(json.loads(json.dumps(reading)), text) == []


def test_fields_a_form_gave_are_not_compared() -> None:
    text = "本人张伟，北京人，退出中国共产党。"
    reading = parse_statement(text).to_json()
    stored = {**reading, "headcount": 40, "sector": "police"}
    assert changed_fields(stored, text) == ["headcount", "sector"]
    stored["confidence"] = {**reading["confidence"], "headcount": 1.0, "sector": 1.0}
    assert changed_fields(stored, text) == []
    assert set(READ_FIELDS) <= set(reading)
    assert "name" not in READ_FIELDS
