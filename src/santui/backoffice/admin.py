"""The back office: Django admin on its own site, for intake volunteers, moderators and admins.

Writes go through the statement actions: creating a statement calls ``statement_receive``;
accept/reject are admin actions calling ``statement_accept``/``statement_reject``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santui.backoffice.forms import RejectForm, StatementForm
from santui.statements.actions import (
    TransitionError,
    statement_accept,
    statement_receive,
    statement_reject,
)
from santui.statements.models import LedgerEntry, Organization, Statement, Status, StatusChange

PERSONAL = ("name", "contact")
VIA = "back office"


def _actor(request: HttpRequest) -> User:
    """The staff member behind a back-office request (the admin site requires a login)."""
    assert isinstance(request.user, User)
    return request.user


class BackofficeSite(admin.AdminSite):
    site_header = _("santui back office")
    site_title = _("santui back office")
    index_title = _("Statements and moderation")


site = BackofficeSite(name="office")
site.register(User, UserAdmin)
site.register(Group, GroupAdmin)


class StatusChangeInline(admin.TabularInline[StatusChange, Statement]):
    model = StatusChange
    fields = ("at", "from_status", "to_status", "reason", "note", "actor", "via")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Statement, site=site)
class StatementAdmin(admin.ModelAdmin[Statement]):
    form = StatementForm
    list_display = ("id", "received_at", "channel", "status", "headcount", "orgs", "region")
    list_filter = ("status", "channel", "name_kind")
    date_hierarchy = "received_at"
    ordering = ("-id",)
    inlines = [StatusChangeInline]
    actions = ["accept_selected", "reject_selected"]
    list_per_page = 50

    @admin.display(description=_("organizations"))
    def orgs(self, obj: Statement) -> str:
        labels = dict(Organization.choices)
        return "、".join(str(labels[o]) for o in obj.organizations)

    def _sees_personal(self, request: HttpRequest) -> bool:
        return request.user.has_perm("statements.view_personal_data")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Statement]:
        qs = super().get_queryset(request)
        return qs if self._sees_personal(request) else qs.defer(*PERSONAL)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(StatementForm.Meta.fields)
        if obj is not None:
            fields = [*fields, "status", "reject_reason", "source", "external_id", "created_at"]
            if not self._sees_personal(request):
                fields = [f for f in fields if f not in PERSONAL]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        always = ("status", "reject_reason", "source", "external_id", "created_at")
        if obj.status != Status.RECEIVED:  # counted or rejected: the record is frozen
            return self.get_fields(request, obj)
        return always

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is ever deleted: reject instead

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"received_at": timezone.now(), "name_kind": "anonymous", "headcount": 1}

    def save_model(self, request: HttpRequest, obj: Statement, form: Any, change: bool) -> None:
        if change:
            fields = [f for f in form.changed_data if f in StatementForm.Meta.fields]
            if fields:
                obj.save(update_fields=fields)
            return
        data = form.cleaned_data
        received = statement_receive(
            channel=data["channel"],
            received_at=data["received_at"],
            text=data["text"],
            organizations=[o for o in ("party", "league", "pioneers") if data.get(o)],
            headcount=data["headcount"],
            name=data.get("name", ""),
            contact=data.get("contact", ""),
            name_kind=data["name_kind"],
            region=data.get("region", ""),
            sector=data.get("sector", ""),
            current_party_member=data.get("current_party_member"),
            publish=data.get("publish", False),
            source="office",
            by=_actor(request),
            via=VIA,
        )
        obj.pk = received.statement.pk
        obj._state.adding = False
        obj._state.db = received.statement._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.save_m2m()  # inlines are read-only: nothing of theirs to save

    @admin.action(description=_("Accept the selected statements"), permissions=["moderate"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        done, skipped = 0, 0
        for statement in queryset:
            try:
                statement_accept(statement=statement, by=_actor(request), via=VIA)
                done += 1
            except TransitionError:
                skipped += 1
        self.message_user(
            request,
            _("Accepted: %(d)d. Not awaiting review, left as they were: %(s)d.")
            % {"d": done, "s": skipped},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected statements…"), permissions=["moderate"])
    def reject_selected(
        self, request: HttpRequest, queryset: QuerySet[Statement]
    ) -> HttpResponse | None:
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                done = 0
                for statement in queryset:
                    try:
                        statement_reject(
                            statement=statement,
                            by=_actor(request),
                            reason=form.cleaned_data["reason"],
                            note=form.cleaned_data["note"],
                            via=VIA,
                        )
                        done += 1
                    except TransitionError:
                        pass
                self.message_user(request, _("Rejected: %(d)d.") % {"d": done}, messages.SUCCESS)
                return None
        else:
            form = RejectForm(
                initial={
                    "_selected_action": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
                }
            )
        return TemplateResponse(
            request,
            "backoffice/reject.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "statements": queryset,
                "opts": self.model._meta,
                "title": _("Reject statements"),
            },
        )

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("statements.moderate_statement")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StatusChange, site=site)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "statement", "from_status", "to_status", "reason", "actor", "via")
    list_filter = ("to_status", "reason", "via")
    ordering = ("-at",)


@admin.register(LedgerEntry, site=site)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "statement", "day", "headcount", "position", "reason")
    list_filter = ("kind",)
    ordering = ("-id",)
