"""The inbox: deliver, list, count unread, mark read. Each person sees only their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import NotFound
from chalicelib.core.storage import update_if
from chalicelib.notifications import stats, transactions
from chalicelib.notifications.storage import NotificationRecord, bind

PAGE_SIZE = 50


@dataclass(frozen=True)
class Notification:
    notification_id: str
    kind: str
    params: dict[str, Any]
    link: str | None
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True)
class Delivery:
    """One notification to put in one person's inbox."""

    staff_id: str
    kind: str
    event_id: str
    occurred_at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    link: str | None = None
    # What the notice is about, when a person can mute that ("share:<link id>", "survey:<id>";
    # mutes.py): the routing drops it for whoever muted the subject, unless the kind is mandatory.
    subject: str | None = None

    @property
    def notification_id(self) -> str:
        return f"{self.occurred_at.strftime('%Y%m%dT%H%M%S%fZ')}_{self.event_id}"


def _from_record(r: NotificationRecord) -> Notification:
    params = r.params.as_dict() if hasattr(r.params, "as_dict") else dict(r.params or {})  # type: ignore[no-untyped-call]
    return Notification(r.notification_id, r.kind, params, r.link, r.created_at, r.read_at)


def _inbox_write(d: Delivery, now: datetime) -> dict[str, Any]:
    record = NotificationRecord(
        d.staff_id,
        d.notification_id,
        kind=d.kind,
        params=d.params,
        link=d.link,
        event_id=d.event_id,
        created_at=now,
    )
    return transactions.put_if_absent(NotificationRecord, record, "staff_id")


def once_each(deliveries: list[Delivery]) -> list[Delivery]:
    """One delivery per person and notice: a transaction refuses two writes of one item, and a
    person may be reached twice by one event (the coordinator of two 所属 a 照会 is sent to)."""
    first: dict[tuple[str, str], Delivery] = {}
    for d in deliveries:
        first.setdefault((d.staff_id, d.notification_id), d)
    return list(first.values())


def deliver(deliveries: list[Delivery], *, also: Sequence[dict[str, Any]] = (), claim: str | None = None) -> int:
    """Write each delivery once; a delivery already in the inbox is skipped. Returns new count.

    The inbox items go with `also` (the event's other conditional writes: its digest lines) and
    the event's `claim` (core/idempotency) in one TransactWriteItems of up to 100 writes, the
    claim in the last one: a redelivered event finds it taken and writes nothing more, and an
    event cut short before it (a crash between two transactions) is written in full by the retry.
    """
    unique, inbox = inbox_writes(deliveries)
    if not inbox and not also:
        return 0
    written = transactions.write_once([*inbox, *also], claim=claim, counted=len(inbox))
    return count_written(unique, written)


def inbox_writes(deliveries: list[Delivery]) -> tuple[list[Delivery], list[dict[str, Any]]]:
    """Each person's notice once, and its inbox item as a conditional put of a transaction."""
    bind()
    now = datetime.now(UTC)
    unique = once_each(deliveries)
    return unique, [_inbox_write(d, now) for d in unique]


def count_written(unique: list[Delivery], written: list[int]) -> int:
    """The delivery-health counts of the inbox items written now (the others were there already)."""
    made = set(written)
    for i, d in enumerate(unique):
        stats.count("inbox", d.kind, "sent" if i in made else "skipped")
    return len(made)


def inbox(principal: Principal | None, limit: int = PAGE_SIZE) -> list[Notification]:
    p = require_signed_in(principal)
    bind()
    return [_from_record(r) for r in NotificationRecord.query(p.staff_id, scan_index_forward=False, limit=limit)]


def inbox_with_unread(principal: Principal | None, limit: int = PAGE_SIZE) -> tuple[list[Notification], int]:
    """The newest notices and how many of all are unread. When the page holds the whole inbox
    (most people's), the count is taken from it: no second query (one round trip less on the
    inbox's every poll and on a cold start, bench/cold_start.py)."""
    p = require_signed_in(principal)
    bind()
    results = NotificationRecord.query(p.staff_id, scan_index_forward=False, limit=limit)
    items = [_from_record(r) for r in results]
    if len(items) < limit and results.last_evaluated_key is None:
        return items, sum(1 for n in items if n.unread)
    return items, unread_count(p)


def unread_count(principal: Principal | None) -> int:
    p = require_signed_in(principal)
    bind()
    return NotificationRecord.count(p.staff_id, filter_condition=NotificationRecord.read_at.does_not_exist())


def mark_read(principal: Principal | None, notification_id: str) -> None:
    p = require_signed_in(principal)
    bind()
    # Keyed by the reader's own id: another person's notification id simply is not found.
    if not update_if(
        NotificationRecord(p.staff_id, notification_id),
        [NotificationRecord.read_at.set(datetime.now(UTC))],
        NotificationRecord.staff_id.exists(),
    ):
        raise NotFound("This notification does not exist.")


def mark_all_read(principal: Principal | None) -> int:
    p = require_signed_in(principal)
    bind()
    now = datetime.now(UTC)
    count = 0
    for r in NotificationRecord.query(p.staff_id, filter_condition=NotificationRecord.read_at.does_not_exist()):
        r.update(actions=[NotificationRecord.read_at.set(now)])
        count += 1
    return count
