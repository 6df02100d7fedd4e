"""The back office's read-only lists (the ledger, screening alerts, the background loops) and
its staff accounts, every value by name in the viewer's language and every time in the
reporting time zone, named (santui.backoffice.labels, .admin_display).

``register(site)`` puts them on the office's admin site (santui.backoffice.admin).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, cast

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, User
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import CheckboxInput, CheckboxSelectMultiple, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from santui.backoffice import labels
from santui.backoffice.admin_display import change_message, in_zone, when
from santui.screening.models import Alert
from santui.statements.models import LedgerEntry
from santui.tally.models import LoopState

NAMED_FORM = "backoffice/change_form.html"
NAMED_HISTORY = "backoffice/object_history.html"  # and its times in the reporting zone
# Rows a list counts at most (CappedPaginator): a list longer than that says "more than".
COUNT_CAP = 10_000


class CappedPaginator(Paginator[Any]):
    """Django's paginator, counting at most ``COUNT_CAP`` + 1 rows. At the history's size a
    list's exact count reads hundreds of millions of rows on every page (docs/benchmarks.md,
    "The office's lists at the history's size"); counting the first ``COUNT_CAP`` + 1 rows
    that match, in any order, stops early. A list longer than the cap says "more than" it
    (backoffice/pagination.html), has ``COUNT_CAP`` / per page pages, and no selection across all
    of them (its actions act on the rows shown): narrow it with the filters."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return rows.order_by()[: self.cap + 1].count()
        return len(rows)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_shown(self) -> str:
        return number_format(self.cap, force_grouping=True)


class LongList:
    """What a list that grows with the history sets (statements, the audit trail, the ledger,
    reads of personal data, quarantined email): the capped count, no second count of the
    whole table, and no counts by filter value (facets), which read the whole table once per
    value."""

    paginator: ClassVar[type] = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


class NamedObjects:
    """An object named in the viewer's language on its own page (title, breadcrumbs) and on
    its list's checkbox, where Django uses ``str(obj)``, which for some models is English
    ("quarantine #1 (no_statement)"). ``shown_name`` says it; the admin using it sets
    ``change_form_template = NAMED_FORM`` for its page's breadcrumbs."""

    def shown_name(self, obj: Any) -> str:
        return str(obj)

    def action_checkbox(self, obj: Any) -> SafeString:
        attrs = {
            "class": "action-select",
            "aria-label": format_html(
                gettext("Select this object for an action - {}"), self.shown_name(obj)
            ),
        }
        checkbox = CheckboxInput(attrs, lambda value: False)
        return checkbox.render(ACTION_CHECKBOX_NAME, str(obj.pk))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        context = dict(extra_context or {})
        model_admin = cast(admin.ModelAdmin[Any], self)
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is not None:
            context["subtitle"] = context["shown_name"] = self.shown_name(obj)
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]  # a mixin of ModelAdmin

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        context = dict(extra_context or {})
        model_admin = cast(admin.ModelAdmin[Any], self)
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is not None:
            context["shown_name"] = self.shown_name(obj)
        return super().history_view(request, object_id, context)  # type: ignore[misc]  # a mixin of ModelAdmin


class ReadOnlyAdmin(NamedObjects, admin.ModelAdmin[Any]):
    change_form_template = NAMED_FORM
    object_history_template = NAMED_HISTORY

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LabelledFilter(admin.SimpleListFilter):
    """A filter on a code field whose values are shown by name: ``labels`` maps code -> name."""

    field = ""
    values: tuple[str, ...] = ()

    def label(self, value: str) -> str:
        return value

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(v, self.label(v)) for v in self.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in self.values:
            return queryset.filter(**{self.field: self.value()})
        return queryset


class ViaFilter(admin.SimpleListFilter):
    """The audit trail by the channel of the change, named (santui.backoffice.labels). The
    channels are the ones santui writes (``labels.VIAS``, but the tests'), not read from the
    trail: that took a pass over every audit row on each page."""

    title = _("via")
    parameter_name = "via"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(v, labels.via_name(v)) for v in labels.VIAS if v != "test"]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(via=value) if value else queryset


class EntryKindFilter(LabelledFilter):
    title = _("kind")
    parameter_name = "kind"
    field = "kind"
    values = tuple(labels.ENTRY_KINDS)

    def label(self, value: str) -> str:
        return labels.entry_kind_name(value)


class AlertKindFilter(LabelledFilter):
    title = _("kind")
    parameter_name = "kind"
    field = "kind"
    values = tuple(labels.ALERT_KINDS)

    def label(self, value: str) -> str:
        return labels.alert_kind_name(value)


class LedgerEntryAdmin(LongList, ReadOnlyAdmin):
    list_display = ("number", "kind_shown", "statement_shown", "day_shown", "persons", "place",
                    "reason_shown", "position_shown")  # fmt: skip
    list_select_related = ("statement", "log_position")
    list_filter = (EntryKindFilter,)
    ordering = ("-id",)
    fields = list_display

    def shown_name(self, obj: LedgerEntry) -> str:
        return gettext("ledger entry #%(n)s") % {"n": obj.pk}

    @admin.display(description=_("number"), ordering="id")
    def number(self, obj: LedgerEntry) -> int:
        return obj.pk

    @admin.display(description=_("kind"))
    def kind_shown(self, obj: LedgerEntry) -> str:
        return labels.entry_kind_name(obj.kind)

    @admin.display(description=_("statement"), ordering="statement_id")
    def statement_shown(self, obj: LedgerEntry) -> str:
        return str(obj.statement)

    @admin.display(description=in_zone(_("day")), ordering="day")
    def day_shown(self, obj: LedgerEntry) -> str:
        return obj.day.isoformat()

    @admin.display(description=_("persons"))
    def persons(self, obj: LedgerEntry) -> int:
        return obj.headcount

    @admin.display(description=_("region"))
    def place(self, obj: LedgerEntry) -> str:
        return labels.place_name(obj.region)

    @admin.display(description=_("reason"))
    def reason_shown(self, obj: LedgerEntry) -> str:
        return labels.reject_reason_name(obj.reason) if obj.reason else "–"

    @admin.display(description=_("log position"), ordering="log_position__position")
    def position_shown(self, obj: LedgerEntry) -> str:
        return "–" if obj.position is None else str(obj.position)


class AlertAdmin(ReadOnlyAdmin):
    """What screening saw far above its normal rate (docs/screening.md#alerts)."""

    list_display = ("raised", "kind_shown", "subject_shown", "window", "count_shown",
                    "expected_shown")  # fmt: skip
    list_filter = (AlertKindFilter,)
    fields = list_display

    def shown_name(self, obj: Alert) -> str:
        subject = labels.alert_subject_name(obj.kind, obj.subject)
        return gettext("%(subject)s: %(action)s") % {
            "subject": labels.alert_kind_name(obj.kind), "action": subject,
        }  # fmt: skip

    @admin.display(description=in_zone(_("raised at")), ordering="raised_at")
    def raised(self, obj: Alert) -> str:
        return when(obj.raised_at)

    @admin.display(description=_("kind"))
    def kind_shown(self, obj: Alert) -> str:
        return labels.alert_kind_name(obj.kind)

    @admin.display(description=_("subject"))
    def subject_shown(self, obj: Alert) -> str:
        return labels.alert_subject_name(obj.kind, obj.subject)

    @admin.display(description=in_zone(_("window from")), ordering="window_start")
    def window(self, obj: Alert) -> str:
        return when(obj.window_start)

    @admin.display(description=_("count"))
    def count_shown(self, obj: Alert) -> int:
        return obj.count

    @admin.display(description=_("expected"))
    def expected_shown(self, obj: Alert) -> str:
        return number_format(obj.expected, 1)


class LoopStateAdmin(ReadOnlyAdmin):
    """How far behind the screener and the integrator are."""

    list_display = ("loop", "waiting", "oldest", "heartbeat", "ok", "failed", "error")
    fields = list_display

    def shown_name(self, obj: LoopState) -> str:
        return labels.loop_name(obj.name)

    @admin.display(description=_("loop"), ordering="name")
    def loop(self, obj: LoopState) -> str:
        return labels.loop_name(obj.name)

    @admin.display(description=_("waiting"))
    def waiting(self, obj: LoopState) -> int:
        return obj.backlog

    @admin.display(description=in_zone(_("oldest waiting since")))
    def oldest(self, obj: LoopState) -> str:
        return when(obj.oldest_waiting_at, seconds=True)

    @admin.display(description=in_zone(_("last round")))
    def heartbeat(self, obj: LoopState) -> str:
        return when(obj.heartbeat_at, seconds=True)

    @admin.display(description=in_zone(_("last good round")))
    def ok(self, obj: LoopState) -> str:
        return when(obj.ok_at, seconds=True)

    @admin.display(description=_("failed rounds in a row"))
    def failed(self, obj: LoopState) -> int:
        return obj.errors

    @admin.display(description=in_zone(_("last error")))
    def error(self, obj: LoopState) -> SafeString:
        """The exception's class name (a code, in <code>) and when it was raised."""
        if not obj.last_error:
            return format_html("{}", "–")
        return format_html(
            "<code>{}</code> ({})", obj.last_error, when(obj.last_error_at, seconds=True)
        )


class RoleField(ModelMultipleChoiceField):  # type: ignore[type-arg]  # django-stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        return labels.role_name(obj.name)


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(g.pk), labels.role_name(g.name)) for g in Group.objects.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isascii() and value.isdigit() and len(value) < 19:
            return queryset.filter(groups__pk=int(value))
        return queryset


class OfficeUserChangeForm(UserChangeForm[User]):
    """The staff account form: the password as set or not (its hash's algorithm, salt and
    digest are of no use to a volunteer), roles as checkboxes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None:
            password.widget.template_name = "backoffice/widgets/password_set.html"
        for name in ("last_login", "date_joined"):  # typed and shown in the reporting zone
            if name in self.fields:
                self.fields[name].label = in_zone(self.fields[name].label)


class OfficeUserAdmin(UserAdmin[User]):
    """Staff accounts, with their roles by name and yes/no in words (no icon whose text is
    "True"). Permissions come with roles (santui.backoffice.roles), never one by one, so the
    form has no list of single permissions."""

    form = OfficeUserChangeForm
    object_history_template = NAMED_HISTORY
    list_display = ("username", "roles", "staff", "active", "joined", "last_seen")
    list_filter = ("is_staff", "is_superuser", "is_active", RoleFilter)
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return "、".join(labels.role_name(g.name) for g in obj.groups.all()) or "–"

    @admin.display(description=_("staff status"), ordering="is_staff")
    def staff(self, obj: User) -> str:
        return labels.yes_no(obj.is_staff)

    @admin.display(description=_("active"), ordering="is_active")
    def active(self, obj: User) -> str:
        return labels.yes_no(obj.is_active)

    @admin.display(description=in_zone(_("date joined")), ordering="date_joined")
    def joined(self, obj: User) -> str:
        return when(obj.date_joined)

    @admin.display(description=in_zone(_("last login")), ordering="last_login")
    def last_seen(self, obj: User) -> str:
        return when(obj.last_login)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        return change_message(User, form, add=add)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["form_class"] = RoleField
            kwargs["widget"] = CheckboxSelectMultiple
            kwargs["help_text"] = _("Each role brings its permissions (docs/operations.md).")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OfficeGroupAdmin(NamedObjects, GroupAdmin):
    """The roles, read-only: ``santui setup`` writes them (santui.backoffice.roles), so that
    no role is changed or deleted by hand. Each role's permissions are listed in words."""

    list_display = ("role",)
    change_form_template = NAMED_FORM
    object_history_template = NAMED_HISTORY
    fields = ("role", "grants")
    readonly_fields = ("role", "grants")
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def shown_name(self, obj: Group) -> str:
        return labels.role_name(obj.name)

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj: Group) -> str:
        return labels.role_name(obj.name)

    @admin.display(description=_("permissions"))
    def grants(self, obj: Group) -> SafeString:
        perms = obj.permissions.select_related("content_type").order_by(
            "content_type__app_label", "codename"
        )
        return format_html_join("", "<div>{}</div>", ((labels.permission_name(p),) for p in perms))


def register(site: admin.AdminSite) -> None:
    site.register(User, OfficeUserAdmin)
    site.register(Group, OfficeGroupAdmin)
    site.register(LedgerEntry, LedgerEntryAdmin)
    site.register(Alert, AlertAdmin)
    site.register(LoopState, LoopStateAdmin)
