"""`santui log`: key, checkpoint, export in the tlog-tiles layout, and the independent verifier
and witness run against the export and against the live site."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from santui.cli import main as santui_main
from santui.statements.actions import statement_reject
from santui.tally import log
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tlog import note, tiles
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

DAY = dt.datetime(2008, 8, 8, 4, 0, tzinfo=dt.UTC)


def _populate(n: int = 270) -> None:
    statements = [AcceptedStatementFactory(received_at=DAY, headcount=1 + i % 4) for i in range(n)]
    tally_integrate()
    statement_reject(statement=statements[3], by=None, reason="spam", via="t")
    ReceivedStatementFactory()
    tally_integrate()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("log", *args, stdout=out)
    return out.getvalue()


def _client(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        santui_main(["santui", "log", *args])
    return int(exit_info.value.code or 0), capsys.readouterr().out


@pytest.mark.django_db
def test_key_and_checkpoint_on_demand() -> None:
    vkey = _run("key").strip()
    assert note.parse_vkey(vkey) == log.log_signer().verifier
    AcceptedStatementFactory(received_at=DAY)  # queued, not integrated
    text = _run("checkpoint")
    checkpoint, _ = note.open_checkpoint(text, note.parse_vkey(vkey))
    assert checkpoint.size == 1


@pytest.mark.django_db
def test_keygen_never_overwrites_the_log_key() -> None:
    log.log_signer()
    with pytest.raises(CommandError, match="already has a key"):
        call_command("log", "keygen")


@pytest.mark.django_db
def test_export_writes_exactly_the_tlog_tiles_layout(tmp_path: Path) -> None:
    _populate()
    summary = _run("export", str(tmp_path), "--no-progress")
    assert "exported log of 271 leaves" in summary
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    expected = sorted(
        ["checkpoint", "stats.json"]
        + [tiles.tile_path(level, index, width) for level, index, width in tiles.tiles_for(271)]
    )
    assert files == expected
    assert "tile/0/000" in files and "tile/0/001.p/15" in files and "tile/1/000.p/1" in files
    assert "tile/entries/001.p/15" in files
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["log_size"] == 271


@pytest.mark.django_db
def test_verifier_accepts_the_export_and_catches_edits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _populate()
    export = tmp_path / "export"
    _run("export", str(export), "--no-progress")
    vkey = log.log_signer().verifier.vkey
    state = str(tmp_path / "state.json")
    code, out = _client(capsys, "verify", str(export), "--key", vkey, "--state", state, "--quiet")
    assert code == 0, out
    assert "VERIFIED" in out and "stats at size 271 match the log" in out

    stats = json.loads((export / "stats.json").read_text())
    stats["organizations"]["league"] += 1
    (export / "stats.json").write_text(json.dumps(stats))
    code, out = _client(capsys, "verify", str(export), "--key", vkey, "--state", state, "--quiet")
    assert code == 1
    assert "STATS: org:league published" in out and "NOT VERIFIED" in out

    other = note.Signer.generate("someone-else")
    code, out = _client(
        capsys, "verify", str(export), "--key", other.verifier.vkey, "--state", state, "--quiet"
    )
    assert code == 1 and "CHECKPOINT" in out


@pytest.mark.django_db(transaction=True)
def test_verifier_and_witness_against_the_live_site(
    live_server: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A transactional test's flush empties every table, the state row of the data migration
    # too, when another such test ran first on this worker.
    IntegrationState.objects.get_or_create(pk=1)
    _populate(40)
    url = str(live_server.url)  # type: ignore[attr-defined]
    vkey = log.log_signer().verifier.vkey
    code, out = _client(
        capsys, "verify", url, "--key", vkey, "--state", str(tmp_path / "v.json"), "--quiet"
    )
    assert code == 0, out
    assert "all 41 leaves hash to the signed root" in out

    key_file = tmp_path / "witness.key"
    code, out = _client(capsys, "witness-key", "w.example", "--out", str(key_file))
    assert code == 0
    witness_vkey = out.strip()
    assert key_file.stat().st_mode & 0o777 == 0o600
    code, out = _client(
        capsys, "cosign", url, "--log-key", vkey, "--witness-key", str(key_file),
        "--state", str(tmp_path / "w.json"),
    )  # fmt: skip
    assert code == 0, out
    cosigned = note.parse(out)
    assert note.verify_cosignature(cosigned, note.parse_vkey(witness_vkey)) > 0

    # the site grows; the witness checks consistency with what it saw before cosigning again
    AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    code, out = _client(
        capsys, "cosign", url, "--log-key", vkey, "--witness-key", str(key_file),
        "--state", str(tmp_path / "w.json"),
    )  # fmt: skip
    assert code == 0, out
    assert note.parse_checkpoint(note.parse(out).text).size == 42
