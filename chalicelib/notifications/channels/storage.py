"""pynamodb models of chat channels: the channels, one post per event and channel, the log."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class ScopeIndex(GlobalSecondaryIndex["ChannelRecord"]):
    class Meta:
        index_name = "by_scope"
        projection = AllProjection()

    scope = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ChannelRecord(Model):
    """A channel. The URL and the signing secret are sealed (core/sealing.py, key WEBHOOKS,
    bound to the channel id): a backup or a table read shows only ``masked_url``."""

    class Meta:
        table_name = "channels"

    channel_id = UnicodeAttribute(hash_key=True)
    scope = UnicodeAttribute()  # "unit:<id>" | "project:<id>"
    created_at = UnicodeAttribute()  # ISO, UTC (the index's sort key)
    type = UnicodeAttribute()
    name = UnicodeAttribute()
    kinds: ListAttribute[str] = ListAttribute(default=list)  # kinds.py keys
    url_sealed = UnicodeAttribute()
    masked_url = UnicodeAttribute()
    secret_sealed = UnicodeAttribute(null=True)  # generic webhooks only
    status = UnicodeAttribute(default="active")
    created_by = UnicodeAttribute()
    failing_since = UTCDateTimeAttribute(null=True)  # the first failure since the last success
    paused_at = UTCDateTimeAttribute(null=True)
    paused_by_breaker = BooleanAttribute(default=False)
    by_scope = ScopeIndex()


class ScopeCountRecord(Model):
    """How many channels a scope has: reserved (a conditional add) before a channel is written,
    so the cap holds however many connect at once. Keyed ``count#<scope>`` in the channels table;
    it has no ``scope`` attribute, so the by_scope index never lists it."""

    class Meta:
        table_name = "channels"

    channel_id = UnicodeAttribute(hash_key=True)
    channels = NumberAttribute(default=0)


class DeliveryRecord(Model):
    """One event's post to one channel: claimed (``sending``) before the post, ``sent`` after it,
    ``failed`` when the post failed and the message will be retried."""

    class Meta:
        table_name = "channel_deliveries"

    channel_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    expires = NumberAttribute()  # TTL: Unix seconds


class AttemptRecord(Model):
    """One line of a channel's delivery log."""

    class Meta:
        table_name = "channel_attempts"

    channel_id = UnicodeAttribute(hash_key=True)
    attempt_key = UnicodeAttribute(range_key=True)  # "<ISO time>#<random>": newest last
    kind = UnicodeAttribute()
    ok = BooleanAttribute()
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()
    expires = NumberAttribute()


bind = Binder(
    (ChannelRecord, "channels"),
    (ScopeCountRecord, "channels"),
    (DeliveryRecord, "channel_deliveries"),
    (AttemptRecord, "channel_attempts"),
)
