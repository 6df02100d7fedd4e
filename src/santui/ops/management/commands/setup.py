from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from santui.backoffice.roles import ensure_roles
from santui.config import instance
from santui.tally.log import log_signer


def _effective(figure: instance.Figure) -> int | str:
    value: int | str = getattr(settings, figure.variable)
    return value


class Command(BaseCommand):
    help = (
        "Prepare an instance: key file, database schema, staff roles, static files, the public "
        "log's signing key and the settings file santui.toml (the settings that change figures). "
        "Idempotent."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            dest="assignments",
            help=(
                "write a setting into santui.toml: "
                + ", ".join(f.key for f in instance.FIGURES)
                + " (repeatable)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            changes = dict(instance.parse_assignment(a) for a in options["assignments"])
        except instance.InstanceError as exc:
            raise CommandError(str(exc)) from None
        home = settings.SANTUI_HOME
        home.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        ensure_roles()
        call_command("collectstatic", interactive=False, verbosity=0)
        vkey = log_signer().verifier.vkey  # made on first run, like the key file
        file_values = self._settings_file(changes)
        self.stdout.write(
            f"santui ready: data in {home}, keys in {settings.SANTUI_KEY_FILE}\n"
            f"settings in {home / instance.SETTINGS_NAME}: "
            + ", ".join(f"{k} = {v}" for k, v in file_values.items())
            + f"\npublic log key (publish it): {vkey}"
        )

    def _settings_file(self, changes: dict[str, int | str]) -> dict[str, int | str]:
        """Write santui.toml when it is missing (with the values in force now: an environment
        variable set for this first run is kept) or when --set changes it; say which
        environment variables override it."""
        home = settings.SANTUI_HOME
        current = instance.read_settings(home)
        if not current:
            current = {f.key: _effective(f) for f in instance.FIGURES}
            changes = changes or current
        if "reporting_tz" in changes and changes["reporting_tz"] != current.get("reporting_tz"):
            from santui.statements.models import LedgerEntry

            if LedgerEntry.objects.exists():  # its days, rollups and log are in the old zone
                raise CommandError(
                    "reporting_tz cannot change once statements are counted: their days, the "
                    "rollups and the public log are in the zone they were counted in"
                )
        if changes:
            current |= changes
            instance.write_settings(home, current)
        for figure in instance.FIGURES:
            value = os.environ.get(figure.variable)
            if value is not None and str(current.get(figure.key)) != value.strip():
                self.stdout.write(
                    f"note: {figure.variable}={value} in the environment overrides "
                    f"{figure.key} = {current.get(figure.key)} of santui.toml in this shell only"
                )
        return current
