"""Two cheaper ways of making the form's pages, each checked against the way it replaces:

* the copies of a form class's fields (``LeanFieldCopies``): each form gets fields, widgets,
  attrs, error messages, validators and choices of its own, equal to Django's deep copies, and
  what one form changes in its fields reaches neither another form nor the class;
* the receipt page of a new statement (``declared_page``), written once per language and cut
  where the code goes: the same page, byte for byte, as the templates render for that code."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django import forms
from django.test import Client, RequestFactory
from django.urls import resolve
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from santui.intake import views
from santui.intake.forms import DeclareForm, LeanFieldCopies, lean_copies
from santui.intake.receiptforms import CertificateForm, ReceiptForm

KEY = re.compile(r"[0-9a-f]{40}")  # a challenge's key
FORMS = [DeclareForm, ReceiptForm, CertificateForm]
LANGUAGES = ["zh-hans", "zh-hant", "en"]


class PlainDeclareForm(DeclareForm):
    """The same fields, copied by Django's own deep copy (the metaclass gives a subclass a
    plain dict of its own)."""


def _mutable_parts(field: forms.Field) -> list[object]:
    widget = field.widget
    parts: list[object] = [field, widget, widget.attrs, field.error_messages, field.validators]
    parts += [obj.__dict__["_choices"] for obj in (field, widget) if "_choices" in obj.__dict__]
    return parts


def _state(field: forms.Field) -> tuple[dict[str, Any], dict[str, Any]]:
    own = {k: v for k, v in vars(field).items() if k != "widget"}
    return own, dict(vars(field.widget))


@pytest.mark.parametrize("form_class", FORMS)
def test_each_copy_has_fields_of_its_own(form_class: type[forms.Form]) -> None:
    assert isinstance(form_class.base_fields, LeanFieldCopies)
    one, two = copy.deepcopy(form_class.base_fields), copy.deepcopy(form_class.base_fields)
    for name, base in form_class.base_fields.items():
        ours, theirs, kept = map(_mutable_parts, (one[name], two[name], base))
        for a, b, c in zip(ours, theirs, kept, strict=True):
            assert a is not b and a is not c, (name, type(a).__name__)


@pytest.mark.parametrize("form_class", FORMS)
def test_the_copies_equal_djangos(form_class: type[forms.Form]) -> None:
    lean = copy.deepcopy(form_class.base_fields)
    django = copy.deepcopy(dict(form_class.base_fields))
    assert type(lean) is dict and lean.keys() == django.keys()
    for name in lean:
        assert type(lean[name]) is type(django[name])
        assert type(lean[name].widget) is type(django[name].widget)
        assert _state(lean[name]) == _state(django[name]), name


def test_what_a_form_changes_stays_in_it() -> None:
    changed, other = DeclareForm(), DeclareForm()
    field = changed.fields["organizations"]
    assert isinstance(field, forms.MultipleChoiceField)
    field.widget.attrs["class"] = "changed"
    field.error_messages["required"] = "changed"
    field.validators.append(lambda value: None)
    field.choices = [("party", "changed")]
    field._choices.append(("x", "y"))  # type: ignore[attr-defined]  # in place, too
    field.widget._choices.append(("x", "y"))  # type: ignore[attr-defined]
    for fresh in (other.fields["organizations"], DeclareForm().fields["organizations"],
                  DeclareForm.base_fields["organizations"]):  # fmt: skip
        assert "class" not in fresh.widget.attrs
        assert fresh.error_messages["required"] != "changed"
        assert fresh.validators == DeclareForm.base_fields["organizations"].validators
        assert ("x", "y") not in fresh.choices and ("x", "y") not in fresh.widget.choices
        assert [label for _, label in fresh.choices] != ["changed"]


@pytest.mark.django_db  # a challenge is stored
@pytest.mark.parametrize("language", LANGUAGES)
def test_forms_render_as_with_djangos_copies(language: str) -> None:
    sent = {"text": "我声明退出共青团", "organizations": ["league", "pioneers"], "name": "<i>x",
            "name_kind": "alias", "province": "110000", "headcount": "0"}  # fmt: skip
    with translation.override(language):
        for data in (None, sent):
            for challenge in (False, True):
                lean = DeclareForm(data, challenge=challenge)
                plain = PlainDeclareForm(data, challenge=challenge)
                assert lean.is_bound == plain.is_bound
                assert (lean.errors if data else {}) == (plain.errors if data else {})
                # a challenge draws a new sum each time it is written: its key aside
                pages = [KEY.sub("KEY", form.as_div()) for form in (lean, plain)]
                assert pages[0] == pages[1]
                assert ("KEY" in pages[0]) == challenge


choice = st.tuples(st.text(max_size=5) | st.integers(), st.text(max_size=5))
group = st.tuples(st.text(max_size=5), st.lists(choice, max_size=3))


@given(st.lists(choice | group, max_size=6), st.booleans())
def test_any_choices_are_copied_as_django_copies_them(choices: list[Any], multiple: bool) -> None:
    kind = forms.MultipleChoiceField if multiple else forms.ChoiceField

    @lean_copies
    class Picked(forms.Form):
        picked = kind(choices=choices, widget=forms.RadioSelect, required=False)

    lean = copy.deepcopy(Picked.base_fields)["picked"]
    django = copy.deepcopy(dict(Picked.base_fields))["picked"]
    base = Picked.base_fields["picked"]
    assert lean.choices == django.choices == base.choices  # type: ignore[attr-defined]
    assert lean.widget.choices == django.widget.choices
    assert lean.choices is not base.choices  # type: ignore[attr-defined]
    assert lean.widget.choices is not base.widget.choices
    for (_, label), (_, kept) in zip(lean.choices, base.choices, strict=True):  # type: ignore[attr-defined]
        if isinstance(kept, list):  # a group's options: a list of each copy's own
            assert label is not kept


# --- the receipt page ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", ["ABC-DEF-GHI", "A&B<C>\"'"])
def test_the_receipt_page_is_the_rendered_one(
    language: str, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "_declared", {})
    request = RequestFactory().post("/declare/")
    request.resolver_match = resolve("/declare/")  # as the view is called: its link marked
    with translation.override(language):
        rendered = views.render(request, "intake/declared.html", {"code": code}).content
        first = views.declared_page(request, "OTHER-CODE")  # written, and kept
        again = views.declared_page(request, code)
    assert list(views._declared) == [(language, "/declare/")]
    assert again.content == rendered
    assert b'aria-current="page"' in rendered
    assert again["Content-Type"] == first["Content-Type"] == "text/html; charset=utf-8"
    assert b"OTHER-CODE" not in again.content


def test_an_address_with_a_query_is_rendered_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "_declared", {})
    request = RequestFactory().post("/declare/?next=%3Cb%3E")
    with translation.override("en"):
        page = views.declared_page(request, "ABC")
    assert views._declared == {}
    assert b'id="receipt-code">ABC<' in page.content


@pytest.mark.django_db
def test_receipts_of_two_statements_differ_only_in_the_code() -> None:
    sent = {"text": "我声明退出共青团。", "organizations": ["league"], "headcount": "1",
            "name_kind": "anonymous", "current_party_member": "unknown",
            "place_unsaid": "on"}  # fmt: skip
    client = Client()
    one, two = (client.post("/declare/", sent).content.decode() for _ in range(2))
    code_one, code_two = (page.split('id="receipt-code">')[1].split("<")[0] for page in (one, two))
    assert code_one != code_two
    assert one.replace(code_one, "CODE") == two.replace(code_two, "CODE")
