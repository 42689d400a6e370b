"""Domain events: published to the EventBridge bus, routed by rules to the queues.

An event is `source = kumo.<feature>`, `detail-type = <PastTenseName>`, `detail = {...}`.
PutEvents takes at most 10 entries a call and may accept some and reject others: rejected
entries are retried (with back-off) and, if they still fail, an error is raised so the caller
does not report success for an event nobody will see.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

MAX_BATCH = 10
MAX_ATTEMPTS = 4


class PublishError(RuntimeError):
    """Some events could not be put on the bus after every retry."""


@dataclass(frozen=True)
class DomainEvent:
    feature: str  # e.g. "directory" -> source "kumo.directory"
    name: str  # e.g. "DepartmentNoticePosted"
    detail: dict[str, Any]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def source(self) -> str:
        return f"kumo.{self.feature}"

    def to_entry(self, bus_name: str) -> dict[str, Any]:
        # The event id travels inside the detail: EventBridge assigns its own envelope id,
        # but consumers deduplicate on ours so a retried PutEvents is still one event.
        detail = {**self.detail, "event_id": self.event_id, "occurred_at": self.occurred_at}
        return {
            "Source": self.source,
            "DetailType": self.name,
            "Detail": json.dumps(detail, ensure_ascii=False),
            "EventBusName": bus_name,
        }


def publish(
    events: Sequence[DomainEvent],
    *,
    put_events: Callable[..., dict[str, Any]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Put the events on the bus, in batches of ten, retrying rejected entries."""
    if not events:
        return
    put = put_events or aws.client("events").put_events
    bus = settings().event_bus_name
    for start in range(0, len(events), MAX_BATCH):
        batch = [e.to_entry(bus) for e in events[start:start + MAX_BATCH]]
        _put_batch(batch, put, sleep)


def _put_batch(entries: list[dict[str, Any]], put: Callable[..., dict[str, Any]],
               sleep: Callable[[float], None]) -> None:
    pending = entries
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = put(Entries=pending)
        if not response.get("FailedEntryCount"):
            return
        failed = [entry for entry, result in zip(pending, response["Entries"], strict=False) if result.get("ErrorCode")]
        codes = sorted({r.get("ErrorCode", "") for r in response["Entries"] if r.get("ErrorCode")})
        logger.warning("events rejected by the bus", extra={"count": len(failed), "codes": codes,
                                                           "attempt": attempt})
        pending = failed
        if attempt < MAX_ATTEMPTS:
            sleep(0.1 * 2 ** (attempt - 1))
    raise PublishError(f"{len(pending)} event(s) could not be published: "
                       + ", ".join(f"{e['Source']}/{e['DetailType']}" for e in pending))
