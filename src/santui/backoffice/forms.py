from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils.translation import gettext_lazy as _

from santui.statements.models import RejectReason, Statement
from santui.textparse.regions import RegionError, normalize_region


class StatementForm(forms.ModelForm[Statement]):
    """What a volunteer types in for a statement received by phone, fax, mail, courier..."""

    class Meta:
        model = Statement
        fields = [
            "channel", "received_at", "text", "party", "league", "pioneers", "headcount",
            "name", "name_kind", "contact", "region", "sector", "current_party_member",
            "publish",
        ]  # fmt: skip

    def clean_region(self) -> str:
        value: str = self.cleaned_data.get("region", "")
        if not value:
            return ""
        try:
            return normalize_region(value)
        except RegionError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("party") or data.get("league") or data.get("pioneers")):
            raise forms.ValidationError(_("Choose at least one organization."))
        return data


class RejectForm(forms.Form):
    _selected_action = forms.CharField(widget=forms.MultipleHiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    note = forms.CharField(label=_("Note (internal)"), widget=forms.Textarea, required=False)

    action_checkbox_name = ACTION_CHECKBOX_NAME
