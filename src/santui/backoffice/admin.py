"""The back office: Django admin on its own site, for intake volunteers, moderators and admins.

Writes go through the statement actions: creating a statement calls ``statement_receive``,
changing one ``statement_edit``; accept/reject are admin actions calling
``statement_accept``/``statement_reject``. Every office page runs in the reporting time zone
(``BackofficeSite.admin_view``): times are typed and shown in it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from santui.backoffice import admin_lists, audit
from santui.backoffice.admin_display import (
    AuditDisplay,
    StatementDisplay,
    change_message,
    diff_html,
    in_zone,
    shown_read_only,
    when,
)
from santui.backoffice.csp import allow_office_scripts
from santui.backoffice.forms import RejectForm, StatementForm
from santui.backoffice.home import office_home
from santui.backoffice.mail import QuarantineAdmin, attachment_count, attachment_links
from santui.backoffice.models import PersonalDataRead, StaffSecurityEvent
from santui.backoffice.suggestions import suggestion_table
from santui.intake.mail.access import can_read_mail
from santui.intake.mail.actions import AlreadyResolvedError, quarantine_make_statement
from santui.intake.mail.fields import parse_text, statement_fields, stored_suggestion
from santui.intake.models import MailAttachment, Quarantine
from santui.retention.models import ShredRun
from santui.statements.actions import (
    COUNTED_FIELDS,
    DECLARANT_SOURCES,
    EditRefused,
    SecondPersonRequired,
    TransitionError,
    statement_accept,
    statement_edit,
    statement_receive,
    statement_reinstate,
    statement_reject,
)
from santui.statements.masking import masked_text
from santui.statements.models import (
    MODERATABLE_STATES,
    Channel,
    Declarant,
    Organization,
    Statement,
    StatusChange,
)

PERSONAL = ("name", "names", "contact")
VIA = "back office"
# Read-only beside the editable fields of a recorded statement.
SHOWN = ("suggestion", "status", "reject_reason", "source", "external_id", "created_at")


View = TypeVar("View", bound=Callable[..., Any])


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
    # The home page: what needs a person's eye (alerts, loops, the held) above the models.
    index_template = "backoffice/index.html"

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        """Every office view in the reporting time zone: a time a volunteer types is read in
        it, and times are shown in it. The response is rendered inside too (a TemplateResponse
        renders after the view returns), and the zone is restored after, so that no other
        request on this thread inherits it. Its policy lets the admin's own static scripts
        run (santui.backoffice.csp)."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def in_reporting_zone(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            with timezone.override(ZoneInfo(settings.SANTUI_REPORTING_TZ)):
                response = inner(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                    response.render()
            return allow_office_scripts(response)

        return cast(View, in_reporting_zone)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The one page of the site not behind ``admin_view``: its scripts (theme, sidebar)
        are allowed too."""
        return allow_office_scripts(super().login(request, extra_context))

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The admin's index with the screening's alerts, the loops and the held count
        (santui.backoffice.home), each for staff allowed to see it."""
        context = office_home(user=_actor(request), now=timezone.now()) | (extra_context or {})
        return super().index(request, context)


site = BackofficeSite(name="office")
site.register(Quarantine, QuarantineAdmin)
admin_lists.register(site)


class StatusChangeInline(AuditDisplay, admin.TabularInline[StatusChange, Statement]):
    model = StatusChange
    # The audit trail's rows without their object's name above each ("1: - -> received").
    template = "backoffice/edit_inline/audit.html"
    fields = ("when", "from_shown", "to_shown", "reason_shown", "note_shown", "actor_shown",
              "via_shown", "diff")  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CountedEditFilter(admin.SimpleListFilter):
    """Statements whose counted fields staff edited: a second moderator accepts them."""

    title = _("counted fields edited by staff")
    parameter_name = "counted_edit"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        edited = Exists(
            StatusChange.objects.filter(
                statement=OuterRef("pk"), changes__has_any_keys=list(COUNTED_FIELDS)
            )
        )
        if self.value() == "yes":
            return queryset.filter(edited)
        if self.value() == "no":
            return queryset.exclude(edited)
        return queryset


@admin.register(Statement, site=site)
class StatementAdmin(admin_lists.LongList, StatementDisplay, admin.ModelAdmin[Statement]):
    form = StatementForm
    object_history_template = admin_lists.NAMED_HISTORY  # its times in the reporting zone
    list_display = (
        "number", "received", "channel", "status", "headcount", "orgs", "region_shown",
        "sector_shown", "screened", "staff_edits",
    )  # fmt: skip
    # By time received: ranges in the reporting zone, read through the BRIN index. (Django's
    # date hierarchy, there before, read every statement twice for its years on each page.)
    list_filter = (
        ("received_at", admin.DateFieldListFilter),
        "status", "channel", "name_kind", "reject_reason", CountedEditFilter,
    )  # fmt: skip
    ordering = ("-id",)
    inlines = [StatusChangeInline]
    actions = ["accept_selected", "reject_selected", "reinstate_selected"]
    list_per_page = 50

    @admin.display(description=_("organizations"))
    def orgs(self, obj: Statement) -> str:
        labels = dict(Organization.choices)
        return "、".join(str(labels[o]) for o in obj.organizations)

    @admin.display(description=_("counted fields edited by staff (old → new)"))
    def staff_edits(self, obj: Statement) -> SafeString:
        """What staff changed of what is counted, edit by edit, and by whom: the moderator who
        accepts sees it, and must be someone else (statement_accept)."""
        edits = getattr(obj, "counted_edits", None)
        if edits is None:  # not fetched with the page
            edits = _counted_edits(StatusChange.objects.filter(statement=obj))
        return format_html_join(
            "",
            "<div>{}{}</div>",
            (
                (diff_html(e.changes or {}, COUNTED_FIELDS), _("by %(who)s") % {"who": e.actor})
                for e in edits
            ),
        )

    def _sees_personal(self, request: HttpRequest) -> bool:
        return request.user.has_perm("statements.view_personal_data")

    @admin.display(description=_("statement text (names, e-mail addresses, phones masked)"))
    def text_shown(self, obj: Statement) -> SafeString:
        """The masked copy, for staff who may not see names (santui.statements.masking)."""
        if obj.shredded_at is not None:
            return format_html("<em>{}</em>", _("Deleted under the retention policy."))
        # its lines kept without a style attribute (the office's CSP allows no inline style)
        return format_html("<p>{}</p>", linebreaksbr(masked_text(obj), autoescape=True))

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "text":  # stored encrypted (a binary column), typed as text
            kwargs["widget"] = forms.Textarea(attrs={"rows": 10, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The statement's page; for staff who see personal data, each read of its name,
        contact and text is audited (santui.backoffice.audit)."""
        response = self.changeform_view(request, object_id, form_url, extra_context)
        if (
            request.method == "GET"
            and response.status_code == 200
            and self._sees_personal(request)
            and str(object_id).isdigit()
        ):
            audit.personal_data_read(
                user=request.user,
                statements=[int(object_id)],
                fields=("name", "contact", "text"),
                via=audit.STATEMENT_PAGE,
            )
        return response

    def get_queryset(self, request: HttpRequest) -> QuerySet[Statement]:
        qs = (
            super()
            .get_queryset(request)
            .select_related("screening")
            .prefetch_related(
                Prefetch(
                    "changes",
                    queryset=_counted_edits(StatusChange.objects.all()),
                    to_attr="counted_edits",
                )
            )
        )
        personal = [f for f in PERSONAL if f != "names"]
        return qs if self._sees_personal(request) else qs.defer(*personal, "text")

    @staticmethod
    def _from_mail(request: HttpRequest) -> bool:
        """Whether the add form makes a statement of a quarantined email (a declarant sent it:
        only they consent to publication, so the form has no publish box)."""
        return bool(request.GET.get("quarantine") or request.POST.get("from_quarantine"))

    def _frozen(self, request: HttpRequest, obj: Statement) -> bool:
        """Shown, not edited: counted or rejected (the record is frozen), or only viewed."""
        return obj.status not in MODERATABLE_STATES or not self.has_change_permission(request, obj)

    @staticmethod
    def _declarant_publish(obj: Statement) -> tuple[str, ...]:
        # Only the declarant consents to publication of what they sent (statement_edit).
        return ("publish",) if obj.source in DECLARANT_SOURCES else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(StatementForm.Meta.fields)
        fields.insert(fields.index("name") + 1, "names")
        if obj is None:
            if self._from_mail(request):
                fields.remove("publish")
            return [*fields, "from_quarantine"]
        frozen = self._frozen(request, obj)
        if frozen:  # nothing to paste names into
            fields.remove("names")
        attachments = "mail_attachments" if can_read_mail(request.user) else "mail_files"
        fields.insert(fields.index("text") + 1, "suggestion")
        fields += [attachments, *(f for f in SHOWN if f != "suggestion")]
        fields.insert(0, "staff_edits")  # first thing a moderator sees
        if not self._sees_personal(request):  # the masked text, read-only, instead
            fields = [f if f != "text" else "text_shown" for f in fields if f not in PERSONAL]
        # Values shown, not edited, by name and in the reporting zone (admin_display).
        read_only = None if frozen else {*SHOWN, *self._declarant_publish(obj)}
        return shown_read_only(fields, read_only)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if self._frozen(request, obj):
            return self.get_fields(request, obj)
        shown = shown_read_only([*SHOWN, *self._declarant_publish(obj)])
        return (*shown, "mail_attachments", "mail_files", "staff_edits", "text_shown")

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
            edited = statement_edit(
                statement=obj, by=_actor(request), changes={f: data[f] for f in fields}, via=VIA
            )
            obj.status = edited.status
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
            "declarant": data.get("declarant") or Declarant.SELF,
            "region": data.get("region", ""),
            "sector": data.get("sector", ""),
            "current_party_member": data.get("current_party_member"),
            "publish": data.get("publish", False),
        }
        quarantine = self._quarantine(request, data.get("from_quarantine"))
        # Sent by the declarant: staff never turn publication consent on (statement_edit's
        # rule, for the statement being made). The form has no such box; refuse it anyway.
        from_mail = quarantine is not None or bool(data.get("from_quarantine"))
        if from_mail and (values["publish"] or request.POST.get("publish")):
            raise EditRefused(
                "only the declarant can consent to publication: staff cannot turn it on "
                "for a statement sent by email"
            )
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
        except (EditRefused, TransitionError) as exc:  # the form's checks missed it, or raced
            # The action's reason is a program's words (English): shown as such, in <code>.
            why = format_html(str(_("Not saved: {}")), format_html("<code>{}</code>", exc))
            self.message_user(request, why, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        return change_message(Statement, form, add=add)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.save_m2m()
        for formset in formsets:  # inlines are read-only: nothing of theirs to save
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description=_("Accept the selected statements"), permissions=["moderate"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        done, skipped, own = 0, 0, 0
        for statement in queryset:
            try:
                statement_accept(statement=statement, by=_actor(request), via=VIA)
                done += 1
            except SecondPersonRequired:
                own += 1
            except TransitionError:
                skipped += 1
        self.message_user(
            request,
            _("Accepted: %(d)d. Not awaiting review, left as they were: %(s)d.")
            % {"d": done, "s": skipped},
            messages.SUCCESS,
        )
        if own:
            self.message_user(
                request,
                _(
                    "Not accepted: %(n)d, whose counted fields you edited. A second moderator "
                    "must accept them."
                )
                % {"n": own},
                messages.WARNING,
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


@admin.register(StatusChange, site=site)
class StatusChangeAdmin(admin_lists.LongList, AuditDisplay, admin_lists.ReadOnlyAdmin):
    """The audit trail: per statement (its page's inline) or per staff member (filter by)."""

    list_display = (
        "when", "statement", "from_shown", "to_shown", "reason_shown", "actor_shown",
        "via_shown", "diff",
    )  # fmt: skip
    list_filter = ("actor", "to_status", "reason", admin_lists.ViaFilter)
    # newest written first, by the primary key (no index orders the trail by its time: the
    # column can still be sorted by it)
    ordering = ("-id",)
    fields = list_display

    def shown_name(self, obj: StatusChange) -> str:
        return _("change #%(n)s of statement #%(s)s") % {"n": obj.pk, "s": obj.statement_id}

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return (
            super()
            .get_queryset(request)
            .select_related("statement", "actor")
            .defer(
                "statement__name",
                "statement__contact",
                "statement__text",
                "statement__text_masked",
            )
        )


def _counted_edits(changes: QuerySet[StatusChange]) -> QuerySet[StatusChange]:
    """Audit rows of staff edits that changed a counted field, oldest first."""
    return (
        changes.filter(changes__has_any_keys=list(COUNTED_FIELDS))
        .select_related("actor")
        .order_by("id")
    )


@admin.register(PersonalDataRead, site=site)
class PersonalDataReadAdmin(admin_lists.LongList, admin_lists.ReadOnlyAdmin):
    """Who read which personal data, when (santui.backoffice.audit): for administrators."""

    list_display = ("when", "user", "statement_id", "mail_id", "field", "via_shown")
    list_filter = ("field", "via", "user")
    ordering = ("-at", "-id")
    fields = list_display
    list_per_page = 100

    @admin.display(description=in_zone(_("at")), ordering="at")
    def when(self, obj: PersonalDataRead) -> str:
        return when(obj.at, seconds=True)

    @admin.display(description=_("where"))
    def via_shown(self, obj: PersonalDataRead) -> str:
        return audit.via_label(obj.via)

    def shown_name(self, obj: PersonalDataRead) -> str:
        return _("read #%(n)s") % {"n": obj.pk}

    def get_queryset(self, request: HttpRequest) -> QuerySet[PersonalDataRead]:
        return super().get_queryset(request).select_related("user")


@admin.register(StaffSecurityEvent, site=site)
class StaffSecurityEventAdmin(admin_lists.ReadOnlyAdmin):
    """Second steps reset, lockouts lifted, passwords and roles set: for administrators."""

    list_display = ("when", "account", "kind", "by", "via_shown", "detail_shown")
    list_filter = ("kind", "account")
    ordering = ("-at", "-id")
    fields = list_display

    @admin.display(description=in_zone(_("at")), ordering="at")
    def when(self, obj: StaffSecurityEvent) -> str:
        return when(obj.at, seconds=True)

    @admin.display(description=_("via"))
    def via_shown(self, obj: StaffSecurityEvent) -> str:
        return audit.via_label(obj.via)

    @admin.display(description=_("detail"))
    def detail_shown(self, obj: StaffSecurityEvent) -> SafeString:
        """Counts or a role's code, as the command said them: shown as such, in <code>."""
        return format_html("<code>{}</code>", obj.detail) if obj.detail else format_html("{}", "–")

    def shown_name(self, obj: StaffSecurityEvent) -> str:
        return _("security change #%(n)s") % {"n": obj.pk}

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffSecurityEvent]:
        return super().get_queryset(request).select_related("account", "by")


@admin.register(ShredRun, site=site)
class ShredRunAdmin(admin_lists.ReadOnlyAdmin):
    """What each retention round deleted, in counts (santui.retention): for administrators."""

    list_display = (
        "when", "statements", "mail_messages", "attachments", "rejects_files", "policy",
    )  # fmt: skip
    ordering = ("-started_at", "-id")
    fields = list_display

    @admin.display(description=in_zone(_("started at")), ordering="started_at")
    def when(self, obj: ShredRun) -> str:
        return when(obj.started_at, seconds=True)

    def shown_name(self, obj: ShredRun) -> str:
        return _("retention run #%(n)s") % {"n": obj.pk}
