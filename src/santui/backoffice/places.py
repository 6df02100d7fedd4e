"""The place field of the office's statement forms: one <select>, no JavaScript needed.

The choices: none; the mainland with the province unknown; each province as a group of its
own (the province itself first, then its prefecture-level cities); other countries and areas by
name. Every option names the place in full ("辽宁省 沈阳市") in the viewer's language, so the
closed select says what is chosen and a browser's type-to-find finds it. A stored code the
list does not carry (a county, from the parser or an import) is kept as the first option.

With JavaScript on, the office's own static script (``backoffice/place-filter.js``, served by
this site under the office CSP) adds a box that narrows the options as one types; without it
the select is whole and works the same.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from santui.backoffice.labels import place_name
from santui.intake.places import country_choices
from santui.textparse.regions import MAINLAND, RegionError, gazetteer, normalize_region

Group = tuple[str, list[tuple[str, str]]]


def place_groups() -> list[Group]:
    """The <optgroup>s, in the active language: each province with its cities, then the other
    countries and areas."""
    return list(_place_groups(get_language() or "zh-hans"))


@cache
def _place_groups(lang: str) -> tuple[Group, ...]:
    with translation.override(lang):
        gaz = gazetteer()
        groups: list[Group] = []
        for province in gaz.provinces.values():
            whole = _("%(place)s (city not known)") % {"place": place_name(province.code)}
            options = [(province.code, whole)]
            options += [(d.code, place_name(d.code)) for d in gaz.prefectures_of(province.code)]
            groups.append((place_name(province.code), options))
        groups.append((str(_("Other countries and areas")), list(country_choices())))
        return tuple(groups)


@cache
def _known(lang: str) -> frozenset[str]:
    codes = {code for _label, options in _place_groups(lang) for code, _name in options}
    return frozenset(codes | {MAINLAND})


class PlaceSelect(forms.Widget):
    """A <select> of places rendered in one pass (about 600 options; a template per option
    would take a quarter of a second). Values are escaped like Django's Select."""

    input_type = "select"

    class Media:
        js = ("backoffice/place-filter.js",)

    def format_value(self, value: Any) -> str:
        return "" if value in (None, "") else str(value)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = self.format_value(value)
        groups = place_groups()
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        final["data-place-filter"] = _("Type to narrow the places")
        parts = [format_html("<select{}>", flatatt(final))]

        def option(code: str, label: str) -> SafeString:
            mark = mark_safe(" selected") if code == selected else ""
            return format_html('<option value="{}"{}>{}</option>', code, mark, label)

        parts.append(option("", _("— not known or not said —")))
        if selected and selected not in _known(get_language() or "zh-hans"):
            try:  # a valid code the list does not carry (a county): keep it
                kept = normalize_region(selected)
            except RegionError:
                kept = ""
            if kept == selected:
                parts.append(option(selected, place_name(selected)))
        parts.append(option(MAINLAND, place_name(MAINLAND)))
        for label, options in groups:
            parts.append(format_html('<optgroup label="{}">', label))
            parts += [option(code, text) for code, text in options]
            parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))  # noqa: S308  # every part was escaped above

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)
