"""Lambda handler: events from the channels queue become posts to 所属' and projects' chat channels.

Thin on purpose (chalicelib/notifications/channels/delivery.py does the work, once per event
and channel). A message whose post failed is reported as a batch item failure and returns after
an exponential backoff the handler sets itself (KUMO_CHANNEL_RETRY_BASE_S, doubling, at most
4 h): 14 receives span about a day, the breaker's window, before the DLQ (which has an alarm).
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
MAX_BACKOFF_S = 4 * 3600


def backoff_s(receive_count: int, base_s: int) -> int:
    """The wait before the next try after the n-th failed one: base, 2 base, 4 base … at most 4 h."""
    return int(min(MAX_BACKOFF_S, base_s * 2 ** max(0, min(receive_count - 1, 20))))


def _back_off(record: SQSRecord) -> None:
    from botocore.exceptions import ClientError

    from chalicelib.core import aws

    count = int(record.attributes.approximate_receive_count or 1)
    sqs = aws.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=settings().queue_name("channels"))["QueueUrl"]
        sqs.change_message_visibility(
            QueueUrl=url,
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=backoff_s(count, settings().channel_retry_base_s),
        )
    except ClientError:  # the queue's own visibility timeout applies instead
        logger.warning("could not set the retry delay", extra={"message_id": record.message_id})


def record_handler(record: SQSRecord) -> None:
    from chalicelib.notifications.channels import delivery

    event = json.loads(record.body)
    try:
        result = delivery.deliver_event(event)
    except delivery.RetryLater:
        _back_off(record)
        metrics.add_metric(name="ChannelPostsFailed", unit="Count", value=1)
        raise
    logger.info(
        "event posted to channels",
        extra={"detail_type": event.get("detail-type"), "sent": result.sent, "skipped": result.skipped},
    )
    metrics.add_metric(name="ChannelPostsSent", unit="Count", value=result.sent)


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
