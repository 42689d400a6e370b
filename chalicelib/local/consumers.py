"""Plays Lambda's SQS event source mapping: long-poll a queue, call the function's handler.

The handler gets exactly what Lambda gives it: `{"Records": [...]}` with SQS records whose
bodies are the S3 or EventBridge events, and a context object. With ReportBatchItemFailures
the records it lists stay on the queue (and reach the DLQ after the redrive count); the others
are deleted. If the handler raises, the whole batch stays. With KUMO_FAULT_RATE set, the handler
fails on purpose now and then (faults.py), to show that every effect still happens once.
"""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.resources import FunctionSpec
from chalicelib.local import faults


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    timeout_s: int
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = ""
    started: float = 0.0

    @property
    def invoked_function_arn(self) -> str:
        s = settings()
        return f"arn:aws:lambda:{s.region}:{s.account}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_s - time.monotonic()) * 1000))


def load_handler(spec: FunctionSpec) -> Callable[[dict[str, Any], Any], Any]:
    module_name, attr = spec.handler.rsplit(".", 1)
    module = importlib.import_module(f"functions.{spec.key}.{module_name}")
    return getattr(module, attr)  # type: ignore[no-any-return]


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    region = settings().region
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class QueueConsumer(threading.Thread):
    def __init__(
        self, spec: FunctionSpec, queue_name: str, stop: threading.Event, *, retry_delay_s: int = 2, wait_s: int = 1
    ) -> None:
        super().__init__(name=f"consumer-{spec.key}", daemon=True)
        self.spec = spec
        self.queue_name = queue_name
        self.stop_event = stop
        self.retry_delay_s = retry_delay_s
        self.wait_s = wait_s
        self.handler = faults.wrap(spec, load_handler(spec))  # as it is, unless KUMO_FAULT_RATE is set
        sqs = aws.client("sqs")
        self.queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.batches = 0

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll_once()
            except Exception:  # the emulator restarting, a network blip: keep polling
                if not self.stop_event.is_set():
                    logger.exception("queue consumer error", extra={"queue": self.queue_name})
                    self.stop_event.wait(1)

    def poll_once(self) -> int:
        sqs = aws.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.spec.batch_size, 10),
            WaitTimeSeconds=self.wait_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        failed = self._invoke(messages)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
                ],
            )
        for m in messages:
            if m["MessageId"] in failed and not self.spec.own_backoff:
                # Lambda leaves it until the visibility timeout ends; locally, retry sooner.
                sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=self.retry_delay_s
                )
        self.batches += 1
        return len(messages)

    def _invoke(self, messages: list[dict[str, Any]]) -> set[str]:
        context = LambdaContext(
            self.spec.physical_name(settings().prefix),
            self.spec.timeout_s,
            self.spec.memory_mb,
            aws_request_id=str(uuid.uuid4()),
            started=time.monotonic(),
        )
        try:
            result = self.handler(sqs_event(messages, self.queue_arn), context)
        except Exception:
            logger.exception("function failed; the batch stays on the queue", extra={"function": self.spec.key})
            return {m["MessageId"] for m in messages}
        failures = (result or {}).get("batchItemFailures", []) if isinstance(result, dict) else []
        return {f["itemIdentifier"] for f in failures}
