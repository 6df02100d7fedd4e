from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from santui.backoffice.roles import ensure_roles
from santui.tally.log import log_signer


class Command(BaseCommand):
    help = (
        "Prepare an instance: key file, database schema, staff roles, static files, the public "
        "log's signing key. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        settings.SANTUI_HOME.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        ensure_roles()
        call_command("collectstatic", interactive=False, verbosity=0)
        vkey = log_signer().verifier.vkey  # made on first run, like the key file
        self.stdout.write(
            f"santui ready: data in {settings.SANTUI_HOME}, keys in {settings.SANTUI_KEY_FILE}\n"
            f"public log key (publish it): {vkey}"
        )
