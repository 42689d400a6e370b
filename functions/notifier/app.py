"""Lambda handler: domain events from the notify queue become in-app notifications.

Thin on purpose: parse the SQS batch, hand each EventBridge event to the notifications
service, report the records that failed so only those are retried (and reach the DLQ after
the queue's redrive count). A redelivered event is recognised by its event id (its claim, taken
with its writes) and writes nothing twice.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core.config import settings
from chalicelib.core.observability import logger, metrics, traced_handler

settings()  # fail closed: outside stage local a missing setting stops the cold start, by name

processor = BatchProcessor(event_type=EventType.SQS)


def _deliver(event: dict[str, Any]) -> int:
    from chalicelib.notifications import stats

    with stats.counting():  # the event's inbox/mail/digest outcomes: one counter write (ops health page)
        return _dispatch(event)


def _dispatch(event: dict[str, Any]) -> int:
    from chalicelib.notifications import digest, email, routing, service, stats
    from chalicelib.notifications.kinds import Route

    # Each person's settings decide: inbox only, a mail now, the digest, or nothing (email.plan).
    planned = email.plan(routing.deliveries_for(event))
    # Mail first, each claimed per event and address (SES cannot take one back): whatever fails
    # after it, the retry sends none twice.
    email.send_mails(planned)
    for p in planned:  # held in the transaction below (a redelivered event counts them again)
        if p.route is Route.DIGEST:
            stats.count("digest", p.delivery.kind, "queued")
    # Then the inbox items and the digest lines with the event's claim, in one transaction
    # (notifications/transactions.py): a redelivered event writes nothing twice.
    return service.deliver(
        [p.delivery for p in planned if p.route is not Route.NOTHING],
        also=digest.queued_writes(planned),
        claim=_claim_key(event),
    )


def _claim_key(event: dict[str, Any]) -> str:
    # Kumo's events carry their own id in the detail (stable across PutEvents retries).
    detail = event.get("detail") or {}
    return f"notifier#{event.get('source')}#{detail.get('event_id') or event.get('id')}"


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    created = _deliver(event)
    logger.info(
        "event handled",
        extra={"source": event.get("source"), "detail_type": event.get("detail-type"), "notifications": created},
    )
    metrics.add_metric(name="NotificationsCreated", unit="Count", value=created)


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
