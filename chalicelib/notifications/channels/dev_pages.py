"""/dev/webhooks: what chat channels posted to the local receiver (stage local only; any
signed-in staff member may look, as at `kumo outbox`: the demo's messages hold names and links
only). Elsewhere the page does not exist (404)."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound
from chalicelib.core.layout import page

bp = Blueprint(__name__)


def recorded(base_url: str) -> list[dict[str, Any]]:
    import urllib.request

    with urllib.request.urlopen(f"{base_url.rstrip('/')}/_messages", timeout=10) as response:
        return list(json.loads(response.read()))


@bp.route("/dev/webhooks")
def webhooks() -> Response:
    s = settings()
    if not s.is_local or not s.dev_receiver_url:
        raise NotFound("This page exists only on the local stack.")
    require_signed_in(web.principal())
    try:
        messages = recorded(s.dev_receiver_url)
        unreachable = False
    except OSError:
        messages, unreachable = [], True
    shown = [
        {**m, "pretty": json.dumps(m.get("body"), ensure_ascii=False, indent=2)}
        if not isinstance(m.get("body"), str)
        else {**m, "pretty": m["body"]}
        for m in messages[:100]
    ]
    return page("dev_webhooks.html", messages=shown, receiver=s.dev_receiver_url, unreachable=unreachable)
