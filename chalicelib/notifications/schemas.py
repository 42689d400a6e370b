"""The JSON API's types for the inbox and the notification settings (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
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


class KindSettingOut(TypedDict):
    kind: str
    label: str
    choice: str  # inbox / mail / digest / off
    choices: list[str]  # what may be chosen (a mandatory kind: mail only)
    mandatory_reason: str | None


class SettingGroupOut(TypedDict):
    group: str
    label: str
    kinds: list[KindSettingOut]


class SettingsOut(TypedDict):
    groups: list[SettingGroupOut]
    quiet_hours: bool
    digest_at: str  # "HH:MM" JST: when the daily digest comes on working days
    digest_times: list[str]  # what may be chosen


@dataclass(frozen=True)
class SettingsIn:
    """Change some kinds' choices (the others stay) and, if given, quiet hours and the digest's time."""

    choices: dict[str, str] = field(default_factory=dict)
    quiet_hours: bool | None = None
    digest_at: str | None = None  # "HH:MM", one of SettingsOut.digest_times
