"""Staff roles as Django groups. `ensure_roles` is idempotent; `santui setup` runs it."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

INTAKE_VOLUNTEER = "intake volunteer"
MODERATOR = "moderator"
ADMINISTRATOR = "administrator"

ROLES: dict[str, tuple[str, ...]] = {
    # types in statements from phone, fax, email, courier, lists, postings, banknotes
    # (quarantined email: the list and the reasons; the texts need view_personal_data)
    INTAKE_VOLUNTEER: (
        "statements.add_statement",
        "statements.view_statement",
        "statements.change_statement",
        "intake.view_quarantine",
    ),
    # accepts or rejects; sees names to judge duplicates; reads the audit trail
    MODERATOR: (
        "statements.view_statement",
        "statements.moderate_statement",
        "statements.view_personal_data",
        "statements.view_statuschange",
        "statements.view_ledgerentry",
        "intake.view_quarantine",
        "screening.view_alert",
        "tally.view_loopstate",
    ),
    # everything above, plus staff accounts
    ADMINISTRATOR: (
        "statements.add_statement",
        "statements.view_statement",
        "statements.change_statement",
        "statements.moderate_statement",
        "statements.view_personal_data",
        "statements.view_statuschange",
        "statements.view_ledgerentry",
        "intake.view_quarantine",
        "screening.view_alert",
        "tally.view_loopstate",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ),
}


def ensure_roles() -> dict[str, Group]:
    groups = {}
    with transaction.atomic():
        for role, perms in ROLES.items():
            group, _ = Group.objects.get_or_create(name=role)
            wanted = []
            for dotted in perms:
                app_label, codename = dotted.split(".")
                wanted.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            group.permissions.set(wanted)
            groups[role] = group
    return groups
