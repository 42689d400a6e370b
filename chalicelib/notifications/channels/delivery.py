"""Posting to channels: each event once per channel, logged, with the breaker told the outcome.

Once per (event, channel): before a post, the delivery is claimed with a conditional write
(absent, or failed earlier, or claimed so long ago that its claimant must have died); after it,
it is marked sent. A redelivered message (SQS at-least-once, a retry after another channel
failed, a DLQ replay) finds "sent" and posts nothing. If the function dies between the post and
the mark, the next try posts again once the claim expires: a second copy then, never a lost
message — at-least-once is what an HTTP POST without the receiver's help can promise.

The URL is unsealed only here, checked by the SSRF guard at every send (the DNS answer may have
changed since the channel was connected) and never logged: the log and the page keep the time,
the kind, the status code and a short error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from chalicelib.core import sealing
from chalicelib.core.observability import logger
from chalicelib.notifications import stats
from chalicelib.notifications.channels import breaker, formats, guard, routing, storage
from chalicelib.notifications.channels.model import TEST_KIND, Attempt, ChannelType, Scope, Status
from chalicelib.notifications.channels.routing import Notice
from chalicelib.notifications.channels.storage import AttemptRecord, ChannelRecord, DeliveryRecord
from chalicelib.notifications.channels.texts import TITLES, render

LEASE = timedelta(seconds=90)  # longer than one post may take (guard.TIMEOUT_S per address)
KEEP = timedelta(days=30)


class RetryLater(Exception):
    """Some channel's post failed: the message returns to the queue (with backoff)."""


class Claim(Enum):
    MINE = "mine"
    DONE = "done"  # sent before
    BUSY = "busy"  # another attempt holds a fresh claim


@dataclass(frozen=True)
class Result:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def message_for(notice: Notice, event_id: str, when: datetime, scope_name: str) -> formats.Message:
    return formats.Message(
        event_id=event_id,
        kind=notice.kind,
        title=formats.translate(TITLES.get(notice.kind, notice.kind)),
        text=render(notice.kind, notice.params, formats.translate),
        scope_name=scope_name,
        scope_key=notice.scope.key,
        link=formats.absolute(notice.link),
        occurred_at=when,
    )


def _claim(channel_id: str, event_id: str, kind: str, now: datetime) -> Claim:
    from chalicelib.core.storage import update_if

    record = DeliveryRecord(channel_id, event_id)
    condition = (
        DeliveryRecord.channel_id.does_not_exist()
        | (DeliveryRecord.status == "failed")
        | ((DeliveryRecord.status == "sending") & (DeliveryRecord.claimed_at < now - LEASE))
    )
    actions: list[Any] = [
        DeliveryRecord.kind.set(kind),
        DeliveryRecord.status.set("sending"),
        DeliveryRecord.claimed_at.set(now),
        DeliveryRecord.updated_at.set(now),
        DeliveryRecord.attempts.add(1),
        DeliveryRecord.expires.set(int((now + KEEP).timestamp())),
    ]
    if update_if(record, actions, condition):
        return Claim.MINE
    record.refresh(consistent_read=True)
    return Claim.DONE if record.status == "sent" else Claim.BUSY


def _finish(channel_id: str, event_id: str, ok: bool) -> None:
    DeliveryRecord(channel_id, event_id).update(
        actions=[
            DeliveryRecord.status.set("sent" if ok else "failed"),
            DeliveryRecord.updated_at.set(datetime.now(UTC)),
        ]
    )


def _log(channel_id: str, kind: str, outcome: guard.Outcome, at: datetime) -> Attempt:
    AttemptRecord(
        channel_id,
        f"{at.isoformat()}#{uuid.uuid4().hex[:8]}",
        kind=kind,
        ok=outcome.ok,
        status_code=outcome.status_code,
        error=outcome.error[:200],
        at=at,
        expires=int((at + KEEP).timestamp()),
    ).save()
    return Attempt(at, kind, outcome.ok, outcome.status_code, outcome.error)


def send(record: ChannelRecord, message: formats.Message) -> guard.Outcome:
    """One post of one message to one channel, logged; the breaker hears of its outcome."""
    now = datetime.now(UTC)
    context = f"channel:{record.channel_id}"
    try:
        url = sealing.unseal(record.url_sealed, context=context, key=sealing.WEBHOOKS)
        secret = (
            sealing.unseal(record.secret_sealed, context=context, key=sealing.WEBHOOKS)
            if record.secret_sealed
            else None
        )
        target = guard.check(url)
    except sealing.SealError:
        outcome = guard.Outcome(None, "the stored address cannot be opened")
    except guard.Refused as refused:
        outcome = guard.Outcome(None, f"address refused: {refused.reason}")
    else:
        body, headers = formats.request(
            ChannelType(record.type), message, channel_id=record.channel_id, channel_name=record.name, secret=secret
        )
        outcome = guard.post(target, body, headers)
    _log(record.channel_id, message.kind, outcome, now)
    if outcome.ok:
        breaker.succeeded(record)
    else:
        # No URL here: the channel id says which, the error what.
        logger.warning("channel post failed", extra={"channel_id": record.channel_id, "error": outcome.error})
        breaker.failed(record, now, message.scope_name)
    return outcome


def send_test(record: ChannelRecord, scope_name: str) -> Attempt:
    now = datetime.now(UTC)
    scope = Scope.parse(record.scope)
    notice = Notice(scope, TEST_KIND, {"scope": scope_name}, scope.page.removesuffix("/channels"))
    outcome = send(record, message_for(notice, f"test-{uuid.uuid4().hex}", now, scope_name))
    return Attempt(now, TEST_KIND, outcome.ok, outcome.status_code, outcome.error)


def deliver_event(event: dict[str, Any]) -> Result:
    """Posts an event to every active channel of its scopes that chose its kind, once each.
    Raises RetryLater when any post failed (the sent ones are not posted again)."""
    notices = routing.notices_for(event)
    if not notices:
        return Result()
    storage.bind()
    with stats.counting():  # this event's posts, one counter write (ops/health.py reads them)
        return _post_all(notices, routing.event_id(event), routing.occurred_at(event))


def _post_all(notices: list[Notice], event_id: str, when: datetime) -> Result:
    from chalicelib.notifications.channels.service import records_in, scope_name

    sent = skipped = failed = 0
    for notice in notices:
        records = [r for r in records_in(notice.scope) if r.status == Status.ACTIVE.value and notice.kind in r.kinds]
        if not records:
            continue
        name = scope_name(notice.scope)
        for record in records:
            claim = _claim(record.channel_id, event_id, notice.kind, datetime.now(UTC))
            if claim is Claim.DONE:
                skipped += 1
                stats.count(record.type, notice.kind, "skipped")
                continue
            if claim is Claim.BUSY:
                failed += 1
                continue
            ok = send(record, message_for(notice, event_id, when, name)).ok
            _finish(record.channel_id, event_id, ok)
            stats.count(record.type, notice.kind, "sent" if ok else "failed")
            sent, failed = sent + ok, failed + (not ok)
    if failed:
        raise RetryLater(f"{failed} channel post(s) failed")
    return Result(sent, skipped, failed)
