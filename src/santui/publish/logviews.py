"""The public log over HTTP: the C2SP tlog-tiles layout under ``/log/`` (for mirrors and
tlog-tiles clients) and JSON proofs and leaves under ``/api/v1/log/``. Read-only."""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from santui.tally import log
from santui.tlog import leaf as leafcodec
from santui.tlog import merkle, tiles

MAX_LEAVES = 1000
_IMMUTABLE = "public, max-age=31536000, immutable"
_FRESH = "public, max-age=5"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def _int_param(request: HttpRequest, name: str, default: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        if default is None:
            raise ValueError(f"parameter {name!r} is required")
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise ValueError(f"parameter {name!r} must be a non-negative integer")
    return int(raw)


def _latest_size() -> int:
    checkpoint = log.latest_checkpoint()
    return checkpoint.size if checkpoint is not None else 0


@csrf_exempt  # read-only: other methods get 405, not a CSRF 403
@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    latest = log.latest_checkpoint()
    if latest is None:
        return HttpResponse("the log is empty\n", status=404, content_type="text/plain")
    response = HttpResponse(log.checkpoint_note(latest), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = _FRESH
    return response


@csrf_exempt  # read-only: other methods get 405, not a CSRF 403
@require_GET
def tile(request: HttpRequest, path: str) -> HttpResponse:
    try:
        level, index, width = tiles.parse_tile_path("tile/" + path)
    except tiles.TileError as exc:
        return HttpResponse(f"{exc}\n", status=404, content_type="text/plain")
    size = _latest_size()
    count = size if level == tiles.ENTRIES else tiles.level_count(size, level)
    available = count - index * tiles.WIDTH
    # A full tile exists once its 256 items do; a partial one while it is the edge, and
    # forever after as the prefix of the full one (clients holding an old checkpoint ask for it).
    if available < width:
        return HttpResponse("no such tile in this log\n", status=404, content_type="text/plain")
    try:
        data = log.tile_data(level, index, width)
    except log.LogError as exc:
        return HttpResponse(f"{exc}\n", status=404, content_type="text/plain")
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = _IMMUTABLE  # a tile of a given width never changes
    return response


def _describe(data: bytes) -> dict[str, Any]:
    leaf = leafcodec.decode(data)
    if isinstance(leaf, leafcodec.AddLeaf):
        return {
            "kind": "add",
            "day": leaf.day.isoformat(),
            "headcount": leaf.headcount,
            "organizations": sorted(leaf.organizations),
            "commitment": leaf.commitment.hex(),
        }
    return {"kind": "revoke", "revokes": leaf.add_index, "reason": leaf.reason}


@csrf_exempt  # read-only: other methods get 405, not a CSRF 403
@require_GET
def entries(request: HttpRequest) -> JsonResponse:
    size = _latest_size()
    try:
        start = _int_param(request, "start")
        end = _int_param(request, "end", min(size, start + MAX_LEAVES))
    except ValueError as exc:
        return _error(400, "bad_request", str(exc))
    if not start < end <= size:
        return _error(400, "bad_request", f"need start < end <= {size} (the log's size)")
    if end - start > MAX_LEAVES:
        return _error(400, "bad_request", f"at most {MAX_LEAVES} leaves per request")
    leaves = log.leaves(start, end)
    return JsonResponse(
        {
            "size": size,
            "start": start,
            "end": end,
            "leaves": [
                {
                    "index": start + i,
                    "leaf": _b64(x),
                    "leaf_hash": _b64(merkle.leaf_hash(x)),
                    **_describe(x),
                }
                for i, x in enumerate(leaves)
            ],
        }
    )


@csrf_exempt  # read-only: other methods get 405, not a CSRF 403
@require_GET
def inclusion(request: HttpRequest) -> JsonResponse:
    latest = _latest_size()
    try:
        index = _int_param(request, "index")
        size = _int_param(request, "size", latest)
        hashes = log.inclusion(index, size)
    except (ValueError, log.LogError) as exc:
        return _error(400, "bad_request", str(exc))
    leaf = log.leaves(index, index + 1)[0]
    return JsonResponse(
        {
            "index": index,
            "size": size,
            "leaf": _b64(leaf),
            "leaf_hash": _b64(merkle.leaf_hash(leaf)),
            "hashes": [_b64(h) for h in hashes],
        }
    )


@csrf_exempt  # read-only: other methods get 405, not a CSRF 403
@require_GET
def consistency(request: HttpRequest) -> JsonResponse:
    latest = _latest_size()
    try:
        first = _int_param(request, "from")
        second = _int_param(request, "to", latest)
        hashes = log.consistency(first, second)
    except (ValueError, log.LogError) as exc:
        return _error(400, "bad_request", str(exc))
    return JsonResponse({"from": first, "to": second, "hashes": [_b64(h) for h in hashes]})
