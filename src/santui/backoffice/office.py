"""What the office's own pages (the workbench, its jobs) share: who may use them, and how a
decision's refusals read."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from santui.backoffice.actions import NOT_COUNTED, NOT_HELD, SECOND_PERSON


def moderator(request: HttpRequest) -> User:
    """The request's user, if they may moderate statements; else 403."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm("statements.moderate_statement"):
        raise PermissionDenied
    return user


def refusal_text(refused: Mapping[str, int], *, own: bool = True) -> str:
    """ "3 no longer held; 1 a second moderator must decide (...)": ``own`` when the reader is
    the one who decided."""
    why = {
        SECOND_PERSON: _("a second moderator must decide (you edited its counted fields)")
        if own
        else _("a second moderator must decide (whoever confirmed edited its counted fields)"),
        NOT_HELD: _("no longer held"),
        NOT_COUNTED: _("no longer counted"),
    }
    return "; ".join(f"{n} {why.get(k, k)}" for k, n in sorted(refused.items()) if n)
