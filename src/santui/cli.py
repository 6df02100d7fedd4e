"""The `santui` console script.

`santui`, `santui help` and `santui --help` print santui's own commands, grouped, one line each
(argparse; no settings, database or keys needed). Every command then runs as a Django management
command with santui's settings; Django's own commands stay reachable (`santui django` lists
them, `santui migrate` still works). A command that needs the instance before `santui setup`
made it, or one run with a broken settings file, stops with one line saying what to do
(santui.config.instance), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from santui.config import instance

# santui's commands by what they are for, each with one line (docs/cli.md has the details).
GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("running", (
        ("serve", "serve the public site; --office: the back office (own port)"),
        ("integrate", "fold counted statements into the figures and the log"),
        ("office-jobs", "carry out the office's large decisions (background jobs)"),
        ("public-copies", "write the published names and texts the public site shows"),
    )),
    ("intake", (
        ("import", "import statements from a JSON Lines or CSV file"),
        ("ingest-mail", "take statements in from .eml, mbox, Maildir or IMAP"),
        ("parse", "print what the parser reads in texts on stdin, as JSON"),
    )),
    ("screening", (
        ("screen", "screen what arrived: count, hold for a person, or duplicate"),
        ("review", "draw a day's sample for the blind re-review (review draw)"),
    )),
    ("statistics and publishing", (
        ("stats", "print the figures; `stats release` releases what is due"),
        ("export", "write the open-data files of /data/ to a folder"),
        ("tally", "recount from source and check the public log (tally verify)"),
        ("history", "recount the whole history on a Dask cluster (history recount)"),
    )),
    ("public log", (
        ("log", "the public log: key, export, verify, cosign, check-proof"),
    )),
    ("staff and setup", (
        ("setup", "make or update the instance: keys, database, settings"),
        ("staff", "create or update a back-office account"),
        ("demo", "load demo statements that follow the published milestones"),
        ("retention", "delete personal data past its period (retention run)"),
    )),
)  # fmt: skip
PREPARING = frozenset({"setup", "serve"})  # commands that make the instance if it is missing
NEEDS_NOTHING = frozenset({"parse", "help", "version"})  # no instance read or made
HELP_FLAGS = frozenset({"-h", "--help"})


def santui_commands() -> list[str]:
    """Every management command santui's own apps define (file names; Django not started)."""
    from django.core.management import find_commands

    package = Path(__file__).resolve().parent
    return sorted(
        name for folder in package.glob("*/management") for name in find_commands(str(folder))
    )


def instance_line() -> str:
    home = instance.home()
    given = os.environ.get("SANTUI_KEY_FILE", "").strip()
    key_file = Path(given) if given else home / instance.KEY_FILE_NAME
    if os.environ.get("SANTUI_HOME", "").strip():
        origin = "from SANTUI_HOME"
    elif instance.checkout_root() is not None:
        origin = "SANTUI_HOME unset: this checkout's var/"
    else:
        origin = "SANTUI_HOME unset: the default"
    state = "ready" if instance.exists(home, key_file) else "not made yet: run `santui setup`"
    return f"instance: {home}\n  ({origin}), {state}"


def help_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="santui",
        usage="santui COMMAND [ARGUMENTS]",
        description="santui (三退): a registry of withdrawal statements and its public figures.",
        epilog=(
            "santui COMMAND --help   a command's options (or `santui help COMMAND`)\n"
            "santui django           Django's own commands (migrate, shell, …)\n"
            f"{instance_line()}\n"
            "Every command: docs/cli.md. Settings: docs/configuration.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,  # santui -h is handled in main(), before any parsing
    )
    listed = set()
    for title, commands in GROUPS:
        group = parser.add_argument_group(title)
        for name, line in commands:
            group.add_argument(name, nargs="?", help=line)
            listed.add(name)
    others = [name for name in santui_commands() if name not in listed]
    if others:
        group = parser.add_argument_group("other")
        for name in others:
            group.add_argument(name, nargs="?", help=f"see `santui {name} --help`")
    return parser


def _mode(words: list[str]) -> instance.Mode:
    if words[0] in PREPARING and not HELP_FLAGS & set(words):
        return "prepare"
    if words[0] in NEEDS_NOTHING or HELP_FLAGS & set(words):
        return "none"
    return "exist"


def _stop(message: str) -> None:
    sys.stderr.write(f"santui: {message}\n")
    sys.exit(2)


def _database_not_ready() -> str | None:
    """After a database error: one line if the schema is missing or behind (setup not run)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot use the database ({first}): is it running, and DATABASE_URL right?"
    if plan:
        return (
            f"the database lacks {len(plan)} migration(s) of this version: run `santui setup` first"
        )
    return None


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    words = args[1:]
    if not words or words == ["help"] or words[0] in ("-h", "--help"):
        help_parser().print_help()
        sys.exit(0)
    if words == ["--version"]:
        from importlib.metadata import version

        sys.stdout.write(f"santui {version('santui')}\n")
        sys.exit(0)
    if words[0] == "django":  # Django's own commands, listed by Django
        words = words[1:] or ["help"]
    if len(words) > 1 and words[0] == "log":
        from santui.tlog.cli import CLIENT_COMMANDS
        from santui.tlog.cli import main as log_client

        if words[1] in CLIENT_COMMANDS:  # anyone's commands: no settings, database or keys
            sys.exit(log_client(words[1:]))
    if words[0] == "parse":  # needs no instance, database or app: Django is not set up
        from santui.intake.management.commands.parse import Command as Parse

        Parse().run_from_argv(["santui", *words])
        sys.exit(0)
    instance.MODE = _mode(words)
    if words[0] == "serve":  # the server's role chooses its URL conf and keys (settings)
        os.environ["SANTUI_ROLE"] = "office" if "--office" in words else "public"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["santui", *words])
    except instance.InstanceError as exc:
        _stop(str(exc))
    except (OperationalError, ProgrammingError):
        message = _database_not_ready()
        if message is None:
            raise
        _stop(message)
