"""Staff sign-in policy: lockout after failed sign-ins, the second factor, idle and absolute
session limits, and re-authentication before sensitive office actions (docs/operations.md,
"Staff sign-in").

Lockout: failures are counted per account in the cache (Redis with REDIS_URL, so every server
process sees the same count) under a keyed hash of the folded user name; nothing about the
client, its address least of all, is read, kept or logged. After SANTUI_SIGNIN_MAX_FAILURES
failures within SANTUI_SIGNIN_LOCKOUT_MINUTES the account takes no password and no code for
that many minutes. Wrong one-time codes count as failures too.

Every office page (``/office/``) passes ``StaffSignInMiddleware``: a signed-in account is
signed out after SANTUI_STAFF_IDLE_MINUTES without a request or SANTUI_STAFF_SESSION_HOURS
after it signed in; with SANTUI_STAFF_REQUIRE_2FA (and for every account that has a device)
an account not verified by a second factor reaches only the sign-in pages; and the views in
``SENSITIVE`` ask for a one-time code (or the password, for an account without a device where
2FA is off) again once the last confirmation is older than SANTUI_STAFF_REAUTH_MINUTES.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import user_has_device

from santui.statements.crypto import keyed_hash

log = logging.getLogger(__name__)

SIGNED_IN_AT = "santui_signed_in_at"
LAST_SEEN = "santui_last_seen"
CONFIRMED_AT = "santui_confirmed_at"

# Views of the office that need a recent confirmation: (namespace:name, methods); None = any.
SENSITIVE: dict[str, frozenset[str] | None] = {
    # the held queue shows names and texts 50 a page to staff who may read them, and decides
    # statements ticked or all at once
    "workbench:queue": None,
    "workbench:queue-reason": None,
    "workbench:queue-cluster": None,
    # bulk invalidation (its form, preview and confirmation) and cancelling a job
    "workbench:invalidate": None,
    "workbench:job-cancel": frozenset({"POST"}),
    # accept / reject / reinstate ticked statements from the list (admin actions)
    "office:statements_statement_changelist": frozenset({"POST"}),
    # a new set of backup codes
    "signin:backup-codes": frozenset({"POST"}),
}
# User management: every page of these admin models.
SENSITIVE_PREFIXES = ("office:auth_user_", "office:auth_group_", "office:otp_")


# --- lockout -----------------------------------------------------------------------------------


def _account_key(username: str) -> str:
    return keyed_hash("signin", username.strip().casefold().encode("utf-8", "surrogatepass"))


def _failures_key(username: str) -> str:
    return f"signin:failures:{_account_key(username)}"


def _lock_key(username: str) -> str:
    return f"signin:locked:{_account_key(username)}"


def lockout_seconds() -> int:
    return int(settings.SANTUI_SIGNIN_LOCKOUT_MINUTES) * 60


def locked_until(username: str) -> float | None:
    """When the account's lock ends (epoch seconds), or None when it is not locked."""
    until = cache.get(_lock_key(username))
    if until is None or float(until) <= time.time():
        return None
    return float(until)


def record_failure(username: str) -> bool:
    """Count one failed sign-in (wrong password or code); True when it locked the account."""
    if not username:
        return False
    key = _failures_key(username)
    window = lockout_seconds()
    cache.add(key, 0, timeout=window)  # the count lives as long as the window from the first
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        failures = 1
    if failures < int(settings.SANTUI_SIGNIN_MAX_FAILURES):
        return False
    until = time.time() + window
    cache.set(_lock_key(username), until, timeout=window)
    cache.delete(key)
    log.warning("a staff account was locked after %d failed sign-ins", failures)
    return True


def clear_failures(username: str) -> None:
    """A full sign-in succeeded: its failures are forgotten."""
    cache.delete(_failures_key(username))


def unlock(username: str) -> None:
    """The operator lifts a lock (``santui staff USER --unlock``)."""
    cache.delete_many([_failures_key(username), _lock_key(username)])


def lock_message(until: float) -> str:
    minutes = max(1, int((until - time.time() + 59) // 60))
    return _(
        "Too many failed sign-ins: this account is locked for %(minutes)d more minutes. "
        "An administrator can unlock it."
    ) % {"minutes": minutes}


# --- sessions ----------------------------------------------------------------------------------


def session_started(request: HttpRequest, *, confirmed: bool) -> None:
    """Stamp a new sign-in (after the password) and, with ``confirmed``, its confirmation."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    if confirmed:
        request.session[CONFIRMED_AT] = now


def confirmed(request: HttpRequest) -> None:
    """The person typed a code (or their password) again just now."""
    request.session[CONFIRMED_AT] = time.time()


def recently_confirmed(request: HttpRequest) -> bool:
    at = request.session.get(CONFIRMED_AT)
    limit = float(settings.SANTUI_STAFF_REAUTH_MINUTES) * 60
    return isinstance(at, int | float) and time.time() - at <= limit


def two_factor_required() -> bool:
    return bool(settings.SANTUI_STAFF_REQUIRE_2FA)


def has_device(user: Any) -> bool:
    """Whether the account has a confirmed second factor (an app, or backup codes)."""
    return isinstance(user, User) and bool(user_has_device(user, confirmed=True))


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def _expired(request: HttpRequest) -> str | None:
    """Why the session ended (idle or too old), or None."""
    now = time.time()
    started = request.session.get(SIGNED_IN_AT)
    seen = request.session.get(LAST_SEEN)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return _("Please sign in again.")
    if now - started > float(settings.SANTUI_STAFF_SESSION_HOURS) * 3600:
        return _("Your session reached its maximum length: please sign in again.")
    if now - seen > float(settings.SANTUI_STAFF_IDLE_MINUTES) * 60:
        return _("You were signed out after a time without activity: please sign in again.")
    return None


def _to(name: str, request: HttpRequest, then: str | None = None) -> HttpResponseRedirect:
    query = urlencode({"next": then or request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(name)}?{query}")


# The sign-in pages themselves, reachable before the second factor.
OPEN_VIEWS = frozenset(
    {"signin:login", "office:login", "office:logout", "signin:verify", "signin:enrol"}
)


class StaffSignInMiddleware:
    """The session limits, the second factor and re-authentication, for /office/ only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not request.path.startswith(reverse("office:index")):
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the admin's own check sends to the login page
        name = match.view_name
        why = _expired(request)
        if why is not None:
            logout(request)
            messages.info(request, why)
            return _to("office:login", request)
        request.session[LAST_SEEN] = time.time()
        if name in OPEN_VIEWS:
            return None
        if not is_verified(user) and (two_factor_required() or has_device(user)):
            # an account with an app types its code even where two steps are not required
            return _to("signin:verify" if has_device(user) else "signin:enrol", request)
        if self._sensitive(name, request.method or "GET") and not recently_confirmed(request):
            return redirect_to_confirm(request)
        return None

    @staticmethod
    def _sensitive(name: str, method: str) -> bool:
        if name.startswith(SENSITIVE_PREFIXES):
            return True
        if name not in SENSITIVE:
            return False
        methods = SENSITIVE[name]
        return methods is None or method in methods


def redirect_to_confirm(request: HttpRequest) -> HttpResponseRedirect:
    """To the confirmation page, and back after it: to this page for a GET, to the page the
    form was on for a POST (which is not replayed: the person sends it again)."""
    then = request.get_full_path() if request.method == "GET" else _referer(request)
    messages.info(request, _("Confirm it is you before this action."))
    return _to("signin:confirm", request, then)


def _referer(request: HttpRequest) -> str:
    """Where a POST came from (same site only): the page to go back to after confirming."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return str(parts.path) + (f"?{parts.query}" if parts.query else "")
    return request.path
