"""The per-channel circuit breaker: a channel that has failed continuously for the window
(KUMO_CHANNEL_PAUSE_AFTER_S, a day) is paused, and the people who manage it are told.

"Continuously": ``failing_since`` is set by the first failure after a success (or since the
channel was connected or resumed) and cleared by any success, a test message's included. Each
failed attempt after the window has passed pauses the channel, once (a conditional update from
active); the notice (kinds.py "channel_paused", always in the inbox and mailed) goes to the
所属's 所属長 and 取りまとめ担当, or to the project's owners. Resuming clears the slate.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.core.auth import Post
from chalicelib.core.config import settings
from chalicelib.core.storage import update_if
from chalicelib.directory import service as directory
from chalicelib.notifications.channels.model import Scope, ScopeKind, Status
from chalicelib.notifications.channels.storage import ChannelRecord


def window() -> timedelta:
    return timedelta(seconds=settings().channel_pause_after_s)


def should_pause(failing_since: datetime | None, now: datetime, span: timedelta) -> bool:
    """A failure now pauses the channel when it has failed without a success for the span."""
    return failing_since is not None and now - failing_since >= span


def succeeded(record: ChannelRecord) -> None:
    if record.failing_since is not None:
        update_if(record, [ChannelRecord.failing_since.remove()], ChannelRecord.failing_since.exists())


def failed(record: ChannelRecord, now: datetime, scope_name: str) -> bool:
    """Records a failure; True when it paused the channel (its managers are told then)."""
    if record.failing_since is None:
        if update_if(record, [ChannelRecord.failing_since.set(now)], ChannelRecord.failing_since.does_not_exist()):
            return False
        record.refresh(consistent_read=True)  # another attempt set it first
    if not should_pause(record.failing_since, now, window()):
        return False
    paused = update_if(
        record,
        [
            ChannelRecord.status.set(Status.PAUSED.value),
            ChannelRecord.paused_at.set(now),
            ChannelRecord.paused_by_breaker.set(True),
        ],
        ChannelRecord.status == Status.ACTIVE.value,
    )
    if paused:
        tell_managers(record, now, scope_name)
    return paused


def managers(scope: Scope) -> list[str]:
    if scope.kind is ScopeKind.UNIT:
        people = [*directory.heads_of(scope.ident), *directory.staff_in_unit(scope.ident, post=Post.COORDINATOR)]
        return list(dict.fromkeys(s.staff_id for s in people))
    from chalicelib.projects import membership

    return list(dict.fromkeys(membership.owner_ids(scope.ident)))


def tell_managers(record: ChannelRecord, now: datetime, scope_name: str) -> int:
    from chalicelib.notifications import email
    from chalicelib.notifications.service import Delivery, deliver

    scope = Scope.parse(record.scope)
    since = record.failing_since or now
    hours = f"{(now - since).total_seconds() / 3600:.1f}".removesuffix(".0")
    params = {"channel": record.name, "owner": scope_name, "hours": hours}
    event_id = f"channel-paused-{record.channel_id}-{int(now.timestamp())}"
    deliveries = [
        Delivery(staff_id, "channel_paused", event_id, now, params=params, link=scope.page)
        for staff_id in managers(scope)
    ]
    created = deliver(deliveries)
    email.send_planned(email.plan(deliveries, now), now)
    return created
