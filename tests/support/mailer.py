"""Plays the mail queue's event source for unit tests on in-process moto: the jobs the notifier
put on the mail queue go through functions/mailer as Lambda would hand them over."""

from __future__ import annotations

from typing import Any


def context() -> Any:
    """The mailer's Lambda context, as the local stack's consumers make it."""
    import time

    from chalicelib.core.config import settings
    from chalicelib.core.resources import RESOURCES
    from chalicelib.local.consumers import LambdaContext

    spec = RESOURCES.function("mailer")
    return LambdaContext(spec.physical_name(settings().prefix), spec.timeout_s, started=time.monotonic())


def _record(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": message.get("Attributes", {}).get("ApproximateReceiveCount", "1")},
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:kumo-mail",
        "awsRegion": "ap-northeast-1",
    }


def waiting() -> int:
    """How many mail jobs are on the queue."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings().queue_name("mail"))["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def deliver() -> int:
    """Every mail job on the queue through the mailer, ten a batch; the jobs the mailer reported
    failed (or all of a batch, when it raised) are left on the queue at once, for the next call.
    Returns how many jobs it took off. Raises what the mailer raised, after putting them back."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from functions.mailer import app

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings().queue_name("mail"))["QueueUrl"]
    done = 0
    failed_handles: list[str] = []
    error: BaseException | None = None
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            break
        event = {"Records": [_record(m) for m in messages]}
        try:
            result = app.handler(event, context())
            failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        except Exception as exc:  # noqa: BLE001 - the whole batch stays, as with Lambda
            error = error or exc
            failed = {m["MessageId"] for m in messages}
        for m in messages:
            if m["MessageId"] in failed:
                failed_handles.append(m["ReceiptHandle"])
            else:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                done += 1
    for handle in failed_handles:  # back on the queue for the next call (no visibility timeout to wait out)
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    if error is not None:
        raise error
    return done
