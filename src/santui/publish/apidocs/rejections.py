"""OpenAPI path items: the live counts of rejected statements (santui.statements.rejections)."""

from __future__ import annotations

from typing import Any

from santui.statements.models import RejectReason

_COUNT = {"type": "integer", "minimum": 0}

_REASON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason", "never_counted", "revoked", "revoked_persons"],
    "properties": {
        "reason": {"enum": list(RejectReason.values)},
        "never_counted": {
            **_COUNT,
            "description": "statements rejected while awaiting review: never in the totals",
        },
        "revoked": {
            **_COUNT,
            "description": "statements counted, then rejected: a revoke entry in the public log",
        },
        "revoked_persons": {**_COUNT, "description": "persons those revokes take off the totals"},
    },
}

_REJECTIONS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "counted_at", "refresh_seconds", "reasons", "total"],
    "properties": {
        "schema": {"const": 1},
        "counted_at": {"type": "string", "format": "date-time", "description": "UTC"},
        "refresh_seconds": {"type": "integer", "minimum": 1},
        "reasons": {
            "type": "array",
            "description": "every reason, in this order, zeros included",
            "items": _REASON,
            "minItems": len(RejectReason.values),
            "maxItems": len(RejectReason.values),
        },
        "total": {
            "type": "object",
            "additionalProperties": False,
            "required": ["never_counted", "revoked", "revoked_persons"],
            "properties": dict.fromkeys(("never_counted", "revoked", "revoked_persons"), _COUNT),
        },
    },
}

_CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "validator for If-None-Match"},
    "Cache-Control": {"schema": {"type": "string"}},
}

PATHS: dict[str, Any] = {
    "/api/v1/rejections": {
        "get": {
            "operationId": "getRejections",
            "summary": "Rejected statements per reason: never counted, or counted then revoked",
            "description": (
                "Live counts, renewed every `refresh_seconds`. Query parameters are ignored. "
                "Conditional requests (If-None-Match, If-Modified-Since) get 304 when unchanged."
            ),
            "responses": {
                "200": {
                    "description": "The counts",
                    "headers": _CACHE_HEADERS,
                    "content": {"application/json": {"schema": _REJECTIONS}},
                },
                "304": {"description": "Not modified since the validators given"},
            },
        }
    }
}
