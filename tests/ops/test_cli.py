"""Issue 16, newcomers: `santui --help` lists santui's own commands, grouped, one line each;
Django's own stay reachable; and a command run where there is no instance says in one line what
to do, creating nothing (the real console script, run as a newcomer would)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from santui.cli import GROUPS, santui_commands
from santui.config.instance import checkout_root

SANTUI = str(Path(sys.executable).parent / "santui")


def _env(home: Path | None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANTUI_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    if home is not None:
        env["SANTUI_HOME"] = str(home)
    env["COLUMNS"] = "80"
    return env | extra


def run(
    *args: str, home: Path | None, cwd: Path, stdin: bytes = b"", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own console script
        [SANTUI, *args], env=_env(home, **extra), cwd=cwd, input=stdin.decode(),
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def _listed(text: str) -> dict[str, str]:
    """{command: its line} from the help's group sections."""
    out = {}
    for line in text.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, rest = line.strip().partition(" ")
            out[name] = rest.strip()
    return out


def test_every_santui_command_is_in_one_group_and_only_real_ones_are() -> None:
    grouped = [name for _, commands in GROUPS for name, _ in commands]
    assert len(grouped) == len(set(grouped)), "a command in two groups"
    ours = {name for name, app in get_commands().items() if app.startswith("santui")}
    assert set(santui_commands()) == ours
    assert set(grouped) == ours, f"ungrouped: {ours - set(grouped)}, unknown: {set(grouped) - ours}"


def test_help_lists_groups_one_line_each_and_keeps_django_out(tmp_path: Path) -> None:
    shown = run("--help", home=None, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    for title, commands in GROUPS:
        assert f"\n{title}:\n" in text
        for name, line in commands:
            assert f"  {name}" in text and line in text
    listed = _listed(text)
    assert {name for _, commands in GROUPS for name, _ in commands} <= set(listed)
    assert all(len(line) <= 80 for line in text.splitlines()), "a line wraps at 80 columns"
    for django_command in ("migrate", "createsuperuser", "shell", "dumpdata", "runserver"):
        assert django_command not in listed
    assert "santui django" in text
    assert "Traceback" not in shown.stderr
    # Run from another folder without SANTUI_HOME: the checkout's var/, not ./var.
    root = checkout_root()
    assert root is not None and f"instance: {root / 'var'}\n" in text
    # No arguments and `help` print the same screen; nothing is made anywhere.
    assert run(home=None, cwd=tmp_path).stdout == text
    assert run("help", home=None, cwd=tmp_path).stdout == text
    assert list(tmp_path.iterdir()) == []


def test_help_names_the_instance_and_whether_it_exists(tmp_path: Path) -> None:
    home = tmp_path / "inst"
    text = run("--help", home=home, cwd=tmp_path).stdout
    assert f"instance: {home}" in text and "run `santui setup`" in text
    assert not home.exists()


def test_djangos_own_commands_stay_reachable(tmp_path: Path) -> None:
    listing = run("django", home=tmp_path / "none", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "migrate" in listing.stdout and "createsuperuser" in listing.stdout
    for args in (("migrate", "--help"), ("django", "migrate", "--help"), ("help", "migrate")):
        shown = run(*args, home=tmp_path / "none", cwd=tmp_path)
        assert shown.returncode == 0, (args, shown.stderr)
        assert "--run-syncdb" in shown.stdout
    assert not (tmp_path / "none").exists()


def test_a_commands_own_help_needs_no_instance(tmp_path: Path) -> None:
    shown = run("stats", "--help", home=tmp_path / "none", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "--public" in shown.stdout
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize(
    "args",
    [("stats",), ("export", "out"), ("staff", "alice", "--role", "moderator"),
     ("import", "rows.jsonl"), ("screen",), ("tally", "verify"), ("log", "key"), ("demo",),
     ("integrate",), ("migrate",)],
)  # fmt: skip
def test_before_setup_a_command_says_what_to_do_in_one_line(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    home = tmp_path / "not-yet"
    done = run(*args, home=home, cwd=tmp_path)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"santui: no santui instance at {home}")
    assert "santui setup" in lines[0] and "SANTUI_HOME" in lines[0]
    assert not home.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no ./var, no ./out


def test_an_existing_but_empty_folder_gets_no_keys(tmp_path: Path) -> None:
    done = run("stats", home=tmp_path, cwd=tmp_path)
    assert done.returncode == 2 and "santui setup" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_var_folder_here_is_named_but_not_taken(tmp_path: Path) -> None:
    """Run from a folder holding an instance in ./var, with SANTUI_HOME pointing elsewhere:
    the line names ./var and how to use it; nothing is read from or written to it."""
    (tmp_path / "var" / "keys").mkdir(parents=True)
    (tmp_path / "var" / "keys" / "santui-keys.json").write_text("{}")
    done = run("stats", home=tmp_path / "elsewhere", cwd=tmp_path)
    assert done.returncode == 2
    assert f"SANTUI_HOME={tmp_path / 'var'}" in done.stderr
    assert sorted(p.name for p in (tmp_path / "var").rglob("*")) == ["keys", "santui-keys.json"]


def test_parse_needs_no_instance_and_makes_none(tmp_path: Path) -> None:
    done = run("parse", home=tmp_path / "none", cwd=tmp_path, stdin="三退 李明\n".encode())
    assert done.returncode == 0, done.stderr
    assert '"party"' in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_anyones_log_commands_need_no_instance(tmp_path: Path) -> None:
    done = run("log", "witness-key", "w.example", "--out", str(tmp_path / "w.key"),
               home=tmp_path / "none", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.key"]


def test_a_broken_key_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    for content in (b"", b"not json", b'{"django_secret": "x"}', b"\xff\xfe", b"[" * 100_000):
        (tmp_path / "keys" / "santui-keys.json").write_bytes(content)
        done = run("stats", home=tmp_path, cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, (content[:20], done)
        assert len(done.stderr.strip().splitlines()) == 1
        assert "is not a santui key file" in done.stderr


def test_keys_but_no_schema_says_run_setup(tmp_path: Path) -> None:
    from santui.config.keys import load_or_create

    load_or_create(tmp_path / "keys" / "santui-keys.json")
    done = run("stats", home=tmp_path, cwd=tmp_path)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "run `santui setup` first" in done.stderr


def test_version(tmp_path: Path) -> None:
    done = run("--version", home=None, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("santui ")
