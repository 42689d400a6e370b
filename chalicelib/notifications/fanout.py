"""The notifier's work on one SQS batch (functions/notifier): its events handled together.

For each event the notifier routes it (who hears of it), drops what people muted, reads their
settings (inbox only, a mail now, the digest, or nothing), hands the mails to the mail queue
(mail_queue.py; functions/mailer sends them), and writes the inbox items and digest lines with
the event's claim. One event at a time that was six or seven round trips beside the one of a
bare write of its inbox items (bench/notify.py). For the batch Lambda hands over (up to ten
events) the reads and writes are shared: one BatchGetItem across the mutes and the settings for
all of its events, one SendMessageBatch for its mails, their writes packed into transactions of
up to 100 (each event's beside its own claim), and one write of the delivery counters.
Routing a 照会 reads the people of its 所属's 部局: those reads are kept by the process from one
batch to the next until the staff change (directory/staff_cache.py: the directory's stamp is
read with the batch's mutes and settings, and a moved stamp routes the batch again).

Each event still stands alone: one that fails (a malformed detail, a mail job not accepted, a
cancelled write) is reported for SQS to deliver again, and the others are written. Exactly once
holds as it did one by one: an event's writes commit with its claim, its mail jobs are on the mail queue
before that, and the mailer claims each mail right before it sends it (a claim taken early is a
mail lost if the function dies before sending it).
The same event twice in one batch (SQS delivers at least once) is handled once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core.observability import logger
from chalicelib.core.storage import batch_get_across
from chalicelib.directory import service as directory
from chalicelib.notifications import (
    digest,
    email,
    mail_queue,
    mutes,
    preferences,
    routing,
    service,
    stats,
    transactions,
)
from chalicelib.notifications.email import Planned
from chalicelib.notifications.kinds import Route
from chalicelib.notifications.service import Delivery
from chalicelib.notifications.storage import PreferenceRecord, bind_prefs


@dataclass
class Handled:
    """One SQS record of the batch: its event, what it became, or why it failed."""

    message_id: str
    event: dict[str, Any] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    created: int = 0
    error: BaseException | None = None

    @property
    def claim(self) -> str:
        # Kumo's events carry their own id in the detail (stable across PutEvents retries).
        detail = self.event.get("detail") or {}
        return f"notifier#{self.event.get('source')}#{detail.get('event_id') or self.event.get('id')}"


def handle(records: list[tuple[str, str]]) -> list[Handled]:
    """Every (message id, body) of a batch, handled; each result says what it created or why not."""
    # A 照会 reads a 部局's people once while the staff stay unchanged: the process's kept reads
    # are used at once and checked with the batch's other reads (the directory's stamp).
    with directory.reads_cached(check_later=True) as block:
        handled = [_route(message_id, body) for message_id, body in records]
    first: dict[str, Handled] = {}
    live = []
    for h in handled:
        if h.error is None and first.setdefault(h.claim, h) is h:
            live.append(h)  # a second copy of an event in the batch is done when the first is
    groups = [h.deliveries for h in live]
    found = _read_mutes_settings_and_stamp(groups, directory.stamp_reads(block))
    if not directory.still_current(block, found):
        # The staff changed since this process kept its reads: route again, on fresh reads (the
        # process kept nothing now, so this runs once). Nothing was written yet.
        logger.info("directory changed while routing: routed again", extra={"records": len(records)})
        return handle(records)
    staff_ids = _staff_ids(groups)
    muted, prefs = mutes.muted_of(found), preferences.of_records(staff_ids, found.get(PreferenceRecord, []))
    for h, kept in zip(live, mutes.unmuted_each(groups, muted), strict=True):
        h.deliveries = service.once_each(kept)
    for h in live:
        h.planned = email.plan(h.deliveries, prefs=prefs)
    # Mail jobs first, on the mail queue (functions/mailer sends them, each claimed per event and
    # address): handed over before the event's claim is written, none is lost to a crash between.
    for h, error in zip(live, mail_queue.enqueue_each([h.planned for h in live]), strict=True):
        h.error = error
    _write([h for h in live if h.error is None])
    return handled


def _staff_ids(groups: list[list[Delivery]]) -> list[str]:
    return preferences.wanted_ids(d.staff_id for g in groups for d in g)


def _read_mutes_settings_and_stamp(groups: list[list[Delivery]], stamp: dict[type, list[Any]]) -> dict[type, list[Any]]:
    """What the batch's people muted (share links, surveys, and projects' memberships), their
    settings (for everyone routed, the few who muted an event's subject included) and, when the
    routing used the process's kept reads unchecked, the directory's stamp (consistent): one
    BatchGetItem across the tables."""
    bind_prefs()
    wanted = {**mutes.reads(mutes.pairs_to_check(groups)), PreferenceRecord: _staff_ids(groups), **stamp}
    return batch_get_across(wanted, consistent=stamp)


def _route(message_id: str, body: str) -> Handled:
    h = Handled(message_id)
    try:
        h.event = json.loads(body)
        h.deliveries = routing.routed(h.event)
    except Exception as exc:  # noqa: BLE001 - this record fails alone (retried, then the DLQ)
        logger.exception("event not routed", extra={"message_id": message_id})
        h.error = exc
    return h


def _write(handled: list[Handled]) -> None:
    """Each event's inbox items and digest lines with its claim (transactions.write_each)."""
    writes = []
    uniques = []
    for h in handled:
        unique, inbox = service.inbox_writes([p.delivery for p in h.planned if p.route is not Route.NOTHING])
        uniques.append(unique)
        writes.append(transactions.EventWrites([*inbox, *digest.queued_writes(h.planned)], h.claim, len(inbox)))
    for h, unique, result in zip(handled, uniques, transactions.write_each(writes), strict=True):
        if isinstance(result, BaseException):
            h.error = result
            continue
        for p in h.planned:  # held in the transaction just made (a redelivered event counts them again)
            if p.route is Route.DIGEST:
                stats.count("digest", p.delivery.kind, "queued")
        h.created = service.count_written(unique, result)
