"""The OpenAPI 3.1 description of /api/v1/ (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from santui import __version__
from santui.publish import apidocs

_THROUGH = {
    "type": "string",
    "format": "date",
    "description": "all time only: the figure is the last one published for the key, by the "
    "release of the month ending this day (its later figures are withheld)",
}
_CELL = {
    "type": "object",
    "required": ["key", "persons"],
    "properties": {
        "key": {"type": ["string", "null"], "description": "null means not stated"},
        "persons": {"type": "integer", "description": "published figures only"},
        "through": _THROUGH,
    },
}
_PERIOD = {"type": "string", "pattern": "^(all|[0-9]{4}|[0-9]{4}-(0[1-9]|1[0-2]))$"}
_NEXT = {
    "type": ["object", "null"],
    "properties": {
        "period": {"type": "string", "description": "the next month to be released"},
        "due": {"type": "string", "format": "date-time"},
    },
}
_AVAILABLE = {
    "type": "object",
    "description": "the released periods",
    "properties": {
        "all": {"type": ["object", "null"], "properties": {"to": {"type": "string"}}},
        "years": {"type": "array", "items": {"type": "string"}},
        "months": {
            "type": ["object", "null"],
            "properties": {"first": {"type": "string"}, "last": {"type": "string"}},
        },
        "next_release": _NEXT,
    },
}
_BREAKDOWN = {
    "type": ["object", "null"],
    "description": "the period the breakdowns cover (docs/disclosure.md); null in a public "
    "document when nothing is released yet",
    "properties": {
        "period": {"type": ["string", "null"], "description": "all, YYYY or YYYY-MM"},
        "kind": {"enum": ["all", "year", "month", None]},
        "from": {"type": ["string", "null"], "format": "date"},
        "to": {"type": ["string", "null"], "format": "date"},
        "release": {"type": "integer", "description": "the release that published them"},
        "released_at": {"type": "string", "format": "date-time"},
        "log_size": {"type": "integer", "description": "the log size the release counted to"},
        "persons": {"type": "integer", "description": "persons the breakdowns count"},
        "snapped": {
            "type": "boolean",
            "description": "true when from/to asked for fewer days than the period covers",
        },
        "exact": {"type": "boolean", "description": "staff documents only: exact figures"},
        "next_release": _NEXT,
    },
}

_STATS = {
    "type": "object",
    "required": [
        "schema", "as_of", "log_size", "timezone", "persons", "statements", "organizations",
        "current_party_members", "daily", "milestones", "breakdown", "regions", "sectors",
        "channels", "name_kinds", "declarants",
    ],
    "properties": {
        "schema": {"type": "integer", "const": 2},
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
        "current_party_members": {
            "type": ["integer", "null"],
            "description": "persons who were party members when declaring, in the breakdown's "
            "period; null when withheld or nothing is released",
        },
        "breakdown": _BREAKDOWN,
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
                    "persons": {"type": "integer"},
                    "through": _THROUGH,
                },
            },
        },
        "sectors": {"type": "array", "items": _CELL},
        "channels": {"type": "array", "items": _CELL},
        "name_kinds": {"type": "array", "items": _CELL},
        "declarants": {
            "type": "array",
            "items": _CELL,
            "description": "persons per kind of declarant (key: self, family, volunteer or "
            "deceased): the person themselves, a family member or a volunteer on their "
            "behalf, or for a person who has died; each counted separately",
        },
    },
}  # fmt: skip


_B64 = {"type": "string", "contentEncoding": "base64"}
_ERROR = {
    "description": "Malformed or impossible parameters",
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
_INT = {"type": "integer", "minimum": 0}


def _q(
    name: str, description: str, required: bool = False, positive: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {
            "type": "string",
            "pattern": "^[1-9][0-9]{0,18}$" if positive else "^[0-9]{1,19}$",
        },
    }


_NOTE = {
    "description": "A C2SP signed note (tlog-checkpoint), with witnesses' cosignature lines",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


def _log_paths() -> dict[str, Any]:
    leaf = {
        "type": "object",
        "required": ["index", "leaf", "leaf_hash", "kind"],
        "properties": {
            "index": _INT,
            "leaf": _B64,
            "leaf_hash": _B64,
            "kind": {"enum": ["add", "revoke"]},
            "day": {"type": "string", "format": "date"},
            "headcount": {"type": "integer", "minimum": 1},
            "organizations": {
                "type": "array",
                "items": {"enum": ["league", "party", "pioneers"]},
            },
            "commitment": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "revokes": _INT,
            "reason": {"type": "string"},
        },
    }
    tile = {
        "description": (
            "Hashes (level >= 0: 32 bytes each) or entries (`entries`: each leaf prefixed by "
            "its length, uint16 big-endian) of one tile; immutable"
        ),
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
    return {
        "/log/checkpoint": {
            "get": {
                "operationId": "getTlogCheckpoint",
                "summary": "C2SP tlog-tiles: the latest signed checkpoint",
                "responses": {"200": _NOTE, "404": {"description": "The log is empty"}},
            }
        },
        "/log/tile/{path}": {
            "get": {
                "operationId": "getTlogTile",
                "summary": "C2SP tlog-tiles: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]",
                "parameters": [
                    {
                        "name": "path",
                        "in": "path",
                        "required": True,
                        "description": "what follows tile/, e.g. 0/x001/234.p/7 or entries/000",
                        "schema": {"type": "string", "maxLength": 64},
                    }
                ],
                "responses": {"200": tile, "404": {"description": "No such tile in this log"}},
            }
        },
        "/api/v1/log/checkpoint": {
            "get": {
                "operationId": "getLogCheckpoint",
                "summary": "The latest signed checkpoint of the public log (docs/log-format.md)",
                "responses": {"200": _NOTE, "404": {"description": "The log is empty"}},
            }
        },
        "/api/v1/log/entries": {
            "get": {
                "operationId": "getLogEntries",
                "summary": "Leaves [start, end) of the log, raw and decoded (at most 1,000)",
                "parameters": [
                    _q("start", "first index", required=True),
                    _q("end", "index after the last (default start+1000, at most the size)"),
                ],
                "responses": {
                    "200": {
                        "description": "The leaves",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["size", "start", "end", "leaves"],
                                    "properties": {
                                        "size": _INT,
                                        "start": _INT,
                                        "end": _INT,
                                        "leaves": {"type": "array", "items": leaf},
                                    },
                                }
                            }
                        },
                    },
                    "400": _ERROR,
                },
            }
        },
        "/api/v1/log/proof/inclusion": {
            "get": {
                "operationId": "getInclusionProof",
                "summary": "RFC 9162 inclusion proof of a leaf in the tree of a given size",
                "parameters": [
                    _q("index", "leaf index", required=True),
                    _q("size", "tree size (default: the latest checkpoint's)"),
                ],
                "responses": {
                    "200": {
                        "description": "The proof, the leaf's sibling first",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["index", "size", "leaf", "leaf_hash", "hashes"],
                                    "properties": {
                                        "index": _INT,
                                        "size": _INT,
                                        "leaf": _B64,
                                        "leaf_hash": _B64,
                                        "hashes": {"type": "array", "items": _B64},
                                    },
                                }
                            }
                        },
                    },
                    "400": _ERROR,
                },
            }
        },
        "/api/v1/log/proof/consistency": {
            "get": {
                "operationId": "getConsistencyProof",
                "summary": "RFC 9162 consistency proof between two tree sizes",
                "parameters": [
                    _q("from", "the smaller size (at least 1)", required=True, positive=True),
                    _q("to", "the larger size (default: the latest checkpoint's)"),
                ],
                "responses": {
                    "200": {
                        "description": "The proof",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["from", "to", "hashes"],
                                    "properties": {
                                        "from": _INT,
                                        "to": _INT,
                                        "hashes": {"type": "array", "items": _B64},
                                    },
                                }
                            }
                        },
                    },
                    "400": _ERROR,
                },
            }
        },
        "/api/v1/log/cosignature": {
            "post": {
                "operationId": "postCosignature",
                "summary": "A checkpoint of this log cosigned by a known witness",
                "requestBody": {
                    "required": True,
                    "content": {"text/plain": {"schema": {"type": "string", "maxLength": 16384}}},
                },
                "responses": {
                    "201": {"description": "Cosignatures kept"},
                    "400": {"description": "Not a valid cosignature of a known witness"},
                    "413": {"description": "Too large"},
                },
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    date_param = {  # an empty value means no bound, as an HTML form without a date sends it
        "schema": {"anyOf": [{"type": "string", "format": "date"}, {"const": ""}]},
        "in": "query",
        "required": False,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "santui public API",
            "version": __version__,
            "description": (
                "Public figures of the withdrawal registry (docs/stats-format.md) and its "
                "verifiable log (docs/log-format.md). The log is also served in the C2SP "
                "tlog-tiles layout under /log/ (checkpoint, tile/...)."
            ),
        },
        "paths": {
            "/api/v1/stats": {
                "get": {
                    "operationId": "getStats",
                    "summary": "Totals (exact) and breakdowns of released periods (public)",
                    "description": (
                        "Totals and the daily series cover the days from/to (exact: the log "
                        "tells them). Breakdowns are published for released periods only "
                        "(docs/disclosure.md): the period asked for, or the smallest released "
                        "month, year or all time containing from..to (breakdown.snapped); when "
                        "none does, 400 period_unavailable with the periods available."
                    ),
                    "parameters": [
                        {"name": "from", "description": "first day, inclusive", **date_param},
                        {"name": "to", "description": "last day, inclusive", **date_param},
                        {
                            "name": "period",
                            "in": "query",
                            "required": False,
                            "description": "breakdowns of this released period: all, YYYY or "
                            "YYYY-MM (alone, the totals cover its days too)",
                            "schema": {"anyOf": [_PERIOD, {"const": ""}]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The stats document",
                            "content": {"application/json": {"schema": _STATS}},
                        },
                        "400": {
                            "description": "Malformed parameters, from after to, or no "
                            "released period for the breakdowns (period_unavailable)",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["error", "detail"],
                                        "properties": {
                                            "error": {
                                                "enum": ["bad_request", "period_unavailable"]
                                            },
                                            "detail": {},
                                            "available": _AVAILABLE,
                                        },
                                    }
                                }
                            },
                        },
                        "304": {"description": "Not modified (If-None-Match, If-Modified-Since)"},
                    },
                }
            },
            **_log_paths(),
            **apidocs.paths(),
        },
    }
