"""Dead-letter queues: how deep each is, and putting their messages back on the source queue.

A replay receives from the DLQ, sends each message to its source queue with its body and message
attributes, and deletes from the DLQ only what the source queue accepted: a message is never lost
in the move, at worst it is on both queues for a moment (the consumers are idempotent by event
id, so a duplicate is harmless). SQS's StartMessageMoveTask would do the same in AWS, but the
local emulator has none, and one code path is the rule. Each replay is logged (dlq_replays).
Only a system administrator may look or replay (checked here, for the page and the CLI alike).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import aws
from chalicelib.core.auth import Principal, Role, require_role
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest
from chalicelib.core.observability import logger
from chalicelib.core.resources import RESOURCES
from chalicelib.ops.storage import ReplayRecord, bind

QUEUES: tuple[str, ...] = tuple(q.key for q in RESOURCES.queues)  # notify, mail, index, scan, channels
DEFAULT_MAX, LIMIT = 100, 1000
RECENT = 10  # replays listed on the health page
_BATCH = 10  # SQS receives, sends and deletes at most ten at a time
_DEPTHS = {
    "visible": "ApproximateNumberOfMessages",
    "in_flight": "ApproximateNumberOfMessagesNotVisible",
    "delayed": "ApproximateNumberOfMessagesDelayed",
}


@dataclass(frozen=True)
class Depth:
    visible: int
    in_flight: int
    delayed: int

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


@dataclass(frozen=True)
class QueueStatus:
    queue: str  # the source queue's key
    depth: Depth
    dead: Depth  # its DLQ's


@dataclass(frozen=True)
class Replay:
    queue: str
    who: str
    at: datetime
    moved: int
    asked: int


def _url(name: str) -> str:
    return str(aws.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def _dlq_name(queue: str) -> str:
    return RESOURCES.queue(queue).dlq_physical_name(settings().prefix)


def _depth(url: str) -> Depth:
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=list(_DEPTHS.values()))
    values = attributes.get("Attributes", {})
    return Depth(**{field: int(values.get(name, 0)) for field, name in _DEPTHS.items()})


def _checked_queue(queue: str) -> str:
    if queue not in QUEUES:
        raise BadRequest("Unknown queue {queue}: choose one of {queues}.", queue=queue, queues=", ".join(QUEUES))
    return queue


def status(principal: Principal) -> list[QueueStatus]:
    """Every queue's depth and its DLQ's, in the catalogue's order."""
    require_role(principal, Role.SYSTEM_ADMIN)
    return [QueueStatus(q, _depth(_url(settings().queue_name(q))), _depth(_url(_dlq_name(q)))) for q in QUEUES]


def replay(principal: Principal, queue: str, max_messages: int = DEFAULT_MAX) -> Replay:
    """Moves up to ``max_messages`` (1 to 1,000) from a queue's DLQ back to the queue; logs it."""
    p = require_role(principal, Role.SYSTEM_ADMIN)
    _checked_queue(queue)
    if not 1 <= max_messages <= LIMIT:
        raise BadRequest("Replay between 1 and {limit} messages at a time.", limit=LIMIT)
    moved = _move(_url(_dlq_name(queue)), _url(settings().queue_name(queue)), max_messages)
    now = datetime.now(UTC)
    bind()
    ReplayRecord(
        queue, f"{now.isoformat()}#{uuid.uuid4().hex[:8]}", who=p.staff_id, at=now, moved=moved, asked=max_messages
    ).save()
    logger.info("dead letters replayed", extra={"queue": queue, "moved": moved, "who": p.staff_id})
    return Replay(queue, p.staff_id, now, moved, max_messages)


def _move(dead_url: str, source_url: str, limit: int) -> int:
    sqs = aws.client("sqs")
    moved = 0
    while moved < limit:
        received = sqs.receive_message(
            QueueUrl=dead_url,
            MaxNumberOfMessages=min(_BATCH, limit - moved),
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
            # Long enough to send and delete; a message not accepted returns to the DLQ after it.
            VisibilityTimeout=30,
        ).get("Messages", [])
        if not received:
            break
        by_id = {str(i): m for i, m in enumerate(received)}
        sent = sqs.send_message_batch(
            QueueUrl=source_url,
            Entries=[_entry(entry_id, m) for entry_id, m in by_id.items()],
        )
        accepted = [by_id[s["Id"]] for s in sent.get("Successful", [])]
        for failure in sent.get("Failed", []):
            logger.warning("a dead letter was not taken back", extra={"code": failure.get("Code")})
        if accepted:
            sqs.delete_message_batch(
                QueueUrl=dead_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(accepted)],
            )
        moved += len(accepted)
        if len(accepted) < len(received):
            break  # the source queue refused some: stop rather than receive them again at once
    return moved


def _entry(entry_id: str, message: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": entry_id, "MessageBody": message["Body"]}
    attributes = {
        name: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    if attributes:
        entry["MessageAttributes"] = attributes
    return entry


def recent_replays(principal: Principal, limit: int = RECENT) -> list[Replay]:
    """The last replays across the queues, newest first."""
    require_role(principal, Role.SYSTEM_ADMIN)
    bind()
    found = [
        Replay(r.queue, r.who, r.at, int(r.moved), int(r.asked))
        for q in QUEUES
        for r in ReplayRecord.query(q, scan_index_forward=False, limit=limit)
    ]
    return sorted(found, key=lambda r: r.at, reverse=True)[:limit]
