"""Issue 16: the settings that change figures belong to the instance ($SANTUI_HOME/santui.toml,
written by `santui setup`, the environment still winning), so that `santui stats`, `santui
export` and the site agree whichever shell runs them; and where the instance lives."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from santui.config import instance
from santui.config.instance import FIGURES, InstanceError

SANTUI = str(Path(sys.executable).parent / "santui")
ZONES = ("Asia/Shanghai", "Asia/Taipei", "America/New_York", "Europe/Berlin", "UTC")


# --- the settings file -------------------------------------------------------------------------
@st.composite
def figure_values(draw: st.DrawFn) -> dict[str, int | str]:
    out: dict[str, int | str] = {}
    for figure in FIGURES:
        if draw(st.booleans()):
            if isinstance(figure.default, str):
                out[figure.key] = draw(st.sampled_from(ZONES))
            else:
                out[figure.key] = draw(st.integers(figure.minimum or 0, 2**62))
    return out


@given(values=figure_values())
def test_what_setup_writes_reads_back_the_same(values: dict[str, int | str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        path = instance.write_settings(Path(home), values)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        back = instance.read_settings(Path(home))
    assert back == {f.key: values.get(f.key, f.default) for f in FIGURES}


@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_settings_or_one_line_saying_why(raw: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        (Path(home) / "santui.toml").write_bytes(raw)
        try:
            values, message = instance.read_settings(Path(home)), ""
        except InstanceError as exc:
            values, message = {}, str(exc)
    assert set(values) <= {f.key for f in FIGURES}
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"milestone_step = ", "not valid TOML"),
        (b"milestone_step = 0\n", "at least 1"),
        (b"suppress_below = -3\n", "at least 1"),
        (b"release_lag_days = true\n", "whole number"),
        (b'milestone_step = "many"\n', "whole number"),
        (b"milestone_step = 1.5\n", "whole number"),
        (b'reporting_tz = "Mars/Olympus"\n', "unknown time zone"),
        (b'reporting_tz = "../../etc/passwd"\n', "unknown time zone"),
        (b"reporting_tz = 8\n", "time zone name"),
        (b"milstone_step = 5\n", "unknown setting 'milstone_step'"),
        (b"[figures]\nmilestone_step = 5\n", "unknown setting 'figures'"),
        ("milestone_step = 5 # 三退\n".encode("gb18030"), "not UTF-8"),
        (b"a = [" * 5000, "not valid TOML"),
        (b"# " + b"x" * (instance.MAX_SETTINGS_BYTES + 10), "not a settings file"),
    ],
)
def test_a_bad_settings_file_is_one_line_naming_it(
    tmp_path: Path, content: bytes, says: str
) -> None:
    (tmp_path / "santui.toml").write_bytes(content)
    with pytest.raises(InstanceError) as caught:
        instance.read_settings(tmp_path)
    message = str(caught.value)
    assert says in message and str(tmp_path / "santui.toml") in message
    assert "\n" not in message


def test_the_environment_wins_over_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    layered = instance.LayeredEnviron({"milestone_step": 500, "reporting_tz": "Asia/Taipei"})
    monkeypatch.delenv("SANTUI_MILESTONE_STEP", raising=False)
    monkeypatch.delenv("SANTUI_REPORTING_TZ", raising=False)
    assert layered.get("SANTUI_MILESTONE_STEP", "1000000") == "500"
    assert layered.get("SANTUI_SUPPRESS_BELOW", "10") == "10"
    monkeypatch.setenv("SANTUI_MILESTONE_STEP", "7")
    assert layered.get("SANTUI_MILESTONE_STEP", "1000000") == "7"
    monkeypatch.setenv("SANTUI_MILESTONE_STEP", "seven")
    with pytest.raises(InstanceError, match="environment variable SANTUI_MILESTONE_STEP"):
        layered.get("SANTUI_MILESTONE_STEP", "1000000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("milestone_step=500", ("milestone_step", 500)),
     ("SANTUI_REPORTING_TZ=Asia/Taipei", ("reporting_tz", "Asia/Taipei")),
     (" suppress_below = 1_000 ", ("suppress_below", 1000))],
)  # fmt: skip
def test_set_assignments(text: str, expected: tuple[str, int | str]) -> None:
    assert instance.parse_assignment(text) == expected


@pytest.mark.parametrize("text", ["milestone_step", "colour=red", "milestone_step=0", "=5",
                                  "release_lag_days=-1", "reporting_tz=Nowhere/Land"])  # fmt: skip
def test_bad_set_assignments(text: str) -> None:
    with pytest.raises(InstanceError):
        instance.parse_assignment(text)


# --- where the instance lives -----------------------------------------------------------------
def test_the_default_home_does_not_follow_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SANTUI_HOME", raising=False)
    first = instance.home()
    monkeypatch.chdir(tmp_path)
    assert instance.home() == first
    assert tmp_path not in first.parents
    root = instance.checkout_root()
    assert root is not None and first == root / "var"  # the tests run from a checkout
    monkeypatch.setenv("SANTUI_HOME", "rel/home")
    assert instance.home() == tmp_path / "rel" / "home"


# --- the real commands ------------------------------------------------------------------------
def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANTUI_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    return env | {"SANTUI_HOME": str(home)} | extra


def santui(*args: str, home: Path, **extra: str) -> str:
    done = subprocess.run(  # noqa: S603  # our own console script
        [SANTUI, *args], env=_env(home, **extra), cwd=home.parent,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo instance whose milestone step is only in its settings file."""
    home = tmp_path_factory.mktemp("inst") / "home"
    out = santui("setup", home=home)
    assert f"settings in {home / 'santui.toml'}" in out
    assert stat.S_IMODE((home / "santui.toml").stat().st_mode) == 0o600
    written = tomllib.loads((home / "santui.toml").read_text())
    assert written == {f.key: f.default for f in FIGURES}  # the defaults, all spelled out
    santui("setup", "--set", "milestone_step=200", home=home)
    assert tomllib.loads((home / "santui.toml").read_text())["milestone_step"] == 200
    santui("demo", "--scale", "0.00001", "--pending", "0", "--no-progress", home=home)
    return home


def test_stats_reads_the_instance_settings_and_the_environment_wins(demo_home: Path) -> None:
    doc = json.loads(santui("stats", "--json", home=demo_home))
    assert doc["milestone_step"] == 200 and len(doc["milestones"]) >= 10
    doc = json.loads(santui("stats", "--json", home=demo_home, SANTUI_MILESTONE_STEP="1000"))
    assert doc["milestone_step"] == 1000
    assert {m["persons"] for m in doc["milestones"]} <= set(range(1000, 10**6, 1000))


def test_export_and_the_site_give_the_same_milestones(demo_home: Path, tmp_path: Path) -> None:
    """Run in other processes than setup, with nothing in the environment: the figures come
    from the instance (before santui.toml, `santui export` wrote an empty milestones.csv while
    the site, started by scripts/run with the step in its environment, served them)."""
    santui("export", str(tmp_path / "out"), "--format", "csv", "--no-progress", home=demo_home)
    exported = (tmp_path / "out" / "milestones.csv").read_bytes()
    script = (
        "import django, sys; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(SERVER_NAME='localhost').get('/data/milestones.csv')\n"
        "assert r.status_code == 200, r.status_code\n"
        "sys.stdout.buffer.write(b''.join(r.streaming_content) if r.streaming else r.content)\n"
    )
    served = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, timeout=300, check=True,
        env=_env(demo_home, DJANGO_SETTINGS_MODULE="santui.config.settings.prod"),
    ).stdout  # fmt: skip
    assert exported == served
    assert len(exported.splitlines()) > 10  # a header and the milestones every 200 persons


def test_setup_keeps_an_edited_file_and_names_an_overriding_variable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    santui("setup", home=home, SANTUI_REPORTING_TZ="Asia/Taipei")  # kept: set at the first run
    assert tomllib.loads((home / "santui.toml").read_text())["reporting_tz"] == "Asia/Taipei"
    (home / "santui.toml").write_text('suppress_below = 20\nreporting_tz = "UTC"\n')
    out = santui("setup", home=home, SANTUI_SUPPRESS_BELOW="11")
    assert (home / "santui.toml").read_text() == 'suppress_below = 20\nreporting_tz = "UTC"\n'
    assert "SANTUI_SUPPRESS_BELOW=11 in the environment overrides suppress_below = 20" in out
    doc = json.loads(santui("stats", "--json", home=home))
    assert doc["timezone"] == "UTC"


def test_a_bad_settings_file_stops_every_command_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    santui("setup", home=home)
    (home / "santui.toml").write_text("milestone_step = -5\n")
    for args in (("stats",), ("setup",), ("serve",), ("export", str(tmp_path / "x"))):
        done = subprocess.run(  # noqa: S603
            [SANTUI, *args], env=_env(home), capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr)
        assert done.stderr.strip() == (
            f"santui: {home / 'santui.toml'}: milestone_step must be at least 1, not -5"
        )
    assert not (tmp_path / "x").exists()


@pytest.mark.django_db
def test_the_reporting_zone_cannot_change_once_statements_are_counted(
    settings: Any, tmp_path: Path
) -> None:
    from django.core.management import CommandError

    from santui.config import instance
    from santui.ops.management.commands.setup import Command
    from santui.statements.models import LedgerEntry
    from tests.factories import AcceptedStatementFactory

    settings.SANTUI_HOME = tmp_path
    Command()._settings_file({"reporting_tz": "Europe/Berlin"})  # nothing counted yet
    assert instance.read_settings(tmp_path)["reporting_tz"] == "Europe/Berlin"
    AcceptedStatementFactory()
    assert LedgerEntry.objects.exists()
    with pytest.raises(CommandError, match="cannot change once statements are counted"):
        Command()._settings_file({"reporting_tz": "Asia/Shanghai"})
    assert instance.read_settings(tmp_path)["reporting_tz"] == "Europe/Berlin"
    Command()._settings_file({"milestone_step": 500})  # what changes no day still may
    assert instance.read_settings(tmp_path)["milestone_step"] == 500
