"""LeanSelect renders what Django's Select renders (same options, groups, selection, escaping)."""

from html.parser import HTMLParser

import pytest
from django import forms

from santui.intake.forms import LeanSelect

CHOICES = [
    ("", "—"),
    ("Group <A>", [("110000", "北京市"), ("120000", 'Tianjin "T" & <b>')]),
    ("US", "美国"),
]


class _Options(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str | None, str, bool]] = []
        self.group: str | None = None
        self.select_attrs: dict[str, str | None] = {}
        self._open: tuple[str | None, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self.select_attrs = a
        elif tag == "optgroup":
            self.group = a["label"]
        elif tag == "option":
            self._open = (a.get("value"), "selected" in a)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            value, selected = self._open
            self.items.append((self.group or "", value, data, selected))
            self._open = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "optgroup":
            self.group = None


def parsed(html: str) -> _Options:
    parser = _Options()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("value", ["", "120000", "US", "nope"])
def test_same_options_and_selection_as_django(value: str) -> None:
    ours = parsed(LeanSelect(choices=CHOICES).render("city", value, {"id": "id_city"}))
    django = parsed(forms.Select(choices=CHOICES).render("city", value, {"id": "id_city"}))
    assert ours.items == django.items
    assert ours.select_attrs == django.select_attrs == {"name": "city", "id": "id_city"}
    assert sum(selected for *_, selected in ours.items) == (1 if value != "nope" else 0)


def test_labels_and_values_are_escaped() -> None:
    html = LeanSelect(choices=CHOICES).render("city", "", None)
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert 'label="Group &lt;A&gt;"' in html
