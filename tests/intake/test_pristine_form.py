"""The form page's fields, written once per language for a visitor who has typed nothing
(santui.intake.forms.pristine_fields), are exactly what rendering them each time gives; a form
with values, errors or a challenge is still rendered each time."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from santui.intake import door
from santui.intake.forms import DeclareForm, pristine_fields

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "zh-hant", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kept_fields_are_the_rendered_ones(language: str) -> None:
    with translation.override(language):
        fresh = render_to_string("intake/declare_fields.html", {"form": DeclareForm()})
    assert pristine_fields(language) == fresh
    assert 'name="text"' in fresh and 'name="province"' in fresh and 'name="sector"' in fresh


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_carries_them_in_the_visitor_language(language: str) -> None:
    page = Client().get("/declare/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert pristine_fields(language) in page
    others = {pristine_fields(other) for other in LANGUAGES if other != language}
    assert not any(other in page for other in others)


def test_a_form_sent_back_with_errors_keeps_what_was_typed() -> None:
    sent = {"text": "我声明退出共青团 <b>", "organizations": ["league"], "name": "",
            "name_kind": "anonymous", "province": "110000", "sector": "police",
            "current_party_member": "unknown", "headcount": "0"}  # fmt: skip
    page = Client().post("/declare/", sent, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    html = page.content.decode()
    assert "我声明退出共青团 &lt;b&gt;" in html
    assert '<option value="110000" selected>' in html
    assert '<option value="police" selected>' in html
    assert pristine_fields("en") not in html


def test_a_challenge_is_rendered_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(door, "challenge_needed", lambda request, which: True)
    first = Client().get("/declare/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    second = Client().get("/declare/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    keys = [re.search(r'name="challenge_0" value="([0-9a-f]{40})"', p) for p in (first, second)]
    assert keys[0] and keys[1], "no challenge asked"
    assert keys[0].group(1) != keys[1].group(1)
