"""What the log takes in: witnesses' cosignatures, and receipt holders' requests for proofs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from santui.intake import door
from santui.intake.certificate import statement_proof
from santui.intake.receiptforms import ReceiptForm
from santui.statements.selectors import statement_by_receipt
from santui.tally import log
from santui.tlog import note

MAX_COSIGNED_NOTE = 16 * 1024


def _text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body + "\n", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # an API for witnesses' programs: no cookies, no session, nothing to forge
@require_POST
def cosignature(request: HttpRequest) -> HttpResponse:
    """Take a checkpoint of this log cosigned by known witnesses (SANTUI_WITNESS_KEYS)."""
    if len(request.body) > MAX_COSIGNED_NOTE:
        return _text(f"a cosigned checkpoint has at most {MAX_COSIGNED_NOTE} bytes", 413)
    try:
        witnesses = [note.parse_vkey(k) for k in settings.SANTUI_WITNESS_KEYS]
        stored = log.add_cosignature(request.body.decode("utf-8"), witnesses)
    except UnicodeDecodeError:
        return _text("a cosigned checkpoint is UTF-8 text", 400)
    except (note.NoteError, log.LogError) as exc:
        return _text(str(exc), 400)
    return _text("stored: " + ", ".join(c.witness for c in stored), 201)


@require_POST
def receipt_proof(request: HttpRequest) -> HttpResponse:
    """The statement's C2SP tlog-proof file. POST, so receipt codes stay out of URLs and logs.

    It tells whether a code is counted, as the receipt look-up does, so it is counted at the
    same door (``door.RECEIPT``, santui.intake.door); over the rate it looks nothing up and
    sends the holder to /receipt/, where the look-up asks its sum (a download has no form)."""
    if door.challenge_needed(request, door.RECEIPT):
        response = _text(
            "too many receipt look-ups from this connection: check the receipt on /receipt/ "
            "first (it asks a sum), then download the proof there",
            429,
        )
        response["Retry-After"] = "60"
        return response
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return _text(
            "; ".join(str(e) for e in form.errors.get("code", ["not a receipt code"])), 400
        )
    statement = statement_by_receipt(code=form.cleaned_data["code"])
    found = statement_proof(statement) if statement is not None else None
    if found is None:
        return _text("no counted statement with this receipt code is in the log yet", 404)
    response = HttpResponse(found.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="santui-{found.index}.tlog-proof"'
    response["Cache-Control"] = "no-store"
    return response
