"""OpenAPI path item of /api/v1/context: official party membership beside the registry's count
of persons who quit the party (santui.publish.dashboard.context_document)."""

from typing import Any

_YEAR = {"type": "integer", "minimum": 1921, "maximum": 9999}
_DATE = {"type": "string", "format": "date"}
_TEXT = {"type": "string", "minLength": 1}

_CONTEXT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "official_party_membership", "party_withdrawals"],
    "properties": {
        "schema": {"type": "integer", "const": 1},
        "official_party_membership": {
            "type": "object",
            "additionalProperties": False,
            "required": ["description", "source", "caveat", "figures"],
            "properties": {
                "description": _TEXT,
                "source": _TEXT,
                "caveat": _TEXT,
                "figures": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["year", "date", "members", "as_reported"],
                        "properties": {
                            "year": _YEAR,
                            "date": {**_DATE, "description": "the year end (December 31)"},
                            "members": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "members, as reported by the party",
                            },
                            "as_reported": {
                                **_TEXT,
                                "description": "the figure as the party states it",
                                "examples": ["96.71 million"],
                            },
                        },
                    },
                },
            },
        },
        "party_withdrawals": {
            "type": "object",
            "additionalProperties": False,
            "required": ["description", "figures"],
            "properties": {
                "description": _TEXT,
                "figures": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["year", "date", "persons"],
                        "properties": {
                            "year": _YEAR,
                            "date": _DATE,
                            "persons": {
                                "type": "integer",
                                "description": "persons counted as quitting the party from the "
                                "first statement up to and including the date",
                            },
                        },
                    },
                },
            },
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/context": {
        "get": {
            "operationId": "getContext",
            "summary": "Official party membership at year ends, as reported by the party, beside "
            "the persons counted here as quitting the party up to the same days",
            "description": "Two different measures, never to be subtracted: the party's own count "
            "of its current members, and this registry's cumulative count of declarations. "
            "Cached; conditional requests with If-None-Match or If-Modified-Since get 304.",
            "parameters": [],
            "responses": {
                "200": {
                    "description": "The context figures",
                    "headers": {
                        "ETag": {"schema": {"type": "string"}},
                        "Last-Modified": {"schema": {"type": "string"}},
                    },
                    "content": {"application/json": {"schema": _CONTEXT}},
                },
                "304": {"description": "Not modified since the ETag or date given"},
            },
        }
    }
}
