"""Public intake: the declaration form and the receipt look-up. Thin views over actions."""

from __future__ import annotations

from captcha.views import captcha_image
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from santui.intake import door
from santui.intake.forms import DeclareForm, pristine_fields
from santui.intake.receiptforms import CertificateForm, ReceiptForm
from santui.statements.actions import counting_day, statement_receive
from santui.statements.models import Channel, Statement, Status
from santui.statements.selectors import statement_by_receipt
from santui.tally.log import leaf_index_of, log_signer
from santui.textparse.parse import parse_statement


@never_cache
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest) -> HttpResponse:
    # Over the connection's rate or during a flood: a challenge, never a refusal (door.py).
    challenge = door.challenge_needed(request, door.DECLARE)
    if request.method == "POST":
        form = DeclareForm(request.POST, challenge=challenge)
        if form.is_valid():
            data = form.cleaned_data
            # What the parser reads in the text, the form's own answers taking precedence:
            # kept beside the statement for staff to compare (issue 3).
            suggested = parse_statement(data["text"], hints=form.parser_hints()).to_json()
            if data.get("place_unsaid"):  # they chose not to say: no place read from the text
                suggested["region"] = None
            received = statement_receive(
                channel=Channel.WEB,
                text=data["text"],
                organizations=data["organizations"],
                headcount=data["headcount"],
                name=data["name"],
                name_kind=data["name_kind"],
                declarant=data["declarant"],
                region=data["region"],
                sector=data["sector"],
                current_party_member=form.current_party_member_value,
                publish=data["publish"],
                suggested=suggested,
                source="web",
                issue_receipt=True,
                via="public form",
            )
            # The code is in this response only: never stored, never in a URL or a session.
            assert received.receipt_code is not None  # issue_receipt=True
            return declared_page(request, received.receipt_code)
        status = 400
    else:
        form = DeclareForm(challenge=challenge)
        status = 200
    context: dict[str, object] = {"form": form}
    if not form.is_bound and not challenge:  # the same for every visitor of a language
        context["pristine_fields"] = pristine_fields(get_language() or settings.LANGUAGE_CODE)
    return render(request, "intake/declare.html", context, status=status)


_CODE = "\x00code\x00"  # where the receipt code goes; escaping leaves it as it is
_declared: dict[tuple[str, str], tuple[str, str]] = {}


def declared_page(request: HttpRequest, code: str) -> HttpResponse:
    """The page that gives a new statement its receipt code. All of it but the code is the
    same for every statement of a language sent to the form's address: written once, cut where
    the code goes (as the site's header is, ``{% site_header %}``), and the code (escaped)
    put in. Rendering it through the templates was a tenth of the CPU of a statement sent
    (docs/benchmarks.md, "The form, fifth pass"). A form sent to an address with a query, or
    with DEBUG on (templates being edited), is rendered each time."""
    path = request.get_full_path()
    key = (get_language() or settings.LANGUAGE_CODE, path)
    parts = _declared.get(key)
    if parts is None:
        html = render(request, "intake/declared.html", {"code": _CODE}).content.decode()
        before, after = html.split(_CODE)
        parts = (before, after)
        if not settings.DEBUG and path == request.path:  # one address: a bounded cache
            _declared[key] = parts
    return HttpResponse(parts[0] + escape(code) + parts[1])


def receipt_context(
    statement: Statement, code: str, certificate_form: CertificateForm | None = None
) -> dict[str, object]:
    """What the receipt page shows of a statement found by its code (``code``: the canonical
    secret, put back in the page's own POST forms only, never in a URL)."""
    context: dict[str, object] = {
        "statement": statement,
        "status_label": Status(statement.status).label,
    }
    if statement.status == Status.ACCEPTED:
        context["counted_on"] = counting_day(statement.received_at)
        context["timezone"] = settings.SANTUI_REPORTING_TZ
        context["leaf_index"] = leaf_index_of(statement)
        context["log_key"] = log_signer().verifier.vkey
        context["code"] = code
        context["certificate_form"] = certificate_form or CertificateForm(initial={"code": code})
    return context


@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    """Look a receipt code up. POST only, so codes stay out of URLs, histories and logs."""
    context: dict[str, object] = {}
    status = 200
    challenge = door.challenge_needed(request, door.RECEIPT)
    if request.method == "POST":
        form = ReceiptForm(request.POST, challenge=challenge)
        if form.is_valid():
            code = form.cleaned_data["code"]
            statement = statement_by_receipt(code=code)
            if statement is None:
                context["not_found"] = True
                status = 404
            else:
                context.update(receipt_context(statement, code))
        else:
            status = 400
    else:
        form = ReceiptForm(challenge=challenge)
    context["form"] = form
    return render(request, "intake/receipt.html", context, status=status)


@never_cache  # one image per challenge: no cache, ours or anyone's, may keep or share it
@require_safe
def challenge_image(request: HttpRequest, key: str) -> HttpResponse:
    """The image of a challenge (django-simple-captcha's view), from this host: CSP
    ``img-src 'self'`` holds. 410 once the challenge is gone."""
    if not door.KEY.fullmatch(key):
        raise Http404
    response: HttpResponse = captcha_image(request, key, scale=1)
    return response
