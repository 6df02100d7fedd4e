"""The OpenAPI 3.1 description of /api/v1/ (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from santui import __version__

_CELL = {
    "type": "object",
    "required": ["key", "persons"],
    "properties": {
        "key": {"type": ["string", "null"], "description": "null means not stated"},
        "persons": {"type": ["integer", "null"], "description": "null when suppressed"},
        "suppressed": {"type": "boolean"},
    },
}

_STATS = {
    "type": "object",
    "required": [
        "schema", "as_of", "log_size", "timezone", "persons", "statements", "organizations",
        "current_party_members", "daily", "milestones", "regions", "sectors", "channels",
        "name_kinds",
    ],
    "properties": {
        "schema": {"type": "integer", "const": 1},
        "as_of": {"type": ["string", "null"], "format": "date-time"},
        "log_size": {"type": "integer", "minimum": 0},
        "timezone": {"type": "string", "examples": ["Asia/Shanghai"]},
        "from": {"type": ["string", "null"], "format": "date"},
        "to": {"type": ["string", "null"], "format": "date"},
        "public": {"type": "boolean"},
        "suppress_below": {"type": ["integer", "null"]},
        "persons": {"type": "integer"},
        "statements": {"type": "integer"},
        "organizations": {
            "type": "object",
            "properties": {k: {"type": "integer"} for k in ("party", "league", "pioneers")},
        },
        "current_party_members": {"type": "integer"},
        "daily": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "persons": {"type": "integer"},
                    "cumulative": {"type": "integer"},
                },
            },
        },
        "milestone_step": {"type": "integer"},
        "milestones": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "persons": {"type": "integer"},
                    "date": {"type": "string", "format": "date"},
                },
            },
        },
        "regions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": ["string", "null"]},
                    "name": {"type": "string"},
                    "name_zh": {"type": "string", "description": "Simplified Chinese"},
                    "name_zh_hant": {"type": "string", "description": "Traditional Chinese"},
                    "persons": {"type": ["integer", "null"]},
                    "suppressed": {"type": "boolean"},
                },
            },
        },
        "sectors": {"type": "array", "items": _CELL},
        "channels": {"type": "array", "items": _CELL},
        "name_kinds": {"type": "array", "items": _CELL},
    },
}  # fmt: skip


def openapi_document() -> dict[str, Any]:
    date_param = {"schema": {"type": "string", "format": "date"}, "in": "query", "required": False}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "santui public API",
            "version": __version__,
            "description": "Public figures of the withdrawal registry. See docs/stats-format.md.",
        },
        "paths": {
            "/api/v1/stats": {
                "get": {
                    "operationId": "getStats",
                    "summary": "Totals and breakdowns of persons counted (public, suppressed)",
                    "parameters": [
                        {"name": "from", "description": "first day, inclusive", **date_param},
                        {"name": "to", "description": "last day, inclusive", **date_param},
                    ],
                    "responses": {
                        "200": {
                            "description": "The stats document",
                            "content": {"application/json": {"schema": _STATS}},
                        },
                        "400": {"description": "Malformed date or from after to"},
                    },
                }
            }
        },
    }
