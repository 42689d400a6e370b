"""The JSON API's own description: GET /api/openapi.json, built from the routes' declared contracts."""

from __future__ import annotations

import functools
import json
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import contract

bp = Blueprint(__name__)


@functools.cache
def _document(app: Any) -> str:
    return json.dumps(contract.openapi(app, title="Kumo API", version="1"), ensure_ascii=False)


def document(app: Any) -> dict[str, Any]:
    return dict(json.loads(_document(app)))


@bp.route("/api/openapi.json")
@contract.operation("This document (OpenAPI 3.1)", returns=dict[str, Any], auth="anyone", tag="meta")
def openapi() -> Response:
    """Public: it names no data, and a partner's or a script's tools can read it."""
    return Response(
        body=_document(bp.current_app),
        status_code=200,
        headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": "max-age=300"},
    )
