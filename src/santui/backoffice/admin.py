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
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santui.backoffice.forms import RejectForm, StatementForm
from santui.backoffice.mail import QuarantineAdmin, attachment_count, attachment_links
from santui.backoffice.suggestions import suggestion_table
from santui.intake.mail.access import can_read_mail
from santui.intake.mail.actions import AlreadyResolvedError, quarantine_make_statement
from santui.intake.mail.fields import parse_text, statement_fields, stored_suggestion
from santui.intake.models import MailAttachment, Quarantine
from santui.screening.models import Alert
from santui.statements.actions import (
    TransitionError,
    statement_accept,
    statement_receive,
    statement_reinstate,
    statement_reject,
)
from santui.statements.models import (
    MODERATABLE_STATES,
    Channel,
    LedgerEntry,
    Organization,
    Statement,
    StatusChange,
)
from santui.tally.models import LoopState

PERSONAL = ("name", "names", "contact")
VIA = "back office"
# Read-only beside the editable fields of a recorded statement.
SHOWN = ("suggestion", "status", "reject_reason", "source", "external_id", "created_at")


def _actor(request: HttpRequest) -> User:
    """The staff member behind a back-office request (the admin site requires a login)."""
    assert isinstance(request.user, User)
    return request.user


def _from_quarantine(quarantine: Quarantine) -> dict[str, Any]:
    """The add form filled in from a quarantined message: its text and the parser's reading of
    it, for the volunteer to check and correct."""
    text = quarantine.text
    initial: dict[str, Any] = {
        "from_quarantine": quarantine.pk,
        "channel": Channel.EMAIL,
        "received_at": quarantine.mail.received_at,
        "text": text,
    }
    if text.strip():
        values = statement_fields(parse_text(text))
        initial |= {o: o in values["organizations"] for o in ("party", "league", "pioneers")}
        initial |= {
            k: values[k]
            for k in ("headcount", "name", "name_kind", "region", "sector", "current_party_member")
        }
    return initial


class BackofficeSite(admin.AdminSite):
    site_header = _("santui back office")
    site_title = _("santui back office")
    index_title = _("Statements and moderation")


site = BackofficeSite(name="office")
site.register(User, UserAdmin)
site.register(Group, GroupAdmin)
site.register(Quarantine, QuarantineAdmin)


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
    list_display = (
        "id", "received_at", "channel", "status", "headcount", "orgs", "region", "screened",
    )  # fmt: skip
    list_filter = ("status", "channel", "name_kind", "reject_reason")
    date_hierarchy = "received_at"
    ordering = ("-id",)
    inlines = [StatusChangeInline]
    actions = ["accept_selected", "reject_selected", "reinstate_selected"]
    list_per_page = 50

    @admin.display(description=_("organizations"))
    def orgs(self, obj: Statement) -> str:
        labels = dict(Organization.choices)
        return "、".join(str(labels[o]) for o in obj.organizations)

    @admin.display(description=_("screening"))
    def screened(self, obj: Statement) -> str:
        """The screening's reasons (docs/screening.md), or the statement it repeats."""
        screening = getattr(obj, "screening", None)
        if screening is None or not screening.decision:
            return ""
        if obj.duplicate_of_id:
            return _("duplicate of #%(id)s") % {"id": obj.duplicate_of_id}
        return ", ".join(screening.reasons)

    def _sees_personal(self, request: HttpRequest) -> bool:
        return request.user.has_perm("statements.view_personal_data")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Statement]:
        qs = super().get_queryset(request).select_related("screening")
        personal = [f for f in PERSONAL if f != "names"]
        return qs if self._sees_personal(request) else qs.defer(*personal)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(StatementForm.Meta.fields)
        fields.insert(fields.index("name") + 1, "names")
        if obj is None:
            return [*fields, "from_quarantine"]
        if obj.status not in MODERATABLE_STATES:  # frozen: nothing to paste names into
            fields.remove("names")
        attachments = "mail_attachments" if can_read_mail(request.user) else "mail_files"
        fields.insert(fields.index("text") + 1, "suggestion")
        fields += [attachments, *(f for f in SHOWN if f != "suggestion")]
        if not self._sees_personal(request):
            fields = [f for f in fields if f not in PERSONAL]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.status not in MODERATABLE_STATES:  # counted or rejected: the record is frozen
            return self.get_fields(request, obj)
        return (*SHOWN, "mail_attachments", "mail_files")

    @admin.display(description=_("parser's reading"))
    def suggestion(self, obj: Statement) -> Any:
        return suggestion_table(obj)

    @admin.display(description=_("files sent with the email"))
    def mail_attachments(self, obj: Statement) -> Any:
        return attachment_links(MailAttachment.objects.filter(mail__statement=obj))

    @admin.display(description=_("files sent with the email"))
    def mail_files(self, obj: Statement) -> Any:
        return attachment_count(MailAttachment.objects.filter(mail__statement=obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is ever deleted: reject instead

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "received_at": timezone.now(), "name_kind": "anonymous", "headcount": 1,
        }  # fmt: skip
        quarantine = self._quarantine(request, request.GET.get("quarantine"))
        if quarantine is not None:
            initial |= _from_quarantine(quarantine)
        return initial

    def _quarantine(self, request: HttpRequest, pk: Any) -> Quarantine | None:
        """The quarantined message a statement is being made of, if the user may read it."""
        if not pk or not str(pk).isdigit() or not can_read_mail(request.user):
            return None
        return Quarantine.objects.select_related("mail").filter(pk=int(pk)).first()

    def save_model(self, request: HttpRequest, obj: Statement, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = [f for f in form.changed_data if f in StatementForm.Meta.fields]
            if "names" in form.changed_data:  # the list set the name and the persons
                fields = sorted({*fields, "name", "headcount"})
            if fields:
                obj.save(update_fields=fields)
            return
        values: dict[str, Any] = {
            "channel": data["channel"],
            "received_at": data["received_at"],
            "text": data["text"],
            "organizations": [o for o in ("party", "league", "pioneers") if data.get(o)],
            "headcount": data["headcount"],
            "name": data.get("name", ""),
            "contact": data.get("contact", ""),
            "name_kind": data["name_kind"],
            "region": data.get("region", ""),
            "sector": data.get("sector", ""),
            "current_party_member": data.get("current_party_member"),
            "publish": data.get("publish", False),
        }
        quarantine = self._quarantine(request, data.get("from_quarantine"))
        if quarantine is not None:
            statement = quarantine_make_statement(
                quarantine=quarantine, by=_actor(request), via=VIA, **values
            )
        else:
            suggested = parse_text(values["text"]) if values["text"] else None
            statement = statement_receive(
                **values,
                suggested=stored_suggestion(suggested) if suggested else None,
                source="office",
                by=_actor(request),
                via=VIA,
            ).statement
        obj.pk = statement.pk
        obj._state.adding = False
        obj._state.db = statement._state.db

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AlreadyResolvedError:  # another volunteer made the statement meanwhile
            self.message_user(
                request, _("A statement was already made of this message."), messages.WARNING
            )
            return HttpResponseRedirect(reverse("office:intake_quarantine_changelist"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.save_m2m()
        for formset in formsets:  # inlines are read-only: nothing of theirs to save
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

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

    @admin.action(
        description=_("Not duplicates: reinstate and count the selected statements"),
        permissions=["moderate"],
    )
    def reinstate_selected(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        done, skipped = 0, 0
        for statement in queryset:
            try:
                statement_reinstate(statement=statement, by=_actor(request), via=VIA)
                done += 1
            except TransitionError:
                skipped += 1
        self.message_user(
            request,
            _("Reinstated: %(d)d. Not duplicates, left as they were: %(s)d.")
            % {"d": done, "s": skipped},
            messages.SUCCESS,
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


@admin.register(Alert, site=site)
class AlertAdmin(ReadOnlyAdmin):
    """What screening saw far above its normal rate (docs/screening.md#alerts)."""

    list_display = ("raised_at", "kind", "subject", "window_start", "count", "expected")
    list_filter = ("kind",)


@admin.register(LoopState, site=site)
class LoopStateAdmin(ReadOnlyAdmin):
    """How far behind the screener and the integrator are."""

    list_display = ("name", "backlog", "oldest_waiting_at", "heartbeat_at", "ok_at", "errors",
                    "last_error", "last_error_at")  # fmt: skip
