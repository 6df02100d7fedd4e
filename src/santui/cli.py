"""The `santui` console script: Django's management commands with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 2 and args[1] == "log":
        from santui.tlog.cli import CLIENT_COMMANDS
        from santui.tlog.cli import main as log_client

        if args[2] in CLIENT_COMMANDS:  # anyone's commands: no settings, no database, no keys
            sys.exit(log_client(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.prod")
    from django.core.management import execute_from_command_line

    args[0] = "santui"
    execute_from_command_line(args)
