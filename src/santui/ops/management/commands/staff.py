import getpass
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from santui.backoffice.roles import ROLES, ensure_roles


class Command(BaseCommand):
    help = "Create or update a back-office account with a role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        groups = ensure_roles()
        stdin = options["password_stdin"]
        password = input().strip() if stdin else getpass.getpass("Password: ")
        if len(password) < 12:
            raise CommandError("the password must have at least 12 characters")
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=options["username"])
            user.is_staff = True
            user.is_superuser = options["role"] == "administrator"
            user.set_password(password)
            user.save()
            user.groups.set([groups[options["role"]]])
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} {user.username} as {options['role']}")
