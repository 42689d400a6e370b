"""Mail sent through the local SES emulator, for trying e-mail flows by hand (dev only).

Kumo sends raw MIME messages (sharing/mail.py), which moto keeps as they came: ``sent_mail``
reads them back into what a person would see (addressee, decoded subject, the text body) and
the headers a mail client acts on (List-Unsubscribe, List-Unsubscribe-Post).
"""

from __future__ import annotations

import email
import email.policy
import json
import urllib.error
import urllib.request
from typing import Any

from chalicelib.core.config import settings

SHOWN_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")


def sent_mail(message: Any) -> dict[str, Any]:
    """One message moto's SES kept (a RawMessage, or a Message of the simple SendEmail) as the
    outbox lists it: source, subject, body, destinations ({"ToAddresses": [...]}) and headers."""
    raw = getattr(message, "raw_data", None)
    if raw is None:
        return {
            "source": message.source,
            "subject": message.subject,
            "body": message.body,
            "destinations": message.destinations,
            "headers": {},
        }
    return raw_mail(str(raw), message.source, list(message.destinations))


def raw_mail(raw: str, source: str | None, destinations: list[str]) -> dict[str, Any]:
    parsed = email.message_from_string(raw, policy=email.policy.default)
    part = parsed.get_body(preferencelist=("plain", "html")) if parsed.is_multipart() else parsed
    body = part.get_content() if part is not None else ""
    return {
        "source": source or str(parsed.get("From", "")),
        "subject": str(parsed.get("Subject", "")),
        "body": str(body).replace("\r\n", "\n"),  # sent with SMTP's CRLF; shown as text
        "destinations": {"ToAddresses": [a.strip() for a in destinations]},
        "headers": {name: str(parsed[name]) for name in SHOWN_HEADERS if parsed[name] is not None},
    }


def _sent(endpoint: str) -> list[dict[str, Any]]:
    """From `kumo dev`'s emulator (emulator.py); from moto's full model dump on a plain moto server."""
    from chalicelib.local.emulator import OUTBOX_PATH

    try:
        with urllib.request.urlopen(f"{endpoint}{OUTBOX_PATH}", timeout=30) as response:
            return list(json.loads(response.read()))
    except urllib.error.HTTPError:
        pass  # a plain moto server: it has only the full dump
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=60) as response:
        ses = json.loads(response.read()).get("ses", {})
    raw = [raw_mail(m["raw_data"], m.get("source"), m.get("destinations") or []) for m in ses.get("RawMessage", [])]
    return [*ses.get("Message", []), *raw]


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
            "headers": m.get("headers") or {},
        }
        for m in sent
    ]
    if to:
        found = [m for m in found if to.lower() in [a.lower() for a in m["to"]]]
    return found
