"""Delivery health for system administrators (/admin/notifications): the last day's notices per
channel and per kind (notifications/stats.py), each queue's depth and its DLQ's, the chat
channels that are paused, and the last replays. Refused to anyone but a system administrator,
here in the service (403), whatever path asks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.core.auth import Principal, Role, require_role
from chalicelib.notifications import stats
from chalicelib.notifications.channels import health as channel_health
from chalicelib.ops import dlq

HOURS = 24


@dataclass(frozen=True)
class Row:
    name: str  # a channel (inbox, mail, digest, teams …) or a kind's key
    sent: int
    failed: int
    queued: int
    skipped: int


@dataclass(frozen=True)
class PausedChannel:
    channel_id: str
    name: str
    type: str
    scope: str


@dataclass(frozen=True)
class Health:
    hours: int
    by_channel: list[Row]
    by_kind: list[Row]
    queues: list[dlq.QueueStatus]
    paused: list[PausedChannel]
    replays: list[dlq.Replay]

    @property
    def sent(self) -> int:
        return sum(r.sent for r in self.by_channel)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.by_channel)

    @property
    def dead_letters(self) -> int:
        return sum(q.dead.visible + q.dead.in_flight + q.dead.delayed for q in self.queues)


def rows(counts: list[stats.Count], by: str) -> list[Row]:
    """Counters summed per channel (``by="channel"``) or per kind, busiest first."""
    totals: dict[str, Counter[str]] = {}
    for c in counts:
        totals.setdefault(getattr(c, by), Counter())[c.outcome] += c.count
    ordered = sorted(totals.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return [Row(name, t["sent"], t["failed"], t["queued"], t["skipped"]) for name, t in ordered]


def paused_channels(now: datetime) -> list[PausedChannel]:
    seen: dict[str, PausedChannel] = {}
    for row in channel_health.channel_health(now - timedelta(hours=HOURS)):
        if row.status == "paused":
            seen.setdefault(
                row.channel_id, PausedChannel(row.channel_id, row.channel_name, row.channel_type, row.scope)
            )
    return sorted(seen.values(), key=lambda c: (c.scope, c.name))


def delivery_health(principal: Principal, now: datetime | None = None) -> Health:
    p = require_role(principal, Role.SYSTEM_ADMIN)
    moment = now or datetime.now(UTC)
    counts = stats.since(HOURS, moment)
    return Health(
        HOURS,
        by_channel=rows(counts, "channel"),
        by_kind=rows(counts, "kind"),
        queues=dlq.status(p),
        paused=paused_channels(moment),
        replays=dlq.recent_replays(p),
    )
