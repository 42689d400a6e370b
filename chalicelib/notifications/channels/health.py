"""Delivery health of chat channels, for the administrators' page (notify-ops): per channel and
per kind, how many events were sent, failed (waiting for a retry, or given up) or are queued
(claimed, being posted) since a moment. Reads every channel: there are tens, not thousands."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from chalicelib.notifications.channels import storage
from chalicelib.notifications.channels.storage import ChannelRecord, DeliveryRecord


@dataclass(frozen=True)
class KindHealth:
    channel_id: str
    channel_name: str
    channel_type: str
    scope: str  # "unit:<id>" | "project:<id>"
    status: str  # the channel's: active | paused
    kind: str
    sent: int
    failed: int
    queued: int


def channel_health(since: datetime) -> list[KindHealth]:
    """One row per channel and kind with deliveries updated since ``since`` (a channel without
    any gets one row of kind "" and zeros, so a quiet or paused channel is still listed)."""
    storage.bind()
    rows: list[KindHealth] = []
    for channel in ChannelRecord.scan(filter_condition=ChannelRecord.scope.exists()):  # not the counters
        counts: dict[str, Counter[str]] = {}
        for d in DeliveryRecord.query(channel.channel_id, filter_condition=DeliveryRecord.updated_at >= since):
            counts.setdefault(d.kind, Counter())[d.status] += 1
        for kind, c in sorted(counts.items()) or [("", Counter[str]())]:
            rows.append(
                KindHealth(
                    channel.channel_id,
                    channel.name,
                    channel.type,
                    channel.scope,
                    channel.status,
                    kind,
                    sent=c["sent"],
                    failed=c["failed"],
                    queued=c["sending"],
                )
            )
    return rows
