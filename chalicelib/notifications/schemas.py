"""The JSON API's answer types for the inbox (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from typing import TypedDict


class NotificationOut(TypedDict):
    id: str
    kind: str
    text: str
    link: str | None
    created_at: str
    read_at: str | None


class InboxOut(TypedDict):
    items: list[NotificationOut]
    unread: int


class UnreadOut(TypedDict):
    unread: int
