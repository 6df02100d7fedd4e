"""The back office's sign-in pages: password (with lockout), the second factor (a TOTP app, or
a single-use backup code), enrolment, new backup codes, and the confirmation asked before
sensitive actions. Plain django-otp devices and our own small views: forms only, no JavaScript,
the QR code drawn on the server as inline SVG (segno). Policy: ``santui.backoffice.signin``."""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth import login as auth_login
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from santui.backoffice import signin
from santui.backoffice.admin import site
from santui.backoffice.csp import allow_office_scripts
from santui.backoffice.signin import has_device

BACKUP_CODES = 10
TOTP_CODE = re.compile(r"^[0-9]{6}$")
BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _signed_out(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return None
    return HttpResponseRedirect(
        f"{reverse('office:login')}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
    )


def _onwards(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: _next(request)})}"
    )


def _next(request: HttpRequest) -> str:
    """The office page to go on to (same site only), else the office home."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if (
        wanted
        and len(wanted) <= 2000
        and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and wanted.startswith("/")
    ):
        return wanted
    return reverse("office:index")


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    page = {**site.each_context(request), REDIRECT_FIELD_NAME: _next(request), **context}
    response = TemplateResponse(request, template, page, status=status)
    response.render()
    allowed: HttpResponse = allow_office_scripts(response)
    return allowed


def check_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``code``: six digits are the app's code, eight letters and digits
    a backup code (used up). Each device throttles its own failures (django-otp)."""
    code = re.sub(r"[\s-]", "", code).lower()
    with transaction.atomic():
        if TOTP_CODE.match(code):
            for totp in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update():
                if totp.verify_token(code):
                    return totp
        elif BACKUP_CODE.match(code):
            for static in StaticDevice.objects.filter(
                user=user, confirmed=True
            ).select_for_update():
                if static.verify_token(code):
                    return static
    return None


def new_backup_codes(user: User) -> list[str]:
    """A new set of single-use codes; the old set stops working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def reset_two_factor(user: User) -> int:
    """Forget every device of ``user`` (``santui staff USER --reset-2fa``); how many."""
    with transaction.atomic():
        deleted = TOTPDevice.objects.filter(user=user).delete()[0]
        deleted += StaticDevice.objects.filter(user=user).delete()[0]
    return int(deleted)


def _verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> HttpResponse:
    request.session.cycle_key()  # a new session id once the second factor is in
    otp_login(request, device)
    signin.confirmed(request)
    signin.clear_failures(_user(request).get_username())
    return HttpResponseRedirect(_next(request))


def _failed(request: HttpRequest) -> HttpResponse | None:
    """Count a wrong code; when that locked the account, sign out and say so."""
    username = _user(request).get_username()
    if signin.record_failure(username):
        until = signin.locked_until(username)
        logout(request)
        messages.error(request, signin.lock_message(until or 0))
        return HttpResponseRedirect(reverse("office:login"))
    return None


def _locked_out(request: HttpRequest) -> HttpResponse | None:
    until = signin.locked_until(_user(request).get_username())
    if until is None:
        return None
    logout(request)
    messages.error(request, signin.lock_message(until))
    return HttpResponseRedirect(reverse("office:login"))


# --- forms --------------------------------------------------------------------------------------


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's form (staff only) that refuses a locked account before checking anything and
    counts each failure against the account."""

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        until = signin.locked_until(username) if username else None
        if until is not None:
            raise ValidationError(signin.lock_message(until), code="locked")
        try:
            return super().clean()
        except ValidationError:
            if signin.record_failure(username):
                until = signin.locked_until(username)
                raise ValidationError(signin.lock_message(until or 0), code="locked") from None
            raise


class CodeInput(forms.TextInput):
    """A code field that starts empty again after a wrong code (the old one is of no use)."""

    def format_value(self, value: Any) -> str | None:
        return None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time code"),
        max_length=32,
        help_text=gettext_lazy("The six digits your app shows now, or one of your backup codes."),
        widget=CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time code"),
        max_length=32,
        help_text=gettext_lazy("The six digits your app shows for santui now."),
        widget=CodeInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"), max_length=4096, strip=False, widget=forms.PasswordInput
    )


# --- views --------------------------------------------------------------------------------------


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """The password, then the second factor (or enrolment when the account has none yet)."""
    if request.user.is_authenticated:
        if signin.is_verified(request.user) or not signin.two_factor_required():
            return HttpResponseRedirect(_next(request))
        return _onwards("signin:verify" if has_device(request.user) else "signin:enrol", request)
    form = StaffAuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        if not signin.two_factor_required() and not has_device(user):
            signin.session_started(request, confirmed=True)
            signin.clear_failures(user.get_username())
            return HttpResponseRedirect(_next(request))
        signin.session_started(request, confirmed=False)
        return _onwards("signin:verify" if has_device(user) else "signin:enrol", request)
    context = {
        "title": _("Log in"),
        "form": form,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        "site_name": site.site_header,
    }
    status = 400 if request.method == "POST" else 200
    return _page(request, "admin/login.html", context, status=status)


@sensitive_post_parameters()
@csrf_protect
@never_cache
def verify_view(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in: a code from the app or a backup code."""
    if (out := _signed_out(request)) is not None:
        return out
    if signin.is_verified(request.user):
        return HttpResponseRedirect(_next(request))
    if not has_device(request.user):
        return _onwards("signin:enrol", request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        locked = _locked_out(request)
        if locked is not None:
            return locked
        if form.is_valid():
            device = check_code(_user(request), form.cleaned_data["code"])
            if device is not None:
                return _verified(request, device)
            form.add_error("code", _("That code is wrong or was already used."))
            failed = _failed(request)
            if failed is not None:
                return failed
    status = 400 if request.method == "POST" else 200
    context = {"title": _("Second step"), "form": form}
    return _page(request, "backoffice/signin/verify.html", context, status=status)


def _qr_svg(url: str) -> SafeString:
    """The otpauth URL as an inline SVG (drawn here; nothing is fetched from elsewhere)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, title=_("QR code to scan"))
    return mark_safe(svg)  # noqa: S308  # segno's own markup of our URL, escaped by segno


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters()
@csrf_protect
@never_cache
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up the app: scan the QR code (or type the key), type its code; then the backup codes,
    shown once. An account that already has a device changes it only when verified and
    confirmed just now."""
    if (out := _signed_out(request)) is not None:
        return out
    user = _user(request)
    if has_device(user):
        if not signin.is_verified(user):
            return _onwards("signin:verify", request)
        if not signin.recently_confirmed(request):
            return signin.redirect_to_confirm(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        locked = _locked_out(request)
        if locked is not None:
            return locked
        if form.is_valid():
            code = re.sub(r"\s", "", form.cleaned_data["code"])
            if TOTP_CODE.match(code) and device.verify_token(code):
                with transaction.atomic():
                    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                codes = new_backup_codes(user)
                request.session.cycle_key()
                otp_login(request, device)
                signin.confirmed(request)
                signin.clear_failures(user.get_username())
                context = {"title": _("Your backup codes"), "codes": codes, "enrolled": True}
                return _page(request, "backoffice/signin/backup_codes.html", context)
            failed = _failed(request)  # a wrong code counts here as at the second step
            if failed is not None:
                return failed
            form.add_error("code", _("That code is wrong: check the time on your phone."))
    secret = b32encode(device.bin_key).decode("ascii")
    context = {
        "title": _("Set up two-step sign-in"),
        "form": form,
        "qr": _qr_svg(device.config_url),
        "secret": _grouped(secret),
        "replacing": has_device(user),
    }
    status = 400 if request.method == "POST" else 200
    return _page(request, "backoffice/signin/enrol.html", context, status=status)


@csrf_protect
@never_cache
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    """How many backup codes are left; POST makes a new set (shown once)."""
    if (out := _signed_out(request)) is not None:
        return out
    user = _user(request)
    if request.method == "POST":
        codes = new_backup_codes(user)
        context = {"title": _("Your backup codes"), "codes": codes, "enrolled": False}
        return _page(request, "backoffice/signin/backup_codes.html", context)
    left = StaticToken.objects.filter(device__user=user).count()
    context = {"title": _("Backup codes"), "left": left, "codes": None}
    return _page(request, "backoffice/signin/backup_codes.html", context)


@sensitive_post_parameters()
@csrf_protect
@never_cache
def confirm_view(request: HttpRequest) -> HttpResponse:
    """Prove it is still you before a sensitive action: a code (or, for an account without a
    device where two-step sign-in is off, the password)."""
    if (out := _signed_out(request)) is not None:
        return out
    user = _user(request)
    with_code = has_device(user)
    data = request.POST if request.method == "POST" else None
    form: forms.Form = CodeForm(data) if with_code else PasswordForm(data)
    if request.method == "POST":
        locked = _locked_out(request)
        if locked is not None:
            return locked
        if form.is_valid():
            if with_code:
                ok = check_code(user, form.cleaned_data["code"]) is not None
            else:
                ok = user.check_password(form.cleaned_data["password"])
            if ok:
                signin.confirmed(request)
                signin.clear_failures(user.get_username())
                return HttpResponseRedirect(_next(request))
            field = "code" if with_code else "password"
            form.add_error(field, _("That is not right."))
            failed = _failed(request)
            if failed is not None:
                return failed
    minutes = int(settings.SANTUI_STAFF_REAUTH_MINUTES)
    context = {
        "title": _("Confirm it is you"),
        "form": form,
        "intro": format_html(
            "{}",
            _("This action needs a fresh confirmation (valid %(minutes)d minutes).")
            % {"minutes": minutes},
        ),
    }
    status = 400 if request.method == "POST" else 200
    return _page(request, "backoffice/signin/confirm.html", context, status=status)


app_name = "signin"
urlpatterns = [
    path("login/", login_view, name="login"),
    path("signin/verify/", verify_view, name="verify"),
    path("signin/enrol/", enrol_view, name="enrol"),
    path("signin/backup-codes/", backup_codes_view, name="backup-codes"),
    path("signin/confirm/", confirm_view, name="confirm"),
]
