"""The certificate of withdrawal: what a counted statement's receipt holder can print and show.

Everything on it but the name comes from the public log: the leaf (day counted, organizations,
persons), its index, the signed checkpoint and the inclusion proof. The proof is printed as
text and carried by a QR code (segno, rendered here as inline SVG: no image host, no script);
its payload is the C2SP tlog-proof file, verbatim, so ``santui log check-proof`` reads what a
scanner shows, or the certificate saved as HTML. The name is the holder's choice, typed at
download: it is in the response only, never stored or logged (docs/certificate.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from santui.statements.models import Organization, Statement
from santui.tally import log
from santui.tlog import leaf as leafcodec
from santui.tlog import note, proof

QR_ERROR_LEVELS = ("m", "l")  # medium first (survives a crease); low when a proof is long


@dataclass(frozen=True)
class StatementProof:
    index: int
    leaf: leafcodec.AddLeaf
    checkpoint: note.Checkpoint
    text: str  # the tlog-proof file


@dataclass(frozen=True)
class Certificate:
    name: str
    proof: StatementProof
    log_key: str
    timezone: str
    made_at: dt.datetime  # in the reporting zone
    qr_svg: SafeString | None

    @property
    def made_at_text(self) -> str:
        """When it was made, on the reporting zone's clock (named beside it)."""
        return self.made_at.strftime("%Y-%m-%d %H:%M")

    @property
    def index(self) -> int:
        return self.proof.index

    @property
    def day(self) -> dt.date:
        return self.proof.leaf.day

    @property
    def headcount(self) -> int:
        return self.proof.leaf.headcount

    @property
    def organizations(self) -> list[str]:
        """The organizations withdrawn from, named in the active language."""
        codes = [o for o in ("party", "league", "pioneers") if o in self.proof.leaf.organizations]
        return [str(Organization(o).label) for o in codes]


def statement_proof(statement: Statement) -> StatementProof | None:
    """The tlog-proof of the statement's add leaf at the latest checkpoint, or None while the
    statement is not (or no longer) in a signed tree."""
    index = log.leaf_index_of(statement)
    checkpoint = log.latest_checkpoint()
    if index is None or checkpoint is None or index >= checkpoint.size:
        return None
    raw = log.leaves(index, index + 1)[0]
    leaf = leafcodec.decode(raw)
    if not isinstance(leaf, leafcodec.AddLeaf):
        return None
    text = proof.format_proof(
        index, log.inclusion(index, checkpoint.size), log.checkpoint_note(checkpoint), raw
    )
    opened = note.parse_checkpoint(note.parse(checkpoint.note).text)
    return StatementProof(index=index, leaf=leaf, checkpoint=opened, text=text)


def qr_svg(payload: str) -> SafeString | None:
    """The payload as a QR code in inline SVG (no size: the stylesheet sizes it), or None
    when it is too long for a QR code."""
    for error in QR_ERROR_LEVELS:
        try:
            code = segno.make(payload, error=error, micro=False, boost_error=False)
        except segno.DataOverflowError:
            continue
        svg = code.svg_inline(
            border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr", lineclass=None
        )
        return mark_safe(svg)  # noqa: S308  # segno's own SVG of our proof text: no markup of ours
    return None


def certificate_make(*, statement: Statement, name: str) -> Certificate | None:
    """The certificate of a counted statement in the log, or None if it is not in the log."""
    found = statement_proof(statement)
    if found is None:
        return None
    zone = settings.SANTUI_REPORTING_TZ
    return Certificate(
        name=name,
        proof=found,
        log_key=log.log_signer().verifier.vkey,
        timezone=zone,
        made_at=timezone.now().astimezone(ZoneInfo(zone)),
        qr_svg=qr_svg(found.text),
    )
