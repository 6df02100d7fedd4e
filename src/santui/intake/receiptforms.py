"""Forms of the receipt page: the look-up (a mistyped code is told apart from an unknown one)
and the certificate of withdrawal (a name typed at download, never stored)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from santui.intake.forms import PRIVATE, PRIVATE_CODE, ChallengeForm, lean_copies
from santui.statements.receipts import (
    InvalidReceiptCode,
    ReceiptCodeTypo,
    normalize_receipt_code,
)

MAX_CODE_INPUT = 80
MAX_CERTIFICATE_NAME = 80


def clean_receipt_code(value: str) -> str:
    """The canonical secret of a typed code, or a ValidationError a person understands:
    ``typo`` for a code with a wrong or swapped character, ``invalid`` for anything else."""
    try:
        return normalize_receipt_code(value)
    except ReceiptCodeTypo:
        raise forms.ValidationError(
            _(
                "This code has a typo: one character is wrong or two are swapped. Compare it "
                "with your note character by character."
            ),
            code="typo",
        ) from None
    except InvalidReceiptCode:
        raise forms.ValidationError(
            _("This is not a receipt code: it has 33 letters A–Z and digits 2–7 (older codes 32)."),
            code="invalid",
        ) from None


@lean_copies
class ReceiptForm(ChallengeForm):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=MAX_CODE_INPUT,
        widget=forms.TextInput(PRIVATE_CODE),
        error_messages={
            "required": _("Type your receipt code."),
            "max_length": _("This is too long for a receipt code."),
        },
    )

    def clean_code(self) -> str:
        return clean_receipt_code(self.cleaned_data["code"])


def _language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES]


def clean_certificate_name(value: str) -> str:
    """A name or alias as the declarant wants it printed: one line of text, no markup."""
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} for c in value):
        raise forms.ValidationError(
            _("A name cannot contain line breaks or invisible control characters."),
            code="control",
        )
    if "\ufffd" in value:  # what undecodable bytes became: the name did not arrive as UTF-8
        raise forms.ValidationError(
            _("This name did not arrive as readable text. Please type it again."), code="encoding"
        )
    if "<" in value or ">" in value:
        raise forms.ValidationError(
            _("A name cannot contain the characters < and >."), code="markup"
        )
    if not value.strip():
        raise forms.ValidationError(_("Type the name or alias to print."), code="required")
    return " ".join(value.split())


@lean_copies
class CertificateForm(ChallengeForm):
    """The certificate's questions. The code comes from the receipt page's look-up (a hidden
    field, POST only); the name is typed here, printed once and kept nowhere. It passes the
    receipt look-up's door (``challenge=True``: a sum to work out), since it answers whether a
    code is known just as the look-up does."""

    code = forms.CharField(max_length=MAX_CODE_INPUT, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Name or alias to print on the certificate"),
        help_text=_(
            "Any name you choose. It is printed on the certificate only: santui does not keep it."
        ),
        max_length=MAX_CERTIFICATE_NAME,
        strip=False,
        widget=forms.TextInput(PRIVATE),
        error_messages={
            "required": _("Type the name or alias to print."),
            "max_length": _(
                "A name has at most %(limit_value)d characters (this has %(show_value)d)."
            ),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the certificate"),
        choices=_language_choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # ChallengeForm: no label suffix, the challenge
        languages = {code for code, _name in settings.LANGUAGES}
        current = get_language()
        self.fields["language"].initial = current if current in languages else "en"

    def clean_code(self) -> str:
        return clean_receipt_code(self.cleaned_data["code"])

    def clean_name(self) -> str:
        return clean_certificate_name(self.cleaned_data["name"])
