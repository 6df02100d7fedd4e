from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DateRangeForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both optional."""

    from_ = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"])
    to = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
