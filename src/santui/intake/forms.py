"""The public declaration form and the receipt look-up. Both work without JavaScript."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from santui.intake import door, places
from santui.statements.models import SECTOR_CHOICES, Declarant, NameKind, Organization

# Fields whose value the browser must neither suggest nor remember (a seized device's form
# history would show a declarant's name or receipt code).
PRIVATE = {"autocomplete": "off"}
PRIVATE_CODE = {**PRIVATE, "autocapitalize": "characters", "spellcheck": "false"}

PARTY_MEMBER_CHOICES = [
    ("yes", _("Yes, I am a party member now")),
    ("no", _("No")),
    ("unknown", _("I prefer not to say")),
]

# Who sends the statement, in the declarant's words; stored as Declarant (counted separately).
DECLARANT_CHOICES = [
    (Declarant.SELF, _("I declare for myself")),
    (Declarant.FAMILY, _("I am a family member, declaring on their behalf")),
    (Declarant.VOLUNTEER, _("I am a volunteer, declaring on their behalf")),
    (Declarant.DECEASED, _("I declare for a person who has died")),
]


def _shallow(obj: Any) -> Any:
    """What ``copy.copy`` makes of a field or a widget (a new object with a copy of its
    ``__dict__``), without the reduce protocol it goes through."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


_VALUES, _LABELS = (str, int), (str, Promise)  # immutable: a deep copy is the thing itself


def _flat(choices: Any) -> bool:
    """Whether ``choices`` is a list of (value, label) pairs of immutable things, whose deep copy
    is the list's copy (Django deep-copies them item by item; grouped options hold lists)."""
    return isinstance(choices, list) and all(
        isinstance(c, tuple)
        and len(c) == 2
        and isinstance(c[0], _VALUES)
        and isinstance(c[1], _LABELS)
        for c in choices
    )


class LeanFieldCopies(dict[str, forms.Field]):
    """A form class's ``base_fields`` whose deep copy (Django makes one for every form made)
    gives what Django's gives, a field and a widget of each form's own with their own ``attrs``,
    ``error_messages``, ``validators`` and choices, made directly: Django's ``__deepcopy__`` of
    a field copies it and its widget through ``copy.copy``'s reduce protocol and deep-copies
    the choices item by item. Making the declaration form, for every visitor and every
    statement, took 304 µs with it and takes 107 without (bench/bench_form_parts.py). Anything
    else (a MultiWidget's widgets, grouped options) is copied by Django's own way."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: self._field(field, memo) for name, field in self.items()}

    @staticmethod
    def _field(field: forms.Field, memo: dict[int, Any]) -> forms.Field:
        widget = field.widget
        if (
            isinstance(widget, forms.MultiWidget)
            or not _flat(field.__dict__.get("_choices", []))
            or not _flat(widget.__dict__.get("_choices", []))
        ):
            kept: forms.Field = copy.deepcopy(field, memo)
            return kept
        new, copied = _shallow(field), _shallow(widget)
        copied.attrs = widget.attrs.copy()
        new.widget = copied
        new.error_messages = field.error_messages.copy()
        new.validators = field.validators[:]
        # normalized already: the lists are copied, not normalized again as the setters would
        for obj, original in ((new, field), (copied, widget)):
            if "_choices" in original.__dict__:
                obj.__dict__["_choices"] = list(original.__dict__["_choices"])
        memo[id(field)], memo[id(widget)] = new, copied
        made: forms.Field = new
        return made


FormClass = TypeVar("FormClass", bound=type[forms.Form])


def lean_copies(cls: FormClass) -> FormClass:
    """Give a form class's fields the copies of ``LeanFieldCopies`` (after Django's metaclass
    has gathered them)."""
    cls.base_fields = LeanFieldCopies(cls.base_fields)
    return cls


class LeanSelect(forms.Select):
    """A <select> rendered in one pass instead of one template per option.

    The place lists have about 600 options; Django's per-option templates made the form page
    take a quarter of a second to render. Same markup, escaped the same way. The options of a
    ``PlaceChoices`` list are written once (``PlaceChoices.markup``); a selected value is
    marked in a copy.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = str(value) if value not in (None, "") else ""
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        choices = self.choices
        body = choices.markup() if isinstance(choices, PlaceChoices) else options_markup(choices)
        plain = format_html('<option value="{}">', selected)  # the blank one when none is
        body = body.replace(plain, plain[:-1] + " selected>")
        # every part was escaped: the options by options_markup, the attributes here
        return mark_safe(format_html("<select{}>", flatatt(final)) + body + "</select>")  # noqa: S308


def options_markup(choices: Iterable[tuple[Any, Any]]) -> str:
    """The <option> (and <optgroup>) elements of ``choices``, none selected, escaped."""
    parts: list[str] = []
    for code, label in choices:
        if isinstance(label, list | tuple):
            parts.append(format_html('<optgroup label="{}">', code))
            parts += [format_html('<option value="{}">{}</option>', c, lab) for c, lab in label]
            parts.append("</optgroup>")
        else:
            parts.append(format_html('<option value="{}">{}</option>', code, label))
    return "".join(parts)


class PlaceChoices(BaseChoiceIterator):
    """A place list (with its blank first option), normalized once: Django's fields and
    widgets take a BaseChoiceIterator as it is instead of normalizing it again each time.
    Made in the language of its labels (``place_choices``), its options are written once."""

    def __init__(self, choices: list[tuple[str, Any]]) -> None:
        self.items = normalize_choices(choices)
        self.codes = frozenset(
            str(code)
            for key, value in self.items
            for code, _label in (value if isinstance(value, list | tuple) else [(key, value)])
        )
        self._markup: str | None = None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.items)

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` is one of the options (the field's ``valid_value``)."""
        return str(value) in self.codes

    def markup(self) -> str:
        if self._markup is None:  # two threads may both write it: the same text
            self._markup = options_markup(self.items)
        return self._markup


@functools.cache
def place_choices(name: str, language: str) -> PlaceChoices:
    """The options of the form's place list ``name`` (or of its sector list) in ``language``
    (the active language)."""
    with translation.override(language):
        options: list[tuple[str, Any]]
        if name == "province":
            options = list(places.province_choices())
        elif name == "city":
            options = list(places.prefecture_choices())
        elif name == "sector":
            options = [(key, str(label)) for key, label in SECTOR_CHOICES]
        else:
            options = list(places.country_choices())
        return PlaceChoices([("", "—"), *options])


class ControlCharsMixin:
    """Reject control characters (other than newlines and tabs) in any text field."""

    def clean_text_value(self, value: str) -> str:
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value) or "\x7f" in value:
            raise forms.ValidationError(_("The text contains control characters."))
        return value


class ChallengeWidget(forms.MultiWidget):
    """The challenge's image, its key (hidden) and the answer box. Shown again after an error in
    another field with the same sum and the answer typed, while that sum can still be answered;
    otherwise with a new sum."""

    template_name = "intake/widgets/challenge.html"
    use_fieldset = False  # one answer box, labelled by the field's label

    def __init__(self) -> None:
        answer = forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "inputmode": "numeric",
                "size": "6",
                "maxlength": str(door.MAX_ANSWER),
            }
        )
        super().__init__((forms.HiddenInput(), answer))

    def decompress(self, value: Any) -> list[Any]:
        return [None, None]  # a challenge has no initial value

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_1" if id_ else ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        key, answer = value if isinstance(value, list | tuple) and len(value) == 2 else (None, "")
        if not door.challenge_live(key):
            key, answer = door.challenge_new(), ""
        context = super().get_context(name, [key, answer], attrs)
        context["widget"]["image"] = reverse("captcha-image", kwargs={"key": key})
        return context


class ChallengeField(forms.MultiValueField):
    """A small sum to work out (santui.intake.door). Cleans to (key, answer in ASCII digits);
    the answer is checked, and the challenge used up, by ChallengeForm once every other field
    is valid."""

    widget = ChallengeWidget
    default_error_messages = {
        "new": _(
            "Please work out the sum in the picture, then send again. Nothing you typed is lost."
        ),
        "required": _("Write the result of the sum in the picture."),
        "invalid": _("Write the result in digits, for example 12."),
    }

    def __init__(self) -> None:
        super().__init__(
            fields=(forms.CharField(), forms.CharField()),
            require_all_fields=False,
            label=_("Work out the sum in the picture"),
            help_text=_(
                "Many requests are arriving from your connection (which others may share, as on "
                "Tor) or from everywhere, so we ask you to work out this small sum. It keeps "
                "automated floods out and records nothing about you."
            ),
        )

    def clean(self, value: Any) -> tuple[str, str]:
        key, answer = value if isinstance(value, list | tuple) and len(value) == 2 else ("", "")
        if not isinstance(key, str) or not door.KEY.fullmatch(key):
            raise forms.ValidationError(self.error_messages["new"], code="new")
        if not isinstance(answer, str) or not answer.strip():
            raise forms.ValidationError(self.error_messages["required"], code="required")
        digits = door.normalize_answer(answer)
        if digits is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return key, digits


class ChallengeForm(forms.Form):
    """A form that carries a challenge field when the door asks for one (``challenge=True``).
    The answer is checked last, only when everything else is valid: a sum is used up by the
    first answer given to it, and a person correcting another field keeps theirs."""

    def __init__(self, *args: Any, challenge: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels end in their own punctuation, if any
        super().__init__(*args, **kwargs)
        if challenge:
            self.fields["challenge"] = ChallengeField()

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or "challenge" not in self.fields or self.errors:
            return
        key, answer = self.cleaned_data["challenge"]
        outcome = door.challenge_check(key=key, answer=answer)
        if outcome == "wrong":
            message = _(
                "That result was not right. Here is a new sum; everything else you typed is kept."
            )
            self.add_error("challenge", forms.ValidationError(message, code="wrong"))
        elif outcome == "gone":
            message = _(
                "That sum has expired or was already used. Here is a new one; everything else "
                "you typed is kept."
            )
            self.add_error("challenge", forms.ValidationError(message, code="gone"))


@lean_copies
class DeclareForm(ControlCharsMixin, ChallengeForm):
    text = forms.CharField(
        label=_("Your statement"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=settings.SANTUI_MAX_TEXT,
        help_text=_("In your own words, for example: 我声明退出中共的党、团、队组织。"),
    )
    organizations = forms.MultipleChoiceField(
        label=_("Which organizations do you quit?"),
        choices=Organization.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one organization.")},
    )
    declarant = forms.ChoiceField(
        label=_("Who is sending this statement?"),
        choices=DECLARANT_CHOICES,
        widget=forms.RadioSelect,
        initial=Declarant.SELF,
        required=False,  # a page from before the field sends none: the person themselves
        help_text=_("Each kind is counted and shown separately."),
    )
    # No autofill, and nothing kept in the browser's form history: the device may be seized.
    name = forms.CharField(
        label=_("Name or alias"), max_length=200, required=False, widget=forms.TextInput(PRIVATE)
    )
    name_kind = forms.ChoiceField(
        label=_("This name is"),
        choices=NameKind.choices,
        widget=forms.RadioSelect,
        initial=NameKind.ALIAS,
    )
    province = forms.ChoiceField(label=_("Province (mainland China)"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    country = forms.ChoiceField(label=_("Or another country or area"), required=False)
    # The place is optional: nothing, or this box, is counted as "unknown / not said".
    place_unsaid = forms.BooleanField(label=_("I prefer not to say"), required=False)
    # its options: place_choices("sector", language), set for each form (below)
    sector = forms.ChoiceField(label=_("Sector or occupation (optional)"), required=False)
    current_party_member = forms.ChoiceField(
        label=_("Are you a member of the party now?"),
        choices=PARTY_MEMBER_CHOICES,
        widget=forms.RadioSelect,
        initial="unknown",
    )
    headcount = forms.IntegerField(
        label=_("How many people does this statement speak for?"),
        min_value=1,
        max_value=settings.SANTUI_MAX_HEADCOUNT,
        initial=1,
        help_text=_("1 for yourself; more for a family or group statement."),
    )
    publish = forms.BooleanField(
        label=_("You may publish my name and statement text"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or settings.LANGUAGE_CODE
        for name in ("province", "city", "country", "sector"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            # Made once per language (about 600 options): normalizing them for the field and
            # again for its widget took a third of a statement's time, and writing their
            # options most of the form page's (docs/benchmarks.md, "The public form under load").
            choices = place_choices(name, language)
            field.choices = choices
            field.widget = LeanSelect(choices=choices)
            field.valid_value = choices.__contains__  # type: ignore[method-assign, assignment]

    def clean_text(self) -> str:
        return self.clean_text_value(self.cleaned_data["text"]).strip()

    def clean_declarant(self) -> str:
        return str(self.cleaned_data.get("declarant") or Declarant.SELF)

    def clean_name(self) -> str:
        return self.clean_text_value(self.cleaned_data["name"]).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        province, city, country = data.get("province"), data.get("city"), data.get("country")
        if country and (province or city):
            raise forms.ValidationError(
                _("Give either a province of mainland China or another country, not both.")
            )
        if city and not province:
            province = city[:2] + "0000"
        if city and city[:2] + "0000" != province:
            self.add_error("city", _("This city is not in the chosen province."))
        if data.get("place_unsaid") and (province or city or country):
            raise forms.ValidationError(
                _(
                    "You chose a place and “I prefer not to say”: keep one of them. Nothing "
                    "has been sent yet."
                )
            )
        # No place at all is fine: counted as unknown (region ""), like "prefer not to say".
        data["region"] = city or province or country or ""
        if data.get("name_kind") == NameKind.ANONYMOUS:
            data["name"] = ""
        elif not data.get("name") and "name_kind" in data:
            data["name_kind"] = NameKind.ANONYMOUS
        return data

    @property
    def current_party_member_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["current_party_member"])

    def parser_hints(self) -> dict[str, Any]:
        """The answers the declarant gave, as hints for santui.textparse (they win)."""
        data = self.cleaned_data
        hints: dict[str, Any] = {
            "organizations": list(data["organizations"]),
            "headcount": data["headcount"],
            "name_kind": data["name_kind"],
            "region": data["region"],
        }
        if data.get("name"):
            hints["name"] = data["name"]
        if data.get("sector"):
            hints["sector"] = data["sector"]
        if self.current_party_member_value is not None:
            hints["current_party_member"] = self.current_party_member_value
        return hints


@functools.cache
def pristine_fields(language: str) -> SafeString:
    """The declaration form's fields as a visitor first sees them (nothing typed, no challenge)
    in ``language``, written once: rendering them, a template per field and per radio button,
    was three quarters of the form page's CPU, and every visitor asks for the page before
    sending it (docs/benchmarks.md, "The public form under load"). A form with values, errors
    or a challenge is rendered each time (intake/declare_fields.html)."""
    with translation.override(language):
        html = render_to_string("intake/declare_fields.html", {"form": DeclareForm()})
    return mark_safe(html)  # noqa: S308  # a template's output: escaped by it
