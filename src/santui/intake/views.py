"""Public intake: the declaration form and the receipt look-up. Thin views over actions."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from santui.intake.forms import DeclareForm, ReceiptForm
from santui.intake.ratelimit import rotating_client_key
from santui.statements.actions import counting_day, statement_receive
from santui.statements.models import Channel, Status
from santui.statements.selectors import statement_by_receipt
from santui.tally.log import leaf_index_of, log_signer
from santui.textparse.parse import parse_statement


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(  # type: ignore[untyped-decorator]  # django-ratelimit ships no type hints
    key=rotating_client_key,
    rate=lambda group, request: settings.SANTUI_DECLARE_RATE,
    method="POST",
    block=True,
)
def declare(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeclareForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            # What the parser reads in the text, the form's own answers taking precedence:
            # kept beside the statement for staff to compare (issue 3).
            suggested = parse_statement(data["text"], hints=form.parser_hints()).to_json()
            received = statement_receive(
                channel=Channel.WEB,
                text=data["text"],
                organizations=data["organizations"],
                headcount=data["headcount"],
                name=data["name"],
                name_kind=data["name_kind"],
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
            return render(request, "intake/declared.html", {"code": received.receipt_code})
        status = 400
    else:
        form = DeclareForm()
        status = 200
    return render(request, "intake/declare.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    """Look a receipt code up. POST only, so codes stay out of URLs, histories and logs."""
    context: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        form = ReceiptForm(request.POST)
        if form.is_valid():
            statement = statement_by_receipt(code=form.cleaned_data["code"])
            if statement is None:
                context["not_found"] = True
                status = 404
            else:
                context["statement"] = statement
                context["status_label"] = Status(statement.status).label
                if statement.status == Status.ACCEPTED:
                    context["counted_on"] = counting_day(statement.received_at)
                    context["leaf_index"] = leaf_index_of(statement)
                    context["log_key"] = log_signer().verifier.vkey
                    context["code"] = form.cleaned_data["code"]
        else:
            status = 400
    else:
        form = ReceiptForm()
    context["form"] = form
    return render(request, "intake/receipt.html", context, status=status)


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(
        request,
        "intake/rate_limited.html",
        {"message": _("Too many statements from this connection. Please try again later.")},
        status=429,
    )
