"""OpenAPI path items of /api/v1/, one module per part of the API, merged by openapi.py."""

from __future__ import annotations

from typing import Any

from santui.publish.apidocs import context, quality, rejections, statements


def paths() -> dict[str, Any]:
    return {**context.PATHS, **rejections.PATHS, **quality.PATHS, **statements.PATHS}
