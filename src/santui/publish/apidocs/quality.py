"""OpenAPI path item of /api/v1/quality: how accurate the totals are (santui.screening.quality)."""

from __future__ import annotations

from typing import Any

from santui.screening.models import Decision
from santui.screening.quality import NOTE_NONE_REVIEWED, NOTE_TOO_FEW
from santui.statements.models import Channel, RejectReason

MONTH_PATTERN = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
_COUNT = {"type": "integer", "minimum": 0}
_NULLABLE_COUNT = {"type": ["integer", "null"], "minimum": 0}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}

_ESTIMATE = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "channel", "sampled", "reviewed", "effective_n", "wrong_share", "ci_low", "ci_high", "note",
    ],
    "properties": {
        "channel": {
            "enum": [None, *Channel.values],
            "description": "null: all channels together",
        },
        "sampled": {
            **_NULLABLE_COUNT,
            "description": "statements drawn for the blind re-review; null for one channel",
        },
        "reviewed": {
            **_NULLABLE_COUNT,
            "description": "of those, statements a moderator has judged; null for one channel",
        },
        "effective_n": {
            "type": ["number", "null"],
            "minimum": 0,
            "description": "Kish's effective sample size (weights: days, persons per statement)",
        },
        "wrong_share": {
            **_SHARE,
            "description": (
                "estimated share of the persons counted by the rules' automatic acceptance that "
                "should not have been counted (not a withdrawal, or a duplicate); null when "
                "fewer than min_reviewed statements were reviewed (for one channel: fewer "
                "than the larger of min_reviewed and suppress_below)"
            ),
        },
        "ci_low": {**_SHARE, "description": "95 % Wilson score interval, lower bound"},
        "ci_high": {**_SHARE, "description": "95 % Wilson score interval, upper bound"},
        "note": {"enum": [None, NOTE_NONE_REVIEWED, NOTE_TOO_FEW]},
    },
}  # fmt: skip

_REASON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["channel", "decision", "reason", "statements"],
    "properties": {
        "channel": {
            "enum": [None, *Channel.values],
            "description": "null: all channels together (per channel: released months only)",
        },
        "decision": {"enum": [Decision.HELD.value, Decision.DUPLICATE.value]},
        "reason": {"type": "string", "description": "a screening reason (docs/screening.md)"},
        "statements": {
            **_NULLABLE_COUNT,
            "description": (
                "statements (not persons); a held statement may have several reasons; "
                "null: suppressed"
            ),
        },
        "suppressed": {
            "type": "boolean",
            "description": "one channel's cell, withheld (below suppress_below, or its pair)",
        },
    },
}

_REVOKED_REASON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason", "persons"],
    "properties": {"reason": {"enum": list(RejectReason.values)}, "persons": _COUNT},
}

_MONTH = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "month", "release", "frozen_at", "accepted_by_rules", "estimates", "screening_reasons",
        "revoked_by_reason",
    ],
    "properties": {
        "month": {"type": "string", "pattern": MONTH_PATTERN},
        "release": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": (
                "the breakdown release of this month (docs/disclosure.md); null: not released "
                "yet, so only figures over all channels, live"
            ),
        },
        "frozen_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "when this released month's figures were frozen (never changed after)",
        },
        "accepted_by_rules": {
            "type": ["integer", "null"],
            "minimum": 0,
            "description": "statements the rules accepted on the days drawn (all channels)",
        },
        "estimates": {"type": "array", "items": _ESTIMATE},
        "screening_reasons": {"type": "array", "items": _REASON},
        "revoked_by_reason": {
            "type": "array",
            "description": "persons counted this month, later revoked, per reason (all channels)",
            "items": _REVOKED_REASON,
        },
    },
}  # fmt: skip

_QUALITY = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "schema", "computed_at", "refresh_seconds", "timezone", "confidence", "interval",
        "min_reviewed", "suppress_below", "from", "to", "channel", "months",
    ],
    "properties": {
        "schema": {"const": 2},
        "computed_at": {"type": "string", "format": "date-time", "description": "UTC"},
        "refresh_seconds": {"type": "integer", "minimum": 1},
        "timezone": {"type": "string", "description": "the reporting time zone of the months"},
        "confidence": {"const": 0.95},
        "interval": {"const": "wilson"},
        "min_reviewed": {"type": "integer", "minimum": 1},
        "suppress_below": {"type": "integer", "minimum": 1},
        "from": {"type": ["string", "null"], "pattern": MONTH_PATTERN},
        "to": {"type": ["string", "null"], "pattern": MONTH_PATTERN},
        "channel": {"enum": [None, *Channel.values]},
        "months": {"type": "array", "items": _MONTH},
    },
}  # fmt: skip

_ERROR = {
    "description": "Malformed parameters",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error", "detail"],
                "properties": {"error": {"type": "string"}, "detail": {}},
            }
        }
    },
}


def _month_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"anyOf": [{"type": "string", "pattern": MONTH_PATTERN}, {"const": ""}]},
    }


PATHS: dict[str, Any] = {
    "/api/v1/quality": {
        "get": {
            "operationId": "getQuality",
            "summary": "How accurate the totals are: the estimated share of wrongly counted "
            "persons, per month and channel, with the screening's reasons and the revokes",
            "description": (
                "Months in the reporting time zone. A random sample of the statements the "
                "screening rules accepted each day is judged blind by moderators "
                "(docs/methodology.md). Recomputed every `refresh_seconds`. Figures per "
                "channel only for months whose breakdowns were released, frozen once "
                "(docs/disclosure.md#the-quality-report). A from after to gives no months. "
                "Conditional requests get 304 when unchanged."
            ),
            "parameters": [
                _month_param("from", "first month (YYYY-MM), inclusive; empty: no bound"),
                _month_param("to", "last month (YYYY-MM), inclusive; empty: no bound"),
                {
                    "name": "channel",
                    "in": "query",
                    "required": False,
                    "description": "one channel's rows only (released months); empty: every row",
                    "schema": {"enum": ["", *Channel.values]},
                },
            ],
            "responses": {
                "200": {
                    "description": "The quality report",
                    "headers": {
                        "ETag": {"schema": {"type": "string"}},
                        "Cache-Control": {"schema": {"type": "string"}},
                    },
                    "content": {"application/json": {"schema": _QUALITY}},
                },
                "304": {"description": "Not modified since the validators given"},
                "400": _ERROR,
            },
        }
    }
}
