from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD exactly (RFC 3339 full-date), as the API documents it; strptime
    alone would also take 2024-1-1. Empty means no bound."""

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str) and value and not _ISO_DATE.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DateRangeForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both optional, and ?period=all|YYYY|YYYY-MM: the
    released period whose breakdowns to show (docs/disclosure.md)."""

    from_ = IsoDateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"])
    to = IsoDateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])
    period = forms.RegexField(
        label=_("Breakdowns for"),
        required=False,
        regex=r"^(all|[0-9]{4}|[0-9]{4}-(0[1-9]|1[0-2]))$",
        error_messages={"invalid": _("A period is all, a year (YYYY) or a month (YYYY-MM).")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("period"):
            data["period"] = None
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
