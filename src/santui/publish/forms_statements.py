"""The search form of the public statement list (GET, works without JavaScript) and the same
parameters for /api/v1/statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from santui.publish.forms import IsoDateField
from santui.statements.public import MAX_NUMBER, StatementQuery
from santui.tally.selectors import region_names
from santui.textparse.regions import MAINLAND, gazetteer, iso_codes

MAX_QUERY = 200  # characters of a text search
MAX_NAME = 200  # Statement.name's max_length
FILTERS = ("q", "name", "region", "from", "to")  # the parameters that links carry along
MORE_FILTERS = FILTERS[1:]  # those the page folds away under "More filters" when none is set


def _plain_text(value: str) -> None:
    """No control characters (Django already refuses NUL) and no U+FFFD, which is what a query
    string that is not valid UTF-8 decodes to."""
    if "\ufffd" in value:
        raise forms.ValidationError(_("The text is not valid UTF-8."))
    if any(0 < ord(ch) < 32 or ord(ch) == 127 for ch in value):  # NUL: Django's own message
        raise forms.ValidationError(_("The text contains control characters."))


@cache
def region_keys() -> frozenset[str]:
    """Every rollup region key: the provinces of the mainland (GB/T 2260) and the ISO 3166-1
    alpha-2 codes (CN: mainland, province unknown)."""
    return frozenset(gazetteer().provinces) | iso_codes()


def known_region(code: str) -> bool:
    return code in region_keys()


def _language_index(language: str) -> int:
    return {"zh-hans": 1, "zh-hant": 2}.get(language, 0)


def region_label(code: str, *, language: str) -> str:
    """The name of a rollup region key in the page language (en, zh-hans, zh-hant)."""
    return region_names(code)[_language_index(language)]


def region_choices(codes: Sequence[str], *, language: str) -> list[Any]:
    """The region <select>: every region, then provinces in code order, then other countries
    and areas by name."""
    provinces = gazetteer().provinces
    mainland = sorted(c for c in codes if c in provinces)
    if MAINLAND in codes:
        mainland.append(MAINLAND)
    others = sorted(
        (c for c in codes if c not in provinces and c != MAINLAND and c),
        key=lambda c: region_label(c, language=language),
    )
    choices: list[Any] = [("", _("All regions"))]
    if mainland:
        group = [(c, region_label(c, language=language)) for c in mainland]
        choices.append((_("Mainland China"), group))
    if others:
        group = [(c, region_label(c, language=language)) for c in others]
        choices.append((_("Other countries and areas"), group))
    return choices


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatementSearchForm(forms.Form):
    """?q=&name=&region=&from=&to=&before=, all optional and combined."""

    q = forms.CharField(
        label=_("Text contains"),
        max_length=MAX_QUERY,
        required=False,
        strip=False,  # str.strip() would take control characters (\x1c-\x1f) away unseen
        validators=[_plain_text],
        help_text=_("Simplified and Traditional characters match alike."),
    )
    name = forms.CharField(
        label=_("Name or alias"),
        max_length=MAX_NAME,
        required=False,
        strip=False,  # str.strip() would take control characters (\x1c-\x1f) away unseen
        validators=[_plain_text],
        help_text=_("The whole name, exactly as published."),
        # a name searched for stays out of the browser's form history (a seized device)
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    region = forms.CharField(label=_("Region"), required=False, strip=False, widget=forms.Select)
    from_ = IsoDateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"], widget=_DATE)
    to = IsoDateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"], widget=_DATE)
    before = forms.IntegerField(
        label=_("Page"), min_value=0, max_value=MAX_NUMBER, required=False, widget=forms.HiddenInput
    )

    def __init__(
        self, *args: Any, regions: Sequence[str] = (), language: str = "en", **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")
        wanted = self.data.get("region") if self.is_bound else None
        shown = [*regions, wanted] if wanted and known_region(wanted) else list(regions)
        widget = self.fields["region"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = region_choices(sorted(set(shown)), language=language)

    def clean_region(self) -> str:
        code: str = self.cleaned_data.get("region") or ""
        if code and not known_region(code):
            raise forms.ValidationError(_("Unknown region."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def query(self) -> StatementQuery:
        data = self.cleaned_data if self.is_bound else {}
        return StatementQuery(
            text=data.get("q") or "",
            name=data.get("name") or "",
            region=data.get("region") or "",
            date_from=data.get("from"),
            date_to=data.get("to"),
        )

    def more_filters_set(self) -> bool:
        """Whether the folded filters should show open: one of them was given (even wrongly)."""
        return self.is_bound and any(self.data.get(name) for name in MORE_FILTERS)

    def page_before(self) -> int | None:
        return self.cleaned_data.get("before") if self.is_bound else None

    def link(self, *, before: int | None) -> str:
        """The query string of another page of the same search (``?`` included; "" if none)."""
        data = self.cleaned_data if self.is_bound else {}
        params: list[tuple[str, str]] = []
        for name in FILTERS:
            value = data.get(name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value:
                params.append((name, str(value)))
        if before is not None:
            params.append(("before", str(before)))
        return f"?{urlencode(params)}" if params else ""

    def error_detail(self) -> dict[str, list[str]]:
        """The errors as plain text by parameter ("__all__" for combinations)."""
        return {field: [str(e) for e in errors] for field, errors in self.errors.items()}
