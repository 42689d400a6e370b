"""Lambda handler: scan-queue messages become malware verdicts on partner uploads.

Thin on purpose: parse the SQS batch, hand each EventBridge event (a PartnerUploaded event for
the local scanner, a GuardDuty scan result in AWS) to chalicelib.scanning.service, and report the
records that failed so only those are retried (and reach the DLQ after the queue's redrive
count). A redelivered event is recognised by its id and skipped; the state machine itself is
idempotent too, so a duplicate that slips past changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core import idempotency
from chalicelib.core.config import settings
from chalicelib.core.observability import logger, metrics, traced_handler

settings()  # fail closed: outside stage local a missing setting stops the cold start, by name

processor = BatchProcessor(event_type=EventType.SQS)


def _handle(event: dict[str, Any]) -> str:
    from chalicelib.scanning import service

    return service.handle(event)


# Kumo's events carry their own id in the detail (stable across PutEvents retries);
# GuardDuty's have only EventBridge's envelope id.
_idempotent_handle = idempotency.once(_handle, key_path="[source, detail.event_id || id]")


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    handle_once, _ = _idempotent_handle()
    outcome = handle_once(event=event)
    logger.info(
        "scan event handled",
        extra={"source": event.get("source"), "detail_type": event.get("detail-type"), "outcome": outcome},
    )
    metrics.add_metric(name=f"Scan_{outcome}", unit="Count", value=1)


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: Any) -> Any:
    _, config = _idempotent_handle()
    config.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
