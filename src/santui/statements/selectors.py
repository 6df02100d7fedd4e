"""Reads on statements."""

from __future__ import annotations

from santui.statements.models import Statement
from santui.statements.receipts import InvalidReceiptCode, receipt_hash


def statement_by_receipt(*, code: str) -> Statement | None:
    """The statement a receipt code belongs to; InvalidReceiptCode if the code is malformed."""
    digest = receipt_hash(code)  # raises InvalidReceiptCode
    return (
        Statement.objects.filter(receipt_hash=digest)
        .only("id", "status", "received_at", "reject_reason", "headcount")
        .first()
    )


__all__ = ["InvalidReceiptCode", "statement_by_receipt"]
