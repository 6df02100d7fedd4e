"""Quarantined email in the back office: the list with reasons, the message's text and files
for staff who may read personal data, and the way from a message to a statement."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from santui.backoffice import audit
from santui.backoffice.admin_display import in_zone, when
from santui.backoffice.admin_lists import NAMED_FORM, NAMED_HISTORY, LongList, NamedObjects
from santui.intake.mail.access import File, attachment_file, can_read_mail, quarantine_raw
from santui.intake.models import MailAttachment, MailMessage, Quarantine


def file_response(file: File) -> HttpResponse:
    """A download, never shown inline (an attachment is whatever a stranger sent)."""
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename) or ""
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_links(attachments: QuerySet[MailAttachment]) -> SafeString:
    """Download links: only for staff who may read personal data (the caller checks)."""
    return format_html_join(
        mark_safe("<br>"),  # a constant
        '<a href="{}">{}</a> (<code>{}</code>, {})',
        (
            (
                reverse("office:intake_mailattachment_download", args=[a.pk]),
                a.filename,
                a.content_type,
                ngettext("%(n)d byte", "%(n)d bytes", a.size) % {"n": a.size},
            )
            for a in attachments.order_by("id")
        ),
    ) or format_html("{}", "—")


def attachment_count(attachments: QuerySet[MailAttachment]) -> str:
    count = attachments.count()
    if not count:
        return "—"
    return _("%(n)d file(s): only staff who may see names open them") % {"n": count}


def can_make_statement(request: HttpRequest) -> bool:
    return can_read_mail(request.user) and request.user.has_perm("statements.add_statement")


class QuarantineAdmin(LongList, NamedObjects, admin.ModelAdmin[Quarantine]):
    list_display = ("number", "quarantined", "reason", "technical", "size", "state")
    change_form_template = NAMED_FORM
    object_history_template = NAMED_HISTORY
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("mail",)
    ordering = ("-id",)
    list_per_page = 50
    actions = ["make_statement"]
    # Fields differ by who asks (get_fields): the display methods never look at the request,
    # so a shared ModelAdmin instance cannot show one user's view to another.
    PUBLIC_FIELDS = ("reason", "technical", "received", "size", "quarantined", "same_sender")
    READER_FIELDS = ("content", "files", "outcome")
    OTHER_FIELDS = ("content_hidden", "files_hidden", "outcome_plain")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if not can_read_mail(request.user):
            return (*self.PUBLIC_FIELDS, *self.OTHER_FIELDS)
        if not can_make_statement(request):
            return (*self.PUBLIC_FIELDS, "content", "files", "outcome_plain")
        return (*self.PUBLIC_FIELDS, *self.READER_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quarantine]:
        return super().get_queryset(request).defer("raw", "text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def shown_name(self, obj: Quarantine) -> str:
        return _("quarantined email #%(n)s") % {"n": obj.pk}

    @admin.display(description=in_zone(gettext_lazy("quarantined at")), ordering="quarantined_at")
    def quarantined(self, obj: Quarantine) -> str:
        return when(obj.quarantined_at)

    @admin.display(description=gettext_lazy("technical detail"))
    def technical(self, obj: Quarantine) -> SafeString:
        """What the mail reader said (technical, never a text of the message): a program's
        words, shown as such."""
        return format_html("<code>{}</code>", obj.detail) if obj.detail else format_html("{}", "–")

    @admin.display(description=gettext_lazy("number"), ordering="id")
    def number(self, obj: Quarantine) -> int:
        return obj.pk

    @admin.display(description=in_zone(gettext_lazy("received at")))
    def received(self, obj: Quarantine) -> str:
        return when(obj.mail.received_at)

    @admin.display(description=gettext_lazy("size in bytes"))
    def size(self, obj: Quarantine) -> int:
        return obj.mail.size

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj: Quarantine) -> str:
        return _("statement made") if obj.mail.statement_id else _("to read")

    @admin.display(description=gettext_lazy("other mail from the same sender"))
    def same_sender(self, obj: Quarantine) -> int | str:
        if not obj.mail.sender_hash:
            return "—"
        others = MailMessage.objects.filter(sender_hash=obj.mail.sender_hash)
        return others.exclude(pk=obj.mail.pk).count()

    @admin.display(description=gettext_lazy("text"))
    def content(self, obj: Quarantine) -> SafeString:
        if not bytes(Quarantine.objects.filter(pk=obj.pk).values_list("raw", flat=True)[0]):
            return format_html("<em>{}</em>", _("Deleted under the retention policy."))
        if not obj.text:
            return format_html("<em>{}</em>", _("No text could be read: open the message."))
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.text)

    @admin.display(description=gettext_lazy("text"))
    def content_hidden(self, obj: Quarantine) -> SafeString:
        return format_html("<em>{}</em>", _("Only staff who may see names read the text."))

    @admin.display(description=gettext_lazy("files"))
    def files(self, obj: Quarantine) -> SafeString:
        raw = reverse("office:intake_quarantine_raw", args=[obj.pk])
        note = _(" (cut at the size limit)") if obj.raw_truncated else ""
        links = attachment_links(obj.mail.attachments.all())
        return format_html('<a href="{}">{}</a>{}<br>{}', raw, _("the message (.eml)"), note, links)

    @admin.display(description=gettext_lazy("files"))
    def files_hidden(self, obj: Quarantine) -> str:
        return attachment_count(obj.mail.attachments.all())

    @admin.display(description=gettext_lazy("statement"))
    def outcome(self, obj: Quarantine) -> SafeString:
        if obj.mail.statement_id:
            return self.outcome_plain(obj)
        return format_html(
            '<a class="button" href="{}">{}</a>', self.statement_url(obj), _("Make a statement")
        )

    @admin.display(description=gettext_lazy("statement"))
    def outcome_plain(self, obj: Quarantine) -> SafeString:
        if not obj.mail.statement_id:
            return format_html("{}", _("none yet"))
        url = reverse("office:statements_statement_change", args=[obj.mail.statement_id])
        return format_html('<a href="{}">#{}</a>', url, obj.mail.statement_id)

    @staticmethod
    def statement_url(obj: Quarantine) -> str:
        add = reverse("office:statements_statement_add")
        return f"{add}?{urlencode({'quarantine': obj.pk})}"

    @admin.action(description=gettext_lazy("Make a statement of the selected message"))
    def make_statement(
        self, request: HttpRequest, queryset: QuerySet[Quarantine]
    ) -> HttpResponse | None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose one message."), messages.WARNING)
            return None
        if chosen[0].mail.statement_id:
            self.message_user(request, _("A statement was already made of it."), messages.WARNING)
            return None
        if not can_make_statement(request):
            self.message_user(
                request, _("Only staff who may see names and add statements can."), messages.ERROR
            )
            return None
        return HttpResponseRedirect(self.statement_url(chosen[0]))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="intake_quarantine_raw",
            ),
            path(
                "attachment/<int:pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="intake_mailattachment_download",
            ),
        ]
        return own + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The message's page; its text, shown to staff who may read mail, is an audited read
        (santui.backoffice.audit)."""
        response: HttpResponse = super().change_view(request, object_id, form_url, extra_context)
        if (
            response.status_code == 200
            and can_read_mail(request.user)
            and str(object_id).isdigit()
        ):
            found = Quarantine.objects.filter(pk=int(object_id)).values_list("mail_id", flat=True)
            mail = found.first()
            if mail is not None:
                audit.personal_data_read(
                    user=request.user, mail=mail, fields=("mail_text",), via=audit.MAIL
                )
        return response

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        file = quarantine_raw(quarantine_id=pk, user=request.user)  # raises PermissionDenied
        mail = Quarantine.objects.filter(pk=pk).values_list("mail_id", flat=True).first()
        audit.personal_data_read(user=request.user, mail=mail, fields=("mail_raw",), via=audit.MAIL)
        return file_response(file)

    def attachment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        file = attachment_file(attachment_id=pk, user=request.user)  # raises PermissionDenied
        mail, statement = (
            MailMessage.objects.filter(attachments=pk).values_list("pk", "statement_id").first()
            or (None, None)
        )
        audit.personal_data_read(
            user=request.user,
            mail=mail,
            statements=[statement] if statement is not None else [],
            fields=("attachment",),
            via=audit.MAIL,
        )
        return file_response(file)
