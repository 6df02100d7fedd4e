"""OpenAPI path items: the published statements (/api/v1/statements, docs/public-statements.md)."""

from __future__ import annotations

from typing import Any

from santui.publish.forms_statements import MAX_QUERY, region_keys
from santui.statements.models import Channel, NameKind
from santui.statements.public import MAX_NUMBER, PAGE_SIZE
from santui.textparse.sectors import SECTORS

_NULLABLE_TEXT = {"type": ["string", "null"]}

RECORD: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "number", "date", "headcount", "organizations", "region", "sector", "channel",
        "name_kind", "name", "text", "region_name", "region_name_zh", "region_name_zh_hant",
        "url", "proof",
    ],
    "properties": {
        "number": {
            "type": "integer", "minimum": 0,
            "description": "Its leaf index in the public log: the statement's public number",
        },
        "date": {
            "type": "string", "format": "date",
            "description": "The day it was received, in the reporting time zone",
        },
        "headcount": {"type": "integer", "minimum": 1, "description": "Persons it counts"},
        "organizations": {
            "type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": True,
            "items": {"enum": ["party", "league", "pioneers"]},
            "description": "What its persons quit",
        },
        "region": {
            **_NULLABLE_TEXT,
            "description": (
                "Province-level only: GB/T 2260 province code, ISO 3166-1 alpha-2 code "
                "elsewhere, CN for the mainland with the province unknown; null: unknown"
            ),
        },
        "sector": {"enum": [*SECTORS, None], "description": "null: not stated"},
        "channel": {"enum": list(Channel.values)},
        "name_kind": {"enum": list(NameKind.values)},
        "name": {**_NULLABLE_TEXT, "description": "The name or alias; null when anonymous"},
        "text": {"type": "string", "description": "The statement as written"},
        "region_name": {**_NULLABLE_TEXT, "description": "English name of the region"},
        "region_name_zh": {**_NULLABLE_TEXT, "description": "Simplified Chinese"},
        "region_name_zh_hant": {**_NULLABLE_TEXT, "description": "Traditional Chinese"},
        "url": {
            "type": "string", "format": "uri-reference",
            "description": "Its page, /statements/<number>/",
        },
        "proof": {
            "type": "string", "format": "uri-reference",
            "description": "Its inclusion proof, /api/v1/log/proof/inclusion?index=<number>",
        },
    },
}  # fmt: skip

_CACHE_HEADERS = {
    "ETag": {"description": "Changes with every integration", "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the log last grew", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}
_NOT_MODIFIED = {"description": "Not modified since the ETag or date the client sent"}


def _error(description: str, code: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["error", "detail"],
                    "properties": {"error": {"const": code}, "detail": detail},
                }
            }
        },
    }


_BAD_REQUEST = _error(
    "Malformed or impossible parameters: the messages by parameter (__all__: combinations)",
    "bad_request",
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
)
_NOT_FOUND = _error(
    "No public statement has this number (none, not published, or withdrawn)",
    "not_found",
    {"type": "string"},
)
# A path whose last segment is not a number matches no route: the site's own 404 page.
_NOT_FOUND["content"]["text/html"] = {"schema": {"type": "string"}}


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """An empty value means "not given" (what a search form sends for a field left blank)."""
    return {"anyOf": [schema, {"const": ""}]}


# No control characters, and no U+FFFD (what bytes that are not UTF-8 decode to): 400 otherwise.
_TEXT = {
    "type": "string",
    "maxLength": MAX_QUERY,
    "pattern": "^[^\\u0000-\\u001f\\u007f\\ufffd]*$",
}

_PARAMETERS = [
    _param(
        "q",
        "Text the statement contains; case-insensitive, Simplified and Traditional alike",
        _TEXT,
    ),
    _param(
        "name",
        "The exact name (after Unicode NFKC, case folding, removing spaces, and Traditional to "
        "Simplified); only published names are searchable",
        _TEXT,
    ),
    _param(
        "region",
        "A province (GB/T 2260 code, e.g. 110000), or a country or area (ISO 3166-1 alpha-2; "
        "CN: mainland China, province unknown)",
        {"enum": ["", *sorted(region_keys())]},
    ),
    _param("from", "First day, inclusive", _or_empty({"type": "string", "format": "date"})),
    _param(
        "to",
        "Last day, inclusive (from after to: 400)",
        _or_empty({"type": "string", "format": "date"}),
    ),
    _param(
        "before",
        "Only statements with a smaller number (the next page: take `next`)",
        _or_empty({"type": "integer", "minimum": 0, "maximum": MAX_NUMBER}),
    ),
]

PATHS: dict[str, Any] = {
    "/api/v1/statements": {
        "get": {
            "operationId": "listStatements",
            "summary": (
                f"Published statements, newest first, {PAGE_SIZE} per page "
                "(docs/public-statements.md)"
            ),
            "parameters": _PARAMETERS,
            "responses": {
                "200": {
                    "description": "A page; `next` is the path of the next older page, or null",
                    "headers": _CACHE_HEADERS,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["items", "next"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "maxItems": PAGE_SIZE,
                                        "items": RECORD,
                                    },
                                    "next": {
                                        "type": ["string", "null"],
                                        "format": "uri-reference",
                                    },
                                },
                            }
                        }
                    },
                },
                "304": _NOT_MODIFIED,
                "400": _BAD_REQUEST,
            },
        }
    },
    "/api/v1/statements/{number}": {
        "get": {
            "operationId": "getStatement",
            "summary": "One published statement by its number (its leaf index in the log)",
            "parameters": [
                {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "description": "The statement's number",
                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_NUMBER},
                }
            ],
            "responses": {
                "200": {
                    "description": "The statement",
                    "headers": _CACHE_HEADERS,
                    "content": {"application/json": {"schema": RECORD}},
                },
                "304": _NOT_MODIFIED,
                "404": _NOT_FOUND,
            },
        }
    },
}
