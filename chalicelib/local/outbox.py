"""Mail sent through the local SES emulator, for trying e-mail flows by hand (dev only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from chalicelib.core.config import settings


def _sent(endpoint: str) -> list[dict[str, Any]]:
    """From `kumo dev`'s emulator (emulator.py); from moto's full model dump on a plain moto server."""
    from chalicelib.local.emulator import OUTBOX_PATH

    try:
        with urllib.request.urlopen(f"{endpoint}{OUTBOX_PATH}", timeout=30) as response:
            return list(json.loads(response.read()))
    except urllib.error.HTTPError:
        pass  # a plain moto server: it has only the full dump
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=60) as response:
        return list(json.loads(response.read()).get("ses", {}).get("Message", []))


def messages(to: str | None = None) -> list[dict[str, Any]]:
    """Newest first. Reads the emulator's record of sent mail; there is no such thing in AWS."""
    endpoint = settings().aws_endpoint_url
    if not endpoint:
        raise RuntimeError("the outbox exists only with the local emulator (KUMO_AWS_ENDPOINT)")
    sent = list(reversed(_sent(endpoint.rstrip("/"))))
    found = [
        {
            "to": m.get("destinations", {}).get("ToAddresses", []),
            "from": m.get("source"),
            "subject": m.get("subject"),
            "body": m.get("body"),
        }
        for m in sent
    ]
    if to:
        found = [m for m in found if to.lower() in [a.lower() for a in m["to"]]]
    return found
