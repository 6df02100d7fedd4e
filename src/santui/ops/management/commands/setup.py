from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from santui.backoffice.roles import ensure_roles
from santui.config import instance
from santui.config.keys import without_data
from santui.statements import officekey
from santui.statements.crypto import forget_office
from santui.tally.log import log_signer


def _effective(figure: instance.Figure) -> int | str:
    value: int | str = getattr(settings, figure.variable)
    return value


class Command(BaseCommand):
    help = (
        "Prepare an instance: key file, the office key pair (on the office), database schema, "
        "staff roles, static files, the public log's signing key and the settings file "
        "santui.toml (the settings that change figures). Idempotent."
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
        parser.add_argument(
            "--passphrase",
            action="store_true",
            help="protect the office private key with a passphrase, or change it (asked twice)",
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
        office_line = self._office_key(options["passphrase"])
        self.stdout.write(
            f"santui ready: data in {home}, keys in {settings.SANTUI_KEY_FILE}\n"
            f"{office_line}\n"
            f"settings in {home / instance.SETTINGS_NAME}: "
            + ", ".join(f"{k} = {v}" for k, v in file_values.items())
            + f"\npublic log key (publish it): {vkey}"
        )

    def _office_key(self, new_passphrase: bool) -> str:
        """Check the office key pair (the settings made it on the office's first run); on the
        office, move the key file's first-format ``data`` keys into the office key file, so
        that the key file the public host gets decrypts nothing. One line says where they are."""
        public = settings.SANTUI_OFFICE_PUBLIC_KEY_FILE
        private = settings.SANTUI_OFFICE_KEY_FILE
        try:
            officekey.load_public(public)
        except officekey.OfficeKeyError as exc:
            raise CommandError(str(exc)) from None
        if settings.SANTUI_ROLE == "public" and private.is_file():
            self.stderr.write(
                f"note: this host holds the office private key {private}: right on one machine "
                "(scripts/run), wrong on the public host of two (move it to the office)"
            )
        if settings.SANTUI_ROLE == "public" or not private.is_file():
            if settings.KEYS.data:
                self.stderr.write(
                    f"warning: {settings.SANTUI_KEY_FILE} holds first-format data keys, which "
                    "decrypt names stored before the office key: run `santui setup` on the "
                    "office, then copy its key file (without them) here"
                )
            return f"office public key in {public}; no office private key here (public host)"
        if settings.KEYS.data or new_passphrase:
            passphrase = os.environ.get("SANTUI_OFFICE_PASSPHRASE") or None
            if passphrase is None and officekey.is_protected(private):
                if not sys.stdin.isatty():
                    raise CommandError(
                        f"the office key {private} is protected by a passphrase: run "
                        "`santui setup` in a terminal or give it in SANTUI_OFFICE_PASSPHRASE"
                    )
                passphrase = getpass.getpass("Passphrase of the office key: ")
            try:
                office = officekey.load_private(private, passphrase)
            except officekey.OfficeKeyError as exc:
                raise CommandError(str(exc)) from None
            if new_passphrase:
                passphrase = self._ask_new_passphrase()
            legacy = tuple(dict.fromkeys((*office.legacy, *settings.KEYS.data)))
            officekey.rewrite(office, passphrase=passphrase, legacy=legacy)
            forget_office()  # read again, with the keys it now holds
            if settings.KEYS.data:
                settings.KEYS = without_data(settings.KEYS)
                self.stdout.write(
                    f"moved {len(legacy)} first-format data key(s) from "
                    f"{settings.SANTUI_KEY_FILE} into the office key file {private}"
                )
        protected = "passphrase-protected" if officekey.is_protected(private) else "no passphrase"
        return (
            f"office private key in {private} ({protected}; keep it on the office only), "
            f"public key in {public} (copy it to the public host)"
        )

    def _ask_new_passphrase(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("--passphrase asks for the new passphrase: run it in a terminal")
        first = getpass.getpass("New passphrase of the office key: ")
        if len(first) < 12:
            raise CommandError("a passphrase has at least 12 characters")
        if getpass.getpass("The same again: ") != first:
            raise CommandError("the two passphrases differ: nothing changed")
        return first

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
