"""The certificate of withdrawal (intake.certificate): a printable page, made on request.

POST only, like every form that carries a receipt code: the code and the name stay out of URLs,
histories and logs. The name is in this one response and nowhere else; the response may be
kept by no cache (``Cache-Control: no-store``).

It answers whether a code is known (a certificate, or "no statement has this code"), just as
the receipt look-up does, so it passes the same door (santui.intake.door): the look-up's
counter (``door.RECEIPT``, shared, so that taking turns between the two gains nothing), and
over its rate a sum to work out before the code is looked up at all.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_POST

from santui.intake import door
from santui.intake.certificate import certificate_make
from santui.intake.receiptforms import CertificateForm, ReceiptForm
from santui.intake.views import receipt_context
from santui.statements.models import Status
from santui.statements.selectors import statement_by_receipt


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"  # no cache, ours or on the way, keeps the name
    return response


@require_POST
def certificate(request: HttpRequest) -> HttpResponse:
    challenge = door.challenge_needed(request, door.RECEIPT)
    form = CertificateForm(request.POST, challenge=challenge)
    valid = form.is_valid()  # the sum, when asked, is checked (and used up) last
    if "code" in form.errors:
        # No usable code: back to the look-up, saying what is wrong with it.
        lookup = ReceiptForm({"code": request.POST.get("code", "")}, challenge=challenge)
        lookup.is_valid()
        context: dict[str, object] = {"form": lookup}
        return _no_store(render(request, "intake/receipt.html", context, status=400))
    if challenge and not valid:
        # The sum is not worked out yet (or another answer is wrong): the code is not looked
        # up, so this says nothing about it. The form comes back with all that was typed.
        context = {"form": ReceiptForm(challenge=True), "certificate_challenge": form}
        return _no_store(render(request, "intake/receipt.html", context, status=400))
    code = form.cleaned_data["code"]
    statement = statement_by_receipt(code=code)
    if statement is None:
        context = {"form": ReceiptForm(challenge=challenge), "not_found": True}
        return _no_store(render(request, "intake/receipt.html", context, status=404))
    if not valid or statement.status != Status.ACCEPTED:
        lookup = ReceiptForm(challenge=challenge)
        context = {"form": lookup, **receipt_context(statement, code, form)}
        status = 400 if form.errors else 409
        return _no_store(render(request, "intake/receipt.html", context, status=status))
    with translation.override(form.cleaned_data["language"]):
        made = certificate_make(statement=statement, name=form.cleaned_data["name"])
        if made is None:  # counted, but not yet in a signed tree of the log
            context = {"form": ReceiptForm(), **receipt_context(statement, code, form)}
            return _no_store(render(request, "intake/receipt.html", context, status=409))
        response = render(request, "intake/certificate.html", {"certificate": made})
    return _no_store(response)
