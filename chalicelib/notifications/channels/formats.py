"""What each channel receives: one message, in Japanese, shaped for its type.

- Teams (Workflows): an Adaptive Card in the "message" envelope the Workflows webhook trigger
  takes ({"type": "message", "attachments": [{"contentType":
  "application/vnd.microsoft.card.adaptive", "content": {...}}]}); Workflows show cards only.
- Slack: Block Kit (header, section, context, a link button) with ``text`` as the fallback that
  notifications and screen readers use.
- LoGoチャット: plain text in {"text": ...}, which is all its webhook shows.
- A generic webhook: Kumo's own JSON, signed (README.md "Webhooks"): HMAC-SHA256 over
  "<timestamp>.<body>" with the channel's secret, in X-Kumo-Signature; the timestamp (Unix
  seconds) in X-Kumo-Timestamp, which receivers check to refuse replays.

A message carries names (a 所属's, a project's, a person's), a 照会's number and title, a card's
title, and an absolute link into Kumo (KUMO_BASE_URL) where the reader signs in; never a share
link's token, a password, an e-mail address or a comment's words.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.i18n import gettext_for
from chalicelib.core.i18n_markers import N_
from chalicelib.notifications.channels.model import TEST_KIND, ChannelType

LANGUAGE = "ja"
SIGNATURE_HEADER = "X-Kumo-Signature"
TIMESTAMP_HEADER = "X-Kumo-Timestamp"
EVENT_HEADER = "X-Kumo-Event"
SIGNATURE_VERSION = "v1"
PAYLOAD_VERSION = 1
OPEN_LABEL = N_("Open in Kumo")


@dataclass(frozen=True)
class Message:
    """One notice for one channel, already in Japanese."""

    event_id: str
    kind: str
    title: str  # the kind's label: 照会が届きました
    text: str  # what happened, with names
    scope_name: str  # the 所属's or the project's name
    scope_key: str
    link: str  # absolute
    occurred_at: datetime


def absolute(link: str | None) -> str:
    base = settings().base_url
    if not link:
        return base + "/"
    return link if link.startswith(("https://", "http://")) else base + (link if link.startswith("/") else f"/{link}")


def translate(msgid: str) -> str:
    return str(gettext_for(LANGUAGE)(msgid))


def _when(moment: datetime) -> str:
    from chalicelib.core.templating import jst

    return str(jst(moment))


def teams(m: Message) -> dict[str, Any]:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": m.title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": m.text, "wrap": True},
            {
                "type": "TextBlock",
                "text": f"{m.scope_name} ・ {_when(m.occurred_at)}",
                "isSubtle": True,
                "spacing": "Small",
                "wrap": True,
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": translate(OPEN_LABEL), "url": m.link}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _mrkdwn(text: str) -> str:
    """Slack reads &, < and > as markup: escaped, a title cannot make a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(m: Message) -> dict[str, Any]:
    return {
        "text": f"{m.title}: {m.text}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": m.title[:150], "emoji": False}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(m.text)[:3000]}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _mrkdwn(f"{m.scope_name} ・ {_when(m.occurred_at)}")}],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": translate(OPEN_LABEL)},
                        "url": m.link,
                        "action_id": "open-kumo",
                    }
                ],
            },
        ],
    }


def logo(m: Message) -> dict[str, Any]:
    return {"text": f"【{m.title}】{m.scope_name}\n{m.text}\n{m.link}"}


def generic(m: Message, *, channel_id: str, channel_name: str) -> dict[str, Any]:
    scope_type, _, scope_id = m.scope_key.partition(":")
    return {
        "version": PAYLOAD_VERSION,
        "id": m.event_id,
        "kind": m.kind,
        "test": m.kind == TEST_KIND,
        "occurred_at": m.occurred_at.isoformat(),
        "channel": {"id": channel_id, "name": channel_name},
        "scope": {"type": scope_type, "id": scope_id, "name": m.scope_name},
        "title": m.title,
        "text": m.text,
        "url": m.link,
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, header: str, *, now: float | None = None, tolerance_s: int = 300
) -> bool:
    """What a receiver does (README's snippet, in Python): the signature matches and is fresh."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(signature(secret, timestamp, body), header)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def request(
    kind: ChannelType,
    m: Message,
    *,
    channel_id: str,
    channel_name: str,
    secret: str | None = None,
    now: float | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers to POST for a message to a channel of this type."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Kumo-Notifier/1"}
    if kind is ChannelType.TEAMS:
        return encode(teams(m)), headers
    if kind is ChannelType.SLACK:
        return encode(slack(m)), headers
    if kind is ChannelType.LOGO:
        return encode(logo(m)), headers
    body = encode(generic(m, channel_id=channel_id, channel_name=channel_name))
    timestamp = str(int(time.time() if now is None else now))
    headers[TIMESTAMP_HEADER] = timestamp
    headers[EVENT_HEADER] = m.event_id
    headers[SIGNATURE_HEADER] = signature(secret or "", timestamp, body)
    return body, headers
