"""What a chat channel is: its type, whose it is (a 所属 or a project), which notices it hears.

A channel belongs to a scope, never to a person: a 所属's channel is managed by its 所属長 and
取りまとめ担当 of the day, a project's by its managers (projects/access.py), so it outlives the
person who connected it. Which kinds a scope's channel may hear are the notices that concern
the scope as a whole (kinds.py keys, shown in kinds.py's groups); notices that concern one
person only (consent steps, a personal reminder) never go to a shared channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from chalicelib.core.i18n_markers import N_


class ChannelType(StrEnum):
    TEAMS = "teams"  # a Teams Workflows "When a Teams webhook request is received" URL
    SLACK = "slack"  # a Slack app's incoming webhook
    LOGO = "logochat"  # LoGoチャット's incoming webhook
    WEBHOOK = "webhook"  # any receiver of Kumo's signed JSON (README: "Webhooks")


TYPE_LABELS: dict[ChannelType, str] = {
    ChannelType.TEAMS: N_("Microsoft Teams (Workflows)"),
    ChannelType.SLACK: N_("Slack (incoming webhook)"),
    ChannelType.LOGO: N_("LoGo Chat (webhook)"),
    ChannelType.WEBHOOK: N_("Generic webhook (signed JSON)"),
}


class ScopeKind(StrEnum):
    UNIT = "unit"
    PROJECT = "project"


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # by its managers, or by the breaker after failing for the window


# The notices a scope's channel may hear of, in the settings page's order.
UNIT_KINDS: tuple[str, ...] = (
    "survey_issued",
    "survey_forwarded",
    "survey_approval",
    "survey_returned",
    "survey_reminder",
    "survey_overdue",
    "survey_closed",
    "survey_answered",
    "survey_not_applicable",
)
PROJECT_KINDS: tuple[str, ...] = (
    "card_assigned",
    "card_due_soon",
    "card_overdue",
    "comment_mentioned",
    "project_added",
    "project_joined",
    "application_received",
)
TEST_KIND = "test"  # a test message sent from the settings page


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    ident: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.ident}"

    @property
    def kinds(self) -> tuple[str, ...]:
        return UNIT_KINDS if self.kind is ScopeKind.UNIT else PROJECT_KINDS

    @property
    def page(self) -> str:
        base = "/units" if self.kind is ScopeKind.UNIT else "/projects"
        return f"{base}/{self.ident}/channels"

    @classmethod
    def parse(cls, key: str) -> Scope:
        kind, _, ident = key.partition(":")
        return cls(ScopeKind(kind), ident)


def unit(unit_id: str) -> Scope:
    return Scope(ScopeKind.UNIT, unit_id)


def project(project_id: str) -> Scope:
    return Scope(ScopeKind.PROJECT, project_id)


@dataclass(frozen=True)
class Channel:
    channel_id: str
    scope: Scope
    type: ChannelType
    name: str
    kinds: frozenset[str]
    masked_url: str
    status: Status
    created_by: str
    created_at: datetime
    failing_since: datetime | None = None
    paused_at: datetime | None = None
    paused_by_breaker: bool = False

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE

    @property
    def signed(self) -> bool:
        return self.type is ChannelType.WEBHOOK


@dataclass(frozen=True)
class Attempt:
    """One line of a channel's delivery log: never the URL, never a response body."""

    at: datetime
    kind: str
    ok: bool
    status_code: int | None
    error: str


MASK = "••••"


def mask_url(url: str) -> str:
    """What the pages show of a webhook URL: its scheme and host, and the last 4 characters
    of the rest (enough to tell two apart, too little to use): https://hooks.slack.com/…/••••abcd."""
    parts = urlsplit(url)
    rest = (parts.path + (f"?{parts.query}" if parts.query else "")).strip("/")
    host = parts.hostname or ""
    tail = rest[-4:] if len(rest) >= 12 else ""
    return f"{parts.scheme}://{host}/…/{MASK}{tail}"
