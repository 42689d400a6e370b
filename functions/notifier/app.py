"""Lambda handler: domain events from the notify queue become in-app notifications and mails.

Thin on purpose: the SQS batch goes to notifications/fanout.py, which handles its events
together (one read of settings and mutes for all, writes packed into shared transactions);
the records that failed are reported so only those are retried (and reach the DLQ after the
queue's redrive count). A redelivered event is recognised by its event id (its claim, taken
with its writes) and writes nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from chalicelib.core.config import settings
from chalicelib.core.observability import logger, metrics, traced_handler

settings()  # fail closed: outside stage local a missing setting stops the cold start, by name


def handler_body(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.notifications import fanout, stats

    records = [(str(r.get("messageId")), str(r.get("body") or "")) for r in event.get("Records") or []]
    with stats.counting():  # the batch's inbox/mail/digest outcomes: one counter write (ops health page)
        handled = fanout.handle(records)
    failed = [h for h in handled if h.error is not None]
    for h in handled:
        if h.error is None:
            logger.info(
                "event handled",
                extra={
                    "source": h.event.get("source"),
                    "detail_type": h.event.get("detail-type"),
                    "notifications": h.created,
                },
            )
    metrics.add_metric(name="NotificationsCreated", unit="Count", value=sum(h.created for h in handled))
    if records and len(failed) == len(records):  # as Powertools' batch processing: all failed, the invocation fails
        raise BatchProcessingError(
            f"All records failed processing. {len(failed)} individual errors logged separately below.",
            [(type(h.error), h.error, h.error.__traceback__) for h in failed if h.error is not None],
        )
    return {"batchItemFailures": [{"itemIdentifier": h.message_id} for h in failed]}


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: Any) -> Any:
    return handler_body(event)
