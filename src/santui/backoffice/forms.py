from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from santui.backoffice.places import PlaceSelect
from santui.statements.actions import DECLARANT_SOURCES, MAX_NAMES_TEXT
from santui.statements.models import NameKind, RejectReason, Statement
from santui.textparse.regions import RegionError, normalize_region

# A pasted list of names: one per line, or separated by 、 ， , ; ；
NAME_SEPARATORS = re.compile(r"[\r\n、，,;；]+")
NAME_JOINER = "、"
MAX_NAME = 200  # one name


def unique_names(*texts: str) -> list[str]:
    """The names in ``texts``, trimmed, each once: two spellings that are the same after NFKC,
    case folding and collapsing inner spaces (全角/半角, upper/lower case) are one name; the
    first spelling is kept."""
    unique: dict[str, str] = {}
    for text in texts:
        for piece in NAME_SEPARATORS.split(text):
            name = " ".join(piece.split())
            if name:
                key = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
                unique.setdefault(key, name)
    return list(unique.values())


class StatementForm(forms.ModelForm[Statement]):
    """What a volunteer types in for a statement received by phone, fax, mail, courier...

    A group statement's names can be pasted into ``names``: each different name counts once,
    the persons are their number, and the names are stored (encrypted) in ``name``, joined.
    """

    names = forms.CharField(
        label=_("List of names (group statement)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One name per line, or separated by 、 ， , or ;. Each different name counts once: "
            "the number of persons becomes the number of names (the name above, if any, "
            "included)."
        ),
    )
    # Set when the statement is made from a quarantined email (back office, quarantine page).
    from_quarantine = forms.IntegerField(
        label=_("made of a quarantined email"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Statement
        fields = [
            "channel", "received_at", "text", "party", "league", "pioneers", "headcount",
            "name", "name_kind", "declarant", "contact", "region", "sector",
            "current_party_member", "publish",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed and shown in the reporting time zone: the back office runs in it
        # (santui.backoffice.admin.BackofficeSite.admin_view).
        zone = settings.SANTUI_REPORTING_TZ
        if "received_at" in self.fields:
            field = self.fields["received_at"]
            field.label = _("received at (%(zone)s)") % {"zone": zone}
            field.help_text = _(
                "Date and time in %(zone)s, the reporting time zone; not in the future."
            ) % {"zone": zone}
        if "region" in self.fields:  # a choice of places, in the viewer's language
            region = self.fields["region"]
            region.widget = PlaceSelect(attrs={"class": "place-select"})
            region.help_text = _(
                "A province and its cities, or another country or area. Leave it at “not "
                "known” when the statement does not say."
            )
        if "declarant" in self.fields and self.is_bound and "declarant" not in self.data:
            # A page made before the field existed (or a script): who declares stays as it is
            # (self for a new statement), never an edit nobody asked for.
            self.fields["declarant"].disabled = True
        if "text" in self.fields:  # as long as the public form and mail intake take
            self.fields["text"].validators.append(MaxLengthValidator(settings.SANTUI_MAX_TEXT))

    def _get_validation_exclusions(self) -> set[str]:
        # Statement.name's max_length (200) is for one name; a joined list of names is longer.
        # Its length is checked in clean() instead. (Django's own hook for this: no public one.)
        return {*super()._get_validation_exclusions(), "name"}  # type: ignore[misc]  # not in django-stubs

    def clean_region(self) -> str:
        value: str = self.cleaned_data.get("region", "")
        if not value:
            return ""
        try:
            return normalize_region(value)
        except RegionError as exc:
            # The reader's reasons (santui.textparse.regions) are English: shown as they are
            # to an English reader, a sentence of the interface to the others.
            if get_language() == "en":
                raise forms.ValidationError(str(exc)) from None
            raise forms.ValidationError(
                _("This is not a place of the list: choose one from it.")
            ) from None

    def clean_received_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("received_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(
                _("This time is in the future (times are in %(zone)s).")
                % {"zone": settings.SANTUI_REPORTING_TZ}
            )
        return value

    def clean_publish(self) -> bool:
        value = bool(self.cleaned_data.get("publish"))
        sent = self.instance.pk is not None and self.instance.source in DECLARANT_SOURCES
        # A statement made of a quarantined email is one the declarant sent, too.
        sent = sent or (self.instance.pk is None and bool(self.data.get("from_quarantine")))
        if sent and value and not self.instance.publish:
            raise forms.ValidationError(
                _("Only the declarant can consent to publishing a statement they sent.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("party") or data.get("league") or data.get("pioneers")):
            raise forms.ValidationError(_("Choose at least one organization."))
        name = data.get("name") or ""
        if data.get("names", "").strip():
            names = unique_names(name, data["names"])
            if data.get("name_kind") == NameKind.ANONYMOUS:
                message = _("A list of names was given: choose real name or alias.")
                self.add_error("name_kind", message)
            if len(names) > settings.SANTUI_MAX_HEADCOUNT:
                self.add_error("names", _("More names than one statement may carry."))
            data["name"] = NAME_JOINER.join(names)
            data["headcount"] = len(names)
            if len(data["name"]) > MAX_NAMES_TEXT:
                self.add_error("names", _("The list of names is too long."))
        elif len(name) > MAX_NAME and not NAME_SEPARATORS.search(name):
            self.add_error("name", _("A name has at most 200 characters."))
        elif len(name) > MAX_NAMES_TEXT:
            self.add_error("name", _("The list of names is too long."))
        return data


class RejectForm(forms.Form):
    _selected_action = forms.CharField(widget=forms.MultipleHiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    note = forms.CharField(label=_("Note (internal)"), widget=forms.Textarea, required=False)

    action_checkbox_name = ACTION_CHECKBOX_NAME
