"""Mail sent through the local SES emulator, for trying e-mail flows by hand (dev only)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from chalicelib.core.config import settings


def messages(to: str | None = None) -> list[dict[str, Any]]:
    """Newest first. Reads the emulator's model dump; there is no such thing in AWS."""
    endpoint = settings().aws_endpoint_url
    if not endpoint:
        raise RuntimeError("the outbox exists only with the local emulator (KUMO_AWS_ENDPOINT)")
    with urllib.request.urlopen(f"{endpoint.rstrip('/')}/moto-api/data.json", timeout=10) as response:
        data = json.loads(response.read())
    sent = list(reversed(data.get("ses", {}).get("Message", [])))
    found = [{"to": m.get("destinations", {}).get("ToAddresses", []), "from": m.get("source"),
              "subject": m.get("subject"), "body": m.get("body")} for m in sent]
    if to:
        found = [m for m in found if to.lower() in [a.lower() for a in m["to"]]]
    return found
