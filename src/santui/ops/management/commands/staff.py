import getpass
import time
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from santui.backoffice import signin
from santui.backoffice.audit import STAFF_COMMAND, security_change
from santui.backoffice.models import SecurityChange
from santui.backoffice.roles import ROLES, ensure_roles
from santui.backoffice.twofactor import reset_two_factor

VIA = STAFF_COMMAND


class Command(BaseCommand):
    help = (
        "Create or update a back-office account with a role; reset its two-step sign-in, "
        "lift a sign-in lockout, or show its state."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES))
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        parser.add_argument(
            "--reset-2fa",
            action="store_true",
            help="forget the account's authenticator app and backup codes: it sets up a new "
            "app at its next sign-in, and every session of it ends",
        )
        parser.add_argument(
            "--unlock", action="store_true", help="lift a lockout after failed sign-ins"
        )
        parser.add_argument(
            "--show", action="store_true", help="the account's role, second step and lockout"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        manage = options["reset_2fa"] or options["unlock"] or options["show"]
        if options["role"] is None and not manage:
            raise CommandError("give --role, or --reset-2fa, --unlock or --show")
        if options["role"] is not None:
            self._create_or_update(username, options["role"], stdin=options["password_stdin"])
        if not manage:
            return
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username!r}")
        if options["reset_2fa"]:
            removed = reset_two_factor(user)
            ended = end_sessions(user)
            security_change(
                account=user, kind=SecurityChange.TWO_FACTOR_RESET, via=VIA,
                detail=f"{removed} devices removed, {ended} sessions ended",
            )  # fmt: skip
            self.stdout.write(
                f"reset two-step sign-in of {username}: {removed} devices removed, "
                f"{ended} sessions ended"
            )
        if options["unlock"]:
            signin.unlock(username)
            security_change(account=user, kind=SecurityChange.UNLOCK, via=VIA)
            self.stdout.write(f"unlocked {username}")
        if options["show"]:
            self._show(user)

    def _create_or_update(self, username: str, role: str, *, stdin: bool) -> None:
        groups = ensure_roles()
        password = input().strip() if stdin else getpass.getpass("Password: ")
        if len(password) < 12:
            raise CommandError("the password must have at least 12 characters")
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username)
            try:
                validate_password(password, user)  # AUTH_PASSWORD_VALIDATORS
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            user.is_staff = True
            user.is_superuser = role == "administrator"
            user.set_password(password)
            user.save()
            user.groups.set([groups[role]])
            # audited: who had a password and a role set, never the password (issue 12)
            security_change(account=user, kind=SecurityChange.PASSWORD, via=VIA)
            security_change(account=user, kind=SecurityChange.ROLE, via=VIA, detail=role)
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} {user.username} as {role}")

    def _show(self, user: User) -> None:
        roles = ", ".join(user.groups.values_list("name", flat=True)) or "-"
        second = "set up" if signin.has_device(user) else "not set up"
        until = signin.locked_until(user.get_username())
        locked = "no" if until is None else f"for {int(until - time.time())} s"
        self.stdout.write(
            f"{user.username}: role {roles}; staff {user.is_staff}; two-step sign-in {second}; "
            f"locked {locked}"
        )


def end_sessions(user: User) -> int:
    """Delete every stored session of ``user`` (database sessions: the default engine)."""
    ended = 0
    for session in Session.objects.iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
